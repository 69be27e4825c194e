/* The FOIA tracker's pages, server-rendered and usable without JavaScript:
 *
 *   GET  /foia                           the board: open requests, next deadline, overdue first
 *   GET  /foia/new, POST /foia/new       record a request
 *   GET  /foia/{id}                      the request, its deadlines and how each was computed
 *   POST /foia/{id}/events               add an event (then back to the request)
 *   POST /foia/{id}/tracking-numbers     add a tracking number
 *
 * They read the same views as the API (requests_http.c), decorated with the
 * sentences people read. */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "modules/foia/deadline.h"
#include "modules/foia/documents.h"
#include "modules/foia/foia.h"
#include "modules/foia/requests.h"
#include "web/api.h"
#include "web/app.h"

static const char *label_of(const struct hv_foia_choice *t, size_t n, const char *code) {
  int i = hv_foia_choice_find(t, n, code);
  return i >= 0 ? t[i].label : (code ? code : "");
}

/* Adds the words a deadline is read with. */
void hv_foia_decorate_deadline(json_t *d) {
  const char *st = json_string_value(json_object_get(d, "status"));
  json_t *left = json_object_get(d, "days_left");
  const char *unit = json_string_value(json_object_get(d, "unit"));
  bool working = unit && !strcmp(unit, "working days");
  long long n = json_integer_value(left);
  char text[160] = "";
  if (st && !strcmp(st, "paused"))
    snprintf(text, sizeof text, "Clock paused: %lld working days left when it resumes.", n);
  else if (json_is_integer(left) && n < 0)
    snprintf(text, sizeof text, "%lld %s overdue.", -n, working ? "working days" : "days");
  else if (json_is_integer(left) && n == 0)
    snprintf(text, sizeof text, "Due today.");
  else if (json_is_integer(left))
    snprintf(text, sizeof text, "%lld %s left.", n, working ? "working days" : "days");
  json_object_set_new(d, "left_text", json_string(text));
  static const struct {
    const char *code, *text;
  } words[] = {{"met", "Met."},
               {"open", "Open."},
               {"overdue", "Overdue."},
               {"paused", "Paused while a question to the City is open."},
               {"not_applicable", "Does not apply (yet)."}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (st && !strcmp(st, words[i].code))
      json_object_set_new(d, "status_text", json_string(words[i].text));
  json_object_set_new(d, "overdue", json_boolean(st && !strcmp(st, "overdue")));
  json_object_set_new(d, "paused", json_boolean(st && !strcmp(st, "paused")));
  json_object_set_new(d, "applies", json_boolean(st && strcmp(st, "not_applicable") != 0));
  json_t *ex = json_object_get(d, "explanation");
  json_object_set_new(ex, "has_skipped",
                      json_boolean(json_array_size(json_object_get(ex, "skipped")) > 0));
}

static void page_board(struct hv_request *rq) {
  json_t *items = hv_foia_board_view(rq, false);
  size_t i;
  json_t *r;
  if (!items)
    return;
  json_array_foreach(items, i, r) {
    json_object_set_new(r, "status_label",
                        json_string(label_of(hv_foia_statuses, HV_FST_MAX,
                                             json_string_value(json_object_get(r, "status")))));
    if (json_is_object(json_object_get(r, "next_deadline")))
      hv_foia_decorate_deadline(json_object_get(r, "next_deadline"));
  }
  json_t *ctx = json_pack("{s:o, s:b}", "items", items, "has_items", json_array_size(items) > 0);
  hv_page(rq, 200, "foia_board", "FOIA requests — Haven", ctx);
}

/* The documents section's context: the documents with their download
 * links and exemptions, the release summary's words, the form's choices. */
static void documents_ctx(struct hv_request *rq, json_t *r, int64_t id) {
  size_t i;
  json_t *x;
  json_t *docs = json_object_get(r, "documents");
  json_array_foreach(docs, i, x) {
    json_object_set_new(
        x, "download",
        json_string(hv_arena_printf(rq->arena, "/foia/%lld/documents/%lld", (long long)id,
                                    (long long)json_integer_value(json_object_get(x, "id")))));
    json_object_set_new(x, "has_exemptions",
                        json_boolean(json_array_size(json_object_get(x, "exemptions")) > 0));
    json_int_t size = json_integer_value(json_object_get(x, "size"));
    json_object_set_new(
        x, "size_label",
        json_string(hv_arena_printf(rq->arena, "%lld KB", (long long)((size + 1023) / 1024))));
  }
  json_object_set_new(r, "has_documents", json_boolean(json_array_size(docs) > 0));
  json_t *sum = json_object_get(r, "release_summary");
  json_object_set_new(sum, "has_exemptions",
                      json_boolean(json_array_size(json_object_get(sum, "exemptions")) > 0));
  json_t *releases = json_array();
  json_array_foreach(json_object_get(r, "events"), i, x) {
    const char *t = json_string_value(json_object_get(x, "type"));
    if (t && (!strcmp(t, "interim_release") || !strcmp(t, "final_response")))
      json_array_append_new(releases, json_pack("{s:O, s:O, s:O}", "id", json_object_get(x, "id"),
                                                "label", json_object_get(x, "label"), "date",
                                                json_object_get(x, "date")));
  }
  json_object_set_new(r, "releases", releases);
  json_t *codes = json_array();
  for (int k = 0; k < HV_FOIA_EXEMPTIONS_N; k++)
    json_array_append_new(codes, json_pack("{s:s, s:s}", "code", hv_foia_exemptions[k].code,
                                           "description", hv_foia_exemptions[k].description));
  json_t *rows = json_array();
  for (int k = 1; k <= HV_FOIA_FORM_EXEMPTION_ROWS; k++)
    json_array_append_new(rows, json_pack("{s:i, s:O}", "n", k, "codes", codes));
  json_decref(codes);
  json_object_set_new(r, "exemption_rows", rows);
  size_t max = ((struct hv_app *)rq->app)->cfg->attachment_max;
  json_object_set_new(r, "file_max_label",
                      json_string(max >= (1u << 20)
                                      ? hv_arena_printf(rq->arena, "%zu MB", max >> 20)
                                      : hv_arena_printf(rq->arena, "%zu KB", max >> 10)));
}

void hv_foia_request_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                          const char *notice) {
  json_t *r = hv_foia_request_view(rq, id);
  size_t i;
  json_t *x;
  if (!r) {
    json_decref(problems);
    return;
  }
  json_array_foreach(json_object_get(r, "deadlines"), i, x) hv_foia_decorate_deadline(x);
  json_array_foreach(json_object_get(r, "events"), i, x)
      json_object_set_new(x, "label",
                          json_string(label_of(hv_foia_event_types, HV_FEV_MAX,
                                               json_string_value(json_object_get(x, "type")))));
  json_object_set_new(r, "status_label",
                      json_string(label_of(hv_foia_statuses, HV_FST_MAX,
                                           json_string_value(json_object_get(r, "status")))));
  json_t *eg = json_object_get(r, "expedited_granted"),
         *fg = json_object_get(r, "fee_waiver_granted");
  bool ea = json_is_true(json_object_get(r, "expedited_asked"));
  bool fa = json_is_true(json_object_get(r, "fee_waiver_asked"));
  json_object_set_new(r, "expedited_text",
                      json_string(!ea                ? "Not asked"
                                  : json_is_null(eg) ? "Asked, not decided yet"
                                  : json_is_true(eg) ? "Asked and granted"
                                                     : "Asked and denied"));
  json_object_set_new(r, "fee_text",
                      json_string(!fa                ? "Not asked"
                                  : json_is_null(fg) ? "Asked, not decided yet"
                                  : json_is_true(fg) ? "Asked and granted"
                                                     : "Asked and denied"));
  json_object_set_new(r, "has_tracking",
                      json_boolean(json_array_size(json_object_get(r, "tracking_numbers")) > 0));
  json_object_set_new(r, "has_events",
                      json_boolean(json_array_size(json_object_get(r, "events")) > 0));
  json_t *types = json_array();
  for (int k = 0; k < HV_FEV_MAX; k++)
    json_array_append_new(types, json_pack("{s:s, s:s}", "code", hv_foia_event_types[k].code,
                                           "label", hv_foia_event_types[k].label));
  json_object_set_new(r, "event_types", types);
  documents_ctx(rq, r, id);
  json_object_set_new(r, "site_csrf", json_string(rq->principal ? rq->principal->csrf : ""));
  if (notice)
    json_object_set_new(r, "notice", json_string(notice));
  if (!problems)
    problems = json_array();
  json_t *ctx = json_pack("{s:o, s:b, s:o}", "r", r, "has_problems", json_array_size(problems) > 0,
                          "problems", problems);
  hv_page(rq, status, "foia_request", "FOIA request — Haven", ctx);
}

