-- Contractors (vendors, shared reference data) and their contracts with City
-- departments, for Ordinance 188441 (issue 6): a contract whose personnel work
-- on City property needs a compliance attestation (a signed document, kept
-- encrypted outside the database like incident attachments, with its SHA-256)
-- and a record that the ordinance notice was sent and acknowledged. Days are
-- YYYY-MM-DD text (no time zone); created_at and updated_at are UTC
-- milliseconds. Coverage is not stored: it is computed from these rows and
-- the city's date each time it is read (src/modules/contractors/model.c).
-- No member of the public appears here; a notice's acknowledgement names
-- only the role of the contractor's contact.
CREATE TABLE contractors (
  id @ID@,
  vendor_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  contact_name TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE contracts (
  id @ID@,
  number TEXT NOT NULL UNIQUE,
  contractor_id BIGINT NOT NULL REFERENCES contractors (id),
  department_id BIGINT NOT NULL REFERENCES departments (id),
  title TEXT NOT NULL DEFAULT '',
  starts_on TEXT NOT NULL,
  ends_on TEXT NOT NULL,
  on_city_property INTEGER NOT NULL,
  onsite_personnel INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (ends_on >= starts_on),
  CHECK (onsite_personnel >= 0),
  CHECK (on_city_property = 1 OR onsite_personnel = 0)
);
CREATE INDEX contracts_department ON contracts (department_id, ends_on);
CREATE INDEX contracts_contractor ON contracts (contractor_id);

CREATE TABLE contract_attestations (
  id @ID@,
  contract_id BIGINT NOT NULL REFERENCES contracts (id),
  signed_on TEXT NOT NULL,
  expires_on TEXT NOT NULL,
  storage_name TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_by BIGINT REFERENCES users (id),
  uploaded_at BIGINT NOT NULL,
  CHECK (expires_on > signed_on)
);
CREATE INDEX contract_attestations_contract ON contract_attestations (contract_id, expires_on);

CREATE TABLE contract_notices (
  id @ID@,
  contract_id BIGINT NOT NULL REFERENCES contracts (id),
  sent_on TEXT NOT NULL,
  method TEXT NOT NULL,
  acknowledged_on TEXT,
  acknowledged_by_role TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX contract_notices_contract ON contract_notices (contract_id);
