/* The working group's SQL (see store.h). Members, sessions and feedback are
 * described by column tables and share one create/update/read path; the
 * recommendations (status machine, links) and the guidelines (versions,
 * links) have their own. A write reads the row it changes inside its own
 * transaction, so the version check, the change and the audit event are
 * one. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "modules/workgroup/store.h"

/* What the public page shows moves on with every committed write. */
static atomic_uint_fast64_t generation = 1;

uint64_t hv_wg_generation(void) { return atomic_load(&generation); }

static enum hv_qs bumped(enum hv_qs qs) {
  if (qs > 0)
    atomic_fetch_add(&generation, 1);
  return qs;
}

/* --- the plain records ------------------------------------------------------- */

enum coltype { C_TEXT, C_INT, C_BOOL, C_LANGS };

struct column {
  const char *name;
  enum coltype type;
};

struct entity {
  const char *name; /* in audit actions: workgroup.<name>.create */
  const char *object_type;
  const struct column *cols; /* the editable columns, in the SQL's order */
  size_t ncols;
  struct hv_sql *get, *list, *insert, *update;
  bool child; /* a feedback item: session_id after the columns, set on create */
};

static const struct column member_cols[] = {
    {"name", C_TEXT}, {"organisation", C_TEXT}, {"group_role", C_TEXT}, {"active", C_BOOL}};
static const struct column session_cols[] = {
    {"kind", C_TEXT},       {"title", C_TEXT},     {"held_on", C_TEXT}, {"place", C_TEXT},
    {"languages", C_LANGS}, {"attendance", C_INT}, {"summary", C_TEXT}, {"status", C_TEXT}};
static const struct column feedback_cols[] = {
    {"topic", C_TEXT}, {"summary", C_TEXT}, {"source", C_TEXT}};

#define TAIL ", version, created_at, updated_at"
#define MEMBER_COLS "id, name, organisation, group_role, active" TAIL
#define SESSION_COLS "id, kind, title, held_on, place, languages, attendance, summary, status" TAIL
#define FEEDBACK_COLS "id, topic, summary, source" TAIL ", session_id"

static struct hv_sql q_member_get = HV_SQL("SELECT " MEMBER_COLS " FROM wg_members WHERE id = ?");
static struct hv_sql q_member_list =
    HV_SQL("SELECT " MEMBER_COLS " FROM wg_members WHERE ? = 0 ORDER BY organisation, name, id "
           "LIMIT ?");
