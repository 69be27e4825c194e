/* Unit tests for src/modules/contractors/model.c and csv.c: date arithmetic
 * across month, year and leap-day ends; the coverage rule at its edges (an
 * attestation is valid through its expiry day, "expiring" up to the horizon
 * inclusive, contracts not running today or not on City property apart);
 * the validation messages by field; and the CSV checker's rows and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "modules/contractors/contractors.h"

static void dates(void **state) {
  (void)state;
  char out[11];
  hv_contracts_add_days("2026-12-31", 1, out);
  assert_string_equal(out, "2027-01-01");
  hv_contracts_add_days("2028-02-28", 1, out);
  assert_string_equal(out, "2028-02-29");
  hv_contracts_add_days("2100-02-28", 1, out);
  assert_string_equal(out, "2100-03-01");
  hv_contracts_add_days("2026-03-01", -1, out);
  assert_string_equal(out, "2026-02-28");
  hv_contracts_add_days("2026-11-26", 30, out);
  assert_string_equal(out, "2026-12-26");
  assert_int_equal(hv_contracts_days_between("2026-01-01", "2027-01-01"), 365);
  assert_int_equal(hv_contracts_days_between("2028-03-01", "2028-02-28"), -2);
  assert_true(hv_contracts_date_ok("2028-02-29"));
  static const char *const bad[] = {"2027-02-29", "2026-13-01", "2026-04-31",
                                    "1999-12-31", "2100-01-01", "2026-1-01",
                                    "2026/01/01", "",           NULL};
  for (int i = 0; bad[i]; i++)
    assert_false(hv_contracts_date_ok(bad[i]));
  assert_false(hv_contracts_date_ok(NULL));
}

static void coverage_edges(void **state) {
  (void)state;
  const char *t = "2026-11-26", *h = "2026-12-26";
  assert_int_equal(hv_coverage_state(false, "2026-01-01", "2027-01-01", NULL, t, h),
                   HV_COV_NOT_REQUIRED);
  assert_int_equal(hv_coverage_state(true, "2026-11-27", "2027-01-01", NULL, t, h),
                   HV_COV_INACTIVE);
  assert_int_equal(hv_coverage_state(true, "2026-01-01", "2026-11-25", "2027-01-01", t, h),
                   HV_COV_INACTIVE);
  /* running on its first and last days */
  assert_int_equal(hv_coverage_state(true, t, t, NULL, t, h), HV_COV_MISSING);
  assert_int_equal(hv_coverage_state(true, "2026-01-01", "2027-01-01", "2026-11-25", t, h),
                   HV_COV_EXPIRED);
  assert_int_equal(hv_coverage_state(true, "2026-01-01", "2027-01-01", t, t, h),
                   HV_COV_EXPIRING); /* valid through its expiry day */
  assert_int_equal(hv_coverage_state(true, "2026-01-01", "2027-01-01", h, t, h), HV_COV_EXPIRING);
  assert_int_equal(hv_coverage_state(true, "2026-01-01", "2027-01-01", "2026-12-27", t, h),
                   HV_COV_VALID);
  for (int i = 0; i < HV_COV_MAX; i++)
    assert_int_equal(hv_cov_state_parse(hv_cov_state_names[i]), i);
  assert_int_equal(hv_cov_state_parse("nope"), -1);
}

struct seen {
  char fields[16][32];
  int n;
};
static void record(void *cls, const char *field, const char *msg) {
  struct seen *s = cls;
  assert_true(msg && *msg);
  if (s->n < 16)
    strncpy(s->fields[s->n++], field, 31);
}

