/* Fuzz target for the calendar's date parser and the working-day count
 * (src/modules/foia/calendar.c). The input is split at the first newline:
 * a date, then a number of days. Invariants: a date that parses formats
 * back to the same ten characters; a count lands after the first date (or
 * on it, for zero days) on a working day, having passed over exactly the
 * days it reports, each closed for a reason. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/foia/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *input) {
  fprintf(stderr, "calendar invariant broken: %s (input %s)\n", what, input);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char in[64], back[11], why[80];
  if (size >= sizeof in)
    return 0;
  memcpy(in, data, size);
  in[size] = '\0';
  char *nl = memchr(in, '\n', size);
  int days = 0;
  if (nl) {
    *nl = '\0';
    days = atoi(nl + 1) % (HV_CAL_DAYS_MAX + 1);
    if (days < 0)
      days = -days;
  }
  hv_day from;
  if (hv_day_parse(in, &from) != 0)
    return 0;
  hv_day_format(from, back);
  if (strcmp(back, in) != 0)
    fail("a parsed date formats differently", in);
  static struct hv_skipped sk[4 * HV_CAL_DAYS_MAX];
  struct hv_closure cl[] = {{from + 3, "closure"}};
  for (int c = 0; c < HV_CAL_MAX; c++) {
    size_t n = 0;
    hv_day due = hv_calendar_add((enum hv_calendar)c, cl, 1, from, days, sk,
                                 sizeof sk / sizeof sk[0], &n);
    if (days == 0 ? due != from : due <= from)
      fail("the answer is not after the first date", in);
    if (days > 0 && hv_calendar_closed((enum hv_calendar)c, cl, 1, due, why, sizeof why))
      fail("the answer is not a working day", in);
    if ((size_t)(due - from) != (size_t)days + n)
      fail("days counted and days passed over do not add up", in);
    for (size_t i = 0; i < n && i < sizeof sk / sizeof sk[0]; i++)
      if (!sk[i].reason[0] || !hv_calendar_closed((enum hv_calendar)c, cl, 1, sk[i].day, why,
                                                  sizeof why))
        fail("a day passed over is open", in);
  }
  return 0;
}
