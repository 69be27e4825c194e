/* Unit tests for the offset rule of src/modules/plans/reminders.c: which
 * reminder a plan is due on a day, given the days left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modules/plans/reminders.h"

#define NONE (-1000)

static void before_the_due_day(void **state) {
  (void)state;
  const int days[] = {7, 3, 1}; /* largest first, as the parser keeps them */
  assert_int_equal(hv_plan_reminder_offset(14, days, 3, 1), NONE);
  assert_int_equal(hv_plan_reminder_offset(8, days, 3, 1), NONE);
  assert_int_equal(hv_plan_reminder_offset(7, days, 3, 1), 7);
  assert_int_equal(hv_plan_reminder_offset(6, days, 3, 1), 7); /* still the 7-day one: sent once */
  assert_int_equal(hv_plan_reminder_offset(4, days, 3, 1), 7);
  assert_int_equal(hv_plan_reminder_offset(3, days, 3, 1), 3);
  assert_int_equal(hv_plan_reminder_offset(2, days, 3, 1), 3);
  assert_int_equal(hv_plan_reminder_offset(1, days, 3, 1), 1);
  assert_int_equal(hv_plan_reminder_offset(0, days, 3, 1), 1); /* due today: the last one */
  /* A plan issued with two days to go gets the nearest reminder only. */
  const int zero[] = {7, 0};
  assert_int_equal(hv_plan_reminder_offset(0, zero, 2, 1), 0);
  assert_int_equal(hv_plan_reminder_offset(5, zero, 2, 1), 7);
  /* No offsets: nothing before the day. */
  assert_int_equal(hv_plan_reminder_offset(3, days, 0, 1), NONE);
}

static void once_overdue(void **state) {
  (void)state;
  const int days[] = {7, 3, 1};
  assert_int_equal(hv_plan_reminder_offset(-1, days, 3, 1), -1);
  assert_int_equal(hv_plan_reminder_offset(-2, days, 3, 1), -2);
  assert_int_equal(hv_plan_reminder_offset(-30, days, 3, 1), -30);
  /* every third day */
  assert_int_equal(hv_plan_reminder_offset(-1, days, 3, 3), NONE);
  assert_int_equal(hv_plan_reminder_offset(-3, days, 3, 3), -3);
  assert_int_equal(hv_plan_reminder_offset(-6, days, 3, 3), -6);
  /* never */
  assert_int_equal(hv_plan_reminder_offset(-1, days, 3, 0), NONE);
  /* years overdue stays a valid, distinct-per-day key until the cap */
  assert_int_equal(hv_plan_reminder_offset(-5000, days, 3, 1), -999);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(before_the_due_day),
      cmocka_unit_test(once_overdue),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
