/* Unit tests for src/core/str.c: UTF-8 validity (the checks every parser
 * relies on), bounded copies and strict integer parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/str.h"

#define VALID(s) hv_utf8_valid((s), sizeof(s) - 1)

static void utf8_accepts_valid(void **state) {
  (void)state;
  assert_true(VALID(""));
  assert_true(VALID("plain ASCII ~"));
  assert_true(VALID("\xc2\x80"));         /* U+0080, smallest 2-byte */
  assert_true(VALID("\xdf\xbf"));         /* U+07FF */
  assert_true(VALID("\xe0\xa0\x80"));     /* U+0800, smallest 3-byte */
  assert_true(VALID("\xed\x9f\xbf"));     /* U+D7FF, just below surrogates */
  assert_true(VALID("\xee\x80\x80"));     /* U+E000, just above */
  assert_true(VALID("\xef\xbf\xbf"));     /* U+FFFF */
  assert_true(VALID("\xf0\x90\x80\x80")); /* U+10000 */
  assert_true(VALID("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */
  assert_true(VALID("مرحبا بالعالم"));
  assert_true(VALID("日本語のテキスト"));
  assert_true(VALID("😀"));
}

static void utf8_refuses_overlongs(void **state) {
  (void)state;
  assert_false(VALID("\xc0\x80")); /* overlong NUL */
  assert_false(VALID("\xc1\xbf"));
  assert_false(VALID("\xe0\x80\x80"));
  assert_false(VALID("\xe0\x9f\xbf")); /* overlong U+07FF */
  assert_false(VALID("\xf0\x80\x80\x80"));
  assert_false(VALID("\xf0\x8f\xbf\xbf")); /* overlong U+FFFF */
}

static void utf8_refuses_surrogates_and_beyond(void **state) {
  (void)state;
  assert_false(VALID("\xed\xa0\x80"));             /* U+D800 */
  assert_false(VALID("\xed\xbf\xbf"));             /* U+DFFF */
  assert_false(VALID("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
  assert_false(VALID("\xf4\x90\x80\x80"));         /* U+110000 */
  assert_false(VALID("\xf5\x80\x80\x80"));
  assert_false(VALID("\xf8\x88\x80\x80\x80")); /* 5-byte form */
  assert_false(VALID("\xfe"));
  assert_false(VALID("\xff"));
}

static void utf8_refuses_truncated_and_stray(void **state) {
  (void)state;
  assert_false(VALID("\xc3"));
  assert_false(VALID("\xe6\x97"));
  assert_false(VALID("\xf0\x9f\x98"));
  assert_false(VALID("ok\xf0\x9f\x98"));
  assert_false(VALID("\x80"));
  assert_false(VALID("a\xbf"
                     "b"));
  assert_false(VALID("\xc3\x28")); /* continuation expected, ASCII found */
  assert_false(VALID("\xe2\x28\xa1"));
  /* a valid sequence cut by n is refused even if more bytes follow */
  assert_false(hv_utf8_valid("\xc3\xa9", 1));
  assert_true(hv_utf8_valid("\xc3\xa9", 2));
}

static void utf8_refuses_nul(void **state) {
  (void)state;
  assert_false(hv_utf8_valid("a\0b", 3));
  assert_false(hv_utf8_valid("\0", 1));
  assert_true(hv_utf8_valid("a\0b", 1)); /* n stops before the NUL */
}

static void utf8_seq_lengths(void **state) {
  (void)state;
  assert_int_equal(hv_utf8_seq((const unsigned char *)"A", 1), 1);
  assert_int_equal(hv_utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
  assert_int_equal(hv_utf8_seq((const unsigned char *)"\xe6\x97\xa5", 3), 3);
  assert_int_equal(hv_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
  assert_int_equal(hv_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
  assert_int_equal(hv_utf8_seq((const unsigned char *)"\xc0\x80", 2), 0);
}

static void strlcpy_truncates(void **state) {
  (void)state;
  char dst[6];
  memset(dst, 'z', sizeof dst);
  assert_int_equal(hv_strlcpy(dst, "hello", sizeof dst), 5);
  assert_string_equal(dst, "hello");
  assert_int_equal(hv_strlcpy(dst, "hello world", sizeof dst), 11);
  assert_string_equal(dst, "hello");
  assert_int_equal(hv_strlcpy(dst, "", sizeof dst), 0);
  assert_string_equal(dst, "");
  dst[0] = 'q';
  assert_int_equal(hv_strlcpy(dst, "abc", 0), 3); /* cap 0 writes nothing */
  assert_int_equal(dst[0], 'q');
  assert_int_equal(hv_strlcpy(dst, "abc", 1), 3);
  assert_string_equal(dst, "");
}

static void parse_i64_accepts(void **state) {
  (void)state;
  int64_t v = -1;
  assert_int_equal(hv_parse_i64("0", 0, 10, &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(hv_parse_i64("42", 0, 100, &v), 0);
  assert_int_equal(v, 42);
  assert_int_equal(hv_parse_i64("-42", -100, 100, &v), 0);
  assert_int_equal(v, -42);
  assert_int_equal(hv_parse_i64("+7", 0, 100, &v), 0);
  assert_int_equal(v, 7);
  assert_int_equal(hv_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
  assert_true(v == INT64_MAX);
  assert_int_equal(hv_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
  assert_true(v == INT64_MIN);
  assert_int_equal(hv_parse_i64("10", 10, 10, &v), 0); /* bounds are inclusive */
  assert_int_equal(v, 10);
}

static void parse_i64_refuses(void **state) {
  (void)state;
  int64_t v = 12345;
  static const char *bad[] = {
      "",
      "-",
      "+",
      " 1",
      "1 ",
      "1x",
      "x1",
      "0x10",
      "1.5",
      "1e3",
      "--1",
      "+-1",
      "-+1",
      "9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999",
      "\t5",
      "5\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(hv_parse_i64(bad[i], INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(v, 12345); /* untouched on failure */
  }
  assert_int_equal(hv_parse_i64(NULL, 0, 1, &v), -1);
  assert_int_equal(hv_parse_i64("11", 0, 10, &v), -1);
  assert_int_equal(hv_parse_i64("-1", 0, 10, &v), -1);
  assert_int_equal(hv_parse_i64("0", 1, 65535, &v), -1);
  assert_int_equal(hv_parse_i64("65536", 1, 65535, &v), -1);
  assert_int_equal(v, 12345);
}

static void streq_nocase(void **state) {
  (void)state;
  assert_true(hv_streq_nocase("Content-Type", "content-type"));
  assert_true(hv_streq_nocase("", ""));
  assert_false(hv_streq_nocase("gzip", "gzip2"));
  assert_false(hv_streq_nocase("a", ""));
}

static void utf8_next_and_put_round_trip(void **state) {
  (void)state;
  const uint32_t cps[] = {0x24, 0xA3, 0x20AC, 0xD55C, 0x10348, 0x10FFFF,
                          0x7F, 0x80, 0x7FF,  0x800,  0xFFFF,  0x10000};
  for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
    char u[4];
    uint32_t back = 0;
    size_t n = hv_utf8_put(cps[i], u);
    assert_true(n >= 1 && n <= 4);
    assert_int_equal(hv_utf8_next((const unsigned char *)u, n, &back), n);
    assert_int_equal(back, cps[i]);
    if (n > 1) /* truncated: refused */
      assert_int_equal(hv_utf8_next((const unsigned char *)u, n - 1, &back), 0);
  }
  char u[4];
  assert_int_equal(hv_utf8_put(0xD800, u), 0);
  assert_int_equal(hv_utf8_put(0x110000, u), 0);
  uint32_t cp;
  assert_int_equal(hv_utf8_next((const unsigned char *)"\xc0\xaf", 2, &cp), 0);
  assert_int_equal(hv_utf8_next((const unsigned char *)"", 0, &cp), 0);
  assert_int_equal(hv_utf8_next((const unsigned char *)"\xe2\x82\xac!", 4, &cp), 3);
  assert_int_equal(cp, 0x20AC);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(utf8_next_and_put_round_trip),
      cmocka_unit_test(utf8_accepts_valid),
      cmocka_unit_test(utf8_refuses_overlongs),
      cmocka_unit_test(utf8_refuses_surrogates_and_beyond),
      cmocka_unit_test(utf8_refuses_truncated_and_stray),
      cmocka_unit_test(utf8_refuses_nul),
      cmocka_unit_test(utf8_seq_lengths),
      cmocka_unit_test(strlcpy_truncates),
      cmocka_unit_test(parse_i64_accepts),
      cmocka_unit_test(parse_i64_refuses),
      cmocka_unit_test(streq_nocase),
  };
  return cmocka_run_group_tests_name("core/str", tests, NULL, NULL);
}
