-- Residents who answered STOP to a Know-Your-Rights text. A typed number is
-- never stored: the key is a keyed BLAKE2b-256 hash (hex) of the E.164
-- number under a secret kept in the data folder (sms-optout.key), so this
-- table cannot be listed as numbers, nor a number guessed and checked,
-- without that key. START removes the row.
CREATE TABLE kyr_sms_optouts (
  number_hash TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);
