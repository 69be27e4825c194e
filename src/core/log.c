/* JSON-lines logger. */
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

#define LINE_MAX_ (16384 + 2) /* the closing brace and newline always fit */

/* Formats one event into `line` (LINE_MAX_ bytes); returns its length,
 * newline included. */
static size_t format_line(char *line, enum hv_log_level level, const char *msg,
                          const struct hv_log_field *f, size_t n) {
  char ts[32];
  struct hv_buf b;
  hv_buf_init_fixed(&b, line, LINE_MAX_ - 2);
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
  return b.len + 2;
}

static void write_all(const char *p, size_t len) {
  int fd = log_fd;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return; /* nowhere to report it */
    p += w;
    len -= (size_t)w;
  }
}

/* --- batched lines ------------------------------------------------------------
 * Each thread that logs batched lines gets a buffer (registered in a list,
 * flushed and freed when the thread exits). Lines are whole in it, so a
 * buffer written with one write(2) never splits a line. It is written when
 * the next line would not fit, when its oldest line is BATCH_MS old (on
 * the thread's next line, or by the flusher thread), before a direct line
 * from the same thread (order within a thread is kept), and at exit. */
#define BATCH_CAP 65536
#define BATCH_MS 50

struct batch {
  pthread_mutex_t mu; /* the owner and the flusher */
  size_t len;
  int64_t first_ms; /* when the oldest pending line was added */
  struct batch *prev, *next;
  char data[BATCH_CAP];
};

static pthread_mutex_t batches_mu = PTHREAD_MUTEX_INITIALIZER;
static struct batch *batches; /* every thread's; under batches_mu */
static pthread_key_t batch_key;
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;
static _Thread_local struct batch *mine;

static void batch_write(struct batch *b) { /* with b->mu held */
  if (b->len)
    write_all(b->data, b->len);
  b->len = 0;
}

static void batch_gone(void *p) { /* the owning thread exits */
  struct batch *b = p;
  mine = NULL; /* a later line from this thread's exit makes a new one */
  pthread_mutex_lock(&batches_mu);
  if (b->prev)
    b->prev->next = b->next;
  else
    batches = b->next;
  if (b->next)
    b->next->prev = b->prev;
  pthread_mutex_unlock(&batches_mu);
  pthread_mutex_lock(&b->mu);
  batch_write(b);
  pthread_mutex_unlock(&b->mu);
  pthread_mutex_destroy(&b->mu);
  free(b);
}

void hv_log_flush(void) {
  pthread_mutex_lock(&batches_mu);
  for (struct batch *b = batches; b; b = b->next) {
    pthread_mutex_lock(&b->mu);
    batch_write(b);
    pthread_mutex_unlock(&b->mu);
  }
  pthread_mutex_unlock(&batches_mu);
}

static void *flusher(void *arg) {
  (void)arg;
  for (;;) {
    struct timespec ts = {0, BATCH_MS * 1000000L};
    nanosleep(&ts, NULL);
    int64_t now = hv_clock_wall_ms();
    pthread_mutex_lock(&batches_mu);
    for (struct batch *b = batches; b; b = b->next) {
      pthread_mutex_lock(&b->mu);
      if (b->len && now - b->first_ms >= BATCH_MS)
        batch_write(b);
      pthread_mutex_unlock(&b->mu);
    }
    pthread_mutex_unlock(&batches_mu);
  }
  return NULL;
}

static bool batching_ok = false;
static void batch_setup(void) {
  if (pthread_key_create(&batch_key, batch_gone) != 0)
    return;
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &at, flusher, NULL) == 0) {
    atexit(hv_log_flush);
    batching_ok = true;
  }
  pthread_attr_destroy(&at);
}

static struct batch *my_batch(void) {
  if (mine)
    return mine;
  pthread_once(&batch_once, batch_setup);
  if (!batching_ok)
    return NULL;
  struct batch *b = malloc(sizeof *b);
  if (!b)
    return NULL;
  pthread_mutex_init(&b->mu, NULL);
  b->len = 0;
  b->first_ms = 0;
  b->prev = NULL;
  pthread_mutex_lock(&batches_mu);
  b->next = batches;
  if (batches)
    batches->prev = b;
  batches = b;
  pthread_mutex_unlock(&batches_mu);
  pthread_setspecific(batch_key, b);
  mine = b;
  return b;
}

void hv_log_fields(enum hv_log_level level, const char *msg, const struct hv_log_field *f, size_t n) {
  if ((int)level < log_level || level >= HV_LOG_LEVEL_MAX)
    return;
  char line[LINE_MAX_];
  size_t len = format_line(line, level, msg, f, n);
  if (mine) { /* this thread's batched lines go first */
    pthread_mutex_lock(&mine->mu);
    batch_write(mine);
    pthread_mutex_unlock(&mine->mu);
  }
  write_all(line, len);
}

void hv_log_fields_batched(enum hv_log_level level, const char *msg, const struct hv_log_field *f,
                           size_t n) {
  if ((int)level < log_level || level >= HV_LOG_LEVEL_MAX)
    return;
  struct batch *b = level <= HV_LOG_INFO ? my_batch() : NULL;
  if (!b) {
    hv_log_fields(level, msg, f, n);
    return;
  }
  char line[LINE_MAX_];
  size_t len = format_line(line, level, msg, f, n);
  int64_t now = hv_clock_wall_ms();
  pthread_mutex_lock(&b->mu);
  if (b->len + len > sizeof b->data)
    batch_write(b);
  if (b->len == 0)
    b->first_ms = now;
  memcpy(b->data + b->len, line, len);
  b->len += len;
  if (now - b->first_ms >= BATCH_MS)
    batch_write(b);
  pthread_mutex_unlock(&b->mu);
}
