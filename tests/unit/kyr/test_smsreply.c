/* Unit tests for src/modules/kyr/smsreply.c: every served language has
 * STOP, HELP and START keywords, replies and a footer; each reply fits one
 * SMS segment where its script allows (GSM-7) and never more than two; the
 * footer is short; keywords are found whatever the case, accents, spacing
 * or punctuation, in the language they belong to; and a topic SMS gets
 * its footer only within the three-segment budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/kyr/sms.h"
#include "modules/kyr/smsreply.h"

/* The twenty languages of migration 0011. */
static const char *const served[] = {"en", "es", "ko", "zh-Hant", "zh-Hans", "hy", "tl",
                                     "fa", "ru", "vi", "ja",      "th",      "km", "hi",
                                     "pa", "ur", "am", "he",      "uk",      "ar"};
#define NSERVED (sizeof served / sizeof served[0])

static size_t segments(const char *s, enum hv_sms_encoding *enc) {
  struct hv_sms_info in;
  assert_int_equal(hv_sms_measure(s, strlen(s), &in), 0);
  if (enc)
    *enc = in.encoding;
  return in.segments;
}

static void every_language_has_replies_that_fit(void **state) {
  (void)state;
  assert_int_equal(hv_smsreply_nlangs(), NSERVED);
  for (size_t i = 0; i < NSERVED; i++) {
    assert_string_equal(hv_smsreply_lang(i), served[i]);
    for (int k = HV_SMSK_STOP; k < HV_SMSK_MAX; k++) {
      const char *r = hv_smsreply_text(served[i], (enum hv_sms_keyword)k);
      enum hv_sms_encoding enc;
      size_t n = segments(r, &enc);
      if (n > (enc == HV_SMS_GSM7 ? 1u : 2u) || n == 0) {
        print_error("%s reply %d takes %zu segments: %s\n", served[i], k, n, r);
        fail();
      }
      assert_true(hv_smsreply_nkeywords(served[i], (enum hv_sms_keyword)k) >= 1);
      /* A reply is in its own language, not English (English excepted). */
      if (i > 0)
        assert_string_not_equal(r, hv_smsreply_text("en", (enum hv_sms_keyword)k));
    }
    const char *f = hv_smsreply_footer(served[i]);
    assert_true(f[0] != '\0');
    if (segments(f, NULL) != 1) {
      print_error("%s footer is more than one segment: %s\n", served[i], f);
      fail();
    }
    /* The English and Spanish footers stay in GSM-7, so that a GSM-7 text
     * does not turn into UCS-2 (and three times the segments) by them. */
    enum hv_sms_encoding enc;
    segments(f, &enc);
    if (i < 2)
      assert_int_equal(enc, HV_SMS_GSM7);
  }
  /* An unknown language answers in English. */
  assert_string_equal(hv_smsreply_text("xx", HV_SMSK_STOP), hv_smsreply_text("en", HV_SMSK_STOP));
}

static void is(const char *body, enum hv_sms_keyword want, const char *lang) {
  const char *got = NULL;
  enum hv_sms_keyword k = hv_smsreply_keyword(body, &got);
  if (k != want || (lang && (!got || strcmp(got, lang) != 0))) {
    print_error("\"%s\": got %d (%s), want %d (%s)\n", body, k, got ? got : "-", want,
                lang ? lang : "-");
    fail();
  }
}

