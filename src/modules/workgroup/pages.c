/* The working group's pages, server-rendered and usable without
 * JavaScript, and the public consultations page:
 *
 *   GET  /workgroup                              sessions, recommendations, guidelines
 *   GET  /workgroup/members, POST                the members; add one
 *   GET  /workgroup/sessions/new, POST /workgroup/sessions
 *   GET  /workgroup/sessions/{id}                a session, its feedback; forms to
 *   POST /workgroup/sessions/{id}                  update it (held, attendance, summary)
 *   POST /workgroup/sessions/{id}/feedback         and add feedback
 *   GET  /workgroup/recommendations/new, POST /workgroup/recommendations
 *   GET  /workgroup/recommendations/{id}         a recommendation, its history; the
 *   POST /workgroup/recommendations/{id}/status    form to move its status
 *   GET  /workgroup/guidelines/new, POST /workgroup/guidelines
 *   GET  /workgroup/guidelines/{id}              a document, its versions; the form
 *   POST /workgroup/guidelines/{id}/versions       for the next version
 *   GET  /consultations, /consultations/{lang}   public: no sign-in, cached
 *
 * Forms become the same JSON the API reads and go through the same checks
 * (hv_wg_check, the redactor, the raw-HTML refusal) and store calls; a
 * refusal comes back on the form with the message beside its field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "core/clock.h"
#include "modules/kyr/kyr.h"
#include "modules/workgroup/workgroup.h"
#include "web/api.h"
#include "web/app.h"
#include "web/pagecache.h"

static const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* The city's date today, YYYY-MM-DD. */
static void today(char out[11]) {
  char iso[40];
  hv_time_format_iso(hv_clock_wall_ms(), iso, sizeof iso);
  memcpy(out, iso, 10);
  out[10] = '\0';
}

/* A form's value without CR (browsers send CR LF in a textarea), in the
 * arena; NULL when absent. */
static const char *form_text(struct hv_request *rq, const struct hv_form *f, const char *name) {
  const char *v = hv_form_get(f, name);
  if (!v)
    return NULL;
  char *out = hv_arena_strdup(rq->arena, v), *o = out;
  if (!out)
    return NULL;
  for (const char *p = v; *p; p++)
    if (*p != '\r')
      *o++ = *p;
  *o = '\0';
  return out;
}

/* The label people read for a form field. */
static const char *field_label(const char *field) {
  static const char *const labels[][2] = {
      {"name", "Name"},       {"organisation", "Organisation"}, {"group_role", "Role in the group"},
      {"kind", "Kind"},       {"title", "Title"},               {"held_on", "Date"},
      {"place", "Place"},     {"languages", "Languages"},       {"attendance", "Attendance"},
      {"summary", "Summary"}, {"status", "Status"},             {"topic", "Topic"},
      {"source", "Source"},   {"text", "Text"},                 {"note", "Note"},
      {"reason", "Reason"},   {"version", "Version"}};
  for (size_t i = 0; field && i < sizeof labels / sizeof labels[0]; i++)
    if (!strcmp(labels[i][0], field))
      return labels[i][1];
  return "Record";
}

static json_t *problem(const char *field, const char *message) {
  return json_pack("[{s:s, s:s, s:s}]", "anchor", field ? field : "main-content", "label",
                   field_label(field), "message", message);
}

/* Adds the page's problems to `ctx` (both stolen/borrowed as json_pack). */
static json_t *with_problems(json_t *ctx, json_t *problems) {
  if (!problems)
    problems = json_array();
  json_object_set_new(ctx, "has_problems", json_boolean(json_array_size(problems) > 0));
  json_object_set_new(ctx, "problems", problems);
  return ctx;
}

static void decorate_session(json_t *s) {
  json_object_set_new(s, "kind_label",
                      json_string(hv_wg_label(hv_wg_kinds, HV_WGK_MAX, jstr(s, "kind"))));
  json_object_set_new(
      s, "status_label",
      json_string(hv_wg_label(hv_wg_session_statuses, HV_WGS_MAX, jstr(s, "status"))));
  json_t *langs = json_object_get(s, "languages"), *l;
  size_t i;
  char buf[HV_WG_LANGS_MAX * (HV_WG_LANG_NAME_MAX + 2) + 1] = "";
  size_t len = 0;
  json_array_foreach(langs, i, l) {
    int w = snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", json_string_value(l));
    if (w < 0 || (size_t)w >= sizeof buf - len)
      break;
    len += (size_t)w;
  }
  json_object_set_new(s, "languages_text", json_string(buf));
  json_object_set_new(s, "held", json_boolean(!strcmp(jstr(s, "status"), "held")));
}

