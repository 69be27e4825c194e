/* Incident reports over HTTP: quick alerts, full reports, review actions,
 * history, lists with filters. Every text field goes through the narrative
 * scanner on every path before it is stored. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "modules/incidents/attach.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/redact.h"
#include "modules/incidents/search.h"
#include "modules/notify/notify.h"
#include "modules/protocol/protocol.h"
#include "web/api.h"
#include "web/app.h"

/* Collects validation problems as the API's error list. */
struct problems {
  json_t *list;
};

static void add_problem(void *cls, const char *field, const char *message) {
  struct problems *p = cls;
  json_array_append_new(p->list, json_pack("{s:s?, s:s}", "field", field, "message", message));
}

/* 400 with the first problem in the one error format, and all of them. */
static void reply_problems(struct hv_request *rq, json_t *list) {
  json_t *first = json_array_get(list, 0);
  json_t *err = json_pack("{s:s, s:O, s:O, s:O}", "code", "invalid_report", "message",
                          json_object_get(first, "message"), "field",
                          json_object_get(first, "field"), "problems", list);
  hv_reply_json(rq, 400, json_pack("{s:o}", "error", err));
}

static json_t *json_body(struct hv_request *rq) {
  struct hv_jerr e;
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "application/json", 16) != 0) {
    hv_reply_error(rq, 415, "unsupported_media_type", "Send the body as application/json.", NULL);
    return NULL;
  }
  json_t *j = hv_json_parse_object(rq->body, rq->body_len, &e);
  if (!j)
    hv_reply_error(rq, 400, e.code, e.message, NULL);
  return j;
}

/* The Idempotency-Key header (1 to 100 printable ASCII characters) and a
 * hash of the body, so a key reused for another request is caught. */
static int idempotency(struct hv_request *rq, const char **key, char hash[65]) {
  const char *k = hv_header(rq, "Idempotency-Key");
  *key = NULL;
  if (!k)
    return 0;
  size_t n = strlen(k);
  bool ok = n >= 1 && n <= 100;
  for (size_t i = 0; ok && i < n; i++)
    ok = k[i] > 0x20 && k[i] < 0x7f;
  if (!ok) {
    hv_reply_error(rq, 400, "invalid_value",
                   "The Idempotency-Key must be 1 to 100 printable characters.", "Idempotency-Key");
    return -1;
  }
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)(rq->body ? rq->body : ""), rq->body_len,
                     NULL, 0);
  sodium_bin2hex(hash, 65, h, sizeof h);
  *key = k;
  return 0;
}

static void reply_incident(struct hv_request *rq, int status, int64_t id, size_t redacted,
                           json_t *flags) {
  struct hv_app *app = rq->app;
  json_t *o;
  if (hv_incident_get(app->store, id, 0, &o) <= 0) {
    json_decref(flags);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  json_object_set_new(o, "redacted", json_integer((json_int_t)redacted));
  json_object_set_new(o, "flags", flags ? flags : json_array());
  char *loc = hv_arena_printf(rq->arena, "/api/v1/incidents/%lld", (long long)id);
  hv_reply_json(rq, status, o);
  if (status == 201)
    hv_reply_header(rq, "Location", loc);
}

static void reply_write_error(struct hv_request *rq, enum hv_qs qs,
                              const struct hv_incident_write *w, const char *none) {
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", none, NULL);
  else if (qs == HV_QS_CONFLICT && w->refusal)
    hv_reply_error(rq, w->refusal_status,
                   w->refusal_status == 409   ? "conflict"
                   : w->refusal_status == 403 ? "forbidden"
                                              : "refused",
                   w->refusal, NULL);
  else
    hv_reply_store_error(rq, qs);
}

/* --- API ------------------------------------------------------------------ */

static void api_alert(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct problems pr = {json_array()};
  char hash[65];
  size_t found = 0;
  json_t *flags = json_array();
  struct hv_incident_write w;
  memset(&w, 0, sizeof w);
  json_t *alert = json_body(rq);
  if (!alert)
    goto out;
  if (idempotency(rq, &w.idem_key, hash))
    goto out;
  if (hv_alert_check(alert, hv_clock_wall_ms(), add_problem, &pr)) {
    reply_problems(rq, json_incref(pr.list));
    goto out;
  }
  if (hv_alert_redact(alert, &found, flags)) {
    hv_reply_error(rq, 400, "invalid_value", "The note is not valid text.", "note");
    goto out;
  }
  json_t *data = json_pack("{s:O}", "facility_id", json_object_get(alert, "facility_id"));
  json_t *ag = json_object_get(alert, "agencies");
  if (ag)
    json_object_set(data, "agencies", ag);
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.data = data;
  w.alert = alert;
  w.idem_hash = hash;
  w.route = "alerts";
  w.cfg = app->cfg;
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_create(app->store, &w);
  json_decref(data);
  if (qs <= 0) {
    reply_write_error(rq, qs, &w, "There is no such facility in your department.");
    goto out;
  }
  hv_log(HV_LOG_INFO, "quick alert", HV_LS("request_id", rq->id), HV_LS("ref", w.ref),
         HV_LI("replayed", w.replayed));
  if (w.queued_mail)
    hv_sender_poke(app->sender);
  reply_incident(rq, 201, w.new_id, found, flags);
  flags = NULL;
out:
  json_decref(flags);
  json_decref(pr.list);
  json_decref(alert);
}

static void api_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct problems pr = {json_array()};
  char hash[65];
  size_t found = 0;
  json_t *flags = json_array();
  struct hv_incident_write w;
  memset(&w, 0, sizeof w);
  json_t *data = json_body(rq);
  if (!data || idempotency(rq, &w.idem_key, hash))
    goto out;
  if (hv_incident_check(data, false, hv_clock_wall_ms(), add_problem, &pr)) {
    reply_problems(rq, json_incref(pr.list));
    goto out;
  }
  if (!json_object_get(data, "facility_id")) {
    hv_reply_error(rq, 400, "missing_field", "Choose the facility.", "facility_id");
    goto out;
  }
  if (hv_incident_redact(data, &found, flags)) {
    hv_reply_error(rq, 400, "invalid_value", "The text is not valid.", NULL);
    goto out;
  }
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.data = data;
  w.idem_hash = hash;
  w.route = "incidents";
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_create(app->store, &w);
  if (qs <= 0) {
    reply_write_error(rq, qs, &w, "There is no such facility in your department.");
    goto out;
  }
  reply_incident(rq, 201, w.new_id, found, flags);
  flags = NULL;
out:
  json_decref(flags);
  json_decref(pr.list);
  json_decref(data);
}

static void api_get(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *o;
  int64_t scope = hv_policy_department(rq->principal);
  enum hv_qs qs =
      scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, hv_param(rq, "id")->num, scope, &o);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, o);
}

