/* Unit tests for src/modules/incidents/redact.c: every identifier format
 * the scanner promises to replace, the numbers a narrative legitimately
 * holds (badges, times, the incident's own date, case and form numbers),
 * status words flagged but kept, UTF-8 refusal, the output cap, and that
 * redacting twice changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "modules/incidents/redact.h"

enum { A = HV_PII_ALIEN_NUMBER, S = HV_PII_SSN, D = HV_PII_DOB, P = HV_PII_PHONE, E = HV_PII_EMAIL };

/* Redacts `in` and checks the text and, when `kind` is in range, that the
 * count of that kind is `count`; then checks a second pass finds nothing. */
static void check(const char *in, const char *want, int kind, size_t count) {
  struct hv_buf b, again;
  struct hv_redaction r, r2;
  hv_buf_init(&b, 1 << 16);
  hv_buf_init(&again, 1 << 16);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), 0);
  assert_string_equal(b.data, want);
  if (kind >= 0 && kind < HV_PII_MAX)
    assert_int_equal(r.found[kind], count);
  assert_int_equal(hv_redact(b.data, b.len, &again, &r2), 0);
  assert_string_equal(again.data, want);
  for (int k = 0; k < HV_PII_MAX; k++)
    assert_int_equal(r2.found[k], 0);
  hv_buf_free(&b);
  hv_buf_free(&again);
}

/* The text must come back unchanged with nothing found. */
static void keep(const char *in) {
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 1 << 16);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), 0);
  assert_string_equal(b.data, in);
  for (int k = 0; k < HV_PII_MAX; k++)
    assert_int_equal(r.found[k], 0);
  hv_buf_free(&b);
}

static struct hv_redaction scan(const char *in) {
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 1 << 16);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), 0);
  hv_buf_free(&b);
  return r;
}

/* ---- Alien numbers ---- */

static void anum_plain(void **state) {
  (void)state;
  check("A123456789", "[A-NUMBER]", A, 1);
  check("a12345678", "[A-NUMBER]", A, 1);
  check("Agent wrote A098765432 on the form.", "Agent wrote [A-NUMBER] on the form.", A, 1);
}

static void anum_separators(void **state) {
  (void)state;
  check("A-123-456-789", "[A-NUMBER]", A, 1);
  check("A# 12345678", "[A-NUMBER]", A, 1);
  check("A 123 456 789", "[A-NUMBER]", A, 1);
  check("A.123.456.789", "[A-NUMBER]", A, 1);
  check("A-12-345-678", "[A-NUMBER]", A, 1);
}

static void anum_keywords(void **state) {
  (void)state;
  check("alien number 123456789", "alien number [A-NUMBER]", A, 1);
  check("A-number: 123-456-789", "A-number: [A-NUMBER]", A, 1);
  check("Alien No. 12345678 was read aloud", "Alien No. [A-NUMBER] was read aloud", A, 1);
  check("USCIS # 123 456 789", "USCIS # [A-NUMBER]", A, 1);
}

static void anum_spanish(void **state) {
  (void)state;
  check("número A 123456789", "número [A-NUMBER]", A, 1);
  check("número de extranjero: 123456789", "número de extranjero: [A-NUMBER]", A, 1);
}

static void anum_not_longer_tokens(void **state) {
  (void)state;
  keep("A1234567890123");           /* 13 digits */
  keep("A 1234567");                /* 7 digits */
  keep("A4 paper and an A1 rating");
  keep("DATA123456789");            /* the A is inside a word */
  keep("A-123-456-789-123");        /* a longer grouped number */
  keep("the alien number was not given, 123456789"); /* too far from the words */
}

/* ---- Social Security numbers ---- */

static void ssn_dashed_spaced(void **state) {
  (void)state;
  check("123-45-6789", "[SSN]", S, 1);
  check("SSN 123 45 6789.", "SSN [SSN].", S, 1);
  /* Impossible numbers are still redacted when written as an SSN. */
  check("000-00-0000 and 666-12-3456", "[SSN] and [SSN]", S, 2);
}

