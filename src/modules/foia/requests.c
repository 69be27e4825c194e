/* FOIA requests: SQL (see requests.h). A write reads the row it changes in
 * its own transaction, so the version check, the change and the audit event
 * are one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/foia/docstore.h"
#include "modules/foia/requests.h"

#define COLS                                                                                       \
  "id, agency, component, subject, records_sought, calendar, submitted_on, received_on, "          \
  "fee_waiver_asked, fee_waiver_granted, expedited_asked, expedited_granted, "                     \
  "expedited_decided_on, status, version, created_by, created_at, updated_at"

static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO foia_requests (agency, component, subject, records_sought, calendar, "
    "submitted_on, received_on, fee_waiver_asked, fee_waiver_granted, expedited_asked, "
    "expedited_granted, expedited_decided_on, status, version, created_by, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, 'federal', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_get = HV_SQL("SELECT " COLS " FROM foia_requests WHERE id = ?");
static struct hv_sql q_list =
    HV_SQL("SELECT " COLS " FROM foia_requests WHERE (? = 0 OR status NOT IN ('withdrawn', "
           "'closed')) ORDER BY id DESC LIMIT ?");
static struct hv_sql q_update =
    HV_SQL("UPDATE foia_requests SET agency = ?, component = ?, subject = ?, records_sought = ?, "
           "submitted_on = ?, received_on = ?, fee_waiver_asked = ?, fee_waiver_granted = ?, "
           "expedited_asked = ?, expedited_granted = ?, expedited_decided_on = ?, status = ?, "
           "version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_bump = HV_SQL(
    "UPDATE foia_requests SET status = ?, version = version + 1, updated_at = ? WHERE id = ?");
static struct hv_sql q_events = HV_SQL("SELECT id, type, day, note, created_at, request_id FROM "
                                       "foia_events WHERE request_id = ? ORDER BY day, id LIMIT ?");
static struct hv_sql q_events_all =
    HV_SQL("SELECT e.id, e.type, e.day, e.note, e.created_at, e.request_id FROM foia_events e "
           "JOIN foia_requests r ON r.id = e.request_id WHERE (? = 0 OR r.status NOT IN "
           "('withdrawn', 'closed')) ORDER BY e.request_id, e.day, e.id");
static struct hv_sql q_event_count =
    HV_SQL("SELECT COUNT(*) FROM foia_events WHERE request_id = ?");
static struct hv_sql q_event_add =
    HV_SQL("INSERT INTO foia_events (request_id, type, day, note, created_by, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_tracking = HV_SQL(
    "SELECT tracking_number, reason, assigned_on, request_id FROM foia_tracking_numbers WHERE "
    "request_id = ? ORDER BY id LIMIT ?");
static struct hv_sql q_tracking_all =
    HV_SQL("SELECT t.tracking_number, t.reason, t.assigned_on, t.request_id FROM "
           "foia_tracking_numbers t JOIN foia_requests r ON r.id = t.request_id WHERE (? = 0 OR "
           "r.status NOT IN ('withdrawn', 'closed')) ORDER BY t.request_id, t.id");
static struct hv_sql q_tracking_count =
    HV_SQL("SELECT COUNT(*) FROM foia_tracking_numbers WHERE request_id = ?");
static struct hv_sql q_tracking_exists = HV_SQL(
    "SELECT COUNT(*) FROM foia_tracking_numbers WHERE request_id = ? AND tracking_number = ?");
static struct hv_sql q_tracking_add =
    HV_SQL("INSERT INTO foia_tracking_numbers (request_id, tracking_number, reason, assigned_on, "
           "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)");

void hv_foia_fields_init(struct hv_foia_fields *f) {
  memset(f, 0, sizeof *f);
  f->fee_waiver_asked = f->fee_waiver_granted = HV_FOIA_KEEP;
  f->expedited_asked = f->expedited_granted = HV_FOIA_KEEP;
  f->status = HV_FOIA_KEEP;
}

/* --- rows as JSON ----------------------------------------------------------- */

static json_t *text_or_null(const struct hv_row *r, int col) {
  const char *s = hv_row_text(r, col);
  return s ? json_string(s) : json_null();
}

static json_t *tri(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_boolean(hv_row_int(r, col) != 0);
}

