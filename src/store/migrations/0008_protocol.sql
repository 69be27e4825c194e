-- The employee protocol shown on the quick alert page: Markdown an
-- administrator edits (rendered through cmark with raw HTML and unsafe links
-- dropped). Every save adds a version; nothing is overwritten. Each version
-- keeps the SHA-256 of its text, which the audit event of the save commits
-- to. Version 1 below is sample text rewritten from the first hard-coded page,
-- pending the City Attorney's review; it is installed here so the alert page
-- always has a protocol to show. created_by is NULL only for this seed; its
-- time is that of the schema install (the same on both databases, which
-- have no common way to read the clock in milliseconds).
CREATE TABLE protocol_versions (
  version INTEGER PRIMARY KEY,
  markdown TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL
);

INSERT INTO protocol_versions (version, markdown, sha256, note, created_by, created_at) VALUES (1,
'# What to do right now

1. **Look at the document.** A *judicial warrant* is issued by a court and signed by a judge or magistrate. An *administrative warrant* is on DHS or ICE letterhead (Form I-200 or I-205) and signed by an immigration officer: it does not allow entry into non-public areas.
2. **Do not consent** to agents entering non-public areas (offices, staff-only rooms, staff parking) without a judicial warrant. Say: "I do not consent. Please wait while I call my supervisor."
3. **Ask the agents to wait** in a public area. Do not physically interfere.
4. **Write down** the agents'' names and badge numbers (especially the supervising officer''s), the agency, and the vehicles. Photograph the document if you can.
5. **Call your supervisor and your department''s Immigrant Affairs Liaison** at once. This alert tells them and the Mayor''s Office of Immigrant Affairs.
6. **Never ask about or write down** anyone''s immigration status, nationality or place of birth.

*Sample text, pending the City Attorney''s review.*
',
'01889ba5e8d711ba4140696ba30a724287cac3066396cfdae085f6bb23c79e69',
'Sample text, pending the City Attorney''s review (installed with Haven).',
NULL, (SELECT COALESCE(MAX(applied_at), 0) FROM schema_version));
