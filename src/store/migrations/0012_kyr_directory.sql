-- The help directories of the public Know-Your-Rights site: legal service
-- providers and City programs open to everyone regardless of status. They
-- describe organisations, never residents. Both are imported from CSV by
-- staff (src/modules/kyr/dirstore.c): an entry's id is the stable key the
-- file gives it, so re-importing the same file changes nothing. The data is
-- in English; the page chrome is in the resident's language.

-- The closed set of legal services, as data (codes used in the CSV files
-- and the public filter; the labels in other languages are interface
-- strings, data/kyr/ui.json "service_<code with _>").
CREATE TABLE kyr_legal_services (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL
);
INSERT INTO kyr_legal_services (code, name, position) VALUES
('deportation-defense', 'Deportation defense', 1),
('detained-cases', 'Detained cases', 2),
('affirmative-applications', 'Affirmative applications', 3),
('consultations', 'Consultations', 4);

-- sites: a JSON array of {"neighbourhood", "address", "hours"}; dates are
-- YYYY-MM-DD (the city's calendar); cost is 'free' or 'low-cost'.
CREATE TABLE kyr_legal_providers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sites TEXT NOT NULL,
  cost TEXT NOT NULL,
  doj_recognized INTEGER NOT NULL,
  accredited_reps INTEGER NOT NULL,
  accreditation_expires TEXT,
  last_verified TEXT NOT NULL,
  phone TEXT,
  website TEXT,
  sample INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);

CREATE TABLE kyr_legal_provider_services (
  provider_id TEXT NOT NULL REFERENCES kyr_legal_providers (id),
  service TEXT NOT NULL REFERENCES kyr_legal_services (code),
  PRIMARY KEY (provider_id, service)
);

CREATE TABLE kyr_legal_provider_languages (
  provider_id TEXT NOT NULL REFERENCES kyr_legal_providers (id),
  lang TEXT NOT NULL REFERENCES kyr_languages (tag),
  PRIMARY KEY (provider_id, lang)
);
CREATE INDEX kyr_legal_provider_languages_lang ON kyr_legal_provider_languages (lang);

CREATE TABLE kyr_city_programs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  department TEXT NOT NULL,
  offers TEXT NOT NULL,
  address TEXT,
  phone TEXT,
  website TEXT,
  sample INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);

CREATE TABLE kyr_city_program_languages (
  program_id TEXT NOT NULL REFERENCES kyr_city_programs (id),
  lang TEXT NOT NULL REFERENCES kyr_languages (tag),
  PRIMARY KEY (program_id, lang)
);
