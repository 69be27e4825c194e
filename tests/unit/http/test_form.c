/* Unit tests for src/http/form.c: decoding ('+' and %XX), empty pairs,
 * bare names, the count and size limits, strict escapes and the text
 * checks that differ between names and values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"

static struct hv_arena *arena;

static int setup(void **state) {
  (void)state;
  arena = hv_arena_new(0);
  return arena ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  hv_arena_free(arena);
  return 0;
}

static enum hv_form_status parse_lim(const char *s, const struct hv_form_limits *lim,
                                     struct hv_form *f) {
  return hv_form_parse(arena, s, strlen(s), lim, f);
}

static enum hv_form_status parse(const char *s, struct hv_form *f) {
  return parse_lim(s, &hv_form_default_limits, f);
}

static void decodes_plus_and_escapes(void **state) {
  (void)state;
  struct hv_form f;
  assert_int_equal(parse("name=Ana+Mar%C3%ADa&city=Los%20Angeles&sym=%2B%26%3D%25", &f),
                   HV_FORM_OK);
  assert_int_equal(f.n, 3);
  assert_string_equal(f.fields[0].name, "name");
  assert_string_equal(f.fields[0].value, "Ana María");
  assert_int_equal(f.fields[0].value_len, strlen("Ana María"));
  assert_string_equal(f.fields[1].value, "Los Angeles");
  assert_string_equal(f.fields[2].value, "+&=%");
  assert_int_equal(parse("a%5Bb%5D=1&%E6%97%A5=x", &f), HV_FORM_OK);
  assert_string_equal(f.fields[0].name, "a[b]");
  assert_string_equal(f.fields[1].name, "日");
  assert_int_equal(parse("x=%d9%85%d8%b1", &f), HV_FORM_OK); /* lower-case hex */
  assert_string_equal(f.fields[0].value, "مر");
}

static void empty_pairs_and_bare_names(void **state) {
  (void)state;
  struct hv_form f;
  assert_int_equal(parse("", &f), HV_FORM_OK);
  assert_int_equal(f.n, 0);
  assert_int_equal(parse("&&&", &f), HV_FORM_OK);
  assert_int_equal(f.n, 0);
  assert_int_equal(parse("a=1&&b=2&", &f), HV_FORM_OK);
  assert_int_equal(f.n, 2);
  assert_string_equal(f.fields[1].name, "b");
  assert_int_equal(parse("flag&x=&=v", &f), HV_FORM_OK);
  assert_int_equal(f.n, 3);
  assert_string_equal(f.fields[0].name, "flag");
  assert_string_equal(f.fields[0].value, "");
  assert_int_equal(f.fields[0].value_len, 0);
  assert_string_equal(f.fields[1].name, "x");
  assert_string_equal(f.fields[1].value, "");
  assert_string_equal(f.fields[2].name, "");
  assert_string_equal(f.fields[2].value, "v");
  /* only the first '=' splits */
  assert_int_equal(parse("k=a=b", &f), HV_FORM_OK);
  assert_string_equal(f.fields[0].value, "a=b");
}

static void only_n_bytes_are_read(void **state) {
  (void)state;
  struct hv_form f;
  const char *s = "a=1&b=2";
  assert_int_equal(hv_form_parse(arena, s, 3, &hv_form_default_limits, &f), HV_FORM_OK);
  assert_int_equal(f.n, 1);
  assert_string_equal(f.fields[0].value, "1");
  /* an escape cut by n is malformed */
  assert_int_equal(hv_form_parse(arena, "a=%41", 4, &hv_form_default_limits, &f),
                   HV_FORM_BAD_ESCAPE);
}

static void get_first_value(void **state) {
  (void)state;
  struct hv_form f;
  assert_int_equal(parse("role=a&x=1&role=b&Role=c", &f), HV_FORM_OK);
  assert_string_equal(hv_form_get(&f, "role"), "a");
  assert_string_equal(hv_form_get(&f, "Role"), "c");
  assert_string_equal(hv_form_get(&f, "x"), "1");
  assert_null(hv_form_get(&f, "missing"));
  assert_null(hv_form_get(&f, "rol"));
  struct hv_form empty = {NULL, 0};
  assert_null(hv_form_get(&empty, "x"));
}

static void count_limit(void **state) {
  (void)state;
  struct hv_form f;
  struct hv_form_limits lim = {3, 64, 64};
  assert_int_equal(parse_lim("a=1&b=2&c=3", &lim, &f), HV_FORM_OK);
  assert_int_equal(f.n, 3);
  assert_int_equal(parse_lim("a=1&b=2&c=3&d=4", &lim, &f), HV_FORM_TOO_MANY);
  /* empty pairs do not count as fields */
  assert_int_equal(parse_lim("a=1&&b=2&&c=3&&", &lim, &f), HV_FORM_OK);
  assert_int_equal(f.n, 3);
  /* absurd numbers of separators are refused before any work */
  char *amps = malloc(10001);
  memset(amps, '&', 10000);
  amps[10000] = '\0';
  assert_int_equal(parse_lim(amps, &lim, &f), HV_FORM_TOO_MANY);
  free(amps);
  /* the default limit is 64 */
  char many[1024] = "";
  for (int i = 0; i < 65; i++)
    strcat(many, "k=v&");
  assert_int_equal(parse(many, &f), HV_FORM_TOO_MANY);
}

