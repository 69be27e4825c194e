/* Unit tests for src/modules/kyr/sms.c: every boundary of the SMS length
 * rules — 160/161 GSM-7 septets, the 153-septet parts, extension
 * characters costing two septets and never split from their escape,
 * 70/71 UCS-2 units, the 67-unit parts, surrogate pairs (two units, never
 * split), mixed scripts, the characters that force UCS-2, and refusal of
 * invalid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "modules/kyr/sms.h"

/* `n` copies of the UTF-8 string `unit`, then `tail`. Caller frees. */
static char *rep(const char *unit, size_t n, const char *tail) {
  size_t u = strlen(unit), t = strlen(tail);
  char *s = malloc(u * n + t + 1);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++)
    memcpy(s + i * u, unit, u);
  memcpy(s + u * n, tail, t + 1);
  return s;
}

static void expect(const char *text, enum hv_sms_encoding enc, size_t units, size_t segments) {
  struct hv_sms_info in;
  assert_int_equal(hv_sms_measure(text, strlen(text), &in), 0);
  assert_int_equal(in.encoding, enc);
  assert_int_equal(in.units, units);
  assert_int_equal(in.segments, segments);
}

static void expect_rep(const char *unit, size_t n, const char *tail, enum hv_sms_encoding enc,
                       size_t units, size_t segments) {
  char *s = rep(unit, n, tail);
  expect(s, enc, units, segments);
  free(s);
}

static void test_empty(void **state) {
  (void)state;
  expect("", HV_SMS_GSM7, 0, 0);
}

static void test_gsm_one_character(void **state) {
  (void)state;
  expect("a", HV_SMS_GSM7, 1, 1);
}

static void test_gsm_boundaries(void **state) {
  (void)state;
  expect_rep("a", 160, "", HV_SMS_GSM7, 160, 1);
  expect_rep("a", 161, "", HV_SMS_GSM7, 161, 2);
  expect_rep("a", 306, "", HV_SMS_GSM7, 306, 2);
  expect_rep("a", 307, "", HV_SMS_GSM7, 307, 3);
  expect_rep("a", 459, "", HV_SMS_GSM7, 459, 3);
  expect_rep("a", 460, "", HV_SMS_GSM7, 460, 4);
}

static void test_gsm_extension(void **state) {
  (void)state;
  /* Each of the extension table costs two septets. */
  expect("^{}\\[~]|\xe2\x82\xac\f", HV_SMS_GSM7, 20, 1);
  expect_rep("\xe2\x82\xac", 80, "", HV_SMS_GSM7, 160, 1); /* 80 euro signs fill one SMS */
  expect_rep("\xe2\x82\xac", 81, "", HV_SMS_GSM7, 162, 2);
  expect_rep("a", 159, "[", HV_SMS_GSM7, 161, 2);
  /* 152 + escape pair + 152: the pair does not fit the first part's last
   * septet, so it moves whole to the second part and the text needs three. */
  char *s = rep("a", 152, "{");
  char *t = rep("a", 152, "");
  char *both = malloc(strlen(s) + strlen(t) + 1);
  strcpy(both, s);
  strcat(both, t);
  expect(both, HV_SMS_GSM7, 306, 3);
  /* The same length made of single septets fits two. */
  expect_rep("a", 306, "", HV_SMS_GSM7, 306, 2);
  free(s);
  free(t);
  free(both);
}

static void test_gsm_alphabet(void **state) {
  (void)state;
  /* Spanish in the alphabet: é ñ ü ¿ ¡ (and capitals Ñ Ü É). */
  expect("¿Dónde?", HV_SMS_UCS2, 7, 1); /* ó is not */
  expect("¿Qué pasa, niño? ¡Agüéro! ÑÜÉ", HV_SMS_GSM7, 29, 1);
  /* Greek capitals of the alphabet, CR, LF, @ £ $ ¥ ¤ §. */
  expect("ΔΦΓΛΩΠΨΣΘΞ", HV_SMS_GSM7, 10, 1);
  expect("@£$¥¤§\r\n", HV_SMS_GSM7, 8, 1);
  /* Backtick and the small c cedilla are not in it. */
  expect("`", HV_SMS_UCS2, 1, 1);
  expect("\xc3\xa7", HV_SMS_UCS2, 1, 1);
  expect("\xc3\x87", HV_SMS_GSM7, 1, 1);
  assert_int_equal(hv_sms_gsm_septets(0x20AC), 2);
  assert_int_equal(hv_sms_gsm_septets('a'), 1);
  assert_int_equal(hv_sms_gsm_septets(0x1F600), 0);
  assert_int_equal(hv_sms_gsm_septets(0x1B), 0); /* the escape itself is no character */
}

