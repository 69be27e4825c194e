/* Unit tests for src/core/log.c: lines go to a pipe, are read back and
 * parsed with jansson. One event is always exactly one line of valid JSON,
 * whatever the values hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static int fds[2];

static int setup(void **state) {
  (void)state;
  if (pipe(fds))
    return -1;
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
  hv_log_set_fd(fds[1]);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  hv_log_set_fd(2);
  close(fds[0]);
  close(fds[1]);
  return 0;
}

static int reset_level(void **state) {
  (void)state;
  hv_log_set_level(HV_LOG_INFO);
  return 0;
}

/* Reads everything written so far into a malloc'd NUL-terminated string. */
static char *drain(size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap + 1);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      s = realloc(s, cap + 1);
    }
    ssize_t r = read(fds[0], s + n, cap - n);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  s[n] = '\0';
  if (len)
    *len = n;
  return s;
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Reads exactly one line, checks it ends the output, and parses it. */
static json_t *one_line(void) {
  size_t len;
  char *s = drain(&len);
  assert_true(len > 0);
  assert_int_equal(count_lines(s), 1);
  assert_int_equal(s[len - 1], '\n');
  assert_int_equal(strlen(s), len); /* no NUL bytes inside */
  json_error_t je;
  json_t *v = json_loadb(s, len - 1, JSON_REJECT_DUPLICATES, &je);
  if (!v)
    fail_msg("not JSON (%s): %s", je.text, s);
  assert_true(json_is_object(v));
  free(s);
  return v;
}

static void line_has_time_level_msg_fields(void **state) {
  (void)state;
  hv_log(HV_LOG_INFO, "request done", HV_LS("path", "/x"), HV_LI("status", 200),
         HV_LI("big", INT64_MIN), HV_LS("none", NULL));
  json_t *v = one_line();
  const char *t = json_string_value(json_object_get(v, "time"));
  assert_non_null(t);
  assert_int_equal(strlen(t), 24); /* 2026-11-26T14:39:42.123Z */
  assert_int_equal(t[10], 'T');
  assert_int_equal(t[23], 'Z');
  assert_string_equal(json_string_value(json_object_get(v, "level")), "info");
  assert_string_equal(json_string_value(json_object_get(v, "msg")), "request done");
  assert_string_equal(json_string_value(json_object_get(v, "path")), "/x");
  assert_int_equal(json_integer_value(json_object_get(v, "status")), 200);
  assert_true(json_integer_value(json_object_get(v, "big")) == INT64_MIN);
  assert_true(json_is_null(json_object_get(v, "none")));
  /* keys keep their order: time, level, msg, then the fields */
  const char *keys[] = {"time", "level", "msg", "path", "status", "big", "none"};
  size_t i = 0;
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    assert_true(i < 7);
    assert_string_equal(k, keys[i++]);
  }
  json_decref(v);
}

static void no_fields_and_null_key(void **state) {
  (void)state;
  hv_log0(HV_LOG_WARN, "plain");
  json_t *v = one_line();
  assert_string_equal(json_string_value(json_object_get(v, "level")), "warn");
  assert_int_equal(json_object_size(v), 3);
  json_decref(v);
  struct hv_log_field f[] = {HV_LS(NULL, "v")};
  hv_log_fields(HV_LOG_ERROR, NULL, f, 1);
  v = one_line();
  assert_true(json_is_null(json_object_get(v, "msg")));
  assert_string_equal(json_string_value(json_object_get(v, "?")), "v");
  json_decref(v);
}

static void control_characters_escaped(void **state) {
  (void)state;
  const char *evil = "line1\nline2\r\n{\"level\":\"error\"}\t\x01\x1b[31m\\ \"q\"";
  hv_log(HV_LOG_INFO, "two\nlines", HV_LS("user\nagent", evil));
  json_t *v = one_line();
  assert_string_equal(json_string_value(json_object_get(v, "msg")), "two\nlines");
  assert_string_equal(json_string_value(json_object_get(v, "user\nagent")), evil);
  json_decref(v);
}

static void invalid_utf8_replaced(void **state) {
  (void)state;
  hv_log(HV_LOG_INFO, "m", HV_LS("v", "caf\xc3 \xff ok é"));
  json_t *v = one_line();
  assert_string_equal(json_string_value(json_object_get(v, "v")), "caf\xef\xbf\xbd \xef\xbf\xbd ok é");
  json_decref(v);
}

static void level_filtering(void **state) {
  (void)state;
  hv_log_set_level(HV_LOG_WARN);
  hv_log0(HV_LOG_DEBUG, "d");
  hv_log0(HV_LOG_INFO, "i");
  size_t len;
  char *s = drain(&len);
  assert_int_equal(len, 0);
  free(s);
  hv_log0(HV_LOG_WARN, "w");
  hv_log0(HV_LOG_ERROR, "e");
  s = drain(&len);
  assert_int_equal(count_lines(s), 2);
  assert_non_null(strstr(s, "\"msg\":\"w\""));
  assert_non_null(strstr(s, "\"msg\":\"e\""));
  free(s);
  hv_log_set_level(HV_LOG_DEBUG);
  hv_log0(HV_LOG_DEBUG, "d");
  json_t *v = one_line();
  assert_string_equal(json_string_value(json_object_get(v, "level")), "debug");
  json_decref(v);
  hv_log_fields(HV_LOG_LEVEL_MAX, "bad level", NULL, 0); /* not a level: dropped */
  s = drain(&len);
  assert_int_equal(len, 0);
  free(s);
}

