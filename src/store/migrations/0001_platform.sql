-- Platform schema: instance facts, the City registry's first tables and the
-- people who sign in. Written once for both backends; @ID@ and @BLOB@ expand
-- per dialect (src/store/store.c). Times are UTC milliseconds since the epoch.
-- Privacy rule (DESIGN.md section 4): never a column for anyone's status,
-- never one for where they come from or for any immigration document number.

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE departments (
  id @ID@,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE facilities (
  id @ID@,
  department_id BIGINT NOT NULL REFERENCES departments (id),
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (department_id, name)
);

CREATE TABLE users (
  id @ID@,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  department_id BIGINT REFERENCES departments (id),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 1,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  last_login_at BIGINT
);

CREATE TABLE user_roles (
  user_id BIGINT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);
