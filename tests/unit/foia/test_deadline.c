/* Unit tests for src/modules/foia/deadline.c: the FOIA clock against a
 * table of hand-checked cases. Every expected date was computed a second
 * way, by a short independent Python script (holidays from 5 U.S.C. 6103
 * with weekend observance, the count done day by day, the Eastern cut-off
 * through the tz database); the C test checks the daylight-saving rule
 * against the system's tz database too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/foia/deadline.h"

static hv_day D(const char *s) {
  hv_day d = 0;
  assert_int_equal(hv_day_parse(s, &d), 0);
  return d;
}

static void assert_day(hv_day got, const char *want) {
  char s[11] = "(none)";
  if (got != HV_NO_DAY)
    hv_day_format(got, s);
  assert_string_equal(s, want);
}

#define EV(t, d)                                                                                   \
  { HV_FEV_##t, D(d) }

/* Computes the deadlines of a federal request received on `received`. */
static void compute(const char *received, const char *today, const struct hv_foia_event *ev,
                    size_t n, struct hv_foia_deadlines *out) {
  struct hv_foia_clock_in in = {HV_CAL_FEDERAL, D(received), false,   HV_NO_DAY, ev, n,
                                NULL,           0,           D(today)};
  hv_foia_deadlines(&in, out);
}

/* One row of the table: received, today, the due date, status, days left,
 * weekends and holidays passed over. */
struct plain_case {
  const char *received, *today, *due;
  enum hv_deadline_status status;
  int left, weekends;
  const char *holidays; /* "date reason; ..." */
};

static void plain_determinations(void **state) {
  (void)state;
  static const struct plain_case cases[] = {
      /* across Thanksgiving */
      {"2026-11-25", "2026-11-27", "2026-12-24", HV_DLS_OPEN, 19, 8,
       "2026-11-26 Thanksgiving Day; "},
      /* a year end: Christmas 2021 (a Saturday) observed on Friday 24
       * December, New Year's Day 2022 (a Saturday) on 31 December 2021 */
      {"2021-12-20", "2022-01-20", "2022-01-20", HV_DLS_OPEN, 0, 8,
       "2021-12-24 Christmas Day (observed); 2021-12-31 New Year's Day (observed); "
       "2022-01-17 Birthday of Martin Luther King, Jr.; "},
      /* Juneteenth 2027 on a Saturday is observed on Friday 18 June */
      {"2027-06-10", "2027-07-13", "2027-07-12", HV_DLS_OVERDUE, -1, 10,
       "2027-06-18 Juneteenth National Independence Day (observed); "
       "2027-07-05 Independence Day (observed); "},
      /* overdue by 12 working days (Presidents' Day is not one) */
      {"2026-01-05", "2026-02-20", "2026-02-03", HV_DLS_OVERDUE, -12, 8,
       "2026-01-19 Birthday of Martin Luther King, Jr.; "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct plain_case *c = &cases[i];
    struct hv_foia_deadlines out;
    compute(c->received, c->today, NULL, 0, &out);
    const struct hv_deadline *dl = &out.d[HV_DL_DETERMINATION];
    assert_day(dl->due, c->due);
    assert_int_equal(dl->status, c->status);
    assert_int_equal(dl->left, c->left);
    assert_int_equal(dl->weekend_days, c->weekends);
    assert_int_equal(dl->days, 20);
    assert_day(dl->start, c->received);
    char list[512] = "";
    for (size_t k = 0; k < dl->n_skipped; k++) {
      char d[11];
      hv_day_format(dl->skipped[k].day, d);
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s %s; ", d,
               dl->skipped[k].reason);
    }
    assert_string_equal(list, c->holidays);
    /* nothing else applies to a plain request */
    for (int k = HV_DL_EXPEDITED; k < HV_DL_MAX; k++)
      assert_int_equal(out.d[k].status, HV_DLS_NOT_APPLICABLE);
  }
}

