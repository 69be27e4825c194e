/* Department protocol documents over HTTP:
 *
 *   GET  /api/v1/protocols                       the documents the caller may read
 *   POST /api/v1/protocols                       a new document {title, department?, markdown,
 * note?} GET  /api/v1/protocols/{id}                  its current version (+ versions, HTML) PUT
 * /api/v1/protocols/{id}                  a new version {markdown, note?, title?, expect_version}
 *   GET  /api/v1/protocols/{id}/versions/{v}
 *   POST /api/v1/protocols/{id}/acknowledgements {version?, employee_number?}
 *   GET  /api/v1/protocols/{id}/acknowledgements counts per department
 *
 * and the pages /protocols (list, new document) and /protocols/{id} (read,
 * acknowledge, record an employee's acknowledgement, counts, publish a new
 * version), all plain forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/markdown.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "modules/protocol/protocol.h"
#include "web/api.h"
#include "web/app.h"

static void add_html(json_t *o) {
  const char *md = json_string_value(json_object_get(o, "markdown"));
  char *html = md ? hv_markdown_html(md, strlen(md)) : NULL;
  json_object_set_new(o, "html", json_string(html ? html : ""));
  free(html);
}

static const char *text_problem(const char *title, const char *md, const char *note,
                                const char **field) {
  const char *why;
  if (title && (!*title || strlen(title) > 4 * HV_PROTOCOL_TITLE_MAX)) {
    *field = "title";
    return "Enter a title (at most 200 characters).";
  }
  if ((why = hv_protocol_check(md, strlen(md)))) {
    *field = "markdown";
    return why;
  }
  if (note && strlen(note) > HV_PROTOCOL_NOTE_MAX) {
    *field = "note";
    return "Keep the note under 500 bytes.";
  }
  return NULL;
}

static void not_found(struct hv_request *rq) {
  hv_reply_error(rq, 404, "not_found", "There is no such protocol (or it is not yours).", NULL);
}

static void reply_doc(struct hv_request *rq, int status, int64_t id, int64_t version) {
  struct hv_app *app = rq->app;
  json_t *o;
  enum hv_qs qs = hv_protocol_doc_get(app->store, rq->principal, id, version, &o);
  if (qs == HV_QS_NONE)
    not_found(rq);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else {
    add_html(o);
    hv_reply_json(rq, status, o);
  }
}

/* --- API ------------------------------------------------------------------------ */

static void api_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items;
  enum hv_qs qs = hv_protocol_docs(app->store, rq->principal, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

struct doc_body {
  const char *title, *department, *markdown, *note;
  int64_t expect_version;
};

static const struct hv_jfield create_spec[] = {
    {"title", HV_J_STRING, true, offsetof(struct doc_body, title), 1, HV_PROTOCOL_TITLE_MAX, 0, 0,
     NULL},
    {"department", HV_J_STRING, false, offsetof(struct doc_body, department), 1, 32, 0, 0, NULL},
    {"markdown", HV_J_STRING, true, offsetof(struct doc_body, markdown), 0, 4 * HV_PROTOCOL_MAX, 0,
     0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct doc_body, note), 0, HV_PROTOCOL_NOTE_MAX, 0, 0,
     NULL},
};

static const struct hv_jfield update_spec[] = {
    {"title", HV_J_STRING, false, offsetof(struct doc_body, title), 1, HV_PROTOCOL_TITLE_MAX, 0, 0,
     NULL},
    {"markdown", HV_J_STRING, true, offsetof(struct doc_body, markdown), 0, 4 * HV_PROTOCOL_MAX, 0,
     0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct doc_body, note), 0, HV_PROTOCOL_NOTE_MAX, 0, 0,
     NULL},
    {"expect_version", HV_J_INT, true, offsetof(struct doc_body, expect_version), 0, 0, 1,
     1000000000, NULL},
};

static void api_publish(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  struct doc_body b = {NULL, NULL, NULL, NULL, 0};
  json_t *j = id ? hv_api_body(rq, update_spec, sizeof update_spec / sizeof update_spec[0], &b)
                 : hv_api_body(rq, create_spec, sizeof create_spec / sizeof create_spec[0], &b);
  const char *field = NULL, *why;
  if (!j)
    return;
  if ((why = text_problem(b.title, b.markdown, b.note, &field))) {
    hv_reply_error(rq, 422, "invalid_value", why, field);
    goto out;
  }
  struct hv_protocol_doc_publish w = {
      rq->principal, id,  b.title, b.department, b.markdown, b.note, b.expect_version, 0, 0, 0,
      NULL,          NULL};
  enum hv_qs qs = hv_protocol_doc_publish(app->store, &w);
  if (qs == HV_QS_NONE) {
    not_found(rq);
  } else if (qs == HV_QS_CONFLICT && w.stale) {
    hv_reply_json(rq, 409,
                  json_pack("{s:{s:s, s:s, s:s, s:I}}", "error", "code", "stale_version", "message",
                            "Someone published a newer version; nothing was saved.", "field",
                            "expect_version", "current_version", (json_int_t)w.current));
  } else if (qs == HV_QS_CONFLICT && w.problem) {
    hv_reply_error(rq, id ? 403 : 422, id ? "forbidden" : "invalid_value", w.problem, w.field);
  } else if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  } else {
    reply_doc(rq, 201, w.document_id, w.version);
    if (rq->reply.status == 201)
      hv_reply_header(rq, "Location",
                      hv_arena_printf(rq->arena, "/api/v1/protocols/%lld/versions/%lld",
                                      (long long)w.document_id, (long long)w.version));
  }
