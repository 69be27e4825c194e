/* The preparedness plans' pages, server-rendered and usable without
 * JavaScript:
 *
 *   GET  /plans                                       directives and the plans in scope
 *   POST /plans/directives/{id}/issue                 issue a directive to every department
 *   GET  /plans/board/{id}                            MOIA's board, sortable, with exports
 *   GET  /plans/{id}                                  a plan: answers, evidence, versions, review
 *   POST /plans/{id}/requirements/{rid}               answer one requirement
 *   POST /plans/{id}/requirements/{rid}/evidence      attach an evidence file
 *   POST /plans/{id}/submit                           submit the plan
 *   POST /plans/{id}/review                           accept, or request changes
 *   GET  /plans/{id}/compare?from=N&to=M              two submitted versions side by side
 *   GET  /plans/{id}/evidence/{eid}                   download an evidence file
 *
 * They read the same views and call the same store functions as the API
 * (http.c), with the sentences people read added. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/json.h"
#include "core/timefmt.h"
#include "modules/plans/plans.h"
#include "web/api.h"
#include "web/app.h"

static json_t *problem(const char *anchor, const char *label, const char *message) {
  return json_pack("[{s:s, s:s, s:s}]", "anchor", anchor, "label", label, "message", message);
}

/* "3 days left", "Due today", "5 days overdue", "Submitted 2 days late". */
static void timing_words(json_t *p) {
  char text[96];
  json_int_t left = json_integer_value(json_object_get(p, "days_left"));
  json_int_t late = json_integer_value(json_object_get(p, "days_late"));
  if (json_is_true(json_object_get(p, "delivered")))
    snprintf(text, sizeof text, late ? "First submitted %lld day%s late" : "Submitted on time",
             (long long)late, late == 1 ? "" : "s");
  else if (left > 0)
    snprintf(text, sizeof text, "%lld day%s left", (long long)left, left == 1 ? "" : "s");
  else if (left == 0)
    snprintf(text, sizeof text, "Due today");
  else
    snprintf(text, sizeof text, "%lld day%s overdue", (long long)-left, left == -1 ? "" : "s");
  json_object_set_new(p, "timing_text", json_string(text));
}

/* --- the list -------------------------------------------------------------------- */

static void list_page(struct hv_request *rq, int status, json_t *problems, const char *notice) {
  struct hv_app *app = rq->app;
  json_t *dirs = NULL, *plans = NULL;
  char today[11];
  if (hv_directives_list(app->store, &dirs) < 0 ||
      hv_plans_list(app->store, 0, hv_policy_department(rq->principal), &plans) < 0) {
    json_decref(dirs);
    json_decref(problems);
    hv_reply_error(rq, 503, "unavailable", "The database did not answer; please try again.", NULL);
    return;
  }
  hv_plans_today(today);
  size_t i;
  json_t *x;
  bool board = (rq->roles & HV_PERM_PLANS_BOARD) != 0;
  bool admin = (rq->roles & HV_PERM_PLANS_ADMIN) != 0;
  json_array_foreach(dirs, i, x) {
    json_object_set_new(x, "can_board",
                        json_boolean(board && !json_is_null(json_object_get(x, "issued_on"))));
    json_object_set_new(x, "can_issue",
                        json_boolean(admin && json_is_null(json_object_get(x, "issued_on"))));
    json_object_set_new(
        x, "requirement_count",
        json_integer((json_int_t)json_array_size(json_object_get(x, "requirements"))));
  }
  json_array_foreach(plans, i, x) {
    hv_plan_add_timing(x, today);
    timing_words(x);
  }
  json_t *ctx =
      json_pack("{s:o, s:o, s:b, s:b, s:s}", "directives", dirs, "plans", plans, "has_directives",
                json_array_size(dirs) > 0, "has_plans", json_array_size(plans) > 0, "today", today);
  if (!problems)
    problems = json_array();
  json_object_set_new(ctx, "has_problems", json_boolean(json_array_size(problems) > 0));
  json_object_set_new(ctx, "problems", problems);
  if (notice)
    json_object_set_new(ctx, "notice", json_string(notice));
  hv_page(rq, status, "plans", "Preparedness plans — Haven", ctx);
}

