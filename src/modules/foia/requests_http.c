/* The FOIA request tracker's API (MOIA, legal, admin):
 *
 *   GET   /api/v1/foia/requests                         open ones (?all=1: every one), next
 * deadline POST  /api/v1/foia/requests                         create GET
 * /api/v1/foia/requests/{id}                    with timeline and computed deadlines PATCH
 * /api/v1/foia/requests/{id}                    {"version", fields...}: 409 when stale POST
 * /api/v1/foia/requests/{id}/events             {"type", "date", "note"} POST
 * /api/v1/foia/requests/{id}/tracking-numbers   {"number", "reason", "assigned_on"}
 *
 * Deadlines are computed here on every read from the timeline and the
 * federal calendar's closures (deadline.c), with "today" the city's date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "modules/foia/deadline.h"
#include "modules/foia/documents.h"
#include "modules/foia/foia.h"
#include "modules/foia/requests.h"
#include "web/api.h"
#include "web/app.h"

/* The city's date now. */
hv_day hv_foia_today(void) {
  char iso[40];
  hv_day d = 0;
  hv_time_format_iso(hv_clock_wall_ms(), iso, sizeof iso);
  iso[10] = '\0';
  return hv_day_parse(iso, &d) == 0 ? d : 0;
}

static hv_day day_of(const json_t *v) {
  hv_day d;
  return json_is_string(v) && hv_day_parse(json_string_value(v), &d) == 0 ? d : HV_NO_DAY;
}

static json_t *day_json(hv_day d) {
  char s[11];
  if (d == HV_NO_DAY)
    return json_null();
  hv_day_format(d, s);
  return json_string(s);
}

static json_t *explanation(const struct hv_deadline *dl) {
  json_t *skipped = json_array(), *pauses = json_array(), *ext = json_array(),
         *notes = json_array();
  for (size_t i = 0; i < dl->n_skipped && i < HV_DL_SKIPPED_MAX; i++)
    json_array_append_new(skipped, json_pack("{s:o, s:s}", "date", day_json(dl->skipped[i].day),
                                             "reason", dl->skipped[i].reason));
  for (size_t i = 0; i < dl->n_pauses; i++)
    json_array_append_new(pauses,
                          json_pack("{s:s, s:o, s:o, s:i}", "kind",
                                    dl->pauses[i].fee ? "fee" : "clarification", "from",
                                    day_json(dl->pauses[i].from), "to", day_json(dl->pauses[i].to),
                                    "working_days", dl->pauses[i].days));
  for (size_t i = 0; i < dl->n_extensions; i++)
    json_array_append_new(
        ext, json_pack("{s:o, s:i, s:o, s:o}", "on", day_json(dl->extensions[i].on), "working_days",
                       dl->extensions[i].days, "due_before", day_json(dl->extensions[i].due_before),
                       "due_after", day_json(dl->extensions[i].due_after)));
  for (size_t i = 0; i < dl->n_notes; i++)
    json_array_append_new(notes, json_string(dl->notes[i]));
  return json_pack("{s:o, s:o, s:i, s:s, s:i, s:I, s:o, s:o, s:o, s:o}", "start",
                   day_json(dl->start), "counting_from",
                   day_json(dl->start == HV_NO_DAY ? HV_NO_DAY : dl->start + 1), "days", dl->days,
                   "unit", dl->working_days ? "working days" : "calendar days", "weekend_days",
                   dl->weekend_days, "holidays_total", (json_int_t)dl->n_skipped, "skipped",
                   skipped, "pauses", pauses, "extensions", ext, "notes", notes);
}

static const char *offset_name(int min) {
  switch (min) {
  case -240:
    return "EDT";
  case -300:
    return "EST";
  case -420:
    return "PDT";
  case -480:
    return "PST";
  default:
    return "";
  }
}