static void decorate_rec(json_t *r) {
  json_object_set_new(r, "status_label",
                      json_string(hv_wg_label(hv_wg_rec_statuses, HV_WGR_MAX, jstr(r, "status"))));
  json_object_set_new(r, "declined", json_boolean(!strcmp(jstr(r, "status"), "declined")));
}

static void store_failed(struct hv_request *rq, enum hv_qs qs, const char *none) {
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", none, NULL);
  else
    hv_reply_store_error(rq, qs);
}

/* --- the overview ------------------------------------------------------------------- */

static void page_overview(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *sessions = NULL, *recs = NULL, *gls = NULL, *x;
  size_t i;
  enum hv_qs qs;
  if ((qs = hv_wg_list(app->store, HV_WGE_SESSION, 0, &sessions)) < 0 ||
      (qs = hv_wg_rec_list(app->store, &recs)) < 0 ||
      (qs = hv_wg_guideline_list(app->store, &gls)) < 0) {
    json_decref(sessions);
    json_decref(recs);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_array_foreach(sessions, i, x) decorate_session(x);
  json_array_foreach(recs, i, x) decorate_rec(x);
  bool edit = (rq->principal->roles & HV_PERM_WORKGROUP) != 0;
  json_t *ctx = json_pack("{s:o, s:b, s:o, s:b, s:o, s:b, s:b}", "sessions", sessions,
                          "has_sessions", json_array_size(sessions) > 0, "recommendations", recs,
                          "has_recommendations", json_array_size(recs) > 0, "guidelines", gls,
                          "has_guidelines", json_array_size(gls) > 0, "edit", edit);
  hv_page(rq, 200, "workgroup", "Working group and consultations — Haven", ctx);
}

/* --- members -------------------------------------------------------------------------- */

static void members_page(struct hv_request *rq, int status, json_t *values, json_t *problems,
                         const char *notice) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_wg_list(app->store, HV_WGE_MEMBER, 0, &items);
  if (qs < 0) {
    json_decref(values);
    json_decref(problems);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *ctx = json_pack("{s:o, s:b, s:o, s:b, s:s?}", "items", items, "has_items",
                          json_array_size(items) > 0, "v", values ? values : json_object(), "edit",
                          (rq->principal->roles & HV_PERM_WORKGROUP) != 0, "notice", notice);
  hv_page(rq, status, "workgroup_members", "Working-group members — Haven",
          with_problems(ctx, problems));
}

static void page_members(struct hv_request *rq) {
  const char *added = hv_query(rq, "added");
  members_page(rq, 200, NULL, NULL, added ? "The member was added." : NULL);
}

/* Copies the form's `keys` into a JSON object of strings (present and
 * non-empty ones; a textarea's CR removed). */
static json_t *form_json(struct hv_request *rq, const struct hv_form *f, const char *const *keys) {
  json_t *o = json_object();
  for (size_t i = 0; keys[i]; i++) {
    const char *v = form_text(rq, f, keys[i]);
    if (v && *v)
      json_object_set_new(o, keys[i], json_string(v));
  }
  return o;
}

/* The problem of a refused check, for the form. */
static json_t *err_problem(const struct hv_wg_error *e) { return problem(e->field, e->message); }

static void page_member_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, NULL};
  int64_t id;
  static const char *const keys[] = {"name", "organisation", "group_role", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys);
  if (hv_wg_check(rq, HV_WGE_MEMBER, v, true, NULL, &scan, &err)) {
    members_page(rq, err.status == 400 ? 422 : err.status, v, err_problem(&err), NULL);
    return;
  }
  enum hv_qs qs = hv_wg_create(app->store, rq->principal, HV_WGE_MEMBER, 0, v, &id);
  if (qs <= 0) {
    members_page(rq, 503, v, problem(NULL, "The database did not answer. Nothing was saved."),
                 NULL);
    return;
  }
  json_decref(v);
  hv_reply_redirect(rq, 303, "/workgroup/members?added=1");
}

/* --- sessions ---------------------------------------------------------------------------- */

