/* Preparedness plans over the JSON API (see plans.h for who may do what):
 *
 *   GET   /api/v1/directives                              directives with requirements
 *   POST  /api/v1/directives                              create (with its requirements)
 *   GET   /api/v1/directives/{id}
 *   PATCH /api/v1/directives/{id}                         {"version", "number", "title",
 * "due_days"} POST  /api/v1/directives/{id}/requirements            add a requirement PATCH
 * /api/v1/directives/{id}/requirements/{rid}      edit or retire one POST
 * /api/v1/directives/{id}/issue                   {"issued_on"}: one plan per department GET
 * /api/v1/directives/{id}/board[.csv|.xlsx]       MOIA's board, ?sort=&order= GET   /api/v1/plans
 * plans in the caller's scope GET   /api/v1/plans/{id}                              with answers,
 * evidence, submissions PUT   /api/v1/plans/{id}/requirements/{rid}           answer one
 * requirement POST  /api/v1/plans/{id}/submit                       {"version"} POST
 * /api/v1/plans/{id}/review                       accept, or request changes GET
 * /api/v1/plans/{id}/versions/{n}                 a submitted version as it was GET
 * /api/v1/plans/{id}/compare?from=N&to=M          requirement by requirement
 *
 * Evidence files: evidence.c. "Today" is the city's date on the injectable
 * clock (core/clock.h), so due dates and lateness move with it in tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "modules/contractors/contractors.h"
#include "modules/plans/plans.h"
#include "modules/training/training.h"
#include "web/api.h"
#include "web/app.h"

void hv_plans_today(char out[11]) {
  char iso[40];
  hv_time_format_iso(hv_clock_wall_ms(), iso, sizeof iso);
  memcpy(out, iso, 10);
  out[10] = '\0';
}

void hv_plan_add_timing(json_t *plan, const char *today) {
  struct hv_plan_timing t;
  hv_plan_timing(json_string_value(json_object_get(plan, "due_on")), today,
                 json_string_value(json_object_get(plan, "first_submitted_on")), &t);
  json_object_set_new(plan, "delivered", json_boolean(t.delivered));
  json_object_set_new(plan, "late", json_boolean(t.late));
  json_object_set_new(plan, "days_left", t.delivered ? json_null() : json_integer(t.days_left));
  json_object_set_new(plan, "days_late", json_integer(t.days_late));
  int st = hv_plan_status_parse(json_string_value(json_object_get(plan, "status")));
  json_object_set_new(plan, "status_label",
                      json_string(st >= 0 ? hv_plan_status_label((enum hv_plan_status)st) : ""));
}

/* Answers a refused or failed write. */
static void reply_outcome(struct hv_request *rq, enum hv_qs qs, const struct hv_plan_outcome *o,
                          const char *none) {
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", none, NULL);
  else if (qs == HV_QS_CONFLICT && o && o->code && !strcmp(o->code, "version_conflict"))
    hv_reply_error(rq, 409, "version_conflict",
                   hv_arena_printf(rq->arena,
                                   "Someone changed this meanwhile (it is at version %lld now): "
                                   "read it again and make the change there.",
                                   (long long)o->current),
                   "version");
  else if (qs == HV_QS_CONFLICT && o && o->refusal)
    hv_reply_error(rq, o->status, o->code, o->refusal, o->field);
  else
    hv_reply_store_error(rq, qs);
}

static int64_t scope_of(struct hv_request *rq) { return hv_policy_department(rq->principal); }

/* --- directives -------------------------------------------------------------- */

static void api_directives(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *list = NULL;
  enum hv_qs qs = hv_directives_list(app->store, &list);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", list));
}

static void reply_directive(struct hv_request *rq, int status, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *d = NULL;
  enum hv_qs qs = hv_directive_get(app->store, id, &d);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such directive.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, status, d);
}

static void api_directive(struct hv_request *rq) {
  reply_directive(rq, 200, hv_param(rq, "id")->num);
}