static void ssn_bare_in_context(void **state) {
  (void)state;
  check("SSN 123456789", "SSN [SSN]", S, 1);
  check("social security number: 123456789", "social security number: [SSN]", S, 1);
  check("Su número de seguro social es 123456789.", "Su número de seguro social es [SSN].", S, 1);
  check("SS#123456789", "SS#[SSN]", S, 1);
}

static void ssn_bare_without_context(void **state) {
  (void)state;
  keep("reference 123456789");
  keep("SSN was not given; the file number is 123456789");
}

static void ssn_bare_impossible(void **state) {
  (void)state;
  keep("SSN 000123456");
  keep("SSN 666123456");
  keep("SSN 912345678");
  keep("SSN 123006789");
  keep("SSN 123450000");
}

/* Near both kinds of trigger, the nearer one decides. */
static void nearest_trigger_wins(void **state) {
  (void)state;
  check("A-number and SSN: 123456789", "A-number and SSN: [SSN]", S, 1);
  check("SSN and A-number: 123456789", "SSN and A-number: [A-NUMBER]", A, 1);
}

static void ssn_window_continues(void **state) {
  (void)state;
  check("SSN 123-45-6789, also 234567890", "SSN [SSN], also [SSN]", S, 2);
}

/* ---- Dates of birth ---- */

static void dob_numeric(void **state) {
  (void)state;
  check("DOB: 03/04/1990", "DOB: [DATE OF BIRTH]", D, 1);
  check("D.O.B. 3/4/90", "D.O.B. [DATE OF BIRTH]", D, 1);
  check("birthday 12-25-1985", "birthday [DATE OF BIRTH]", D, 1);
  check("date of birth 25.12.1985", "date of birth [DATE OF BIRTH]", D, 1);
}

static void dob_iso(void **state) {
  (void)state;
  check("born 1990-03-04", "born [DATE OF BIRTH]", D, 1);
}

static void dob_named(void **state) {
  (void)state;
  check("He was born March 3, 1990.", "He was born [DATE OF BIRTH].", D, 1);
  check("date of birth: Mar. 3rd 1990", "date of birth: [DATE OF BIRTH]", D, 1);
  check("born on 3 March 1990", "born on [DATE OF BIRTH]", D, 1);
}

static void dob_spanish(void **state) {
  (void)state;
  check("fecha de nacimiento: 3 de marzo de 1990", "fecha de nacimiento: [DATE OF BIRTH]", D, 1);
  check("nació el 15/03/1990", "nació el [DATE OF BIRTH]", D, 1);
  check("NACIDA el 3 de marzo", "NACIDA el [DATE OF BIRTH]", D, 1);
  check("nacido el 1 de enero, 1980", "nacido el [DATE OF BIRTH]", D, 1);
}

/* A date is cut where it stops being one, and what follows is judged on
 * its own (a second pass sees a placeholder there and must agree). */
static void dob_partial_dates(void **state) {
  (void)state;
  check("born 3 Mar. 1990", "born [DATE OF BIRTH]", D, 1);
  check("born 3 Mar.", "born [DATE OF BIRTH].", D, 1);
  check("nacida el 3 de marzo/19/4/90", "nacida el [DATE OF BIRTH]/[DATE OF BIRTH]", D, 2);
  check("nacida el 3 de marzo de 1990x@example.com", "nacida el [DATE OF BIRTH] de [EMAIL]", D, 1);
}

static void dob_two_dates(void **state) {
  (void)state;
  check("DOB 3/4/1990 or 3/5/1991", "DOB [DATE OF BIRTH] or [DATE OF BIRTH]", D, 2);
}

static void incident_dates_kept(void **state) {
  (void)state;
  keep("Agents arrived on 11/26/2026 at 9am.");
  keep("On 2026-11-26 at 10:45 two vehicles parked on March 3, 2026.");
  keep("She was born here. On 11/26/2026 agents came to the library.");
  keep("He was born in a small town far from here; on 11/26/2026 he came in.");
}

/* ---- Phone numbers ---- */