static void api_history(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *o;
  int64_t scope = hv_policy_department(rq->principal);
  enum hv_qs qs =
      scope < 0 ? HV_QS_NONE : hv_incident_history(app->store, hv_param(rq, "id")->num, scope, &o);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "versions", o));
}

static void api_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct problems pr = {json_array()};
  size_t found = 0;
  json_t *flags = json_array();
  struct hv_incident_write w;
  memset(&w, 0, sizeof w);
  json_t *body = json_body(rq);
  if (!body)
    goto out;
  json_t *version = json_object_get(body, "version"), *data = json_object_get(body, "data");
  if (!json_is_integer(version) || !json_is_object(data) || json_object_size(body) != 2) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Send {\"version\": the version you edited, \"data\": the whole report}.",
                   "version");
    goto out;
  }
  if (hv_incident_check(data, false, hv_clock_wall_ms(), add_problem, &pr)) {
    reply_problems(rq, json_incref(pr.list));
    goto out;
  }
  if (!json_object_get(data, "facility_id")) {
    hv_reply_error(rq, 400, "missing_field", "Choose the facility.", "facility_id");
    goto out;
  }
  if (hv_incident_redact(data, &found, flags)) {
    hv_reply_error(rq, 400, "invalid_value", "The text is not valid.", NULL);
    goto out;
  }
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.id = hv_param(rq, "id")->num;
  w.expect_version = (int)json_integer_value(version);
  w.data = data;
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_update(app->store, &w);
  if (qs <= 0) {
    reply_write_error(rq, qs, &w, "There is no such report.");
    goto out;
  }
  reply_incident(rq, 200, w.id, found, flags);
  flags = NULL;
out:
  json_decref(flags);
  json_decref(pr.list);
  json_decref(body);
}

static const char *const action_choices[] = {"submit", "review", "request_info", "verify", "close",
                                             "refer",  NULL};
static const char *const confidence_choices[] = {"confirmed", "probable", "unverified", NULL};

struct action_body {
  int action;
  int64_t version;
  int confidence;
  const char *note;
  bool legal, workgroup;
};

static const struct hv_jfield action_spec[] = {
    {"action", HV_J_ENUM, true, offsetof(struct action_body, action), 0, 0, 0, 0, action_choices},
    {"version", HV_J_INT, true, offsetof(struct action_body, version), 0, 0, 1, 1000000, NULL},
    {"confidence", HV_J_ENUM, false, offsetof(struct action_body, confidence), 0, 0, 0, 0,
     confidence_choices},
    {"note", HV_J_STRING, false, offsetof(struct action_body, note), 0, 500, 0, 0, NULL},
    {"refer_legal", HV_J_BOOL, false, offsetof(struct action_body, legal), 0, 0, 0, 0, NULL},
    {"refer_workgroup", HV_J_BOOL, false, offsetof(struct action_body, workgroup), 0, 0, 0, 0,
     NULL},
};

static void api_action(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct action_body b = {-1, 0, -1, NULL, false, false};
  struct hv_incident_write w;
  struct hv_buf note;
  struct hv_redaction red;
  memset(&w, 0, sizeof w);
  hv_buf_init(&note, 8192);
  json_t *j = hv_api_body(rq, action_spec, 6, &b);
  if (!j)
    goto out;
  if (b.action == HV_ACT_VERIFY && b.confidence < 0) {
    hv_reply_error(rq, 400, "missing_field", "Say how confident the verification is.",
                   "confidence");
    goto out;
  }
  if (b.action == HV_ACT_REQUEST_INFO && (!b.note || !*b.note)) {
    hv_reply_error(rq, 400, "missing_field", "Say what information is needed.", "note");
    goto out;
  }
  if (b.note && hv_redact(b.note, strlen(b.note), &note, &red)) {
    hv_reply_error(rq, 400, "invalid_value", "The note is not valid text.", "note");
    goto out;
  }
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.id = hv_param(rq, "id")->num;
  w.expect_version = (int)b.version;
  w.action = (enum hv_incident_action)b.action;
  w.confidence = b.confidence >= 0 ? confidence_choices[b.confidence] : NULL;
  w.note = note.data;
  w.refer_legal = json_object_get(j, "refer_legal") ? b.legal : -1;
  w.refer_workgroup = json_object_get(j, "refer_workgroup") ? b.workgroup : -1;
  if (w.action == HV_ACT_SUBMIT) {
    /* a report is complete before it is submitted */
    json_t *cur;
    struct problems pr = {json_array()};
    enum hv_qs g = w.scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, w.id, w.scope, &cur);
    if (g <= 0) {
      json_decref(pr.list);
      reply_write_error(rq, g, &w, "There is no such report.");
      goto out;
    }
    int n =
        hv_incident_check(json_object_get(cur, "data"), true, hv_clock_wall_ms(), add_problem, &pr);
    json_decref(cur);
    if (n) {
      reply_problems(rq, pr.list);
      goto out;
    }
    json_decref(pr.list);
  }
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_act(app->store, &w);
  if (qs <= 0) {
    reply_write_error(rq, qs, &w, "There is no such report.");
    goto out;
  }
  reply_incident(rq, 200, w.id, 0, NULL);
out:
  hv_buf_free(&note);
  json_decref(j);
}

/* The query parameters of a list (filters, search, order), so page links
 * (pager, exports, sort) carry the same selection. */
static const char *const filter_names[] = {
    "department_id", "facility_id", "from",       "to", "status", "agency",
    "document_type", "access",      "confidence", "q",  "sort",   NULL};

#define SEARCH_MAX_CHARS 200

static size_t utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Filters from the query string; replies 400 and returns -1 on a bad one.
 * An unknown sort is refused on the API; a page ignores it and says so in
 * *notice (when notice is not NULL). */
