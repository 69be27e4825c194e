/* Training over HTTP: the JSON API (courses, the two CSV imports, coverage
 * of the City and of a department by unit, the overdue list) and the staff
 * pages, which work without JavaScript (plain links, forms and tables):
 *
 *   GET  /api/v1/training/courses             POST (JSON) to add one
 *   POST /api/v1/training/roster              text/csv
 *   POST /api/v1/training/completions         text/csv
 *   GET  /api/v1/training/coverage            every department in scope
 *   GET  /api/v1/training/coverage/{code}     one department, by unit
 *   GET  /api/v1/training/coverage/{code}/overdue?course=&unit=&offset=
 *   /training, /training/departments/{code}[/overdue], /training/courses,
 *   /training/import
 *
 * A liaison sees and imports their own department only; another
 * department answers 404. Coverage is as of today in the City's time zone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/policy.h"
#include "core/str.h"
#include "http/multipart.h"
#include "modules/training/training.h"
#include "web/api.h"
#include "web/app.h"

static json_t *today_json(int32_t today) {
  char d[11];
  hv_training_date(today, d);
  return json_string(d);
}

/* --- courses -------------------------------------------------------------------------- */

static void api_courses(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items;
  enum hv_qs qs = hv_training_courses(app->store, rq->principal, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

struct course_body {
  const char *code, *title, *department;
  int64_t recurrence_days;
};

static const struct hv_jfield course_spec[] = {
    {"code", HV_J_STRING, true, offsetof(struct course_body, code), 1, 32, 0, 0, NULL},
    {"title", HV_J_STRING, true, offsetof(struct course_body, title), 1, 200, 0, 0, NULL},
    {"department", HV_J_STRING, false, offsetof(struct course_body, department), 1, 32, 0, 0, NULL},
    {"recurrence_days", HV_J_INT, true, offsetof(struct course_body, recurrence_days), 0, 0, 0,
     3660, NULL},
};

/* Creates a course; NULL when done (c->id set), else the problem (and
 * *field, *status). */
static const char *course_create(struct hv_request *rq, struct hv_training_course_new *c,
                                 const char **field, int *status) {
  struct hv_app *app = rq->app;
  const char *why = hv_training_code_check(c->code);
  *status = 422;
  if (why) {
    *field = "code";
    return why;
  }
  if (!c->title || !*c->title || strlen(c->title) > 600) {
    *field = "title";
    return "Enter the course's title (at most 200 characters).";
  }
  enum hv_qs qs = hv_training_course_create(app->store, rq->principal, c);
  if (qs == HV_QS_CONFLICT && c->problem) {
    *field = c->field;
    *status = 409;
    return c->problem;
  }
  if (qs <= 0) {
    *field = NULL;
    *status = 503;
    return "The database did not answer. Nothing was saved.";
  }
  return NULL;
}

static void api_course_create(struct hv_request *rq) {
  struct course_body b = {NULL, NULL, NULL, 0};
  json_t *j = hv_api_body(rq, course_spec, sizeof course_spec / sizeof course_spec[0], &b);
  if (!j)
    return;
  struct hv_training_course_new c = {b.code, b.title, b.department, b.recurrence_days,
                                     0,      NULL,    NULL};
  const char *field = NULL;
  int status;
  const char *why = course_create(rq, &c, &field, &status);
  if (why) {
    if (status == 503)
      hv_reply_store_error(rq, HV_QS_HARD);
    else
      hv_reply_error(rq, status, status == 409 ? "conflict" : "invalid_value", why, field);
  } else {
    hv_reply_json(rq, 201,
                  json_pack("{s:I, s:s, s:s, s:s?, s:I}", "id", (json_int_t)c.id, "code", b.code,
                            "title", b.title, "department", b.department, "recurrence_days",
                            (json_int_t)b.recurrence_days));
  }
  json_decref(j);
}

/* --- imports ----------------------------------------------------------------------------- */

enum kind { ROSTER, COMPLETIONS };

static int import(struct hv_request *rq, enum kind k, const char *data, size_t len,
                  struct hv_training_result *r) {
  struct hv_app *app = rq->app;
  return k == ROSTER ? hv_training_roster_import(app->store, rq->principal, data, len, r)
                     : hv_training_completions_import(app->store, rq->principal, data, len, r);
}

static json_t *counts(const struct hv_training_result *r, enum kind k) {
  json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", k == ROSTER ? "roster" : "completions",
                        "rows", (json_int_t)r->rows, "added", (json_int_t)r->added, "updated",
                        (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged);
  if (k == ROSTER)
    json_object_set_new(o, "deactivated", json_integer((json_int_t)r->deactivated));
  return o;
}

static void api_import(struct hv_request *rq, enum kind k) {
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
    hv_reply_error(rq, 415, "unsupported_media_type",
                   "Send the file as text/csv (UTF-8, the first row naming the columns).", NULL);
    return;
  }
  if (!rq->body || rq->body_len == 0) {
    hv_reply_error(rq, 400, "missing_field", "The file is empty.", NULL);
    return;
  }
  struct hv_training_result r;
  int rc = import(rq, k, rq->body, rq->body_len, &r);
  if (rc < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
  } else if (rc > 0) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "The file was refused and nothing was saved: %zu problem%s (the first %zu listed by "
             "row and column in rows).",
             r.problems.count, r.problems.count == 1 ? "" : "s", json_array_size(r.problems.list));
    hv_reply_json(rq, 422,
                  json_pack("{s:{s:s, s:s, s:n, s:I, s:O}}", "error", "code", "invalid_file",
                            "message", msg, "field", "problems", (json_int_t)r.problems.count,
                            "rows", r.problems.list));
  } else {
    hv_reply_json(rq, 200, counts(&r, k));
  }
  hv_training_result_free(&r);
}