static void validation(void **state) {
  (void)state;
  struct seen s = {0};
  struct hv_contract k = {"C-1", "", "2026-05-01", "2026-04-30", 1, 1, 0, 3};
  assert_int_equal(hv_contract_problems(&k, record, &s), 2);
  assert_string_equal(s.fields[0], "ends_on");
  assert_string_equal(s.fields[1], "onsite_personnel");
  memset(&s, 0, sizeof s);
  k = (struct hv_contract){"C 1", "", "2026-01-01", "2026-12-31", 0, 0, 1, -1};
  assert_int_equal(hv_contract_problems(&k, record, &s), 4);
  memset(&s, 0, sizeof s);
  k = (struct hv_contract){"C-1", "Line\nbreak", "2026-01-01", "2026-01-01", 1, 1, 1, 0};
  assert_int_equal(hv_contract_problems(&k, record, &s), 1);
  assert_string_equal(s.fields[0], "title");

  memset(&s, 0, sizeof s);
  assert_int_equal(hv_attestation_problems("2026-11-20", "2026-11-20", "2026-11-26", record, &s),
                   1);
  assert_string_equal(s.fields[0], "expires_on");
  memset(&s, 0, sizeof s);
  assert_int_equal(hv_attestation_problems("2026-11-27", "2027-11-20", "2026-11-26", record, &s),
                   1);
  assert_string_equal(s.fields[0], "signed_on");
  assert_int_equal(hv_attestation_problems("2026-11-26", "2027-11-26", "2026-11-26", record, &s),
                   0);

  memset(&s, 0, sizeof s);
  assert_int_equal(
      hv_notice_problems("2026-11-20", "email", "2026-11-19", "Owner", "2026-11-26", record, &s),
      1);
  assert_string_equal(s.fields[0], "acknowledged_on");
  memset(&s, 0, sizeof s);
  assert_int_equal(hv_notice_problems("2026-11-20", "fax", NULL, "Owner", "2026-11-26", record, &s),
                   2);
  assert_int_equal(hv_notice_problems("2026-11-20", "portal", NULL, NULL, "2026-11-26", record, &s),
                   0);

  memset(&s, 0, sizeof s);
  struct hv_contractor v = {"VC-1", "Name", "", "a@b", "123"};
  assert_int_equal(hv_contractor_problems(&v, record, &s), 2);
  assert_string_equal(s.fields[0], "contact_email");
  assert_string_equal(s.fields[1], "contact_phone");
}

static void csv_rows(void **state) {
  (void)state;
  const char good[] =
      "\xef\xbb\xbfNumber, Vendor_ID ,department,starts_on,ends_on,on_city_property\r\n"
      "C-1,V-1,LAPL,2026-01-01,2026-12-31,Yes\r\n"
      "\"C-2\",V-2,RAP,2026-01-01,2026-12-31,no\r\n";
  json_t *rows = NULL, *errors = json_array();
  assert_int_equal(
      hv_contracts_csv_check(HV_CIMPORT_CONTRACTS, good, sizeof good - 1, &rows, errors), 0);
  assert_int_equal(json_array_size(rows), 2);
  json_t *r = json_array_get(rows, 0);
  assert_true(json_is_true(json_object_get(r, "on_city_property")));
  assert_int_equal(json_integer_value(json_object_get(r, "onsite_personnel")), 0);
  assert_int_equal(json_integer_value(json_object_get(r, "row")), 2);
  json_decref(rows);

  const char bad[] =
      "number,vendor_id,department,starts_on,ends_on,on_city_property,onsite_personnel\n"
      "C-1,V-1,LAPL,2026-01-01,2025-12-31,no,2\n"
      "C-1,,,2026-02-30,2026-12-31,perhaps,x\n";
  assert_int_equal(hv_contracts_csv_check(HV_CIMPORT_CONTRACTS, bad, sizeof bad - 1, &rows, errors),
                   1);
  assert_null(rows);
  /* row 2: ends_on, onsite_personnel; row 3: on_city_property, onsite_personnel, vendor_id,
   * department, starts_on, number (twice in the file) */
  assert_int_equal(json_array_size(errors), 8);
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    json_int_t row = json_integer_value(json_object_get(e, "row"));
    assert_true(row == 2 || row == 3);
  }
  json_decref(errors);

  errors = json_array();
  const char header[] = "vendor_id,alien_number\nV-1,x\n";
  assert_int_equal(
      hv_contracts_csv_check(HV_CIMPORT_CONTRACTORS, header, sizeof header - 1, &rows, errors), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "row")), 1);
  json_decref(errors);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dates),
      cmocka_unit_test(coverage_edges),
      cmocka_unit_test(validation),
      cmocka_unit_test(csv_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