static void session_new_page(struct hv_request *rq, int status, json_t *values, json_t *problems) {
  json_t *ctx = json_pack("{s:o}", "v", values ? values : json_object());
  json_t *v = json_object_get(ctx, "v");
  json_object_set_new(v, "is_meeting", json_boolean(!strcmp(jstr(v, "kind"), "meeting")));
  hv_page(rq, status, "workgroup_session_new", "Plan a session — Haven",
          with_problems(ctx, problems));
}

static void page_session_new(struct hv_request *rq) { session_new_page(rq, 200, NULL, NULL); }

/* Types the session form's fields: languages from a comma list, the
 * attendance a number. 0, or -1 with a problem in *p. */
static int session_form(struct hv_request *rq, const struct hv_form *f, json_t *v, json_t **p) {
  const char *langs = hv_form_get(f, "languages");
  if (langs) {
    char store[HV_WG_LANGS_MAX * (HV_WG_LANG_NAME_MAX + 1)];
    const char *names[HV_WG_LANGS_MAX];
    int n = hv_wg_split_languages(langs, store, sizeof store, names);
    if (n < 0) {
      *p = problem("languages", "List at most 16 languages, separated by commas, each in 40 "
                                "characters or fewer.");
      return -1;
    }
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
      json_array_append_new(a, json_string(names[i]));
    json_object_set_new(v, "languages", a);
  }
  const char *att = hv_form_get(f, "attendance");
  int64_t n = 0;
  json_object_del(v, "attendance");
  if (att && *att) {
    if (hv_parse_i64(att, 0, 100000, &n) != 0) {
      *p = problem("attendance", "Enter the number of people who came (a whole number).");
      return -1;
    }
    json_object_set_new(v, "attendance", json_integer(n));
  }
  (void)rq;
  return 0;
}

static void page_session_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, NULL};
  json_t *p = NULL;
  int64_t id;
  static const char *const keys[] = {"kind",    "title",  "held_on", "place",
                                     "summary", "status", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys);
  if (session_form(rq, &form, v, &p)) {
    session_new_page(rq, 422, v, p);
    return;
  }
  if (hv_wg_check(rq, HV_WGE_SESSION, v, true, NULL, &scan, &err)) {
    session_new_page(rq, 422, v, err_problem(&err));
    return;
  }
  enum hv_qs qs = hv_wg_create(app->store, rq->principal, HV_WGE_SESSION, 0, v, &id);
  json_decref(v);
  if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/workgroup/sessions/%lld?saved=%zu", (long long)id,
                                    scan.redacted));
}

static void session_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                         const char *notice) {
  struct hv_app *app = rq->app;
  json_t *s = NULL;
  enum hv_qs qs = hv_wg_get(app->store, HV_WGE_SESSION, id, &s);
  if (qs <= 0) {
    json_decref(problems);
    store_failed(rq, qs, "There is no such session.");
    return;
  }
  decorate_session(s);
  json_object_set_new(s, "has_feedback",
                      json_boolean(json_array_size(json_object_get(s, "feedback")) > 0));
  json_t *sts = json_array();
  for (int k = 0; k < HV_WGS_MAX; k++)
    json_array_append_new(sts,
                          json_pack("{s:s, s:s, s:b}", "code", hv_wg_session_statuses[k].code,
                                    "label", hv_wg_session_statuses[k].label, "selected",
                                    !strcmp(hv_wg_session_statuses[k].code, jstr(s, "status"))));
  json_object_set_new(s, "statuses", sts);
  json_t *ctx = json_pack("{s:o, s:s?, s:b}", "s", s, "notice", notice, "edit",
                          (rq->principal->roles & HV_PERM_WORKGROUP) != 0);
  hv_page(rq, status, "workgroup_session", "Session — Haven", with_problems(ctx, problems));
}

static const char *saved_notice(struct hv_request *rq, const char *what) {
  const char *saved = hv_query(rq, "saved");
  if (!saved)
    return NULL;
  if (strcmp(saved, "0") == 0)
    return hv_arena_printf(rq->arena, "%s saved.", what);
  return hv_arena_printf(rq->arena,
                         "%s saved. %s personal identifier(s) (phone numbers, emails, alien "
                         "numbers and the like) were replaced by placeholders: residents are "
                         "not named or reachable from these records.",
                         what, saved);
}

static void page_session(struct hv_request *rq) {
  session_page(rq, 200, hv_param(rq, "id")->num, NULL, saved_notice(rq, "The session was"));
}

