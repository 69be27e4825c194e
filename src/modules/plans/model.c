/* Preparedness plans: the rules, with no I/O (see plans.h). The code tables
 * here are what the database stores in plans.status and
 * plan_answers.status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/foia/calendar.h"
#include "modules/plans/plans.h"

struct code {
  const char *code, *label;
};

static const struct code plan_statuses[HV_PLAN_STATUS_MAX] = {
    [HV_PLAN_OPEN] = {"open", "Not started"},
    [HV_PLAN_IN_PROGRESS] = {"in_progress", "In progress"},
    [HV_PLAN_SUBMITTED] = {"submitted", "Submitted, awaiting review"},
    [HV_PLAN_CHANGES_REQUESTED] = {"changes_requested", "Changes requested"},
    [HV_PLAN_ACCEPTED] = {"accepted", "Accepted"},
};

static const struct code answer_statuses[HV_ANS_STATUS_MAX] = {
    [HV_ANS_TODO] = {"todo", "To do"},
    [HV_ANS_IN_PROGRESS] = {"in_progress", "In progress"},
    [HV_ANS_DONE] = {"done", "Done"},
    [HV_ANS_NOT_APPLICABLE] = {"not_applicable", "Not applicable"},
};

static int find(const struct code *t, int n, const char *code) {
  for (int i = 0; code && i < n; i++)
    if (!strcmp(t[i].code, code))
      return i;
  return -1;
}

const char *hv_plan_status_code(enum hv_plan_status s) {
  return s < HV_PLAN_STATUS_MAX ? plan_statuses[s].code : "";
}
const char *hv_plan_status_label(enum hv_plan_status s) {
  return s < HV_PLAN_STATUS_MAX ? plan_statuses[s].label : "";
}
int hv_plan_status_parse(const char *code) { return find(plan_statuses, HV_PLAN_STATUS_MAX, code); }
const char *hv_answer_status_code(enum hv_answer_status s) {
  return s < HV_ANS_STATUS_MAX ? answer_statuses[s].code : "";
}
const char *hv_answer_status_label(enum hv_answer_status s) {
  return s < HV_ANS_STATUS_MAX ? answer_statuses[s].label : "";
}
int hv_answer_status_parse(const char *code) {
  return find(answer_statuses, HV_ANS_STATUS_MAX, code);
}

bool hv_plan_may_edit(enum hv_plan_status s) {
  return s == HV_PLAN_OPEN || s == HV_PLAN_IN_PROGRESS || s == HV_PLAN_CHANGES_REQUESTED;
}
bool hv_plan_may_submit(enum hv_plan_status s) { return hv_plan_may_edit(s); }
bool hv_plan_may_review(enum hv_plan_status s) { return s == HV_PLAN_SUBMITTED; }

const char *hv_answer_problem(int status, const char *na_reason, int64_t percent, bool asks_percent,
                              const char **field) {
  *field = "status";
  if (status < 0 || status >= HV_ANS_STATUS_MAX)
    return "Choose a status: todo, in_progress, done or not_applicable.";
  *field = "na_reason";
  if (status == HV_ANS_NOT_APPLICABLE && (!na_reason || !*na_reason))
    return "Say why this requirement does not apply to the department.";
  if (status != HV_ANS_NOT_APPLICABLE && na_reason && *na_reason)
    return "A reason is given only when the requirement does not apply.";
  *field = "percent";
  if (percent >= 0 && !asks_percent)
    return "This requirement does not ask for a percentage.";
  if (percent > 100)
    return "Give a percentage from 0 to 100.";
  if (asks_percent && status == HV_ANS_DONE && percent < 0)
    return "Give the percentage reached (0 to 100) for this requirement.";
  return NULL;
}

void hv_plan_timing(const char *due_on, const char *today, const char *first_submitted,
                    struct hv_plan_timing *out) {
  hv_day due, now, sub = 0;
  memset(out, 0, sizeof *out);
  if (!due_on || !today || hv_day_parse(due_on, &due) || hv_day_parse(today, &now) ||
      (first_submitted && hv_day_parse(first_submitted, &sub)))
    return;
  out->valid = true;
  out->delivered = first_submitted != NULL;
  if (out->delivered) {
    out->days_late = sub > due ? sub - due : 0;
    out->late = sub > due;
  } else {
    out->days_left = (int64_t)due - now;
    out->days_late = now > due ? now - due : 0;
    out->late = now > due;
  }
}

int hv_day_add_text(const char *day, int64_t n, char out[11]) {
  hv_day d;
  if (!day || hv_day_parse(day, &d) || n < -100000 || n > 100000)
    return -1;
  hv_day_format((hv_day)(d + n), out);
  return 0;
}

/* --- comparing two submitted versions ------------------------------------- */