static struct hv_sql q_member_insert =
    HV_SQL("INSERT INTO wg_members (name, organisation, group_role, active, version, created_by, "
           "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_member_update =
    HV_SQL("UPDATE wg_members SET name = ?, organisation = ?, group_role = ?, active = ?, "
           "version = version + 1, updated_at = ? WHERE id = ? AND version = ?");

static struct hv_sql q_session_get =
    HV_SQL("SELECT " SESSION_COLS " FROM wg_sessions WHERE id = ?");
static struct hv_sql q_session_list = HV_SQL(
    "SELECT " SESSION_COLS " FROM wg_sessions WHERE ? = 0 ORDER BY held_on DESC, id DESC LIMIT ?");
static struct hv_sql q_session_insert =
    HV_SQL("INSERT INTO wg_sessions (kind, title, held_on, place, languages, attendance, summary, "
           "status, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
           "1, ?, ?, ?) RETURNING id");
static struct hv_sql q_session_update = HV_SQL(
    "UPDATE wg_sessions SET kind = ?, title = ?, held_on = ?, place = ?, languages = ?, "
    "attendance = ?, summary = ?, status = ?, version = version + 1, updated_at = ? WHERE id = ? "
    "AND version = ?");

static struct hv_sql q_feedback_get =
    HV_SQL("SELECT " FEEDBACK_COLS " FROM wg_feedback WHERE id = ?");
static struct hv_sql q_feedback_list = HV_SQL(
    "SELECT " FEEDBACK_COLS " FROM wg_feedback WHERE (? = 0 OR session_id = ?) ORDER BY id DESC "
    "LIMIT ?");
static struct hv_sql q_feedback_insert =
    HV_SQL("INSERT INTO wg_feedback (topic, summary, source, session_id, version, created_by, "
           "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_feedback_update =
    HV_SQL("UPDATE wg_feedback SET topic = ?, summary = ?, source = ?, version = version + 1, "
           "updated_at = ? WHERE id = ? AND version = ?");

#define N(a) (sizeof a / sizeof a[0])
static const struct entity entities[HV_WGE_MAX] = {
    [HV_WGE_MEMBER] = {"member", "wg_member", member_cols, N(member_cols), &q_member_get,
                       &q_member_list, &q_member_insert, &q_member_update, false},
    [HV_WGE_SESSION] = {"session", "wg_session", session_cols, N(session_cols), &q_session_get,
                        &q_session_list, &q_session_insert, &q_session_update, false},
    [HV_WGE_FEEDBACK] = {"feedback", "wg_feedback", feedback_cols, N(feedback_cols),
                         &q_feedback_get, &q_feedback_list, &q_feedback_insert, &q_feedback_update,
                         true},
};

static json_t *text_or_null(const struct hv_row *r, int col) {
  const char *s = hv_row_text(r, col);
  return s ? json_string(s) : json_null();
}

/* The city's day of `ms` (YYYY-MM-DD). */
static json_t *city_day(int64_t ms) {
  char iso[40];
  hv_time_format_iso(ms, iso, sizeof iso);
  iso[10] = '\0';
  return json_string(iso);
}

struct rows {
  const struct entity *e;
  json_t *out; /* one object (get) or an array (list) */
  bool many;
};

static json_t *entity_json(const struct entity *e, const struct hv_row *r) {
  json_t *o = json_object();
  int c = 0;
  json_object_set_new(o, "id", json_integer(hv_row_int(r, c++)));
  for (size_t i = 0; i < e->ncols; i++, c++) {
    json_t *v;
    switch (e->cols[i].type) {
    case C_INT:
      v = hv_row_null(r, c) ? json_null() : json_integer(hv_row_int(r, c));
      break;
    case C_BOOL:
      v = json_boolean(hv_row_int(r, c) != 0);
      break;
    case C_LANGS: {
      const char *t = hv_row_text(r, c);
      v = t ? json_loads(t, 0, NULL) : NULL;
      if (!json_is_array(v)) {
        json_decref(v);
        v = json_array();
      }
      break;
    }
    default:
      v = text_or_null(r, c);
    }
    json_object_set_new(o, e->cols[i].name, v);
  }
  json_object_set_new(o, "version", json_integer(hv_row_int(r, c++)));
  json_object_set_new(o, "created_at", json_integer(hv_row_int(r, c++)));
  json_object_set_new(o, "updated_at", json_integer(hv_row_int(r, c++)));
  if (e->child)
    json_object_set_new(o, "session_id", json_integer(hv_row_int(r, c++)));
  return o;
}

static int entity_row(void *cls, const struct hv_row *r) {
  struct rows *w = cls;
  json_t *o = entity_json(w->e, r);
  if (w->many) {
    json_array_append_new(w->out, o);
    return 0;
  }
  json_decref(w->out);
  w->out = o;
  return 1;
}

/* Reads record `id` of `e` into *out (NULL when none). */
static enum hv_qs read_entity(struct hv_conn *c, const struct entity *e, int64_t id, json_t **out) {
  struct rows w = {e, NULL, false};
  struct hv_param p[] = {HV_P_INT(id)};
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, e->get, p, 1, entity_row, &w);
  if (qs < 0 || !w.out) {
    json_decref(w.out);
    return qs < 0 ? qs : HV_QS_NONE;
  }
  *out = w.out;
  return HV_QS_ONE;
}

static enum hv_qs audit(struct hv_conn *c, const struct hv_principal *by, const char *action,
                        const char *type, int64_t id, const json_t *change) {
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  char *text = change ? hv_json_dump(change, NULL) : NULL;
  struct hv_audit_event ev = {by->actor, action,           type,
                              oid,       text ? text : "", text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* The parameter of column `col` from the record object `o`; a languages
 * array is written as JSON text into `tmp` (caller frees). */
static struct hv_param col_param(const struct column *col, const json_t *o, char **tmp) {
  json_t *v = json_object_get(o, col->name);
  switch (col->type) {
  case C_INT:
    return json_is_integer(v) ? HV_P_INT(json_integer_value(v)) : HV_P_NULL;
  case C_BOOL:
    return HV_P_INT(json_is_true(v));
  case C_LANGS:
    *tmp = hv_json_dump(json_is_array(v) ? v : json_array(), NULL);
    return HV_P_TEXT(*tmp ? *tmp : "[]");
  default:
    return HV_P_TEXT(json_is_string(v) ? json_string_value(v) : "");
  }
}

/* Sets the entity's columns `fields` names on `o`; returns what changed
 * as {"column": new value} (new reference). */
static json_t *overlay(const struct entity *e, json_t *o, const json_t *fields) {
  json_t *change = json_object();
  for (size_t i = 0; i < e->ncols; i++) {
    json_t *v = json_object_get(fields, e->cols[i].name);
    if (!v)
      continue;
    if (!json_equal(json_object_get(o, e->cols[i].name), v))
      json_object_set(change, e->cols[i].name, v);
    json_object_set(o, e->cols[i].name, v);
  }
  return change;
}

struct write_args {
  const struct hv_principal *by;
  const struct entity *e;
  int64_t id, parent, version, current;
  const json_t *fields;
  /* recommendations and guidelines */
  const char *title, *body, *note;
  const json_t *links;
  int to;
  struct hv_wg_refusal *refusal;
  int64_t number;
};

#define MAXCOLS 12

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  const struct entity *e = w->e;
  char *tmp = NULL;
  enum hv_qs qs;
  if (e->child) {
    json_t *sess;
    if ((qs = read_entity(c, &entities[HV_WGE_SESSION], w->parent, &sess)) <= 0)
      return qs;
    json_decref(sess);
  }
  json_t *o = json_object();
  json_t *change = overlay(e, o, w->fields);
  struct hv_param p[MAXCOLS];
  size_t n = 0;
  int64_t now = hv_clock_wall_ms();
  for (size_t i = 0; i < e->ncols; i++)
    p[n++] = col_param(&e->cols[i], o, &tmp);
  if (e->child)
    p[n++] = HV_P_INT(w->parent);
  p[n++] = HV_P_INT(w->by->user_id);
  p[n++] = HV_P_INT(now);
  p[n++] = HV_P_INT(now);
  qs = hv_db_int(c, e->insert, p, n, &w->id);
  if (qs > 0) {
    char action[64];
    snprintf(action, sizeof action, "workgroup.%s.create", e->name);
    if (e->child)
      json_object_set_new(change, "session_id", json_integer(w->parent));
    qs = audit(c, w->by, action, e->object_type, w->id, change);
  }
  free(tmp);
  json_decref(change);
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_create(struct hv_store *s, const struct hv_principal *by, enum hv_wg_entity e,
                        int64_t parent, const json_t *fields, int64_t *id) {
  struct write_args w = {.by = by, .e = &entities[e], .parent = parent, .fields = fields};
  enum hv_qs qs = bumped(hv_store_tx(s, true, create_tx, &w));
  if (qs > 0)
    *id = w.id;
  return qs;
}

static enum hv_qs update_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  const struct entity *e = w->e;
  json_t *o = NULL;
  char *tmp = NULL;
  enum hv_qs qs = read_entity(c, e, w->id, &o);
  if (qs <= 0)
    return qs;
  w->current = json_integer_value(json_object_get(o, "version"));
  if (w->current != w->version) {
    json_decref(o);
    return HV_QS_CONFLICT;
  }
  json_t *change = overlay(e, o, w->fields);
  struct hv_param p[MAXCOLS];
  size_t n = 0;
  for (size_t i = 0; i < e->ncols; i++)
    p[n++] = col_param(&e->cols[i], o, &tmp);
  p[n++] = HV_P_INT(hv_clock_wall_ms());
  p[n++] = HV_P_INT(w->id);
  p[n++] = HV_P_INT(w->version);
  qs = hv_db_exec(c, e->update, p, n);
  if (qs == HV_QS_NONE)
    qs = HV_QS_CONFLICT;
  if (qs > 0) {
    char action[64];
    snprintf(action, sizeof action, "workgroup.%s.update", e->name);
    qs = audit(c, w->by, action, e->object_type, w->id, change);
  }
  free(tmp);
  json_decref(change);
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_update(struct hv_store *s, const struct hv_principal *by, enum hv_wg_entity e,
                        int64_t id, int64_t version, const json_t *fields, int64_t *current) {
  struct write_args w = {
      .by = by, .e = &entities[e], .id = id, .version = version, .fields = fields};
  enum hv_qs qs = bumped(hv_store_tx(s, true, update_tx, &w));
  if (current)
    *current = w.current;
  return qs;
}

struct read_args {
  const struct entity *e;
  int64_t id, parent;
  json_t *out;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct read_args *a = cls;
  json_decref(a->out);
  a->out = NULL;
  enum hv_qs qs = read_entity(c, a->e, a->id, &a->out);
  if (qs <= 0 || a->e != &entities[HV_WGE_SESSION])
    return qs;
  struct rows fb = {&entities[HV_WGE_FEEDBACK], json_array(), true};
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->id), HV_P_INT(HV_WG_LIST_MAX)};
  qs = hv_db_query(c, &q_feedback_list, p, 3, entity_row, &fb);
  json_object_set_new(a->out, "feedback", fb.out);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_wg_get(struct hv_store *s, enum hv_wg_entity e, int64_t id, json_t **out) {
  struct read_args a = {&entities[e], id, 0, NULL};
  enum hv_qs qs = hv_store_tx(s, false, get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct read_args *a = cls;
  struct rows w = {a->e, a->out, true};
  json_array_clear(a->out);
  if (a->e->child) {
    struct hv_param p[] = {HV_P_INT(a->parent), HV_P_INT(a->parent), HV_P_INT(HV_WG_LIST_MAX)};
    return hv_db_query(c, a->e->list, p, 3, entity_row, &w);
  }
  struct hv_param p[] = {HV_P_INT(0), HV_P_INT(HV_WG_LIST_MAX)};
  return hv_db_query(c, a->e->list, p, 2, entity_row, &w);
}

enum hv_qs hv_wg_list(struct hv_store *s, enum hv_wg_entity e, int64_t parent, json_t **out) {
  struct read_args a = {&entities[e], 0, parent, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

/* --- links --------------------------------------------------------------------- */

static struct hv_sql q_feedback_exists = HV_SQL("SELECT COUNT(*) FROM wg_feedback WHERE id = ?");
static struct hv_sql q_rec_exists = HV_SQL("SELECT COUNT(*) FROM wg_recommendations WHERE id = ?");
static struct hv_sql q_rec_links_clear =
    HV_SQL("DELETE FROM wg_recommendation_feedback WHERE recommendation_id = ?");
static struct hv_sql q_rec_link =
    HV_SQL("INSERT INTO wg_recommendation_feedback (recommendation_id, feedback_id) VALUES (?, ?)");
static struct hv_sql q_gl_links_clear =
    HV_SQL("DELETE FROM wg_guideline_recommendations WHERE guideline_id = ?");
static struct hv_sql q_gl_link = HV_SQL(
    "INSERT INTO wg_guideline_recommendations (guideline_id, recommendation_id) VALUES (?, ?)");

/* Replaces the links of `id` with the ids in `links` (each checked with
 * `exists`; repeats ignored): HV_QS_CONFLICT with r->missing when one is
 * not there. */
static enum hv_qs set_links(struct hv_conn *c, int64_t id, const json_t *links,
                            struct hv_sql *exists, struct hv_sql *clear, struct hv_sql *link,
                            const char *field, struct hv_wg_refusal *r) {
  size_t i;
  json_t *v;
  struct hv_param k[] = {HV_P_INT(id)};
  enum hv_qs qs = hv_db_exec(c, clear, k, 1);
  if (qs < 0)
    return qs;
  json_array_foreach(links, i, v) {
    int64_t n = 0, x = json_integer_value(v);
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = json_integer_value(json_array_get(links, j)) == x;
    if (seen)
      continue;
    struct hv_param p[] = {HV_P_INT(x)};
    if ((qs = hv_db_int(c, exists, p, 1, &n)) < 0)
      return qs;
    if (n == 0) {
      r->field = field;
      r->missing = x;
      return HV_QS_CONFLICT;
    }
    struct hv_param l[] = {HV_P_INT(id), HV_P_INT(x)};
    if ((qs = hv_db_exec(c, link, l, 2)) < 0)
      return qs;
  }
  return HV_QS_ONE;
}

/* --- recommendations ------------------------------------------------------------ */

#define REC_COLS                                                                                   \
  "id, title, body, status, decline_reason, status_changed_at, version, created_at, updated_at"
static struct hv_sql q_rec_get = HV_SQL("SELECT " REC_COLS " FROM wg_recommendations WHERE id = ?");
static struct hv_sql q_rec_list =
    HV_SQL("SELECT " REC_COLS " FROM wg_recommendations ORDER BY id DESC LIMIT ?");
static struct hv_sql q_rec_insert = HV_SQL(
    "INSERT INTO wg_recommendations (title, body, status, status_changed_at, version, created_by, "
    "created_at, updated_at) VALUES (?, ?, 'proposed', ?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_rec_update =
    HV_SQL("UPDATE wg_recommendations SET title = ?, body = ?, version = version + 1, "
           "updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_rec_move =
    HV_SQL("UPDATE wg_recommendations SET status = ?, decline_reason = ?, status_changed_at = ?, "
           "version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_rec_event =
    HV_SQL("INSERT INTO wg_recommendation_events (recommendation_id, from_status, to_status, "
           "reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)");
static struct hv_sql q_rec_history =
    HV_SQL("SELECT from_status, to_status, reason, created_at FROM wg_recommendation_events "
           "WHERE recommendation_id = ? ORDER BY id");
static struct hv_sql q_rec_feedback =
    HV_SQL("SELECT f.id, f.session_id, f.topic, f.summary FROM wg_recommendation_feedback l JOIN "
           "wg_feedback f ON f.id = l.feedback_id WHERE l.recommendation_id = ? ORDER BY f.id");
static struct hv_sql q_rec_links_all = HV_SQL(
    "SELECT recommendation_id, feedback_id FROM wg_recommendation_feedback ORDER BY feedback_id");
static struct hv_sql q_rec_guidelines = HV_SQL(
    "SELECT g.id, g.title FROM wg_guideline_recommendations l JOIN wg_guidelines g ON g.id = "
    "l.guideline_id WHERE l.recommendation_id = ? ORDER BY g.id");

static json_t *rec_json(const struct hv_row *r) {
  json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)hv_row_int(r, 0), "title",
                        text_or_null(r, 1), "text", text_or_null(r, 2), "status",
                        text_or_null(r, 3), "decline_reason", text_or_null(r, 4));
  json_object_set_new(o, "status_changed_at", json_integer(hv_row_int(r, 5)));
  json_object_set_new(o, "status_date", city_day(hv_row_int(r, 5)));
  json_object_set_new(o, "version", json_integer(hv_row_int(r, 6)));
  json_object_set_new(o, "created_at", json_integer(hv_row_int(r, 7)));
  json_object_set_new(o, "updated_at", json_integer(hv_row_int(r, 8)));
  return o;
}

static int rec_one(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = rec_json(r);
  return 1;
}

static int rec_many(void *cls, const struct hv_row *r) {
  json_t *o = rec_json(r);
  json_object_set_new(o, "feedback_ids", json_array());
  json_array_append_new(cls, o);
  return 0;
}

static int history_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:o, s:o, s:o, s:I}", "from", text_or_null(r, 0), "to",
                                       text_or_null(r, 1), "reason", text_or_null(r, 2), "at",
                                       (json_int_t)hv_row_int(r, 3)));
  return 0;
}

static int linked_feedback_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)hv_row_int(r, 0),
                                       "session_id", (json_int_t)hv_row_int(r, 1), "topic",
                                       text_or_null(r, 2), "summary", text_or_null(r, 3)));
  return 0;
}