struct req_body {
  const char *code, *title, *guidance;
  bool asks_percent, retired;
};
#define RQ(f) offsetof(struct req_body, f)
static const struct hv_jfield req_spec[] = {
    {"code", HV_J_STRING, true, RQ(code), 1, 40, 0, 0, NULL},
    {"title", HV_J_STRING, true, RQ(title), 1, HV_PLAN_TITLE_MAX, 0, 0, NULL},
    {"guidance", HV_J_STRING, false, RQ(guidance), 0, 2000, 0, 0, NULL},
    {"asks_percent", HV_J_BOOL, false, RQ(asks_percent), 0, 0, 0, 0, NULL},
    {"retired", HV_J_BOOL, false, RQ(retired), 0, 0, 0, 0, NULL},
};

/* A requirement code: lower-case letters, digits and _ (it names a field
 * in exports and comparisons). */
static bool code_ok(const char *s) {
  if (!s || !*s)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

struct dir_body {
  const char *number, *title;
  int64_t due_days, version;
  const json_t *requirements;
};
#define DB(f) offsetof(struct dir_body, f)
static const struct hv_jfield dir_spec[] = {
    {"number", HV_J_STRING, false, DB(number), 1, 40, 0, 0, NULL},
    {"title", HV_J_STRING, false, DB(title), 1, HV_PLAN_TITLE_MAX, 0, 0, NULL},
    {"due_days", HV_J_INT, false, DB(due_days), 0, 0, 1, HV_PLAN_DUE_DAYS_MAX, NULL},
    {"version", HV_J_INT, false, DB(version), 0, 0, 1, 1000000000, NULL},
    {"requirements", HV_J_ARRAY, false, DB(requirements), 0, HV_PLAN_REQ_MAX, 0, 0, NULL},
};

static void api_directive_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct dir_body b = {NULL, NULL, -1, 0, NULL};
  json_t *j = hv_api_body(rq, dir_spec, 5, &b), *reqs = NULL;
  if (!j)
    return;
  static const char *const required[][2] = {
      {"number", "Give the directive's number (for example ED 12)."},
      {"title", "Give the directive's title."},
      {"due_days", "Say how many calendar days departments have to deliver their plan."}};
  for (size_t i = 0; i < 3; i++)
    if (!json_object_get(j, required[i][0])) {
      hv_reply_error(rq, 400, "missing_field", required[i][1], required[i][0]);
      goto out;
    }
  if (b.version) {
    hv_reply_error(rq, 400, "unknown_field", "A new directive has no version yet.", "version");
    goto out;
  }
  reqs = json_array();
  size_t i;
  const json_t *x;
  json_array_foreach(b.requirements, i, x) {
    struct req_body r = {NULL, NULL, NULL, false, false};
    struct hv_jerr e;
    if (!json_is_object(x) || hv_json_unpack(x, req_spec, 4, &r, &e) || !code_ok(r.code)) {
      hv_reply_error(rq, 422, "invalid_value",
                     hv_arena_printf(rq->arena,
                                     "Requirement %zu: give a code (lower-case letters, digits "
                                     "and _), a title, and optionally guidance and "
                                     "asks_percent.",
                                     i + 1),
                     "requirements");
      goto out;
    }
    json_array_append_new(reqs, json_pack("{s:s, s:s, s:s, s:b}", "code", r.code, "title", r.title,
                                          "guidance", r.guidance ? r.guidance : "", "asks_percent",
                                          r.asks_percent));
  }
  int64_t id = 0;
  enum hv_qs qs =
      hv_directive_create(app->store, rq->principal, b.number, b.title, b.due_days, reqs, &id);
  if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "conflict",
                   "Another directive has this number, or two requirements share a code.",
                   "number");
  else if (qs <= 0)
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  else
    reply_directive(rq, 201, id);
out:
  json_decref(reqs);
  json_decref(j);
}

static void api_directive_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct dir_body b = {NULL, NULL, -1, 0, NULL};
  int64_t id = hv_param(rq, "id")->num;
  json_t *j = hv_api_body(rq, dir_spec, 4, &b);
  struct hv_plan_outcome o;
  if (!j)
    return;
  if (!b.version) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
  } else {
    enum hv_qs qs = hv_directive_update(app->store, rq->principal, id, b.version, b.number, b.title,
                                        b.due_days, &o);
    if (qs > 0)
      reply_directive(rq, 200, id);
    else
      reply_outcome(rq, qs, &o, "There is no such directive.");
  }
  json_decref(j);
}

