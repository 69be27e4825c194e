/* Unit tests for src/modules/kyr/card.c: a short card text fits at the
 * largest size, a long one does not and the reason says by how much; the
 * empty text fits; Farsi (right to left), Korean, Chinese (both scripts),
 * Armenian and Hindi lay out with every glyph found in Debian's Noto
 * fonts; a character no font draws is refused; the card is two pages of
 * 3.5 x 2 inches and the flyer a letter page, both PDF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/kyr/card.h"

static const char short_en[] = "You have the right to remain silent. Do not open the door. Call "
                               "the LA Rapid Response Network: (888) 624-4752.";

static void short_text_fits(void **state) {
  (void)state;
  struct hv_kyr_card_layout lay;
  assert_int_equal(hv_kyr_card_layout(short_en, "en", "ltr", &lay), 0);
  assert_true(lay.fits);
  assert_true(lay.pt == HV_KYR_CARD_MAX_PT);
  assert_int_equal(lay.unknown_glyphs, 0);
  char why[256];
  assert_int_equal(hv_kyr_card_fits(short_en, "en", "ltr", why, sizeof why), 1);
  assert_string_equal(why, "");
  assert_int_equal(hv_kyr_card_fits("", "en", "ltr", why, sizeof why), 1);
  assert_int_equal(hv_kyr_card_fits(NULL, "fa", "rtl", why, sizeof why), 1);
}

static void long_text_does_not_fit(void **state) {
  (void)state;
  char text[4000] = "";
  for (int i = 0; i < 20; i++)
    strcat(text, "You have the right to remain silent and to speak with a lawyer. ");
  struct hv_kyr_card_layout lay;
  assert_int_equal(hv_kyr_card_layout(text, "en", "ltr", &lay), 0);
  assert_false(lay.fits);
  assert_true(lay.pt == HV_KYR_CARD_MIN_PT);
  assert_true(lay.height_pt > lay.box_pt);
  char why[256];
  assert_int_equal(hv_kyr_card_fits(text, "en", "ltr", why, sizeof why), 0);
  assert_non_null(strstr(why, "does not fit"));
  /* A middling text fits at a smaller size than the largest. */
  text[700] = '\0';
  assert_int_equal(hv_kyr_card_layout(text, "en", "ltr", &lay), 0);
  assert_true(lay.fits);
  assert_true(lay.pt < HV_KYR_CARD_MAX_PT && lay.pt >= HV_KYR_CARD_MIN_PT);
}

static void every_script_has_its_glyphs(void **state) {
  (void)state;
  static const struct {
    const char *lang, *dir, *text;
  } texts[] = {
      {"fa", "rtl", "شما حق دارید سکوت کنید. در را باز نکنید. هیچ چیزی را امضا نکنید. 311"},
      {"ko", "ltr", "당신은 묵비권을 행사할 권리가 있습니다. 문을 열지 마세요. 311에 전화하세요."},
      {"zh-Hant", "ltr", "您有權保持沉默。不要開門。不要簽署任何文件。請致電 311。"},
      {"zh-Hans", "ltr", "您有权保持沉默。不要开门。不要签署任何文件。请致电 311。"},
      {"hy", "ltr", "Դուք իրավունք ունեք լռել։ Մի բացեք դուռը։"},
      {"hi", "ltr", "आपको चुप रहने का अधिकार है। दरवाज़ा न खोलें।"},
      {"he", "rtl", "יש לך זכות לשתוק. אל תפתח את הדלת."},
      {"am", "ltr", "ዝም የማለት መብት አለዎት።"},
      {"km", "ltr", "អ្នកមានសិទ្ធិនៅស្ងៀម។"},
      {"th", "ltr", "คุณมีสิทธิ์ที่จะไม่พูด อย่าเปิดประตู"},
      {"pa", "ltr", "ਤੁਹਾਨੂੰ ਚੁੱਪ ਰਹਿਣ ਦਾ ਅਧਿਕਾਰ ਹੈ।"},
      {"ur", "rtl", "آپ کو خاموش رہنے کا حق ہے۔"},
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    struct hv_kyr_card_layout lay;
    assert_int_equal(hv_kyr_card_layout(texts[i].text, texts[i].lang, texts[i].dir, &lay), 0);
    if (lay.unknown_glyphs)
      fprintf(stderr, "%s: %d unknown glyphs\n", texts[i].lang, lay.unknown_glyphs);
    assert_int_equal(lay.unknown_glyphs, 0);
    assert_true(lay.fits);
    char why[256];
    assert_int_equal(hv_kyr_card_fits(texts[i].text, texts[i].lang, texts[i].dir, why, sizeof why),
                     1);
  }
}