static void page_request(struct hv_request *rq) {
  const char *added = hv_query(rq, "added");
  hv_foia_request_page(rq, 200, hv_param(rq, "id")->num, NULL,
               added && !strcmp(added, "event")      ? "The event was added."
               : added && !strcmp(added, "tracking") ? "The tracking number was added."
               : added && !strcmp(added, "request")  ? "The request was recorded."
               : added && !strcmp(added, "document") ? "The document was added."
                                                     : NULL);
}

static json_t *one_problem(const char *anchor, const char *label, const char *message) {
  return json_pack("[{s:s, s:s, s:s}]", "anchor", anchor, "label", label, "message", message);
}

static void page_event_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  int64_t id = hv_param(rq, "id")->num;
  int t;
  const char *field;
  if (hv_form_body(rq, &form))
    return;
  const char *type = hv_form_get(&form, "type"), *date = hv_form_get(&form, "date");
  const char *note = hv_form_get(&form, "note");
  const char *problem = hv_foia_event_problem(type, date, &t, &field);
  if (!problem && note && strlen(note) > 2000)
    problem = "Keep the note under 2000 characters.", field = "note";
  if (problem) {
    hv_foia_request_page(rq, 422, id,
                 one_problem(field,
                             !strcmp(field, "type")   ? "What happened"
                             : !strcmp(field, "date") ? "Date"
                                                      : "Note",
                             problem),
                 NULL);
    return;
  }
  enum hv_qs qs = hv_foia_event_add(app->store, rq->principal, id, (enum hv_foia_event_type)t, date,
                                    note, NULL);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
    return;
  }
  if (qs < 0) {
    hv_foia_request_page(rq, qs == HV_QS_CONFLICT ? 409 : 503, id,
                 one_problem("type", "Timeline",
                             qs == HV_QS_CONFLICT ? "The timeline is full (200 events)."
                                                  : "The database did not answer. Nothing was "
                                                    "saved; please try again."),
                 NULL);
    return;
  }
  hv_reply_redirect(rq, 303, hv_arena_printf(rq->arena, "/foia/%lld?added=event", (long long)id));
}