static void api_requirement_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct req_body b = {NULL, NULL, NULL, false, false};
  int64_t id = hv_param(rq, "id")->num, rid = 0;
  json_t *j = hv_api_body(rq, req_spec, 4, &b);
  if (!j)
    return;
  if (!code_ok(b.code)) {
    hv_reply_error(rq, 422, "invalid_value",
                   "Use lower-case letters, digits and _ for the code (for example staff_trained).",
                   "code");
  } else {
    enum hv_qs qs = hv_requirement_add(app->store, rq->principal, id, b.code, b.title, b.guidance,
                                       b.asks_percent, &rid);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such directive.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict",
                     "The directive already has a requirement with this code (or 60 of them).",
                     "code");
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      reply_directive(rq, 201, id);
  }
  json_decref(j);
}

static const struct hv_jfield req_edit_spec[] = {
    {"title", HV_J_STRING, false, RQ(title), 1, HV_PLAN_TITLE_MAX, 0, 0, NULL},
    {"guidance", HV_J_STRING, false, RQ(guidance), 0, 2000, 0, 0, NULL},
    {"asks_percent", HV_J_BOOL, false, RQ(asks_percent), 0, 0, 0, 0, NULL},
    {"retired", HV_J_BOOL, false, RQ(retired), 0, 0, 0, 0, NULL},
};

static void api_requirement_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct req_body b = {NULL, NULL, NULL, false, false};
  int64_t id = hv_param(rq, "id")->num, rid = hv_param(rq, "rid")->num;
  json_t *j = hv_api_body(rq, req_edit_spec, 4, &b);
  if (!j)
    return;
  enum hv_qs qs = hv_requirement_update(app->store, rq->principal, id, rid, b.title, b.guidance,
                                        json_object_get(j, "asks_percent") ? b.asks_percent : -1,
                                        json_object_get(j, "retired") ? b.retired : -1);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "The directive has no such requirement.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    reply_directive(rq, 200, id);
  json_decref(j);
}

struct issue_body {
  const char *issued_on;
};
static const struct hv_jfield issue_spec[] = {
    {"issued_on", HV_J_DATE, false, offsetof(struct issue_body, issued_on), 0, 0, 0, 0, NULL},
};

static void api_issue(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct issue_body b = {NULL};
  int64_t id = hv_param(rq, "id")->num, count = 0;
  char today[11];
  json_t *j = hv_api_body(rq, issue_spec, 1, &b);
  if (!j)
    return;
  hv_plans_today(today);
  const char *on = b.issued_on ? b.issued_on : today;
  if (strcmp(on, today) > 0) {
    hv_reply_error(rq, 422, "invalid_value",
                   "A directive is issued on a day that has come: not in the future.", "issued_on");
  } else {
    enum hv_qs qs = hv_directive_issue(app->store, rq->principal, id, on, &count);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such directive.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict",
                     "The directive was issued already: every department has its plan.", NULL);
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else {
      json_t *plans = NULL;
      if (hv_plans_list(app->store, id, 0, &plans) < 0) {
        hv_reply_store_error(rq, HV_QS_HARD);
      } else {
        size_t i;
        json_t *p;
        json_array_foreach(plans, i, p) hv_plan_add_timing(p, today);
        hv_reply_json(rq, 201,
                      json_pack("{s:I, s:s, s:I, s:o}", "directive_id", (json_int_t)id, "issued_on",
                                on, "plans_opened", (json_int_t)count, "plans", plans));
      }
    }
  }
  json_decref(j);
}

/* --- the board ----------------------------------------------------------------- */

/* {"<department code>": "87% (1,234 of 1,418)"} from the training records
 * as of today, for the departments `by` may see (returned, caller
 * decrefs), or NULL when they could not be read (the column shows "—"). */
static json_t *board_training(struct hv_store *s, const struct hv_principal *by) {
  json_t *items = NULL;
  if (hv_training_coverage_city(s, by, hv_training_today(), &items) < 0)
    return NULL;
  json_t *out = json_object();
  size_t i;
  json_t *o;
  json_array_foreach(items, i, o) {
    const char *code = json_string_value(json_object_get(o, "department"));
    json_int_t required = json_integer_value(json_object_get(o, "required"));
    if (!code || required <= 0)
      continue;
    char cell[96];
    snprintf(cell, sizeof cell, "%lld%% (%lld of %lld)",
             (long long)json_integer_value(json_object_get(o, "percent")),
             (long long)json_integer_value(json_object_get(o, "covered")), (long long)required);
    json_object_set_new(out, code, json_string(cell));
  }
  json_decref(items);
  return out;
}

