/* Unit tests for src/core/json.c: the request-body parser (one object, no
 * duplicate keys, bounded depth) and the declarative field specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static json_t *parse(const char *s, struct hv_jerr *e) {
  memset(e, 0, sizeof *e);
  return hv_json_parse_object(s, strlen(s), e);
}

static void parse_accepts_object(void **state) {
  (void)state;
  struct hv_jerr e;
  json_t *v = parse("{\"a\": 1, \"b\": [true, null], \"c\": {\"d\": \"é\"}}", &e);
  assert_non_null(v);
  assert_true(json_is_object(v));
  assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
  json_decref(v);
  v = parse("{}", &e);
  assert_non_null(v);
  json_decref(v);
}

static void parse_refuses_duplicates(void **state) {
  (void)state;
  struct hv_jerr e;
  assert_null(parse("{\"a\": 1, \"a\": 2}", &e));
  assert_string_equal(e.code, "invalid_json");
  assert_string_equal(e.field, "");
  assert_non_null(strstr(e.message, "not valid JSON"));
  assert_null(parse("{\"x\": {\"a\": 1, \"a\": 1}}", &e)); /* nested too */
  assert_string_equal(e.code, "invalid_json");
}

static void parse_refuses_non_objects(void **state) {
  (void)state;
  struct hv_jerr e;
  static const char *arrays[] = {"[]", "[{}]", "[1, 2]"};
  for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
    assert_null(parse(arrays[i], &e));
    assert_string_equal(e.code, "invalid_json");
    assert_non_null(strstr(e.message, "must be a JSON object"));
  }
  /* bare scalars are refused by the parser itself */
  static const char *scalars[] = {"1", "\"s\"", "null", "true"};
  for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
    assert_null(parse(scalars[i], &e));
    assert_string_equal(e.code, "invalid_json");
  }
}

static void parse_refuses_bad_input(void **state) {
  (void)state;
  struct hv_jerr e;
  static const char *bad[] = {
      "{", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{\"a\":1} x", "{\"a\":\"\xff\"}",
      "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\\u0000\"}", "{'a':1}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_null(parse(bad[i], &e));
    assert_string_equal(e.code, "invalid_json");
  }
  memset(&e, 0, sizeof e);
  assert_null(hv_json_parse_object(NULL, 0, &e));
  assert_string_equal(e.code, "invalid_json");
  assert_null(hv_json_parse_object("", 0, &e));
  assert_string_equal(e.code, "invalid_json");
  assert_null(hv_json_parse_object("{\"a\":1}\0", 8, &e)); /* a NUL byte in the body */
  assert_non_null(strstr(e.message, "NUL"));
}

static char *nested(int depth) {
  /* {"a": [[[...]]]} with `depth` arrays; the innermost is at depth `depth` */
  char *s = malloc((size_t)depth * 2 + 16);
  size_t o = 0;
  o += (size_t)sprintf(s, "{\"a\":");
  for (int i = 0; i < depth; i++)
    s[o++] = '[';
  for (int i = 0; i < depth; i++)
    s[o++] = ']';
  s[o++] = '}';
  s[o] = '\0';
  return s;
}

static void parse_caps_depth(void **state) {
  (void)state;
  struct hv_jerr e;
  char *ok = nested(16);
  char *deep = nested(17);
  char *very = nested(5000);
  json_t *v = parse(ok, &e);
  assert_non_null(v);
  json_decref(v);
  assert_null(parse(deep, &e));
  assert_string_equal(e.code, "invalid_json");
  assert_non_null(strstr(e.message, "nested too deeply"));
  assert_null(parse(very, &e));
  assert_string_equal(e.code, "invalid_json");
  free(ok);
  free(deep);
  free(very);
  /* objects count as much as arrays */
  char buf[512] = "";
  for (int i = 0; i < 17; i++)
    strcat(buf, "{\"k\":");
  strcat(buf, "1");
  for (int i = 0; i < 17; i++)
    strcat(buf, "}");
  assert_null(parse(buf, &e));
  assert_non_null(strstr(e.message, "nested too deeply"));
}

struct person {
  const char *name;
  int64_t age;
  bool active;
  int color;
  const char *born;
  const char *note;
};

static const char *const colors[] = {"red", "green", "blue", NULL};

static const struct hv_jfield spec[] = {
    {"name", HV_J_STRING, true, offsetof(struct person, name), 1, 5, 0, 0, NULL},
    {"age", HV_J_INT, false, offsetof(struct person, age), 0, 0, 0, 150, NULL},
    {"active", HV_J_BOOL, false, offsetof(struct person, active), 0, 0, 0, 0, NULL},
    {"color", HV_J_ENUM, false, offsetof(struct person, color), 0, 0, 0, 0, colors},
    {"born", HV_J_DATE, false, offsetof(struct person, born), 0, 0, 0, 0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct person, note), 0, 10, 0, 0, NULL},
};
#define NSPEC (sizeof spec / sizeof spec[0])

