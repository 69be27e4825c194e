-- The City registry: departments with contacts and liaisons, facilities
-- (City premises) with kind, coordinates and named areas, each public or
-- non-public (entering a non-public area needs a judicial warrant).
-- Coordinates are stored as integer micro-degrees: exact on both backends.

ALTER TABLE departments ADD COLUMN contact_email TEXT;
ALTER TABLE departments ADD COLUMN contact_phone TEXT;
ALTER TABLE departments ADD COLUMN updated_at BIGINT;

CREATE TABLE department_liaisons (
  department_id BIGINT NOT NULL REFERENCES departments (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  backup INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (department_id, user_id)
);

ALTER TABLE facilities ADD COLUMN kind TEXT NOT NULL DEFAULT 'office';
ALTER TABLE facilities ADD COLUMN lat_e6 BIGINT;
ALTER TABLE facilities ADD COLUMN lon_e6 BIGINT;
ALTER TABLE facilities ADD COLUMN updated_at BIGINT;
CREATE INDEX facilities_department ON facilities (department_id);

CREATE TABLE facility_areas (
  id @ID@,
  facility_id BIGINT NOT NULL REFERENCES facilities (id),
  name TEXT NOT NULL,
  public INTEGER NOT NULL,
  UNIQUE (facility_id, name)
);