/* {"<department code>": "5 of 6 valid (1 expiring)"} from the contracts on
 * City property running on `today` (returned, caller decrefs), or NULL. */
static json_t *board_contracts(struct hv_store *s, const struct hv_principal *by,
                               const char *today) {
  json_t *cov = NULL;
  if (hv_coverage(s, hv_policy_department(by), today, 30, &cov) < 0)
    return NULL;
  json_t *out = json_object();
  size_t i;
  json_t *d;
  json_array_foreach(json_object_get(cov, "departments"), i, d) {
    const char *code = json_string_value(json_object_get(json_object_get(d, "department"), "code"));
    json_int_t active = json_integer_value(json_object_get(d, "active"));
    json_int_t expiring = json_integer_value(json_object_get(d, "expiring"));
    if (!code || active <= 0)
      continue;
    char cell[96];
    int n = snprintf(cell, sizeof cell, "%lld of %lld valid",
                     (long long)json_integer_value(json_object_get(d, "valid")), (long long)active);
    if (expiring > 0 && n > 0 && (size_t)n < sizeof cell)
      snprintf(cell + n, sizeof cell - (size_t)n, " (%lld expiring)", (long long)expiring);
    json_object_set_new(out, code, json_string(cell));
  }
  json_decref(cov);
  return out;
}

json_t *hv_plans_board_view(struct hv_request *rq, int64_t directive, enum hv_board_sort by,
                            bool desc) {
  struct hv_app *app = rq->app;
  json_t *d = NULL, *plans = NULL;
  char today[11];
  enum hv_qs qs = hv_directive_get(app->store, directive, &d);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such directive.", NULL);
    return NULL;
  }
  if (qs < 0 || hv_plans_list(app->store, directive, 0, &plans) < 0) {
    json_decref(d);
    hv_reply_store_error(rq, HV_QS_HARD);
    return NULL;
  }
  hv_plans_today(today);
  json_t *training = board_training(app->store, rq->principal);
  json_t *contracts = board_contracts(app->store, rq->principal, today);
  json_t *rows = json_array();
  size_t i;
  json_t *p;
  json_int_t counts[HV_PLAN_STATUS_MAX] = {0}, late = 0;
  json_array_foreach(plans, i, p) {
    hv_plan_add_timing(p, today);
    int st = hv_plan_status_parse(json_string_value(json_object_get(p, "status")));
    if (st >= 0)
      counts[st]++;
    late += json_is_true(json_object_get(p, "late"));
    json_array_append_new(
        rows,
        json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:n, "
                  "s:n}",
                  "plan_id", json_object_get(p, "id"), "department_code",
                  json_object_get(p, "department_code"), "department_name",
                  json_object_get(p, "department_name"), "status", json_object_get(p, "status"),
                  "status_label", json_object_get(p, "status_label"), "due_on",
                  json_object_get(p, "due_on"), "days_left", json_object_get(p, "days_left"),
                  "days_late", json_object_get(p, "days_late"), "late", json_object_get(p, "late"),
                  "delivered", json_object_get(p, "delivered"), "first_submitted_on",
                  json_object_get(p, "first_submitted_on"), "submissions",
                  json_object_get(p, "submissions"), "requirements_done",
                  json_object_get(p, "requirements_done"), "requirements_total",
                  json_object_get(p, "requirements_total"), "training_reached",
                  "contractor_coverage"));
    const char *code = json_string_value(json_object_get(p, "department_code"));
    json_t *row = json_array_get(rows, json_array_size(rows) - 1);
    json_t *t = code && training ? json_object_get(training, code) : NULL;
    json_t *c = code && contracts ? json_object_get(contracts, code) : NULL;
    if (t)
      json_object_set(row, "training_reached", t);
    if (c)
      json_object_set(row, "contractor_coverage", c);
  }
  json_decref(training);
  json_decref(contracts);
  json_decref(plans);
  hv_board_sort(rows, by, desc);
  json_t *summary = json_object();
  for (int k = 0; k < HV_PLAN_STATUS_MAX; k++)
    json_object_set_new(summary, hv_plan_status_code((enum hv_plan_status)k),
                        json_integer(counts[k]));
  json_object_set_new(summary, "late", json_integer(late));
  json_object_set_new(summary, "total", json_integer((json_int_t)json_array_size(rows)));
  json_object_del(d, "requirements");
  return json_pack("{s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "directive", d, "today", today, "sort",
                   hv_board_sort_code(by), "order", desc ? "desc" : "asc", "summary", summary,
                   "rows", rows, "coverage_note",
                   "Training reached: employees covered by every course that applies, over the "
                   "employees times those courses, from the training records as of today. "
                   "Contractor coverage: contracts on City property running today with a valid "
                   "attestation, of all those contracts. \"—\": no roster or no such contracts.");
}