static void phone_formats(void **state) {
  (void)state;
  check("(213) 555-0100", "[PHONE]", P, 1);
  check("213-555-0100", "[PHONE]", P, 1);
  check("213.555.0100", "[PHONE]", P, 1);
  check("+1 213 555 0100", "[PHONE]", P, 1);
  check("1-213-555-0100", "[PHONE]", P, 1);
  check("2135550100", "[PHONE]", P, 1);
  check("+12135550100", "[PHONE]", P, 1);
  check("+1 (213) 555-0100", "[PHONE]", P, 1);
}

static void phone_not_other_runs(void **state) {
  (void)state;
  keep("213555010");   /* 9 digits */
  keep("21355501001"); /* 11 digits without +1 */
  keep("12135550100");
  keep("call 213-555-01000");
}

static void times_and_badges_kept(void **state) {
  (void)state;
  keep("At 10:45 the agent showed badge 4521 and badge #88213.");
  keep("Unit 12 left at 11:05:30; 3 agents and 2 vehicles.");
}

static void ids_and_forms_kept(void **state) {
  (void)state;
  keep("Case 2026-000123, ZIP 90012, plate 8ABC123.");
  keep("They showed Form I-200 and an I-205, not a judicial warrant.");
  keep("Card 1234567890123 was not scanned.");
}

/* ---- Emails ---- */

static void email_formats(void **state) {
  (void)state;
  check("jane.doe+tips@example.org", "[EMAIL]", E, 1);
  check("Write j_smith@mail.example.co.uk.", "Write [EMAIL].", E, 1);
  check("<ana-maria@correo.example.mx>", "<[EMAIL]>", E, 1);
  check("2135550100@txt.example.com", "[EMAIL]", E, 1);
  check("Mi correo es maría@example.com", "Mi correo es [EMAIL]", E, 1);
}

static void email_not(void **state) {
  (void)state;
  keep("@handle");
  keep("user@localhost");
  keep("a@b");
  keep("see example.com");
  keep("x@y.c0m");
}

/* ---- Position, punctuation, sequences ---- */

static void match_at_start_and_end(void **state) {
  (void)state;
  check("213-555-0100 is the number", "[PHONE] is the number", P, 1);
  check("The number is 213-555-0100", "The number is [PHONE]", P, 1);
  check("A123456789 at the start", "[A-NUMBER] at the start", A, 1);
  check("at the end A123456789", "at the end [A-NUMBER]", A, 1);
}

static void next_to_punctuation(void **state) {
  (void)state;
  check("(213-555-0100)", "([PHONE])", P, 1);
  check("\"A123456789\",", "\"[A-NUMBER]\",", A, 1);
  check("SSN:123-45-6789;", "SSN:[SSN];", S, 1);
  check("phone: 213-555-0100!", "phone: [PHONE]!", P, 1);
}

static void two_in_a_row(void **state) {
  (void)state;
  check("213-555-0100, 213-555-0101", "[PHONE], [PHONE]", P, 2);
  check("(213)555-0100,213-555-0101", "[PHONE],[PHONE]", P, 2);
  check("A123456789 A987654321", "[A-NUMBER] [A-NUMBER]", A, 2);
  check("a@example.com b@example.com", "[EMAIL] [EMAIL]", E, 2);
}

static void all_kinds_together(void **state) {
  (void)state;
  struct hv_buf b;
  struct hv_redaction r;
  const char *in = "A123456789, SSN 123-45-6789, DOB 3/4/1990, 213-555-0100, x@example.com";
  hv_buf_init(&b, 4096);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), 0);
  assert_string_equal(b.data, "[A-NUMBER], SSN [SSN], DOB [DATE OF BIRTH], [PHONE], [EMAIL]");
  for (int k = 0; k < HV_PII_MAX; k++)
    assert_int_equal(r.found[k], 1);
  hv_buf_free(&b);
}

/* ---- Other scripts ---- */

static void spanish_narrative(void **state) {
  (void)state;
  check("La señora dijo que su número es 213-555-0100 y su correo ana@example.mx.",
        "La señora dijo que su número es [PHONE] y su correo [EMAIL].", P, 1);
}

static void mixed_script_untouched(void **state) {
  (void)state;
  check("ملاحظة 213-555-0100 中文 émigré", "ملاحظة [PHONE] 中文 émigré", P, 1);
  keep("José García llamó; 李小龙 在图书馆; مكتبة عامة");
}

