/* JSON-lines logger. */
#include "core/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"

static _Atomic int log_level = HV_LOG_INFO;
static _Atomic int log_fd = 2;
static const char *const level_names[HV_LOG_LEVEL_MAX] = {"debug", "info", "warn", "error"};

void hv_log_set_level(enum hv_log_level level) { log_level = (int)level; }
void hv_log_set_fd(int fd) { log_fd = fd; }

int hv_log_level_parse(const char *s) {
  for (int i = 0; i < HV_LOG_LEVEL_MAX; i++)
    if (strcmp(s, level_names[i]) == 0)
      return i;
  return -1;
}

void hv_log_time(int64_t ms, char out[32]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static void add_str(struct hv_buf *b, const char *s) {
  if (!s) {
    hv_buf_adds(b, "null");
    return;
  }
  hv_buf_addc(b, '"');
  hv_buf_add_json(b, s, strlen(s));
  hv_buf_addc(b, '"');
}

void hv_log_fields(enum hv_log_level level, const char *msg, const struct hv_log_field *f, size_t n) {
  if ((int)level < log_level || level >= HV_LOG_LEVEL_MAX)
    return;
  char stack[2048];
  char ts[32];
  struct hv_buf b;
  hv_buf_init(&b, 16384);
  hv_log_time(hv_clock_wall_ms(), ts);
  hv_buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[level]);
  add_str(&b, msg);
  for (size_t i = 0; i < n; i++) {
    hv_buf_addc(&b, ',');
    add_str(&b, f[i].key ? f[i].key : "?");
    hv_buf_addc(&b, ':');
    if (f[i].is_int)
      hv_buf_printf(&b, "%lld", (long long)f[i].num);
    else
      add_str(&b, f[i].str);
  }
  hv_buf_adds(&b, "}\n");
  const char *out = b.data;
  size_t len = b.len;
  if (!out) { /* out of memory: still say something */
    snprintf(stack, sizeof stack, "{\"level\":\"error\",\"msg\":\"log line lost\"}\n");
    out = stack;
    len = strlen(stack);
  }
  ssize_t w = write(log_fd, out, len);
  (void)w;
  hv_buf_free(&b);
}