static void page_session_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, NULL};
  json_t *p = NULL, *cur = NULL;
  int64_t id = hv_param(rq, "id")->num, version = 0, current = 0;
  static const char *const keys[] = {"status", "summary", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys);
  const char *ver = hv_form_get(&form, "version");
  if (!json_object_get(v, "summary"))
    json_object_set_new(v, "summary", json_string(""));
  if (!ver || hv_parse_i64(ver, 1, 1000000000, &version) != 0) {
    json_decref(v);
    hv_reply_error(rq, 400, "invalid_value", "The form has no version.", "version");
    return;
  }
  enum hv_qs qs = hv_wg_get(app->store, HV_WGE_SESSION, id, &cur);
  if (qs <= 0) {
    json_decref(v);
    store_failed(rq, qs, "There is no such session.");
    return;
  }
  json_object_set_new(v, "version", json_integer(version));
  if (session_form(rq, &form, v, &p) ||
      (hv_wg_check(rq, HV_WGE_SESSION, v, false, cur, &scan, &err) && (p = err_problem(&err)))) {
    json_decref(v);
    json_decref(cur);
    session_page(rq, 422, id, p, NULL);
    return;
  }
  json_decref(cur);
  json_object_del(v, "version");
  qs = hv_wg_update(app->store, rq->principal, HV_WGE_SESSION, id, version, v, &current);
  json_decref(v);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, NULL, current, "There is no such session.", &err);
    if (err.status == 404) {
      hv_reply_error(rq, 404, err.code, err.message, NULL);
      return;
    }
    session_page(rq, err.status, id, err_problem(&err), NULL);
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/workgroup/sessions/%lld?saved=%zu", (long long)id,
                                    scan.redacted));
}

static void page_feedback_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, NULL};
  int64_t id = hv_param(rq, "id")->num, fid;
  static const char *const keys[] = {"topic", "summary", "source", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys);
  if (hv_wg_check(rq, HV_WGE_FEEDBACK, v, true, NULL, &scan, &err)) {
    json_decref(v);
    json_t *p = err_problem(&err);
    if (err.field && !strcmp(err.field, "summary")) /* the feedback form's own field */
      json_object_set_new(json_array_get(p, 0), "anchor", json_string("fb-summary"));
    session_page(rq, 422, id, p, NULL);
    return;
  }
  enum hv_qs qs = hv_wg_create(app->store, rq->principal, HV_WGE_FEEDBACK, id, v, &fid);
  json_decref(v);
  if (qs <= 0) {
    store_failed(rq, qs, "There is no such session.");
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/workgroup/sessions/%lld?saved=%zu#feedback",
                                    (long long)id, scan.redacted));
}

/* --- recommendations ------------------------------------------------------------------- */

/* The ids of the form's checked `name` boxes, as a JSON array. */
static json_t *form_ids(const struct hv_form *f, const char *name) {
  json_t *a = json_array();
  for (size_t i = 0; i < f->n && json_array_size(a) < HV_WG_LINKS_MAX; i++) {
    int64_t x;
    if (!strcmp(f->fields[i].name, name) && hv_parse_i64(f->fields[i].value, 1, INT64_MAX, &x) == 0)
      json_array_append_new(a, json_integer(x));
  }
  return a;
}

static void rec_new_page(struct hv_request *rq, int status, json_t *values, json_t *problems) {
  struct hv_app *app = rq->app;
  json_t *fb = NULL;
  enum hv_qs qs = hv_wg_list(app->store, HV_WGE_FEEDBACK, 0, &fb);
  if (qs < 0) {
    json_decref(values);
    json_decref(problems);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *ctx = json_pack("{s:o, s:o, s:b}", "v", values ? values : json_object(), "feedback", fb,
                          "has_feedback", json_array_size(fb) > 0);
  hv_page(rq, status, "workgroup_rec_new", "Write a recommendation — Haven",
          with_problems(ctx, problems));
}

static void page_rec_new(struct hv_request *rq) { rec_new_page(rq, 200, NULL, NULL); }

static void page_rec_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_scan scan = {0, NULL};
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id;
  static const char *const keys[] = {"title", "text", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys);
  const char *title = jstr(v, "title"), *text = jstr(v, "text");
  json_t *p = NULL;
  if (!*title || strlen(title) > 800)
    p = problem("title", "Give the recommendation a short title (200 characters at most).");
  else if (!*text || strlen(text) > 80000)
    p = problem("text", "Write the recommendation (20,000 characters at most).");
  else if (!(title = hv_wg_redact(rq, "title", title, &scan)) ||
           !(text = hv_wg_redact(rq, "text", text, &scan)))
    p = problem("text", "The text is not valid.");
  if (p) {
    rec_new_page(rq, 422, v, p);
    return;
  }
  json_t *ids = form_ids(&form, "feedback_id");
  enum hv_qs qs = hv_wg_rec_create(app->store, rq->principal, title, text, ids, &r, &id);
  json_decref(ids);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, &r, 0, "There is no such recommendation.", &err);
    rec_new_page(rq, err.status, v, err_problem(&err));
    return;
  }
  json_decref(v);
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/workgroup/recommendations/%lld?saved=%zu",
                                    (long long)id, scan.redacted));
}

