-- Days closed by hand on a holiday calendar: an executive order giving
-- federal offices Christmas Eve, a national day of mourning, a City closure.
-- The holidays themselves are rules in src/modules/foia/calendar.c,
-- generated for any year; these rows add what the rules cannot know. `day`
-- is YYYY-MM-DD; `calendar` is "federal" or "los-angeles". Adding or
-- removing one is audited in the same transaction; every deadline counted on
-- the calendar afterwards sees it.
CREATE TABLE calendar_closures (
  id @ID@,
  calendar TEXT NOT NULL,
  day TEXT NOT NULL,
  name TEXT NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (calendar, day)
);
