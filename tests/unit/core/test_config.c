/* Unit tests for src/core/config.c: defaults, the INI reader, every kind of
 * bad value (each message names the setting), and the precedence of the
 * three sources: flag > environment > file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static const char *const envs[] = {
    "HAVEN_CONFIG", "HAVEN_LISTEN", "HAVEN_DB", "HAVEN_DATA", "HAVEN_BASE_URL",
    "HAVEN_TIMEZONE", "HAVEN_ASSETS", "HAVEN_LOG_LEVEL", "HAVEN_TRUSTED_PROXY",
    "HAVEN_THREADS", "HAVEN_MAX_CONNECTIONS", "HAVEN_PER_IP_CONNECTIONS",
    "HAVEN_IDLE_TIMEOUT", "HAVEN_SHUTDOWN_TIMEOUT", "HAVEN_CONN_MEMORY", "HAVEN_BODY_MAX",
    "HAVEN_DB_POOL",        "HAVEN_SESSION_IDLE",    "HAVEN_SESSION_ABSOLUTE",
};

static void clear_env(void) {
  for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++)
    unsetenv(envs[i]);
}

static int setup(void **state) {
  (void)state;
  clear_env();
  return 0;
}

static int ini(struct hv_config *c, const char *text, char *err, size_t errlen) {
  err[0] = '\0';
  return hv_config_apply_ini(c, text, strlen(text), "test.ini", err, errlen);
}

/* Writes `text` to a fresh temporary file whose path goes into `path`. */
static void temp_file(char path[64], const char *text) {
  snprintf(path, 64, "/tmp/haven-config-test-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  size_t n = strlen(text);
  assert_int_equal(write(fd, text, n), (ssize_t)n);
  close(fd);
}

static void defaults(void **state) {
  (void)state;
  struct hv_config c;
  hv_config_defaults(&c);
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.listen_port, 8080);
  assert_string_equal(c.db, "");
  assert_string_equal(c.data, "haven-data");
  assert_string_equal(c.base_url, "");
  assert_string_equal(c.timezone, "America/Los_Angeles");
  assert_string_equal(c.log_level, "info");
  assert_string_equal(c.trusted_proxy, "");
  assert_int_equal(c.threads, 0);
  assert_int_equal(c.max_connections, 4096);
  assert_int_equal(c.per_ip_connections, 64);
  assert_int_equal(c.idle_timeout, 15);
  assert_int_equal(c.shutdown_timeout, 10);
  assert_int_equal(c.conn_memory, 16384);
  assert_int_equal(c.body_max, 1048576);
  assert_int_equal(c.db_pool, 0);
  assert_int_equal(c.session_idle, 1800);
  assert_int_equal(c.session_absolute, 43200);
  assert_int_equal(c.audit_checkpoint, 3600);
  assert_true(c.assets[0] != '\0');
}

