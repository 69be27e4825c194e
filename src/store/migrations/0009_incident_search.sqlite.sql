-- Full-text search over incident reports (SQLite): an FTS5 index of each
-- report's reference number, its free-text fields (the narrative, the
-- notes, names and badge numbers shown by agents, plates) and the quick
-- alert's note, accent-insensitive for English and Spanish (unicode61 with
-- remove_diacritics 2). The rowid is the report's id.
--
-- src/modules/incidents/store.c writes the index in the same transaction as
-- every insert and edit of a report (explicit statements, not triggers:
-- Haven opens SQLite with trusted_schema=OFF, under which triggers may not
-- write to a virtual table). The fields are the declared free-text fields
-- of src/modules/incidents/model.c; a unit test checks this file names
-- each of them. The index holds only what the report itself holds
-- (redacted before saving).
CREATE VIRTUAL TABLE incident_search USING fts5(
  ref, body, note, tokenize = 'unicode61 remove_diacritics 2');

-- Reports saved before this migration.
INSERT INTO incident_search (rowid, ref, body, note)
SELECT i.id, i.ref,
    coalesce(json_extract(i.data, '$.narrative'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.names_badges'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.supervisor'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.plates'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.access_area'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.access_decided_by'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.staging_note'), '') || ' ' ||
    coalesce(json_extract(i.data, '$.contractor_note'), ''),
    coalesce(json_extract(i.alert, '$.note'), '')
FROM incidents i;