static void page_tracking_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  int64_t id = hv_param(rq, "id")->num;
  hv_day d;
  if (hv_form_body(rq, &form))
    return;
  const char *number = hv_form_get(&form, "number"), *reason = hv_form_get(&form, "reason");
  const char *on = hv_form_get(&form, "assigned_on");
  int rs = hv_foia_choice_find(hv_foia_reasons, HV_FTR_MAX, reason);
  if (on && !*on)
    on = NULL;
  const char *problem = NULL, *field = "number";
  if (!number || !*number || strlen(number) > 80)
    problem = "Enter the tracking number the agency gave (at most 80 characters).";
  else if (rs < 0)
    problem = "Say why the number was given: initial, referral or appeal.", field = "reason";
  else if (on && hv_day_parse(on, &d) != 0)
    problem = "Enter the date as YYYY-MM-DD.", field = "assigned_on";
  enum hv_qs qs = HV_QS_ONE;
  if (!problem) {
    qs = hv_foia_tracking_add(app->store, rq->principal, id, number, (enum hv_foia_reason)rs, on);
    if (qs == HV_QS_NONE) {
      hv_reply_error(rq, 404, "not_found", "There is no such FOIA request.", NULL);
      return;
    }
    if (qs == HV_QS_CONFLICT)
      problem = "The request already has this tracking number.";
    else if (qs < 0)
      problem = "The database did not answer. Nothing was saved; please try again.";
  }
  if (problem) {
    hv_foia_request_page(rq, qs == HV_QS_CONFLICT ? 409 : 422, id,
                 one_problem(field, "Tracking number", problem), NULL);
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/foia/%lld?added=tracking", (long long)id));
}