static json_t *deadline_json(const struct hv_deadline *dl) {
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:o}", "kind", hv_deadline_code(dl->kind), "name",
      hv_deadline_name(dl->kind), "status", hv_deadline_status_code(dl->status), "due",
      day_json(dl->due), "unit", dl->working_days ? "working days" : "calendar days", "met_on",
      day_json(dl->met_on), "met_late", dl->met_late, "explanation", explanation(dl));
  if (dl->status != HV_DLS_NOT_APPLICABLE && dl->status != HV_DLS_MET)
    json_object_set_new(o, "days_left", json_integer(dl->left));
  else
    json_object_set_new(o, "days_left", json_null());
  if (dl->kind == HV_DL_APPEAL_WINDOW && dl->due != HV_NO_DAY) {
    char utc[20], east[20], la[20], e[32], l[32];
    hv_format_wall(dl->cutoff_utc_ms, 0, utc);
    hv_format_wall(dl->cutoff_utc_ms, dl->eastern_offset_min, east);
    hv_format_wall(dl->cutoff_utc_ms, dl->pacific_offset_min, la);
    snprintf(e, sizeof e, "%s %s", east, offset_name(dl->eastern_offset_min));
    snprintf(l, sizeof l, "%s %s", la, offset_name(dl->pacific_offset_min));
    json_object_set_new(o, "electronic_cutoff",
                        json_pack("{s:s, s:s, s:s}", "utc", utc, "eastern", e, "los_angeles", l));
  }
  return o;
}

void hv_foia_compute(const json_t *r, const struct hv_closures *cl, hv_day now,
                     struct hv_foia_deadlines *out) {
  static _Thread_local struct hv_foia_event ev[HV_FOIA_EVENTS_MAX];
  size_t n = 0, i;
  json_t *e;
  json_array_foreach(json_object_get(r, "events"), i, e) {
    int t = hv_foia_choice_find(hv_foia_event_types, HV_FEV_MAX,
                                json_string_value(json_object_get(e, "type")));
    hv_day d = day_of(json_object_get(e, "date"));
    if (t >= 0 && d != HV_NO_DAY && n < HV_FOIA_EVENTS_MAX)
      ev[n++] = (struct hv_foia_event){(enum hv_foia_event_type)t, d};
  }
  struct hv_foia_clock_in in = {HV_CAL_FEDERAL,
                                day_of(json_object_get(r, "received_on")),
                                json_is_true(json_object_get(r, "expedited_asked")),
                                day_of(json_object_get(r, "expedited_decided_on")),
                                ev,
                                n,
                                cl->items,
                                cl->n,
                                now};
  hv_foia_deadlines(&in, out);
}

/* Computes the deadlines of request `r` (its "events" read) and sets
 * "deadlines" (all, when `all`) and "next_deadline" on it. */
static void add_deadlines(json_t *r, const struct hv_closures *cl, hv_day now, bool all) {
  struct hv_foia_deadlines out;
  hv_foia_compute(r, cl, now, &out);
  if (all) {
    json_t *list = json_array();
    for (int k = 0; k < HV_DL_MAX; k++)
      json_array_append_new(list, deadline_json(&out.d[k]));
    json_object_set_new(r, "deadlines", list);
  }
  int next = hv_foia_next_deadline(&out);
  json_object_set_new(r, "next_deadline", next < 0 ? json_null() : deadline_json(&out.d[next]));
}

/* The request `id` with its deadlines (new reference), or NULL after
 * replying. */
json_t *hv_foia_request_view(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *r = NULL;
  struct hv_closures *cl = NULL;
  enum hv_qs qs = hv_foia_get(app->store, id, &r);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
    return NULL;
  }
  if (qs < 0 || hv_closures_load(app->store, HV_CAL_FEDERAL, &cl) < 0) {
    json_decref(r);
    hv_reply_store_error(rq, HV_QS_HARD);
    return NULL;
  }
  add_deadlines(r, cl, hv_foia_today(), true);
  free(cl);
  json_object_set_new(r, "release_summary",
                      hv_foia_release_summary(json_object_get(r, "documents")));
  return r;
}

/* The requests (open ones unless `all`) with their next deadline, overdue
 * first, then by due date (new reference), or NULL after replying. */