static int id_title_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:I, s:o}", "id", (json_int_t)hv_row_int(r, 0), "title",
                                       text_or_null(r, 1)));
  return 0;
}

static enum hv_qs read_rec(struct hv_conn *c, int64_t id, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id)};
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_rec_get, p, 1, rec_one, out);
  if (qs < 0 || !*out)
    return qs < 0 ? qs : HV_QS_NONE;
  return HV_QS_ONE;
}

static enum hv_qs rec_create_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(w->title),      HV_P_TEXT(w->body), HV_P_INT(now),
                         HV_P_INT(w->by->user_id), HV_P_INT(now),      HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_rec_insert, p, 6, &w->id);
  if (qs <= 0)
    return qs;
  if (w->links && (qs = set_links(c, w->id, w->links, &q_feedback_exists, &q_rec_links_clear,
                                  &q_rec_link, "feedback_ids", w->refusal)) < 0)
    return qs;
  struct hv_param ev[] = {HV_P_INT(w->id),          HV_P_NULL,
                          HV_P_TEXT("proposed"),    HV_P_TEXT(""),
                          HV_P_INT(w->by->user_id), HV_P_INT(now)};
  if ((qs = hv_db_exec(c, &q_rec_event, ev, 6)) < 0)
    return qs;
  json_t *change = json_pack("{s:s, s:s, s:s, s:O?}", "title", w->title, "text", w->body, "status",
                             "proposed", "feedback_ids", w->links);
  qs = audit(c, w->by, "workgroup.recommendation.create", "wg_recommendation", w->id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_wg_rec_create(struct hv_store *s, const struct hv_principal *by, const char *title,
                            const char *body, const json_t *feedback_ids, struct hv_wg_refusal *r,
                            int64_t *id) {
  struct write_args w = {
      .by = by, .title = title, .body = body, .links = feedback_ids, .refusal = r};
  memset(r, 0, sizeof *r);
  enum hv_qs qs = bumped(hv_store_tx(s, true, rec_create_tx, &w));
  if (qs > 0)
    *id = w.id;
  return qs;
}

/* Reads recommendation w->id and checks its version (HV_QS_CONFLICT). */
static enum hv_qs rec_checked(struct hv_conn *c, struct write_args *w, json_t **o) {
  enum hv_qs qs = read_rec(c, w->id, o);
  if (qs <= 0)
    return qs;
  w->current = json_integer_value(json_object_get(*o, "version"));
  if (w->current != w->version) {
    json_decref(*o);
    *o = NULL;
    return HV_QS_CONFLICT;
  }
  return HV_QS_ONE;
}

static enum hv_qs rec_update_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o;
  enum hv_qs qs = rec_checked(c, w, &o);
  if (qs <= 0)
    return qs;
  json_t *change = json_object();
  const char *title = json_string_value(json_object_get(o, "title"));
  const char *body = json_string_value(json_object_get(o, "text"));
  if (w->title && strcmp(w->title, title) != 0)
    json_object_set_new(change, "title", json_string(w->title));
  if (w->body && strcmp(w->body, body) != 0)
    json_object_set_new(change, "text", json_string(w->body));
  struct hv_param p[] = {HV_P_TEXT(w->title ? w->title : title),
                         HV_P_TEXT(w->body ? w->body : body), HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(w->id), HV_P_INT(w->version)};
  qs = hv_db_exec(c, &q_rec_update, p, 5);
  if (qs == HV_QS_NONE)
    qs = HV_QS_CONFLICT;
  if (qs > 0 && w->links) {
    qs = set_links(c, w->id, w->links, &q_feedback_exists, &q_rec_links_clear, &q_rec_link,
                   "feedback_ids", w->refusal);
    json_object_set(change, "feedback_ids", (json_t *)w->links);
  }
  if (qs > 0)
    qs = audit(c, w->by, "workgroup.recommendation.update", "wg_recommendation", w->id, change);
  json_decref(change);
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_rec_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                            int64_t version, const char *title, const char *body,
                            const json_t *feedback_ids, struct hv_wg_refusal *r, int64_t *current) {
  struct write_args w = {.by = by,
                         .id = id,
                         .version = version,
                         .title = title,
                         .body = body,
                         .links = feedback_ids,
                         .refusal = r};
  memset(r, 0, sizeof *r);
  enum hv_qs qs = bumped(hv_store_tx(s, true, rec_update_tx, &w));
  *current = w.current;
  return qs;
}