static int read_filter(struct hv_request *rq, struct hv_incident_filter *f, const char **notice) {
  memset(f, 0, sizeof *f);
  f->to = INT64_MAX;
  f->limit = 50;
  f->sort = HV_SORT_NEWEST;
  const char *v;
  int64_t page = 1;
  if ((v = hv_query(rq, "department_id")) && *v && hv_parse_i64(v, 1, INT64_MAX, &f->department_id))
    goto bad_dept;
  if ((v = hv_query(rq, "facility_id")) && *v && hv_parse_i64(v, 1, INT64_MAX, &f->facility_id)) {
    hv_reply_error(rq, 400, "invalid_value", "facility_id must be a number.", "facility_id");
    return -1;
  }
  if ((v = hv_query(rq, "from")) && *v && hv_time_local_day_start(v, &f->from)) {
    hv_reply_error(rq, 400, "invalid_value", "Write the date as YYYY-MM-DD.", "from");
    return -1;
  }
  if ((v = hv_query(rq, "to")) && *v) {
    if (hv_time_local_day_start(v, &f->to)) {
      hv_reply_error(rq, 400, "invalid_value", "Write the date as YYYY-MM-DD.", "to");
      return -1;
    }
    f->to += 24 * 3600 * 1000; /* inclusive; a DST day is off by an hour at most */
  }
  struct {
    const char *name;
    enum hv_choice_list list;
    const char **dst;
  } choices[] = {{"status", HV_CH_STATUS, &f->status},
                 {"agency", HV_CH_AGENCY, &f->agency},
                 {"document_type", HV_CH_DOCUMENT, &f->document},
                 {"access", HV_CH_ACCESS, &f->access},
                 {"confidence", HV_CH_CONFIDENCE, &f->confidence}};
  for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
    v = hv_query(rq, choices[i].name);
    if (v && *v && !hv_choice_label(choices[i].list, v)) {
      hv_reply_error(rq, 400, "invalid_value", "Not one of the listed values.", choices[i].name);
      return -1;
    }
    *choices[i].dst = v && *v ? v : NULL;
  }
  v = hv_query(rq, "q");
  if (v && (!hv_utf8_valid(v, strlen(v)) || utf8_chars(v) > SEARCH_MAX_CHARS)) {
    hv_reply_error(rq, 400, "invalid_value", "Search for at most 200 characters of text.", "q");
    return -1;
  }
  f->q = v && *v ? v : NULL;
  if ((v = hv_query(rq, "sort")) && *v) {
    int k = hv_incident_sort_parse(v);
    if (k < 0 && !notice) {
      hv_reply_error(rq, 400, "invalid_value",
                     "sort must be one of newest, oldest, reported_newest, reported_oldest, "
                     "status, reference.",
                     "sort");
      return -1;
    }
    if (k < 0)
      *notice = "That sort order is not one we offer, so the list is sorted newest first.";
    f->sort = k < 0 ? HV_SORT_NEWEST : (enum hv_incident_sort)k;
  }
  if ((v = hv_query(rq, "page")) && *v && hv_parse_i64(v, 1, 100000, &page)) {
    hv_reply_error(rq, 400, "invalid_value", "page must be a number from 1.", "page");
    return -1;
  }
  if ((v = hv_query(rq, "per_page")) && *v && hv_parse_i64(v, 1, 200, &f->limit)) {
    hv_reply_error(rq, 400, "invalid_value", "per_page must be from 1 to 200.", "per_page");
    return -1;
  }
  f->offset = (page - 1) * f->limit;
  return 0;
bad_dept:
  hv_reply_error(rq, 400, "invalid_value", "department_id must be a number.", "department_id");
  return -1;
}

static void api_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_incident_filter f;
  json_t *items;
  int64_t total;
  if (read_filter(rq, &f, NULL))
    return;
  int64_t scope = hv_policy_department(rq->principal);
  if (scope < 0) {
    hv_reply_json(rq, 200,
                  json_pack("{s:[], s:i, s:b, s:i, s:I}", "items", "total", 0, "total_capped", 0,
                            "page", 1, "per_page", (json_int_t)f.limit));
    return;
  }
  enum hv_qs qs = hv_incidents_list(app->store, scope, &f, &items, &total);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  bool capped = total > HV_INCIDENTS_COUNT_CAP; /* "more than 10,000" */
  hv_reply_json(rq, 200,
                json_pack("{s:o, s:I, s:b, s:I, s:I}", "items", items, "total",
                          (json_int_t)(capped ? HV_INCIDENTS_COUNT_CAP : total), "total_capped",
                          capped, "page", (json_int_t)(f.offset / f.limit + 1), "per_page",
                          (json_int_t)f.limit));
}

/* Scans text without saving: the page shows what would be replaced and
 * flagged before the filer confirms. */
static void api_scan(struct hv_request *rq) {
  struct hv_buf out;
  struct hv_redaction r;
  struct {
    const char *text;
  } b = {NULL};
  static const struct hv_jfield spec[] = {{"text", HV_J_STRING, true, 0, 0, 20000, 0, 0, NULL}};
  json_t *j = hv_api_body(rq, spec, 1, &b);
  if (!j)
    return;
  hv_buf_init(&out, 256 * 1024);
  if (hv_redact(b.text, strlen(b.text), &out, &r)) {
    hv_reply_error(rq, 400, "invalid_value", "The text is not valid.", "text");
  } else {
    json_t *found = json_object(), *words = json_array();
    for (int k = 0; k < HV_PII_MAX; k++)
      if (r.found[k])
        json_object_set_new(found, hv_pii_placeholder((enum hv_pii)k),
                            json_integer((json_int_t)r.found[k]));
    for (size_t w = 0; w < r.nwords; w++)
      json_array_append_new(words, json_string(r.words[w]));
    hv_reply_json(rq, 200,
                  json_pack("{s:s, s:o, s:o}", "text", out.data ? out.data : "", "found", found,
                            "flags", words));
  }
  hv_buf_free(&out);
  json_decref(j);
}

#define ALERT HV_PERM_ALERT
#define WRITE HV_PERM_INCIDENT_WRITE
#define READ HV_PERM_INCIDENT_READ
#define EXPORT HV_PERM_INCIDENT_EXPORT

static void api_export(struct hv_request *rq);

const struct hv_route hv_incidents_routes[] = {
    {HV_POST, "/api/v1/alerts", ALERT, HV_R_API | HV_R_CSRF, 8192, api_alert},
    {HV_POST, "/api/v1/incidents/scan", ALERT, HV_R_API | HV_R_CSRF, 65536, api_scan},
    {HV_POST, "/api/v1/incidents", WRITE, HV_R_API | HV_R_CSRF, 65536, api_create},
    {HV_GET, "/api/v1/incidents", READ, HV_R_API, 0, api_list},
    {HV_GET, "/api/v1/incidents/export", EXPORT, HV_R_API, 0, api_export},
    {HV_GET, "/api/v1/incidents/{id:int}", READ, HV_R_API, 0, api_get},
    {HV_PATCH, "/api/v1/incidents/{id:int}", WRITE, HV_R_API | HV_R_CSRF, 65536, api_update},
    {HV_GET, "/api/v1/incidents/{id:int}/history", READ, HV_R_API, 0, api_history},
    {HV_POST, "/api/v1/incidents/{id:int}/actions", WRITE | HV_PERM_INCIDENT_REVIEW,
     HV_R_API | HV_R_CSRF, 8192, api_action},
};
const size_t hv_incidents_nroutes = sizeof hv_incidents_routes / sizeof hv_incidents_routes[0];

