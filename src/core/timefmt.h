/* Times for people: stored as UTC milliseconds, shown and entered in the
 * city's time zone. `haven` sets TZ to the configured zone once at start
 * (hv_time_init), before any thread exists, so the C library's local-time
 * functions are safe to call from every request afterwards. */
#ifndef HV_TIMEFMT_H
#define HV_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Sets the process time zone (an IANA name). */
void hv_time_init(const char *tz);

/* Midnight at the start of the local date YYYY-MM-DD, as UTC ms. 0 on
 * success, -1 for an invalid date. */
int hv_time_local_day_start(const char *date, int64_t *ms);

/* "Nov 26, 2026, 3:16 PM PST" in the local zone. */
void hv_time_format(int64_t ms, char *out, size_t cap);

/* ISO 8601 with the local offset: "2026-11-26T15:16:00-08:00". */
void hv_time_format_iso(int64_t ms, char *out, size_t cap);

#endif