out:
  json_decref(j);
}

static void api_create(struct hv_request *rq) { api_publish(rq, 0); }
static void api_update(struct hv_request *rq) { api_publish(rq, hv_param(rq, "id")->num); }
static void api_get(struct hv_request *rq) { reply_doc(rq, 200, hv_param(rq, "id")->num, 0); }
static void api_version(struct hv_request *rq) {
  reply_doc(rq, 200, hv_param(rq, "id")->num, hv_param(rq, "version")->num);
}

/* Records an acknowledgement; replies itself on a problem and returns -1. */
static int acknowledge(struct hv_request *rq, struct hv_protocol_ack *a, bool page) {
  struct hv_app *app = rq->app;
  if (a->employee_number && !(rq->principal->roles & HV_PERM_PROTOCOL_PUBLISH)) {
    hv_reply_error(rq, 403, "forbidden",
                   "Only liaisons and MOIA record employees' acknowledgements.", "employee_number");
    return -1;
  }
  enum hv_qs qs = hv_protocol_doc_ack(app->store, a);
  if (qs == HV_QS_NONE) {
    not_found(rq);
    return -1;
  }
  if (qs == HV_QS_CONFLICT && a->problem && !page) {
    hv_reply_error(rq, 422, "invalid_value", a->problem, a->field);
    return -1;
  }
  if (qs < 0 && !(qs == HV_QS_CONFLICT && a->problem)) {
    hv_reply_store_error(rq, qs);
    return -1;
  }
  return 0;
}

struct ack_body {
  int64_t version;
  const char *employee_number;
};

static const struct hv_jfield ack_spec[] = {
    {"version", HV_J_INT, false, offsetof(struct ack_body, version), 0, 0, 1, 1000000000, NULL},
    {"employee_number", HV_J_STRING, false, offsetof(struct ack_body, employee_number), 1, 32, 0, 0,
     NULL},
};

static void api_ack(struct hv_request *rq) {
  struct ack_body b = {0, NULL};
  json_t *j = hv_api_body(rq, ack_spec, sizeof ack_spec / sizeof ack_spec[0], &b);
  if (!j)
    return;
  struct hv_protocol_ack a = {
      rq->principal, hv_param(rq, "id")->num, b.version, b.employee_number, 0, NULL, NULL};
  if (acknowledge(rq, &a, false) == 0)
    hv_reply_json(rq, a.already ? 200 : 201,
                  json_pack("{s:I, s:I, s:b, s:s?}", "document", (json_int_t)a.document_id,
                            "version", (json_int_t)a.version, "already", a.already,
                            "employee_number", b.employee_number));
  json_decref(j);
}

static void api_acks(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *o;
  const char *v = hv_query(rq, "version");
  int64_t version = 0;
  if (v && *v && hv_parse_i64(v, 1, 1000000000, &version)) {
    hv_reply_error(rq, 400, "invalid_value", "version is a whole number from 1.", "version");
    return;
  }
  enum hv_qs qs =
      hv_protocol_doc_acks(app->store, rq->principal, hv_param(rq, "id")->num, version, &o);
  if (qs == HV_QS_NONE)
    not_found(rq);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, o);
}

/* --- pages ---------------------------------------------------------------------------- */

static void add_when(json_t *o, const char *from, const char *to) {
  char when[64];
  hv_time_format(json_integer_value(json_object_get(o, from)), when, sizeof when);
  json_object_set_new(o, to, json_string(when));
}

struct list_form {
  const char *title, *department, *markdown, *error, *field;
};