/* --- pages ---------------------------------------------------------------- */
/* (registered in hv_incident_pages below, kept apart from the API table) */

#include "modules/registry/registry.h"

static json_t *facility_options(struct hv_request *rq, int64_t selected) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  int64_t total, scope = hv_policy_department(rq->principal);
  if (scope < 0 || hv_facilities_list(app->store, scope, "", 0, 200, &items, &total) < 0)
    return json_array();
  /* the user's own department's facilities first */
  json_t *mine = json_array(), *others = json_array();
  size_t i;
  json_t *f;
  json_array_foreach(items, i, f) {
    json_object_set_new(f, "selected",
                        json_boolean(json_integer_value(json_object_get(f, "id")) == selected));
    json_array_append(json_integer_value(json_object_get(f, "department_id")) ==
                              rq->principal->department_id
                          ? mine
                          : others,
                      f);
  }
  json_array_extend(mine, others);
  json_decref(others);
  json_decref(items);
  return mine;
}

static void alert_page(struct hv_request *rq, int status, json_t *alert, json_t *problems,
                       json_t *sent) {
  unsigned char rnd[16];
  char idem[33];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(idem, sizeof idem, rnd, sizeof rnd);
  int64_t fac = json_integer_value(json_object_get(alert, "facility_id"));
  json_t *fields = hv_alert_form(alert);
  const char *fac_error = hv_form_problems(fields, problems, true);
  hv_page(rq, status, "incident_alert", "Quick alert — Haven",
          json_pack("{s:o, s:o, s:O, s:b, s:s?, s:o, s:s, s:o}", "fields", fields, "facilities",
                    facility_options(rq, fac), "problems", problems ? problems : json_null(),
                    "has_problems", json_array_size(problems) > 0, "facility_error", fac_error,
                    "sent", sent ? sent : json_null(), "idem", idem, "protocol",
                    hv_protocol_context(((struct hv_app *)rq->app)->store, rq->arena)));
  json_decref(problems);
  json_decref(alert);
}

static void page_alert(struct hv_request *rq) { alert_page(rq, 200, json_object(), NULL, NULL); }

static void page_alert_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems pr = {json_array()};
  size_t found = 0;
  struct hv_incident_write w;
  memset(&w, 0, sizeof w);
  if (hv_form_body(rq, &form)) {
    json_decref(pr.list);
    return;
  }
  json_t *alert = hv_alert_from_form(&form);
  if (hv_alert_check(alert, hv_clock_wall_ms(), add_problem, &pr) ||
      hv_alert_redact(alert, &found, NULL)) {
    alert_page(rq, 400, alert, pr.list, NULL);
    return;
  }
  json_decref(pr.list);
  const char *idem = hv_form_get(&form, "idem");
  char hash[65];
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)"alert-form", 10, NULL, 0);
  sodium_bin2hex(hash, sizeof hash, h, sizeof h);
  json_t *data = json_pack("{s:O}", "facility_id", json_object_get(alert, "facility_id"));
  if (json_object_get(alert, "agencies"))
    json_object_set(data, "agencies", json_object_get(alert, "agencies"));
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.data = data;
  w.alert = alert;
  w.idem_key = idem && strlen(idem) == 32 ? hv_arena_printf(rq->arena, "form-%s", idem) : NULL;
  w.idem_hash = hash;
  w.route = "alert-page";
  w.cfg = app->cfg;
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_create(app->store, &w);
  json_decref(data);
  if (qs <= 0) {
    json_t *p = json_array();
    json_array_append_new(
        p,
        json_pack("{s:s, s:s}", "field", "facility_id", "message",
                  qs == HV_QS_NONE
                      ? "Choose one of your department's facilities."
                      : "The alert could not be saved. Please try again, or call your liaison."));
    alert_page(rq, qs == HV_QS_NONE ? 400 : 503, alert, p, NULL);
    return;
  }
  if (w.queued_mail)
    hv_sender_poke(app->sender);
  json_t *o;
  const char *ref = w.ref;
  if (w.replayed && hv_incident_get(app->store, w.new_id, 0, &o) > 0) {
    ref = hv_arena_strdup(rq->arena, json_string_value(json_object_get(o, "ref")));
    json_decref(o);
  }
  alert_page(rq, 201, json_object(), NULL,
             json_pack("{s:s, s:I}", "ref", ref, "id", (json_int_t)w.new_id));
  json_decref(alert);
}

static json_t *choices_json(enum hv_choice_list l, const char *selected) {
  json_t *a = json_array();
  for (const struct hv_choice *c = hv_choices(l); c->code; c++)
    json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", c->code, "label", c->label,
                                       "selected", selected && strcmp(selected, c->code) == 0));
  return a;
}

/* The current selection as a query string ("status=verified&q=..."),
 * without `skip`, for links that keep it (pager, sort, exports). */
static const char *filter_query(struct hv_request *rq, const char *skip) {
  struct hv_buf b;
  hv_buf_init(&b, 8192);
  for (size_t i = 0; filter_names[i]; i++) {
    const char *v = hv_query(rq, filter_names[i]);
    if (!v || !*v || (skip && strcmp(skip, filter_names[i]) == 0))
      continue;
    hv_buf_printf(&b, "%s%s=%s", b.len ? "&" : "", filter_names[i], hv_url_encode(rq->arena, v));
  }
  const char *out = hv_arena_strdup(rq->arena, b.data ? b.data : "");
  hv_buf_free(&b);
  return out;
}