static void rec_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                     const char *notice) {
  struct hv_app *app = rq->app;
  json_t *r = NULL, *x;
  size_t i;
  enum hv_qs qs = hv_wg_rec_get(app->store, id, &r);
  if (qs <= 0) {
    json_decref(problems);
    store_failed(rq, qs, "There is no such recommendation.");
    return;
  }
  decorate_rec(r);
  json_array_foreach(json_object_get(r, "history"), i, x) {
    char when[64] = "";
    hv_time_format(json_integer_value(json_object_get(x, "at")), when, sizeof when);
    json_object_set_new(x, "when", json_string(when));
    json_object_set_new(x, "to_label",
                        json_string(hv_wg_label(hv_wg_rec_statuses, HV_WGR_MAX, jstr(x, "to"))));
  }
  int from = hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, jstr(r, "status"));
  json_t *next = json_array();
  for (int k = 0; k < HV_WGR_MAX; k++)
    if (from >= 0 && hv_wg_rec_can_move((enum hv_wg_rec_status)from, (enum hv_wg_rec_status)k))
      json_array_append_new(next, json_pack("{s:s, s:s}", "code", hv_wg_rec_statuses[k].code,
                                            "label", hv_wg_rec_statuses[k].label));
  json_object_set_new(r, "can_move", json_boolean(json_array_size(next) > 0));
  json_object_set_new(r, "next", next);
  json_object_set_new(r, "has_feedback",
                      json_boolean(json_array_size(json_object_get(r, "feedback")) > 0));
  json_object_set_new(r, "has_guidelines",
                      json_boolean(json_array_size(json_object_get(r, "guidelines")) > 0));
  json_t *ctx = json_pack("{s:o, s:s?, s:b}", "r", r, "notice", notice, "edit",
                          (rq->principal->roles & HV_PERM_WORKGROUP) != 0);
  hv_page(rq, status, "workgroup_rec", "Recommendation — Haven", with_problems(ctx, problems));
}

static void page_rec(struct hv_request *rq) {
  rec_page(rq, 200, hv_param(rq, "id")->num, NULL, saved_notice(rq, "The recommendation was"));
}

static void page_rec_move(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_scan scan = {0, NULL};
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = hv_param(rq, "id")->num, version = 0, current = 0;
  if (hv_form_body(rq, &form))
    return;
  const char *status = hv_form_get(&form, "status"), *ver = hv_form_get(&form, "version");
  const char *reason = form_text(rq, &form, "reason");
  int to = hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, status);
  if (!ver || hv_parse_i64(ver, 1, 1000000000, &version) != 0) {
    hv_reply_error(rq, 400, "invalid_value", "The form has no version.", "version");
    return;
  }
  if (reason && *reason)
    reason = strlen(reason) > 8000 ? NULL : hv_wg_redact(rq, "reason", reason, &scan);
  else
    reason = NULL;
  if (to < 0) {
    rec_page(rq, 422, id, problem("status", "Choose the new status."), NULL);
    return;
  }
  if (to == HV_WGR_DECLINED && !reason) {
    rec_page(rq, 422, id, problem("reason", "Say why the recommendation is declined."), NULL);
    return;
  }
  enum hv_qs qs = hv_wg_rec_move(app->store, rq->principal, id, version, (enum hv_wg_rec_status)to,
                                 reason, &r, &current);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, &r, current, "There is no such recommendation.", &err);
    if (err.status == 404)
      hv_reply_error(rq, 404, err.code, err.message, NULL);
    else
      rec_page(rq, err.status, id, err_problem(&err), NULL);
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/workgroup/recommendations/%lld?saved=%zu",
                                    (long long)id, scan.redacted));
}

