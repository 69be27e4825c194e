/* Incident reports: SQL. Every change is a new version row and an audit
 * event in the same transaction as the change; a retried create with the
 * same Idempotency-Key finds the first one's record instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/search.h"
#include "modules/notify/notify.h"

#define NZ(s) ((s) ? (s) : "")

static struct hv_sql q_facility_dept =
    HV_SQL("SELECT department_id FROM facilities WHERE id = ? AND (? = 0 OR department_id = ?)");
static struct hv_sql q_counter_bump =
    HV_SQL("UPDATE incident_counters SET last = last + 1 WHERE year = ? RETURNING last");
static struct hv_sql q_counter_new =
    HV_SQL("INSERT INTO incident_counters (year, last) VALUES (?, 1)");
static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO incidents (ref, department_id, facility_id, status, version, from_alert, "
    "started_at, ended_at, reported_at, filed_by, agencies, document_type, access_outcome, alert, "
    "data, created_at, updated_at) VALUES (?, ?, ?, 'draft', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?) "
    "RETURNING id");
static struct hv_sql q_version_add = HV_SQL(
    "INSERT INTO incident_versions (incident_id, version, status, changed_by, changed_at, action, "
    "note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static struct hv_sql q_idem_get =
    HV_SQL("SELECT request_hash, body FROM idempotency_keys WHERE user_id = ? AND key = ?");
static struct hv_sql q_idem_put = HV_SQL(
    "INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body, created_at) "
    "VALUES (?, ?, ?, ?, 201, ?, ?)");
static struct hv_sql q_current =
    HV_SQL("SELECT i.id, i.department_id, i.status, i.version, i.filed_by, i.data, i.ref, "
           "i.refer_legal, i.refer_workgroup FROM incidents i WHERE i.id = ? AND (? = 0 OR "
           "i.department_id = ?)");
static struct hv_sql q_update = HV_SQL(
    "UPDATE incidents SET facility_id = ?, department_id = ?, version = version + 1, started_at = "
    "?, "
    "ended_at = ?, agencies = ?, document_type = ?, access_outcome = ?, data = ?, updated_at = ? "
    "WHERE id = ? AND version = ?");
static struct hv_sql q_set_status = HV_SQL(
    "UPDATE incidents SET status = ?, version = version + 1, submitted_at = COALESCE(?, "
    "submitted_at), "
    "confidence = COALESCE(?, confidence), verified_by = COALESCE(?, verified_by), "
    "verified_at = COALESCE(?, verified_at), refer_legal = ?, refer_workgroup = ?, updated_at = ? "
    "WHERE id = ? AND version = ?");

/* SQLite's full-text index (migration 0009), written beside every insert
 * and edit of a report; PostgreSQL keeps its tsvector column itself. */
static struct hv_sql q_search_add =
    HV_SQL("INSERT INTO incident_search (rowid, ref, body, note) VALUES (?, ?, ?, ?)");
static struct hv_sql q_search_set = HV_SQL("UPDATE incident_search SET body = ? WHERE rowid = ?");

/* The report's free text, the declared text fields one per line. */
static char *search_body(const json_t *data) {
  const char *names[32];
  size_t n = hv_incident_text_fields(names, 32);
  struct hv_buf b;
  hv_buf_init(&b, 1u << 20);
  for (size_t i = 0; i < n; i++) {
    const char *v = json_string_value(json_object_get(data, names[i]));
    if (v && *v && (hv_buf_adds(&b, v) || hv_buf_addc(&b, '\n'))) {
      hv_buf_free(&b);
      return NULL;
    }
  }
  char *out = hv_buf_steal(&b, NULL);
  return out ? out : strdup("");
}

enum hv_qs hv_incident_search_index(struct hv_conn *c, int64_t id, const char *ref,
                                    const json_t *data, const json_t *alert) {
  if (hv_conn_dialect(c) != HV_DIALECT_SQLITE)
    return HV_QS_ONE;
  char *body = search_body(data);
  if (!body)
    return HV_QS_HARD;
  enum hv_qs qs;
  if (ref) {
    struct hv_param p[] = {HV_P_INT(id), HV_P_TEXT(ref), HV_P_TEXT(body),
                           HV_P_TEXT(NZ(json_string_value(json_object_get(alert, "note"))))};
    qs = hv_db_exec(c, &q_search_add, p, 4);
  } else {
    struct hv_param p[] = {HV_P_TEXT(body), HV_P_INT(id)};
    qs = hv_db_exec(c, &q_search_set, p, 2);
  }
  free(body);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* The columns copied out of `data` for filtering. */
struct copies {
  int64_t started, ended;
  char agencies[128];
  const char *document, *access;
};

static void copy_out(const json_t *data, int64_t fallback_start, struct copies *c) {
  c->started = fallback_start;
  c->ended = 0;
  const char *s = json_string_value(json_object_get(data, "started_at"));
  const char *e = json_string_value(json_object_get(data, "ended_at"));
  if (s)
    hv_local_datetime(s, &c->started);
  if (e)
    hv_local_datetime(e, &c->ended);
  c->agencies[0] = '\0';
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(data, "agencies"), i, a) {
    size_t n = strlen(c->agencies);
    snprintf(c->agencies + n, sizeof c->agencies - n, ",%s", NZ(json_string_value(a)));
  }
  if (c->agencies[0]) /* ",ice_ero,cbp" -> ",ice_ero,cbp," for LIKE '%,cbp,%' */
    strncat(c->agencies, ",", sizeof c->agencies - strlen(c->agencies) - 1);
  c->document = NZ(json_string_value(json_object_get(data, "document_type")));
  c->access = NZ(json_string_value(json_object_get(data, "access")));
}

