/* Unit tests for src/http/headers.c: Cookie lookup, Accept-Encoding's gzip
 * negotiation and If-None-Match comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/headers.h"

static void cookie_found(void **state) {
  (void)state;
  char v[64];
  assert_int_equal(hv_cookie_get("a=1; b=2; c=3", "b", v, sizeof v), 1);
  assert_string_equal(v, "2");
  assert_int_equal(hv_cookie_get("a=1; b=2; c=3", "a", v, sizeof v), 1);
  assert_string_equal(v, "1");
  assert_int_equal(hv_cookie_get("a=1; b=2; c=three", "c", v, sizeof v), 5);
  assert_string_equal(v, "three");
  assert_int_equal(hv_cookie_get("a=1;b=2", "b", v, sizeof v), 1); /* no space */
  assert_string_equal(v, "2");
  assert_int_equal(hv_cookie_get("  sid=abc  ;x=1", "sid", v, sizeof v), 3);
  assert_string_equal(v, "abc");
  assert_int_equal(hv_cookie_get("tok=a=b==", "tok", v, sizeof v), 5); /* base64 padding */
  assert_string_equal(v, "a=b==");
  assert_int_equal(hv_cookie_get("e=; f=1", "e", v, sizeof v), 0);
  assert_string_equal(v, "");
}

static void cookie_quoted(void **state) {
  (void)state;
  char v[64];
  assert_int_equal(hv_cookie_get("s=\"quoted value\"; t=1", "s", v, sizeof v), 12);
  assert_string_equal(v, "quoted value");
  assert_int_equal(hv_cookie_get("s=\"\"", "s", v, sizeof v), 0);
  assert_string_equal(v, "");
  assert_int_equal(hv_cookie_get("s=\"", "s", v, sizeof v), 1); /* a lone quote stays */
  assert_string_equal(v, "\"");
  assert_int_equal(hv_cookie_get("s=\"abc", "s", v, sizeof v), 4);
  assert_string_equal(v, "\"abc");
}

static void cookie_prefix_confusion(void **state) {
  (void)state;
  char v[64];
  assert_int_equal(hv_cookie_get("xa=1; a=2", "a", v, sizeof v), 1);
  assert_string_equal(v, "2");
  assert_int_equal(hv_cookie_get("a_b=1; a=2", "a", v, sizeof v), 1);
  assert_string_equal(v, "2");
  assert_int_equal(hv_cookie_get("ab=1", "a", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("a=1", "ab", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("x=a=2", "a", v, sizeof v), -1); /* a value is not a name */
  assert_int_equal(hv_cookie_get("x=\"a=2\"", "a", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("A=1", "a", v, sizeof v), -1); /* names are case-sensitive */
  assert_int_equal(hv_cookie_get("a; a=5", "a", v, sizeof v), 1); /* bare "a" is no cookie */
  assert_string_equal(v, "5");
  /* the first of two wins */
  assert_int_equal(hv_cookie_get("a=first; a=second", "a", v, sizeof v), 5);
  assert_string_equal(v, "first");
}

static void cookie_absent(void **state) {
  (void)state;
  char v[8] = "keep";
  assert_int_equal(hv_cookie_get(NULL, "a", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("", "a", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("a=1", "", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get(";;; ;", "a", v, sizeof v), -1);
  assert_int_equal(hv_cookie_get("b=1; c=2", "a", v, sizeof v), -1);
  assert_string_equal(v, "keep");
}

static void cookie_too_small(void **state) {
  (void)state;
  char v[4];
  memcpy(v, "zzz", 4);
  assert_int_equal(hv_cookie_get("a=1234", "a", v, sizeof v), -2);
  assert_string_equal(v, "zzz"); /* untouched */
  assert_int_equal(hv_cookie_get("a=123", "a", v, sizeof v), 3); /* exactly fits with NUL */
  assert_string_equal(v, "123");
  assert_int_equal(hv_cookie_get("a=", "a", v, 0), -2);
  assert_int_equal(hv_cookie_get("a=", "a", v, 1), 0);
}

static void gzip_accepted(void **state) {
  (void)state;
  static const char *yes[] = {
      "gzip", "gzip, deflate, br", "deflate, gzip", "GZIP", "Gzip;q=0.5", "gzip;q=1",
      "gzip;q=1.0", "x-gzip", "X-Gzip", "*", "br, *", "gzip;q=0.001", "gzip ; q=0.8",
      "br;q=1, gzip;q=0.1", "*;q=0.5", "gzip;level=1;q=0.3",
  };
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    if (!hv_accepts_gzip(yes[i]))
      fail_msg("'%s' should accept gzip", yes[i]);
}

static void gzip_refused(void **state) {
  (void)state;
  static const char *no[] = {
      "",          "identity",     "deflate, br", "gzip;q=0", "gzip;q=0.0", "gzip;q=0.000",
      "GZIP;Q=0",  "*;q=0",        "gzip;q=0, *", "*, gzip;q=0", "x-gzip;q=0", "gzipx",
      "xgzip",     "gzip2",        "*;q=0, br",   "gzip;q=",  "gzip; q=0",
  };
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    if (hv_accepts_gzip(no[i]))
      fail_msg("'%s' should not accept gzip", no[i]);
  assert_false(hv_accepts_gzip(NULL));
}

static void etag_matches(void **state) {
  (void)state;
  const char *tag = "\"0123456789abcdef\"";
  assert_true(hv_etag_match("\"0123456789abcdef\"", tag));
  assert_true(hv_etag_match("W/\"0123456789abcdef\"", tag)); /* weak comparison */
  assert_true(hv_etag_match("*", tag));
  assert_true(hv_etag_match("  *  ", tag));
  assert_true(hv_etag_match("\"aaa\", \"0123456789abcdef\"", tag));
  assert_true(hv_etag_match("\"aaa\",W/\"0123456789abcdef\" , \"bbb\"", tag));
  assert_true(hv_etag_match(" \"0123456789abcdef\"\t", tag));
}

static void etag_mismatches(void **state) {
  (void)state;
  const char *tag = "\"0123456789abcdef\"";
  assert_false(hv_etag_match(NULL, tag));
  assert_false(hv_etag_match("", tag));
  assert_false(hv_etag_match("   ", tag));
  assert_false(hv_etag_match("\"0123456789abcde\"", tag));
  assert_false(hv_etag_match("\"0123456789abcdef0\"", tag));
  assert_false(hv_etag_match("0123456789abcdef", tag)); /* quotes matter */
  assert_false(hv_etag_match("\"0123456789ABCDEF\"", tag));
  assert_false(hv_etag_match("\"aaa\", \"bbb\"", tag));
  assert_false(hv_etag_match("w/\"0123456789abcdef\"", tag));
  assert_false(hv_etag_match("\"*\"", tag));
  assert_false(hv_etag_match("x\"0123456789abcdef\"", tag));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cookie_found),
      cmocka_unit_test(cookie_quoted),
      cmocka_unit_test(cookie_prefix_confusion),
      cmocka_unit_test(cookie_absent),
      cmocka_unit_test(cookie_too_small),
      cmocka_unit_test(gzip_accepted),
      cmocka_unit_test(gzip_refused),
      cmocka_unit_test(etag_matches),
      cmocka_unit_test(etag_mismatches),
  };
  return cmocka_run_group_tests_name("http/headers", tests, NULL, NULL);
}