static enum hv_qs rec_move_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o;
  enum hv_qs qs = rec_checked(c, w, &o);
  if (qs <= 0)
    return qs;
  const char *from = json_string_value(json_object_get(o, "status"));
  int f = hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, from);
  w->refusal->from = f;
  if (f < 0 || !hv_wg_rec_can_move((enum hv_wg_rec_status)f, (enum hv_wg_rec_status)w->to)) {
    w->refusal->field = "status";
    json_decref(o);
    return HV_QS_CONFLICT;
  }
  const char *to = hv_wg_rec_statuses[w->to].code;
  int64_t now = hv_clock_wall_ms();
  bool declined = w->to == HV_WGR_DECLINED;
  struct hv_param p[] = {HV_P_TEXT(to),   declined ? HV_P_TEXT(w->note) : HV_P_NULL,
                         HV_P_INT(now),   HV_P_INT(now),
                         HV_P_INT(w->id), HV_P_INT(w->version)};
  qs = hv_db_exec(c, &q_rec_move, p, 6);
  if (qs == HV_QS_NONE)
    qs = HV_QS_CONFLICT;
  if (qs > 0) {
    struct hv_param ev[] = {
        HV_P_INT(w->id),          HV_P_TEXT(from), HV_P_TEXT(to), HV_P_TEXT(w->note ? w->note : ""),
        HV_P_INT(w->by->user_id), HV_P_INT(now)};
    qs = hv_db_exec(c, &q_rec_event, ev, 6);
  }
  if (qs > 0) {
    json_t *change =
        json_pack("{s:s, s:s, s:s}", "from", from, "to", to, "reason", w->note ? w->note : "");
    qs = audit(c, w->by, "workgroup.recommendation.status", "wg_recommendation", w->id, change);
    json_decref(change);
  }
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_rec_move(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, enum hv_wg_rec_status to, const char *reason,
                          struct hv_wg_refusal *r, int64_t *current) {
  struct write_args w = {
      .by = by, .id = id, .version = version, .to = (int)to, .note = reason, .refusal = r};
  memset(r, 0, sizeof *r);
  r->from = -1;
  enum hv_qs qs = bumped(hv_store_tx(s, true, rec_move_tx, &w));
  *current = w.current;
  return qs;
}

