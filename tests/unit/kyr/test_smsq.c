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
  struct hv_smsq_job job = {"+12135550123", "Hola", 1, 1, "es", HV_SMSQ_SMS, NULL};
  assert_int_equal(hv_smsq_submit(NULL, &job, id), -1);
  assert_int_equal(hv_smsq_state(NULL, "0123456789abcdef0123456789abcdef", 1, NULL, 0),
                   HV_SMSQ_UNKNOWN);
  assert_string_equal(hv_smsq_state_code(HV_SMSQ_SENT), "sent");
}

static void email_ok(const char *typed, const char *want) {
  char out[HV_SMSQ_ADDR_MAX + 1];
  assert_int_equal(hv_smsq_email(typed, out), 0);
  assert_string_equal(out, want);
}

static void email_bad(const char *typed) {
  char out[HV_SMSQ_ADDR_MAX + 1];
  assert_int_equal(hv_smsq_email(typed, out), -1);
}

static void email_addresses(void **state) {
  (void)state;
  email_ok("maria@example.org", "maria@example.org");
  email_ok("  Maria.Lopez+kyr@mail.example.co.uk ", "Maria.Lopez+kyr@mail.example.co.uk");
  email_ok("a@b-c.de", "a@b-c.de");
  email_bad("");
  email_bad("maria");
  email_bad("maria@");
  email_bad("@example.org");
  email_bad("maria@localhost"); /* no dot: not an address on the Internet */
  email_bad("maria@example..org");
  email_bad("maria@-example.org");
  email_bad("maria@example-.org");
  email_bad("maria@example.org.");
  email_bad("ma ria@example.org");
  email_bad("maria@exa mple.org");
  email_bad("<maria@example.org>");
  email_bad("maria@example.org\r\nBcc: x@example.org"); /* no header injection */
  email_bad("maria@example.org,x@example.org");
  email_bad("a@b@example.org");
  email_bad("ma\"ria@example.org");
  email_bad("maría@example.org"); /* no internationalised local parts */
  char local[80];
  memset(local, 'a', 65);
  strcpy(local + 65, "@x.io");
  email_bad(local); /* local part over 64 */
  char big[300];
  memset(big, 'a', sizeof big);
  memcpy(big, "a@", 2);
  memcpy(big + 290, ".org", 5);
  email_bad(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(numbers_become_e164),
      cmocka_unit_test(bad_numbers_are_refused),
      cmocka_unit_test(no_gateway_no_queue),
      cmocka_unit_test(email_addresses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