static json_t *request_json(const struct hv_row *r) {
  json_t *o = json_object();
  static const char *const text[] = {NULL,           "agency",         "component",
                                     "subject",      "records_sought", "calendar",
                                     "submitted_on", "received_on"};
  json_object_set_new(o, "id", json_integer(hv_row_int(r, 0)));
  for (int c = 1; c <= 7; c++)
    json_object_set_new(o, text[c], text_or_null(r, c));
  json_object_set_new(o, "fee_waiver_asked", json_boolean(hv_row_int(r, 8) != 0));
  json_object_set_new(o, "fee_waiver_granted", tri(r, 9));
  json_object_set_new(o, "expedited_asked", json_boolean(hv_row_int(r, 10) != 0));
  json_object_set_new(o, "expedited_granted", tri(r, 11));
  json_object_set_new(o, "expedited_decided_on", text_or_null(r, 12));
  json_object_set_new(o, "status", text_or_null(r, 13));
  json_object_set_new(o, "version", json_integer(hv_row_int(r, 14)));
  json_object_set_new(o, "created_by",
                      hv_row_null(r, 15) ? json_null() : json_integer(hv_row_int(r, 15)));
  json_object_set_new(o, "created_at", json_integer(hv_row_int(r, 16)));
  json_object_set_new(o, "updated_at", json_integer(hv_row_int(r, 17)));
  json_object_set_new(o, "tracking_numbers", json_array());
  json_object_set_new(o, "events", json_array());
  return o;
}

static int one_request(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = request_json(r);
  return 1;
}

static int many_requests(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, request_json(r));
  return 0;
}

/* The request a child row (column `col` = request_id) belongs to: `cls` is
 * a single request object or, for lists, an object keyed by id. */
struct children {
  json_t *one;   /* borrowed */
  json_t *by_id; /* borrowed: {"<id>": request} */
  const char *key;
};

static json_t *owner(struct children *ch, int64_t id) {
  if (ch->one)
    return json_object_get(ch->one, ch->key);
  char k[24];
  snprintf(k, sizeof k, "%lld", (long long)id);
  return json_object_get(json_object_get(ch->by_id, k), ch->key);
}

static int event_row(void *cls, const struct hv_row *r) {
  json_t *list = owner(cls, hv_row_int(r, 5));
  if (list)
    json_array_append_new(list, json_pack("{s:I, s:o, s:o, s:o, s:I}", "id",
                                          (json_int_t)hv_row_int(r, 0), "type", text_or_null(r, 1),
                                          "date", text_or_null(r, 2), "note", text_or_null(r, 3),
                                          "created_at", (json_int_t)hv_row_int(r, 4)));
  return 0;
}

static int tracking_row(void *cls, const struct hv_row *r) {
  json_t *list = owner(cls, hv_row_int(r, 3));
  if (list)
    json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "number", text_or_null(r, 0), "reason",
                                          text_or_null(r, 1), "assigned_on", text_or_null(r, 2)));
  return 0;
}

/* Reads request `id` with its children into *out (NULL when none). */
static enum hv_qs read_one(struct hv_conn *c, int64_t id, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id), HV_P_INT(HV_FOIA_EVENTS_ROWS)};
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_get, p, 1, one_request, out);
  if (qs <= 0 || !*out)
    return qs < 0 ? qs : HV_QS_NONE;
  struct children ev = {*out, NULL, "events"}, tn = {*out, NULL, "tracking_numbers"};
  struct hv_param pt[] = {HV_P_INT(id), HV_P_INT(HV_FOIA_TRACKING_MAX)};
  json_t *docs = NULL;
  if ((qs = hv_db_query(c, &q_events, p, 2, event_row, &ev)) < 0 ||
      (qs = hv_db_query(c, &q_tracking, pt, 2, tracking_row, &tn)) < 0 ||
      (qs = hv_foia_documents_read(c, id, &docs)) < 0) {
    json_decref(*out);
    *out = NULL;
    return qs;
  }
  json_object_set_new(*out, "documents", docs);
  return HV_QS_ONE;
}

struct get_args {
  int64_t id;
  json_t *out;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  json_decref(a->out); /* a retried transaction starts again */
  return read_one(c, a->id, &a->out);
}

