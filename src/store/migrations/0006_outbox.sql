-- Email waiting to be sent. A notification is written in the same
-- transaction as the record it is about, then sent by a background sender
-- with retries, so a slow or broken mail server never loses or blocks a
-- report. Bodies hold a reference, a facility and a link: never report
-- contents.
CREATE TABLE outbox (
  id @ID@,
  created_at BIGINT NOT NULL,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  sent_at BIGINT,
  failed_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) ;
