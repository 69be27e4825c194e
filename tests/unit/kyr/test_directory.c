/* Unit tests for src/modules/kyr/dirmodel.c: reading and checking the help
 * directories' CSV files row by row — canonical entries from good rows
 * (case, spaces, order, optional cells), every bad cell reported once by
 * row and column, duplicates, the header, dates and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "modules/kyr/directory.h"

static const char *const tags[] = {"en", "es", "ko", "zh-Hant", "fa"};
static const struct hv_kyr_dir_known known = {tags, 5, "2026-11-26"};

#define LEGAL_HEADER                                                                               \
  "id,name,sites,services,languages,cost,doj_recognized,accredited_reps,accreditation_expires,"    \
  "last_verified,phone,website,sample\n"
#define PROGRAM_HEADER "id,name,department,offers,languages,address,phone,website,sample\n"

/* Checks `csv`; returns the result and leaves entries and errors in *e, *errs. */
static int check(enum hv_kyr_dir d, const char *csv, json_t **e, json_t **errs) {
  *errs = json_array();
  return hv_kyr_dir_check(d, csv, strlen(csv), &known, e, *errs);
}

/* The message for (row, column), or NULL. */
static const char *problem(json_t *errs, int row, const char *col) {
  size_t i;
  json_t *x;
  json_array_foreach(errs, i, x) {
    const char *c = json_string_value(json_object_get(x, "column"));
    if (json_integer_value(json_object_get(x, "row")) == row &&
        ((!c && !col) || (c && col && strcmp(c, col) == 0)))
      return json_string_value(json_object_get(x, "message"));
  }
  return NULL;
}

static int count_at(json_t *errs, int row, const char *col) {
  int n = 0;
  size_t i;
  json_t *x;
  json_array_foreach(errs, i, x) {
    const char *c = json_string_value(json_object_get(x, "column"));
    n += json_integer_value(json_object_get(x, "row")) == row && c && strcmp(c, col) == 0;
  }
  return n;
}

static void good_legal_row_is_canonical(void **state) {
  (void)state;
  json_t *e, *errs;
  const char *csv = LEGAL_HEADER
      "aid-1,  Legal Aid  ,\"Boyle Heights; 1 Main St, Los Angeles, CA 90033; Mon-Fri 9-5 | "
      "Van Nuys ; 2 Sherman Way ; Sat\",CONSULTATIONS;deportation-defense; consultations,"
      "FA; EN ;ko,Low Cost,Yes,2,2027-06-30,2026-11-26,+1 (213) 555-0100,https://aid.example.org/"
      "x?y=1,\n";
  assert_int_equal(check(HV_KYR_DIR_LEGAL, csv, &e, &errs), 0);
  assert_int_equal(json_array_size(errs), 0);
  assert_int_equal(json_array_size(e), 1);
  json_t *x = json_array_get(e, 0);
  assert_string_equal(json_string_value(json_object_get(x, "name")), "Legal Aid");
  json_t *sv = json_object_get(x, "services");
  assert_int_equal(json_array_size(sv), 2); /* de-duplicated, in the set's order */
  assert_string_equal(json_string_value(json_array_get(sv, 0)), "deportation-defense");
  assert_string_equal(json_string_value(json_array_get(sv, 1)), "consultations");
  json_t *lg = json_object_get(x, "languages");
  assert_int_equal(json_array_size(lg), 3); /* the site's spelling and order */
  assert_string_equal(json_string_value(json_array_get(lg, 0)), "en");
  assert_string_equal(json_string_value(json_array_get(lg, 1)), "ko");
  assert_string_equal(json_string_value(json_array_get(lg, 2)), "fa");
  assert_string_equal(json_string_value(json_object_get(x, "cost")), "low-cost");
  assert_true(json_is_true(json_object_get(x, "doj_recognized")));
  assert_int_equal(json_integer_value(json_object_get(x, "accredited_reps")), 2);
  assert_true(json_is_false(json_object_get(x, "sample")));
  json_t *sites = json_object_get(x, "sites");
  assert_int_equal(json_array_size(sites), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(sites, 1), "address")),
                      "2 Sherman Way");
  assert_null(json_object_get(x, "row"));
  json_decref(e);
  json_decref(errs);
}

static void optional_cells_default(void **state) {
  (void)state;
  json_t *e, *errs;
  const char *csv = "last_verified,cost,languages,services,name,id\n"
                    "2026-01-01,free,es,detained-cases,Clinic,c1\n";
  assert_int_equal(check(HV_KYR_DIR_LEGAL, csv, &e, &errs), 0);
  json_t *x = json_array_get(e, 0);
  assert_true(json_is_null(json_object_get(x, "phone")));
  assert_true(json_is_null(json_object_get(x, "website")));
  assert_true(json_is_null(json_object_get(x, "accreditation_expires")));
  assert_int_equal(json_integer_value(json_object_get(x, "accredited_reps")), 0);
  assert_true(json_is_false(json_object_get(x, "doj_recognized")));
  assert_int_equal(json_array_size(json_object_get(x, "sites")), 0);
  json_decref(e);
  json_decref(errs);
}