/* Reads ?sort= and ?order=; -1 after replying 400. */
static int board_query(struct hv_request *rq, enum hv_board_sort *by, bool *desc) {
  const char *s = hv_query(rq, "sort"), *o = hv_query(rq, "order");
  int k = s ? hv_board_sort_parse(s) : HV_BSORT_DEPARTMENT;
  if (k < 0) {
    hv_reply_error(rq, 400, "invalid_value", "Sort by department, status, due or done.", "sort");
    return -1;
  }
  if (o && strcmp(o, "asc") && strcmp(o, "desc")) {
    hv_reply_error(rq, 400, "invalid_value", "The order is asc or desc.", "order");
    return -1;
  }
  *by = (enum hv_board_sort)k;
  *desc = o && !strcmp(o, "desc");
  return 0;
}

static void api_board(struct hv_request *rq) {
  enum hv_board_sort by;
  bool desc;
  if (board_query(rq, &by, &desc))
    return;
  json_t *b = hv_plans_board_view(rq, hv_param(rq, "id")->num, by, desc);
  if (b)
    hv_reply_json(rq, 200, b);
}

static const char *export_name(struct hv_request *rq, const json_t *board, const char *ext) {
  const char *num =
      json_string_value(json_object_get(json_object_get(board, "directive"), "number"));
  char *s = hv_arena_printf(rq->arena, "plans-%s-%s.%s", num ? num : "directive",
                            json_string_value(json_object_get(board, "today")), ext);
  for (char *c = s; *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
          *c == '-' || *c == '.'))
      *c = '-';
  return s;
}