static void finish_derives(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(hv_config_finish(&c, err, sizeof err), 0);
  assert_string_equal(c.db, "sqlite:haven-data/haven.db");
  assert_string_equal(c.base_url, "http://127.0.0.1:8080");
  /* eight workers a core (requests waiting on the database hold one), at most 64 */
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  assert_int_equal(c.threads, cores * 8 > 64 ? 64 : cores * 8);
  assert_int_equal(c.db_pool, c.threads + 1);

  hv_config_defaults(&c);
  assert_int_equal(hv_config_set(&c, "listen", "[::1]:9000", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "threads", "3", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_finish(&c, err, sizeof err), 0);
  assert_string_equal(c.base_url, "http://[::1]:9000");
  assert_int_equal(c.threads, 3);
  assert_int_equal(c.db_pool, 4);

  hv_config_defaults(&c);
  assert_int_equal(hv_config_set(&c, "max_connections", "100", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "per_ip_connections", "101", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_finish(&c, err, sizeof err), -1);
  assert_non_null(strstr(err, "'per_ip_connections'"));
}

static void ini_reads_settings(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  const char *text = "# a comment\n"
                     "; another comment\n"
                     "\n"
                     "[haven]\n"
                     "listen = 0.0.0.0:9090\n"
                     "  db=\"sqlite:/var/lib/haven/h.db\"  \r\n"
                     "\tbase_url = https://haven.example.gov///\n"
                     "timezone = UTC\n"
                     "log_level = debug\n"
                     "body_max = 2M\n"
                     "conn_memory = 64k\n"
                     "threads = 8\n"
                     "trusted_proxy = ::1\n"
                     "data = \"/srv/haven data\"";
  assert_int_equal(ini(&c, text, err, sizeof err), 0);
  assert_string_equal(c.listen_host, "0.0.0.0");
  assert_int_equal(c.listen_port, 9090);
  assert_string_equal(c.db, "sqlite:/var/lib/haven/h.db");
  assert_string_equal(c.base_url, "https://haven.example.gov");
  assert_string_equal(c.timezone, "UTC");
  assert_string_equal(c.log_level, "debug");
  assert_int_equal(c.body_max, 2u << 20);
  assert_int_equal(c.conn_memory, 65536);
  assert_int_equal(c.threads, 8);
  assert_string_equal(c.trusted_proxy, "::1");
  assert_string_equal(c.data, "/srv/haven data");
}

static void ini_quotes_only_when_paired(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(ini(&c, "data = \"half", err, sizeof err), 0);
  assert_string_equal(c.data, "\"half");
  assert_int_equal(ini(&c, "data = \"\"", err, sizeof err), -1); /* "" is empty */
  assert_non_null(strstr(err, "'data'"));
  assert_non_null(strstr(err, "must not be empty"));
}

static void ini_unknown_key_names_key_and_line(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(ini(&c, "[haven]\nlisten = 127.0.0.1:1\n\nlisen = 1\n", err, sizeof err), -1);
  assert_non_null(strstr(err, "test.ini:4"));
  assert_non_null(strstr(err, "'lisen'"));
  assert_non_null(strstr(err, "unknown setting"));
}

static void ini_structural_errors(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(ini(&c, "listen\n", err, sizeof err), -1);
  assert_non_null(strstr(err, "test.ini:1"));
  assert_non_null(strstr(err, "name = value"));
  assert_int_equal(ini(&c, "\n[server]\n", err, sizeof err), -1);
  assert_non_null(strstr(err, "test.ini:2"));
  assert_non_null(strstr(err, "[server]"));
  assert_int_equal(ini(&c, "data = caf\xc3\n", err, sizeof err), -1);
  assert_non_null(strstr(err, "UTF-8"));
  assert_int_equal(hv_config_apply_ini(&c, "data = a\0b\n", 11, "test.ini", err, sizeof err), -1);
  assert_non_null(strstr(err, "NUL"));
  char *big = malloc(3000);
  memset(big, 'a', 2999);
  big[2999] = '\0';
  memcpy(big, "data = ", 7);
  assert_int_equal(ini(&c, big, err, sizeof err), -1);
  assert_non_null(strstr(err, "too long"));
  free(big);
  /* an error stops at the first bad line; earlier lines took effect */
  hv_config_defaults(&c);
  assert_int_equal(ini(&c, "threads = 5\nthreads = x\nthreads = 7\n", err, sizeof err), -1);
  assert_non_null(strstr(err, "test.ini:2"));
  assert_int_equal(c.threads, 5);
}

/* Sets `name` to `value` and expects a refusal whose message names the
 * setting. */
static void expect_bad(const char *name, const char *value) {
  struct hv_config c;
  char err[256] = "";
  char quoted[64];
  hv_config_defaults(&c);
  struct hv_config before;
  memcpy(&before, &c, sizeof c);
  if (hv_config_set(&c, name, value, "test", err, sizeof err) != -1)
    fail_msg("%s = '%s' was accepted", name, value);
  snprintf(quoted, sizeof quoted, "'%s'", name);
  if (!strstr(err, quoted))
    fail_msg("message for %s = '%s' does not name it: %s", name, value, err);
  assert_memory_equal(&c, &before, sizeof c); /* nothing half-set */
}

static void bad_listen_values(void **state) {
  (void)state;
  static const char *bad[] = {
      "127.0.0.1",        "127.0.0.1:",       ":8080",        "127.0.0.1:0",
      "127.0.0.1:65536",  "127.0.0.1:-1",     "127.0.0.1:80x", "haven.example:80",
      "999.0.0.1:80",     "[::1]8080",        "[::1]",        "[]:80",
      "[not-ipv6]:80",    "[::1]:",           "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect_bad("listen", bad[i]);
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(hv_config_set(&c, "listen", "localhost:65535", "t", err, sizeof err), 0);
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.listen_port, 65535);
  assert_int_equal(hv_config_set(&c, "listen", "[::]:1", "t", err, sizeof err), 0);
  assert_string_equal(c.listen_host, "::");
  assert_int_equal(c.listen_port, 1);
}

static void bad_other_values(void **state) {
  (void)state;
  expect_bad("timezone", "Mars/Olympus_Mons");
  expect_bad("timezone", "../../etc/passwd");
  expect_bad("timezone", "/etc/localtime");
  expect_bad("timezone", "America/Los Angeles");
  expect_bad("timezone", "");
  expect_bad("db", "mysql://x");
  expect_bad("db", "sqlite:");
  expect_bad("db", "/var/lib/haven.db");
  expect_bad("base_url", "ftp://x");
  expect_bad("base_url", "haven.example.gov");
  expect_bad("base_url", "https://x/\"><script>");
  expect_bad("base_url", "https://x y");
  expect_bad("body_max", "1G");
  expect_bad("body_max", "-1");
  expect_bad("body_max", "10x");
  expect_bad("body_max", "1KB");
  expect_bad("body_max", "512"); /* below the minimum */
  expect_bad("body_max", "65M");
  expect_bad("body_max", "");
  expect_bad("body_max", "99999999999999999999999");
  expect_bad("conn_memory", "17M");
  expect_bad("threads", "4k");
  expect_bad("threads", "257");
  expect_bad("threads", "two");
  expect_bad("max_connections", "0");
  expect_bad("max_connections", "15");
  expect_bad("idle_timeout", "0");
  expect_bad("log_level", "verbose");
  expect_bad("log_level", "INFO");
  expect_bad("trusted_proxy", "proxy.local");
  expect_bad("data", "");
  char longpath[2000];
  memset(longpath, 'p', sizeof longpath - 1);
  longpath[sizeof longpath - 1] = '\0';
  expect_bad("data", longpath);
}

static void good_edge_values(void **state) {
  (void)state;
  struct hv_config c;
  char err[256];
  hv_config_defaults(&c);
  assert_int_equal(hv_config_set(&c, "body_max", "1024", "t", err, sizeof err), 0);
  assert_int_equal(c.body_max, 1024);
  assert_int_equal(hv_config_set(&c, "body_max", "64M", "t", err, sizeof err), 0);
  assert_int_equal(c.body_max, 64u << 20);
  assert_int_equal(hv_config_set(&c, "conn_memory", "8K", "t", err, sizeof err), 0);
  assert_int_equal(c.conn_memory, 8192);
  assert_int_equal(hv_config_set(&c, "threads", "0", "t", err, sizeof err), 0); /* auto */
  assert_int_equal(hv_config_set(&c, "db", "postgres://u@h/db", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "db", "postgresql://u@h/db", "t", err, sizeof err), 0);
  assert_string_equal(c.db, "postgresql://u@h/db");
  assert_int_equal(hv_config_set(&c, "timezone", "Europe/Paris", "t", err, sizeof err), 0);
  assert_string_equal(c.timezone, "Europe/Paris");
  assert_int_equal(hv_config_set(&c, "trusted_proxy", "", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "base_url", "", "t", err, sizeof err), 0);
  assert_int_equal(hv_config_set(&c, "nonsense", "1", "t", err, sizeof err), -1);
  assert_non_null(strstr(err, "'nonsense'"));
}

static void load_precedence(void **state) {
  (void)state;
  struct hv_config c;
  char err[256] = "";
  char path[64];
  char *rest[8];
  int nrest = -1;
  temp_file(path, "listen = 127.0.0.1:1111\nlog_level = warn\nthreads = 2\n");
  char cfgflag[80];
  snprintf(cfgflag, sizeof cfgflag, "--config=%s", path);

  /* the file alone */
  hv_config_defaults(&c);
  char *argv1[] = {cfgflag};
  assert_int_equal(hv_config_load(&c, 1, argv1, rest, &nrest, err, sizeof err), 0);
  assert_int_equal(c.listen_port, 1111);
  assert_string_equal(c.log_level, "warn");
  assert_string_equal(c.config_file, path);
  assert_int_equal(nrest, 0);

  /* the environment beats the file */
  setenv("HAVEN_LISTEN", "127.0.0.1:2222", 1);
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 1, argv1, rest, &nrest, err, sizeof err), 0);
  assert_int_equal(c.listen_port, 2222);
  assert_string_equal(c.log_level, "warn"); /* the file still counts for the rest */

  /* a flag beats both, whatever its position relative to --config */
  char *argv2[] = {"--listen", "127.0.0.1:3333", "--config", path};
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 4, argv2, rest, &nrest, err, sizeof err), 0);
  assert_int_equal(c.listen_port, 3333);
  assert_int_equal(c.threads, 2);

  /* HAVEN_CONFIG names the file when no flag does */
  setenv("HAVEN_CONFIG", path, 1);
  unsetenv("HAVEN_LISTEN");
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 0, NULL, rest, &nrest, err, sizeof err), 0);
  assert_int_equal(c.listen_port, 1111);
  clear_env();
  unlink(path);
}

