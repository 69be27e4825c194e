/* Unit tests for src/modules/foia/calendar.c: dates, the holiday rules of
 * both calendars against known observed days (OPM's published federal
 * holidays), weekend observance across year ends, Juneteenth since 2021,
 * counting working days with the days passed over, and closures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "modules/foia/calendar.h"

static hv_day D(const char *s) {
  hv_day d = 0;
  assert_int_equal(hv_day_parse(s, &d), 0);
  return d;
}

static const char *closed(enum hv_calendar c, const char *date) {
  static char buf[80];
  return hv_calendar_closed(c, NULL, 0, D(date), buf, sizeof buf);
}

static void dates_round_trip(void **state) {
  (void)state;
  hv_day d = 0;
  assert_int_equal(hv_day_parse("2026-11-26", &d), 0);
  assert_int_equal(hv_day_weekday(d), 4); /* a Thursday */
  assert_int_equal(hv_day_from_civil(1970, 1, 1), 0);
  assert_int_equal(hv_day_from_civil(2000, 3, 1) - hv_day_from_civil(2000, 2, 28), 2);
  assert_int_equal(hv_day_from_civil(2100, 3, 1) - hv_day_from_civil(2100, 2, 28), 1);
  /* every day of the calculator's years formats and parses back */
  char s[11];
  int prev_w = hv_day_weekday(hv_day_from_civil(HV_CAL_YEAR_MIN, 1, 1)) - 1;
  for (hv_day x = hv_day_from_civil(HV_CAL_YEAR_MIN, 1, 1);
       x <= hv_day_from_civil(HV_CAL_YEAR_MAX, 12, 31); x++) {
    hv_day back = -1;
    hv_day_format(x, s);
    assert_int_equal(hv_day_parse(s, &back), 0);
    assert_int_equal(back, x);
    assert_int_equal(hv_day_weekday(x), (prev_w + 1) % 7);
    prev_w = hv_day_weekday(x);
  }
}

static void dates_refused(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-05",  "26-01-05",
      " 2026-01-05", "2026-01-05 ", "2026/01/05", "1989-12-31", "2201-01-01", "",
      "2026-01-5x", "２０２６-01-05", "2026-01-05T00:00", NULL};
  hv_day d;
  for (int i = 0; bad[i]; i++) {
    if (hv_day_parse(bad[i], &d) == 0)
      fail_msg("accepted %s", bad[i]);
  }
  assert_int_equal(hv_day_parse(NULL, &d), -1);
  assert_int_equal(hv_day_parse("2024-02-29", &d), 0);
  assert_int_equal(hv_day_parse("2000-02-29", &d), 0);
  assert_int_equal(hv_day_parse("1990-01-01", &d), 0);
  assert_int_equal(hv_day_parse("2200-12-31", &d), 0);
}

/* The federal holidays OPM lists, observed days included. */
static void federal_holidays(void **state) {
  (void)state;
  static const struct {
    const char *date, *name;
  } known[] = {
      {"2026-01-01", "New Year's Day"},
      {"2026-01-19", "Birthday of Martin Luther King, Jr."},
      {"2026-02-16", "Washington's Birthday"},
      {"2026-05-25", "Memorial Day"},
      {"2026-06-19", "Juneteenth National Independence Day"},
      {"2026-07-03", "Independence Day (observed)"}, /* July 4 is a Saturday */
      {"2026-09-07", "Labor Day"},
      {"2026-10-12", "Columbus Day"},
      {"2026-11-11", "Veterans Day"},
      {"2026-11-26", "Thanksgiving Day"},
      {"2026-12-25", "Christmas Day"},
      {"2021-06-18", "Juneteenth National Independence Day (observed)"}, /* its first year */
      {"2021-12-31", "New Year's Day (observed)"}, /* 2022-01-01 was a Saturday */
      {"2021-12-24", "Christmas Day (observed)"},
      {"2023-01-02", "New Year's Day (observed)"}, /* a Sunday */
      {"2023-11-10", "Veterans Day (observed)"},
      {"2022-12-26", "Christmas Day (observed)"},
      {"2024-05-27", "Memorial Day"},
      {"2025-01-20", "Birthday of Martin Luther King, Jr."}, /* also Inauguration Day */
      {"2027-06-18", "Juneteenth National Independence Day (observed)"},
      {"2027-12-31", "New Year's Day (observed)"},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    const char *why = closed(HV_CAL_FEDERAL, known[i].date);
    if (!why || strcmp(why, known[i].name) != 0)
      fail_msg("%s: expected %s, got %s", known[i].date, known[i].name, why ? why : "(open)");
  }
  /* working days that look like holidays */
  static const char *const open[] = {
      "2020-06-19", /* Juneteenth before 2021 */
      "2026-11-27", /* the day after Thanksgiving is not federal */
      "2026-03-31", /* Cesar Chavez Day is the City's */
      "2021-01-20", /* Inauguration Day: only around Washington */
      "2026-12-24", "2026-07-06", "2022-01-03", "2026-01-02"};
  for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
    if (closed(HV_CAL_FEDERAL, open[i]))
      fail_msg("%s should be a working day, got %s", open[i], closed(HV_CAL_FEDERAL, open[i]));
  assert_string_equal(closed(HV_CAL_FEDERAL, "2026-07-04"), "Saturday");
  assert_string_equal(closed(HV_CAL_FEDERAL, "2026-11-29"), "Sunday");
  /* every year has its eleven holidays (ten before 2021) on weekdays */
  for (int y = HV_CAL_YEAR_MIN; y <= HV_CAL_YEAR_MAX; y++) {
    int n = 0;
    char buf[80];
    for (hv_day d = hv_day_from_civil(y, 1, 1); d <= hv_day_from_civil(y, 12, 31); d++) {
      int w = hv_day_weekday(d);
      if (w != 0 && w != 6 && hv_calendar_closed(HV_CAL_FEDERAL, NULL, 0, d, buf, sizeof buf))
        n++;
    }
    /* New Year's Day observed on December 31 counts in the year before */
    int ny_moved = hv_day_weekday(hv_day_from_civil(y, 1, 1)) == 6;
    int ny_next = hv_day_weekday(hv_day_from_civil(y + 1, 1, 1)) == 6;
    int want = (y >= 2021 ? 11 : 10) - ny_moved + ny_next;
    if (n != want)
      fail_msg("%d: %d federal holidays on weekdays, expected %d", y, n, want);
  }
}

