/* Fuzz target for the narrative scanner (src/modules/incidents/redact.c):
 * the input is a narrative. Invalid UTF-8 must be refused; otherwise the
 * output is valid UTF-8, redacting it again finds nothing (every found
 * count is zero on the second pass and the text does not change), the
 * output fits exactly under a cap of its own length and is refused, with
 * the buffer untouched, one byte below. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "modules/incidents/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "redact invariant broken: %s\n", what);
  abort();
}

static void check_result(const struct hv_redaction *r) {
  if (r->nwords > 8 || r->nwords > r->flagged)
    fail("more words kept than flagged, or more than 8");
  for (size_t k = 0; k < r->nwords; k++) {
    size_t l = strnlen(r->words[k], sizeof r->words[k]);
    if (l == 0 || l >= sizeof r->words[k] || !hv_utf8_valid(r->words[k], l))
      fail("a kept word is empty, unterminated or not UTF-8");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* An exact-size copy so ASan sees any read past the end. */
  char *text = malloc(size ? size : 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  struct hv_buf out, again, tight;
  struct hv_redaction r, r2;
  hv_buf_init(&out, 1u << 20);
  hv_buf_init(&again, 1u << 20);
  hv_buf_init(&tight, 0);
  int rc = hv_redact(text, size, &out, &r);
  if (!hv_utf8_valid(text, size)) {
    if (rc != -1)
      fail("invalid UTF-8 accepted");
    goto out;
  }
  if (rc != 0)
    fail("valid text refused under a large cap");
  check_result(&r);
  if (!hv_utf8_valid(out.data, out.len))
    fail("output is not valid UTF-8");
  if (hv_redact(out.data, out.len, &again, &r2) != 0)
    fail("output refused on the second pass");
  for (int k = 0; k < HV_PII_MAX; k++)
    if (r2.found[k])
      fail("the second pass found something new");
  if (again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
    fail("the second pass changed the text");
  if (r2.flagged != r.flagged)
    fail("the second pass flagged a different number of words");
  /* The output cap: exactly its length fits, one byte less does not. */
  hv_buf_init(&tight, out.len);
  if (hv_redact(text, size, &tight, &r2) != 0 || tight.len != out.len)
    fail("output refused under a cap of its own length");
  if (out.len > 0) {
    hv_buf_free(&tight);
    hv_buf_init(&tight, out.len - 1);
    if (hv_buf_adds(&tight, "") != 0)
      fail("hv_buf_adds of nothing failed");
    if (hv_redact(text, size, &tight, &r2) != -1)
      fail("output accepted past the cap");
    if (tight.len != 0 || (tight.data && tight.data[0]))
      fail("a refused redaction left bytes in the buffer");
  }
out:
  hv_buf_free(&out);
  hv_buf_free(&again);
  hv_buf_free(&tight);
  free(text);
  return 0;
}
