/* Unit tests for src/modules/workgroup/model.c: the recommendation status
 * machine cell by cell (every pair of statuses, allowed or not), the
 * message listing where a status may go, and the language-list splitter
 * the session form uses (trimming, repeats, limits, control characters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "modules/workgroup/model.h"

static void status_machine(void **state) {
  (void)state;
  /* rows: from; columns: to (proposed, under_review, adopted, implemented, declined) */
  static const int allowed[HV_WGR_MAX][HV_WGR_MAX] = {
      [HV_WGR_PROPOSED] = {0, 1, 0, 0, 1}, [HV_WGR_UNDER_REVIEW] = {1, 0, 1, 0, 1},
      [HV_WGR_ADOPTED] = {0, 0, 0, 1, 1},  [HV_WGR_IMPLEMENTED] = {0, 0, 0, 0, 0},
      [HV_WGR_DECLINED] = {0, 1, 0, 0, 0},
  };
  for (int f = 0; f < HV_WGR_MAX; f++)
    for (int t = 0; t < HV_WGR_MAX; t++)
      assert_int_equal(hv_wg_rec_can_move((enum hv_wg_rec_status)f, (enum hv_wg_rec_status)t),
                       allowed[f][t]);
  assert_false(hv_wg_rec_can_move(HV_WGR_MAX, HV_WGR_PROPOSED));
  assert_false(hv_wg_rec_can_move(HV_WGR_PROPOSED, (enum hv_wg_rec_status) - 1));
}

static void next_text(void **state) {
  (void)state;
  char s[128];
  hv_wg_rec_next_text(HV_WGR_PROPOSED, s, sizeof s);
  assert_string_equal(s, "under_review or declined");
  hv_wg_rec_next_text(HV_WGR_UNDER_REVIEW, s, sizeof s);
  assert_string_equal(s, "proposed, adopted or declined");
  hv_wg_rec_next_text(HV_WGR_IMPLEMENTED, s, sizeof s);
  assert_string_equal(s, "none");
  hv_wg_rec_next_text(HV_WGR_UNDER_REVIEW, s, 10); /* truncated, still a string */
  assert_true(strlen(s) < 10);
}

static void choices(void **state) {
  (void)state;
  assert_int_equal(hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, "declined"), HV_WGR_DECLINED);
  assert_int_equal(hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, "Declined"), -1);
  assert_int_equal(hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, NULL), -1);
  assert_string_equal(hv_wg_label(hv_wg_kinds, HV_WGK_MAX, "consultation"),
                      "Community consultation");
  assert_string_equal(hv_wg_label(hv_wg_kinds, HV_WGK_MAX, "other"), "other");
}

static void languages(void **state) {
  (void)state;
  char store[HV_WG_LANGS_MAX * (HV_WG_LANG_NAME_MAX + 1)];
  const char *n[HV_WG_LANGS_MAX];
  assert_int_equal(hv_wg_split_languages(" Spanish ,Korean,, ASL ,Spanish", store, sizeof store, n),
                   3);
  assert_string_equal(n[0], "Spanish");
  assert_string_equal(n[1], "Korean");
  assert_string_equal(n[2], "ASL");
  assert_int_equal(hv_wg_split_languages("", store, sizeof store, n), 0);
  assert_int_equal(hv_wg_split_languages(" , ,", store, sizeof store, n), 0);
  assert_int_equal(hv_wg_split_languages(NULL, store, sizeof store, n), 0);
  assert_int_equal(hv_wg_split_languages("K'iche', Q'anjob'al", store, sizeof store, n), 2);
  assert_string_equal(n[1], "Q'anjob'al");
  /* 40 bytes is the longest name */
  char name[64];
  memset(name, 'a', 41);
  name[41] = '\0';
  assert_int_equal(hv_wg_split_languages(name, store, sizeof store, n), -1);
  name[40] = '\0';
  assert_int_equal(hv_wg_split_languages(name, store, sizeof store, n), 1);
  /* 16 names at most */
  char many[256] = "";
  for (int i = 0; i < 17; i++) {
    char one[8];
    snprintf(one, sizeof one, "L%d,", i);
    strcat(many, one);
  }
  assert_int_equal(hv_wg_split_languages(many, store, sizeof store, n), -1);
  assert_int_equal(hv_wg_split_languages("Spanish\n,Korean", store, sizeof store, n), -1);
  assert_int_equal(hv_wg_split_languages("Spanish, Korean", store, 8, n), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(status_machine),
      cmocka_unit_test(next_text),
      cmocka_unit_test(choices),
      cmocka_unit_test(languages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
