/* Unit tests for src/modules/kyr/smsq.c: the typed phone number becomes
 * E.164 or is refused, and a queue without a gateway refuses work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "modules/kyr/smsq.h"

static void ok(const char *typed, const char *want) {
  char out[HV_SMSQ_TO_MAX + 1];
  assert_int_equal(hv_smsq_number(typed, out), 0);
  assert_string_equal(out, want);
}

static void bad(const char *typed) {
  char out[HV_SMSQ_TO_MAX + 1];
  assert_int_equal(hv_smsq_number(typed, out), -1);
}

static void numbers_become_e164(void **state) {
  (void)state;
  ok("213-555-0123", "+12135550123");
  ok("(213) 555.0123", "+12135550123");
  ok("1 213 555 0123", "+12135550123");
  ok("+1 213 555 0123", "+12135550123");
  ok("+52 55 1234 5678", "+525512345678");
  ok("+123456789012345", "+123456789012345"); /* 15 digits: the E.164 maximum */
}

static void bad_numbers_are_refused(void **state) {
  (void)state;
  bad("");
  bad("555-0123");          /* seven digits */
  bad("013-555-0123");      /* no area code starts with 0 or 1 */
  bad("2135550123x");       /* letters */
  bad("+1234567");          /* too short for international */
  bad("+1234567890123456"); /* 16 digits */
  bad("12345678901234567890");
  bad("+0123456789");
  bad("213+5550123"); /* a plus inside */
  bad("++12135550123");
  bad("213;5550123");
}

static void no_gateway_no_queue(void **state) {
  (void)state;
  char id[HV_SMSQ_ID_LEN + 1];
  struct hv_smsq_job job = {"+12135550123", "Hola", 1, 1, "es"};
  assert_int_equal(hv_smsq_submit(NULL, &job, id), -1);
  assert_int_equal(hv_smsq_state(NULL, "0123456789abcdef0123456789abcdef", 1, NULL, 0),
                   HV_SMSQ_UNKNOWN);
  assert_string_equal(hv_smsq_state_code(HV_SMSQ_SENT), "sent");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(numbers_become_e164),
      cmocka_unit_test(bad_numbers_are_refused),
      cmocka_unit_test(no_gateway_no_queue),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