static int board_order(const void *a, const void *b) {
  const json_t *x = json_object_get(*(json_t *const *)a, "next_deadline");
  const json_t *y = json_object_get(*(json_t *const *)b, "next_deadline");
  const char *sx = json_string_value(json_object_get(x, "status"));
  const char *sy = json_string_value(json_object_get(y, "status"));
  int rx = !sx ? 3 : !strcmp(sx, "overdue") ? 0 : !strcmp(sx, "open") ? 1 : 2;
  int ry = !sy ? 3 : !strcmp(sy, "overdue") ? 0 : !strcmp(sy, "open") ? 1 : 2;
  if (rx != ry)
    return rx - ry;
  const char *dx = json_string_value(json_object_get(x, "due"));
  const char *dy = json_string_value(json_object_get(y, "due"));
  return strcmp(dx ? dx : "9999", dy ? dy : "9999");
}

json_t *hv_foia_board_view(struct hv_request *rq, bool all) {
  struct hv_app *app = rq->app;
  json_t *list = NULL;
  struct hv_closures *cl = NULL;
  if (hv_foia_list(app->store, !all, &list) < 0 ||
      hv_closures_load(app->store, HV_CAL_FEDERAL, &cl) < 0) {
    json_decref(list);
    hv_reply_store_error(rq, HV_QS_HARD);
    return NULL;
  }
  hv_day now = hv_foia_today();
  size_t i, n = json_array_size(list);
  json_t *r;
  json_t **items = malloc((n ? n : 1) * sizeof *items);
  json_array_foreach(list, i, r) {
    add_deadlines(r, cl, now, false);
    json_object_del(r, "events");
    if (items)
      items[i] = json_incref(r);
  }
  free(cl);
  if (items) {
    qsort(items, n, sizeof *items, board_order);
    json_array_clear(list);
    for (i = 0; i < n; i++)
      json_array_append_new(list, items[i]);
    free(items);
  }
  return list;
}

/* --- input -------------------------------------------------------------------- */

struct request_body {
  const char *agency, *component, *subject, *records_sought, *submitted_on, *received_on,
      *expedited_decided_on, *status;
  bool fee_waiver_asked, fee_waiver_granted, expedited_asked, expedited_granted;
  int64_t version;
};

#define RB(f) offsetof(struct request_body, f)
static const struct hv_jfield request_spec[] = {
    {"agency", HV_J_STRING, false, RB(agency), 1, 200, 0, 0, NULL},
    {"component", HV_J_STRING, false, RB(component), 0, 200, 0, 0, NULL},
    {"subject", HV_J_STRING, false, RB(subject), 1, 300, 0, 0, NULL},
    {"records_sought", HV_J_STRING, false, RB(records_sought), 1, 20000, 0, 0, NULL},
    {"submitted_on", HV_J_DATE, false, RB(submitted_on), 0, 0, 0, 0, NULL},
    {"received_on", HV_J_DATE, false, RB(received_on), 0, 0, 0, 0, NULL},
    {"expedited_decided_on", HV_J_DATE, false, RB(expedited_decided_on), 0, 0, 0, 0, NULL},
    {"status", HV_J_STRING, false, RB(status), 1, 40, 0, 0, NULL},
    {"fee_waiver_asked", HV_J_BOOL, false, RB(fee_waiver_asked), 0, 0, 0, 0, NULL},
    {"fee_waiver_granted", HV_J_BOOL, false, RB(fee_waiver_granted), 0, 0, 0, 0, NULL},
    {"expedited_asked", HV_J_BOOL, false, RB(expedited_asked), 0, 0, 0, 0, NULL},
    {"expedited_granted", HV_J_BOOL, false, RB(expedited_granted), 0, 0, 0, 0, NULL},
    {"version", HV_J_INT, false, RB(version), 0, 0, 1, 1000000000, NULL},
};
#define NSPEC (sizeof request_spec / sizeof request_spec[0])

/* Reads a request body into `f` (a field left out keeps its value). 0,
 * or -1 after replying. Returns the parsed body in *j (caller decrefs). */