static void load_bad_sources(void **state) {
  (void)state;
  struct hv_config c;
  char err[256] = "";
  char *rest[8];
  int nrest;
  char path[64];

  hv_config_defaults(&c);
  char *argv1[] = {"--config", "/nonexistent/haven.ini"};
  assert_int_equal(hv_config_load(&c, 2, argv1, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, "'config'"));
  char *argv2[] = {"--config"};
  assert_int_equal(hv_config_load(&c, 1, argv2, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, "'config'"));

  temp_file(path, "threads = 2\nbody_max = lots\n");
  char *argv3[] = {"--config", path};
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 2, argv3, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, ":2"));
  assert_non_null(strstr(err, "'body_max'"));
  unlink(path);

  setenv("HAVEN_TIMEZONE", "Nowhere/Land", 1);
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 0, NULL, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, "HAVEN_TIMEZONE"));
  assert_non_null(strstr(err, "'timezone'"));
  clear_env();

  char *argv4[] = {"--db", "oracle://x"};
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 2, argv4, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, "--db"));
  assert_non_null(strstr(err, "'db'"));

  char *argv5[] = {"--threads"};
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, 1, argv5, rest, &nrest, err, sizeof err), -1);
  assert_non_null(strstr(err, "'threads'"));
  assert_non_null(strstr(err, "needs a value"));
}

