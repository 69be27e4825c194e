-- Protocols and training (ED 12: departments strengthen their protocols and
-- employee training). Department protocol documents (or citywide ones,
-- department_id NULL) are versioned like the employee protocol of 0008:
-- Markdown, nothing overwritten, each version's SHA-256 committed to by its
-- audit event. An acknowledgement names a published version and either an
-- employee of the roster or a signed-in staff user.
--
-- The roster holds no personal data beyond the employee number, a name
-- and the unit: never an address, a birth date or any immigration or
-- citizenship detail. Dates of completion are days (YYYY-MM-DD, the City's
-- learning system has no time) and also a day number (days since
-- 1970-01-01) so that coverage compares integers on both databases.
-- training_latest keeps each employee's latest completion of each course,
-- maintained by the import, so coverage never scans the completions.
CREATE TABLE protocol_documents (
  id @ID@,
  department_id BIGINT REFERENCES departments (id),
  title TEXT NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX protocol_documents_department ON protocol_documents (department_id);

CREATE TABLE protocol_document_versions (
  document_id BIGINT NOT NULL REFERENCES protocol_documents (id),
  version INTEGER NOT NULL,
  markdown TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (document_id, version)
);

CREATE TABLE training_courses (
  id @ID@,
  code TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  department_id BIGINT REFERENCES departments (id),
  recurrence_days INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL
);

CREATE TABLE training_employees (
  id @ID@,
  employee_number TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  department_id BIGINT NOT NULL REFERENCES departments (id),
  unit TEXT NOT NULL,
  active INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX training_employees_department ON training_employees (department_id, active, unit);

CREATE TABLE training_completions (
  employee_id BIGINT NOT NULL REFERENCES training_employees (id),
  course_id BIGINT NOT NULL REFERENCES training_courses (id),
  completed_on TEXT NOT NULL,
  day INTEGER NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (employee_id, course_id, completed_on)
);

CREATE TABLE training_latest (
  employee_id BIGINT NOT NULL REFERENCES training_employees (id),
  course_id BIGINT NOT NULL REFERENCES training_courses (id),
  day INTEGER NOT NULL,
  PRIMARY KEY (employee_id, course_id)
);

CREATE TABLE protocol_acks (
  id @ID@,
  document_id BIGINT NOT NULL,
  version INTEGER NOT NULL,
  employee_id BIGINT REFERENCES training_employees (id),
  user_id BIGINT REFERENCES users (id),
  recorded_by BIGINT REFERENCES users (id),
  acked_at BIGINT NOT NULL,
  FOREIGN KEY (document_id, version) REFERENCES protocol_document_versions (document_id, version),
  UNIQUE (document_id, version, employee_id),
  UNIQUE (document_id, version, user_id)
);

-- Bumped by every change to courses, rosters or completions (in the same
-- transaction), so each haven process may keep the coverage it computed
-- until the data or the day changes (src/modules/training/store.c).
CREATE TABLE training_state (
  id INTEGER PRIMARY KEY,
  generation BIGINT NOT NULL
);
INSERT INTO training_state (id, generation) VALUES (1, 0);