static void size_limits(void **state) {
  (void)state;
  struct hv_form f;
  struct hv_form_limits lim = {8, 4, 6};
  assert_int_equal(parse_lim("abcd=123456", &lim, &f), HV_FORM_OK);
  assert_int_equal(parse_lim("abcde=1", &lim, &f), HV_FORM_TOO_LONG);
  assert_int_equal(parse_lim("a=1234567", &lim, &f), HV_FORM_TOO_LONG);
  assert_int_equal(parse_lim("abcde", &lim, &f), HV_FORM_TOO_LONG);
  /* limits count decoded bytes: "%41%41%41%41" is four bytes */
  assert_int_equal(parse_lim("%41%41%41%41=%C3%A9%C3%A9%C3%A9", &lim, &f), HV_FORM_OK);
  assert_string_equal(f.fields[0].name, "AAAA");
  assert_string_equal(f.fields[0].value, "ééé");
  assert_int_equal(parse_lim("a=%C3%A9%C3%A9%C3%A9%C3%A9", &lim, &f), HV_FORM_TOO_LONG);
}

static void bad_escapes(void **state) {
  (void)state;
  struct hv_form f;
  static const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "a=%%41", "%=1", "a%2=1",
                              "a=% 41", "a=%+4"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (parse(bad[i], &f) != HV_FORM_BAD_ESCAPE)
      fail_msg("'%s' was not a bad escape", bad[i]);
  }
}

static void bad_text(void **state) {
  (void)state;
  struct hv_form f;
  static const char *bad[] = {
      "a=%C3",       "a=%FF",         "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80",
      "a=x%00y",     "a=%01",         "a=%7F",    "a=%1B[31m",   "a\xff=1",
      "a=\xc3",      "n%09ame=1",     "n%0Aame=1", "n%0D=1",     "n\tx=1",
      "a=%0C",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (parse(bad[i], &f) != HV_FORM_BAD_TEXT)
      fail_msg("'%s' was not refused as bad text", bad[i]);
  }
}

static void values_allow_tab_cr_lf(void **state) {
  (void)state;
  struct hv_form f;
  assert_int_equal(parse("notes=line1%0D%0Aline2%09tabbed&raw=a\tb", &f), HV_FORM_OK);
  assert_string_equal(f.fields[0].value, "line1\r\nline2\ttabbed");
  assert_string_equal(f.fields[1].value, "a\tb");
}

static void nul_inside_input_refused(void **state) {
  (void)state;
  struct hv_form f;
  assert_int_equal(hv_form_parse(arena, "a=1\0b", 5, &hv_form_default_limits, &f),
                   HV_FORM_BAD_TEXT);
}

static void nomem_on_arena_limit(void **state) {
  (void)state;
  struct hv_arena *small = hv_arena_new(64);
  struct hv_form f;
  const char *s = "aaaaaaaa=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  assert_int_equal(hv_form_parse(small, s, strlen(s), &hv_form_default_limits, &f),
                   HV_FORM_NOMEM);
  hv_arena_free(small);
}

static void strerror_names_each(void **state) {
  (void)state;
  assert_string_equal(hv_form_strerror(HV_FORM_OK), "ok");
  for (int st = HV_FORM_TOO_MANY; st <= HV_FORM_NOMEM; st++) {
    const char *m = hv_form_strerror((enum hv_form_status)st);
    assert_non_null(m);
    assert_string_not_equal(m, "unknown");
    assert_string_not_equal(m, "ok");
  }
  assert_string_equal(hv_form_strerror((enum hv_form_status)99), "unknown");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decodes_plus_and_escapes),
      cmocka_unit_test(empty_pairs_and_bare_names),
      cmocka_unit_test(only_n_bytes_are_read),
      cmocka_unit_test(get_first_value),
      cmocka_unit_test(count_limit),
      cmocka_unit_test(size_limits),
      cmocka_unit_test(bad_escapes),
      cmocka_unit_test(bad_text),
      cmocka_unit_test(values_allow_tab_cr_lf),
      cmocka_unit_test(nul_inside_input_refused),
      cmocka_unit_test(nomem_on_arena_limit),
      cmocka_unit_test(strerror_names_each),
  };
  return cmocka_run_group_tests_name("http/form", tests, setup, teardown);
}