static void page_list(struct hv_request *rq) {
  const char *issued = hv_query(rq, "issued");
  list_page(rq, 200, NULL,
            issued ? "The directive was issued: every department has its plan, with its due date."
                   : NULL);
}

static void page_issue(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  int64_t id = hv_param(rq, "id")->num, count = 0;
  char today[11];
  if (hv_form_body(rq, &f))
    return;
  const char *on = hv_form_get(&f, "issued_on");
  const char *anchor = hv_arena_printf(rq->arena, "issued_on-%lld", (long long)id);
  hv_plans_today(today);
  if (!on || !*on)
    on = today;
  if (!hv_date_valid(on)) {
    list_page(rq, 422, problem(anchor, "Issued on", "Enter the day it was issued, as YYYY-MM-DD."),
              NULL);
    return;
  }
  if (strcmp(on, today) > 0) {
    list_page(rq, 422,
              problem(anchor, "Issued on",
                      "A directive is issued on a day that has come: not in "
                      "the future."),
              NULL);
    return;
  }
  enum hv_qs qs = hv_directive_issue(app->store, rq->principal, id, on, &count);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such directive.", NULL);
    return;
  }
  if (qs < 0) {
    list_page(rq, qs == HV_QS_CONFLICT ? 409 : 503,
              problem(anchor, "Issue",
                      qs == HV_QS_CONFLICT
                          ? "The directive was issued already: every department has its plan."
                          : "The database did not answer. Nothing was saved; please try again."),
              NULL);
    return;
  }
  hv_reply_redirect(rq, 303, "/plans?issued=1");
}

/* --- the board --------------------------------------------------------------------- */

static void page_board(struct hv_request *rq) {
  const char *s = hv_query(rq, "sort"), *o = hv_query(rq, "order");
  int by = s ? hv_board_sort_parse(s) : HV_BSORT_DEPARTMENT;
  bool desc = o && !strcmp(o, "desc");
  if (by < 0)
    by = HV_BSORT_DEPARTMENT;
  int64_t id = hv_param(rq, "id")->num;
  json_t *b = hv_plans_board_view(rq, id, (enum hv_board_sort)by, desc);
  if (!b)
    return;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(b, "rows"), i, r) {
    timing_words(r);
    char tmp[32];
    json_object_set_new(r, "training_text",
                        json_string(hv_board_cell(r, "training_reached", tmp, sizeof tmp)));
    json_object_set_new(r, "contractor_text",
                        json_string(hv_board_cell(r, "contractor_coverage", tmp, sizeof tmp)));
  }
  /* Each sortable column's header links to its own order; the current one
   * says in words which way it is sorted. */
  static const struct {
    enum hv_board_sort key;
    const char *label;
  } cols[] = {{HV_BSORT_DEPARTMENT, "Department"},
              {HV_BSORT_STATUS, "Status"},
              {HV_BSORT_DUE, "Due"},
              {HV_BSORT_DONE, "Requirements done"}};
  json_t *heads = json_array();
  for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
    bool cur = cols[k].key == (enum hv_board_sort)by;
    bool next_desc = cur && !desc;
    json_array_append_new(
        heads,
        json_pack("{s:s, s:s, s:s, s:b}", "label", cols[k].label, "href",
                  hv_arena_printf(rq->arena, "/plans/board/%lld?sort=%s&order=%s", (long long)id,
                                  hv_board_sort_code(cols[k].key), next_desc ? "desc" : "asc"),
                  "sorted", desc ? "sorted, descending" : "sorted, ascending", "current", cur));
  }
  json_object_set_new(b, "heads", heads);
  json_object_set_new(b, "query",
                      json_string(hv_arena_printf(rq->arena, "sort=%s&order=%s",
                                                  hv_board_sort_code((enum hv_board_sort)by),
                                                  desc ? "desc" : "asc")));
  hv_page(rq, 200, "plans_board", "Preparedness plans board — Haven", b);
}