/* --- guidelines ---------------------------------------------------------------------------- */

static void gl_new_page(struct hv_request *rq, int status, json_t *values, json_t *problems) {
  struct hv_app *app = rq->app;
  json_t *recs = NULL, *x;
  size_t i;
  enum hv_qs qs = hv_wg_rec_list(app->store, &recs);
  if (qs < 0) {
    json_decref(values);
    json_decref(problems);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_array_foreach(recs, i, x) decorate_rec(x);
  json_t *ctx =
      json_pack("{s:o, s:o, s:b}", "v", values ? values : json_object(), "recommendations", recs,
                "has_recommendations", json_array_size(recs) > 0);
  hv_page(rq, status, "workgroup_guideline_new", "New guideline document — Haven",
          with_problems(ctx, problems));
}

static void page_gl_new(struct hv_request *rq) { gl_new_page(rq, 200, NULL, NULL); }

static const char *const RAW_HTML =
    "Write the text in Markdown without HTML tags: raw HTML is not accepted.";

static void page_gl_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id;
  static const char *const keys[] = {"title", "text", "note", NULL};
  if (hv_form_body(rq, &form))
    return;
  json_t *v = form_json(rq, &form, keys), *p = NULL;
  const char *title = jstr(v, "title"), *text = jstr(v, "text"), *note = jstr(v, "note");
  if (!*title || strlen(title) > 800)
    p = problem("title", "Give the document a title (200 characters at most).");
  else if (!*text || strlen(text) > 100000)
    p = problem("text", "Write the document's text (100,000 characters at most).");
  else if (strlen(note) > 2000)
    p = problem("note", "Keep the note short (500 characters at most).");
  else if (hv_wg_has_raw_html(text))
    p = problem("text", RAW_HTML);
  if (p) {
    gl_new_page(rq, 422, v, p);
    return;
  }
  json_t *ids = form_ids(&form, "recommendation_id");
  enum hv_qs qs =
      hv_wg_guideline_create(app->store, rq->principal, title, text, note, ids, &r, &id);
  json_decref(ids);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, &r, 0, "There is no such document.", &err);
    gl_new_page(rq, err.status, v, err_problem(&err));
    return;
  }
  json_decref(v);
  hv_reply_redirect(
      rq, 303, hv_arena_printf(rq->arena, "/workgroup/guidelines/%lld?saved=0", (long long)id));
}

static void gl_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                    const char *notice) {
  struct hv_app *app = rq->app;
  json_t *g = NULL, *x;
  size_t i;
  enum hv_qs qs = hv_wg_guideline_get(app->store, id, &g);
  if (qs <= 0) {
    json_decref(problems);
    store_failed(rq, qs, "There is no such guideline document.");
    return;
  }
  hv_wg_render_versions(g);
  json_array_foreach(json_object_get(g, "versions"), i, x) {
    char when[64] = "";
    hv_time_format(json_integer_value(json_object_get(x, "created_at")), when, sizeof when);
    json_object_set_new(x, "when", json_string(when));
    json_object_set_new(x, "current", json_boolean(i == 0));
  }
  json_array_foreach(json_object_get(g, "recommendations"), i, x) decorate_rec(x);
  json_t *cur = json_array_get(json_object_get(g, "versions"), 0);
  json_object_set_new(g, "current_text", json_string(jstr(cur, "text")));
  json_object_set_new(g, "has_recommendations",
                      json_boolean(json_array_size(json_object_get(g, "recommendations")) > 0));
  json_t *ctx = json_pack("{s:o, s:s?, s:b}", "g", g, "notice", notice, "edit",
                          (rq->principal->roles & HV_PERM_WORKGROUP) != 0);
  hv_page(rq, status, "workgroup_guideline", "Guideline document — Haven",
          with_problems(ctx, problems));
}

static void page_gl(struct hv_request *rq) {
  gl_page(rq, 200, hv_param(rq, "id")->num, NULL, saved_notice(rq, "The document was"));
}