static int read_request(struct hv_request *rq, struct request_body *b, struct hv_foia_fields *f,
                        json_t **j) {
  memset(b, 0, sizeof *b);
  hv_foia_fields_init(f);
  *j = hv_api_body(rq, request_spec, NSPEC, b);
  if (!*j)
    return -1;
  f->agency = b->agency;
  f->component = b->component;
  f->subject = b->subject;
  f->records_sought = b->records_sought;
  f->submitted_on = b->submitted_on;
  f->received_on = b->received_on;
  f->expedited_decided_on = b->expedited_decided_on;
  if (json_object_get(*j, "fee_waiver_asked"))
    f->fee_waiver_asked = b->fee_waiver_asked;
  if (json_object_get(*j, "fee_waiver_granted"))
    f->fee_waiver_granted = b->fee_waiver_granted;
  if (json_object_get(*j, "expedited_asked"))
    f->expedited_asked = b->expedited_asked;
  if (json_object_get(*j, "expedited_granted"))
    f->expedited_granted = b->expedited_granted;
  if (b->status) {
    f->status = hv_foia_choice_find(hv_foia_statuses, HV_FST_MAX, b->status);
    if (f->status < 0) {
      hv_reply_error(rq, 422, "invalid_value",
                     "Choose a status from the list: drafted, submitted, acknowledged, in_process, "
                     "clarification_asked, fee_notice, extended, partial_release, final_response, "
                     "appealed, appeal_decided, in_litigation, withdrawn, closed.",
                     "status");
      return -1;
    }
  }
  if (b->received_on && b->submitted_on && strcmp(b->received_on, b->submitted_on) < 0) {
    hv_reply_error(rq, 422, "invalid_value",
                   "The agency cannot receive the request before it was submitted.", "received_on");
    return -1;
  }
  return 0;
}

static void reply_view(struct hv_request *rq, int status, int64_t id) {
  json_t *v = hv_foia_request_view(rq, id);
  if (v)
    hv_reply_json(rq, status, v);
}

static void api_list(struct hv_request *rq) {
  const char *all = hv_query(rq, "all");
  json_t *list = hv_foia_board_view(rq, all && !strcmp(all, "1"));
  if (list)
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", list));
}

static void api_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct request_body b;
  struct hv_foia_fields f;
  json_t *j = NULL;
  int64_t id = 0;
  if (read_request(rq, &b, &f, &j))
    goto out;
  static const char *const required[][2] = {
      {"agency", "Name the agency the request goes to (for example U.S. Immigration and Customs "
                 "Enforcement)."},
      {"subject", "Give the request a short subject."},
      {"records_sought", "Describe the records sought."}};
  for (size_t i = 0; i < 3; i++)
    if (!json_object_get(j, required[i][0])) {
      hv_reply_error(rq, 400, "missing_field", required[i][1], required[i][0]);
      goto out;
    }
  if (json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "unknown_field", "A new request has no version yet.", "version");
    goto out;
  }
  if (f.status == HV_FOIA_KEEP)
    f.status = b.received_on || b.submitted_on ? HV_FST_SUBMITTED : HV_FST_DRAFTED;
  if (f.fee_waiver_asked == HV_FOIA_KEEP)
    f.fee_waiver_asked = 0;
  if (f.expedited_asked == HV_FOIA_KEEP)
    f.expedited_asked = 0;
  enum hv_qs qs = hv_foia_create(app->store, rq->principal, &f, &id);
  if (qs <= 0)
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  else
    reply_view(rq, 201, id);
out:
  json_decref(j);
}

static void api_get(struct hv_request *rq) { reply_view(rq, 200, hv_param(rq, "id")->num); }

static void api_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct request_body b;
  struct hv_foia_fields f;
  json_t *j = NULL;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  if (read_request(rq, &b, &f, &j))
    goto out;
  if (!json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
    goto out;
  }
  enum hv_qs qs = hv_foia_update(app->store, rq->principal, id, b.version, &f, &current);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
  else if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "version_conflict",
                   hv_arena_printf(rq->arena,
                                   "Someone changed this request meanwhile (it is at version %lld "
                                   "now): read it again and make the change there.",
                                   (long long)current),
                   "version");
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    reply_view(rq, 200, id);
out:
  json_decref(j);
}

struct event_body {
  const char *type, *date, *note;
};

static const struct hv_jfield event_spec[] = {
    {"type", HV_J_STRING, true, offsetof(struct event_body, type), 1, 40, 0, 0, NULL},
    {"date", HV_J_DATE, true, offsetof(struct event_body, date), 0, 0, 0, 0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct event_body, note), 0, 2000, 0, 0, NULL},
};

