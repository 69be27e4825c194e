/* Unit tests for src/modules/foia/documents.c and the reminder offsets of
 * core/config.c: a document's checks field by field (dates against the
 * request and today, pages, withheld pages against the document's,
 * exemption codes from the table, duplicates, the defaults taken from the
 * rows), the page form's fields parsed strictly, the release summary's
 * sums, and the `reminder_days` list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "modules/foia/deadline.h"
#include "modules/foia/documents.h"

static hv_day D(const char *s) {
  hv_day d = 0;
  assert_int_equal(hv_day_parse(s, &d), 0);
  return d;
}

static struct hv_foia_document_in doc(const char *on, int64_t pages) {
  struct hv_foia_document_in d;
  memset(&d, 0, sizeof d);
  d.received_on = on;
  d.pages = pages;
  d.withheld_in_full = d.withheld_in_part = HV_FOIA_UNSET;
  return d;
}

static void add_ex(struct hv_foia_document_in *d, const char *code, int64_t full, int64_t part) {
  d->ex[d->n_ex++] = (struct hv_foia_exemption_in){code, full, part};
}

/* The problem's field and row, or "ok". */
static const char *check(struct hv_foia_document_in *d, struct hv_foia_problem *p) {
  static char where[64];
  if (hv_foia_document_check(d, D("2026-01-05"), D("2026-03-01"), p) == 0)
    return "ok";
  snprintf(where, sizeof where, "%s@%d", p->field, p->row);
  return where;
}

static void exemption_table(void **state) {
  (void)state;
  assert_int_equal(HV_FOIA_EXEMPTIONS_N, 15);
  assert_int_equal(hv_foia_exemption_find("(b)(1)"), 0);
  assert_int_equal(hv_foia_exemption_find("(b)(9)"), 14);
  assert_true(hv_foia_exemption_find("(b)(7)(C)") > 0);
  assert_true(strstr(hv_foia_exemptions[hv_foia_exemption_find("(b)(7)(E)")].description,
                     "techniques") != NULL);
  assert_int_equal(hv_foia_exemption_find("(b)(10)"), -1);
  assert_int_equal(hv_foia_exemption_find("(b)(7)(G)"), -1);
  assert_int_equal(hv_foia_exemption_find("b6"), -1);
  assert_int_equal(hv_foia_exemption_find("(B)(6)"), -1);
  assert_int_equal(hv_foia_exemption_find(""), -1);
  assert_int_equal(hv_foia_exemption_find(NULL), -1);
  for (int i = 0; i < HV_FOIA_EXEMPTIONS_N; i++)
    for (int k = 0; k < i; k++)
      assert_string_not_equal(hv_foia_exemptions[i].code, hv_foia_exemptions[k].code);
}

static void checks(void **state) {
  (void)state;
  struct hv_foia_problem p;
  struct hv_foia_document_in d = doc("2026-02-10", 10);
  assert_string_equal(check(&d, &p), "ok");
  assert_int_equal(d.withheld_in_full, 0);
  assert_int_equal(d.withheld_in_part, 0);

  d = doc("2026-03-02", 10); /* tomorrow */
  assert_string_equal(check(&d, &p), "received_on@-1");
  assert_non_null(strstr(p.message, "future"));
  d = doc("2026-03-01", 10); /* today is fine, and the day submitted */
  assert_string_equal(check(&d, &p), "ok");
  d = doc("2026-01-05", 10);
  assert_string_equal(check(&d, &p), "ok");
  d = doc("2026-01-04", 10);
  assert_string_equal(check(&d, &p), "received_on@-1");
  assert_non_null(strstr(p.message, "2026-01-05"));
  d = doc("2026-02-30", 10);
  assert_string_equal(check(&d, &p), "received_on@-1");
  d = doc(NULL, 10);
  assert_string_equal(check(&d, &p), "received_on@-1");

  d = doc("2026-02-10", HV_FOIA_UNSET);
  assert_string_equal(check(&d, &p), "pages@-1");
  d = doc("2026-02-10", -3);
  assert_string_equal(check(&d, &p), "pages@-1");
  d = doc("2026-02-10", 0); /* a letter saying everything is withheld still has 0 pages */
  assert_string_equal(check(&d, &p), "ok");

  d = doc("2026-02-10", 10);
  d.withheld_in_full = 7;
  d.withheld_in_part = 4;
  assert_string_equal(check(&d, &p), "withheld_in_part@-1");
  d.withheld_in_part = 3;
  assert_string_equal(check(&d, &p), "ok");
  d = doc("2026-02-10", 10);
  d.withheld_in_full = 11;
  d.withheld_in_part = 0;
  assert_string_equal(check(&d, &p), "withheld_in_full@-1");
}