/* --- a plan ------------------------------------------------------------------------ */

static json_t *status_options(const char *current) {
  json_t *o = json_array();
  for (int k = 0; k < HV_ANS_STATUS_MAX; k++)
    json_array_append_new(
        o, json_pack("{s:s, s:s, s:b}", "code", hv_answer_status_code((enum hv_answer_status)k),
                     "label", hv_answer_status_label((enum hv_answer_status)k), "selected",
                     current && !strcmp(current, hv_answer_status_code((enum hv_answer_status)k))));
  return o;
}

void hv_plans_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                   const char *notice) {
  json_t *p = hv_plans_view(rq, id);
  if (!p) {
    json_decref(problems);
    return;
  }
  int st = hv_plan_status_parse(json_string_value(json_object_get(p, "status")));
  bool editable = st >= 0 && hv_plan_may_edit((enum hv_plan_status)st);
  bool can_edit = editable && (rq->roles & HV_PERM_PLANS_EDIT);
  bool can_review = st == HV_PLAN_SUBMITTED && (rq->roles & HV_PERM_PLANS_REVIEW);
  timing_words(p);
  /* The latest decision's comments, beside their requirements. */
  json_t *subs = json_object_get(p, "submission_list");
  json_t *last = json_array_size(subs) ? json_array_get(subs, json_array_size(subs) - 1) : NULL;
  json_t *review = last ? json_object_get(last, "review") : NULL;
  size_t i, k;
  json_t *r, *c;
  json_array_foreach(json_object_get(p, "requirements"), i, r) {
    const char *as = json_string_value(json_object_get(r, "status"));
    int a = hv_answer_status_parse(as);
    json_object_set_new(
        r, "status_label",
        json_string(a >= 0 ? hv_answer_status_label((enum hv_answer_status)a) : ""));
    json_object_set_new(r, "options", status_options(as));
    json_object_set_new(r, "is_done", json_boolean(a == HV_ANS_DONE || a == HV_ANS_NOT_APPLICABLE));
    json_int_t rid = json_integer_value(json_object_get(r, "requirement_id"));
    json_array_foreach(review, k,
                       c) if (json_integer_value(json_object_get(c, "requirement_id")) == rid)
        json_object_set(r, "review_comment", json_object_get(c, "comment"));
    json_t *items = json_array();
    json_t *e;
    size_t j;
    json_array_foreach(json_object_get(r, "evidence"), j, e) {
      json_object_set_new(
          e, "download",
          json_string(hv_arena_printf(rq->arena, "/plans/%lld/evidence/%lld", (long long)id,
                                      (long long)json_integer_value(json_object_get(e, "id")))));
      json_object_set_new(
          e, "sha_short",
          json_string(hv_arena_printf(rq->arena, "%.12s",
                                      json_string_value(json_object_get(e, "sha256")))));
      json_t *next = json_array_get(json_object_get(r, "evidence"), j + 1);
      if (!next || json_integer_value(json_object_get(next, "item")) !=
                       json_integer_value(json_object_get(e, "item")))
        json_array_append_new(items, json_pack("{s:O, s:O}", "item", json_object_get(e, "item"),
                                               "file_name", json_object_get(e, "file_name")));
    }
    json_object_set_new(r, "items", items);
    json_object_set_new(r, "has_evidence",
                        json_boolean(json_array_size(json_object_get(r, "evidence")) > 0));
    json_object_set_new(r, "percent_text",
                        json_is_integer(json_object_get(r, "percent"))
                            ? json_string(hv_arena_printf(
                                  rq->arena, "%lld%%",
                                  (long long)json_integer_value(json_object_get(r, "percent"))))
                            : json_null());
  }
  json_array_foreach(subs, i, c) {
    char when[64];
    hv_time_format(json_integer_value(json_object_get(c, "submitted_at")), when, sizeof when);
    json_object_set_new(c, "when", json_string(when));
    const char *d = json_string_value(json_object_get(c, "decision"));
    json_object_set_new(c, "decision_text",
                        json_string(!d                       ? "Awaiting review"
                                    : !strcmp(d, "accepted") ? "Accepted"
                                                             : "Changes requested"));
    json_int_t n = json_integer_value(json_object_get(c, "number"));
    if (n > 1)
      json_object_set_new(
          c, "compare",
          json_string(hv_arena_printf(rq->arena, "/plans/%lld/compare?from=%lld&to=%lld",
                                      (long long)id, (long long)(n - 1), (long long)n)));
  }
  if (!problems)
    problems = json_array();
  json_t *ctx =
      json_pack("{s:o, s:b, s:b, s:b, s:b, s:o, s:b}", "p", p, "can_edit", can_edit, "can_submit",
                can_edit, "can_review", can_review, "has_problems", json_array_size(problems) > 0,
                "problems", problems, "has_submissions", json_array_size(subs) > 0);
  if (notice)
    json_object_set_new(ctx, "notice", json_string(notice));
  if (last && json_string_value(json_object_get(last, "decision_comment")) &&
      *json_string_value(json_object_get(last, "decision_comment")))
    json_object_set(ctx, "decision_comment", json_object_get(last, "decision_comment"));
  hv_page(rq, status, "plans_plan",
          hv_arena_printf(rq->arena, "%s plan — Haven",
                          json_string_value(json_object_get(p, "department_name"))),
          ctx);
}

