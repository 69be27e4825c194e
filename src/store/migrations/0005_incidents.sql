-- Incident reports: federal immigration activity on City premises. The
-- report's fields live in `data` (JSON, checked against the declared spec
-- in src/modules/incidents/model.c); the columns beside it are copies kept
-- for filtering. Every saved change adds a row to incident_versions, so
-- nothing is silently overwritten. People are only ever counts: no name,
-- address or identifier of a member of the public, and never anyone's status
-- or origin (the privacy rule, DESIGN.md section 4).

CREATE TABLE incidents (
  id @ID@,
  ref TEXT NOT NULL UNIQUE,
  department_id BIGINT NOT NULL REFERENCES departments (id),
  facility_id BIGINT NOT NULL REFERENCES facilities (id),
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  from_alert INTEGER NOT NULL DEFAULT 0,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  reported_at BIGINT NOT NULL,
  submitted_at BIGINT,
  filed_by BIGINT NOT NULL REFERENCES users (id),
  agencies TEXT NOT NULL DEFAULT '',
  document_type TEXT NOT NULL DEFAULT '',
  access_outcome TEXT NOT NULL DEFAULT '',
  confidence TEXT,
  verified_by BIGINT REFERENCES users (id),
  verified_at BIGINT,
  refer_legal INTEGER NOT NULL DEFAULT 0,
  refer_workgroup INTEGER NOT NULL DEFAULT 0,
  alert TEXT,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_department ON incidents (department_id, started_at);
CREATE INDEX incidents_started ON incidents (started_at);
CREATE INDEX incidents_status ON incidents (status, started_at);

CREATE TABLE incident_versions (
  incident_id BIGINT NOT NULL REFERENCES incidents (id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  changed_by BIGINT NOT NULL REFERENCES users (id),
  changed_at BIGINT NOT NULL,
  action TEXT NOT NULL,
  note TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (incident_id, version)
);

-- Reference numbers people can say on the phone: INC-2026-000123.
CREATE TABLE incident_counters (
  year INTEGER PRIMARY KEY,
  last BIGINT NOT NULL
);

-- Writes that a phone may retry carry an Idempotency-Key: the first answer
-- is kept and repeated, so a retry never makes a duplicate.
CREATE TABLE idempotency_keys (
  user_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  route TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, key)
);