/* ---- Status words ---- */

static void flagged_english(void **state) {
  (void)state;
  const char *in = "He said he was undocumented, an illegal alien, no visa, no Green Card; "
                   "a non-citizen asking for asylum, DACA or TPS, a refugee.";
  struct hv_redaction r = scan(in);
  assert_int_equal(r.flagged, 9);
  assert_int_equal(r.nwords, 8);
  assert_string_equal(r.words[0], "undocumented");
  assert_string_equal(r.words[1], "illegal alien");
  assert_string_equal(r.words[3], "Green Card");
  assert_string_equal(r.words[4], "non-citizen");
  keep(in); /* flagged, not replaced */
}

static void flagged_spanish(void **state) {
  (void)state;
  struct hv_redaction r =
      scan("Indocumentada, ilegales, sin papeles, CIUDADANÍA, residente permanente, asilo");
  assert_int_equal(r.flagged, 6);
  assert_int_equal(r.nwords, 6);
  assert_string_equal(r.words[0], "Indocumentada");
  assert_string_equal(r.words[3], "CIUDADANÍA");
  assert_string_equal(r.words[4], "residente permanente");
}

static void flagged_whole_words_only(void **state) {
  (void)state;
  struct hv_redaction r = scan("a visage, a divisa, revisar, visado, TPSX, asylums");
  assert_int_equal(r.flagged, 0);
  assert_int_equal(r.nwords, 0);
}

static void flagged_words_distinct(void **state) {
  (void)state;
  struct hv_redaction r = scan("visa Visa VISA visas");
  assert_int_equal(r.flagged, 4);
  assert_int_equal(r.nwords, 2);
  assert_string_equal(r.words[0], "visa");
  assert_string_equal(r.words[1], "visas");
}

static void flagged_words_capped(void **state) {
  (void)state;
  struct hv_redaction r = scan("visa citizen refugee asylum daca tps overstay deportable "
                               "undocumented illegals");
  assert_int_equal(r.flagged, 10);
  assert_int_equal(r.nwords, 8);
}

/* ---- Refusals and limits ---- */

static void invalid_utf8_refused(void **state) {
  (void)state;
  static const char *const bad[] = {"\xc3\x28", "\xff", "\xc0\xaf", "abc\xe2\x82", "\xed\xa0\x80"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    struct hv_buf b;
    struct hv_redaction r;
    hv_buf_init(&b, 1024);
    assert_int_equal(hv_redact(bad[k], strlen(bad[k]), &b, &r), -1);
    assert_int_equal(b.len, 0);
    hv_buf_free(&b);
  }
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 1024);
  assert_int_equal(hv_redact("a\0b", 3, &b, &r), -1); /* NUL is refused too */
  hv_buf_free(&b);
}

static void output_cap(void **state) {
  (void)state;
  const char *in = "call 213-555-0100 now"; /* "call [PHONE] now": 16 bytes */
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 16);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), 0);
  assert_string_equal(b.data, "call [PHONE] now");
  hv_buf_free(&b);
  hv_buf_init(&b, 15);
  assert_int_equal(hv_buf_adds(&b, "x"), 0);
  assert_int_equal(hv_redact(in, strlen(in), &b, &r), -1);
  assert_string_equal(b.data, "x"); /* left as it was */
  hv_buf_free(&b);
}

static void appends_after_existing_text(void **state) {
  (void)state;
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 1024);
  assert_int_equal(hv_buf_adds(&b, "visa: "), 0);
  assert_int_equal(hv_redact("A123456789", 10, &b, &r), 0);
  assert_string_equal(b.data, "visa: [A-NUMBER]");
  assert_int_equal(r.flagged, 0); /* only the new text is scanned */
  hv_buf_free(&b);
}

static void empty_input(void **state) {
  (void)state;
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, 16);
  assert_int_equal(hv_redact("", 0, &b, &r), 0);
  assert_int_equal(b.len, 0);
  assert_int_equal(r.flagged, 0);
  assert_int_equal(hv_redact(NULL, 0, &b, NULL), 0);
  hv_buf_free(&b);
}