static void load_returns_unknown_flags_in_order(void **state) {
  (void)state;
  struct hv_config c;
  char err[256] = "";
  char *argv[] = {"serve",  "--listen", "127.0.0.1:4444", "--verbose", "x",
                  "--base-url=https://h.example", "-v", "--db-pool", "3", "--nope=1", "last"};
  int argc = (int)(sizeof argv / sizeof argv[0]);
  char *rest[16];
  int nrest = -1;
  hv_config_defaults(&c);
  assert_int_equal(hv_config_load(&c, argc, argv, rest, &nrest, err, sizeof err), 0);
  assert_int_equal(nrest, 6);
  assert_ptr_equal(rest[0], argv[0]); /* borrowed, not copied */
  assert_string_equal(rest[0], "serve");
  assert_string_equal(rest[1], "--verbose");
  assert_string_equal(rest[2], "x");
  assert_string_equal(rest[3], "-v");
  assert_string_equal(rest[4], "--nope=1");
  assert_string_equal(rest[5], "last");
  assert_int_equal(c.listen_port, 4444);
  assert_string_equal(c.base_url, "https://h.example");
  assert_int_equal(c.db_pool, 3);
}

static void usage_lists_every_setting(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  hv_config_usage(f);
  fclose(f);
  static const char *names[] = {"--listen", "--db ", "--data", "--base-url", "--timezone",
                                "--assets", "--log-level", "--trusted-proxy", "--threads",
                                "--max-connections", "--per-ip-connections", "--idle-timeout",
                                "--shutdown-timeout", "--conn-memory", "--body-max", "--db-pool",
                                "HAVEN_CONFIG", "HAVEN_BODY_MAX"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strstr(text, names[i]))
      fail_msg("usage does not mention %s", names[i]);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults),
      cmocka_unit_test(finish_derives),
      cmocka_unit_test(ini_reads_settings),
      cmocka_unit_test(ini_quotes_only_when_paired),
      cmocka_unit_test(ini_unknown_key_names_key_and_line),
      cmocka_unit_test(ini_structural_errors),
      cmocka_unit_test(bad_listen_values),
      cmocka_unit_test(bad_other_values),
      cmocka_unit_test(good_edge_values),
      cmocka_unit_test(load_precedence),
      cmocka_unit_test(load_bad_sources),
      cmocka_unit_test(load_returns_unknown_flags_in_order),
      cmocka_unit_test(usage_lists_every_setting),
  };
  return cmocka_run_group_tests_name("core/config", tests, setup, NULL);
}
