/* Local-time formatting and parsing in the city's zone. */
#include "core/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"

void hv_time_init(const char *tz) {
  setenv("TZ", tz, 1);
  tzset();
}

int hv_time_local_day_start(const char *date, int64_t *ms) {
  if (!hv_date_valid(date))
    return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = atoi(date) - 1900;
  tm.tm_mon = atoi(date + 5) - 1;
  tm.tm_mday = atoi(date + 8);
  tm.tm_isdst = -1; /* let the zone decide */
  time_t t = mktime(&tm);
  if (t == (time_t)-1)
    return -1;
  *ms = (int64_t)t * 1000;
  return 0;
}

void hv_time_format(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  localtime_r(&t, &tm);
  if (!strftime(out, cap, "%b %-d, %Y, %-I:%M %p %Z", &tm) && cap)
    out[0] = '\0';
}

void hv_time_format_iso(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  char zone[8];
  localtime_r(&t, &tm);
  strftime(zone, sizeof zone, "%z", &tm); /* -0800 */
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, cap, "%s%.3s:%.2s", base, zone, zone + 3);
}
