/* Unit tests for src/modules/plans/model.c: the code tables, the status
 * machine, the checks on an answer, due days and lateness (calendar days,
 * across month and year ends), the comparison of two submitted versions
 * (including input that is not the expected shape) and the board's order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "modules/plans/plans.h"

static void codes_round_trip(void **state) {
  (void)state;
  for (int s = 0; s < HV_PLAN_STATUS_MAX; s++)
    assert_int_equal(hv_plan_status_parse(hv_plan_status_code((enum hv_plan_status)s)), s);
  for (int s = 0; s < HV_ANS_STATUS_MAX; s++)
    assert_int_equal(hv_answer_status_parse(hv_answer_status_code((enum hv_answer_status)s)), s);
  assert_int_equal(hv_plan_status_parse("late"), -1);
  assert_int_equal(hv_plan_status_parse(NULL), -1);
  assert_int_equal(hv_answer_status_parse("Done"), -1);
  for (int s = 0; s < HV_BSORT_MAX; s++)
    assert_int_equal(hv_board_sort_parse(hv_board_sort_code((enum hv_board_sort)s)), s);
  assert_int_equal(hv_board_sort_parse("colour"), -1);
}

static void status_machine(void **state) {
  (void)state;
  assert_true(hv_plan_may_edit(HV_PLAN_OPEN));
  assert_true(hv_plan_may_edit(HV_PLAN_IN_PROGRESS));
  assert_true(hv_plan_may_edit(HV_PLAN_CHANGES_REQUESTED));
  assert_false(hv_plan_may_edit(HV_PLAN_SUBMITTED));
  assert_false(hv_plan_may_edit(HV_PLAN_ACCEPTED));
  assert_true(hv_plan_may_submit(HV_PLAN_CHANGES_REQUESTED));
  assert_false(hv_plan_may_submit(HV_PLAN_SUBMITTED));
  assert_true(hv_plan_may_review(HV_PLAN_SUBMITTED));
  for (int s = 0; s < HV_PLAN_STATUS_MAX; s++)
    if (s != HV_PLAN_SUBMITTED)
      assert_false(hv_plan_may_review((enum hv_plan_status)s));
}

static void answer_checks(void **state) {
  (void)state;
  const char *f;
  assert_null(hv_answer_problem(HV_ANS_DONE, NULL, -1, false, &f));
  assert_null(hv_answer_problem(HV_ANS_TODO, "", -1, true, &f));
  assert_non_null(hv_answer_problem(HV_ANS_NOT_APPLICABLE, "", -1, false, &f));
  assert_string_equal(f, "na_reason");
  assert_null(hv_answer_problem(HV_ANS_NOT_APPLICABLE, "No public counters.", -1, false, &f));
  assert_non_null(hv_answer_problem(HV_ANS_DONE, "because", -1, false, &f));
  assert_string_equal(f, "na_reason");
  assert_non_null(hv_answer_problem(HV_ANS_DONE, NULL, -1, true, &f));
  assert_string_equal(f, "percent");
  assert_null(hv_answer_problem(HV_ANS_DONE, NULL, 0, true, &f));
  assert_null(hv_answer_problem(HV_ANS_IN_PROGRESS, NULL, -1, true, &f));
  assert_non_null(hv_answer_problem(HV_ANS_DONE, NULL, 50, false, &f));
  assert_string_equal(f, "percent");
  assert_non_null(hv_answer_problem(HV_ANS_DONE, NULL, 101, true, &f));
  assert_non_null(hv_answer_problem(HV_ANS_STATUS_MAX, NULL, -1, false, &f));
  assert_string_equal(f, "status");
}

static void due_days_and_lateness(void **state) {
  (void)state;
  char d[11];
  assert_int_equal(hv_day_add_text("2025-07-11", 14, d), 0);
  assert_string_equal(d, "2025-07-25"); /* ED 12: signed July 11, two weeks */
  assert_int_equal(hv_day_add_text("2025-12-20", 15, d), 0);
  assert_string_equal(d, "2026-01-04");
  assert_int_equal(hv_day_add_text("2028-02-20", 14, d), 0);
  assert_string_equal(d, "2028-03-05"); /* a leap year */
  assert_int_equal(hv_day_add_text("2025-02-30", 1, d), -1);
  assert_int_equal(hv_day_add_text(NULL, 1, d), -1);

  struct hv_plan_timing t;
  hv_plan_timing("2026-03-10", "2026-03-01", NULL, &t);
  assert_true(t.valid);
  assert_false(t.delivered);
  assert_false(t.late);
  assert_int_equal(t.days_left, 9);
  assert_int_equal(t.days_late, 0);
  hv_plan_timing("2026-03-10", "2026-03-10", NULL, &t);
  assert_int_equal(t.days_left, 0);
  assert_false(t.late);
  hv_plan_timing("2026-03-10", "2026-03-16", NULL, &t);
  assert_int_equal(t.days_left, -6);
  assert_int_equal(t.days_late, 6);
  assert_true(t.late);
  /* delivered: lateness is the first submission's, whatever today is */
  hv_plan_timing("2026-03-10", "2026-05-01", "2026-03-12", &t);
  assert_true(t.delivered);
  assert_true(t.late);
  assert_int_equal(t.days_late, 2);
  hv_plan_timing("2026-03-10", "2026-05-01", "2026-03-10", &t);
  assert_false(t.late);
  assert_int_equal(t.days_late, 0);
  hv_plan_timing("soon", "2026-05-01", NULL, &t);
  assert_false(t.valid);
}