static void test_ucs2_boundaries(void **state) {
  (void)state;
  const char *zhe = "\xd0\xb6"; /* Cyrillic: UCS-2 */
  expect_rep(zhe, 70, "", HV_SMS_UCS2, 70, 1);
  expect_rep(zhe, 71, "", HV_SMS_UCS2, 71, 2);
  expect_rep(zhe, 134, "", HV_SMS_UCS2, 134, 2);
  expect_rep(zhe, 135, "", HV_SMS_UCS2, 135, 3);
  expect_rep(zhe, 201, "", HV_SMS_UCS2, 201, 3);
  expect_rep(zhe, 202, "", HV_SMS_UCS2, 202, 4);
  /* One non-GSM character switches a whole Latin text: 69 + 1 = 70 units. */
  expect_rep("a", 69, "\xc3\xa1", HV_SMS_UCS2, 70, 1);
  expect_rep("a", 70, "\xc3\xa1", HV_SMS_UCS2, 71, 2);
  /* Extension characters cost one unit in UCS-2. */
  expect_rep("{", 69, "\xc3\xa1", HV_SMS_UCS2, 70, 1);
}

static void test_surrogate_pairs(void **state) {
  (void)state;
  const char *emoji = "\xf0\x9f\x98\x80"; /* U+1F600 */
  expect_rep(emoji, 35, "", HV_SMS_UCS2, 70, 1);
  expect_rep(emoji, 36, "", HV_SMS_UCS2, 72, 2);
  /* 66 units + a pair: the pair does not split across parts. */
  char *a = rep("\xd0\xb6", 66, emoji);
  char *b = rep("\xd0\xb6", 66, "");
  char *both = malloc(strlen(a) + strlen(b) + 1);
  strcpy(both, a);
  strcat(both, b);
  expect(both, HV_SMS_UCS2, 134, 3);
  expect_rep("\xd0\xb6", 134, "", HV_SMS_UCS2, 134, 2);
  free(a);
  free(b);
  free(both);
}

static void test_mixed_scripts_and_offending(void **state) {
  (void)state;
  struct hv_sms_info in;
  /* Spanish with á and í, Korean, Farsi: the offending characters in
   * order of first appearance, each once. */
  const char *t = "Usted tiene derechos: \xc3\xa1 \xc3\xad \xc3\xa1 \xea\xb6\x8c \xd8\xad";
  assert_int_equal(hv_sms_measure(t, strlen(t), &in), 0);
  assert_int_equal(in.encoding, HV_SMS_UCS2);
  assert_int_equal(in.noffending, 4);
  assert_int_equal(in.offending[0], 0xE1);
  assert_int_equal(in.offending[1], 0xED);
  assert_int_equal(in.offending[2], 0xAD8C);
  assert_int_equal(in.offending[3], 0x62D);
  assert_false(in.more_offending);
  /* A text in GSM-7 has none. */
  assert_int_equal(hv_sms_measure("Call 311", 8, &in), 0);
  assert_int_equal(in.noffending, 0);
  /* More distinct offenders than are kept. */
  char many[80] = "";
  for (int i = 0; i < 20; i++)
    strcat(many, (const char[]){(char)0xd0, (char)(0xb0 + i % 16), 0});
  strcat(many, "\xd1\x80\xd1\x81\xd1\x82\xd1\x83");
  assert_int_equal(hv_sms_measure(many, strlen(many), &in), 0);
  assert_int_equal(in.noffending, HV_SMS_OFFENDING_MAX);
  assert_true(in.more_offending);
}

static void test_invalid(void **state) {
  (void)state;
  struct hv_sms_info in;
  assert_int_equal(hv_sms_measure("\xc3", 1, &in), -1);         /* truncated */
  assert_int_equal(hv_sms_measure("\xc0\xaf", 2, &in), -1);     /* overlong */
  assert_int_equal(hv_sms_measure("\xed\xa0\x80", 3, &in), -1); /* a lone surrogate */
  assert_int_equal(hv_sms_measure("a\0b", 3, &in), -1);         /* NUL */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),           cmocka_unit_test(test_gsm_one_character),
      cmocka_unit_test(test_gsm_boundaries),  cmocka_unit_test(test_gsm_extension),
      cmocka_unit_test(test_gsm_alphabet),    cmocka_unit_test(test_ucs2_boundaries),
      cmocka_unit_test(test_surrogate_pairs), cmocka_unit_test(test_mixed_scripts_and_offending),
      cmocka_unit_test(test_invalid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