enum hv_qs hv_foia_get(struct hv_store *s, int64_t id, json_t **out) {
  struct get_args a = {id, NULL};
  enum hv_qs qs = hv_store_tx(s, false, get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct list_args {
  bool open_only;
  json_t *out;
};

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(a->open_only), HV_P_INT(HV_FOIA_LIST_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_list, p, 2, many_requests, a->out);
  if (qs < 0)
    return qs;
  json_t *by_id = json_object();
  size_t i;
  json_t *r;
  json_array_foreach(a->out, i, r) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(r, "id")));
    json_object_set(by_id, k, r);
  }
  struct children ev = {NULL, by_id, "events"}, tn = {NULL, by_id, "tracking_numbers"};
  if ((qs = hv_db_query(c, &q_events_all, p, 1, event_row, &ev)) >= 0)
    qs = hv_db_query(c, &q_tracking_all, p, 1, tracking_row, &tn);
  json_decref(by_id);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_foia_list(struct hv_store *s, bool open_only, json_t **out) {
  struct list_args a = {open_only, json_array()};
  enum hv_qs qs = a.out ? hv_store_tx(s, false, list_tx, &a) : HV_QS_HARD;
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

/* --- writes ------------------------------------------------------------------- */

static enum hv_qs audit(struct hv_conn *c, const struct hv_principal *by, const char *action,
                        int64_t id, const json_t *change) {
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  char *text = change ? hv_json_dump(change, NULL) : NULL;
  struct hv_audit_event ev = {by->actor, action,           "foia_request",
                              oid,       text ? text : "", text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* Sets the fields `f` gives on the request object `o`, returning what
 * changed as {"field": new value} (new reference). */
static json_t *overlay(json_t *o, const struct hv_foia_fields *f) {
  json_t *change = json_object();
  const struct {
    const char *key, *val;
  } text[] = {{"agency", f->agency},
              {"component", f->component},
              {"subject", f->subject},
              {"records_sought", f->records_sought},
              {"submitted_on", f->submitted_on},
              {"received_on", f->received_on},
              {"expedited_decided_on", f->expedited_decided_on},
              {"status",
               f->status >= 0 && f->status < HV_FST_MAX ? hv_foia_statuses[f->status].code : NULL}};
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
    if (!text[i].val)
      continue;
    json_t *v = json_string(text[i].val);
    if (!json_equal(json_object_get(o, text[i].key), v))
      json_object_set(change, text[i].key, v);
    json_object_set_new(o, text[i].key, v);
  }
  const struct {
    const char *key;
    int val;
  } flags[] = {{"fee_waiver_asked", f->fee_waiver_asked},
               {"fee_waiver_granted", f->fee_waiver_granted},
               {"expedited_asked", f->expedited_asked},
               {"expedited_granted", f->expedited_granted}};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (flags[i].val == HV_FOIA_KEEP)
      continue;
    json_t *v = flags[i].val == HV_FOIA_UNDECIDED ? json_null() : json_boolean(flags[i].val);
    if (!json_equal(json_object_get(o, flags[i].key), v))
      json_object_set(change, flags[i].key, v);
    json_object_set_new(o, flags[i].key, v);
  }
  return change;
}

static struct hv_param text_p(const json_t *o, const char *key) {
  return HV_P_TEXT(json_string_value(json_object_get(o, key)));
}

static struct hv_param flag_p(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_boolean(v) ? HV_P_INT(json_is_true(v)) : HV_P_NULL;
}

struct write_args {
  const struct hv_principal *by;
  const struct hv_foia_fields *f;
  int64_t id, version, current;
  int type, reason;
  const char *day, *note, *number;
  int64_t event_id;
};

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o = json_pack("{s:b, s:b, s:n, s:n, s:s}", "fee_waiver_asked", 0, "expedited_asked", 0,
                        "fee_waiver_granted", "expedited_granted", "status", "drafted");
  json_t *change = overlay(o, w->f);
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {text_p(o, "agency"),
                         HV_P_TEXT(json_string_value(json_object_get(o, "component"))
                                       ? json_string_value(json_object_get(o, "component"))
                                       : ""),
                         text_p(o, "subject"),
                         text_p(o, "records_sought"),
                         text_p(o, "submitted_on"),
                         text_p(o, "received_on"),
                         flag_p(o, "fee_waiver_asked"),
                         flag_p(o, "fee_waiver_granted"),
                         flag_p(o, "expedited_asked"),
                         flag_p(o, "expedited_granted"),
                         text_p(o, "expedited_decided_on"),
                         text_p(o, "status"),
                         HV_P_INT(w->by->user_id),
                         HV_P_INT(now),
                         HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_insert, p, 15, &w->id);
  if (qs > 0)
    qs = audit(c, w->by, "foia.request.create", w->id, change);
  json_decref(change);
  json_decref(o);
  return qs;
}

enum hv_qs hv_foia_create(struct hv_store *s, const struct hv_principal *by,
                          const struct hv_foia_fields *f, int64_t *id) {
  struct write_args w = {.by = by, .f = f};
  enum hv_qs qs = hv_store_tx(s, true, create_tx, &w);
  if (qs > 0)
    *id = w.id;
  return qs;
}

static enum hv_qs update_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o = NULL;
  enum hv_qs qs = read_one(c, w->id, &o);
  if (qs <= 0)
    return qs;
  w->current = json_integer_value(json_object_get(o, "version"));
  if (w->current != w->version) {
    json_decref(o);
    return HV_QS_CONFLICT;
  }
  json_t *change = overlay(o, w->f);
  struct hv_param p[] = {text_p(o, "agency"),
                         text_p(o, "component"),
                         text_p(o, "subject"),
                         text_p(o, "records_sought"),
                         text_p(o, "submitted_on"),
                         text_p(o, "received_on"),
                         flag_p(o, "fee_waiver_asked"),
                         flag_p(o, "fee_waiver_granted"),
                         flag_p(o, "expedited_asked"),
                         flag_p(o, "expedited_granted"),
                         text_p(o, "expedited_decided_on"),
                         text_p(o, "status"),
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(w->id),
                         HV_P_INT(w->version)};
  qs = hv_db_exec(c, &q_update, p, 15);
  if (qs == HV_QS_NONE)
    qs = HV_QS_CONFLICT;
  if (qs > 0)
    qs = audit(c, w->by, "foia.request.update", w->id, change);
  json_decref(change);
  json_decref(o);
  return qs;
}