static void api_roster(struct hv_request *rq) { api_import(rq, ROSTER); }
static void api_completions(struct hv_request *rq) { api_import(rq, COMPLETIONS); }

/* --- coverage ---------------------------------------------------------------------------- */

static void api_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int32_t today = hv_training_today();
  json_t *items;
  enum hv_qs qs = hv_training_coverage_city(app->store, rq->principal, today, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o, s:o}", "as_of", today_json(today), "items", items));
}

static void not_found(struct hv_request *rq) {
  hv_reply_error(rq, 404, "not_found", "There is no such department (or it is not yours).", NULL);
}

static void api_coverage_department(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int32_t today = hv_training_today();
  json_t *o;
  enum hv_qs qs = hv_training_coverage_department(app->store, rq->principal,
                                                  hv_param(rq, "code")->str, today, &o);
  if (qs == HV_QS_NONE)
    not_found(rq);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else {
    json_object_set_new(o, "as_of", today_json(today));
    hv_reply_json(rq, 200, o);
  }
}

/* The overdue list's query: course, unit and offset. -1 after replying. */
struct overdue_q {
  const char *course, *unit;
  int64_t offset;
};

static int overdue_query(struct hv_request *rq, struct overdue_q *q) {
  const char *off = hv_query(rq, "offset");
  q->course = hv_query(rq, "course");
  q->unit = hv_query(rq, "unit");
  q->offset = 0;
  if (off && *off && hv_parse_i64(off, 0, 100000000, &q->offset)) {
    hv_reply_error(rq, 400, "invalid_value", "offset is a whole number from 0.", "offset");
    return -1;
  }
  if ((q->course && strlen(q->course) > 64) || (q->unit && strlen(q->unit) > 400)) {
    hv_reply_error(rq, 400, "invalid_value", "The course or unit is too long.", NULL);
    return -1;
  }
  return 0;
}

static void api_overdue(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct overdue_q q;
  if (overdue_query(rq, &q))
    return;
  int32_t today = hv_training_today();
  json_t *items;
  int64_t total = 0;
  enum hv_qs qs =
      hv_training_overdue(app->store, rq->principal, hv_param(rq, "code")->str, q.course, q.unit,
                          today, HV_TRAINING_OVERDUE_PAGE, (size_t)q.offset, &items, &total);
  if (qs == HV_QS_NONE)
    not_found(rq);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200,
                  json_pack("{s:o, s:I, s:I, s:i, s:o}", "as_of", today_json(today), "total",
                            (json_int_t)total, "offset", (json_int_t)q.offset, "limit",
                            HV_TRAINING_OVERDUE_PAGE, "items", items));
}

/* --- pages ----------------------------------------------------------------------------- */

static bool can_import(const struct hv_request *rq) {
  return (rq->principal->roles & HV_PERM_TRAINING_IMPORT) != 0;
}