static json_t *snap(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, 0, &e);
  assert_non_null(v);
  return v;
}

static const json_t *by_code(const json_t *diff, const char *code) {
  size_t i;
  const json_t *x;
  json_array_foreach(diff, i,
                     x) if (!strcmp(json_string_value(json_object_get(x, "code")), code)) return x;
  fail_msg("no %s in the comparison", code);
  return NULL;
}

static void compare_versions(void **state) {
  (void)state;
  json_t *a = snap(
      "{\"answers\": ["
      "{\"requirement_id\": 1, \"code\": \"protocol\", \"title\": \"Protocol\", "
      "\"status\": \"done\", \"note\": \"Adopted\", \"na_reason\": \"\", \"percent\": null,"
      " \"evidence\": [{\"item\": 1, \"version\": 1, \"file_name\": \"a.pdf\", "
      "\"sha256\": \"aaaaaaaaaaaaaaaa\", \"effective_on\": \"2026-01-01\"}]},"
      "{\"requirement_id\": 2, \"code\": \"trained\", \"title\": \"Trained\", "
      "\"status\": \"in_progress\", \"note\": \"\", \"na_reason\": \"\", \"percent\": 40},"
      "{\"requirement_id\": 3, \"code\": \"gone\", \"title\": \"Gone\", \"status\": \"done\"}]}");
  json_t *b = snap(
      "{\"answers\": ["
      "{\"requirement_id\": 1, \"code\": \"protocol\", \"title\": \"Protocol\", "
      "\"status\": \"done\", \"note\": \"Adopted\", \"na_reason\": \"\", \"percent\": null,"
      " \"evidence\": [{\"item\": 1, \"version\": 2, \"file_name\": \"a.pdf\", "
      "\"sha256\": \"bbbbbbbbbbbbbbbb\", \"effective_on\": \"2026-02-01\"}]},"
      "{\"requirement_id\": 2, \"code\": \"trained\", \"title\": \"Trained\", "
      "\"status\": \"done\", \"note\": \"\", \"na_reason\": \"\", \"percent\": 90},"
      "{\"requirement_id\": 4, \"code\": \"new\", \"title\": \"New\", \"status\": \"todo\"}]}");
  json_t *d = hv_plan_compare(a, b);
  assert_int_equal(json_array_size(d), 4);
  const json_t *p = by_code(d, "protocol"), *t = by_code(d, "trained");
  assert_true(json_is_true(json_object_get(p, "changed")));
  const json_t *ch = json_array_get(json_object_get(p, "changes"), 0);
  assert_string_equal(json_string_value(json_object_get(ch, "field")), "evidence");
  assert_non_null(strstr(json_string_value(json_object_get(ch, "to")),
                         "item 1 v2 a.pdf (effective 2026-02-01"));
  assert_int_equal(json_array_size(json_object_get(t, "changes")), 2);
  ch = json_array_get(json_object_get(t, "changes"), 1);
  assert_string_equal(json_string_value(json_object_get(ch, "field")), "percent");
  assert_int_equal(json_integer_value(json_object_get(ch, "from")), 40);
  assert_int_equal(json_integer_value(json_object_get(ch, "to")), 90);
  assert_true(json_is_true(json_object_get(by_code(d, "new"), "added")));
  assert_true(json_is_true(json_object_get(by_code(d, "gone"), "removed")));
  json_decref(d);
  /* the same version: nothing changed */
  d = hv_plan_compare(b, b);
  size_t i;
  json_t *x;
  json_array_foreach(d, i, x) assert_false(json_is_true(json_object_get(x, "changed")));
  json_decref(d);
  /* not the expected shape: read as absent, never a crash */
  json_t *junk =
      snap("{\"answers\": [1, \"x\", {\"requirement_id\": \"2\"}, {\"requirement_id\": 5, "
           "\"evidence\": 7, \"status\": {\"a\": 1}}]}");
  d = hv_plan_compare(junk, json_null());
  assert_int_equal(json_array_size(d), 1);
  json_decref(d);
  /* a requirement listed twice counts once, so a version equals itself */
  json_t *dup = snap("{\"answers\": [{\"requirement_id\": 2, \"status\": \"done\"}, "
                     "{\"requirement_id\": 2, \"status\": \"todo\"}]}");
  d = hv_plan_compare(dup, dup);
  assert_int_equal(json_array_size(d), 1);
  assert_false(json_is_true(json_object_get(json_array_get(d, 0), "changed")));
  json_decref(d);
  json_decref(dup);
  d = hv_plan_compare(NULL, NULL);
  assert_int_equal(json_array_size(d), 0);
  json_decref(d);
  json_decref(junk);
  json_decref(a);
  json_decref(b);
}