struct rec_read {
  int64_t id;
  json_t *out;
};

static enum hv_qs rec_get_tx(struct hv_conn *c, void *cls) {
  struct rec_read *a = cls;
  json_decref(a->out);
  enum hv_qs qs = read_rec(c, a->id, &a->out);
  if (qs <= 0)
    return qs;
  json_t *fb = json_array(), *hist = json_array(), *gl = json_array();
  json_object_set_new(a->out, "feedback", fb);
  json_object_set_new(a->out, "history", hist);
  json_object_set_new(a->out, "guidelines", gl);
  struct hv_param p[] = {HV_P_INT(a->id)};
  if ((qs = hv_db_query(c, &q_rec_feedback, p, 1, linked_feedback_row, fb)) < 0 ||
      (qs = hv_db_query(c, &q_rec_history, p, 1, history_row, hist)) < 0 ||
      (qs = hv_db_query(c, &q_rec_guidelines, p, 1, id_title_row, gl)) < 0)
    return qs;
  json_t *ids = json_array();
  size_t i;
  json_t *f;
  json_array_foreach(fb, i, f) json_array_append(ids, json_object_get(f, "id"));
  json_object_set_new(a->out, "feedback_ids", ids);
  return HV_QS_ONE;
}

enum hv_qs hv_wg_rec_get(struct hv_store *s, int64_t id, json_t **out) {
  struct rec_read a = {id, NULL};
  enum hv_qs qs = hv_store_tx(s, false, rec_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    a.out = NULL;
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static int link_row(void *cls, const struct hv_row *r) {
  char k[24];
  snprintf(k, sizeof k, "%lld", (long long)hv_row_int(r, 0));
  json_t *rec = json_object_get(cls, k);
  if (rec)
    json_array_append_new(json_object_get(rec, "feedback_ids"), json_integer(hv_row_int(r, 1)));
  return 0;
}

static enum hv_qs rec_list_tx(struct hv_conn *c, void *cls) {
  struct rec_read *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(HV_WG_LIST_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_rec_list, p, 1, rec_many, a->out);
  if (qs < 0)
    return qs;
  json_t *by_id = json_object(), *r;
  size_t i;
  json_array_foreach(a->out, i, r) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(r, "id")));
    json_object_set(by_id, k, r);
  }
  qs = hv_db_query(c, &q_rec_links_all, NULL, 0, link_row, by_id);
  json_decref(by_id);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_wg_rec_list(struct hv_store *s, json_t **out) {
  struct rec_read a = {0, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, rec_list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

/* --- guidelines -------------------------------------------------------------------- */

static struct hv_sql q_gl_insert =
    HV_SQL("INSERT INTO wg_guidelines (title, version, created_by, created_at, updated_at) "
           "VALUES (?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_gl_get = HV_SQL(
    "SELECT id, title, version, created_at, updated_at, (SELECT MAX(number) FROM "
    "wg_guideline_versions v WHERE v.guideline_id = g.id) FROM wg_guidelines g WHERE id = ?");
static struct hv_sql q_gl_list = HV_SQL(
    "SELECT id, title, version, created_at, updated_at, (SELECT MAX(number) FROM "
    "wg_guideline_versions v WHERE v.guideline_id = g.id) FROM wg_guidelines g ORDER BY id DESC "
    "LIMIT ?");
static struct hv_sql q_gl_update =
    HV_SQL("UPDATE wg_guidelines SET title = ?, version = version + 1, updated_at = ? WHERE id = "
           "? AND version = ?");
static struct hv_sql q_gl_version_add =
    HV_SQL("INSERT INTO wg_guideline_versions (guideline_id, number, body, note, created_by, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?)");
static struct hv_sql q_gl_versions =
    HV_SQL("SELECT number, body, note, created_at FROM wg_guideline_versions WHERE "
           "guideline_id = ? ORDER BY number DESC LIMIT ?");
static struct hv_sql q_gl_recs = HV_SQL(
    "SELECT r.id, r.title, r.status FROM wg_guideline_recommendations l JOIN wg_recommendations "
    "r ON r.id = l.recommendation_id WHERE l.guideline_id = ? ORDER BY r.id");

static json_t *gl_json(const struct hv_row *r) {
  return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}", "id", (json_int_t)hv_row_int(r, 0), "title",
                   text_or_null(r, 1), "version", (json_int_t)hv_row_int(r, 2), "created_at",
                   (json_int_t)hv_row_int(r, 3), "updated_at", (json_int_t)hv_row_int(r, 4),
                   "current_version", (json_int_t)hv_row_int(r, 5));
}

