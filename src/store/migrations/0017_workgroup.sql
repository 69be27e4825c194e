-- The LAPD-led working group and its community consultations (issue 7):
-- members (a name, an organisation and a role in the group: nothing else),
-- sessions (working-group meetings and community consultations: date,
-- place, languages interpreted, attendance as a count, summary), feedback
-- items heard at a session, recommendations with their status, and the LAPD
-- guideline documents they lead to, versioned. No resident is named or
-- described anywhere: attendance is a count, free text is redacted before it
-- is stored (src/modules/incidents/redact.c). `languages` is a JSON array of
-- language names as text. Days are YYYY-MM-DD; *_at are UTC milliseconds.
CREATE TABLE wg_members (
  id @ID@,
  name TEXT NOT NULL,
  organisation TEXT NOT NULL,
  group_role TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE wg_sessions (
  id @ID@,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  held_on TEXT NOT NULL,
  place TEXT NOT NULL,
  languages TEXT NOT NULL DEFAULT '[]',
  attendance INTEGER,
  summary TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX wg_sessions_day ON wg_sessions (kind, held_on);

CREATE TABLE wg_feedback (
  id @ID@,
  session_id BIGINT NOT NULL REFERENCES wg_sessions (id),
  topic TEXT NOT NULL,
  summary TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX wg_feedback_session ON wg_feedback (session_id);

CREATE TABLE wg_recommendations (
  id @ID@,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  decline_reason TEXT,
  status_changed_at BIGINT NOT NULL,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX wg_recommendations_status ON wg_recommendations (status);

CREATE TABLE wg_recommendation_feedback (
  recommendation_id BIGINT NOT NULL REFERENCES wg_recommendations (id),
  feedback_id BIGINT NOT NULL REFERENCES wg_feedback (id),
  PRIMARY KEY (recommendation_id, feedback_id)
);
CREATE INDEX wg_recommendation_feedback_fb ON wg_recommendation_feedback (feedback_id);

-- Every status a recommendation went through, with the reason of a decline.
CREATE TABLE wg_recommendation_events (
  id @ID@,
  recommendation_id BIGINT NOT NULL REFERENCES wg_recommendations (id),
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX wg_recommendation_events_rec ON wg_recommendation_events (recommendation_id);

CREATE TABLE wg_guidelines (
  id @ID@,
  title TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE wg_guideline_versions (
  id @ID@,
  guideline_id BIGINT NOT NULL REFERENCES wg_guidelines (id),
  number INTEGER NOT NULL,
  body TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_by BIGINT REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (guideline_id, number)
);

CREATE TABLE wg_guideline_recommendations (
  guideline_id BIGINT NOT NULL REFERENCES wg_guidelines (id),
  recommendation_id BIGINT NOT NULL REFERENCES wg_recommendations (id),
  PRIMARY KEY (guideline_id, recommendation_id)
);
