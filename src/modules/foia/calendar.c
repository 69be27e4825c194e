/* Working days on holiday calendars (see calendar.h). The holidays of each
 * calendar are a table of rules; a fixed-date holiday on a Saturday is
 * observed the Friday before, on a Sunday the Monday after (5 U.S.C. 6103
 * and Executive Order 11582 for federal offices; the City of Los Angeles
 * follows the same rule). New Year's Day on a Saturday is observed on
 * December 31 of the year before, so a day is checked against the rules of
 * its own year and of the next. */
#include <stdio.h>
#include <string.h>

#include "modules/foia/calendar.h"

enum rule_kind {
  FIXED, /* month/day, moved off weekends */
  NTH,   /* the n-th `weekday` of the month (n = -1: the last), plus `offset` days */
};

struct rule {
  const char *name;
  enum rule_kind kind;
  int month, day;       /* FIXED */
  int weekday, n;       /* NTH: 0 = Sunday */
  int offset;           /* NTH: days after the n-th weekday (the day after Thanksgiving) */
  int from, to;         /* years the rule holds (0: no bound) */
};

/* 5 U.S.C. 6103(a). Inauguration Day is a holiday only around Washington,
 * so it is not one here. */
static const struct rule federal[] = {
    {"New Year's Day", FIXED, 1, 1, 0, 0, 0, 0, 0},
    {"Birthday of Martin Luther King, Jr.", NTH, 1, 0, 1, 3, 0, 1986, 0},
    {"Washington's Birthday", NTH, 2, 0, 1, 3, 0, 0, 0},
    {"Memorial Day", NTH, 5, 0, 1, -1, 0, 0, 0},
    {"Juneteenth National Independence Day", FIXED, 6, 19, 0, 0, 0, 2021, 0},
    {"Independence Day", FIXED, 7, 4, 0, 0, 0, 0, 0},
    {"Labor Day", NTH, 9, 0, 1, 1, 0, 0, 0},
    {"Columbus Day", NTH, 10, 0, 1, 2, 0, 0, 0},
    {"Veterans Day", FIXED, 11, 11, 0, 0, 0, 0, 0},
    {"Thanksgiving Day", NTH, 11, 0, 4, 4, 0, 0, 0},
    {"Christmas Day", FIXED, 12, 25, 0, 0, 0, 0, 0},
};

/* The City of Los Angeles's holidays for City offices (docs/foia.md says
 * where they come from and how to add a closure the rules do not know). */
static const struct rule los_angeles[] = {
    {"New Year's Day", FIXED, 1, 1, 0, 0, 0, 0, 0},
    {"Martin Luther King, Jr. Day", NTH, 1, 0, 1, 3, 0, 1986, 0},
    {"Presidents' Day", NTH, 2, 0, 1, 3, 0, 0, 0},
    {"Cesar Chavez Day", FIXED, 3, 31, 0, 0, 0, 0, 0},
    {"Memorial Day", NTH, 5, 0, 1, -1, 0, 0, 0},
    {"Juneteenth", FIXED, 6, 19, 0, 0, 0, 2022, 0},
    {"Independence Day", FIXED, 7, 4, 0, 0, 0, 0, 0},
    {"Labor Day", NTH, 9, 0, 1, 1, 0, 0, 0},
    {"Indigenous Peoples' Day", NTH, 10, 0, 1, 2, 0, 0, 0},
    {"Veterans Day", FIXED, 11, 11, 0, 0, 0, 0, 0},
    {"Thanksgiving Day", NTH, 11, 0, 4, 4, 0, 0, 0},
    {"Day after Thanksgiving", NTH, 11, 0, 4, 4, 1, 0, 0},
    {"Christmas Day", FIXED, 12, 25, 0, 0, 0, 0, 0},
};

static const struct {
  const char *name;
  const struct rule *rules;
  size_t n;
} calendars[HV_CAL_MAX] = {
    [HV_CAL_FEDERAL] = {"federal", federal, sizeof federal / sizeof federal[0]},
    [HV_CAL_LOS_ANGELES] = {"los-angeles", los_angeles, sizeof los_angeles / sizeof los_angeles[0]},
};

const char *hv_calendar_name(enum hv_calendar c) {
  return (unsigned)c < HV_CAL_MAX ? calendars[c].name : "?";
}

int hv_calendar_parse(const char *name) {
  for (int i = 0; name && i < HV_CAL_MAX; i++)
    if (strcmp(name, calendars[i].name) == 0)
      return i;
  return -1;
}

/* --- days and dates ------------------------------------------------------- */

/* Days from 1970-01-01, by the usual era arithmetic: years start on March 1
 * so the leap day is the last day of a year; an era is 400 years. */