static void keywords_are_found_in_their_language(void **state) {
  (void)state;
  is("STOP", HV_SMSK_STOP, "en");
  is("  stop. ", HV_SMSK_STOP, "en");
  is("Stop!", HV_SMSK_STOP, "en");
  is("HELP", HV_SMSK_HELP, "en");
  is("unstop", HV_SMSK_START, "en");
  is("Start", HV_SMSK_START, "en");
  is("ARRÊT", HV_SMSK_STOP, "en");
  is("arret", HV_SMSK_STOP, "en");
  is("Aide", HV_SMSK_HELP, "en");
  is("alto", HV_SMSK_STOP, "es");
  is("¡PARAR!", HV_SMSK_STOP, "es");
  is("ayuda", HV_SMSK_HELP, "es");
  is("停止", HV_SMSK_STOP, "zh-Hant");
  is("「停止」", HV_SMSK_STOP, "zh-Hant");
  is("退订", HV_SMSK_STOP, "zh-Hans");
  is("帮助", HV_SMSK_HELP, "zh-Hans");
  is("중지", HV_SMSK_STOP, "ko");
  is("도움말", HV_SMSK_HELP, "ko");
  is("стоп", HV_SMSK_STOP, "ru");
  is("Помощь", HV_SMSK_HELP, "ru");
  is("допомога", HV_SMSK_HELP, "uk");
  is("dung", HV_SMSK_STOP, "vi");
  is("Dừng", HV_SMSK_STOP, "vi");
  is("tro  giup", HV_SMSK_HELP, "vi");
  is("bắt đầu", HV_SMSK_START, "vi");
  is("توقف", HV_SMSK_STOP, "fa");
  is("كمك", HV_SMSK_HELP, "fa");   /* typed with the Arabic kaf */
  is("ايقاف", HV_SMSK_STOP, "ar"); /* without the hamza */
  is("עזרה", HV_SMSK_HELP, "he");
  is("ストップ", HV_SMSK_STOP, "ja");
  is("ｽﾄｯﾌﾟ", HV_SMSK_STOP, "ja");    /* half-width katakana */
  is("ＳＴＯＰ", HV_SMSK_STOP, "en"); /* full-width Latin */
  is("หยุด", HV_SMSK_STOP, "th");
  is("ឈប់", HV_SMSK_STOP, "km");
  is("मदद", HV_SMSK_HELP, "hi");
  is("ਰੋਕੋ", HV_SMSK_STOP, "pa");
  is("روکیں", HV_SMSK_STOP, "ur");
  is("አቁም", HV_SMSK_STOP, "am");
  is("դադար", HV_SMSK_STOP, "hy");
  is("tigil", HV_SMSK_STOP, "tl");
  /* Not keywords: a sentence that contains one, nothing, bad UTF-8. */
  is("please stop texting me", HV_SMSK_NONE, NULL);
  is("stopp", HV_SMSK_NONE, NULL);
  is("", HV_SMSK_NONE, NULL);
  is("   ", HV_SMSK_NONE, NULL);
  is("\xff\xfe", HV_SMSK_NONE, NULL);
  char big[2000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  is(big, HV_SMSK_NONE, NULL);
  /* Every keyword of every language is recognised as itself, in some
   * language that lists it with the same meaning. */
  for (size_t i = 0; i < NSERVED; i++)
    for (int k = HV_SMSK_STOP; k < HV_SMSK_MAX; k++)
      for (size_t j = 0; j < hv_smsreply_nkeywords(served[i], (enum hv_sms_keyword)k); j++)
        is(hv_smsreply_keyword_at(served[i], (enum hv_sms_keyword)k, j), (enum hv_sms_keyword)k,
           NULL);
}

/* Folding a folded text changes nothing, also where GLib's case table
 * goes round in a circle (Cherokee: capital to small and back). */
static void folding_is_idempotent(void **state) {
  (void)state;
  const char *texts[] = {"\xe1\x8e\xaf",                 /* U+13AF, a Cherokee capital */
                         "\xea\xad\xbf",                 /* U+AB7F, its small letter */
                         "\xe1\x8f\xb8 STOP",            /* U+13F8 */
                         "_\xe1\x84\x83\xe1\x85\xa9\xe1\x84\x8b\xe1\x85\xae" /* the fuzzer's */
                         "\xe1\x86\xb7\xe1\x84\x86\xe1\x85\xa1\xe1\x8e\xaf", /* Hangul jamo */
                         "\xe2\x88\x8c", "stop \xe2\x88\x8c", /* U+220C, a symbol and a stroke */
                         "Stra\xc3\x9f" "e", "\xef\xbc\xb3TOP", "\xc3\x85ngstr\xc3\xb6m"};
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    char once[HV_SMSREPLY_FOLD_MAX], twice[HV_SMSREPLY_FOLD_MAX];
    assert_int_equal(hv_smsreply_fold(texts[i], once, sizeof once), 0);
    assert_int_equal(hv_smsreply_fold(once, twice, sizeof twice), 0);
    assert_string_equal(once, twice);
  }
  /* Both cases of a Cherokee letter fold to the same text. */
  char a[HV_SMSREPLY_FOLD_MAX], b[HV_SMSREPLY_FOLD_MAX];
  assert_int_equal(hv_smsreply_fold("\xe1\x8e\xaf", a, sizeof a), 0);
  assert_int_equal(hv_smsreply_fold("\xea\xad\xbf", b, sizeof b), 0);
  assert_string_equal(a, b);
}

static void footers_fit_the_budget(void **state) {
  (void)state;
  bool fits;
  char *s = hv_smsreply_compose("You have rights. Call 311.", "en", &fits);
  assert_true(fits);
  assert_string_equal(s, "You have rights. Call 311.\nReply STOP to end, HELP for help.");
  free(s);
  /* 3 x 153 GSM-7 characters leave no room: the text goes alone. */
  char full[3 * 153 + 1];
  memset(full, 'x', 3 * 153);
  full[3 * 153] = '\0';
  s = hv_smsreply_compose(full, "en", &fits);
  assert_false(fits);
  assert_string_equal(s, full);
  free(s);
  /* Exactly at the limit with the footer. */
  const char *f = hv_smsreply_footer("en");
  size_t room = 3 * 153 - 1 - strlen(f);
  char *t = calloc(room + 1, 1);
  memset(t, 'y', room);
  s = hv_smsreply_compose(t, "en", &fits);
  assert_true(fits);
  assert_int_equal(segments(s, NULL), 3);
  free(s);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_language_has_replies_that_fit),
      cmocka_unit_test(keywords_are_found_in_their_language),
      cmocka_unit_test(folding_is_idempotent),
      cmocka_unit_test(footers_fit_the_budget),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
