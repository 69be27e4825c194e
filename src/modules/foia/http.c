/* The working-day calculator, as a public API and a public page, and the
 * closures of the holiday calendars:
 *
 *   GET    /api/v1/calendars/{calendar}/working-days?from=YYYY-MM-DD&days=N
 *   GET    /api/v1/calendars/{calendar}/closures
 *   POST   /api/v1/calendars/{calendar}/closures         {"date", "name"}
 *   DELETE /api/v1/calendars/{calendar}/closures/{date}
 *   GET    /calendars/working-days?calendar=&from=&days=  (the page)
 */
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/json.h"
#include "core/str.h"
#include "modules/foia/foia.h"
#include "web/api.h"
#include "web/app.h"

/* A question to the calculator, as typed, and its answer. */
struct question {
  const char *calendar, *from, *days; /* as typed; NULL when absent */
  /* problems, for people, by field; NULL when fine */
  const char *calendar_error, *from_error, *days_error;
  enum hv_calendar cal;
  hv_day start;
  int n;
};

static const char *const CALENDAR_LIST = "federal or los-angeles";

/* Checks the question; 0 when it can be answered. */
static int check(struct question *q) {
  int64_t n = 0;
  int c = hv_calendar_parse(q->calendar);
  if (c < 0)
    q->calendar_error = "Choose a calendar: federal or los-angeles.";
  else
    q->cal = (enum hv_calendar)c;
  if (!q->from || !*q->from)
    q->from_error = "Enter the first date, as YYYY-MM-DD.";
  else if (hv_day_parse(q->from, &q->start) != 0)
    q->from_error = "Enter a real date between 1990-01-01 and 2200-12-31, as YYYY-MM-DD.";
  if (!q->days || !*q->days)
    q->days_error = "Enter how many working days to count.";
  else if (hv_parse_i64(q->days, 0, HV_CAL_DAYS_MAX, &n) != 0)
    q->days_error = "Enter a whole number of working days from 0 to 1000.";
  else
    q->n = (int)n;
  return q->calendar_error || q->from_error || q->days_error ? -1 : 0;
}

/* Counts, with the calendar's closures from the store. Returns the answer
 * as {"calendar", "from", "days", "date", "skipped": [{"date", "reason"}]}
 * (new reference), or NULL on a store failure. */
static json_t *answer(struct hv_store *s, const struct question *q) {
  struct hv_closures *cl = NULL;
  struct hv_skipped *sk = NULL;
  json_t *out = NULL;
  if (hv_closures_load(s, q->cal, &cl) < 0)
    goto done;
  /* at most one weekend day in three, holidays and closures besides */
  size_t cap = (size_t)q->n + 64 + cl->n, nsk = 0;
  sk = malloc(cap * sizeof *sk);
  if (!sk)
    goto done;
  hv_day due = hv_calendar_add(q->cal, cl->items, cl->n, q->start, q->n, sk, cap, &nsk);
  char d[11];
  json_t *skipped = json_array();
  for (size_t i = 0; i < nsk && i < cap; i++) {
    hv_day_format(sk[i].day, d);
    json_array_append_new(skipped, json_pack("{s:s, s:s}", "date", d, "reason", sk[i].reason));
  }
  hv_day_format(due, d);
  out = json_pack("{s:s, s:s, s:i, s:s, s:o}", "calendar", hv_calendar_name(q->cal), "from",
                  q->from, "days", q->n, "date", d, "skipped", skipped);
done:
  free(sk);
  free(cl);
  return out;
}

static void api_working_days(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct question q;
  memset(&q, 0, sizeof q);
  q.calendar = hv_param(rq, "calendar")->str;
  q.from = hv_query(rq, "from");
  q.days = hv_query(rq, "days");
  if (hv_calendar_parse(q.calendar) < 0) {
    hv_reply_error(rq, 404, "not_found",
                   hv_arena_printf(rq->arena, "There is no such calendar; the calendars are %s.",
                                   CALENDAR_LIST),
                   NULL);
    return;
  }
  if (check(&q)) {
    bool from = q.from_error != NULL;
    hv_reply_error(rq, 400, "invalid_value", from ? q.from_error : q.days_error,
                   from ? "from" : "days");
    return;
  }
  json_t *a = answer(app->store, &q);
  if (!a) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  hv_reply_json(rq, 200, a);
}

/* --- closures --------------------------------------------------------------- */

struct closure_body {
  const char *date, *name;
};

static const struct hv_jfield closure_spec[] = {
    {"date", HV_J_STRING, true, offsetof(struct closure_body, date), 10, 10, 0, 0, NULL},
    {"name", HV_J_STRING, true, offsetof(struct closure_body, name), 1, HV_CLOSURE_NAME_MAX, 0, 0,
     NULL},
};

/* `s` without white space around it, copied into the arena; NULL when it
 * holds a control character. */
static const char *trimmed(struct hv_arena *a, const char *s) {
  size_t n = strlen(s);
  while (*s == ' ' || *s == '\t')
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      return NULL;
  char *out = hv_arena_alloc(a, n + 1);
  if (out) {
    memcpy(out, s, n);
    out[n] = '\0';
  }
  return out;
}

/* The calendar named in the path, or -1 after answering 404. */
static int path_calendar(struct hv_request *rq) {
  int c = hv_calendar_parse(hv_param(rq, "calendar")->str);
  if (c < 0)
    hv_reply_error(rq, 404, "not_found",
                   hv_arena_printf(rq->arena, "There is no such calendar; the calendars are %s.",
                                   CALENDAR_LIST),
                   NULL);
  return c;
}