static int gl_one(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = gl_json(r);
  return 1;
}

static int gl_many(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, gl_json(r));
  return 0;
}

static int version_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls,
                        json_pack("{s:I, s:o, s:o, s:I}", "number", (json_int_t)hv_row_int(r, 0),
                                  "text", text_or_null(r, 1), "note", text_or_null(r, 2),
                                  "created_at", (json_int_t)hv_row_int(r, 3)));
  return 0;
}

static int gl_rec_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:I, s:o, s:o}", "id", (json_int_t)hv_row_int(r, 0),
                                       "title", text_or_null(r, 1), "status", text_or_null(r, 2)));
  return 0;
}

static enum hv_qs read_gl(struct hv_conn *c, int64_t id, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id)};
  json_t *o = NULL;
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_gl_get, p, 1, gl_one, &o);
  if (qs < 0 || !o)
    return qs < 0 ? qs : HV_QS_NONE;
  *out = o;
  return HV_QS_ONE;
}

static enum hv_qs add_version(struct hv_conn *c, struct write_args *w, int64_t number) {
  struct hv_param p[] = {HV_P_INT(w->id),          HV_P_INT(number),
                         HV_P_TEXT(w->body),       HV_P_TEXT(w->note ? w->note : ""),
                         HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  w->number = number;
  return hv_db_exec(c, &q_gl_version_add, p, 6);
}

static enum hv_qs gl_create_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(w->title), HV_P_INT(w->by->user_id), HV_P_INT(now),
                         HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_gl_insert, p, 4, &w->id);
  if (qs <= 0 || (qs = add_version(c, w, 1)) < 0)
    return qs;
  if (w->links && (qs = set_links(c, w->id, w->links, &q_rec_exists, &q_gl_links_clear, &q_gl_link,
                                  "recommendation_ids", w->refusal)) < 0)
    return qs;
  json_t *change =
      json_pack("{s:s, s:i, s:s, s:s, s:O?}", "title", w->title, "text_version", 1, "text", w->body,
                "note", w->note ? w->note : "", "recommendation_ids", w->links);
  qs = audit(c, w->by, "workgroup.guideline.create", "wg_guideline", w->id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_wg_guideline_create(struct hv_store *s, const struct hv_principal *by,
                                  const char *title, const char *text, const char *note,
                                  const json_t *recommendation_ids, struct hv_wg_refusal *r,
                                  int64_t *id) {
  struct write_args w = {.by = by,
                         .title = title,
                         .body = text,
                         .note = note,
                         .links = recommendation_ids,
                         .refusal = r};
  memset(r, 0, sizeof *r);
  enum hv_qs qs = bumped(hv_store_tx(s, true, gl_create_tx, &w));
  if (qs > 0)
    *id = w.id;
  return qs;
}

/* Reads guideline w->id, checks the version and bumps it (title kept
 * unless w->title). */
static enum hv_qs gl_bump(struct hv_conn *c, struct write_args *w, json_t **o) {
  enum hv_qs qs = read_gl(c, w->id, o);
  if (qs <= 0)
    return qs;
  w->current = json_integer_value(json_object_get(*o, "version"));
  if (w->current != w->version)
    return HV_QS_CONFLICT;
  const char *title = json_string_value(json_object_get(*o, "title"));
  struct hv_param p[] = {HV_P_TEXT(w->title ? w->title : title), HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(w->id), HV_P_INT(w->version)};
  qs = hv_db_exec(c, &q_gl_update, p, 4);
  return qs == HV_QS_NONE ? HV_QS_CONFLICT : qs;
}

static enum hv_qs gl_update_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o = NULL;
  enum hv_qs qs = gl_bump(c, w, &o);
  if (qs > 0 && w->links)
    qs = set_links(c, w->id, w->links, &q_rec_exists, &q_gl_links_clear, &q_gl_link,
                   "recommendation_ids", w->refusal);
  if (qs > 0) {
    json_t *change = json_pack("{s:s?, s:O?}", "title", w->title, "recommendation_ids", w->links);
    qs = audit(c, w->by, "workgroup.guideline.update", "wg_guideline", w->id, change);
    json_decref(change);
  }
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_guideline_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                  int64_t version, const char *title,
                                  const json_t *recommendation_ids, struct hv_wg_refusal *r,
                                  int64_t *current) {
  struct write_args w = {.by = by,
                         .id = id,
                         .version = version,
                         .title = title,
                         .links = recommendation_ids,
                         .refusal = r};
  memset(r, 0, sizeof *r);
  enum hv_qs qs = bumped(hv_store_tx(s, true, gl_update_tx, &w));
  *current = w.current;
  return qs;
}