static void level_parse(void **state) {
  (void)state;
  assert_int_equal(hv_log_level_parse("debug"), HV_LOG_DEBUG);
  assert_int_equal(hv_log_level_parse("info"), HV_LOG_INFO);
  assert_int_equal(hv_log_level_parse("warn"), HV_LOG_WARN);
  assert_int_equal(hv_log_level_parse("error"), HV_LOG_ERROR);
  assert_int_equal(hv_log_level_parse("Info"), -1);
  assert_int_equal(hv_log_level_parse("warning"), -1);
  assert_int_equal(hv_log_level_parse(""), -1);
}

static void huge_values_still_one_line(void **state) {
  (void)state;
  /* sizes around the line cap: every one must still be one valid line */
  size_t max = 20000;
  char *big = malloc(max + 1);
  memset(big, 'x', max);
  for (size_t n = 16200; n <= 16420; n += 3) {
    big[n] = '\0';
    hv_log(HV_LOG_INFO, "big", HV_LS("a", "first"), HV_LS("v", big), HV_LI("after", 1));
    json_t *v = one_line();
    assert_string_equal(json_string_value(json_object_get(v, "msg")), "big");
    assert_string_equal(json_string_value(json_object_get(v, "a")), "first");
    json_decref(v);
    big[n] = 'x';
  }
  big[max] = '\0';
  hv_log(HV_LOG_INFO, big, HV_LS("k", big));
  json_t *v = one_line();
  json_decref(v);
  /* many escaped control characters grow six-fold */
  memset(big, '\n', max);
  hv_log(HV_LOG_INFO, "ctl", HV_LS("v", big));
  v = one_line();
  assert_string_equal(json_string_value(json_object_get(v, "msg")), "ctl");
  json_decref(v);
  free(big);
}

static void time_format(void **state) {
  (void)state;
  char out[32];
  hv_log_time(0, out);
  assert_string_equal(out, "1970-01-01T00:00:00.000Z");
  hv_log_time(1795703982123LL, out);
  assert_string_equal(out, "2026-11-26T14:39:42.123Z");
  hv_log_time(951782400007LL, out); /* 2000-02-29, a leap day */
  assert_string_equal(out, "2000-02-29T00:00:00.007Z");
}

/* --- batched lines (the HTTP request log) ------------------------------------ */

static void *log_many(void *arg) {
  long t = (long)(intptr_t)arg;
  for (int i = 0; i < 2000; i++)
    hv_log_batched(HV_LOG_INFO, "request", HV_LI("thread", t), HV_LI("i", i),
                   HV_LS("route", "/kyr/{lang:str}/{slug:slug}"));
  return NULL; /* the thread's gathered lines are written as it exits */
}

static void batched_lines_stay_whole(void **state) {
  (void)state;
  pthread_t th[4];
  for (long t = 0; t < 4; t++)
    assert_int_equal(pthread_create(&th[t], NULL, log_many, (void *)(intptr_t)t), 0);
  for (int t = 0; t < 4; t++)
    pthread_join(th[t], NULL);
  hv_log_flush();
  size_t len;
  char *s = drain(&len);
  assert_int_equal(count_lines(s), 8000);
  int seen[4] = {0};
  int next[4] = {0};
  for (char *line = s, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    json_error_t je;
    json_t *v = json_loadb(line, (size_t)(nl - line), JSON_REJECT_DUPLICATES, &je);
    assert_non_null(v);
    long t = (long)json_integer_value(json_object_get(v, "thread"));
    assert_true(t >= 0 && t < 4);
    /* each thread's lines in the order it logged them */
    assert_int_equal(json_integer_value(json_object_get(v, "i")), next[t]);
    next[t]++;
    seen[t]++;
    json_decref(v);
  }
  for (int t = 0; t < 4; t++)
    assert_int_equal(seen[t], 2000);
  free(s);
}

static void direct_line_writes_batched_first(void **state) {
  (void)state;
  hv_log_batched(HV_LOG_INFO, "first");
  hv_log_batched(HV_LOG_INFO, "second");
  hv_log0(HV_LOG_WARN, "third"); /* written at once, after the two before it */
  char *s = drain(NULL);
  assert_int_equal(count_lines(s), 3);
  char *a = strstr(s, "\"first\""), *b = strstr(s, "\"second\""), *c = strstr(s, "\"third\"");
  assert_true(a && b && c && a < b && b < c);
  free(s);
}

static void batched_warnings_are_not_held(void **state) {
  (void)state;
  hv_log_batched(HV_LOG_WARN, "request", HV_LI("status", 500));
  json_t *v = one_line(); /* no flush needed */
  assert_string_equal(json_string_value(json_object_get(v, "level")), "warn");
  json_decref(v);
  hv_log_batched(HV_LOG_DEBUG, "dropped below the level");
  hv_log_flush();
  size_t len;
  free(drain(&len));
  assert_int_equal(len, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(line_has_time_level_msg_fields, reset_level),
      cmocka_unit_test_setup(no_fields_and_null_key, reset_level),
      cmocka_unit_test_setup(control_characters_escaped, reset_level),
      cmocka_unit_test_setup(invalid_utf8_replaced, reset_level),
      cmocka_unit_test_setup_teardown(level_filtering, reset_level, reset_level),
      cmocka_unit_test(level_parse),
      cmocka_unit_test_setup(huge_values_still_one_line, reset_level),
      cmocka_unit_test(time_format),
      cmocka_unit_test_setup(batched_lines_stay_whole, reset_level),
      cmocka_unit_test_setup(direct_line_writes_batched_first, reset_level),
      cmocka_unit_test_setup(batched_warnings_are_not_held, reset_level),
  };
  return cmocka_run_group_tests_name("core/log", tests, setup, teardown);
}