static void placeholders_already_present(void **state) {
  (void)state;
  keep("[A-NUMBER] [SSN] [DATE OF BIRTH] [PHONE] [EMAIL]");
  /* A placeholder stands for its match: "[SSN] 123456789" is a second SSN. */
  check("[SSN] 234567890", "[SSN] [SSN]", S, 1);
}

static void long_digit_run_is_linear(void **state) {
  (void)state;
  size_t n = 1u << 20;
  char *in = malloc(n + 1);
  assert_non_null(in);
  for (size_t k = 0; k < n; k++)
    in[k] = (k % 4096 == 0) ? ' ' : (char)('0' + k % 10);
  in[n] = '\0';
  memcpy(in, "SSN DOB A", 9);
  struct hv_buf b;
  struct hv_redaction r;
  hv_buf_init(&b, n + 16);
  clock_t t0 = clock();
  assert_int_equal(hv_redact(in, n, &b, &r), 0);
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
  assert_int_equal(b.len, n);
  hv_buf_free(&b);
  free(in);
}

static void placeholders_and_labels(void **state) {
  (void)state;
  assert_string_equal(hv_pii_placeholder(HV_PII_ALIEN_NUMBER), "[A-NUMBER]");
  assert_string_equal(hv_pii_placeholder(HV_PII_SSN), "[SSN]");
  assert_string_equal(hv_pii_placeholder(HV_PII_DOB), "[DATE OF BIRTH]");
  assert_string_equal(hv_pii_placeholder(HV_PII_PHONE), "[PHONE]");
  assert_string_equal(hv_pii_placeholder(HV_PII_EMAIL), "[EMAIL]");
  assert_string_equal(hv_pii_label(HV_PII_ALIEN_NUMBER), "an alien number");
  for (int k = 0; k <= HV_PII_MAX; k++) {
    assert_non_null(hv_pii_placeholder((enum hv_pii)k));
    assert_true(strlen(hv_pii_label((enum hv_pii)k)) > 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(anum_plain),
      cmocka_unit_test(anum_separators),
      cmocka_unit_test(anum_keywords),
      cmocka_unit_test(anum_spanish),
      cmocka_unit_test(anum_not_longer_tokens),
      cmocka_unit_test(ssn_dashed_spaced),
      cmocka_unit_test(ssn_bare_in_context),
      cmocka_unit_test(ssn_bare_without_context),
      cmocka_unit_test(ssn_bare_impossible),
      cmocka_unit_test(ssn_window_continues),
      cmocka_unit_test(nearest_trigger_wins),
      cmocka_unit_test(dob_numeric),
      cmocka_unit_test(dob_iso),
      cmocka_unit_test(dob_named),
      cmocka_unit_test(dob_spanish),
      cmocka_unit_test(dob_partial_dates),
      cmocka_unit_test(dob_two_dates),
      cmocka_unit_test(incident_dates_kept),
      cmocka_unit_test(phone_formats),
      cmocka_unit_test(phone_not_other_runs),
      cmocka_unit_test(times_and_badges_kept),
      cmocka_unit_test(ids_and_forms_kept),
      cmocka_unit_test(email_formats),
      cmocka_unit_test(email_not),
      cmocka_unit_test(match_at_start_and_end),
      cmocka_unit_test(next_to_punctuation),
      cmocka_unit_test(two_in_a_row),
      cmocka_unit_test(all_kinds_together),
      cmocka_unit_test(spanish_narrative),
      cmocka_unit_test(mixed_script_untouched),
      cmocka_unit_test(flagged_english),
      cmocka_unit_test(flagged_spanish),
      cmocka_unit_test(flagged_whole_words_only),
      cmocka_unit_test(flagged_words_distinct),
      cmocka_unit_test(flagged_words_capped),
      cmocka_unit_test(invalid_utf8_refused),
      cmocka_unit_test(output_cap),
      cmocka_unit_test(appends_after_existing_text),
      cmocka_unit_test(empty_input),
      cmocka_unit_test(placeholders_already_present),
      cmocka_unit_test(long_digit_run_is_linear),
      cmocka_unit_test(placeholders_and_labels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