static void page_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_incident_filter f;
  const char *notice = NULL;
  json_t *items;
  int64_t total = 0;
  if (read_filter(rq, &f, &notice))
    return;
  int64_t scope = hv_policy_department(rq->principal);
  if (scope < 0)
    items = json_array();
  else if (hv_incidents_list(app->store, scope, &f, &items, &total) < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char when[64];
    hv_time_format(json_integer_value(json_object_get(it, "started_at")), when, sizeof when);
    json_object_set_new(it, "when", json_string(when));
    json_object_set_new(it, "status_label",
                        json_string(hv_choice_label(
                            HV_CH_STATUS, json_string_value(json_object_get(it, "status")))));
  }
  json_t *sorts = json_array();
  for (int k = 0; k < HV_SORT_MAX; k++)
    json_array_append_new(sorts, json_pack("{s:s, s:s, s:b}", "code",
                                           hv_incident_sort_name((enum hv_incident_sort)k), "label",
                                           hv_incident_sort_label((enum hv_incident_sort)k),
                                           "selected", (int)f.sort == k));
  bool capped = total > HV_INCIDENTS_COUNT_CAP;
  if (capped) /* "more than 10,000": page through what can be counted */
    total = HV_INCIDENTS_COUNT_CAP;
  int64_t page = f.offset / f.limit + 1, pages = total ? (total + f.limit - 1) / f.limit : 1;
  const char *keep = filter_query(rq, NULL);
  const char *sep = *keep ? "&" : "";
  json_t *pager = json_pack("{s:I, s:I}", "page", (json_int_t)page, "pages", (json_int_t)pages);
  if (page > 1)
    json_object_set_new(pager, "prev",
                        json_string(hv_arena_printf(rq->arena, "/incidents?%s%spage=%lld", keep,
                                                    sep, (long long)(page - 1))));
  if (page < pages)
    json_object_set_new(pager, "next",
                        json_string(hv_arena_printf(rq->arena, "/incidents?%s%spage=%lld", keep,
                                                    sep, (long long)(page + 1))));
  json_t *ctx = json_pack(
      "{s:o, s:I, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:b, s:s?, s:o}", "items", items,
      "total", (json_int_t)total, "total_capped", capped, "statuses", choices_json(HV_CH_STATUS, f.status), "agencies",
      choices_json(HV_CH_AGENCY, f.agency), "documents", choices_json(HV_CH_DOCUMENT, f.document),
      "accesses", choices_json(HV_CH_ACCESS, f.access), "confidences",
      choices_json(HV_CH_CONFIDENCE, f.confidence), "sorts", sorts, "q", f.q ? f.q : "", "from",
      hv_query(rq, "from") ? hv_query(rq, "from") : "", "to",
      hv_query(rq, "to") ? hv_query(rq, "to") : "", "can_write",
      (rq->roles & HV_PERM_INCIDENT_WRITE) != 0, "notice", notice, "pager", pager);
  if (rq->roles & HV_PERM_INCIDENT_EXPORT)
    json_object_set_new(
        ctx, "export",
        json_pack(
            "{s:s, s:s}", "csv",
            hv_arena_printf(rq->arena, "/incidents/export.csv%s%s", *keep ? "?" : "", keep), "json",
            hv_arena_printf(rq->arena, "/incidents/export.json%s%s", *keep ? "?" : "", keep)));
  hv_page(rq, 200, "incidents", "Incident reports — Haven", ctx);
}

/* --- exports --------------------------------------------------------------- */

#define EXPORT_MAX_ROWS 100000
#define EXPORT_MAX_BYTES (128u << 20)

struct export_ctx {
  struct hv_export x;
  bool full; /* the buffer reached its cap */
};

static int export_each(void *cls, const json_t *incident) {
  struct export_ctx *e = cls;
  if (hv_export_row(&e->x, incident)) {
    e->full = true;
    return 1;
  }
  return 0;
}

/* The export's record for the audit log: a summary people read in the
 * log (format, rows, columns, filters; the search words only counted) and
 * the whole request, search text included, committed to. */
static void export_audit_text(struct hv_request *rq, const struct hv_incident_filter *f,
                              enum hv_export_format fmt, size_t rows, bool content,
                              const char **summary, char **detail) {
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  hv_buf_printf(&b, "%s rows=%zu columns=%s sort=%s", fmt == HV_EXPORT_CSV ? "csv" : "json", rows,
                content ? "all" : "facts", hv_incident_sort_name(f->sort));
  json_t *d = json_pack("{s:s, s:I, s:s, s:s}", "format", fmt == HV_EXPORT_CSV ? "csv" : "json",
                        "rows", (json_int_t)rows, "columns", content ? "all" : "facts", "sort",
                        hv_incident_sort_name(f->sort));
  for (size_t i = 0; filter_names[i]; i++) {
    const char *v = hv_query(rq, filter_names[i]);
    if (!v || !*v || strcmp(filter_names[i], "sort") == 0)
      continue;
    json_object_set_new(d, filter_names[i], json_string(v));
    if (strcmp(filter_names[i], "q") == 0) {
      char words[HV_SEARCH_QUERY_MAX];
      hv_buf_printf(&b, " q=%d-words", hv_search_fts5(v, words, sizeof words));
    } else {
      hv_buf_printf(&b, " %s=%s", filter_names[i], v); /* validated numbers, dates and codes */
    }
  }
  *summary = hv_arena_strdup(rq->arena, b.data ? b.data : "");
  hv_buf_free(&b);
  *detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(d);
}

static void export_list(struct hv_request *rq, enum hv_export_format fmt) {
  struct hv_app *app = rq->app;
  struct hv_incident_filter f;
  struct export_ctx e;
  struct hv_buf out;
  int64_t total = 0;
  if (read_filter(rq, &f, NULL))
    return;
  int64_t scope = hv_policy_department(rq->principal);
  hv_buf_init(&out, EXPORT_MAX_BYTES);
  memset(&e, 0, sizeof e);
  if (hv_export_begin(&e.x, fmt, rq->roles, &out)) {
    hv_buf_free(&out);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  enum hv_qs qs =
      hv_incidents_export(app->store, scope, &f, EXPORT_MAX_ROWS, &total, export_each, &e);
  if (qs < 0) {
    hv_buf_free(&out);
    hv_reply_store_error(rq, qs);
    return;
  }
  if (total > EXPORT_MAX_ROWS || e.full || hv_export_end(&e.x)) {
    hv_buf_free(&out);
    const char *msg = total > EXPORT_MAX_ROWS
                          ? hv_arena_printf(rq->arena,
                                            "These filters select more than %d reports, the most "
                                            "an export holds. Narrow the dates or choose a "
                                            "department.",
                                            EXPORT_MAX_ROWS)
                          : "This export would be too large to send in one file. Narrow the dates "
                            "or choose a department.";
    hv_reply_error(rq, 422, "export_too_large", msg, NULL);
    return;
  }
  const char *summary;
  char *detail;
  bool content = (rq->roles & HV_PERM_INCIDENT_EXPORT_CONTENT) != 0;
  export_audit_text(rq, &f, fmt, e.x.rows, content, &summary, &detail);
  qs = hv_incidents_export_audit(app->store, rq->principal->actor, summary, detail);
  free(detail);
  if (qs < 0) { /* nothing leaves unrecorded */
    hv_buf_free(&out);
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_log(HV_LOG_INFO, "incident export", HV_LS("request_id", rq->id), HV_LS("summary", summary));
  char day[40];
  hv_time_format_iso(hv_clock_wall_ms(), day, sizeof day);
  day[10] = '\0';
  size_t len;
  char *body = hv_buf_steal(&out, &len);
  hv_reply_text(rq, 200,
                fmt == HV_EXPORT_CSV ? "text/csv; charset=utf-8; header=present"
                                     : "application/json; charset=utf-8",
                body ? body : "", body ? len : 0, body != NULL);
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "attachment; filename=\"haven-incidents-%s.%s\"", day,
                                  fmt == HV_EXPORT_CSV ? "csv" : "json"));
  hv_reply_header(rq, "X-Export-Rows", hv_arena_printf(rq->arena, "%zu", e.x.rows));
  hv_reply_header(rq, "X-Export-Max-Rows", hv_arena_printf(rq->arena, "%d", EXPORT_MAX_ROWS));
}