/* The strings unpacked are borrowed from the parsed value, so the last one
 * is kept alive until the next call (and freed by the group teardown). */
static json_t *last;

static int teardown(void **state) {
  (void)state;
  json_decref(last);
  last = NULL;
  return 0;
}

/* Unpacks `text` into *p (defaults set first); returns hv_json_unpack's result. */
static int unpack(const char *text, struct person *p, struct hv_jerr *e) {
  struct hv_jerr pe;
  json_decref(last);
  last = parse(text, &pe);
  assert_non_null(last);
  *p = (struct person){NULL, -1, false, -1, NULL, "default"};
  memset(e, 0, sizeof *e);
  return hv_json_unpack(last, spec, NSPEC, p, e);
}

static void unpack_fills_fields(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  struct hv_jerr pe;
  json_t *v = parse("{\"name\":\"Ana\",\"age\":30,\"active\":true,\"color\":\"blue\","
                    "\"born\":\"1990-02-28\"}",
                    &pe);
  p = (struct person){NULL, -1, false, -1, NULL, "default"};
  assert_int_equal(hv_json_unpack(v, spec, NSPEC, &p, &e), 0);
  assert_string_equal(p.name, "Ana");
  assert_int_equal(p.age, 30);
  assert_true(p.active);
  assert_int_equal(p.color, 2);
  assert_string_equal(p.born, "1990-02-28");
  assert_string_equal(p.note, "default"); /* absent optional: left alone */
  json_decref(v);
}

static void unpack_null_is_absent(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  assert_int_equal(unpack("{\"name\":\"Bo\",\"age\":null,\"note\":null}", &p, &e), 0);
  assert_int_equal(p.age, -1);
  assert_string_equal(p.note, "default");
  assert_int_equal(unpack("{\"name\":null}", &p, &e), -1);
  assert_string_equal(e.code, "missing_field");
  assert_string_equal(e.field, "name");
}

static void unpack_unknown_field(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  assert_int_equal(unpack("{\"name\":\"Ana\",\"nationality\":\"x\"}", &p, &e), -1);
  assert_string_equal(e.code, "unknown_field");
  assert_string_equal(e.field, "nationality");
  assert_non_null(strstr(e.message, "nationality"));
  /* names are exact: case matters */
  assert_int_equal(unpack("{\"Name\":\"Ana\"}", &p, &e), -1);
  assert_string_equal(e.code, "unknown_field");
  assert_string_equal(e.field, "Name");
}

static void unpack_missing_required(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  assert_int_equal(unpack("{\"age\":3}", &p, &e), -1);
  assert_string_equal(e.code, "missing_field");
  assert_string_equal(e.field, "name");
  assert_non_null(strstr(e.message, "'name'"));
  assert_int_equal(unpack("{}", &p, &e), -1);
  assert_string_equal(e.code, "missing_field");
}

static void unpack_wrong_types(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
      {"{\"name\":5}", "name"},
      {"{\"name\":[\"a\"]}", "name"},
      {"{\"name\":\"a\",\"age\":\"30\"}", "age"},
      {"{\"name\":\"a\",\"age\":30.0}", "age"},
      {"{\"name\":\"a\",\"age\":true}", "age"},
      {"{\"name\":\"a\",\"active\":1}", "active"},
      {"{\"name\":\"a\",\"active\":\"true\"}", "active"},
      {"{\"name\":\"a\",\"color\":0}", "color"},
      {"{\"name\":\"a\",\"born\":20200101}", "born"},
      {"{\"name\":\"a\",\"note\":{}}", "note"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(unpack(cases[i].json, &p, &e), -1);
    assert_string_equal(e.code, "wrong_type");
    assert_string_equal(e.field, cases[i].field);
  }
}

static void unpack_string_length_in_code_points(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  /* five code points, ten or more bytes: allowed by max 5 */
  assert_int_equal(unpack("{\"name\":\"ééééé\"}", &p, &e), 0);
  assert_string_equal(p.name, "ééééé");
  assert_int_equal(unpack("{\"name\":\"日本語日本\"}", &p, &e), 0);
  assert_int_equal(unpack("{\"name\":\"😀😀😀😀😀\"}", &p, &e), 0);
  assert_int_equal(unpack("{\"name\":\"ééééée\"}", &p, &e), -1);
  assert_string_equal(e.code, "invalid_length");
  assert_string_equal(e.field, "name");
  assert_int_equal(unpack("{\"name\":\"\"}", &p, &e), -1); /* min 1 */
  assert_string_equal(e.code, "invalid_length");
  assert_int_equal(unpack("{\"name\":\"abcdef\"}", &p, &e), -1);
  assert_string_equal(e.code, "invalid_length");
  /* \u escapes count once decoded */
  assert_int_equal(unpack("{\"name\":\"\\u00e9\\u00e9\"}", &p, &e), 0);
  assert_string_equal(p.name, "éé");
  /* optional string with min 0: the empty string is fine */
  assert_int_equal(unpack("{\"name\":\"a\",\"note\":\"\"}", &p, &e), 0);
  assert_string_equal(p.note, "");
}