static void los_angeles_holidays(void **state) {
  (void)state;
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2026-03-31"), "Cesar Chavez Day");
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2026-11-27"), "Day after Thanksgiving");
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2026-10-12"), "Indigenous Peoples' Day");
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2026-02-16"), "Presidents' Day");
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2026-07-03"), "Independence Day (observed)");
  /* Cesar Chavez Day on a Sunday (2024), observed the Monday after */
  assert_string_equal(closed(HV_CAL_LOS_ANGELES, "2024-04-01"), "Cesar Chavez Day (observed)");
  assert_null(closed(HV_CAL_LOS_ANGELES, "2026-06-18"));
}

static void counting(void **state) {
  (void)state;
  struct hv_skipped sk[64];
  size_t n = 0;
  char s[11];
  /* A request received on the day before Thanksgiving 2026: 20 working
   * days, counting from the day after. */
  hv_day due = hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2026-11-25"), 20, sk, 64, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2026-12-24");
  assert_int_equal(n, 9);
  hv_day_format(sk[0].day, s);
  assert_string_equal(s, "2026-11-26");
  assert_string_equal(sk[0].reason, "Thanksgiving Day");
  hv_day_format(sk[1].day, s);
  assert_string_equal(s, "2026-11-28");
  assert_string_equal(sk[1].reason, "Saturday");
  /* The City closes the day after Thanksgiving and Christmas falls in. */
  due = hv_calendar_add(HV_CAL_LOS_ANGELES, NULL, 0, D("2026-11-25"), 20, sk, 64, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2026-12-28");
  assert_int_equal(n, 13);
  /* Across a year end with New Year's Day observed on December 31. */
  due = hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2021-12-30"), 1, sk, 64, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2022-01-03");
  assert_int_equal(n, 3);
  assert_string_equal(sk[0].reason, "New Year's Day (observed)");
  /* Zero days is the day itself, even a Sunday. */
  assert_int_equal(hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2026-11-29"), 0, sk, 64, &n),
                   D("2026-11-29"));
  assert_int_equal(n, 0);
  /* From a Friday, one working day is the Monday. */
  assert_int_equal(hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2026-11-20"), 1, NULL, 0, &n),
                   D("2026-11-23"));
  assert_int_equal(n, 2);
  /* 90 working days (an appeal window) from a response on 2026-01-02. */
  due = hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2026-01-02"), 90, NULL, 0, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2026-05-12");
  /* More skipped days than the caller's room: counted, not written. */
  due = hv_calendar_add(HV_CAL_FEDERAL, NULL, 0, D("2026-01-02"), 90, sk, 2, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2026-05-12");
  assert_true(n > 2);
}

static void closures(void **state) {
  (void)state;
  struct hv_closure c[] = {{D("2026-12-24"), "Closed by executive order"},
                           {D("2026-11-26"), "Duplicate of a holiday"}};
  struct hv_skipped sk[64];
  size_t n;
  char s[11], buf[80];
  hv_day due = hv_calendar_add(HV_CAL_FEDERAL, c, 2, D("2026-11-25"), 20, sk, 64, &n);
  hv_day_format(due, s);
  assert_string_equal(s, "2026-12-28"); /* 24th closed, 25th Christmas, then a weekend */
  assert_string_equal(hv_calendar_closed(HV_CAL_FEDERAL, c, 2, D("2026-12-24"), buf, sizeof buf),
                      "Closed by executive order");
  /* a holiday keeps its own name */
  assert_string_equal(hv_calendar_closed(HV_CAL_FEDERAL, c, 2, D("2026-11-26"), buf, sizeof buf),
                      "Thanksgiving Day");
  /* a closure on one calendar is passed only for that calendar */
  assert_null(hv_calendar_closed(HV_CAL_LOS_ANGELES, NULL, 0, D("2026-12-24"), buf, sizeof buf));
}

static void names(void **state) {
  (void)state;
  assert_int_equal(hv_calendar_parse("federal"), HV_CAL_FEDERAL);
  assert_int_equal(hv_calendar_parse("los-angeles"), HV_CAL_LOS_ANGELES);
  assert_int_equal(hv_calendar_parse("Federal"), -1);
  assert_int_equal(hv_calendar_parse(""), -1);
  assert_int_equal(hv_calendar_parse(NULL), -1);
  assert_string_equal(hv_calendar_name(HV_CAL_LOS_ANGELES), "los-angeles");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dates_round_trip), cmocka_unit_test(dates_refused),
      cmocka_unit_test(federal_holidays), cmocka_unit_test(los_angeles_holidays),
      cmocka_unit_test(counting),         cmocka_unit_test(closures),
      cmocka_unit_test(names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
