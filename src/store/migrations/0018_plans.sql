-- Department preparedness plans (issue 6): a directive (Executive Directive
-- No. 12, No. 17) with its requirements, which an administrator edits as
-- data; issuing it opens one plan per department (a campaign) due a number
-- of calendar days later; each plan answers every requirement, carries
-- evidence files and goes through submission and review. Every submission
-- is kept whole (`answers` is the snapshot as JSON text) so versions can
-- be compared. Days (issued_on, due_on, first_submitted_on, effective_on)
-- are YYYY-MM-DD in the city's time zone; *_at are UTC milliseconds.
-- Statuses are codes of the tables in src/modules/plans/model.c. Nothing
-- here names a member of the public.
CREATE TABLE plan_directives (
  id @ID@,
  number TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  due_days INTEGER NOT NULL,
  issued_on TEXT,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE plan_requirements (
  id @ID@,
  directive_id BIGINT NOT NULL REFERENCES plan_directives (id),
  position INTEGER NOT NULL,
  code TEXT NOT NULL,
  title TEXT NOT NULL,
  guidance TEXT NOT NULL DEFAULT '',
  asks_percent INTEGER NOT NULL DEFAULT 0,
  retired INTEGER NOT NULL DEFAULT 0,
  UNIQUE (directive_id, code)
);

CREATE TABLE plans (
  id @ID@,
  directive_id BIGINT NOT NULL REFERENCES plan_directives (id),
  department_id BIGINT NOT NULL REFERENCES departments (id),
  due_on TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  submissions INTEGER NOT NULL DEFAULT 0,
  first_submitted_on TEXT,
  submitted_at BIGINT,
  submitted_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  decided_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (directive_id, department_id)
);
CREATE INDEX plans_department ON plans (department_id);

CREATE TABLE plan_answers (
  plan_id BIGINT NOT NULL REFERENCES plans (id),
  requirement_id BIGINT NOT NULL REFERENCES plan_requirements (id),
  status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  na_reason TEXT NOT NULL DEFAULT '',
  percent INTEGER,
  updated_by BIGINT REFERENCES users (id),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (plan_id, requirement_id)
);

-- One row per submission: the answers and evidence as they were (JSON),
-- and the reviewer's decision with a comment per requirement (JSON).
CREATE TABLE plan_submissions (
  id @ID@,
  plan_id BIGINT NOT NULL REFERENCES plans (id),
  number INTEGER NOT NULL,
  answers TEXT NOT NULL,
  submitted_by BIGINT REFERENCES users (id),
  submitted_at BIGINT NOT NULL,
  decision TEXT,
  decision_comment TEXT NOT NULL DEFAULT '',
  review TEXT NOT NULL DEFAULT '[]',
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  UNIQUE (plan_id, number)
);

-- Evidence files: `item` numbers a piece of evidence within its plan and
-- `version` its successive files; the file itself is encrypted at rest
-- under DATA/attachments/<storage_name> like incident attachments. sha256
-- is of the file as uploaded (before any metadata was stripped).
CREATE TABLE plan_evidence (
  id @ID@,
  plan_id BIGINT NOT NULL REFERENCES plans (id),
  requirement_id BIGINT NOT NULL REFERENCES plan_requirements (id),
  item INTEGER NOT NULL,
  version INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  storage_name TEXT NOT NULL UNIQUE,
  effective_on TEXT NOT NULL,
  uploaded_by BIGINT REFERENCES users (id),
  uploaded_at BIGINT NOT NULL,
  UNIQUE (plan_id, item, version)
);
CREATE INDEX plan_evidence_plan ON plan_evidence (plan_id, requirement_id);
