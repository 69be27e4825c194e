/* Clock with a test offset. */
#include "core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_ms;

int64_t hv_clock_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
}

uint64_t hv_clock_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hv_clock_set_offset(int64_t ms) { offset_ms = ms; }