static void list_page(struct hv_request *rq, int status, const struct list_form *f) {
  struct hv_app *app = rq->app;
  json_t *items;
  if (hv_protocol_docs(app->store, rq->principal, &items) < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *o;
  json_array_foreach(items, i, o) add_when(o, "published_at", "when");
  const char *field = f->field ? f->field : "";
  hv_page(rq, status, "protocol_docs", "Department protocols — Haven",
          json_pack("{s:o, s:b, s:b, s:s, s:s, s:s, s:s?, s:b, s:b, s:b}", "items", items,
                    "has_items", json_array_size(items) > 0, "can_publish",
                    (rq->principal->roles & HV_PERM_PROTOCOL_PUBLISH) != 0, "title",
                    f->title ? f->title : "", "department", f->department ? f->department : "",
                    "markdown", f->markdown ? f->markdown : "", "error", f->error, "error_title",
                    strcmp(field, "title") == 0, "error_department",
                    strcmp(field, "department") == 0, "error_markdown",
                    strcmp(field, "markdown") == 0 || strcmp(field, "note") == 0));
}

static void page_list(struct hv_request *rq) {
  struct list_form f = {NULL, NULL, NULL, NULL, NULL};
  list_page(rq, 200, &f);
}

static void page_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  if (hv_form_body(rq, &form))
    return;
  struct list_form f = {hv_form_get(&form, "title"), hv_form_get(&form, "department"),
                        hv_form_get(&form, "markdown"), NULL, NULL};
  if ((f.error =
           text_problem(f.title ? f.title : "", f.markdown ? f.markdown : "", NULL, &f.field))) {
    list_page(rq, 422, &f);
    return;
  }
  struct hv_protocol_doc_publish w = {
      rq->principal, 0, f.title, f.department, f.markdown, NULL, 0, 0, 0, 0, NULL, NULL};
  enum hv_qs qs = hv_protocol_doc_publish(app->store, &w);
  if (qs == HV_QS_CONFLICT && w.problem) {
    f.error = w.problem;
    f.field = w.field;
    list_page(rq, 422, &f);
    return;
  }
  if (qs <= 0) {
    f.error = "The database did not answer. Nothing was saved; your text is below.";
    list_page(rq, 503, &f);
    return;
  }
  hv_reply_redirect(
      rq, 303, hv_arena_printf(rq->arena, "/protocols/%lld?saved=1", (long long)w.document_id));
}

struct doc_form {
  const char *notice, *error, *field, *text, *employee;
  int64_t expect;
};

static void doc_page(struct hv_request *rq, int status, int64_t id, const struct doc_form *f) {
  struct hv_app *app = rq->app;
  json_t *o, *acks = NULL;
  enum hv_qs qs = hv_protocol_doc_get(app->store, rq->principal, id, 0, &o);
  if (qs == HV_QS_NONE) {
    not_found(rq);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  add_html(o);
  add_when(o, "created_at", "when");
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(o, "versions"), i, v) add_when(v, "created_at", "when");
  bool counts = (rq->principal->roles & HV_PERM_PROTOCOL_ACKS) != 0;
  if (counts && hv_protocol_doc_acks(app->store, rq->principal, id, 0, &acks) < 0)
    acks = NULL;
  const char *field = f->field ? f->field : "";
  const char *title =
      hv_arena_printf(rq->arena, "%s — Haven", json_string_value(json_object_get(o, "title")));
  json_t *ctx = json_pack(
      "{s:o, s:o, s:b, s:s?, s:s?, s:s, s:s, s:I, s:b, s:b}", "doc", o, "acks",
      acks ? acks : json_null(), "can_publish",
      (rq->principal->roles & HV_PERM_PROTOCOL_PUBLISH) != 0, "notice", f->notice, "error",
      f->error, "text", f->text ? f->text : json_string_value(json_object_get(o, "markdown")),
      "employee", f->employee ? f->employee : "", "expect_version",
      (json_int_t)(f->expect ? f->expect : json_integer_value(json_object_get(o, "version"))),
      "error_employee", strcmp(field, "employee_number") == 0, "error_markdown",
      strcmp(field, "markdown") == 0 || strcmp(field, "note") == 0);
  hv_page(rq, status, "protocol_doc", title, ctx);
}

static void page_doc(struct hv_request *rq) {
  struct doc_form f = {NULL, NULL, NULL, NULL, NULL, 0};
  if (hv_query(rq, "saved"))
    f.notice = "Published. Staff see this version now.";
  else if (hv_query(rq, "acknowledged"))
    f.notice = "Your acknowledgement of this version is recorded.";
  else if (hv_query(rq, "recorded"))
    f.notice = "The employee's acknowledgement is recorded.";
  doc_page(rq, 200, hv_param(rq, "id")->num, &f);
}