static void unprintable_character_refused(void **state) {
  (void)state;
  char why[256];
  /* U+10FFFD: a private-use character no font draws. */
  assert_int_equal(hv_kyr_card_fits("Stay calm \xf4\x8f\xbf\xbd", "en", "ltr", why, sizeof why), 0);
  assert_non_null(strstr(why, "font"));
}

static int count(const char *hay, size_t n, const char *needle) {
  int k = 0;
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    k += memcmp(hay + i, needle, m) == 0;
  return k;
}

static void pdfs(void **state) {
  (void)state;
  struct hv_kyr_print p = {.lang = "fa",
                           .dir = "rtl",
                           .page_lang = "fa",
                           .page_dir = "rtl",
                           .title = "در خانه",
                           .card = "در را باز نکنید.",
                           .web = "# عنوان\n\n- یک\n- دو\n\n**مهم**",
                           .url = "http://127.0.0.1:8080/kyr/fa/at-the-door",
                           .stamp = "v3 \u00b7 2026-11-26",
                           .heading = "City of Los Angeles \u00b7 Know your rights",
                           .help = "Call 311",
                           .sample = true};
  char *pdf = NULL;
  size_t len = 0;
  assert_int_equal(hv_kyr_card_pdf(&p, &pdf, &len), 0);
  assert_true(len > 1000);
  assert_memory_equal(pdf, "%PDF-", 5);
  assert_int_equal(count(pdf, len, "/Type /Page\n") + count(pdf, len, "/Type /Page "), 2);
  assert_true(count(pdf, len, "/MediaBox [ 0 0 252 144 ]") >= 1);
  free(pdf);
  assert_int_equal(hv_kyr_flyer_pdf(&p, &pdf, &len), 0);
  assert_memory_equal(pdf, "%PDF-", 5);
  assert_true(count(pdf, len, "/MediaBox [ 0 0 612 792 ]") >= 1);
  free(pdf);
  /* Korean and Chinese (CFF fonts in Noto Sans CJK). */
  p.lang = p.page_lang = "ko";
  p.dir = p.page_dir = "ltr";
  p.title = "문 앞에서";
  p.card = "당신은 묵비권을 행사할 권리가 있습니다.";
  p.web = "# 문을 열지 마세요\n\n311에 전화하세요.";
  p.notice = "如需口譯員，請致電 311。";
  assert_int_equal(hv_kyr_card_pdf(&p, &pdf, &len), 0);
  free(pdf);
  assert_int_equal(hv_kyr_flyer_pdf(&p, &pdf, &len), 0);
  free(pdf);
  p.notice = NULL;
  /* A long web text runs over several pages. */
  char *web = malloc(40000);
  web[0] = '\0';
  for (int i = 0; i < 300; i++)
    strcat(web, "You have the right to remain silent and to speak with a lawyer.\n\n");
  p.web = web;
  p.lang = p.page_lang = "en";
  p.dir = p.page_dir = "ltr";
  assert_int_equal(hv_kyr_flyer_pdf(&p, &pdf, &len), 0);
  assert_true(count(pdf, len, "/Type /Page\n") + count(pdf, len, "/Type /Page ") > 2);
  free(pdf);
  free(web);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(short_text_fits),
      cmocka_unit_test(long_text_does_not_fit),
      cmocka_unit_test(every_script_has_its_glyphs),
      cmocka_unit_test(unprintable_character_refused),
      cmocka_unit_test(pdfs),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  hv_kyr_print_shutdown();
  return failed;
}