static void page_plan(struct hv_request *rq) {
  const char *saved = hv_query(rq, "saved");
  hv_plans_page(rq, 200, hv_param(rq, "id")->num, NULL,
                !saved                        ? NULL
                : !strcmp(saved, "answer")    ? "The answer was saved."
                : !strcmp(saved, "evidence")  ? "The evidence file was attached."
                : !strcmp(saved, "submitted") ? "The plan was submitted to MOIA for review."
                : !strcmp(saved, "accepted")  ? "The plan was accepted."
                : !strcmp(saved, "changes")   ? "Changes were requested from the department."
                                              : NULL);
}

static bool version_of(const struct hv_form *f, int64_t *v) {
  const char *s = hv_form_get(f, "version");
  char *end = NULL;
  long long n = s ? strtoll(s, &end, 10) : 0;
  *v = n;
  return s && *s && !*end && n >= 1;
}

/* Re-renders the plan page after a refused write. */
static void refused(struct hv_request *rq, int64_t id, enum hv_qs qs,
                    const struct hv_plan_outcome *o, const char *anchor, const char *label) {
  if (qs == HV_QS_NONE || (qs == HV_QS_CONFLICT && o->status == 404)) {
    hv_reply_error(rq, 404, "not_found", "There is no such plan.", NULL);
    return;
  }
  if (qs == HV_QS_CONFLICT && o->code && !strcmp(o->code, "version_conflict")) {
    hv_plans_page(rq, 409, id,
                  problem(anchor, label,
                          "Someone changed this plan while you were writing: it is shown as it "
                          "is now. Make your change again."),
                  NULL);
    return;
  }
  if (qs == HV_QS_CONFLICT && o->refusal) {
    hv_plans_page(rq, o->status, id, problem(anchor, label, o->refusal), NULL);
    return;
  }
  hv_plans_page(
      rq, 503, id,
      problem(anchor, label, "The database did not answer. Nothing was saved; please try again."),
      NULL);
}