static void clarification_pauses_once(void **state) {
  (void)state;
  /* asked Monday 12 January, answered Monday 26: the 9 working days in
   * between (MLK Day is a holiday anyway) are not counted; 6 had been */
  struct hv_foia_event ev[] = {
      EV(ACKNOWLEDGED, "2026-01-06"),
      EV(CLARIFICATION_ANSWERED, "2026-01-26"), /* out of order on purpose */
      EV(CLARIFICATION_ASKED, "2026-01-12"),
  };
  struct hv_foia_deadlines out;
  compute("2026-01-05", "2026-02-02", ev, 3, &out);
  const struct hv_deadline *dl = &out.d[HV_DL_DETERMINATION];
  assert_day(dl->due, "2026-02-17");
  assert_int_equal(dl->status, HV_DLS_OPEN);
  assert_int_equal(dl->n_pauses, 1);
  assert_false(dl->pauses[0].fee);
  assert_day(dl->pauses[0].from, "2026-01-12");
  assert_day(dl->pauses[0].to, "2026-01-26");
  assert_int_equal(dl->pauses[0].days, 9);
  assert_int_equal(dl->n_skipped, 2); /* MLK Day, Presidents' Day */
  assert_int_equal(dl->left, 10);

  /* a second clarification does not stop it again, and says so */
  struct hv_foia_event ev2[] = {
      EV(CLARIFICATION_ASKED, "2026-01-12"), EV(CLARIFICATION_ANSWERED, "2026-01-26"),
      EV(CLARIFICATION_ASKED, "2026-02-02"), EV(CLARIFICATION_ANSWERED, "2026-02-09")};
  compute("2026-01-05", "2026-02-02", ev2, 4, &out);
  dl = &out.d[HV_DL_DETERMINATION];
  assert_day(dl->due, "2026-02-17");
  assert_int_equal(dl->n_pauses, 1);
  assert_int_equal(dl->n_notes, 1);
  assert_non_null(strstr(dl->notes[0], "2026-02-02 did not stop the clock"));
}

static void fee_question_open_pauses(void **state) {
  (void)state;
  /* a fee notice on Tuesday 20 January, not answered: the clock stands
   * with the 10 working days left that it had */
  struct hv_foia_event ev[] = {EV(FEE_NOTICE, "2026-01-20")};
  struct hv_foia_deadlines out;
  compute("2026-01-05", "2026-03-01", ev, 1, &out);
  const struct hv_deadline *dl = &out.d[HV_DL_DETERMINATION];
  assert_int_equal(dl->status, HV_DLS_PAUSED);
  assert_int_equal(dl->due, HV_NO_DAY);
  assert_int_equal(dl->left, 10);
  assert_int_equal(dl->n_pauses, 1);
  assert_true(dl->pauses[0].fee);
  assert_int_equal(dl->pauses[0].to, HV_NO_DAY);
  /* standing still from 21 January to 1 March: 27 working days
   * (Presidents' Day passed over) */
  assert_int_equal(dl->pauses[0].days, 27);
  /* answered on Monday 2 March: resumes with those 10 days (Friday 13) */
  struct hv_foia_event ev2[] = {EV(FEE_NOTICE, "2026-01-20"), EV(FEE_ANSWERED, "2026-03-02")};
  compute("2026-01-05", "2026-03-02", ev2, 2, &out);
  assert_day(out.d[HV_DL_DETERMINATION].due, "2026-03-16");
  assert_int_equal(out.d[HV_DL_DETERMINATION].left, 10);
  assert_int_equal(hv_foia_next_deadline(&out), HV_DL_DETERMINATION);
}

static void extension_is_not_overdue(void **state) {
  (void)state;
  struct hv_foia_event ev[] = {EV(EXTENSION, "2026-03-20")};
  struct hv_foia_deadlines out;
  /* past the first due date (30 March), before the extended one (13 April) */
  compute("2026-03-02", "2026-04-02", ev, 1, &out);
  const struct hv_deadline *dl = &out.d[HV_DL_DETERMINATION];
  assert_day(dl->due, "2026-04-13");
  assert_int_equal(dl->days, 30);
  assert_int_equal(dl->status, HV_DLS_OPEN);
  assert_int_equal(dl->left, 7);
  assert_int_equal(dl->n_extensions, 1);
  assert_day(dl->extensions[0].due_before, "2026-03-30");
  assert_day(dl->extensions[0].due_after, "2026-04-13");
  assert_int_equal(dl->extensions[0].days, 10);
  /* without it the same day is overdue */
  compute("2026-03-02", "2026-04-02", NULL, 0, &out);
  assert_int_equal(out.d[HV_DL_DETERMINATION].status, HV_DLS_OVERDUE);
  assert_int_equal(out.d[HV_DL_DETERMINATION].left, -3);
}