static void api_board_csv(struct hv_request *rq) {
  enum hv_board_sort by;
  bool desc;
  struct hv_buf b;
  if (board_query(rq, &by, &desc))
    return;
  json_t *board = hv_plans_board_view(rq, hv_param(rq, "id")->num, by, desc);
  if (!board)
    return;
  hv_buf_init(&b, 8u << 20);
  if (hv_board_csv(board, &b)) {
    hv_buf_free(&b);
    hv_reply_error(rq, 500, "internal", "The export is too large.", NULL);
  } else {
    size_t len;
    char *s = hv_buf_steal(&b, &len);
    hv_reply_text(rq, 200, "text/csv; charset=utf-8", s ? s : "", len, s != NULL);
    hv_reply_header(
        rq, "Content-Disposition",
        hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", export_name(rq, board, "csv")));
  }
  json_decref(board);
}

static void api_board_xlsx(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_board_sort by;
  bool desc;
  unsigned char *x = NULL;
  size_t len = 0;
  if (board_query(rq, &by, &desc))
    return;
  json_t *board = hv_plans_board_view(rq, hv_param(rq, "id")->num, by, desc);
  if (!board)
    return;
  if (hv_board_xlsx(board, app->cfg->data, &x, &len)) {
    hv_reply_error(rq, 500, "internal", "The spreadsheet could not be made.", NULL);
  } else {
    hv_reply_text(rq, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  (const char *)x, len, true);
    hv_reply_header(
        rq, "Content-Disposition",
        hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", export_name(rq, board, "xlsx")));
  }
  json_decref(board);
}

/* --- plans ----------------------------------------------------------------------- */

static void api_plans(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *d = hv_query(rq, "directive");
  char *end = NULL;
  long long dir = d ? strtoll(d, &end, 10) : 0;
  if (d && (!*d || *end || dir < 1)) {
    hv_reply_error(rq, 400, "invalid_value", "The directive is a number (its id).", "directive");
    return;
  }
  json_t *list = NULL;
  char today[11];
  enum hv_qs qs = hv_plans_list(app->store, dir, scope_of(rq), &list);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_plans_today(today);
  size_t i;
  json_t *p;
  json_array_foreach(list, i, p) hv_plan_add_timing(p, today);
  hv_reply_json(rq, 200, json_pack("{s:s, s:o}", "today", today, "items", list));
}

/* Plan `id` in the caller's scope with its timing (returned), or NULL
 * after replying 404 or 503. */
static json_t *plan_view(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *p = NULL;
  char today[11];
  enum hv_qs qs = hv_plan_get(app->store, id, scope_of(rq), &p);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such plan.", NULL);
    return NULL;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return NULL;
  }
  hv_plans_today(today);
  hv_plan_add_timing(p, today);
  json_object_set_new(p, "today", json_string(today));
  return p;
}

json_t *hv_plans_view(struct hv_request *rq, int64_t id) { return plan_view(rq, id); }

static void reply_plan(struct hv_request *rq, int status, int64_t id) {
  json_t *p = plan_view(rq, id);
  if (p)
    hv_reply_json(rq, status, p);
}

static void api_plan(struct hv_request *rq) { reply_plan(rq, 200, hv_param(rq, "id")->num); }

struct answer_body {
  const char *status, *note, *na_reason;
  int64_t percent, version;
};
#define AB(f) offsetof(struct answer_body, f)
static const struct hv_jfield answer_spec[] = {
    {"version", HV_J_INT, true, AB(version), 0, 0, 1, 1000000000, NULL},
    {"status", HV_J_STRING, true, AB(status), 1, 20, 0, 0, NULL},
    {"note", HV_J_STRING, false, AB(note), 0, HV_PLAN_NOTE_MAX, 0, 0, NULL},
    {"na_reason", HV_J_STRING, false, AB(na_reason), 0, HV_PLAN_REASON_MAX, 0, 0, NULL},
    {"percent", HV_J_INT, false, AB(percent), 0, 0, 0, 100, NULL},
};

static void api_answer(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct answer_body b = {NULL, NULL, NULL, -1, 0};
  int64_t id = hv_param(rq, "id")->num, rid = hv_param(rq, "rid")->num;
  struct hv_plan_outcome o;
  json_t *j = hv_api_body(rq, answer_spec, 5, &b);
  if (!j)
    return;
  int st = hv_answer_status_parse(b.status);
  if (st < 0) {
    hv_reply_error(rq, 422, "invalid_value",
                   "Choose a status: todo, in_progress, done or not_applicable.", "status");
  } else {
    enum hv_qs qs = hv_plan_answer(app->store, rq->principal, scope_of(rq), id, b.version, rid, st,
                                   b.note, b.na_reason, b.percent, &o);
    if (qs > 0)
      reply_plan(rq, 200, id);
    else
      reply_outcome(rq, qs, &o, "There is no such plan.");
  }
  json_decref(j);
}

struct version_body {
  int64_t version;
};
static const struct hv_jfield submit_spec[] = {
    {"version", HV_J_INT, true, offsetof(struct version_body, version), 0, 0, 1, 1000000000, NULL},
};

static void api_submit(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct version_body b = {0};
  int64_t id = hv_param(rq, "id")->num;
  struct hv_plan_outcome o;
  char today[11];
  json_t *j = hv_api_body(rq, submit_spec, 1, &b);
  if (!j)
    return;
  hv_plans_today(today);
  enum hv_qs qs = hv_plan_submit(app->store, rq->principal, scope_of(rq), id, b.version, today, &o);
  if (qs > 0)
    reply_plan(rq, 200, id);
  else
    reply_outcome(rq, qs, &o, "There is no such plan.");
  json_decref(j);
}

struct review_body {
  int64_t version;
  const char *decision, *comment;
  const json_t *requirements;
};
#define RB(f) offsetof(struct review_body, f)
static const struct hv_jfield review_spec[] = {
    {"version", HV_J_INT, true, RB(version), 0, 0, 1, 1000000000, NULL},
    {"decision", HV_J_STRING, true, RB(decision), 1, 20, 0, 0, NULL},
    {"comment", HV_J_STRING, false, RB(comment), 0, HV_PLAN_COMMENT_MAX, 0, 0, NULL},
    {"requirements", HV_J_ARRAY, false, RB(requirements), 0, HV_PLAN_REQ_MAX, 0, 0, NULL},
};

struct comment_body {
  int64_t requirement_id;
  const char *comment;
};
static const struct hv_jfield comment_spec[] = {
    {"requirement_id", HV_J_INT, true, offsetof(struct comment_body, requirement_id), 0, 0, 1,
     INT64_MAX, NULL},
    {"comment", HV_J_STRING, true, offsetof(struct comment_body, comment), 1, HV_PLAN_COMMENT_MAX,
     0, 0, NULL},
};

/* Checks a review (`comments` as [{"requirement_id", "comment"}]): NULL
 * when fine, else the message with the field in *field. */
const char *hv_plans_review_problem(bool accept, const json_t *comments, const char **field) {
  size_t i, k;
  const json_t *x, *y;
  *field = "requirements";
  json_array_foreach(comments, i, x) {
    struct comment_body c = {0, NULL};
    struct hv_jerr e;
    if (!json_is_object(x) || hv_json_unpack(x, comment_spec, 2, &c, &e))
      return "Each requirement to change needs its requirement_id and a comment (up to 2000 "
             "characters) saying what to change.";
    json_array_foreach(comments, k,
                       y) if (k < i && json_integer_value(json_object_get(y, "requirement_id")) ==
                                           c.requirement_id) return "Comment each requirement "
                                                                    "once.";
  }
  *field = "decision";
  if (accept && json_array_size(comments) > 0)
    return "A plan is accepted as a whole: to ask for changes, choose request_changes.";
  *field = "requirements";
  if (!accept && json_array_size(comments) == 0)
    return "Say which requirements need changes, with a comment on each.";
  return NULL;
}

static void api_review(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct review_body b = {0, NULL, NULL, NULL};
  int64_t id = hv_param(rq, "id")->num;
  struct hv_plan_outcome o;
  json_t *j = hv_api_body(rq, review_spec, 4, &b);
  const char *field;
  if (!j)
    return;
  bool accept = !strcmp(b.decision, "accept");
  const char *problem = NULL;
  if (!accept && strcmp(b.decision, "request_changes")) {
    problem = "The decision is accept or request_changes.";
    field = "decision";
  } else {
    json_t *empty = json_array();
    problem = hv_plans_review_problem(accept, b.requirements ? b.requirements : empty, &field);
    json_decref(empty);
  }
  if (problem) {
    hv_reply_error(rq, 422, "invalid_value", problem, field);
  } else {
    json_t *none = json_array();
    enum hv_qs qs = hv_plan_review(app->store, rq->principal, id, b.version, accept, b.comment,
                                   b.requirements ? b.requirements : none, &o);
    json_decref(none);
    if (qs > 0)
      reply_plan(rq, 200, id);
    else
      reply_outcome(rq, qs, &o, "There is no such plan.");
  }
  json_decref(j);
}

static void api_version(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *v = NULL;
  enum hv_qs qs = hv_plan_version_get(app->store, hv_param(rq, "id")->num, scope_of(rq),
                                      hv_param(rq, "n")->num, &v);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such plan or submitted version.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, v);
}