static void api_export(struct hv_request *rq) {
  const char *v = hv_query(rq, "format");
  if (v && strcmp(v, "csv") == 0)
    export_list(rq, HV_EXPORT_CSV);
  else if (v && strcmp(v, "json") == 0)
    export_list(rq, HV_EXPORT_JSON);
  else
    hv_reply_error(rq, 400, "invalid_value", "format must be csv or json.", "format");
}

static void page_export_csv(struct hv_request *rq) { export_list(rq, HV_EXPORT_CSV); }
static void page_export_json(struct hv_request *rq) { export_list(rq, HV_EXPORT_JSON); }

static void view_page(struct hv_request *rq, int status, int64_t id, const char *notice,
                      json_t *problems) {
  struct hv_app *app = rq->app;
  json_t *o, *history;
  int64_t scope = hv_policy_department(rq->principal);
  enum hv_qs qs = scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, id, scope, &o);
  if (qs <= 0) {
    json_decref(problems);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  if (hv_incident_history(app->store, id, scope, &history) <= 0)
    history = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(history, i, v) {
    char when[64];
    hv_time_format(json_integer_value(json_object_get(v, "changed_at")), when, sizeof when);
    json_object_set_new(v, "when", json_string(when));
  }
  hv_incident_changes_view(history);
  hv_alert_view(json_object_get(o, "alert"));
  const char *st = json_string_value(json_object_get(o, "status"));
  bool moia = (rq->roles & (HV_ROLE_BIT(HV_ROLE_MOIA) | HV_ROLE_BIT(HV_ROLE_ADMIN))) != 0;
  bool writer = (rq->roles & HV_PERM_INCIDENT_WRITE) != 0;
  bool own = json_integer_value(json_object_get(o, "filed_by")) == rq->principal->user_id;
  int s = hv_status_parse(st);
  char when[64];
  hv_time_format(json_integer_value(json_object_get(o, "started_at")), when, sizeof when);
  json_t *ctx =
      json_pack("{s:o, s:o, s:o, s:s, s:s, s:s?, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:o}",
                "incident", o, "fields", hv_incident_form(json_object_get(o, "data")), "history",
                history, "when", when, "status_label", hv_choice_label(HV_CH_STATUS, st), "notice",
                notice, "problems", problems ? problems : json_null(), "can_edit",
                writer && (s == HV_ST_DRAFT || s == HV_ST_NEEDS_INFO ||
                           (moia && s != HV_ST_VERIFIED && s != HV_ST_CLOSED)),
                "can_submit", writer && (s == HV_ST_DRAFT || s == HV_ST_NEEDS_INFO), "can_review",
                moia && s == HV_ST_SUBMITTED, "can_verify",
                moia && !own && (s == HV_ST_SUBMITTED || s == HV_ST_IN_REVIEW), "can_close",
                moia && s != HV_ST_DRAFT && s != HV_ST_CLOSED, "can_refer",
                (rq->roles & HV_PERM_INCIDENT_REVIEW) != 0, "confidences",
                choices_json(HV_CH_CONFIDENCE, NULL));
  const char *title =
      hv_arena_printf(rq->arena, "%s — Haven", json_string_value(json_object_get(o, "ref")));
  hv_attachments_page_ctx(rq, o, ctx);
  hv_page(rq, status, "incident", title, ctx);
}

void hv_incident_page(struct hv_request *rq, int status, int64_t id, const char *notice,
                      json_t *problems) {
  view_page(rq, status, id, notice, problems);
}

/* The report's fields as label and text, for reading and printing:
 * choices by their labels, yes/no in words, empty fields left out. */
static json_t *field_rows(const json_t *data) {
  json_t *rows = json_array(), *fields = hv_incident_form(data);
  size_t i, k;
  json_t *f, *opt;
  json_array_foreach(fields, i, f) {
    const char *label = json_string_value(json_object_get(f, "label"));
    json_t *v = json_object_get(f, "value"), *options = json_object_get(f, "options");
    char text[512] = "";
    if (json_is_string(v) && !options) {
      json_array_append_new(rows, json_pack("{s:s, s:O}", "label", label, "value", v));
      continue;
    }
    if (json_is_true(json_object_get(f, "yes")))
      snprintf(text, sizeof text, "Yes");
    else if (json_is_true(json_object_get(f, "no")))
      snprintf(text, sizeof text, "No");
    json_array_foreach(options, k, opt) {
      if (!json_is_true(json_object_get(opt, "selected")))
        continue;
      size_t n = strlen(text);
      snprintf(text + n, sizeof text - n, "%s%s", n ? "; " : "",
               json_string_value(json_object_get(opt, "label")));
    }
    if (text[0])
      json_array_append_new(rows, json_pack("{s:s, s:s}", "label", label, "value", text));
  }
  json_decref(fields);
  /* notifications are not in the form (API only): who, and when */
  json_t *n = json_object_get(data, "notifications");
  if (json_array_size(n)) {
    struct hv_buf b;
    hv_buf_init(&b, 4096);
    json_array_foreach(n, i, f) {
      const char *who =
          hv_choice_label(HV_CH_NOTIFIED, json_string_value(json_object_get(f, "who")));
      hv_buf_printf(&b, "%s%s at %s", i ? "; " : "", who ? who : "?",
                    json_string_value(json_object_get(f, "at"))
                        ? json_string_value(json_object_get(f, "at"))
                        : "");
    }
    json_array_append_new(rows, json_pack("{s:s, s:s}", "label", "Who was told, and when", "value",
                                          b.data ? b.data : ""));
    hv_buf_free(&b);
  }
  return rows;
}

static json_t *when_or_null(const json_t *ms) {
  char when[64];
  if (!json_is_integer(ms))
    return json_null();
  hv_time_format(json_integer_value(ms), when, sizeof when);
  return json_string(when);
}

/* A printable view of one report: every field, status, verification,
 * referrals and the history summary, laid out for paper (app.css,
 * @media print). Same read rules as the report page. */