static void closure_moves_due_date(void **state) {
  (void)state;
  struct hv_closure cl[] = {{D("2026-12-24"), "Executive order: Christmas Eve"}};
  struct hv_foia_clock_in in = {HV_CAL_FEDERAL, D("2026-11-25"), false, HV_NO_DAY, NULL, 0, cl, 1,
                                D("2026-12-01")};
  struct hv_foia_deadlines out;
  hv_foia_deadlines(&in, &out);
  const struct hv_deadline *dl = &out.d[HV_DL_DETERMINATION];
  assert_day(dl->due, "2026-12-28");
  assert_int_equal(dl->n_skipped, 3);
  assert_string_equal(dl->skipped[1].reason, "Executive order: Christmas Eve");
  assert_string_equal(dl->skipped[2].reason, "Christmas Day");
}

static void expedited_calendar_days(void **state) {
  (void)state;
  struct hv_foia_clock_in in = {HV_CAL_FEDERAL, D("2026-12-28"), true, HV_NO_DAY, NULL, 0, NULL, 0,
                                D("2026-12-30")};
  struct hv_foia_deadlines out;
  hv_foia_deadlines(&in, &out);
  const struct hv_deadline *dl = &out.d[HV_DL_EXPEDITED];
  assert_false(dl->working_days);
  assert_day(dl->due, "2027-01-07"); /* New Year's Day is not skipped */
  assert_int_equal(dl->left, 8);
  assert_int_equal(dl->status, HV_DLS_OPEN);
  assert_int_equal(hv_foia_next_deadline(&out), HV_DL_EXPEDITED);
  in.expedited_decided = D("2027-01-04");
  hv_foia_deadlines(&in, &out);
  assert_int_equal(out.d[HV_DL_EXPEDITED].status, HV_DLS_MET);
  assert_false(out.d[HV_DL_EXPEDITED].met_late);
}

static void appeal_window_and_decision(void **state) {
  (void)state;
  char wall[20];
  /* final response Friday 27 February 2026: 90 working days to Wednesday
   * 8 July (Memorial Day, Juneteenth, Independence Day observed on 3 July
   * passed over); 11:59:59 p.m. EDT is 03:59:59 UTC on 9 July and 8:59:59
   * p.m. PDT in Los Angeles */
  struct hv_foia_event ev[] = {EV(FINAL_RESPONSE, "2026-02-27")};
  struct hv_foia_deadlines out;
  compute("2026-01-05", "2026-07-08", ev, 1, &out);
  assert_int_equal(out.d[HV_DL_DETERMINATION].status, HV_DLS_MET);
  assert_true(out.d[HV_DL_DETERMINATION].met_late);
  const struct hv_deadline *w = &out.d[HV_DL_APPEAL_WINDOW];
  assert_day(w->due, "2026-07-08");
  assert_int_equal(w->status, HV_DLS_OPEN);
  assert_int_equal(w->left, 0);
  assert_int_equal(w->weekend_days, 38);
  assert_int_equal(w->n_skipped, 3);
  hv_format_wall(w->cutoff_utc_ms, 0, wall);
  assert_string_equal(wall, "2026-07-09 03:59:59");
  hv_format_wall(w->cutoff_utc_ms, w->eastern_offset_min, wall);
  assert_string_equal(wall, "2026-07-08 23:59:59");
  hv_format_wall(w->cutoff_utc_ms, w->pacific_offset_min, wall);
  assert_string_equal(wall, "2026-07-08 20:59:59");
  /* the same in standard time: final response 1 July, due Monday 9
   * November (after the change on 1 November) */
  ev[0].day = D("2026-07-01");
  compute("2026-01-05", "2026-11-10", ev, 1, &out);
  w = &out.d[HV_DL_APPEAL_WINDOW];
  assert_day(w->due, "2026-11-09");
  assert_int_equal(w->status, HV_DLS_OVERDUE);
  assert_int_equal(w->eastern_offset_min, -300);
  hv_format_wall(w->cutoff_utc_ms, 0, wall);
  assert_string_equal(wall, "2026-11-10 04:59:59");
  hv_format_wall(w->cutoff_utc_ms, w->pacific_offset_min, wall);
  assert_string_equal(wall, "2026-11-09 20:59:59");

  /* an appeal filed on 1 June meets the window; its decision is due 20
   * working days later, 30 June (Juneteenth passed over) */
  struct hv_foia_event ev2[] = {EV(FINAL_RESPONSE, "2026-02-27"), EV(APPEAL_FILED, "2026-06-01")};
  compute("2026-01-05", "2026-06-02", ev2, 2, &out);
  assert_int_equal(out.d[HV_DL_APPEAL_WINDOW].status, HV_DLS_MET);
  const struct hv_deadline *a = &out.d[HV_DL_APPEAL_DECISION];
  assert_day(a->due, "2026-06-30");
  assert_int_equal(a->status, HV_DLS_OPEN);
  assert_int_equal(a->weekend_days, 8);
  assert_int_equal(hv_foia_next_deadline(&out), HV_DL_APPEAL_DECISION);
}