static enum hv_qs next_ref(struct hv_conn *c, int64_t now, char ref[32]) {
  time_t t = (time_t)(now / 1000);
  struct tm tm;
  int64_t n = 0;
  localtime_r(&t, &tm);
  int year = tm.tm_year + 1900;
  struct hv_param p[] = {HV_P_INT(year)};
  enum hv_qs qs = hv_db_int(c, &q_counter_bump, p, 1, &n);
  if (qs == HV_QS_NONE) {
    if ((qs = hv_db_exec(c, &q_counter_new, p, 1)) < 0)
      return qs;
    n = 1;
  } else if (qs < 0) {
    return qs;
  }
  snprintf(ref, 32, "INC-%04d-%06lld", year, (long long)n);
  return HV_QS_ONE;
}

static enum hv_qs add_version(struct hv_conn *c, int64_t id, int version, const char *status,
                              int64_t by, const char *action, const char *note, const char *data) {
  struct hv_param p[] = {HV_P_INT(id),
                         HV_P_INT(version),
                         HV_P_TEXT(status),
                         HV_P_INT(by),
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_TEXT(action),
                         HV_P_TEXT(note),
                         HV_P_TEXT(data)};
  return hv_db_exec(c, &q_version_add, p, 8);
}

static enum hv_qs audit(struct hv_conn *c, const char *actor, const char *action, int64_t id,
                        const char *change) {
  char oid[32];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  struct hv_audit_event ev = {actor, action, "incident", oid, change, change ? strlen(change) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

struct idem {
  char hash[80];
  char body[256];
  int found;
};

static int idem_row(void *cls, const struct hv_row *r) {
  struct idem *x = cls;
  x->found = 1;
  snprintf(x->hash, sizeof x->hash, "%s", NZ(hv_row_text(r, 0)));
  snprintf(x->body, sizeof x->body, "%s", NZ(hv_row_text(r, 1)));
  return 1;
}

static int text_row(void *cls, const struct hv_row *r) {
  snprintf(cls, 700, "%s", NZ(hv_row_text(r, 0)));
  return 1;
}

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  struct hv_incident_write *w = cls;
  int64_t now = hv_clock_wall_ms(), dept = 0, id = 0;
  enum hv_qs qs;
  w->replayed = false;
  w->refusal = NULL;
  if (w->idem_key) {
    struct idem x = {"", "", 0};
    struct hv_param k[] = {HV_P_INT(w->by->user_id), HV_P_TEXT(w->idem_key)};
    if ((qs = hv_db_query(c, &q_idem_get, k, 2, idem_row, &x)) < 0)
      return qs;
    if (x.found) {
      if (strcmp(x.hash, w->idem_hash) != 0) {
        w->refusal = "This Idempotency-Key was already used for a different request.";
        w->refusal_status = 422;
        return HV_QS_CONFLICT;
      }
      json_t *b = json_loads(x.body, 0, NULL);
      w->new_id = json_integer_value(json_object_get(b, "id"));
      json_decref(b);
      w->replayed = true;
      return HV_QS_ONE;
    }
  }
  const json_t *src = w->alert ? w->alert : w->data;
  int64_t facility = json_integer_value(json_object_get(src, "facility_id"));
  struct hv_param f[] = {HV_P_INT(facility), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  if ((qs = hv_db_int(c, &q_facility_dept, f, 3, &dept)) <= 0)
    return qs;
  struct copies cp;
  copy_out(w->data, now, &cp);
  if ((qs = next_ref(c, now, w->ref)) < 0)
    return qs;
  char *data = json_dumps(w->data, JSON_COMPACT | JSON_SORT_KEYS);
  char *alert = w->alert ? json_dumps(w->alert, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  if (!data || (w->alert && !alert)) {
    free(data);
    free(alert);
    return HV_QS_HARD;
  }
  struct hv_param p[] = {HV_P_TEXT(w->ref),      HV_P_INT(dept),
                         HV_P_INT(facility),     HV_P_INT(w->alert ? 1 : 0),
                         HV_P_INT(cp.started),   cp.ended ? HV_P_INT(cp.ended) : HV_P_NULL,
                         HV_P_INT(now),          HV_P_INT(w->by->user_id),
                         HV_P_TEXT(cp.agencies), HV_P_TEXT(cp.document),
                         HV_P_TEXT(cp.access),   HV_P_TEXT(alert),
                         HV_P_TEXT(data),        HV_P_INT(now),
                         HV_P_INT(now)};
  qs = hv_db_int(c, &q_insert, p, 15, &id);
  if (qs > 0)
    qs = add_version(c, id, 1, "draft", w->by->user_id, w->alert ? "alert" : "create", NULL, data);
  if (qs > 0)
    qs = hv_incident_search_index(c, id, w->ref, w->data, w->alert);
  free(data);
  free(alert);
  if (qs < 0)
    return qs;
  w->new_id = id;
  w->version = 1;
  if (w->idem_key) {
    char body[96];
    snprintf(body, sizeof body, "{\"id\":%lld}", (long long)id);
    struct hv_param k[] = {HV_P_INT(w->by->user_id), HV_P_TEXT(w->idem_key), HV_P_TEXT(w->route),
                           HV_P_TEXT(w->idem_hash),  HV_P_TEXT(body),        HV_P_INT(now)};
    qs = hv_db_exec(c, &q_idem_put, k, 6);
    if (qs == HV_QS_CONFLICT)
      return HV_QS_RETRY; /* a twin request committed first: go round and answer as it did */
    if (qs < 0)
      return qs;
  }
  if (w->alert && w->cfg) {
    static struct hv_sql q_facility_name = HV_SQL("SELECT name FROM facilities WHERE id = ?");
    char name[700] = "";
    struct hv_param fp[] = {HV_P_INT(facility)};
    if ((qs = hv_db_query(c, &q_facility_name, fp, 1, text_row, name)) < 0)
      return qs;
    if ((qs = hv_notify_alert_tx(c, w->cfg, dept, id, w->ref, name)) < 0)
      return qs;
    w->queued_mail = true;
  }
  return audit(c, w->by->actor, w->alert ? "incident.alert" : "incident.create", id, w->ref);
}

enum hv_qs hv_incident_create(struct hv_store *s, struct hv_incident_write *w) {
  return hv_store_tx(s, true, create_tx, w);
}

struct current {
  int found;
  int64_t id, dept, filed_by;
  int version, refer_legal, refer_workgroup;
  char status[16], ref[32];
  char *data;
};

static int current_row(void *cls, const struct hv_row *r) {
  struct current *x = cls;
  x->found = 1;
  x->id = hv_row_int(r, 0);
  x->dept = hv_row_int(r, 1);
  snprintf(x->status, sizeof x->status, "%s", NZ(hv_row_text(r, 2)));
  x->version = (int)hv_row_int(r, 3);
  x->filed_by = hv_row_int(r, 4);
  x->data = strdup(NZ(hv_row_text(r, 5)));
  snprintf(x->ref, sizeof x->ref, "%s", NZ(hv_row_text(r, 6)));
  x->refer_legal = (int)hv_row_int(r, 7);
  x->refer_workgroup = (int)hv_row_int(r, 8);
  return 1;
}

static enum hv_qs load_current(struct hv_conn *c, struct hv_incident_write *w, struct current *x) {
  struct hv_param p[] = {HV_P_INT(w->id), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  memset(x, 0, sizeof *x);
  enum hv_qs qs = hv_db_query(c, &q_current, p, 3, current_row, x);
  if (qs <= 0)
    return qs;
  if (x->version != w->expect_version) {
    w->refusal = "Someone else saved this report since you opened it. Reload it to see their "
                 "changes, then make yours again.";
    w->refusal_status = 409;
    return HV_QS_CONFLICT;
  }
  return HV_QS_ONE;
}

static bool citywide(const struct hv_principal *p) { return (p->roles & HV_CITYWIDE) != 0; }

static enum hv_qs update_tx(struct hv_conn *c, void *cls) {
  struct hv_incident_write *w = cls;
  struct current x;
  int64_t dept = 0, now = hv_clock_wall_ms();
  w->refusal = NULL;
  enum hv_qs qs = load_current(c, w, &x);
  if (qs <= 0)
    goto out;
  int st = hv_status_parse(x.status);
  bool editable = st == HV_ST_DRAFT || st == HV_ST_NEEDS_INFO ||
                  ((st == HV_ST_SUBMITTED || st == HV_ST_IN_REVIEW) && citywide(w->by));
  if (!editable) {
    w->refusal = "A report is not changed once verified or closed, nor while in review except by "
                 "MOIA.";
    w->refusal_status = 409;
    qs = HV_QS_CONFLICT;
    goto out;
  }
  int64_t facility = json_integer_value(json_object_get(w->data, "facility_id"));
  struct hv_param f[] = {HV_P_INT(facility), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  if ((qs = hv_db_int(c, &q_facility_dept, f, 3, &dept)) <= 0) {
    if (qs == HV_QS_NONE) {
      w->refusal = "The facility is not one of your department's.";
      w->refusal_status = 422;
      qs = HV_QS_CONFLICT;
    }
    goto out;
  }
  struct copies cp;
  copy_out(w->data, now, &cp);
  char *data = json_dumps(w->data, JSON_COMPACT | JSON_SORT_KEYS);
  if (!data) {
    qs = HV_QS_HARD;
    goto out;
  }
  struct hv_param p[] = {HV_P_INT(facility),
                         HV_P_INT(dept),
                         HV_P_INT(cp.started),
                         cp.ended ? HV_P_INT(cp.ended) : HV_P_NULL,
                         HV_P_TEXT(cp.agencies),
                         HV_P_TEXT(cp.document),
                         HV_P_TEXT(cp.access),
                         HV_P_TEXT(data),
                         HV_P_INT(now),
                         HV_P_INT(w->id),
                         HV_P_INT(w->expect_version)};
  qs = hv_db_exec(c, &q_update, p, 11);
  if (qs == HV_QS_NONE) { /* cannot happen under the writer lock; kept as a guard */
    w->refusal = "Someone else saved this report since you opened it.";
    w->refusal_status = 409;
    qs = HV_QS_CONFLICT;
  }
  if (qs > 0)
    qs = add_version(c, w->id, x.version + 1, x.status, w->by->user_id, "edit", NULL, data);
  if (qs > 0)
    qs = hv_incident_search_index(c, w->id, NULL, w->data, NULL);
  free(data);
  if (qs > 0) {
    w->version = x.version + 1;
    qs = audit(c, w->by->actor, "incident.edit", w->id, x.ref);
  }
out:
  free(x.data);
  return qs;
}

enum hv_qs hv_incident_update(struct hv_store *s, struct hv_incident_write *w) {
  return hv_store_tx(s, true, update_tx, w);
}

static const char *const action_names[HV_ACT_MAX] = {"submit", "review", "request_info",
                                                     "verify", "close",  "refer"};

static enum hv_qs act_tx(struct hv_conn *c, void *cls) {
  struct hv_incident_write *w = cls;
  struct current x;
  int64_t now = hv_clock_wall_ms();
  w->refusal = NULL;
  enum hv_qs qs = load_current(c, w, &x);
  if (qs <= 0)
    goto out;
  int st = hv_status_parse(x.status);
  int to = st;
  bool moia =
      citywide(w->by) && (w->by->roles & (HV_ROLE_BIT(HV_ROLE_MOIA) | HV_ROLE_BIT(HV_ROLE_ADMIN)));
  const char *why = NULL;
  switch (w->action) {
  case HV_ACT_SUBMIT:
    if (st != HV_ST_DRAFT && st != HV_ST_NEEDS_INFO)
      why = "Only a draft, or a report that needs information, can be submitted.";
    to = HV_ST_SUBMITTED;
    break;
  case HV_ACT_REVIEW:
    if (!moia)
      why = "Only MOIA reviews reports.";
    else if (st != HV_ST_SUBMITTED)
      why = "Only a submitted report can go into review.";
    to = HV_ST_IN_REVIEW;
    break;
  case HV_ACT_REQUEST_INFO:
    if (!moia)
      why = "Only MOIA asks for more information.";
    else if (st != HV_ST_SUBMITTED && st != HV_ST_IN_REVIEW)
      why = "Only a submitted report or one in review can be sent back.";
    to = HV_ST_NEEDS_INFO;
    break;
  case HV_ACT_VERIFY:
    if (!moia)
      why = "Only MOIA verifies reports.";
    else if (x.filed_by == w->by->user_id)
      why = "You filed this report, so someone else must verify it.";
    else if (st != HV_ST_SUBMITTED && st != HV_ST_IN_REVIEW)
      why = "Only a submitted report or one in review can be verified.";
    to = HV_ST_VERIFIED;
    break;
  case HV_ACT_CLOSE:
    if (!moia)
      why = "Only MOIA closes reports.";
    else if (st == HV_ST_DRAFT || st == HV_ST_CLOSED)
      why = "A draft is not closed; a closed report stays closed.";
    to = HV_ST_CLOSED;
    break;
  case HV_ACT_REFER:
    if (!moia && !(w->by->roles & HV_ROLE_BIT(HV_ROLE_LEGAL)))
      why = "Only MOIA and the City Attorney's reviewers set referrals.";
    break;
  case HV_ACT_MAX:
    why = "Unknown action.";
    break;
  }
  if (why) {
    w->refusal = why;
    w->refusal_status = strstr(why, "Only MOIA") || strstr(why, "someone else") ? 403 : 409;
    qs = HV_QS_CONFLICT;
    goto out;
  }
  int legal = w->action == HV_ACT_REFER && w->refer_legal >= 0 ? w->refer_legal : x.refer_legal;
  int group =
      w->action == HV_ACT_REFER && w->refer_workgroup >= 0 ? w->refer_workgroup : x.refer_workgroup;
  bool verify = w->action == HV_ACT_VERIFY;
  struct hv_param p[] = {HV_P_TEXT(hv_status_code((enum hv_status)to)),
                         w->action == HV_ACT_SUBMIT ? HV_P_INT(now) : HV_P_NULL,
                         verify ? HV_P_TEXT(w->confidence) : HV_P_NULL,
                         verify ? HV_P_INT(w->by->user_id) : HV_P_NULL,
                         verify ? HV_P_INT(now) : HV_P_NULL,
                         HV_P_INT(legal),
                         HV_P_INT(group),
                         HV_P_INT(now),
                         HV_P_INT(w->id),
                         HV_P_INT(w->expect_version)};
  if ((qs = hv_db_exec(c, &q_set_status, p, 10)) <= 0)
    goto out;
  char note[600];
  snprintf(note, sizeof note, "%s%s%s", w->confidence && verify ? w->confidence : "",
           w->confidence && verify && w->note && *w->note ? ": " : "", NZ(w->note));
  if ((qs = add_version(c, w->id, x.version + 1, hv_status_code((enum hv_status)to), w->by->user_id,
                        action_names[w->action], note[0] ? note : NULL, x.data)) < 0)
    goto out;
  w->version = x.version + 1;
  char action[40];
  snprintf(action, sizeof action, "incident.%s", action_names[w->action]);
  qs = audit(c, w->by->actor, action, w->id, x.ref);
out:
  free(x.data);
  return qs;
}

enum hv_qs hv_incident_act(struct hv_store *s, struct hv_incident_write *w) {
  return hv_store_tx(s, true, act_tx, w);
}

/* --- reading ------------------------------------------------------------- */

#define INCIDENT_COLS                                                                              \
  "i.id, i.ref, i.department_id, d.code, i.facility_id, f.name, i.status, i.version, "             \
  "i.from_alert, i.started_at, i.ended_at, i.reported_at, i.submitted_at, i.filed_by, "            \
  "u.display_name, "                                                                               \
  "i.agencies, i.document_type, i.access_outcome, i.confidence, i.refer_legal, "                   \
  "i.refer_workgroup, "                                                                            \
  "i.alert, i.data, i.verified_by "
#define INCIDENT_FROM                                                                              \
  "FROM incidents i JOIN departments d ON d.id = i.department_id "                                 \
  "JOIN facilities f ON f.id = i.facility_id JOIN users u ON u.id = i.filed_by "

static struct hv_sql q_get = HV_SQL("SELECT " INCIDENT_COLS INCIDENT_FROM
                                    "WHERE i.id = ? AND (? = 0 OR i.department_id = ?)");

static json_t *int_or_null(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_integer(hv_row_int(r, col));
}

static int incident_row(void *cls, const struct hv_row *r, bool full) {
  json_t *o = json_pack(
      "{s:I, s:s, s:I, s:s, s:I, s:s, s:s, s:I, s:b, s:I, s:o, s:I, s:o, s:I, s:s, s:s, s:s, s:s, "
      "s:o, s:b, s:b}",
      "id", (json_int_t)hv_row_int(r, 0), "ref", NZ(hv_row_text(r, 1)), "department_id",
      (json_int_t)hv_row_int(r, 2), "department_code", NZ(hv_row_text(r, 3)), "facility_id",
      (json_int_t)hv_row_int(r, 4), "facility", NZ(hv_row_text(r, 5)), "status",
      NZ(hv_row_text(r, 6)), "version", (json_int_t)hv_row_int(r, 7), "from_alert",
      hv_row_int(r, 8) != 0, "started_at", (json_int_t)hv_row_int(r, 9), "ended_at",
      int_or_null(r, 10), "reported_at", (json_int_t)hv_row_int(r, 11), "submitted_at",
      int_or_null(r, 12), "filed_by", (json_int_t)hv_row_int(r, 13), "filed_by_name",
      NZ(hv_row_text(r, 14)), "agencies", NZ(hv_row_text(r, 15)), "document_type",
      NZ(hv_row_text(r, 16)), "access", NZ(hv_row_text(r, 17)), "confidence",
      hv_row_null(r, 18) ? json_null() : json_string(NZ(hv_row_text(r, 18))), "refer_legal",
      hv_row_int(r, 19) != 0, "refer_workgroup", hv_row_int(r, 20) != 0);
  /* agencies as a list: ",ice_ero,cbp," -> ["ice_ero","cbp"] */
  json_t *ag = json_array();
  char tmp[128];
  snprintf(tmp, sizeof tmp, "%s", NZ(hv_row_text(r, 15)));
  char *save = NULL;
  for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
    json_array_append_new(ag, json_string(t));
  json_object_set_new(o, "agencies", ag);
  if (!hv_row_null(r, 11) && !hv_row_null(r, 12))
    json_object_set_new(o, "minutes_to_report",
                        json_integer((hv_row_int(r, 12) - hv_row_int(r, 9)) / 60000));
  if (full) {
    json_t *alert = hv_row_null(r, 21) ? json_null() : json_loads(NZ(hv_row_text(r, 21)), 0, NULL);
    json_t *data = json_loads(NZ(hv_row_text(r, 22)), 0, NULL);
    json_object_set_new(o, "alert", alert ? alert : json_null());
    json_object_set_new(o, "data", data ? data : json_object());
    json_object_set_new(o, "verified_by", int_or_null(r, 23));
  }
  json_array_append_new(cls, o);
  return 0;
}

static int full_row(void *cls, const struct hv_row *r) { return incident_row(cls, r, true); }
static int brief_row(void *cls, const struct hv_row *r) { return incident_row(cls, r, false); }

struct get_args {
  int64_t id, scope;
  json_t *arr;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  return hv_db_query(c, &q_get, p, 3, full_row, a->arr);
}

enum hv_qs hv_incident_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out) {
  struct get_args a = {id, scope, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, get_tx, &a);
  if (qs > 0)
    *out = json_incref(json_array_get(a.arr, 0));
  json_decref(a.arr);
  return qs;
}

static struct hv_sql q_versions =
    HV_SQL("SELECT v.version, v.status, v.changed_by, u.display_name, v.changed_at, v.action, "
           "v.note, v.data "
           "FROM incident_versions v JOIN users u ON u.id = v.changed_by "
           "WHERE v.incident_id = ? ORDER BY v.version");

struct history {
  json_t *list;
  json_t *prev;
};

static int version_row(void *cls, const struct hv_row *r) {
  struct history *h = cls;
  json_t *data = json_loads(NZ(hv_row_text(r, 7)), 0, NULL);
  json_t *changes = h->prev ? hv_incident_diff(h->prev, data) : json_array();
  json_array_append_new(
      h->list,
      json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:o, s:o}", "version", (json_int_t)hv_row_int(r, 0),
                "status", NZ(hv_row_text(r, 1)), "changed_by", (json_int_t)hv_row_int(r, 2),
                "changed_by_name", NZ(hv_row_text(r, 3)), "changed_at",
                (json_int_t)hv_row_int(r, 4), "action", NZ(hv_row_text(r, 5)), "note",
                hv_row_null(r, 6) ? json_null() : json_string(NZ(hv_row_text(r, 6))), "changes",
                changes));
  json_decref(h->prev);
  h->prev = data;
  return 0;
}

struct history_args {
  int64_t id, scope;
  struct history h;
  json_t *check;
};

static enum hv_qs history_tx(struct hv_conn *c, void *cls) {
  struct history_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_query(c, &q_get, p, 3, brief_row, a->check);
  if (qs <= 0)
    return qs;
  struct hv_param v[] = {HV_P_INT(a->id)};
  return hv_db_query(c, &q_versions, v, 1, version_row, &a->h) < 0 ? HV_QS_HARD : HV_QS_ONE;
}

enum hv_qs hv_incident_history(struct hv_store *s, int64_t id, int64_t scope, json_t **out) {
  struct history_args a = {id, scope, {json_array(), NULL}, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, history_tx, &a);
  json_decref(a.h.prev);
  json_decref(a.check);
  if (qs > 0)
    *out = a.h.list;
  else
    json_decref(a.h.list);
  return qs;
}

/* The filters. Search is a separate statement text (SEARCH_*), so a list
 * without search words never touches the full-text index and keeps the
 * plans of the department, started_at and status indexes. */
#define LIST_WHERE                                                                                 \
  "WHERE (? = 0 OR i.department_id = ?) AND (? = 0 OR i.department_id = ?) AND "                   \
  "(? = 0 OR i.facility_id = ?) AND i.started_at >= ? AND i.started_at < ? AND "                   \
  "(? = '' OR i.status = ?) AND (? = '' OR i.agencies LIKE ? ESCAPE '\\') AND "                    \
  "(? = '' OR i.document_type = ?) AND (? = '' OR i.access_outcome = ?) AND "                      \
  "(? = '' OR i.confidence = ?) "
#define LIST_NPARAMS 18
/* SQLite: the FTS5 table's rowid is the report's id. PostgreSQL: the
 * generated tsvector column with its GIN index. */
#define SEARCH_SQLITE                                                                              \
  "AND i.id IN (SELECT rowid FROM incident_search WHERE incident_search MATCH ?) "
#define SEARCH_PG "AND i.search @@ to_tsquery('simple', haven_search_unaccent(?)) "

/* One ORDER BY per hv_incident_sort, in the enum's order; ids break ties
 * so pages never overlap. */
#define ORDER_NEWEST "ORDER BY i.started_at DESC, i.id DESC "
#define ORDER_OLDEST "ORDER BY i.started_at ASC, i.id ASC "
#define ORDER_REPORTED_NEWEST "ORDER BY i.reported_at DESC, i.id DESC "
#define ORDER_REPORTED_OLDEST "ORDER BY i.reported_at ASC, i.id ASC "
#define ORDER_STATUS                                                                               \
  "ORDER BY CASE i.status WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 WHEN 'in_review' THEN 2 "    \
  "WHEN 'needs_info' THEN 3 WHEN 'verified' THEN 4 ELSE 5 END, i.started_at DESC, i.id DESC "
#define ORDER_REFERENCE "ORDER BY i.ref ASC "

#define LIST_SQL(cols, order, tail) "SELECT " cols INCIDENT_FROM LIST_WHERE order tail
#define LIST_SQL_Q(cols, order, tail)                                                              \
  HV_SQL2("SELECT " cols INCIDENT_FROM LIST_WHERE SEARCH_SQLITE order tail,                        \
          "SELECT " cols INCIDENT_FROM LIST_WHERE SEARCH_PG order tail)
#define BY_SORT(cols, tail)                                                                        \
  {                                                                                                \
    HV_SQL(LIST_SQL(cols, ORDER_NEWEST, tail)), HV_SQL(LIST_SQL(cols, ORDER_OLDEST, tail)),        \
        HV_SQL(LIST_SQL(cols, ORDER_REPORTED_NEWEST, tail)),                                       \
        HV_SQL(LIST_SQL(cols, ORDER_REPORTED_OLDEST, tail)),                                       \
        HV_SQL(LIST_SQL(cols, ORDER_STATUS, tail)), HV_SQL(LIST_SQL(cols, ORDER_REFERENCE, tail))  \
  }
#define BY_SORT_Q(cols, tail)                                                                      \
  {                                                                                                \
    LIST_SQL_Q(cols, ORDER_NEWEST, tail), LIST_SQL_Q(cols, ORDER_OLDEST, tail),                    \
        LIST_SQL_Q(cols, ORDER_REPORTED_NEWEST, tail),                                             \
        LIST_SQL_Q(cols, ORDER_REPORTED_OLDEST, tail), LIST_SQL_Q(cols, ORDER_STATUS, tail),       \
        LIST_SQL_Q(cols, ORDER_REFERENCE, tail)                                                    \
  }

/* Counted up to a limit (the last parameter), without the joins: every
 * report has its department, facility and filer (foreign keys). Lists count
 * to HV_INCIDENTS_COUNT_CAP + 1, exports to their row cap + 1. */
#define COUNT_SQL(search)                                                                          \
  "SELECT COUNT(*) FROM (SELECT 1 FROM incidents i " LIST_WHERE search "LIMIT ?) AS c"
static struct hv_sql q_count = HV_SQL(COUNT_SQL(""));
static struct hv_sql q_count_q = HV_SQL2(COUNT_SQL(SEARCH_SQLITE), COUNT_SQL(SEARCH_PG));
static struct hv_sql q_page[HV_SORT_MAX] = BY_SORT(INCIDENT_COLS, "LIMIT ? OFFSET ?");
static struct hv_sql q_page_q[HV_SORT_MAX] = BY_SORT_Q(INCIDENT_COLS, "LIMIT ? OFFSET ?");
/* Exports add the latest verification note (reviewer's words). */
#define EXPORT_COLS                                                                                \
  INCIDENT_COLS ", (SELECT v.note FROM incident_versions v WHERE v.incident_id = i.id AND "        \
                "v.action = 'verify' ORDER BY v.version DESC LIMIT 1) "
static struct hv_sql q_export[HV_SORT_MAX] = BY_SORT(EXPORT_COLS, "LIMIT ?");
static struct hv_sql q_export_q[HV_SORT_MAX] = BY_SORT_Q(EXPORT_COLS, "LIMIT ?");

struct list_args {
  int64_t scope;
  const struct hv_incident_filter *f;
  char *agency_like;
  char match[HV_SEARCH_QUERY_MAX]; /* the safe full-text query, "" for none */
  int64_t total;
  json_t *items;
  /* exports */
  int64_t max_rows;
  hv_incident_each each;
  void *cls;
};

/* The filter's parameters: LIST_NPARAMS, then the search query when there
 * is one. Returns how many. */
static size_t list_params(const struct list_args *a, struct hv_param *p) {
  const struct hv_incident_filter *f = a->f;
  struct hv_param v[] = {HV_P_INT(a->scope),
                         HV_P_INT(a->scope),
                         HV_P_INT(f->department_id),
                         HV_P_INT(f->department_id),
                         HV_P_INT(f->facility_id),
                         HV_P_INT(f->facility_id),
                         HV_P_INT(f->from),
                         HV_P_INT(f->to),
                         HV_P_TEXT(NZ(f->status)),
                         HV_P_TEXT(NZ(f->status)),
                         HV_P_TEXT(NZ(f->agency)),
                         HV_P_TEXT(a->agency_like),
                         HV_P_TEXT(NZ(f->document)),
                         HV_P_TEXT(NZ(f->document)),
                         HV_P_TEXT(NZ(f->access)),
                         HV_P_TEXT(NZ(f->access)),
                         HV_P_TEXT(NZ(f->confidence)),
                         HV_P_TEXT(NZ(f->confidence))};
  memcpy(p, v, sizeof v);
  size_t n = LIST_NPARAMS;
  if (a->match[0])
    p[n++] = HV_P_TEXT(a->match);
  return n;
}

static int sort_of(const struct hv_incident_filter *f) {
  int k = (int)f->sort;
  return k >= 0 && k < HV_SORT_MAX ? k : HV_SORT_NEWEST;
}

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[LIST_NPARAMS + 3];
  size_t n = list_params(a, p);
  bool q = a->match[0] != '\0';
  p[n] = HV_P_INT(HV_INCIDENTS_COUNT_CAP + 1);
  enum hv_qs qs = hv_db_int(c, q ? &q_count_q : &q_count, p, n + 1, &a->total);
  if (qs < 0)
    return qs;
  p[n] = HV_P_INT(a->f->limit);
  p[n + 1] = HV_P_INT(a->f->offset);
  int k = sort_of(a->f);
  return hv_db_query(c, q ? &q_page_q[k] : &q_page[k], p, n + 2, brief_row, a->items);
}

/* Prepares the LIKE pattern and the dialect's full-text query. */
static int list_init(struct hv_store *s, struct list_args *a) {
  a->agency_like = hv_sql_like(NZ(a->f->agency), true);
  a->match[0] = '\0';
  if (a->f->q && *a->f->q) {
    if (hv_store_dialect(s) == HV_DIALECT_POSTGRES)
      hv_search_tsquery(a->f->q, a->match, sizeof a->match);
    else
      hv_search_fts5(a->f->q, a->match, sizeof a->match);
  }
  return a->agency_like ? 0 : -1;
}

enum hv_qs hv_incidents_list(struct hv_store *s, int64_t scope, const struct hv_incident_filter *f,
                             json_t **items, int64_t *total) {
  struct list_args a;
  memset(&a, 0, sizeof a);
  a.scope = scope;
  a.f = f;
  a.items = json_array();
  enum hv_qs qs = list_init(s, &a) == 0 ? hv_store_tx(s, false, list_tx, &a) : HV_QS_HARD;
  free(a.agency_like);
  if (qs < 0) {
    json_decref(a.items);
    return qs;
  }
  *items = a.items;
  *total = a.total;
  return HV_QS_ONE;
}

/* --- exports --------------------------------------------------------------- */

static int export_row(void *cls, const struct hv_row *r) {
  struct list_args *a = cls;
  json_array_clear(a->items);
  full_row(a->items, r);
  json_t *o = json_array_get(a->items, 0);
  if (!o)
    return 1;
  json_object_set_new(o, "verification_note",
                      hv_row_null(r, 24) ? json_null() : json_string(NZ(hv_row_text(r, 24))));
  return a->each(a->cls, o);
}

static enum hv_qs export_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[LIST_NPARAMS + 3];
  size_t n = list_params(a, p);
  bool q = a->match[0] != '\0';
  p[n] = HV_P_INT(a->max_rows + 1);
  enum hv_qs qs = hv_db_int(c, q ? &q_count_q : &q_count, p, n + 1, &a->total);
  if (qs < 0 || a->total > a->max_rows)
    return qs < 0 ? qs : HV_QS_ONE;
  p[n] = HV_P_INT(a->max_rows);
  int k = sort_of(a->f);
  qs = hv_db_query(c, q ? &q_export_q[k] : &q_export[k], p, n + 1, export_row, a);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_incidents_export(struct hv_store *s, int64_t scope,
                               const struct hv_incident_filter *f, int64_t max_rows, int64_t *total,
                               hv_incident_each fn, void *cls) {
  struct list_args a;
  memset(&a, 0, sizeof a);
  a.scope = scope;
  a.f = f;
  a.items = json_array();
  a.max_rows = max_rows;
  a.each = fn;
  a.cls = cls;
  enum hv_qs qs = list_init(s, &a) == 0 ? hv_store_tx(s, false, export_tx, &a) : HV_QS_HARD;
  free(a.agency_like);
  json_decref(a.items);
  *total = a.total;
  return qs;
}

static enum hv_qs export_audit_tx(struct hv_conn *c, void *cls) {
  const struct hv_audit_event *ev = cls;
  enum hv_qs qs = hv_audit_append(c, ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_incidents_export_audit(struct hv_store *s, const char *actor, const char *summary,
                                     const char *detail) {
  struct hv_audit_event ev = {actor,  "incident.export",          "incident_export", summary,
                              detail, detail ? strlen(detail) : 0};
  return hv_store_tx(s, true, export_audit_tx, &ev);
}