enum hv_qs hv_foia_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, const struct hv_foia_fields *f, int64_t *current) {
  struct write_args w = {.by = by, .f = f, .id = id, .version = version};
  enum hv_qs qs = hv_store_tx(s, true, update_tx, &w);
  if (current)
    *current = w.current;
  return qs;
}

/* The status of request `id`, or HV_QS_NONE. */
static enum hv_qs exists(struct hv_conn *c, int64_t id, json_t **o) {
  struct hv_param p[] = {HV_P_INT(id)};
  *o = NULL;
  enum hv_qs qs = hv_db_query(c, &q_get, p, 1, one_request, o);
  if (qs < 0 || !*o)
    return qs < 0 ? qs : HV_QS_NONE;
  return HV_QS_ONE;
}

static enum hv_qs event_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o;
  int64_t n = 0;
  enum hv_qs qs = exists(c, w->id, &o);
  if (qs <= 0)
    return qs;
  struct hv_param k[] = {HV_P_INT(w->id)};
  if ((qs = hv_db_int(c, &q_event_count, k, 1, &n)) < 0)
    goto out;
  if (n >= HV_FOIA_EVENTS_ROWS) {
    qs = HV_QS_CONFLICT;
    goto out;
  }
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_INT(w->id),          HV_P_TEXT(hv_foia_event_types[w->type].code),
                         HV_P_TEXT(w->day),        HV_P_TEXT(w->note ? w->note : ""),
                         HV_P_INT(w->by->user_id), HV_P_INT(now)};
  if ((qs = hv_db_int(c, &q_event_add, p, 6, &w->event_id)) <= 0)
    goto out;
  int next = hv_foia_status_after((enum hv_foia_event_type)w->type);
  const char *status =
      next >= 0 ? hv_foia_statuses[next].code : json_string_value(json_object_get(o, "status"));
  struct hv_param b[] = {HV_P_TEXT(status), HV_P_INT(now), HV_P_INT(w->id)};
  if ((qs = hv_db_exec(c, &q_bump, b, 3)) < 0)
    goto out;
  json_t *change = json_pack("{s:s, s:s, s:s, s:s}", "event", hv_foia_event_types[w->type].code,
                             "date", w->day, "note", w->note ? w->note : "", "status", status);
  qs = audit(c, w->by, "foia.event.add", w->id, change);
  json_decref(change);
out:
  json_decref(o);
  return qs;
}

enum hv_qs hv_foia_event_add(struct hv_store *s, const struct hv_principal *by, int64_t id,
                             enum hv_foia_event_type type, const char *day, const char *note,
                             int64_t *event_id) {
  struct write_args w = {.by = by, .id = id, .type = (int)type, .day = day, .note = note};
  enum hv_qs qs = hv_store_tx(s, true, event_tx, &w);
  if (qs > 0 && event_id)
    *event_id = w.event_id;
  return qs;
}

static enum hv_qs tracking_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  json_t *o;
  int64_t n = 0, dup = 0;
  enum hv_qs qs = exists(c, w->id, &o);
  json_decref(o);
  if (qs <= 0)
    return qs;
  struct hv_param k[] = {HV_P_INT(w->id), HV_P_TEXT(w->number)};
  if ((qs = hv_db_int(c, &q_tracking_count, k, 1, &n)) < 0 ||
      (qs = hv_db_int(c, &q_tracking_exists, k, 2, &dup)) < 0)
    return qs;
  if (n >= HV_FOIA_TRACKING_MAX || dup > 0)
    return HV_QS_CONFLICT;
  struct hv_param p[] = {
      HV_P_INT(w->id),   HV_P_TEXT(w->number),     HV_P_TEXT(hv_foia_reasons[w->reason].code),
      HV_P_TEXT(w->day), HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_exec(c, &q_tracking_add, p, 6)) < 0)
    return qs;
  json_t *change = json_pack("{s:s, s:s, s:s?}", "tracking_number", w->number, "reason",
                             hv_foia_reasons[w->reason].code, "assigned_on", w->day);
  qs = audit(c, w->by, "foia.tracking.add", w->id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_foia_tracking_add(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                const char *number, enum hv_foia_reason reason,
                                const char *assigned_on) {
  struct write_args w = {
      .by = by, .id = id, .number = number, .reason = (int)reason, .day = assigned_on};
  return hv_store_tx(s, true, tracking_tx, &w);
}
