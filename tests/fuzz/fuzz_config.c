/* Fuzz target for the INI configuration reader (src/core/config.c): the
 * input is a configuration file applied over the defaults. Whatever the
 * outcome, every string setting must stay NUL-terminated inside its
 * buffer, numbers within their documented ranges, and a refusal must come
 * with a message; a broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "config invariant broken: %s\n", what);
  abort();
}

#define TERMINATED(field) (memchr(c->field, '\0', sizeof c->field) != NULL)

static void check(const struct hv_config *c) {
  if (!TERMINATED(config_file) || !TERMINATED(listen_host) || !TERMINATED(db) ||
      !TERMINATED(data) || !TERMINATED(base_url) || !TERMINATED(timezone) ||
      !TERMINATED(assets) || !TERMINATED(log_level) || !TERMINATED(trusted_proxy))
    fail("a string setting is not NUL-terminated");
  if (c->listen_port < 1 || c->listen_port > 65535)
    fail("listen port out of range");
  if (c->threads > 256 || (c->max_connections < 16 || c->max_connections > 100000) ||
      (c->per_ip_connections < 1 || c->per_ip_connections > 100000) ||
      (c->idle_timeout < 1 || c->idle_timeout > 3600) || c->shutdown_timeout > 600 ||
      (c->conn_memory < 8192 || c->conn_memory > (16u << 20)) ||
      (c->body_max < 1024 || c->body_max > (64u << 20)) || c->db_pool > 512)
    fail("a number setting out of its range");
  size_t n = strlen(c->base_url);
  if (n && c->base_url[n - 1] == '/')
    fail("base_url kept a trailing slash");
  if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
      strcmp(c->log_level, "warn") && strcmp(c->log_level, "error"))
    fail("unknown log level accepted");
}

static void run(const uint8_t *data, size_t size, size_t errlen) {
  struct hv_config *c = malloc(sizeof *c);
  char *err = malloc(errlen);
  if (!c || !err)
    goto out;
  hv_config_defaults(c);
  memset(err, 0, errlen);
  int rc = hv_config_apply_ini(c, (const char *)data, size, "fuzz.ini", err, errlen);
  if (rc != 0 && rc != -1)
    fail("result other than 0 or -1");
  if (rc == -1 && errlen > 1 && err[0] == '\0')
    fail("refused without a message");
  if (!memchr(err, '\0', errlen))
    fail("message not NUL-terminated");
  check(c);
out:
  free(c);
  free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run(data, size, 256);
  run(data, size, 1);
  return 0;
}