static void exemption_rows(void **state) {
  (void)state;
  struct hv_foia_problem p;
  struct hv_foia_document_in d = doc("2026-02-10", 10);
  add_ex(&d, "(b)(6)", 2, 5);
  add_ex(&d, "(b)(7)(C)", 4, HV_FOIA_UNSET);
  assert_string_equal(check(&d, &p), "ok");
  /* the document's counts default to the largest row: a page withheld under
   * two exemptions is one page */
  assert_int_equal(d.withheld_in_full, 4);
  assert_int_equal(d.withheld_in_part, 5);
  assert_int_equal(d.ex[1].withheld_in_part, 0);

  d = doc("2026-02-10", 10);
  add_ex(&d, "(b)(6)", 2, 5);
  add_ex(&d, "(b)(10)", 1, 0);
  assert_string_equal(check(&d, &p), "code@1");
  assert_non_null(strstr(p.message, "(b)(10)"));

  d = doc("2026-02-10", 10);
  add_ex(&d, "(b)(5)", 1, 0);
  add_ex(&d, "(b)(5)", 1, 0);
  assert_string_equal(check(&d, &p), "code@1");
  assert_non_null(strstr(p.message, "twice"));

  d = doc("2026-02-10", 10);
  add_ex(&d, "(b)(6)", 6, 5);
  assert_string_equal(check(&d, &p), "withheld_in_part@0");
  assert_non_null(strstr(p.message, "11 pages, more than the document's 10"));

  /* a row may not cover more than the document says it withheld */
  d = doc("2026-02-10", 10);
  d.withheld_in_full = 1;
  add_ex(&d, "(b)(6)", 2, 0);
  assert_string_equal(check(&d, &p), "withheld_in_full@0");
  d = doc("2026-02-10", 10);
  d.withheld_in_part = 1;
  add_ex(&d, "(b)(6)", 0, 2);
  assert_string_equal(check(&d, &p), "withheld_in_part@0");

  d = doc("2026-02-10", 10);
  d.event_id = -1;
  assert_string_equal(check(&d, &p), "event_id@-1");
}

struct kv {
  const char *k, *v;
};

static const char *get(void *cls, const char *name) {
  for (const struct kv *x = cls; x->k; x++)
    if (!strcmp(x->k, name))
      return x->v;
  return NULL;
}

static void form_fields(void **state) {
  (void)state;
  struct hv_foia_document_in d;
  struct hv_foia_problem p;
  struct kv ok[] = {{"received_on", "2026-02-10"},
                    {"pages", "12"},
                    {"withheld_in_full", ""},
                    {"event_id", "7"},
                    {"exemption_code_1", ""},
                    {"exemption_full_1", "9"},
                    {"exemption_code_2", "(b)(6)"},
                    {"exemption_full_2", "2"},
                    {"exemption_part_2", ""},
                    {"exemption_code_4", "(b)(5)"},
                    {NULL, NULL}};
  assert_int_equal(hv_foia_document_from_form(get, ok, &d, &p), 0);
  assert_string_equal(d.received_on, "2026-02-10");
  assert_int_equal(d.pages, 12);
  assert_int_equal(d.withheld_in_full, HV_FOIA_UNSET);
  assert_int_equal(d.withheld_in_part, HV_FOIA_UNSET);
  assert_int_equal(d.event_id, 7);
  assert_int_equal(d.n_ex, 2); /* row 1 has no code: skipped */
  assert_string_equal(d.ex[0].code, "(b)(6)");
  assert_int_equal(d.ex[0].withheld_in_full, 2);
  assert_int_equal(d.ex[0].withheld_in_part, HV_FOIA_UNSET);
  assert_string_equal(d.ex[1].code, "(b)(5)");

  static const char *const bad[] = {
      "twelve", "-1", "1.5", " 3", "3 ", "1e3", "0x10", "1000001", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct kv f[] = {{"received_on", "2026-02-10"}, {"pages", bad[i]}, {NULL, NULL}};
    assert_int_equal(hv_foia_document_from_form(get, f, &d, &p), -1);
    assert_string_equal(p.field, "pages");
    struct kv g[] = {
        {"pages", "3"}, {"exemption_code_3", "(b)(6)"}, {"exemption_part_3", bad[i]}, {NULL, NULL}};
    assert_int_equal(hv_foia_document_from_form(get, g, &d, &p), -1);
    assert_string_equal(p.field, "withheld_in_part");
    assert_int_equal(p.row, 0);
  }
  int64_t n;
  assert_int_equal(hv_foia_count_parse("1000000", &n), 0);
  assert_int_equal(n, 1000000);
  assert_int_equal(hv_foia_count_parse("", &n), 0);
  assert_int_equal(n, HV_FOIA_UNSET);
  assert_int_equal(hv_foia_count_parse(NULL, &n), 0);
  assert_int_equal(hv_foia_count_parse("007", &n), 0);
  assert_int_equal(n, 7);
}