static void board_order(void **state) {
  (void)state;
  json_t *rows =
      snap("["
           "{\"department_name\": \"Zoo\", \"status\": \"open\", \"days_left\": -3, "
           "\"delivered\": false, \"days_late\": 3, \"requirements_done\": 0},"
           "{\"department_name\": \"Aging\", \"status\": \"accepted\", \"days_left\": null, "
           "\"delivered\": true, \"days_late\": 0, \"requirements_done\": 7},"
           "{\"department_name\": \"Library\", \"status\": \"in_progress\", \"days_left\": 2, "
           "\"delivered\": false, \"days_late\": 0, \"requirements_done\": 3}]");
  const char *order[3];
#define NAMES()                                                                                    \
  for (size_t k = 0; k < 3; k++)                                                                   \
    order[k] = json_string_value(json_object_get(json_array_get(rows, k), "department_name"));
  hv_board_sort(rows, HV_BSORT_DEPARTMENT, false);
  NAMES();
  assert_string_equal(order[0], "Aging");
  assert_string_equal(order[2], "Zoo");
  hv_board_sort(rows, HV_BSORT_DEPARTMENT, true);
  NAMES();
  assert_string_equal(order[0], "Zoo");
  hv_board_sort(rows, HV_BSORT_DUE, false); /* overdue first, delivered last */
  NAMES();
  assert_string_equal(order[0], "Zoo");
  assert_string_equal(order[1], "Library");
  assert_string_equal(order[2], "Aging");
  hv_board_sort(rows, HV_BSORT_DONE, true);
  NAMES();
  assert_string_equal(order[0], "Aging");
  assert_string_equal(order[1], "Library");
  hv_board_sort(rows, HV_BSORT_STATUS, false);
  NAMES();
  assert_string_equal(order[0], "Zoo");   /* open */
  assert_string_equal(order[2], "Aging"); /* accepted */
  json_decref(rows);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(codes_round_trip), cmocka_unit_test(status_machine),
      cmocka_unit_test(answer_checks),    cmocka_unit_test(due_days_and_lateness),
      cmocka_unit_test(compare_versions), cmocka_unit_test(board_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