static void page_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int32_t today = hv_training_today();
  json_t *items, *courses;
  if (hv_training_coverage_city(app->store, rq->principal, today, &items) < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  if (hv_training_courses(app->store, rq->principal, &courses) < 0) {
    json_decref(items);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  hv_page(rq, 200, "training_coverage", "Training coverage — Haven",
          json_pack("{s:o, s:o, s:o, s:b, s:b}", "as_of", today_json(today), "departments", items,
                    "courses", courses, "has_courses", json_array_size(courses) > 0, "can_import",
                    can_import(rq)));
}

static void page_department(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int32_t today = hv_training_today();
  json_t *o;
  enum hv_qs qs = hv_training_coverage_department(app->store, rq->principal,
                                                  hv_param(rq, "code")->str, today, &o);
  if (qs == HV_QS_NONE) {
    not_found(rq);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  const char *title = hv_arena_printf(rq->arena, "Training coverage: %s — Haven",
                                      json_string_value(json_object_get(o, "name")));
  json_object_set_new(o, "as_of", today_json(today));
  json_object_set_new(o, "has_units", json_boolean(json_array_size(json_object_get(o, "units"))));
  hv_page(rq, 200, "training_department", title, json_pack("{s:o}", "d", o));
}

static void page_overdue(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct overdue_q q;
  if (overdue_query(rq, &q))
    return;
  int32_t today = hv_training_today();
  const char *code = hv_param(rq, "code")->str;
  char name[161] = "";
  int64_t dept;
  json_t *items;
  int64_t total = 0;
  enum hv_qs qs = hv_training_department(app->store, rq->principal, code, &dept, name, sizeof name);
  if (qs > 0)
    qs = hv_training_overdue(app->store, rq->principal, code, q.course, q.unit, today,
                             HV_TRAINING_OVERDUE_PAGE, (size_t)q.offset, &items, &total);
  if (qs == HV_QS_NONE) {
    not_found(rq);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *ctx = json_pack("{s:s, s:s, s:o, s:o, s:I, s:b, s:s, s:s, s:I, s:I}", "code", code,
                          "name", name, "as_of", today_json(today), "items", items, "total",
                          (json_int_t)total, "none", total == 0, "course", q.course ? q.course : "",
                          "unit", q.unit ? q.unit : "", "from", (json_int_t)q.offset + 1, "to",
                          (json_int_t)(q.offset + (int64_t)json_array_size(items)));
  int64_t next = q.offset + HV_TRAINING_OVERDUE_PAGE;
  if (next < total)
    json_object_set_new(ctx, "next",
                        json_string(hv_arena_printf(
                            rq->arena, "?course=%s&unit=%s&offset=%lld",
                            hv_url_encode(rq->arena, q.course ? q.course : ""),
                            hv_url_encode(rq->arena, q.unit ? q.unit : ""), (long long)next)));
  hv_page(rq, 200, "training_overdue",
          hv_arena_printf(rq->arena, "Overdue training: %s — Haven", name), ctx);
}

/* What the courses page shows besides the list. */
struct courses_form {
  const char *code, *title, *department, *recurrence;
  const char *error, *error_field, *notice;
};

static void courses_page(struct hv_request *rq, int status, const struct courses_form *f) {
  struct hv_app *app = rq->app;
  json_t *courses;
  if (hv_training_courses(app->store, rq->principal, &courses) < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *c;
  json_array_foreach(courses, i, c) {
    int64_t d = json_integer_value(json_object_get(c, "recurrence_days"));
    json_object_set_new(
        c, "every",
        json_string(d == 0     ? "Once"
                    : d == 365 ? "Every year"
                               : hv_arena_printf(rq->arena, "Every %lld days", (long long)d)));
  }
  const char *ef = f->error_field ? f->error_field : "";
  json_t *ctx = json_pack(
      "{s:o, s:b, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b, s:b, s:b, s:b, s:b}", "courses", courses,
      "has_courses", json_array_size(courses) > 0, "code", f->code ? f->code : "", "title",
      f->title ? f->title : "", "department", f->department ? f->department : "", "recurrence",
      f->recurrence ? f->recurrence : "365", "error", f->error, "notice", f->notice, "can_edit",
      (rq->principal->roles & HV_PERM_TRAINING_MANAGE) != 0, "error_code", strcmp(ef, "code") == 0,
      "error_title", strcmp(ef, "title") == 0, "error_department", strcmp(ef, "department") == 0,
      "error_recurrence", strcmp(ef, "recurrence_days") == 0);
  hv_page(rq, status, "training_courses", "Training courses — Haven", ctx);
}

static void page_courses(struct hv_request *rq) {
  struct courses_form f = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  if (hv_query(rq, "added"))
    f.notice = "The course was added.";
  courses_page(rq, 200, &f);
}

static void page_courses_post(struct hv_request *rq) {
  struct hv_form form;
  if (hv_form_body(rq, &form))
    return;
  struct courses_form f = {hv_form_get(&form, "code"),
                           hv_form_get(&form, "title"),
                           hv_form_get(&form, "department"),
                           hv_form_get(&form, "recurrence_days"),
                           NULL,
                           NULL,
                           NULL};
  int64_t days = 0;
  if (!f.recurrence || hv_parse_i64(f.recurrence, 0, 3660, &days)) {
    f.error = "Enter how many days a completion counts: 0 (once is enough) to 3660.";
    f.error_field = "recurrence_days";
    courses_page(rq, 422, &f);
    return;
  }
  struct hv_training_course_new c = {
      f.code ? f.code : "", f.title, f.department, days, 0, NULL, NULL};
  int status;
  f.error = course_create(rq, &c, &f.error_field, &status);
  if (f.error) {
    courses_page(rq, status, &f);
    return;
  }
  hv_reply_redirect(rq, 303, "/training/courses?added=1");
}

static json_t *columns_json(const char *const *cols) {
  json_t *a = json_array();
  for (; *cols; cols++)
    json_array_append_new(a, json_string(*cols));
  return a;
}

static void import_page(struct hv_request *rq, int status, const char *error, int kind,
                        struct hv_training_result *r) {
  json_t *ctx = json_pack("{s:s?, s:o, s:o, s:b}", "error", error, "roster_columns",
                          columns_json(hv_training_roster_columns), "completion_columns",
                          columns_json(hv_training_completion_columns), "liaison",
                          hv_policy_department(rq->principal) > 0);
  if (r) {
    bool refused = r->problems.count > 0;
    json_object_set_new(ctx, "has_errors", json_boolean(refused));
    json_object_set(ctx, "errors", r->problems.list);
    json_object_set_new(ctx, "problems", json_integer((json_int_t)r->problems.count));
    json_object_set_new(ctx, "more",
                        json_boolean(r->problems.count > json_array_size(r->problems.list)));
    if (!refused) {
      json_t *c = counts(r, (enum kind)kind);
      json_object_set_new(c, "is_roster", json_boolean(kind == ROSTER));
      json_object_set_new(ctx, "result", c);
    }
  }
  hv_page(rq, status, "training_import", "Import training records — Haven", ctx);
}

static void page_import(struct hv_request *rq) { import_page(rq, 200, NULL, -1, NULL); }

static void page_import_post(struct hv_request *rq) {
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  int n = hv_multipart_parse(rq->arena, hv_header(rq, "Content-Type"), rq->body ? rq->body : "",
                             rq->body_len, parts, HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    import_page(rq, 400, "The upload could not be read. Choose the file again.", -1, NULL);
    return;
  }
  const struct hv_part *kind_p = hv_multipart_get(parts, n, "kind");
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  int kind = -1;
  if (kind_p && kind_p->len == 6 && memcmp(kind_p->data, "roster", 6) == 0)
    kind = ROSTER;
  else if (kind_p && kind_p->len == 11 && memcmp(kind_p->data, "completions", 11) == 0)
    kind = COMPLETIONS;
  if (kind < 0) {
    import_page(rq, 400, "Choose which file this is: the roster or completions.", -1, NULL);
    return;
  }
  if (!file || file->len == 0) {
    import_page(rq, 400, "Choose a CSV file to import.", kind, NULL);
    return;
  }
  struct hv_training_result r;
  int rc = import(rq, (enum kind)kind, file->data, file->len, &r);
  if (rc < 0)
    import_page(rq, 503, "The database did not answer. Nothing was saved.", kind, NULL);
  else if (rc > 0)
    import_page(rq, 422,
                "The file was refused and nothing was saved. Fix these rows and upload it again.",
                kind, &r);
  else
    import_page(rq, 200, NULL, kind, &r);
  hv_training_result_free(&r);
}

#define READ HV_PERM_TRAINING_READ
#define IMPORT HV_PERM_TRAINING_IMPORT
#define MANAGE HV_PERM_TRAINING_MANAGE
#define FILE_MAX HV_TRAINING_MAX_BYTES

const struct hv_route hv_training_routes[] = {
    {HV_GET, "/api/v1/training/courses", READ, HV_R_API, 0, api_courses},
    {HV_POST, "/api/v1/training/courses", MANAGE, HV_R_API | HV_R_CSRF, 8192, api_course_create},
    {HV_POST, "/api/v1/training/roster", IMPORT, HV_R_API | HV_R_CSRF, FILE_MAX, api_roster},
    {HV_POST, "/api/v1/training/completions", IMPORT, HV_R_API | HV_R_CSRF, FILE_MAX,
     api_completions},
    {HV_GET, "/api/v1/training/coverage", READ, HV_R_API, 0, api_coverage},
    {HV_GET, "/api/v1/training/coverage/{code:str}", READ, HV_R_API, 0, api_coverage_department},
    {HV_GET, "/api/v1/training/coverage/{code:str}/overdue", READ, HV_R_API, 0, api_overdue},
    {HV_GET, "/training", READ, 0, 0, page_coverage},
    {HV_GET, "/training/departments/{code:str}", READ, 0, 0, page_department},
    {HV_GET, "/training/departments/{code:str}/overdue", READ, 0, 0, page_overdue},
    {HV_GET, "/training/courses", READ, 0, 0, page_courses},
    {HV_POST, "/training/courses", MANAGE, HV_R_CSRF, 8192, page_courses_post},
    {HV_GET, "/training/import", IMPORT, 0, 0, page_import},
    {HV_POST, "/training/import", IMPORT, HV_R_CSRF, FILE_MAX + (64u << 10), page_import_post},
};
const size_t hv_training_nroutes = sizeof hv_training_routes / sizeof hv_training_routes[0];