/* Checks an event; NULL when fine, else the message (field in *field). */
const char *hv_foia_event_problem(const char *type, const char *date, int *t, const char **field);
const char *hv_foia_event_problem(const char *type, const char *date, int *t, const char **field) {
  hv_day d;
  *t = hv_foia_choice_find(hv_foia_event_types, HV_FEV_MAX, type);
  *field = "type";
  if (*t < 0)
    return "Choose what happened from the list: sent, acknowledged, clarification_asked, "
           "clarification_answered, fee_notice, fee_answered, extension, interim_release, "
           "final_response, appeal_filed, appeal_decided, lawsuit, withdrawn.";
  *field = "date";
  if (!date || hv_day_parse(date, &d) != 0)
    return "Enter the date it happened, as YYYY-MM-DD, between 1990 and 2200.";
  if (d > hv_foia_today())
    return "The date is in the future: record an event once it has happened.";
  return NULL;
}

static void api_event_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct event_body b = {NULL, NULL, NULL};
  int64_t id = hv_param(rq, "id")->num, eid = 0;
  json_t *j = hv_api_body(rq, event_spec, 3, &b);
  int t;
  const char *field;
  if (!j)
    return;
  const char *problem = hv_foia_event_problem(b.type, b.date, &t, &field);
  if (problem) {
    hv_reply_error(rq, 422, "invalid_value", problem, field);
  } else {
    enum hv_qs qs = hv_foia_event_add(app->store, rq->principal, id, (enum hv_foia_event_type)t,
                                      b.date, b.note, &eid);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict", "The timeline is full (200 events).", NULL);
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      reply_view(rq, 201, id);
  }
  json_decref(j);
}

struct tracking_body {
  const char *number, *reason, *assigned_on;
};

static const struct hv_jfield tracking_spec[] = {
    {"number", HV_J_STRING, true, offsetof(struct tracking_body, number), 1, 80, 0, 0, NULL},
    {"reason", HV_J_STRING, true, offsetof(struct tracking_body, reason), 1, 20, 0, 0, NULL},
    {"assigned_on", HV_J_DATE, false, offsetof(struct tracking_body, assigned_on), 0, 0, 0, 0,
     NULL},
};

static void api_tracking_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct tracking_body b = {NULL, NULL, NULL};
  int64_t id = hv_param(rq, "id")->num;
  json_t *j = hv_api_body(rq, tracking_spec, 3, &b);
  if (!j)
    return;
  int reason = hv_foia_choice_find(hv_foia_reasons, HV_FTR_MAX, b.reason);
  if (reason < 0) {
    hv_reply_error(rq, 422, "invalid_value",
                   "Say why the number was given: initial, referral or appeal.", "reason");
  } else {
    enum hv_qs qs = hv_foia_tracking_add(app->store, rq->principal, id, b.number,
                                         (enum hv_foia_reason)reason, b.assigned_on);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict",
                     "The request already has this tracking number (or 50 of them).", "number");
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      reply_view(rq, 201, id);
  }
  json_decref(j);
}

#define FOIA HV_PERM_FOIA
#define W (HV_R_API | HV_R_CSRF)

const struct hv_route hv_foia_request_routes[] = {
    {HV_GET, "/api/v1/foia/requests", FOIA, HV_R_API, 0, api_list},
    {HV_POST, "/api/v1/foia/requests", FOIA, W, 64 * 1024, api_create},
    {HV_GET, "/api/v1/foia/requests/{id:int}", FOIA, HV_R_API, 0, api_get},
    {HV_PATCH, "/api/v1/foia/requests/{id:int}", FOIA, W, 64 * 1024, api_update},
    {HV_POST, "/api/v1/foia/requests/{id:int}/events", FOIA, W, 8192, api_event_add},
    {HV_POST, "/api/v1/foia/requests/{id:int}/tracking-numbers", FOIA, W, 4096, api_tracking_add},
};
const size_t hv_foia_request_nroutes =
    sizeof hv_foia_request_routes / sizeof hv_foia_request_routes[0];