static const json_t *answers_of(const json_t *snap) {
  const json_t *a = json_object_get(snap, "answers");
  return json_is_array(a) ? a : NULL;
}

static const json_t *find_req(const json_t *answers, json_int_t rid) {
  size_t i;
  const json_t *x;
  json_array_foreach(answers, i, x) {
    const json_t *id = json_object_get(x, "requirement_id");
    if (json_is_integer(id) && json_integer_value(id) == rid)
      return x;
  }
  return NULL;
}

/* A field's value as a new reference: strings and integers as they are,
 * anything else (absent, wrong type) as null. */
static json_t *scalar(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  if (json_is_string(v) || json_is_integer(v))
    return json_deep_copy(v);
  return json_null();
}

/* The evidence of an answer as one line a person reads: "item 1 v2
 * plan.pdf (effective 2026-01-01, sha256 ab12...)" per file, "; "
 * between; new reference. */
static json_t *evidence_text(const json_t *o) {
  const json_t *ev = json_object_get(o, "evidence");
  char buf[2048];
  size_t len = 0;
  size_t i;
  const json_t *e;
  buf[0] = '\0';
  if (!json_is_array(ev))
    return json_string("");
  json_array_foreach(ev, i, e) {
    const char *name = json_string_value(json_object_get(e, "file_name"));
    const char *sha = json_string_value(json_object_get(e, "sha256"));
    const char *eff = json_string_value(json_object_get(e, "effective_on"));
    int n =
        snprintf(buf + len, sizeof buf - len, "%sitem %lld v%lld %s (effective %s, sha256 %.12s)",
                 i ? "; " : "", (long long)json_integer_value(json_object_get(e, "item")),
                 (long long)json_integer_value(json_object_get(e, "version")), name ? name : "?",
                 eff ? eff : "?", sha ? sha : "?");
    if (n < 0 || (size_t)n >= sizeof buf - len)
      break;
    len += (size_t)n;
  }
  return json_string(buf);
}

static json_t *diff_one(const json_t *a, const json_t *b, json_int_t rid) {
  static const char *const fields[] = {"status", "note", "na_reason", "percent"};
  const json_t *named = b ? b : a;
  json_t *changes = json_array();
  for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
    json_t *x = a ? scalar(a, fields[k]) : json_null();
    json_t *y = b ? scalar(b, fields[k]) : json_null();
    if (!json_equal(x, y))
      json_array_append_new(changes,
                            json_pack("{s:s, s:o, s:o}", "field", fields[k], "from", x, "to", y));
    else {
      json_decref(x);
      json_decref(y);
    }
  }
  json_t *ex = a ? evidence_text(a) : json_string("");
  json_t *ey = b ? evidence_text(b) : json_string("");
  if (!json_equal(ex, ey))
    json_array_append_new(changes,
                          json_pack("{s:s, s:o, s:o}", "field", "evidence", "from", ex, "to", ey));
  else {
    json_decref(ex);
    json_decref(ey);
  }
  bool changed = json_array_size(changes) > 0;
  return json_pack("{s:I, s:o, s:o, s:b, s:b, s:b, s:o}", "requirement_id", rid, "code",
                   scalar(named, "code"), "title", scalar(named, "title"), "changed", changed,
                   "added", a == NULL, "removed", b == NULL, "changes", changes);
}