static void new_page(struct hv_request *rq, int status, json_t *values, json_t *problems) {
  json_t *ctx = values ? values : json_object();
  if (!problems)
    problems = json_array();
  json_object_set_new(ctx, "has_problems", json_boolean(json_array_size(problems) > 0));
  json_object_set_new(ctx, "problems", problems);
  hv_page(rq, status, "foia_new", "Record a FOIA request — Haven", ctx);
}

static void page_new(struct hv_request *rq) { new_page(rq, 200, NULL, NULL); }

static void page_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_foia_fields f;
  hv_day d;
  int64_t id = 0;
  if (hv_form_body(rq, &form))
    return;
  static const char *const keys[] = {"agency",         "component",    "subject",
                                     "records_sought", "submitted_on", "received_on"};
  json_t *v = json_object(), *problems = json_array();
  const char *val[6];
  for (int i = 0; i < 6; i++) {
    const char *x = hv_form_get(&form, keys[i]);
    val[i] = x && *x ? x : NULL;
    json_object_set_new(v, keys[i], json_string(x ? x : ""));
  }
  static const char *const labels[] = {"Agency",         "Component",    "Subject",
                                       "Records sought", "Submitted on", "Received on"};
  static const size_t max[] = {200, 200, 300, 20000};
  for (int i = 0; i < 4; i++)
    if ((i != 1 && !val[i]) || (val[i] && strlen(val[i]) > max[i]))
      json_array_append_new(problems,
                            json_pack("{s:s, s:s, s:s}", "anchor", keys[i], "label", labels[i],
                                      "message", val[i] ? "This is too long." : "Fill this in."));
  for (int i = 4; i < 6; i++)
    if (val[i] && hv_day_parse(val[i], &d) != 0)
      json_array_append_new(problems,
                            json_pack("{s:s, s:s, s:s}", "anchor", keys[i], "label", labels[i],
                                      "message", "Enter a real date as YYYY-MM-DD."));
  if (json_array_size(problems) > 0) {
    new_page(rq, 422, v, problems);
    return;
  }
  hv_foia_fields_init(&f);
  f.agency = val[0];
  f.component = val[1] ? val[1] : "";
  f.subject = val[2];
  f.records_sought = val[3];
  f.submitted_on = val[4];
  f.received_on = val[5];
  f.expedited_asked = hv_form_get(&form, "expedited_asked") != NULL;
  f.fee_waiver_asked = hv_form_get(&form, "fee_waiver_asked") != NULL;
  f.fee_waiver_granted = f.expedited_granted = HV_FOIA_UNDECIDED;
  f.status = val[4] || val[5] ? HV_FST_SUBMITTED : HV_FST_DRAFTED;
  if (hv_foia_create(app->store, rq->principal, &f, &id) <= 0) {
    json_array_append_new(problems, json_pack("{s:s, s:s, s:s}", "anchor", "agency", "label",
                                              "Request", "message",
                                              "The database did not answer. Nothing was saved; "
                                              "please try again."));
    new_page(rq, 503, v, problems);
    return;
  }
  json_decref(v);
  json_decref(problems);
  hv_reply_redirect(rq, 303, hv_arena_printf(rq->arena, "/foia/%lld?added=request", (long long)id));
}

#define FOIA HV_PERM_FOIA

const struct hv_route hv_foia_pages[] = {
    {HV_GET, "/foia", FOIA, 0, 0, page_board},
    {HV_GET, "/foia/new", FOIA, 0, 0, page_new},
    {HV_POST, "/foia/new", FOIA, HV_R_CSRF, 64 * 1024, page_create},
    {HV_GET, "/foia/{id:int}", FOIA, 0, 0, page_request},
    {HV_POST, "/foia/{id:int}/events", FOIA, HV_R_CSRF, 8192, page_event_add},
    {HV_POST, "/foia/{id:int}/tracking-numbers", FOIA, HV_R_CSRF, 4096, page_tracking_add},
};
const size_t hv_foia_npages = sizeof hv_foia_pages / sizeof hv_foia_pages[0];