static void page_print(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *o, *history;
  int64_t id = hv_param(rq, "id")->num;
  int64_t scope = hv_policy_department(rq->principal);
  enum hv_qs qs = scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, id, scope, &o);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  if (hv_incident_history(app->store, id, scope, &history) <= 0)
    history = json_array();
  json_t *verification = json_null(), *referrals = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(history, i, v) {
    char when[64];
    hv_time_format(json_integer_value(json_object_get(v, "changed_at")), when, sizeof when);
    json_object_set_new(v, "when", json_string(when));
    json_object_set_new(v, "nchanges",
                        json_integer((json_int_t)json_array_size(json_object_get(v, "changes"))));
    const char *action = json_string_value(json_object_get(v, "action"));
    if (action && strcmp(action, "verify") == 0) {
      json_decref(verification);
      verification = json_pack("{s:O, s:s, s:O}", "by", json_object_get(v, "changed_by_name"),
                               "when", when, "note", json_object_get(v, "note"));
    } else if (action && strcmp(action, "refer") == 0) {
      json_array_append_new(referrals, json_pack("{s:O, s:s, s:O}", "by",
                                                 json_object_get(v, "changed_by_name"), "when",
                                                 when, "note", json_object_get(v, "note")));
    }
  }
  const json_t *alert = json_object_get(o, "alert");
  json_t *alert_view = json_null();
  if (json_is_object(alert))
    alert_view = json_pack(
        "{s:s?, s:b, s:O?}", "happening",
        hv_choice_label(HV_CH_HAPPENING, json_string_value(json_object_get(alert, "happening"))),
        "entry_requested", json_is_true(json_object_get(alert, "entry_requested")), "note",
        json_object_get(alert, "note"));
  const char *st = json_string_value(json_object_get(o, "status"));
  const char *conf = json_string_value(json_object_get(o, "confidence"));
  char printed[64];
  hv_time_format(hv_clock_wall_ms(), printed, sizeof printed);
  json_t *ctx = json_pack(
      "{s:O, s:o, s:o, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "incident", o,
      "rows", field_rows(json_object_get(o, "data")), "history", history, "status_label",
      hv_choice_label(HV_CH_STATUS, st), "confidence_label",
      hv_choice_label(HV_CH_CONFIDENCE, conf), "started",
      when_or_null(json_object_get(o, "started_at")), "ended",
      when_or_null(json_object_get(o, "ended_at")), "reported",
      when_or_null(json_object_get(o, "reported_at")), "submitted",
      when_or_null(json_object_get(o, "submitted_at")), "verification", verification, "referrals",
      referrals, "alert_view", alert_view, "printed", printed, "printed_by", rq->principal->name);
  const char *title = hv_arena_printf(rq->arena, "%s (printable) — Haven",
                                      json_string_value(json_object_get(o, "ref")));
  json_decref(o);
  hv_page(rq, 200, "incident_print", title, ctx);
}

static void page_view(struct hv_request *rq) {
  view_page(rq, 200, hv_param(rq, "id")->num,
            hv_query(rq, "attached") ? "The file was attached to the report." : NULL, NULL);
}

/* `preview` (stolen, or NULL): what the scanner flagged ("flags") and
 * replaced ("found"), shown before the filer confirms. */
static void edit_page(struct hv_request *rq, int status, int64_t id, int version, json_t *data,
                      json_t *problems, json_t *preview) {
  int64_t fac = json_integer_value(json_object_get(data, "facility_id"));
  json_t *fields = hv_incident_form(data);
  const char *fac_error = hv_form_problems(fields, problems, true);
  hv_form_problems(fields, json_object_get(preview, "flags"), false);
  hv_page(rq, status, "incident_edit", id ? "Edit report — Haven" : "New report — Haven",
          json_pack("{s:I, s:i, s:o, s:o, s:O, s:b, s:s?, s:o, s:b}", "id", (json_int_t)id, "version", version,
                    "fields", fields, "facilities", facility_options(rq, fac),
                    "problems", problems ? problems : json_null(), "has_problems",
                    json_array_size(problems) > 0, "facility_error", fac_error,
                    "preview", preview ? preview : json_null(), "is_new", id == 0));
  json_decref(problems);
  json_decref(data);
}

static void page_new(struct hv_request *rq) { edit_page(rq, 200, 0, 0, json_object(), NULL, NULL); }

static void page_edit(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *o;
  int64_t scope = hv_policy_department(rq->principal);
  enum hv_qs qs =
      scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, hv_param(rq, "id")->num, scope, &o);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  json_t *data = json_incref(json_object_get(o, "data"));
  json_object_set(data, "facility_id", json_object_get(o, "facility_id"));
  edit_page(rq, 200, hv_param(rq, "id")->num,
            (int)json_integer_value(json_object_get(o, "version")), data, NULL, NULL);
  json_decref(o);
}

/* Saves the full form: new (id 0) or an edit of `version`. When the
 * scanner flags status words and the filer has not confirmed, the form
 * comes back showing them first. */
static void save_form(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems pr = {json_array()};
  size_t found = 0;
  json_t *flags = json_array();
  struct hv_incident_write w;
  memset(&w, 0, sizeof w);
  if (hv_form_body(rq, &form)) {
    json_decref(pr.list);
    json_decref(flags);
    return;
  }
  json_t *data = hv_incident_from_form(&form);
  const char *fac = hv_form_get(&form, "facility_id");
  int64_t facility = 0;
  if (fac && *fac && hv_parse_i64(fac, 1, INT64_MAX, &facility) == 0)
    json_object_set_new(data, "facility_id", json_integer(facility));
  int64_t version = 0;
  const char *v = hv_form_get(&form, "version");
  if (id && (!v || hv_parse_i64(v, 1, 1000000, &version))) {
    hv_reply_error(rq, 400, "invalid_form", "The form is missing its version.", NULL);
    goto done;
  }
  if (!facility)
    add_problem(&pr, "facility_id", "Choose the facility.");
  if (hv_incident_check(data, false, hv_clock_wall_ms(), add_problem, &pr) ||
      json_array_size(pr.list)) {
    edit_page(rq, 400, id, (int)version, data, pr.list, NULL);
    pr.list = NULL;
    data = NULL;
    goto done;
  }
  json_t *typed = json_deep_copy(data);
  if (hv_incident_redact(data, &found, flags)) {
    json_decref(typed);
    hv_reply_error(rq, 400, "invalid_form", "The text is not valid.", NULL);
    goto done;
  }
  const char *confirm = hv_form_get(&form, "confirm");
  bool replaced = !json_equal(typed, data);
  if ((json_array_size(flags) || replaced) && !(confirm && strcmp(confirm, "yes") == 0)) {
    /* show what the scanner found; the filer rewrites or confirms */
    edit_page(rq, 422, id, (int)version, data, NULL,
              json_pack("{s:o, s:o}", "flags", flags, "found", hv_incident_found(typed)));
    json_decref(typed);
    flags = NULL;
    data = NULL;
    goto done;
  }
  json_decref(typed);
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.data = data;
  enum hv_qs qs;
  if (id) {
    w.id = id;
    w.expect_version = (int)version;
    qs = w.scope < 0 ? HV_QS_NONE : hv_incident_update(app->store, &w);
  } else {
    char hash[65] = "form";
    const char *idem = hv_form_get(&form, "idem");
    w.idem_key = idem && strlen(idem) == 32 ? hv_arena_printf(rq->arena, "form-%s", idem) : NULL;
    w.idem_hash = hash;
    w.route = "incident-page";
    qs = w.scope < 0 ? HV_QS_NONE : hv_incident_create(app->store, &w);
    id = w.new_id;
  }
  if (qs <= 0) {
    json_t *p = json_array();
    json_array_append_new(p, json_pack("{s:s?, s:s}", "field",
                                       qs == HV_QS_NONE || w.refusal_status == 422 ? "facility_id" : NULL, "message",
                                       w.refusal ? w.refusal
                                       : qs == HV_QS_NONE
                                           ? "Choose one of your department's facilities."
                                           : "The database did not answer. Nothing was saved."));
    edit_page(rq,
              w.refusal_status   ? w.refusal_status
              : qs == HV_QS_NONE ? 400
                                 : 503,
              id ? w.id : 0, (int)version, data, p, NULL);
    data = NULL;
    goto done;
  }
  hv_reply_redirect(
      rq, 303,
      hv_arena_printf(rq->arena, "/incidents/%lld%s", (long long)id, found ? "?redacted=1" : ""));
done:
  json_decref(data);
  json_decref(flags);
  json_decref(pr.list);
}

