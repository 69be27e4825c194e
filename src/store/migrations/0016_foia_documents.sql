-- FOIA documents received (issue 7) and the reminder scheduler.
--
-- A document is a file the agency released (an interim or final release):
-- like incident attachments, the bytes are not here but encrypted under
-- DATA/attachments/ with a random storage name; the name people see is made
-- from the request's id, never the file's own name. `pages` is the number
-- of pages received; `withheld_in_full` pages were withheld entirely (the
-- agency sends a placeholder page) and `withheld_in_part` pages were released
-- with redactions, so pages - withheld_in_full - withheld_in_part were
-- released in full. `event_id` is the timeline event it came with (optional).
CREATE TABLE foia_documents (
  id @ID@,
  request_id BIGINT NOT NULL REFERENCES foia_requests (id),
  storage_name TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  received_on TEXT NOT NULL,
  pages INTEGER NOT NULL,
  withheld_in_full INTEGER NOT NULL,
  withheld_in_part INTEGER NOT NULL,
  event_id BIGINT REFERENCES foia_events (id),
  uploaded_by BIGINT NOT NULL REFERENCES users (id),
  uploaded_at BIGINT NOT NULL
);
CREATE INDEX foia_documents_request ON foia_documents (request_id, id);

-- The exemptions a document cites, each with the pages it covers (codes of
-- the table in src/modules/foia/model.c: (b)(1) to (b)(9), (b)(7)(A) to (F)).
CREATE TABLE foia_document_exemptions (
  id @ID@,
  document_id BIGINT NOT NULL REFERENCES foia_documents (id),
  code TEXT NOT NULL,
  withheld_in_full INTEGER NOT NULL,
  withheld_in_part INTEGER NOT NULL,
  UNIQUE (document_id, code)
);

-- The scheduler inside `serve` (src/modules/notify/scheduler.c): one lease
-- per job, taken with a conditional UPDATE, so when several `haven`
-- processes share one database a job runs in one of them at a time.
CREATE TABLE scheduler_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);

-- Reminders already queued, inserted in the same transaction as their
-- outbox rows: the UNIQUE key makes a second sending impossible even if two
-- runs overlap. `subject` says what the object is ('foia_request'; plans and
-- contracts later), `offset_days` the working days before the deadline
-- (0: the day it is due, -1: the day it became overdue).
CREATE TABLE reminders_sent (
  id @ID@,
  subject TEXT NOT NULL,
  object_id BIGINT NOT NULL,
  deadline_kind TEXT NOT NULL,
  deadline_date TEXT NOT NULL,
  offset_days INTEGER NOT NULL,
  sent_at BIGINT NOT NULL,
  UNIQUE (subject, object_id, deadline_kind, deadline_date, offset_days)
);