static enum hv_qs gl_version_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o = NULL;
  enum hv_qs qs = gl_bump(c, w, &o);
  if (qs > 0) {
    int64_t n = json_integer_value(json_object_get(o, "current_version"));
    if (n >= HV_WG_VERSIONS_MAX) {
      w->refusal->field = "text";
      qs = HV_QS_CONFLICT;
    } else {
      qs = add_version(c, w, n + 1);
    }
  }
  if (qs > 0) {
    json_t *change = json_pack("{s:I, s:s, s:s}", "text_version", (json_int_t)w->number, "text",
                               w->body, "note", w->note ? w->note : "");
    qs = audit(c, w->by, "workgroup.guideline.version", "wg_guideline", w->id, change);
    json_decref(change);
  }
  json_decref(o);
  return qs;
}

enum hv_qs hv_wg_guideline_add_version(struct hv_store *s, const struct hv_principal *by,
                                       int64_t id, int64_t version, const char *text,
                                       const char *note, struct hv_wg_refusal *r, int64_t *current,
                                       int64_t *number) {
  struct write_args w = {
      .by = by, .id = id, .version = version, .body = text, .note = note, .refusal = r};
  memset(r, 0, sizeof *r);
  enum hv_qs qs = bumped(hv_store_tx(s, true, gl_version_tx, &w));
  *current = w.current;
  if (qs > 0 && number)
    *number = w.number;
  return qs;
}

