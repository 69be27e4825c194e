/* Unit tests for src/modules/training/model.c: the calendar arithmetic the
 * coverage rests on (day numbers and back, leap days, the range), and the
 * reading of the roster and completions files row by row (columns in any
 * order, spaces, yes/no forms, every bad cell reported by row and column,
 * repeated employee numbers, dates after today, the header's problems and
 * the cap on problems listed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/training/training.h"

static void days(void **state) {
  (void)state;
  char out[11];
  assert_int_equal(hv_training_day("1970-01-01"), 0);
  assert_int_equal(hv_training_day("2026-06-30") - hv_training_day("2025-06-30"), 365);
  assert_int_equal(hv_training_day("2025-01-01") - hv_training_day("2024-01-01"), 366);
  assert_int_equal(hv_training_day("2024-03-01") - hv_training_day("2024-02-29"), 1);
  assert_int_equal(hv_training_day("2023-02-29"), -1);
  assert_int_equal(hv_training_day("2100-02-29"), -1); /* not a leap year */
  assert_true(hv_training_day("2000-02-29") > 0);      /* a leap year */
  assert_int_equal(hv_training_day("1969-12-31"), -1);
  assert_int_equal(hv_training_day("2026-13-01"), -1);
  assert_int_equal(hv_training_day("2026-1-01"), -1);
  assert_int_equal(hv_training_day("2026-01-01 "), -1);
  assert_int_equal(hv_training_day(NULL), -1);
  for (int32_t d = 0; d < 83000; d += 37) /* to 2197 */ {
    hv_training_date(d, out);
    assert_int_equal(hv_training_day(out), d);
  }
  hv_training_date(hv_training_day("2024-02-29"), out);
  assert_string_equal(out, "2024-02-29");
}

/* The message for (row, column), or NULL. */
static const char *problem(const struct hv_training_problems *p, int row, const char *col) {
  size_t i;
  json_t *e;
  json_array_foreach(p->list, i, e) {
    const char *c = json_string_value(json_object_get(e, "column"));
    if (json_integer_value(json_object_get(e, "row")) == row &&
        ((!col && !c) || (col && c && strcmp(c, col) == 0)))
      return json_string_value(json_object_get(e, "message"));
  }
  return NULL;
}

static void roster_good(void **state) {
  (void)state;
  struct hv_training_problems p = {json_array(), 0};
  struct hv_training_roster r;
  const char *csv = "\xef\xbb\xbfUnit, ACTIVE ,employee_number,department\r\n"
                    " Central ,Yes,L2,LAPL\r\n"
                    "Branches,inactive,L1,LAPL\r\n";
  assert_int_equal(hv_training_roster_read(csv, strlen(csv), &r, &p), 0);
  assert_int_equal(r.n, 2);
  /* sorted by number */
  assert_string_equal(r.rows[0].number, "L1");
  assert_false(r.rows[0].active);
  assert_int_equal(r.rows[0].row, 3);
  assert_string_equal(r.rows[1].unit, "Central");
  assert_true(r.rows[1].active);
  assert_string_equal(r.rows[1].name, "");
  hv_training_roster_free(&r);
  json_decref(p.list);
}

static void roster_bad(void **state) {
  (void)state;
  struct hv_training_problems p = {json_array(), 0};
  struct hv_training_roster r;
  const char *csv = "employee_number,department,unit,active\n"
                    "L1,LAPL,Central,yes\n"
                    "L/2,,,perhaps\n"
                    "L1,LAPL,Branches,no\n"
                    "L33333333333333333333333333333333,LAPL,U,y\n";
  assert_int_equal(hv_training_roster_read(csv, strlen(csv), &r, &p), 1);
  assert_non_null(strstr(problem(&p, 3, "employee_number"), "letters, digits"));
  assert_non_null(strstr(problem(&p, 3, "department"), "department's code"));
  assert_non_null(strstr(problem(&p, 3, "unit"), "Enter the unit"));
  assert_non_null(strstr(problem(&p, 3, "active"), "yes or no"));
  assert_non_null(strstr(problem(&p, 4, "employee_number"), "also on row 2"));
  assert_non_null(strstr(problem(&p, 5, "employee_number"), "32 characters"));
  assert_null(problem(&p, 2, "employee_number"));
  assert_int_equal(p.count, 6);
  hv_training_roster_free(&r);
  json_decref(p.list);
}

