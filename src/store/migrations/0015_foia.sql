-- FOIA requests the City files (the directive's request to ICE first): the
-- request, its tracking numbers (agencies split and refer requests, and an
-- appeal gets its own), and its timeline of dated events. Deadlines are not
-- stored: they are computed from these rows and the holiday calendar each
-- time they are read (src/modules/foia/deadline.c), so a closure added later
-- moves them. Dates the agency gives are days (YYYY-MM-DD, no time zone);
-- created_at and updated_at are UTC milliseconds. `status` and event `type`
-- are codes of the tables in src/modules/foia/model.c. No member of the
-- public is named here.
CREATE TABLE foia_requests (
  id @ID@,
  agency TEXT NOT NULL,
  component TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  records_sought TEXT NOT NULL,
  calendar TEXT NOT NULL DEFAULT 'federal',
  submitted_on TEXT,
  received_on TEXT,
  fee_waiver_asked INTEGER NOT NULL DEFAULT 0,
  fee_waiver_granted INTEGER,
  expedited_asked INTEGER NOT NULL DEFAULT 0,
  expedited_granted INTEGER,
  expedited_decided_on TEXT,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX foia_requests_status ON foia_requests (status);

CREATE TABLE foia_tracking_numbers (
  id @ID@,
  request_id BIGINT NOT NULL REFERENCES foia_requests (id),
  tracking_number TEXT NOT NULL,
  reason TEXT NOT NULL,
  assigned_on TEXT,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (request_id, tracking_number)
);

CREATE TABLE foia_events (
  id @ID@,
  request_id BIGINT NOT NULL REFERENCES foia_requests (id),
  type TEXT NOT NULL,
  day TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX foia_events_request ON foia_events (request_id, day);