static void page_doc_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  int64_t id = hv_param(rq, "id")->num, expect = 0;
  if (hv_form_body(rq, &form))
    return;
  const char *action = hv_form_get(&form, "action");
  const char *md = hv_form_get(&form, "markdown"), *note = hv_form_get(&form, "note");
  const char *ev = hv_form_get(&form, "expect_version"),
             *emp = hv_form_get(&form, "employee_number");
  struct doc_form f = {NULL, NULL, NULL, md, emp, 0};
  if (action && (strcmp(action, "acknowledge") == 0 || strcmp(action, "record") == 0)) {
    bool record = strcmp(action, "record") == 0;
    const char *ver = hv_form_get(&form, "version");
    int64_t version = 0;
    if (ver && hv_parse_i64(ver, 1, 1000000000, &version)) {
      hv_reply_error(rq, 400, "invalid_form", "The form's version is not a number.", NULL);
      return;
    }
    if (record && (!emp || !*emp)) {
      f.error = "Enter the employee number.";
      f.field = "employee_number";
      doc_page(rq, 422, id, &f);
      return;
    }
    struct hv_protocol_ack a = {rq->principal, id, version, record ? emp : NULL, 0, NULL, NULL};
    if (acknowledge(rq, &a, true))
      return;
    if (a.problem) {
      f.error = a.problem;
      f.field = a.field;
      doc_page(rq, 422, id, &f);
      return;
    }
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/protocols/%lld?%s=1", (long long)id,
                                      record ? "recorded" : "acknowledged"));
    return;
  }
  if (!(rq->principal->roles & HV_PERM_PROTOCOL_PUBLISH)) {
    hv_reply_error(rq, 403, "forbidden", "Only liaisons and MOIA publish protocols.", NULL);
    return;
  }
  if (!md || !ev || hv_parse_i64(ev, 1, 1000000000, &expect)) {
    hv_reply_error(rq, 400, "invalid_form", "The form is missing its text or version.", NULL);
    return;
  }
  f.expect = expect;
  if ((f.error = text_problem(NULL, md, note, &f.field))) {
    doc_page(rq, 422, id, &f);
    return;
  }
  struct hv_protocol_doc_publish w = {rq->principal, id, NULL, NULL, md,   note,
                                      expect,        0,  0,    0,    NULL, NULL};
  enum hv_qs qs = hv_protocol_doc_publish(app->store, &w);
  if (qs == HV_QS_NONE) {
    not_found(rq);
    return;
  }
  if (qs == HV_QS_CONFLICT && (w.stale || w.problem)) {
    f.error = w.stale ? hv_arena_printf(rq->arena,
                                        "Someone published version %lld while you were editing "
                                        "version %lld; your text is below, not saved.",
                                        (long long)w.current, (long long)expect)
                      : w.problem;
    f.field = "markdown";
    f.expect = w.stale ? w.current : expect;
    doc_page(rq, w.stale ? 409 : 403, id, &f);
    return;
  }
  if (qs <= 0) {
    f.error = "The database did not answer. Nothing was saved; your text is below.";
    doc_page(rq, 503, id, &f);
    return;
  }
  hv_reply_redirect(rq, 303, hv_arena_printf(rq->arena, "/protocols/%lld?saved=1", (long long)id));
}

#define READ HV_PERM_PROTOCOL_READ
#define PUBLISH HV_PERM_PROTOCOL_PUBLISH
#define ACKS HV_PERM_PROTOCOL_ACKS
#define TEXT_MAX (8 * HV_PROTOCOL_MAX)

const struct hv_route hv_protocol_doc_routes[] = {
    {HV_GET, "/api/v1/protocols", READ, HV_R_API, 0, api_list},
    {HV_POST, "/api/v1/protocols", PUBLISH, HV_R_API | HV_R_CSRF, TEXT_MAX, api_create},
    {HV_GET, "/api/v1/protocols/{id:int}", READ, HV_R_API, 0, api_get},
    {HV_PUT, "/api/v1/protocols/{id:int}", PUBLISH, HV_R_API | HV_R_CSRF, TEXT_MAX, api_update},
    {HV_GET, "/api/v1/protocols/{id:int}/versions/{version:int}", READ, HV_R_API, 0, api_version},
    {HV_POST, "/api/v1/protocols/{id:int}/acknowledgements", READ, HV_R_API | HV_R_CSRF, 4096,
     api_ack},
    {HV_GET, "/api/v1/protocols/{id:int}/acknowledgements", ACKS, HV_R_API, 0, api_acks},
    {HV_GET, "/protocols", READ, 0, 0, page_list},
    {HV_POST, "/protocols", PUBLISH, HV_R_CSRF, 12 * HV_PROTOCOL_MAX, page_create},
    {HV_GET, "/protocols/{id:int}", READ, 0, 0, page_doc},
    {HV_POST, "/protocols/{id:int}", READ, HV_R_CSRF, 12 * HV_PROTOCOL_MAX, page_doc_post},
};
const size_t hv_protocol_doc_nroutes =
    sizeof hv_protocol_doc_routes / sizeof hv_protocol_doc_routes[0];
