/* Time, injectable for tests: wall time in UTC milliseconds (what records
 * store) and a monotonic clock for durations. Tests move the wall clock
 * with hv_clock_set_offset instead of sleeping. */
#ifndef HV_CLOCK_H
#define HV_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC, plus the test offset. */
int64_t hv_clock_wall_ms(void);

/* Monotonic nanoseconds, for durations only. */
uint64_t hv_clock_mono_ns(void);

/* Adds `ms` to every later hv_clock_wall_ms (tests and `--clock-offset`). */
void hv_clock_set_offset(int64_t ms);

#endif