/* The comparison of versions `from` and `to` of plan `id` (returned), or
 * NULL after replying. */
json_t *hv_plans_compare_view(struct hv_request *rq, int64_t id, const char *from, const char *to) {
  struct hv_app *app = rq->app;
  char *e1 = NULL, *e2 = NULL;
  long long f = from ? strtoll(from, &e1, 10) : 0, t = to ? strtoll(to, &e2, 10) : 0;
  if (!from || !*from || *e1 || f < 1 || !to || !*to || *e2 || t < 1) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Name the two submitted versions to compare, as ?from=1&to=2.",
                   !from || !*from || *e1 || f < 1 ? "from" : "to");
    return NULL;
  }
  json_t *a = NULL, *b = NULL;
  enum hv_qs qs = hv_plan_version_get(app->store, id, scope_of(rq), f, &a);
  if (qs > 0)
    qs = hv_plan_version_get(app->store, id, scope_of(rq), t, &b);
  if (qs <= 0) {
    json_decref(a);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such plan or submitted version.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return NULL;
  }
  json_t *diff = hv_plan_compare(a, b);
  size_t i, changed = 0;
  json_t *x;
  json_array_foreach(diff, i, x) changed += json_is_true(json_object_get(x, "changed"));
  json_t *out =
      json_pack("{s:I, s:I, s:I, s:I, s:o}", "plan_id", (json_int_t)id, "from", (json_int_t)f, "to",
                (json_int_t)t, "changed", (json_int_t)changed, "requirements", diff);
  json_decref(a);
  json_decref(b);
  return out;
}