static void page_gl_version(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = hv_param(rq, "id")->num, version = 0, current = 0;
  if (hv_form_body(rq, &form))
    return;
  const char *text = form_text(rq, &form, "text"), *note = form_text(rq, &form, "note");
  const char *ver = hv_form_get(&form, "version");
  if (!ver || hv_parse_i64(ver, 1, 1000000000, &version) != 0) {
    hv_reply_error(rq, 400, "invalid_value", "The form has no version.", "version");
    return;
  }
  json_t *p = NULL;
  if (!text || !*text || strlen(text) > 100000)
    p = problem("text", "Write the new text (100,000 characters at most).");
  else if (note && strlen(note) > 2000)
    p = problem("note", "Keep the note short (500 characters at most).");
  else if (hv_wg_has_raw_html(text))
    p = problem("text", RAW_HTML);
  if (p) {
    gl_page(rq, 422, id, p, NULL);
    return;
  }
  enum hv_qs qs = hv_wg_guideline_add_version(app->store, rq->principal, id, version, text, note,
                                              &r, &current, NULL);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, &r, current, "There is no such guideline document.", &err);
    if (err.status == 404)
      hv_reply_error(rq, 404, err.code, err.message, NULL);
    else
      gl_page(rq, err.status, id, err_problem(&err), NULL);
    return;
  }
  hv_reply_redirect(
      rq, 303, hv_arena_printf(rq->arena, "/workgroup/guidelines/%lld?saved=0", (long long)id));
}

/* --- the public page ----------------------------------------------------------------------- */

/* Attendance as the public sees it: a count under 5 is shown as "<5"
 * (DESIGN.md section 4, small-cell suppression). */
static json_t *public_count(const json_t *v) {
  if (!json_is_integer(v))
    return json_null();
  json_int_t n = json_integer_value(v);
  if (n < 5)
    return json_string("<5");
  char s[24];
  snprintf(s, sizeof s, "%lld", (long long)n);
  return json_string(s);
}

/* GET /consultations/{lang}: the consultations held and upcoming, and the
 * recommendations with their status: dates, places, languages, counts,
 * titles. No member, no feedback, no summary: nothing about a person. */
static void public_page(struct hv_request *rq, const char *tag) {
  struct hv_app *app = rq->app;
  const char *dir = "ltr";
  json_t *ui = hv_kyr_ui(app, tag, "consult_title", &dir);
  if (!ui) {
    hv_reply_error(rq, 404, "not_found", "There is no such page.", NULL);
    return;
  }
  char day[11], key[HV_PAGECACHE_KEY_MAX];
  today(day);
  snprintf(key, sizeof key, "consultations/%s/%s", tag, day);
  uint64_t gen = hv_wg_generation();
  if (hv_pagecache_serve(rq, key, gen)) {
    json_decref(ui);
    return;
  }
  json_t *sessions = NULL, *recs = NULL, *x;
  size_t i;
  enum hv_qs qs;
  if ((qs = hv_wg_list(app->store, HV_WGE_SESSION, 0, &sessions)) < 0 ||
      (qs = hv_wg_rec_list(app->store, &recs)) < 0) {
    json_decref(sessions);
    json_decref(ui);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *held = json_array(), *upcoming = json_array(), *rl = json_array();
  json_array_foreach(sessions, i, x) {
    if (strcmp(jstr(x, "kind"), "consultation") != 0)
      continue;
    decorate_session(x);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "date", jstr(x, "held_on"), "title",
                          jstr(x, "title"), "place", jstr(x, "place"), "languages",
                          jstr(x, "languages_text"), "attendance",
                          public_count(json_object_get(x, "attendance")));
    const char *st = jstr(x, "status");
    if (!strcmp(st, "held"))
      json_array_append_new(held, o);
    else if (!strcmp(st, "planned") && strcmp(jstr(x, "held_on"), day) >= 0)
      json_array_insert_new(upcoming, 0, o); /* soonest first */
    else
      json_decref(o);
  }
  json_array_foreach(recs, i, x) {
    char k[40];
    snprintf(k, sizeof k, "status_%s", jstr(x, "status"));
    json_t *label = json_object_get(ui, k);
    json_array_append_new(rl, json_pack("{s:s, s:s, s:s, s:s}", "title", jstr(x, "title"), "status",
                                        jstr(x, "status"), "status_label",
                                        label ? json_string_value(label) : jstr(x, "status"),
                                        "date", jstr(x, "status_date")));
  }
  json_decref(sessions);
  json_decref(recs);
  json_t *langs = json_array();
  static const char *const offered[] = {"en", "es"};
  for (size_t k = 0; k < sizeof offered / sizeof offered[0]; k++) {
    const char *d = "ltr";
    json_t *u = hv_kyr_ui(app, offered[k], "consult_title", &d);
    if (u && strcmp(offered[k], tag) != 0)
      json_array_append_new(langs, json_pack("{s:s, s:s, s:s}", "tag", offered[k], "name",
                                             jstr(u, "consult_language_name"), "dir", d));
    json_decref(u);
  }
  const char *title = jstr(ui, "consult_title");
  /* the site's header and footer are in English: marked so on other pages */
  json_t *site = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:s}", "name", "Haven", "static",
                           app->assets->prefix, "demo", app->demo, "english_chrome",
                           strcmp(tag, "en") != 0, "lang", tag, "dir", dir, "title",
                           hv_arena_printf(rq->arena, "%s — %s", title, jstr(ui, "city")));
  json_t *ctx = json_pack("{s:o, s:o, s:o, s:b, s:o, s:b, s:o, s:b, s:o}", "site", site, "ui", ui,
                          "held", held, "has_held", json_array_size(held) > 0, "upcoming", upcoming,
                          "has_upcoming", json_array_size(upcoming) > 0, "recommendations", rl,
                          "has_recommendations", json_array_size(rl) > 0, "languages", langs);
  struct hv_buf b;
  hv_buf_init(&b, 1u << 20);
  int rc = hv_tpl_render(app->tpl, "consultations", ctx, &b);
  json_decref(ctx);
  if (rc) {
    hv_buf_free(&b);
    hv_log(HV_LOG_ERROR, "template failed", HV_LS("template", "consultations"));
    hv_reply_error(rq, 500, "internal", "The page could not be built.", NULL);
    return;
  }
  struct hv_pagecache_header h[] = {{"Content-Language", tag}};
  hv_pagecache_put(rq, key, gen, "text/html; charset=utf-8", b.data, b.len, h, 1);
  hv_buf_free(&b);
}