static void page_answer(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  struct hv_plan_outcome o;
  int64_t id = hv_param(rq, "id")->num, rid = hv_param(rq, "rid")->num, version, pct = -1;
  if (hv_form_body(rq, &f))
    return;
  const char *anchor = hv_arena_printf(rq->arena, "status-%lld", (long long)rid);
  const char *note = hv_form_get(&f, "note"), *reason = hv_form_get(&f, "na_reason");
  const char *ptext = hv_form_get(&f, "percent");
  int st = hv_answer_status_parse(hv_form_get(&f, "status"));
  const char *bad = NULL;
  if (!version_of(&f, &version))
    bad = "The form is out of date: reload the page.";
  else if (st < 0)
    bad = "Choose a status from the list.";
  else if (note && strlen(note) > HV_PLAN_NOTE_MAX * 4)
    bad = "Keep the note under 4000 characters.";
  else if (reason && strlen(reason) > HV_PLAN_REASON_MAX * 4)
    bad = "Keep the reason under 1000 characters.";
  if (!bad && ptext && *ptext) {
    char *end = NULL;
    pct = strtoll(ptext, &end, 10);
    if (*end || pct < 0 || pct > 100) {
      bad = "Give a whole percentage from 0 to 100.";
      anchor = hv_arena_printf(rq->arena, "percent-%lld", (long long)rid);
    }
  }
  if (bad) {
    hv_plans_page(rq, 422, id, problem(anchor, "Answer", bad), NULL);
    return;
  }
  enum hv_qs qs = hv_plan_answer(app->store, rq->principal, hv_policy_department(rq->principal), id,
                                 version, rid, st, note, reason, pct, &o);
  if (qs <= 0) {
    if (qs == HV_QS_CONFLICT && o.field && strcmp(o.field, "version"))
      anchor = hv_arena_printf(rq->arena, "%s-%lld",
                               !strcmp(o.field, "na_reason") ? "na_reason"
                               : !strcmp(o.field, "percent") ? "percent"
                                                             : "status",
                               (long long)rid);
    refused(rq, id, qs, &o, anchor, "Answer");
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/plans/%lld?saved=answer#req-%lld", (long long)id,
                                    (long long)rid));
}

static void page_submit(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  struct hv_plan_outcome o;
  int64_t id = hv_param(rq, "id")->num, version;
  char today[11];
  if (hv_form_body(rq, &f))
    return;
  if (!version_of(&f, &version)) {
    hv_plans_page(rq, 422, id,
                  problem("submit", "Submit", "The form is out of date: reload the page."), NULL);
    return;
  }
  hv_plans_today(today);
  enum hv_qs qs = hv_plan_submit(app->store, rq->principal, hv_policy_department(rq->principal), id,
                                 version, today, &o);
  if (qs <= 0) {
    refused(rq, id, qs, &o, "submit", "Submit");
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/plans/%lld?saved=submitted", (long long)id));
}

static void page_review(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  struct hv_plan_outcome o;
  int64_t id = hv_param(rq, "id")->num, version;
  if (hv_form_body(rq, &f))
    return;
  const char *decision = hv_form_get(&f, "decision"), *comment = hv_form_get(&f, "comment");
  if (!version_of(&f, &version)) {
    hv_plans_page(
        rq, 422, id,
        problem("decision-accept", "Decision", "The form is out of date: reload the page."), NULL);
    return;
  }
  bool accept = decision && !strcmp(decision, "accept");
  if (!accept && (!decision || strcmp(decision, "request_changes"))) {
    hv_plans_page(rq, 422, id,
                  problem("decision-accept", "Decision",
                          "Choose whether to accept the plan or to ask for changes."),
                  NULL);
    return;
  }
  /* Comments come as comment-<requirement id>; empty ones mean no change. */
  json_t *comments = json_array();
  for (size_t i = 0; i < f.n; i++) {
    const char *k = f.fields[i].name, *v = f.fields[i].value;
    char *end = NULL;
    if (strncmp(k, "comment-", 8) != 0 || !v || !*v)
      continue;
    long long rid = strtoll(k + 8, &end, 10);
    if (*end || rid < 1)
      continue;
    json_array_append_new(comments,
                          json_pack("{s:I, s:s}", "requirement_id", (json_int_t)rid, "comment", v));
  }
  const char *field;
  const char *bad = hv_plans_review_problem(accept, comments, &field);
  if (!bad && comment && strlen(comment) > HV_PLAN_COMMENT_MAX * 4)
    bad = "Keep the comment under 2000 characters.";
  if (bad) {
    json_decref(comments);
    hv_plans_page(rq, 422, id, problem("decision-accept", "Decision", bad), NULL);
    return;
  }
  enum hv_qs qs =
      hv_plan_review(app->store, rq->principal, id, version, accept, comment, comments, &o);
  json_decref(comments);
  if (qs <= 0) {
    refused(rq, id, qs, &o, "decision-accept", "Decision");
    return;
  }
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/plans/%lld?saved=%s", (long long)id,
                                    accept ? "accepted" : "changes"));
}

