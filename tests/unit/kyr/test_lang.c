/* Unit tests for src/modules/kyr/lang.c: Accept-Language against the
 * served tags — q-values and order, regions, Chinese by script and region,
 * alternative codes, wildcards, malformed headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "modules/kyr/lang.h"

static const char *const tags[] = {"en", "es", "ko", "zh-Hant", "zh-Hans", "tl", "fa", "he", "vi"};
#define N (sizeof tags / sizeof tags[0])

static const char *pick(const char *header) {
  int i = hv_kyr_accept_language(header, tags, N);
  return i < 0 ? NULL : tags[i];
}

static void exact_and_regional(void **state) {
  (void)state;
  assert_string_equal(pick("es"), "es");
  assert_string_equal(pick("es-MX"), "es");
  assert_string_equal(pick("es-419,es;q=0.9"), "es");
  assert_string_equal(pick("KO-kr"), "ko");
  assert_string_equal(pick("vi-VN, en;q=0.5"), "vi");
}

static void quality_and_order(void **state) {
  (void)state;
  assert_string_equal(pick("en;q=0.5, es;q=0.9"), "es");
  assert_string_equal(pick("fr, es;q=0.8, en;q=0.7"), "es"); /* French is not served */
  assert_string_equal(pick("ko, es"), "ko");                 /* equal q: the first */
  assert_null(pick("es;q=0"));                               /* q=0: not acceptable */
  assert_string_equal(pick("es;q=0, en"), "en");
  assert_string_equal(pick("es ; q=0.3 , ko;q=0.4"), "ko");
}

static void chinese_by_script_and_region(void **state) {
  (void)state;
  assert_string_equal(pick("zh-TW"), "zh-Hant");
  assert_string_equal(pick("zh-HK"), "zh-Hant");
  assert_string_equal(pick("zh-Hant-TW"), "zh-Hant");
  assert_string_equal(pick("zh-CN"), "zh-Hans");
  assert_string_equal(pick("zh"), "zh-Hans");
  assert_string_equal(pick("zh-Hans-CN"), "zh-Hans");
}

static void alternative_codes(void **state) {
  (void)state;
  assert_string_equal(pick("fil-PH"), "tl");
  assert_string_equal(pick("iw"), "he");
  assert_string_equal(pick("pes"), "fa");
  assert_string_equal(pick("fa-IR"), "fa");
}

static void nothing_or_garbage(void **state) {
  (void)state;
  assert_null(pick(NULL));
  assert_null(pick(""));
  assert_null(pick("*"));
  assert_null(pick("fr-FR, de"));
  assert_null(pick(",,,;;;q=="));
  assert_null(pick("es;q=abc"));
  char longh[4096];
  memset(longh, 'a', sizeof longh - 1);
  longh[sizeof longh - 1] = '\0';
  assert_null(pick(longh));
  /* Only the first 32 ranges are read. */
  char many[1024] = "";
  for (int i = 0; i < 40; i++)
    strcat(many, "fr,");
  strcat(many, "es");
  assert_null(pick(many));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exact_and_regional),           cmocka_unit_test(quality_and_order),
      cmocka_unit_test(chinese_by_script_and_region), cmocka_unit_test(alternative_codes),
      cmocka_unit_test(nothing_or_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