static void api_compare(struct hv_request *rq) {
  json_t *c =
      hv_plans_compare_view(rq, hv_param(rq, "id")->num, hv_query(rq, "from"), hv_query(rq, "to"));
  if (c)
    hv_reply_json(rq, 200, c);
}

#define READ HV_PERM_PLANS_READ
#define EDIT HV_PERM_PLANS_EDIT
#define REVIEW HV_PERM_PLANS_REVIEW
#define ADMIN HV_PERM_PLANS_ADMIN
#define BOARD HV_PERM_PLANS_BOARD
#define W (HV_R_API | HV_R_CSRF)
#define UPLOAD_MAX ((64u << 20) + HV_UPLOAD_SLACK)

const struct hv_route hv_plans_routes[] = {
    {HV_GET, "/api/v1/directives", READ, HV_R_API, 0, api_directives},
    {HV_POST, "/api/v1/directives", ADMIN, W, 128 * 1024, api_directive_create},
    {HV_GET, "/api/v1/directives/{id:int}", READ, HV_R_API, 0, api_directive},
    {HV_PATCH, "/api/v1/directives/{id:int}", ADMIN, W, 8192, api_directive_update},
    {HV_POST, "/api/v1/directives/{id:int}/requirements", ADMIN, W, 8192, api_requirement_add},
    {HV_PATCH, "/api/v1/directives/{id:int}/requirements/{rid:int}", ADMIN, W, 8192,
     api_requirement_update},
    {HV_POST, "/api/v1/directives/{id:int}/issue", ADMIN, W, 1024, api_issue},
    {HV_GET, "/api/v1/directives/{id:int}/board", BOARD, HV_R_API, 0, api_board},
    {HV_GET, "/api/v1/directives/{id:int}/board.csv", BOARD, HV_R_API, 0, api_board_csv},
    {HV_GET, "/api/v1/directives/{id:int}/board.xlsx", BOARD, HV_R_API, 0, api_board_xlsx},
    {HV_GET, "/api/v1/plans", READ, HV_R_API, 0, api_plans},
    {HV_GET, "/api/v1/plans/{id:int}", READ, HV_R_API, 0, api_plan},
    {HV_PUT, "/api/v1/plans/{id:int}/requirements/{rid:int}", EDIT, W, 16 * 1024, api_answer},
    {HV_POST, "/api/v1/plans/{id:int}/requirements/{rid:int}/evidence", EDIT, W | HV_R_UPLOAD,
     UPLOAD_MAX, hv_plans_evidence_api_upload},
    {HV_GET, "/api/v1/plans/{id:int}/evidence/{eid:int}", READ, HV_R_API, 0,
     hv_plans_evidence_download},
    {HV_POST, "/api/v1/plans/{id:int}/submit", EDIT, W, 1024, api_submit},
    {HV_POST, "/api/v1/plans/{id:int}/review", REVIEW, W, 160 * 1024, api_review},
    {HV_GET, "/api/v1/plans/{id:int}/versions/{n:int}", READ, HV_R_API, 0, api_version},
    {HV_GET, "/api/v1/plans/{id:int}/compare", READ, HV_R_API, 0, api_compare},
};
const size_t hv_plans_nroutes = sizeof hv_plans_routes / sizeof hv_plans_routes[0];