/* The Eastern cut-off seen from Los Angeles is 8:59:59 p.m. on every day:
 * both zones keep the same daylight-saving days, so the difference is
 * always 3 hours. Checked against the system's tz database for every
 * weekday from 1990 to 2037. */
static void eastern_cutoff_is_three_hours_ahead(void **state) {
  (void)state;
  char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
  for (hv_day d = D("1990-01-01"); d <= D("2037-12-31"); d++) {
    bool dst = hv_us_dst(d);
    int64_t cut_s = (int64_t)d * 86400 + 86399 + (dst ? 4 : 5) * 3600;
    time_t t = (time_t)cut_s;
    struct tm tm;
    setenv("TZ", "America/New_York", 1);
    tzset();
    localtime_r(&t, &tm);
    if (tm.tm_hour != 23 || tm.tm_min != 59 || tm.tm_sec != 59)
      fail_msg("Eastern cut-off wrong on day %d", (int)d);
    setenv("TZ", "America/Los_Angeles", 1);
    tzset();
    localtime_r(&t, &tm);
    if (tm.tm_hour != 20 || tm.tm_min != 59 || tm.tm_isdst != dst)
      fail_msg("Los Angeles sees the cut-off wrong on day %d", (int)d);
  }
  if (old) {
    setenv("TZ", old, 1);
    free(old);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

static void not_applicable_and_withdrawn(void **state) {
  (void)state;
  struct hv_foia_clock_in in = {HV_CAL_FEDERAL, HV_NO_DAY, true,           HV_NO_DAY, NULL, 0,
                                NULL,           0,         D("2026-01-05")};
  struct hv_foia_deadlines out;
  hv_foia_deadlines(&in, &out);
  for (int k = 0; k < HV_DL_MAX; k++)
    assert_int_equal(out.d[k].status, HV_DLS_NOT_APPLICABLE);
  assert_int_equal(hv_foia_next_deadline(&out), -1);
  struct hv_foia_event ev[] = {EV(WITHDRAWN, "2026-01-09")};
  compute("2026-01-05", "2026-03-01", ev, 1, &out);
  assert_int_equal(out.d[HV_DL_DETERMINATION].status, HV_DLS_NOT_APPLICABLE);
  assert_non_null(strstr(out.d[HV_DL_DETERMINATION].notes[0], "withdrawn on 2026-01-09"));
}

static void tables(void **state) {
  (void)state;
  for (int i = 0; i < HV_FEV_MAX; i++) {
    assert_non_null(hv_foia_event_types[i].code);
    assert_int_equal(
        hv_foia_choice_find(hv_foia_event_types, HV_FEV_MAX, hv_foia_event_types[i].code), i);
  }
  for (int i = 0; i < HV_FST_MAX; i++)
    assert_non_null(hv_foia_statuses[i].label);
  assert_int_equal(hv_foia_choice_find(hv_foia_statuses, HV_FST_MAX, "in_litigation"),
                   HV_FST_IN_LITIGATION);
  assert_int_equal(hv_foia_choice_find(hv_foia_reasons, HV_FTR_MAX, "nope"), -1);
  assert_string_equal(hv_deadline_code(HV_DL_APPEAL_WINDOW), "appeal_window");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_determinations),
      cmocka_unit_test(clarification_pauses_once),
      cmocka_unit_test(fee_question_open_pauses),
      cmocka_unit_test(extension_is_not_overdue),
      cmocka_unit_test(closure_moves_due_date),
      cmocka_unit_test(expedited_calendar_days),
      cmocka_unit_test(appeal_window_and_decision),
      cmocka_unit_test(eastern_cutoff_is_three_hours_ahead),
      cmocka_unit_test(not_applicable_and_withdrawn),
      cmocka_unit_test(tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