static void unpack_int_range(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  assert_int_equal(unpack("{\"name\":\"a\",\"age\":0}", &p, &e), 0);
  assert_int_equal(p.age, 0);
  assert_int_equal(unpack("{\"name\":\"a\",\"age\":150}", &p, &e), 0);
  assert_int_equal(p.age, 150);
  assert_int_equal(unpack("{\"name\":\"a\",\"age\":151}", &p, &e), -1);
  assert_string_equal(e.code, "out_of_range");
  assert_string_equal(e.field, "age");
  assert_non_null(strstr(e.message, "0 to 150"));
  assert_int_equal(unpack("{\"name\":\"a\",\"age\":-1}", &p, &e), -1);
  assert_string_equal(e.code, "out_of_range");
  assert_int_equal(unpack("{\"name\":\"a\",\"age\":9223372036854775807}", &p, &e), -1);
  assert_string_equal(e.code, "out_of_range");
}

static void unpack_enum(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  assert_int_equal(unpack("{\"name\":\"a\",\"color\":\"red\"}", &p, &e), 0);
  assert_int_equal(p.color, 0);
  assert_int_equal(unpack("{\"name\":\"a\",\"color\":\"green\"}", &p, &e), 0);
  assert_int_equal(p.color, 1);
  static const char *bad[] = {"{\"name\":\"a\",\"color\":\"Red\"}",
                              "{\"name\":\"a\",\"color\":\"\"}",
                              "{\"name\":\"a\",\"color\":\"purple\"}",
                              "{\"name\":\"a\",\"color\":\"red \"}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(unpack(bad[i], &p, &e), -1);
    assert_string_equal(e.code, "invalid_value");
    assert_string_equal(e.field, "color");
  }
}

static void unpack_dates(void **state) {
  (void)state;
  struct person p;
  struct hv_jerr e;
  static const char *good[] = {"2024-02-29", "2000-02-29", "1900-01-01", "2999-12-31",
                               "2023-02-28", "2024-04-30", "2024-12-31"};
  static const char *bad[] = {"2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30",
                              "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00",
                              "2024-1-01",  "2024/01/01", "1899-12-31", "3000-01-01",
                              "24-01-01",   "2024-01-01T00:00:00Z", "",  "abcd-ef-gh",
                              "2024-01-1x", " 2024-01-01"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    char text[96];
    snprintf(text, sizeof text, "{\"name\":\"a\",\"born\":\"%s\"}", good[i]);
    assert_int_equal(unpack(text, &p, &e), 0);
    assert_string_equal(p.born, good[i]);
    assert_true(hv_date_valid(good[i]));
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[96];
    snprintf(text, sizeof text, "{\"name\":\"a\",\"born\":\"%s\"}", bad[i]);
    assert_int_equal(unpack(text, &p, &e), -1);
    assert_string_equal(e.code, "invalid_value");
    assert_string_equal(e.field, "born");
    assert_false(hv_date_valid(bad[i]));
  }
}

static void unpack_refuses_invalid_utf8_in_built_values(void **state) {
  (void)state;
  /* a json_t built in code (not parsed) may still hold a NUL: refused */
  struct person p = {0};
  struct hv_jerr e;
  json_t *v = json_object();
  json_object_set_new(v, "name", json_stringn("a\0b", 3));
  memset(&e, 0, sizeof e);
  assert_int_equal(hv_json_unpack(v, spec, NSPEC, &p, &e), -1);
  assert_string_equal(e.code, "invalid_value");
  assert_string_equal(e.field, "name");
  json_decref(v);
}

static void dump_is_compact_and_ordered(void **state) {
  (void)state;
  json_t *v = json_pack("{s:i,s:s,s:[b,n]}", "z", 1, "a", "é\"", "m", 1);
  size_t len = 0;
  char *s = hv_json_dump(v, &len);
  assert_string_equal(s, "{\"z\":1,\"a\":\"é\\\"\",\"m\":[true,null]}");
  assert_int_equal(len, strlen(s));
  free(s);
  json_decref(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parse_accepts_object),
      cmocka_unit_test(parse_refuses_duplicates),
      cmocka_unit_test(parse_refuses_non_objects),
      cmocka_unit_test(parse_refuses_bad_input),
      cmocka_unit_test(parse_caps_depth),
      cmocka_unit_test(unpack_fills_fields),
      cmocka_unit_test(unpack_null_is_absent),
      cmocka_unit_test(unpack_unknown_field),
      cmocka_unit_test(unpack_missing_required),
      cmocka_unit_test(unpack_wrong_types),
      cmocka_unit_test(unpack_string_length_in_code_points),
      cmocka_unit_test(unpack_int_range),
      cmocka_unit_test(unpack_enum),
      cmocka_unit_test(unpack_dates),
      cmocka_unit_test(unpack_refuses_invalid_utf8_in_built_values),
      cmocka_unit_test(dump_is_compact_and_ordered),
  };
  return cmocka_run_group_tests_name("core/json", tests, NULL, teardown);
}