/* True when `x`, at index `i` of `answers`, is the first entry with its
 * requirement id (a snapshot lists each once; a second one is ignored). */
static bool first_of_id(const json_t *answers, size_t i, const json_t *x) {
  const json_t *id = json_object_get(x, "requirement_id");
  return json_is_integer(id) && find_req(answers, json_integer_value(id)) == x &&
         json_array_get(answers, i) == x;
}

json_t *hv_plan_compare(const json_t *from, const json_t *to) {
  const json_t *fa = answers_of(from), *ta = answers_of(to);
  json_t *out = json_array();
  size_t i;
  const json_t *x;
  json_array_foreach(ta, i, x) {
    if (!first_of_id(ta, i, x))
      continue;
    json_int_t id = json_integer_value(json_object_get(x, "requirement_id"));
    json_array_append_new(out, diff_one(find_req(fa, id), x, id));
  }
  json_array_foreach(fa, i, x) {
    if (!first_of_id(fa, i, x))
      continue;
    json_int_t id = json_integer_value(json_object_get(x, "requirement_id"));
    if (!find_req(ta, id))
      json_array_append_new(out, diff_one(x, NULL, id));
  }
  return out;
}

/* --- the board's order ---------------------------------------------------- */

static const char *const sort_codes[HV_BSORT_MAX] = {"department", "status", "due", "done"};

const char *hv_board_sort_code(enum hv_board_sort s) {
  return s < HV_BSORT_MAX ? sort_codes[s] : "";
}
int hv_board_sort_parse(const char *code) {
  for (int i = 0; code && i < HV_BSORT_MAX; i++)
    if (!strcmp(sort_codes[i], code))
      return i;
  return -1;
}

static _Thread_local enum hv_board_sort sort_by;
static _Thread_local bool sort_desc;

static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* Overdue first, then the fewest days left; delivered plans after every
 * outstanding one. */
static int64_t urgency(const json_t *r) {
  if (json_is_true(json_object_get(r, "delivered")))
    return 1000000 + json_integer_value(json_object_get(r, "days_late"));
  return json_integer_value(json_object_get(r, "days_left"));
}

static int board_cmp(const void *pa, const void *pb) {
  const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  int c = 0;
  switch (sort_by) {
  case HV_BSORT_STATUS:
    c = hv_plan_status_parse(str(a, "status")) - hv_plan_status_parse(str(b, "status"));
    break;
  case HV_BSORT_DUE: {
    int64_t x = urgency(a), y = urgency(b);
    c = x < y ? -1 : x > y;
    break;
  }
  case HV_BSORT_DONE: {
    int64_t x = json_integer_value(json_object_get(a, "requirements_done"));
    int64_t y = json_integer_value(json_object_get(b, "requirements_done"));
    c = x < y ? -1 : x > y;
    break;
  }
  default:
    break;
  }
  if (sort_desc)
    c = -c;
  if (!c) /* ties (and the department order itself) by department name */
    c = strcmp(str(a, "department_name"), str(b, "department_name")) *
        (sort_desc && sort_by == HV_BSORT_DEPARTMENT ? -1 : 1);
  return c;
}

void hv_board_sort(json_t *rows, enum hv_board_sort by, bool desc) {
  size_t n = json_array_size(rows), i;
  if (n < 2)
    return;
  json_t **v = malloc(n * sizeof *v);
  if (!v)
    return;
  for (i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(rows, i));
  sort_by = by < HV_BSORT_MAX ? by : HV_BSORT_DEPARTMENT;
  sort_desc = desc;
  qsort(v, n, sizeof *v, board_cmp);
  json_array_clear(rows);
  for (i = 0; i < n; i++)
    json_array_append_new(rows, v[i]);
  free(v);
}
