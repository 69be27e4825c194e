-- Full-text search over incident reports (PostgreSQL): a stored tsvector
-- (text search configuration 'simple': no stemming, English and Spanish
-- alike) of each report's reference number and its free-text fields (the
-- narrative, the notes, names and badge numbers shown by agents, plates,
-- and the quick alert's note), with a GIN index. It is a generated column,
-- so it changes in the same transaction as every insert and update of a
-- report, and the ALTER below fills it for reports already saved. The list
-- of fields is the declared free-text fields of
-- src/modules/incidents/model.c (a unit test compares them).
--
-- Accents are folded with translate() rather than the unaccent extension,
-- so no extension (nor the privilege to create one) is needed. ASCII and
-- common typographic punctuation become spaces, so the words indexed are
-- exactly the words the query builder (src/modules/incidents/search.c)
-- makes of what people type: "INC-2026-000123" is inc, 2026, 000123.

-- Accent folding for the query side (the words are already free of punctuation).
CREATE FUNCTION haven_search_unaccent(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
  RETURN translate(t, 'áàâäãåāăąçćčďéèêëēėęěíìîïīįıñńňóòôöõøōőŕřśšşťúùûüūůűųýÿźżžÁÀÂÄÃÅĀĂĄÇĆČĎÉÈÊËĒĖĘĚÍÌÎÏĪĮIÑŃŇÓÒÔÖÕØŌŐŔŘŚŠŞŤÚÙÛÜŪŮŰŲÝŸŹŻŽ',
    'aaaaaaaaacccdeeeeeeeeiiiiiiinnnoooooooorrssstuuuuuuuuyyzzzAAAAAAAAACCCDEEEEEEEEIIIIIIINNNOOOOOOOORRSSSTUUUUUUUUYYZZZ');

-- The text indexed for one report. Self-contained (only built-in
-- functions), so a restore with an empty search_path can recompute it.
CREATE FUNCTION haven_search_text(ref text, data text, alert text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN translate(coalesce(ref, '') || ' ' ||
    coalesce(data::jsonb ->> 'narrative', '') || ' ' ||
    coalesce(data::jsonb ->> 'names_badges', '') || ' ' ||
    coalesce(data::jsonb ->> 'supervisor', '') || ' ' ||
    coalesce(data::jsonb ->> 'plates', '') || ' ' ||
    coalesce(data::jsonb ->> 'access_area', '') || ' ' ||
    coalesce(data::jsonb ->> 'access_decided_by', '') || ' ' ||
    coalesce(data::jsonb ->> 'staging_note', '') || ' ' ||
    coalesce(data::jsonb ->> 'contractor_note', '') || ' ' ||
    coalesce(alert::jsonb ->> 'note', ''),
    'áàâäãåāăąçćčďéèêëēėęěíìîïīįıñńňóòôöõøōőŕřśšşťúùûüūůűųýÿźżžÁÀÂÄÃÅĀĂĄÇĆČĎÉÈÊËĒĖĘĚÍÌÎÏĪĮIÑŃŇÓÒÔÖÕØŌŐŔŘŚŠŞŤÚÙÛÜŪŮŰŲÝŸŹŻŽ!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~¡¿«»·–—‘’“”…•',
    'aaaaaaaaacccdeeeeeeeeiiiiiiinnnoooooooorrssstuuuuuuuuyyzzzAAAAAAAAACCCDEEEEEEEEIIIIIIINNNOOOOOOOORRSSSTUUUUUUUUYYZZZ                                             ');

ALTER TABLE incidents ADD COLUMN search tsvector
  GENERATED ALWAYS AS (to_tsvector('simple', haven_search_text(ref, data, alert))) STORED;
CREATE INDEX incidents_search ON incidents USING gin (search);