static void page_compare(struct hv_request *rq) {
  int64_t id = hv_param(rq, "id")->num;
  json_t *c = hv_plans_compare_view(rq, id, hv_query(rq, "from"), hv_query(rq, "to"));
  if (!c)
    return;
  json_t *p = hv_plans_view(rq, id);
  if (!p) {
    json_decref(c);
    return;
  }
  size_t i, k;
  json_t *r, *x;
  json_array_foreach(json_object_get(c, "requirements"), i, r) {
    json_array_foreach(json_object_get(r, "changes"), k, x) {
      static const struct {
        const char *code, *label;
      } names[] = {{"status", "Status"},
                   {"note", "How it is met"},
                   {"na_reason", "Why it does not apply"},
                   {"percent", "Percentage reached"},
                   {"evidence", "Evidence"}};
      for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        if (!strcmp(json_string_value(json_object_get(x, "field")), names[n].code))
          json_object_set_new(x, "label", json_string(names[n].label));
      for (int side = 0; side < 2; side++) {
        const char *key = side ? "to" : "from";
        json_t *v = json_object_get(x, key);
        const char *text = json_is_string(v) ? json_string_value(v) : NULL;
        int a = text && !strcmp(json_string_value(json_object_get(x, "field")), "status")
                    ? hv_answer_status_parse(text)
                    : -1;
        json_object_set_new(
            x, side ? "to_text" : "from_text",
            json_string(a >= 0 ? hv_answer_status_label((enum hv_answer_status)a)
                        : json_is_integer(v)
                            ? hv_arena_printf(rq->arena, "%lld", (long long)json_integer_value(v))
                        : text && *text ? text
                                        : "(none)"));
      }
    }
  }
  json_object_set_new(c, "plan", p);
  hv_page(rq, 200, "plans_compare", "Compare plan versions — Haven", c);
}

#define READ HV_PERM_PLANS_READ
#define EDIT HV_PERM_PLANS_EDIT
#define REVIEW HV_PERM_PLANS_REVIEW
#define BOARD HV_PERM_PLANS_BOARD
#define ADMIN HV_PERM_PLANS_ADMIN
#define UPLOAD_MAX ((64u << 20) + HV_UPLOAD_SLACK)

const struct hv_route hv_plans_pages[] = {
    {HV_GET, "/plans", READ, 0, 0, page_list},
    {HV_GET, "/plans/board/{id:int}", BOARD, 0, 0, page_board},
    {HV_POST, "/plans/directives/{id:int}/issue", ADMIN, HV_R_CSRF, 4096, page_issue},
    {HV_GET, "/plans/{id:int}", READ, 0, 0, page_plan},
    {HV_POST, "/plans/{id:int}/requirements/{rid:int}", EDIT, HV_R_CSRF, 32 * 1024, page_answer},
    {HV_POST, "/plans/{id:int}/requirements/{rid:int}/evidence", EDIT, HV_R_CSRF | HV_R_UPLOAD,
     UPLOAD_MAX, hv_plans_evidence_page_upload},
    {HV_POST, "/plans/{id:int}/submit", EDIT, HV_R_CSRF, 4096, page_submit},
    {HV_POST, "/plans/{id:int}/review", REVIEW, HV_R_CSRF, 256 * 1024, page_review},
    {HV_GET, "/plans/{id:int}/compare", READ, 0, 0, page_compare},
    {HV_GET, "/plans/{id:int}/evidence/{eid:int}", READ, 0, 0, hv_plans_evidence_download},
};
const size_t hv_plans_npages = sizeof hv_plans_pages / sizeof hv_plans_pages[0];
