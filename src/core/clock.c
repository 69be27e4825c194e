/* Clock with a test offset. */
#include "core/clock.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static _Atomic int64_t offset_ms;

/* Test hook: when HAVEN_CLOCK_OFFSET_FILE names a file, its number (ms)
 * is added to the wall clock, read afresh each time, so the API tests can
 * move a running server's clock (session timeouts, deadlines). Production
 * never sets it. */
static int64_t file_offset(void) {
  static const char *path;
  static _Atomic int checked;
  if (!checked) {
    path = getenv("HAVEN_CLOCK_OFFSET_FILE");
    checked = 1;
  }
  if (!path)
    return 0;
  char buf[32];
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  return strtoll(buf, NULL, 10);
}

int64_t hv_clock_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms + file_offset();
}

uint64_t hv_clock_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hv_clock_set_offset(int64_t ms) { offset_ms = ms; }