static void header_problems(void **state) {
  (void)state;
  struct hv_training_problems p = {json_array(), 0};
  struct hv_training_roster r;
  const char *csv = "employee_number,department,unit,birth_date\nL1,LAPL,X,2000-01-01\n";
  assert_int_equal(hv_training_roster_read(csv, strlen(csv), &r, &p), 1);
  assert_non_null(strstr(problem(&p, 1, "birth_date"), "Unknown column"));
  assert_non_null(strstr(problem(&p, 1, "active"), "required column 'active'"));
  hv_training_roster_free(&r);
  json_decref(p.list);
  p.list = json_array();
  p.count = 0;
  assert_int_equal(hv_training_roster_read("", 0, &r, &p), 1);
  assert_non_null(problem(&p, 1, NULL));
  hv_training_roster_free(&r);
  json_decref(p.list);
  p.list = json_array();
  p.count = 0;
  const char *quote = "employee_number,department,unit,active\nL1,\"LAPL,X,yes\n";
  assert_int_equal(hv_training_roster_read(quote, strlen(quote), &r, &p), 1);
  assert_non_null(strstr(json_string_value(json_object_get(json_array_get(p.list, 0), "message")),
                         "not valid CSV"));
  hv_training_roster_free(&r);
  json_decref(p.list);
}

static void completions(void **state) {
  (void)state;
  struct hv_training_problems p = {json_array(), 0};
  struct hv_training_completions c;
  int32_t today = hv_training_day("2026-06-30");
  const char *good =
      "completed_on,course,employee_number\n2026-06-30,ED12,L1\n2024-02-29,ED12,L1\n";
  assert_int_equal(hv_training_completions_read(good, strlen(good), today, &c, &p), 0);
  assert_int_equal(c.n, 2);
  assert_int_equal(c.rows[0].day, today);
  assert_string_equal(c.rows[1].completed_on, "2024-02-29");
  hv_training_completions_free(&c);
  const char *bad = "employee_number,course,completed_on\nL1,ED 12,2026-07-01\n,ED12,30/06/2026\n";
  assert_int_equal(hv_training_completions_read(bad, strlen(bad), today, &c, &p), 1);
  assert_non_null(strstr(problem(&p, 2, "course"), "letters, digits"));
  assert_non_null(strstr(problem(&p, 2, "completed_on"), "future"));
  assert_non_null(strstr(problem(&p, 3, "employee_number"), "Enter the employee number"));
  assert_non_null(strstr(problem(&p, 3, "completed_on"), "YYYY-MM-DD"));
  hv_training_completions_free(&c);
  json_decref(p.list);
}

/* A file with more bad rows than are listed: all counted, 200 listed. */
static void problem_cap(void **state) {
  (void)state;
  struct hv_training_problems p = {json_array(), 0};
  struct hv_training_completions c;
  size_t cap = 64 + 30 * 1000;
  char *csv = malloc(cap), *w = csv;
  w += sprintf(w, "employee_number,course,completed_on\n");
  for (int i = 0; i < 1000; i++)
    w += sprintf(w, "L%d,ED12,never\n", i);
  assert_int_equal(hv_training_completions_read(csv, (size_t)(w - csv), 20000, &c, &p), 1);
  assert_int_equal(p.count, 1000);
  assert_int_equal(json_array_size(p.list), HV_TRAINING_MAX_ERRORS);
  hv_training_completions_free(&c);
  json_decref(p.list);
  free(csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(days),        cmocka_unit_test(roster_good),
      cmocka_unit_test(roster_bad),  cmocka_unit_test(header_problems),
      cmocka_unit_test(completions), cmocka_unit_test(problem_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
