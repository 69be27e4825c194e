/* Unit tests for src/core/buf.c: the hard maximum (a refused append leaves
 * the buffer exactly as it was), printf, and the HTML and JSON escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void add_and_nul_terminated(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 1024);
  assert_null(b.data);
  assert_int_equal(hv_buf_add(&b, "abc", 3), 0);
  assert_int_equal(hv_buf_adds(&b, "def"), 0);
  assert_int_equal(hv_buf_addc(&b, 'g'), 0);
  assert_int_equal(b.len, 7);
  assert_string_equal(b.data, "abcdefg");
  assert_int_equal(hv_buf_add(&b, "\0x", 2), 0); /* binary bytes are kept */
  assert_int_equal(b.len, 9);
  assert_memory_equal(b.data, "abcdefg\0x", 10);
  hv_buf_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
}

static void grows_past_initial_capacity(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 100000);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(hv_buf_addc(&b, (char)('a' + i % 26)), 0);
  assert_int_equal(b.len, 10000);
  for (int i = 0; i < 10000; i++)
    assert_int_equal(b.data[i], 'a' + i % 26);
  assert_int_equal(b.data[10000], '\0');
  assert_true(b.cap <= 100001);
  hv_buf_free(&b);
}

static void exact_max_fits(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 8);
  assert_int_equal(hv_buf_adds(&b, "12345678"), 0);
  assert_int_equal(b.len, 8);
  assert_string_equal(b.data, "12345678");
  assert_int_equal(hv_buf_add(&b, "", 0), 0); /* nothing more is still fine */
  assert_int_equal(hv_buf_addc(&b, 'x'), -1);
  assert_string_equal(b.data, "12345678");
  hv_buf_free(&b);
}

static void refusal_leaves_buffer_unchanged(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 10);
  assert_int_equal(hv_buf_adds(&b, "hello"), 0);
  assert_int_equal(hv_buf_adds(&b, "worlds"), -1);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(hv_buf_printf(&b, "%s", "123456"), -1);
  assert_int_equal(b.len, 5);
  assert_string_equal(b.data, "hello");
  assert_int_equal(hv_buf_add(&b, "x", SIZE_MAX), -1);
  assert_int_equal(b.len, 5);
  assert_int_equal(hv_buf_printf(&b, "%d", 12345), 0);
  assert_string_equal(b.data, "hello12345");
  hv_buf_free(&b);
}

static void html_refusal_leaves_buffer_unchanged(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 16);
  assert_int_equal(hv_buf_adds(&b, "ok:"), 0);
  /* the escaped text would be 3 + 4 + 1 + 4 + ... bytes: past 16 */
  const char *s = "a<b<c<d";
  assert_int_equal(hv_buf_add_html(&b, s, strlen(s)), -1);
  assert_int_equal(b.len, 3);
  assert_string_equal(b.data, "ok:");
  hv_buf_free(&b);
}

static void json_refusal_leaves_buffer_unchanged(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 16);
  assert_int_equal(hv_buf_adds(&b, "ok:"), 0);
  const char *s = "ab\x01\x02\x03";
  assert_int_equal(hv_buf_add_json(&b, s, strlen(s)), -1);
  assert_int_equal(b.len, 3);
  assert_string_equal(b.data, "ok:");
  hv_buf_free(&b);
}

static void reset_keeps_memory(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 100);
  hv_buf_reset(&b); /* on a never-used buffer */
  assert_int_equal(hv_buf_adds(&b, "abc"), 0);
  char *before = b.data;
  hv_buf_reset(&b);
  assert_int_equal(b.len, 0);
  assert_ptr_equal(b.data, before);
  assert_string_equal(b.data, "");
  assert_int_equal(hv_buf_adds(&b, "z"), 0);
  assert_string_equal(b.data, "z");
  hv_buf_free(&b);
}

static void printf_appends(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  assert_int_equal(hv_buf_printf(&b, "%s=%d", "a", 1), 0);
  assert_int_equal(hv_buf_printf(&b, ";%s=%lld", "b", (long long)INT64_MIN), 0);
  assert_string_equal(b.data, "a=1;b=-9223372036854775808");
  assert_int_equal(b.len, strlen(b.data));
  hv_buf_free(&b);
}