static void page_public(struct hv_request *rq) { public_page(rq, "en"); }
static void page_public_lang(struct hv_request *rq) { public_page(rq, hv_param(rq, "lang")->str); }

#define READ HV_PERM_WORKGROUP_READ
#define EDIT HV_PERM_WORKGROUP
#define PUBLIC (HV_R_PUBLIC | HV_R_ANON | HV_R_CACHED)

const struct hv_route hv_workgroup_pages[] = {
    {HV_GET, "/workgroup", READ, 0, 0, page_overview},
    {HV_GET, "/workgroup/members", READ, 0, 0, page_members},
    {HV_POST, "/workgroup/members", EDIT, HV_R_CSRF, 8192, page_member_add},
    {HV_GET, "/workgroup/sessions/new", EDIT, 0, 0, page_session_new},
    {HV_POST, "/workgroup/sessions", EDIT, HV_R_CSRF, 128 * 1024, page_session_add},
    {HV_GET, "/workgroup/sessions/{id:int}", READ, 0, 0, page_session},
    {HV_POST, "/workgroup/sessions/{id:int}", EDIT, HV_R_CSRF, 128 * 1024, page_session_update},
    {HV_POST, "/workgroup/sessions/{id:int}/feedback", EDIT, HV_R_CSRF, 32 * 1024,
     page_feedback_add},
    {HV_GET, "/workgroup/recommendations/new", EDIT, 0, 0, page_rec_new},
    {HV_POST, "/workgroup/recommendations", EDIT, HV_R_CSRF, 128 * 1024, page_rec_add},
    {HV_GET, "/workgroup/recommendations/{id:int}", READ, 0, 0, page_rec},
    {HV_POST, "/workgroup/recommendations/{id:int}/status", EDIT, HV_R_CSRF, 16 * 1024,
     page_rec_move},
    {HV_GET, "/workgroup/guidelines/new", EDIT, 0, 0, page_gl_new},
    {HV_POST, "/workgroup/guidelines", EDIT, HV_R_CSRF, 512 * 1024, page_gl_add},
    {HV_GET, "/workgroup/guidelines/{id:int}", READ, 0, 0, page_gl},
    {HV_POST, "/workgroup/guidelines/{id:int}/versions", EDIT, HV_R_CSRF, 512 * 1024,
     page_gl_version},
    {HV_GET, "/consultations", 0, PUBLIC, 0, page_public},
    {HV_GET, "/consultations/{lang:str}", 0, PUBLIC, 0, page_public_lang},
};
const size_t hv_workgroup_npages = sizeof hv_workgroup_pages / sizeof hv_workgroup_pages[0];