hv_day hv_day_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;                                 /* 0..399 */
  int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         /* 0..146096 */
  return (hv_day)(era * 146097 + doe - 719468);
}

void hv_day_to_civil(hv_day day, int *y, int *m, int *d) {
  int z = (int)day + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

int hv_day_weekday(hv_day day) {
  int w = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday */
  return w < 0 ? w + 7 : w;
}

static int days_in_month(int y, int m) {
  static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : n[m - 1];
}

int hv_day_parse(const char *s, hv_day *out) {
  int v[3] = {0, 0, 0};
  static const int width[3] = {4, 2, 2};
  const char *p = s;
  if (!s)
    return -1;
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < width[k]; i++, p++) {
      if (*p < '0' || *p > '9')
        return -1;
      v[k] = v[k] * 10 + (*p - '0');
    }
    if (k < 2 && *p++ != '-')
      return -1;
  }
  if (*p || v[0] < HV_CAL_YEAR_MIN || v[0] > HV_CAL_YEAR_MAX || v[1] < 1 || v[1] > 12 ||
      v[2] < 1 || v[2] > days_in_month(v[0], v[1]))
    return -1;
  *out = hv_day_from_civil(v[0], v[1], v[2]);
  return 0;
}

void hv_day_format(hv_day day, char out[11]) {
  int y, m, d;
  hv_day_to_civil(day, &y, &m, &d);
  int v[3] = {y < 0 ? 0 : y % 10000, m, d}, width[3] = {4, 2, 2}, k = 0;
  for (int f = 0; f < 3; f++) {
    for (int i = width[f] - 1; i >= 0; i--, v[f] /= 10)
      out[k + i] = (char)('0' + v[f] % 10);
    k += width[f];
    out[k++] = f < 2 ? '-' : '\0';
  }
}

/* --- holidays ------------------------------------------------------------- */

/* The day rule `r` falls on in year `y` (observed, for fixed dates), and
 * whether that is moved from the date itself. -1 when the rule does not
 * hold that year. */
static hv_day rule_day(const struct rule *r, int y, bool *moved) {
  *moved = false;
  if ((r->from && y < r->from) || (r->to && y > r->to))
    return -1;
  if (r->kind == FIXED) {
    hv_day d = hv_day_from_civil(y, r->month, r->day);
    int w = hv_day_weekday(d);
    *moved = w == 0 || w == 6;
    return w == 6 ? d - 1 : w == 0 ? d + 1 : d;
  }
  hv_day first = hv_day_from_civil(y, r->month, 1);
  hv_day d;
  if (r->n > 0) {
    d = first + (r->weekday - hv_day_weekday(first) + 7) % 7 + 7 * (r->n - 1);
  } else {
    hv_day last = first + days_in_month(y, r->month) - 1;
    d = last - (hv_day_weekday(last) - r->weekday + 7) % 7;
  }
  return d + r->offset;
}

const char *hv_calendar_closed(enum hv_calendar c, const struct hv_closure *closures, size_t n,
                               hv_day day, char *buf, size_t len) {
  int w = hv_day_weekday(day);
  if (w == 0 || w == 6) {
    snprintf(buf, len, "%s", w == 0 ? "Sunday" : "Saturday");
    return buf;
  }
  if ((unsigned)c < HV_CAL_MAX) {
    int y, m, d;
    hv_day_to_civil(day, &y, &m, &d);
    for (int year = y; year <= y + 1; year++)
      for (size_t i = 0; i < calendars[c].n; i++) {
        bool moved;
        if (rule_day(&calendars[c].rules[i], year, &moved) == day) {
          snprintf(buf, len, "%s%s", calendars[c].rules[i].name, moved ? " (observed)" : "");
          return buf;
        }
      }
  }
  for (size_t i = 0; closures && i < n; i++)
    if (closures[i].day == day) {
      snprintf(buf, len, "%s", closures[i].name ? closures[i].name : "Closure");
      return buf;
    }
  return NULL;
}

hv_day hv_calendar_add(enum hv_calendar c, const struct hv_closure *closures, size_t n,
                       hv_day from, int days, struct hv_skipped *skipped, size_t cap,
                       size_t *nskipped) {
  hv_day d = from;
  size_t k = 0;
  char why[80];
  if (days > HV_CAL_DAYS_MAX)
    days = HV_CAL_DAYS_MAX;
  for (int counted = 0; counted < days;) {
    d++;
    if (hv_calendar_closed(c, closures, n, d, why, sizeof why)) {
      if (k < cap) {
        skipped[k].day = d;
        snprintf(skipped[k].reason, sizeof skipped[k].reason, "%s", why);
      }
      k++;
    } else {
      counted++;
    }
  }
  if (nskipped)
    *nskipped = k;
  return d;
}