static enum hv_qs gl_get_tx(struct hv_conn *c, void *cls) {
  struct rec_read *a = cls;
  json_decref(a->out);
  enum hv_qs qs = read_gl(c, a->id, &a->out);
  if (qs <= 0)
    return qs;
  json_t *versions = json_array(), *recs = json_array();
  json_object_set_new(a->out, "versions", versions);
  json_object_set_new(a->out, "recommendations", recs);
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(HV_WG_VERSIONS_MAX)};
  if ((qs = hv_db_query(c, &q_gl_versions, p, 2, version_row, versions)) < 0 ||
      (qs = hv_db_query(c, &q_gl_recs, p, 1, gl_rec_row, recs)) < 0)
    return qs;
  json_t *ids = json_array(), *x;
  size_t i;
  json_array_foreach(recs, i, x) json_array_append(ids, json_object_get(x, "id"));
  json_object_set_new(a->out, "recommendation_ids", ids);
  return HV_QS_ONE;
}

enum hv_qs hv_wg_guideline_get(struct hv_store *s, int64_t id, json_t **out) {
  struct rec_read a = {id, NULL};
  enum hv_qs qs = hv_store_tx(s, false, gl_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs gl_list_tx(struct hv_conn *c, void *cls) {
  struct rec_read *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(HV_WG_LIST_MAX)};
  return hv_db_query(c, &q_gl_list, p, 1, gl_many, a->out);
}

enum hv_qs hv_wg_guideline_list(struct hv_store *s, json_t **out) {
  struct rec_read a = {0, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, gl_list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}