static void api_closures(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int c = path_calendar(rq);
  json_t *items = NULL;
  if (c < 0)
    return;
  enum hv_qs qs = hv_closures_list(app->store, (enum hv_calendar)c, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200,
                  json_pack("{s:s, s:o}", "calendar", hv_calendar_name(c), "items", items));
}

static void api_closure_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct closure_body b = {NULL, NULL};
  int c = path_calendar(rq);
  if (c < 0)
    return;
  json_t *j = hv_api_body(rq, closure_spec, 2, &b);
  if (!j)
    return;
  hv_day day;
  char why[80];
  const char *name = trimmed(rq->arena, b.name);
  if (hv_day_parse(b.date, &day) != 0) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Enter a real date between 1990-01-01 and 2200-12-31, as YYYY-MM-DD.", "date");
  } else if (!name || !*name) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Name the closure in one line (the executive order, say).", "name");
  } else if (hv_calendar_closed((enum hv_calendar)c, NULL, 0, day, why, sizeof why)) {
    hv_reply_error(rq, 422, "not_a_working_day",
                   hv_arena_printf(rq->arena, "%s is already closed on this calendar: %s.",
                                   b.date, why),
                   "date");
  } else {
    enum hv_qs qs = hv_closure_add(app->store, rq->principal, (enum hv_calendar)c, b.date, name);
    if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict",
                     hv_arena_printf(rq->arena,
                                     "%s is already closed by hand on this calendar, or the "
                                     "calendar holds %d closures already.",
                                     b.date, HV_CLOSURES_MAX),
                     "date");
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      hv_reply_json(rq, 201,
                    json_pack("{s:s, s:s, s:s}", "calendar", hv_calendar_name(c), "date", b.date,
                              "name", name));
  }
  json_decref(j);
}

static void api_closure_remove(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *date = hv_param(rq, "date")->str;
  hv_day day;
  int c = path_calendar(rq);
  if (c < 0)
    return;
  if (hv_day_parse(date, &day) != 0) {
    hv_reply_error(rq, 400, "invalid_value", "The date is written YYYY-MM-DD.", "date");
    return;
  }
  enum hv_qs qs = hv_closure_remove(app->store, rq->principal, (enum hv_calendar)c, date);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "That day is not closed by hand on this calendar.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_text(rq, 204, NULL, "", 0, false);
}

/* --- the page ----------------------------------------------------------------- */

/* The calculator for people: a GET form that works without JavaScript;
 * the answer, the days passed over and why, below it. */
static void page_working_days(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct question q;
  memset(&q, 0, sizeof q);
  q.calendar = hv_query(rq, "calendar");
  q.from = hv_query(rq, "from");
  q.days = hv_query(rq, "days");
  bool asked = q.calendar || q.from || q.days;
  json_t *result = json_null(), *errors = json_array();
  int status = 200;
  if (asked && check(&q) == 0) {
    json_decref(result);
    result = answer(app->store, &q);
    if (!result) {
      json_decref(errors);
      hv_reply_store_error(rq, HV_QS_HARD);
      return;
    }
    json_object_set_new(result, "has_skipped",
                        json_boolean(json_array_size(json_object_get(result, "skipped")) > 0));
  } else if (asked) {
    status = 400;
    if (q.calendar_error)
      json_array_append_new(errors, json_pack("{s:s, s:s}", "anchor", "calendar-federal",
                                              "message", q.calendar_error));
    if (q.from_error)
      json_array_append_new(errors,
                            json_pack("{s:s, s:s}", "anchor", "from", "message", q.from_error));
    if (q.days_error)
      json_array_append_new(errors,
                            json_pack("{s:s, s:s}", "anchor", "days", "message", q.days_error));
  }
  const char *cal = q.calendar && hv_calendar_parse(q.calendar) >= 0 ? q.calendar : "federal";
  json_t *ctx = json_pack(
      "{s:o, s:o, s:s, s:s, s:b, s:b, s:s?, s:s?, s:s?}", "result", result, "errors", errors,
      "from", q.from ? q.from : "", "days", q.days ? q.days : "20", "federal",
      strcmp(cal, "federal") == 0, "los_angeles", strcmp(cal, "los-angeles") == 0,
      "calendar_error", q.calendar_error, "from_error", q.from_error, "days_error", q.days_error);
  json_object_set_new(ctx, "has_errors", json_boolean(json_array_size(errors) > 0));
  hv_page(rq, status, "foia_working_days", "Working-day calculator — Haven", ctx);
}

#define PUBLIC_API (HV_R_API | HV_R_PUBLIC)
#define EDIT HV_PERM_CALENDAR_EDIT

const struct hv_route hv_foia_routes[] = {
    {HV_GET, "/api/v1/calendars/{calendar:str}/working-days", 0, PUBLIC_API, 0, api_working_days},
    {HV_GET, "/api/v1/calendars/{calendar:str}/closures", 0, PUBLIC_API, 0, api_closures},
    {HV_POST, "/api/v1/calendars/{calendar:str}/closures", EDIT, HV_R_API | HV_R_CSRF, 4096,
     api_closure_add},
    {HV_DELETE, "/api/v1/calendars/{calendar:str}/closures/{date:str}", EDIT,
     HV_R_API | HV_R_CSRF, 0, api_closure_remove},
    {HV_GET, "/calendars/working-days", 0, HV_R_PUBLIC, 0, page_working_days},
};
const size_t hv_foia_nroutes = sizeof hv_foia_routes / sizeof hv_foia_routes[0];
