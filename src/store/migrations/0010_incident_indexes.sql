-- Incident lists at city scale (1,000,000 reports): the list's filters are
-- written "(? = 0 OR column = ?)", which no index can seek on, so the
-- date range is what the database seeks by. Keeping the department and
-- the status in that same index lets a filtered list (and its count) be
-- answered from the index alone, reading a report's row only for the
-- reports on the page. It replaces incidents_started, which is its prefix.
CREATE INDEX incidents_started_filter ON incidents (started_at, department_id, status);
DROP INDEX incidents_started;