static void page_create(struct hv_request *rq) { save_form(rq, 0); }
static void page_save(struct hv_request *rq) { save_form(rq, hv_param(rq, "id")->num); }

static void page_action(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_incident_write w;
  struct hv_buf note;
  struct hv_redaction red;
  int64_t id = hv_param(rq, "id")->num, version = 0;
  memset(&w, 0, sizeof w);
  if (hv_form_body(rq, &form))
    return;
  const char *a = hv_form_get(&form, "action"), *v = hv_form_get(&form, "version");
  const char *conf = hv_form_get(&form, "confidence"), *n = hv_form_get(&form, "note");
  int act = -1;
  for (int i = 0; a && action_choices[i]; i++)
    if (strcmp(a, action_choices[i]) == 0)
      act = i;
  if (act < 0 || !v || hv_parse_i64(v, 1, 1000000, &version)) {
    hv_reply_error(rq, 400, "invalid_form", "Unknown action.", NULL);
    return;
  }
  json_t *problems = json_array();
  if (act == HV_ACT_VERIFY && (!conf || !hv_choice_label(HV_CH_CONFIDENCE, conf)))
    json_array_append_new(problems, json_pack("{s:s, s:s}", "field", "confidence", "message",
                                              "Say how confident the verification is."));
  if (act == HV_ACT_REQUEST_INFO && (!n || !*n))
    json_array_append_new(problems, json_pack("{s:s, s:s}", "field", "note", "message",
                                              "Say what information is needed."));
  if (n && strlen(n) > 2000)
    json_array_append_new(problems, json_pack("{s:s, s:s}", "field", "note", "message",
                                              "Keep the note under 500 characters."));
  if (json_array_size(problems)) {
    view_page(rq, 400, id, NULL, problems);
    return;
  }
  hv_buf_init(&note, 8192);
  if (n && hv_redact(n, strlen(n), &note, &red)) {
    hv_buf_free(&note);
    json_array_append_new(problems, json_pack("{s:s, s:s}", "field", "note", "message",
                                              "The note is not valid text."));
    view_page(rq, 400, id, NULL, problems);
    return;
  }
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.id = id;
  w.expect_version = (int)version;
  w.action = (enum hv_incident_action)act;
  w.confidence = conf;
  w.note = note.data;
  w.refer_legal = act == HV_ACT_REFER ? hv_form_get(&form, "refer_legal") != NULL : -1;
  w.refer_workgroup = act == HV_ACT_REFER ? hv_form_get(&form, "refer_workgroup") != NULL : -1;
  if (act == HV_ACT_SUBMIT) {
    json_t *cur;
    enum hv_qs g = w.scope < 0 ? HV_QS_NONE : hv_incident_get(app->store, id, w.scope, &cur);
    if (g > 0) {
      struct problems pr = {problems};
      int bad = hv_incident_check(json_object_get(cur, "data"), true, hv_clock_wall_ms(),
                                  add_problem, &pr);
      json_decref(cur);
      if (bad) {
        hv_buf_free(&note);
        view_page(rq, 400, id,
                  "The report is not complete yet: fill in what is listed, then submit.", problems);
        return;
      }
    }
  }
  enum hv_qs qs = w.scope < 0 ? HV_QS_NONE : hv_incident_act(app->store, &w);
  hv_buf_free(&note);
  if (qs == HV_QS_NONE) {
    json_decref(problems);
    hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
    return;
  }
  if (qs < 0) {
    json_array_append_new(
        problems,
        json_pack("{s:s?, s:s}", "field", NULL, "message",
                  w.refusal ? w.refusal : "The database did not answer. Nothing was changed."));
    view_page(rq, w.refusal_status ? w.refusal_status : 503, id, NULL, problems);
    return;
  }
  json_decref(problems);
  hv_reply_redirect(rq, 303, hv_arena_printf(rq->arena, "/incidents/%lld", (long long)id));
}

const struct hv_route hv_incident_pages[] = {
    {HV_GET, "/alert", ALERT, 0, 0, page_alert},
    {HV_POST, "/alert", ALERT, HV_R_CSRF, 8192, page_alert_post},
    {HV_GET, "/incidents", READ, 0, 0, page_list},
    {HV_GET, "/incidents/new", WRITE, 0, 0, page_new},
    {HV_POST, "/incidents", WRITE, HV_R_CSRF, 65536, page_create},
    {HV_GET, "/incidents/export.csv", EXPORT, 0, 0, page_export_csv},
    {HV_GET, "/incidents/export.json", EXPORT, 0, 0, page_export_json},
    {HV_GET, "/incidents/{id:int}", READ, 0, 0, page_view},
    {HV_GET, "/incidents/{id:int}/print", READ, 0, 0, page_print},
    {HV_GET, "/incidents/{id:int}/edit", WRITE, 0, 0, page_edit},
    {HV_POST, "/incidents/{id:int}", WRITE, HV_R_CSRF, 65536, page_save},
    {HV_POST, "/incidents/{id:int}/actions", WRITE | HV_PERM_INCIDENT_REVIEW, HV_R_CSRF, 8192,
     page_action},
};
const size_t hv_incident_npages = sizeof hv_incident_pages / sizeof hv_incident_pages[0];