static void steal_hands_over(void **state) {
  (void)state;
  struct hv_buf b;
  size_t len = 99;
  hv_buf_init(&b, 100);
  assert_null(hv_buf_steal(&b, &len));
  assert_int_equal(len, 0);
  hv_buf_adds(&b, "mine");
  char *p = hv_buf_steal(&b, &len);
  assert_string_equal(p, "mine");
  assert_int_equal(len, 4);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  free(p);
  hv_buf_free(&b);
}

static void html_escapes_all_six(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  const char *s = "<a href=\"x\" title='y'>&`</a>";
  assert_int_equal(hv_buf_add_html(&b, s, strlen(s)), 0);
  assert_string_equal(b.data, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;");
  hv_buf_reset(&b);
  assert_int_equal(hv_buf_add_html(&b, "plain text é 日本", strlen("plain text é 日本")), 0);
  assert_string_equal(b.data, "plain text é 日本");
  hv_buf_reset(&b);
  assert_int_equal(hv_buf_add_html(&b, "&amp;", 5), 0); /* no double-decoding tricks */
  assert_string_equal(b.data, "&amp;amp;");
  hv_buf_reset(&b);
  assert_int_equal(hv_buf_add_html(&b, "<>x", 2), 0); /* only n bytes */
  assert_string_equal(b.data, "&lt;&gt;");
  hv_buf_reset(&b);
  assert_int_equal(hv_buf_add_html(&b, "", 0), 0);
  assert_int_equal(b.len, 0);
  hv_buf_free(&b);
}

static void json_escapes(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  const char s[] = "q\"b\\n\n t\t r\r \x01\x1f\x7f end";
  assert_int_equal(hv_buf_add_json(&b, s, sizeof s - 1), 0);
  assert_string_equal(b.data,
                      "q\\\"b\\\\n\\u000a t\\u0009 r\\u000d \\u0001\\u001f\\u007f end");
  hv_buf_reset(&b);
  const char nul[] = {'a', '\0', 'b'};
  assert_int_equal(hv_buf_add_json(&b, nul, 3), 0);
  assert_string_equal(b.data, "a\\u0000b");
  hv_buf_free(&b);
}

static void json_keeps_valid_utf8(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  const char *s = "é مرحبا 日本語 😀";
  assert_int_equal(hv_buf_add_json(&b, s, strlen(s)), 0);
  assert_string_equal(b.data, s);
  hv_buf_free(&b);
}

static void json_replaces_invalid_utf8(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 4096);
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
      {"a\xff" "b", "a\\ufffdb"},            /* never valid */
      {"\xc0\xaf", "\\ufffd\\ufffd"},        /* overlong '/' */
      {"\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd"}, /* overlong 3-byte */
      {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"}, /* surrogate U+D800 */
      {"\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* past U+10FFFF */
      {"x\xe6\x97", "x\\ufffd\\ufffd"},      /* truncated */
      {"\x80", "\\ufffd"},                   /* lone continuation */
      {"\xc3\xa9\xc3", "é\\ufffd"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hv_buf_reset(&b);
    assert_int_equal(hv_buf_add_json(&b, cases[i].in, strlen(cases[i].in)), 0);
    assert_string_equal(b.data, cases[i].out);
  }
  hv_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(add_and_nul_terminated),
      cmocka_unit_test(grows_past_initial_capacity),
      cmocka_unit_test(exact_max_fits),
      cmocka_unit_test(refusal_leaves_buffer_unchanged),
      cmocka_unit_test(html_refusal_leaves_buffer_unchanged),
      cmocka_unit_test(json_refusal_leaves_buffer_unchanged),
      cmocka_unit_test(reset_keeps_memory),
      cmocka_unit_test(printf_appends),
      cmocka_unit_test(steal_hands_over),
      cmocka_unit_test(html_escapes_all_six),
      cmocka_unit_test(json_escapes),
      cmocka_unit_test(json_keeps_valid_utf8),
      cmocka_unit_test(json_replaces_invalid_utf8),
  };
  return cmocka_run_group_tests_name("core/buf", tests, NULL, NULL);
}
