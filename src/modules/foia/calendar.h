/* Working days on a holiday calendar per jurisdiction: the federal
 * calendar of 5 U.S.C. 6103 with the observance rule of federal offices,
 * and the City of Los Angeles's own. Holidays are rules (a fixed date, the
 * n-th weekday of a month), generated for any year; closures added by hand
 * (an executive order, a day of mourning) come from the database and are
 * passed in. Pure functions: no clock, no I/O, no allocation. */
#ifndef HV_FOIA_CALENDAR_H
#define HV_FOIA_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A day is counted from 1970-01-01 (day 0) in the proleptic Gregorian
 * calendar; dates have no time zone. */
typedef int32_t hv_day;

/* The years the calculator answers for: the rules hold from 1986 (the
 * birthday of Martin Luther King, Jr.); 2200 bounds loops. */
#define HV_CAL_YEAR_MIN 1990
#define HV_CAL_YEAR_MAX 2200
/* The most working days one question may count (about four years). */
#define HV_CAL_DAYS_MAX 1000

enum hv_calendar { HV_CAL_FEDERAL, HV_CAL_LOS_ANGELES, HV_CAL_MAX };

/* "federal", "los-angeles". */
const char *hv_calendar_name(enum hv_calendar c);
/* The calendar named `name`, or -1. */
int hv_calendar_parse(const char *name);

hv_day hv_day_from_civil(int y, int m, int d);
void hv_day_to_civil(hv_day day, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int hv_day_weekday(hv_day day);
/* Strict "YYYY-MM-DD" within the calculator's years; 0, or -1. */
int hv_day_parse(const char *s, hv_day *out);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL). */
void hv_day_format(hv_day day, char out[11]);

/* A day closed by hand on one calendar; `name` borrowed. */
struct hv_closure {
  hv_day day;
  const char *name;
};

/* Why `day` is not a working day: "Saturday", "Sunday", a holiday's name
 * ("Independence Day (observed)"), or the closure's name; NULL for a
 * working day. `closures` (n of them, any order) may be NULL. The text is
 * written to buf (at most len bytes) and returned. */
const char *hv_calendar_closed(enum hv_calendar c, const struct hv_closure *closures, size_t n,
                               hv_day day, char *buf, size_t len);

/* A day passed over while counting, and why. */
struct hv_skipped {
  hv_day day;
  char reason[80];
};

/* The day that is `days` working days after `from` (counting starts the
 * day after; 0 answers `from` itself). The days passed over on the way are
 * written to `skipped`, at most `cap` of them (may be NULL with cap 0);
 * *nskipped receives how many there were. `days` is 0..HV_CAL_DAYS_MAX. */
hv_day hv_calendar_add(enum hv_calendar c, const struct hv_closure *closures, size_t n,
                       hv_day from, int days, struct hv_skipped *skipped, size_t cap,
                       size_t *nskipped);

#endif