static void bad_cells_by_row_and_column(void **state) {
  (void)state;
  json_t *e, *errs;
  const char *csv =
      LEGAL_HEADER "ok-1,Fine,,consultations,en,free,,,,2026-01-01,,,\n"
                   "Bad_Id,X,,consultations,en,free,,,,2026-01-01,,,\n"
                   "r4,,a;b,evictions,xx,pricey,perhaps,-1,,2026-13-01,555,http://nodot,maybe\n"
                   "r5,Y,,consultations,en,free,no,1,2027-01-01,2026-11-27,,,\n"
                   "r6,Z,,consultations,en,free,yes,0,2027-01-01,2026-02-29,,,\n"
                   "ok-1,Again,,consultations,en,free,,,,2026-01-01,,,\n";
  assert_int_equal(check(HV_KYR_DIR_LEGAL, csv, &e, &errs), 1);
  assert_null(e);
  assert_null(problem(errs, 2, "id"));
  assert_non_null(strstr(problem(errs, 3, "id"), "lower-case"));
  assert_non_null(strstr(problem(errs, 4, "name"), "required"));
  assert_non_null(strstr(problem(errs, 4, "sites"), "neighbourhood; address; hours"));
  assert_non_null(strstr(problem(errs, 4, "services"), "deportation-defense"));
  assert_non_null(strstr(problem(errs, 4, "languages"), "'xx'"));
  assert_non_null(strstr(problem(errs, 4, "cost"), "free or low-cost"));
  assert_non_null(strstr(problem(errs, 4, "doj_recognized"), "yes or no"));
  assert_non_null(strstr(problem(errs, 4, "accredited_reps"), "0 to 500"));
  assert_non_null(strstr(problem(errs, 4, "last_verified"), "YYYY-MM-DD"));
  assert_non_null(strstr(problem(errs, 4, "phone"), "10 to 15 digits"));
  assert_non_null(strstr(problem(errs, 4, "website"), "https://"));
  assert_non_null(strstr(problem(errs, 4, "sample"), "yes or no"));
  assert_non_null(strstr(problem(errs, 5, "last_verified"), "after today"));
  assert_non_null(strstr(problem(errs, 5, "doj_recognized"), "DOJ-recognized"));
  assert_non_null(strstr(problem(errs, 6, "accreditation_expires"), "no accredited"));
  assert_non_null(strstr(problem(errs, 6, "last_verified"), "YYYY-MM-DD")); /* no 2026-02-29 */
  assert_non_null(strstr(problem(errs, 7, "id"), "also on row 2"));
  /* one problem per cell */
  assert_int_equal(count_at(errs, 4, "doj_recognized"), 1);
  json_decref(errs);
}

static void leap_days(void **state) {
  (void)state;
  assert_true(hv_kyr_date_ok("2028-02-29"));
  assert_true(hv_kyr_date_ok("2000-02-29"));
  assert_false(hv_kyr_date_ok("2026-02-29"));
  assert_false(hv_kyr_date_ok("1900-02-29"));
  assert_false(hv_kyr_date_ok("2026-04-31"));
  assert_false(hv_kyr_date_ok("2026-1-01"));
  assert_false(hv_kyr_date_ok("2026-01-01 "));
  assert_false(hv_kyr_date_ok("20260101"));
}

static void header_and_file_problems(void **state) {
  (void)state;
  json_t *e, *errs;
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, "id,name,Name,colour\nx,y,y,z\n", &e, &errs), 1);
  assert_non_null(strstr(problem(errs, 1, "Name"), "twice"));
  assert_non_null(strstr(problem(errs, 1, "colour"), "Unknown column"));
  assert_non_null(strstr(problem(errs, 1, "offers"), "required column"));
  json_decref(errs);
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, PROGRAM_HEADER, &e, &errs), 1);
  assert_non_null(strstr(problem(errs, 1, NULL), "no rows"));
  json_decref(errs);
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, "id,\"name\nx", &e, &errs), 1);
  assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errs, 0), "message")),
                         "not valid CSV"));
  json_decref(errs);
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, "id,name\n\xff,x\n", &e, &errs), 1);
  assert_non_null(strstr(problem(errs, 0, NULL), "UTF-8"));
  json_decref(errs);
}

static void program_rows(void **state) {
  (void)state;
  json_t *e, *errs;
  const char *good =
      "\xef\xbb\xbf" PROGRAM_HEADER
      "p-1,FamilySource,Community Investment for Families,\"Tax help, tutoring\",en;es,,,,yes\r\n";
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, good, &e, &errs), 0);
  json_t *x = json_array_get(e, 0);
  assert_string_equal(json_string_value(json_object_get(x, "offers")), "Tax help, tutoring");
  assert_true(json_is_null(json_object_get(x, "address")));
  assert_true(json_is_true(json_object_get(x, "sample")));
  assert_null(json_object_get(x, "services"));
  json_decref(e);
  json_decref(errs);
  const char *bad = PROGRAM_HEADER "p-1,\"Two\nlines\",D,O,en,,,,\n";
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, bad, &e, &errs), 1);
  assert_non_null(strstr(problem(errs, 2, "name"), "one line"));
  json_decref(errs);
}

static void limits(void **state) {
  (void)state;
  json_t *e, *errs;
  size_t n = strlen(PROGRAM_HEADER) + 2 * 2500;
  char *csv = malloc(n + 64);
  strcpy(csv, PROGRAM_HEADER);
  for (int i = 0; i < 2001; i++)
    strcat(csv, "a\n");
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, csv, &e, &errs), 1);
  assert_non_null(
      strstr(json_string_value(json_object_get(json_array_get(errs, 0), "message")), "too large"));
  json_decref(errs);
  /* a 201-character name */
  sprintf(csv, PROGRAM_HEADER "p,%0201d,D,O,en,,,,\n", 0);
  assert_int_equal(check(HV_KYR_DIR_PROGRAMS, csv, &e, &errs), 1);
  assert_non_null(strstr(problem(errs, 2, "name"), "at most 200"));
  json_decref(errs);
  free(csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(good_legal_row_is_canonical),
      cmocka_unit_test(optional_cells_default),
      cmocka_unit_test(bad_cells_by_row_and_column),
      cmocka_unit_test(leap_days),
      cmocka_unit_test(header_and_file_problems),
      cmocka_unit_test(program_rows),
      cmocka_unit_test(limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
