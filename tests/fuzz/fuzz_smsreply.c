/* Fuzz target for the SMS keyword recogniser (src/modules/kyr/smsreply.c):
 * the input is a resident's message as the gateway posts it. Folding
 * refuses invalid UTF-8 and never writes past its buffer; what it writes
 * is valid UTF-8 with no white space or punctuation at either end, and
 * folding it again changes nothing; a message recognised as a keyword
 * names a served language, and its reply is non-empty. A broken promise
 * abort()s. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/kyr/smsreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "smsreply invariant broken: %s\n", what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  char out[HV_SMSREPLY_FOLD_MAX], again[HV_SMSREPLY_FOLD_MAX];
  int rc = hv_smsreply_fold(text, out, sizeof out);
  if (rc == 0) {
    size_t n = strlen(out);
    if (n >= sizeof out || !g_utf8_validate(out, (gssize)n, NULL))
      fail("folded text is not valid UTF-8 within the buffer");
    if (!g_utf8_validate(text, -1, NULL))
      fail("invalid UTF-8 accepted");
    if (n) {
      gunichar first = g_utf8_get_char(out);
      gunichar last = g_utf8_get_char(g_utf8_find_prev_char(out, out + n));
      if (g_unichar_isspace(first) || g_unichar_isspace(last) || g_unichar_ispunct(first) ||
          g_unichar_ispunct(last))
        fail("white space or punctuation left at an end");
    }
    if (hv_smsreply_fold(out, again, sizeof again) != 0 || strcmp(out, again) != 0)
      fail("folding is not idempotent");
  } else if (out[0] != '\0') {
    fail("a refused fold left text behind");
  }
  const char *lang = NULL;
  enum hv_sms_keyword k = hv_smsreply_keyword(text, &lang);
  if (k != HV_SMSK_NONE) {
    if (k >= HV_SMSK_MAX || !lang || !*hv_smsreply_text(lang, k))
      fail("a keyword without a language or a reply");
  } else if (lang) {
    fail("no keyword but a language");
  }
  free(text);
  return 0;
}
