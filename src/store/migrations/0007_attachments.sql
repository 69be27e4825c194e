-- Files attached to incident reports: JPEG, PNG or PDF, recognised by
-- content. The bytes are not here: each file lives encrypted
-- (XChaCha20-Poly1305, key in the data folder, never in the database)
-- under DATA/attachments/ with a random name, outside every served folder.
-- Images lost their metadata (EXIF, GPS, XMP, comments) before they were
-- encrypted. The name people see is generated from the report's reference,
-- never the uploader's file name (which may name a person). No digest of
-- the content is kept either: it would let anyone holding the database
-- confirm a guess of what a file shows.
CREATE TABLE incident_attachments (
  id @ID@,
  incident_id BIGINT NOT NULL REFERENCES incidents (id),
  storage_name TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  uploaded_by BIGINT NOT NULL REFERENCES users (id),
  uploaded_at BIGINT NOT NULL
);
CREATE INDEX incident_attachments_incident ON incident_attachments (incident_id, id);
