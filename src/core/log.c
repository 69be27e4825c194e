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
  /* gmtime_r and strftime once a second per thread, not once a line */
  static _Thread_local time_t cached_sec = (time_t)-1;
  static _Thread_local char cached[24];
  time_t t = (time_t)(ms / 1000);
  if (t != cached_sec) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_sec = t;
  }
  int frac = (int)(ms % 1000);
  size_t n = strlen(cached);
  memcpy(out, cached, n);
  out[n] = '.';
  out[n + 1] = (char)('0' + frac / 100);
  out[n + 2] = (char)('0' + frac / 10 % 10);
  out[n + 3] = (char)('0' + frac % 10);
  out[n + 4] = 'Z';
  out[n + 5] = '\0';
}

/* Appends a JSON string (or null); on refusal cuts the line back so what
 * is there stays valid JSON. */
static int add_str(struct hv_buf *b, const char *s) {
  size_t len0 = b->len;
  if (!s)
    return hv_buf_adds(b, "null");
  if (hv_buf_addc(b, '"') || hv_buf_add_json(b, s, strlen(s)) || hv_buf_addc(b, '"'))
    goto undo;
  return 0;
undo:
  b->len = len0;
  if (b->data)
    b->data[len0] = '\0';
  return -1;
}

void hv_log_fields(enum hv_log_level level, const char *msg, const struct hv_log_field *f, size_t n) {
  if ((int)level < log_level || level >= HV_LOG_LEVEL_MAX)
    return;
  char line[16384 + 2]; /* the closing brace and newline always fit */
  char ts[32];
  struct hv_buf b;
  hv_buf_init_fixed(&b, line, sizeof line - 2);
  hv_log_time(hv_clock_wall_ms(), ts);
  hv_buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[level]);
  if (add_str(&b, msg))
    hv_buf_adds(&b, "null");
  for (size_t i = 0; i < n; i++) {
    /* A field that does not fit is dropped whole, with those after it, so
     * the line stays valid JSON. */
    size_t len0 = b.len;
    int bad = hv_buf_addc(&b, ',') || add_str(&b, f[i].key ? f[i].key : "?") ||
              hv_buf_addc(&b, ':');
    if (!bad)
      bad = f[i].is_int ? hv_buf_printf(&b, "%lld", (long long)f[i].num) : add_str(&b, f[i].str);
    if (bad) {
      b.len = len0;
      if (b.data)
        b.data[len0] = '\0';
      break;
    }
  }
  /* one event, one line: the two bytes kept back above */
  memcpy(b.data + b.len, "}\n", 2);
  ssize_t w = write(log_fd, b.data, b.len + 2);
  (void)w;
}