static void summary(void **state) {
  (void)state;
  json_t *docs = json_loads(
      "[{\"pages\": 40, \"withheld_in_full\": 6, \"withheld_in_part\": 12, \"exemptions\": ["
      "{\"code\": \"(b)(6)\", \"withheld_in_full\": 2, \"withheld_in_part\": 10},"
      "{\"code\": \"(b)(7)(C)\", \"withheld_in_full\": 6, \"withheld_in_part\": 12}]},"
      "{\"pages\": 3, \"withheld_in_full\": 1, \"withheld_in_part\": 1, \"exemptions\": ["
      "{\"code\": \"(b)(6)\", \"withheld_in_full\": 0, \"withheld_in_part\": 1},"
      "{\"code\": \"(b)(5)\", \"withheld_in_full\": 1, \"withheld_in_part\": 0}]},"
      "{\"pages\": 0, \"withheld_in_full\": 0, \"withheld_in_part\": 0, \"exemptions\": []}]",
      0, NULL);
  assert_non_null(docs);
  json_t *s = hv_foia_release_summary(docs);
  char *text = json_dumps(s, JSON_COMPACT);
  assert_string_equal(
      text,
      "{\"documents\":3,\"pages_received\":43,\"released_in_full\":23,\"released_in_part\":13,"
      "\"withheld_in_full\":7,\"exemptions\":[{\"code\":\"(b)(5)\",\"description\":\"Privileged "
      "inter- or intra-agency communications (deliberative process, attorney-client, attorney "
      "work product)\",\"withheld_in_full\":1,\"withheld_in_part\":0,\"times_cited\":1},{"
      "\"code\":\"(b)(6)\",\"description\":\"Personnel, medical and similar files: a clearly "
      "unwarranted invasion of personal privacy\",\"withheld_in_full\":2,"
      "\"withheld_in_part\":11,\"times_cited\":2},{\"code\":\"(b)(7)(C)\",\"description\":"
      "\"Law enforcement records: could be an unwarranted invasion of personal privacy\","
      "\"withheld_in_full\":6,\"withheld_in_part\":12,\"times_cited\":1}]}");
  free(text);
  json_decref(s);
  json_decref(docs);
  json_t *none = json_array();
  s = hv_foia_release_summary(none);
  assert_int_equal(json_integer_value(json_object_get(s, "pages_received")), 0);
  assert_int_equal(json_array_size(json_object_get(s, "exemptions")), 0);
  json_decref(s);
  json_decref(none);
}

static void reminder_days(void **state) {
  (void)state;
  int d[HV_REMINDER_DAYS_MAX];
  assert_int_equal(hv_reminder_days_parse("5,1", d), 2);
  assert_int_equal(d[0], 5);
  assert_int_equal(d[1], 1);
  assert_int_equal(hv_reminder_days_parse("1, 10 ,3", d), 3);
  assert_int_equal(d[0], 10);
  assert_int_equal(d[1], 3);
  assert_int_equal(d[2], 1);
  assert_int_equal(hv_reminder_days_parse("", d), 0);
  assert_int_equal(hv_reminder_days_parse("0", d), 1);
  assert_int_equal(hv_reminder_days_parse("60", d), 1);
  static const char *const bad[] = {
      "61", "5,5", "5,", ",5", "5;1", "-1", "a", "1,2,3,4,5,6,7,8,9", "5,,1", "999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(hv_reminder_days_parse(bad[i], d), -1);
  assert_int_equal(hv_reminder_days_parse(NULL, d), -1);
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_string_equal(c.reminder_days, "5,1");
  assert_int_equal(c.reminder_interval, 3600);
  assert_int_equal(hv_config_set(&c, "reminder_days", "10,5,1", "test", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "reminder_days", "5,5", "test", err, sizeof err), -1);
  assert_non_null(strstr(err, "reminder_days"));
  assert_string_equal(c.reminder_days, "10,5,1");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exemption_table), cmocka_unit_test(checks),
      cmocka_unit_test(exemption_rows),  cmocka_unit_test(form_fields),
      cmocka_unit_test(summary),         cmocka_unit_test(reminder_days),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
