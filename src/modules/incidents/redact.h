/* The narrative scanner (DESIGN.md section 4): finds personal identifiers
 * in free text written by staff and replaces them with typed placeholders
 * before anything is stored, and flags words that point to someone's
 * immigration status so the filer is asked to rewrite. Pure: no I/O, no
 * globals; the same function runs on every path (page and API). */
#ifndef HV_REDACT_H
#define HV_REDACT_H

#include <stddef.h>

#include "core/buf.h"

enum hv_pii {
  HV_PII_ALIEN_NUMBER, /* A followed by 8 or 9 digits, with or without separators: "A123456789", "A-123-456-789", "A# 12345678" */
  HV_PII_SSN,          /* 123-45-6789, 123 45 6789, 123456789 near "SSN"/"social security" */
  HV_PII_DOB,          /* a date next to "DOB", "born", "date of birth", "fecha de nacimiento", "nacido/a" */
  HV_PII_PHONE,        /* US numbers: (213) 555-0100, 213-555-0100, +1 213 555 0100, 2135550100 */
  HV_PII_EMAIL,        /* name@host.tld */
  HV_PII_MAX
};

/* The placeholder written instead of each kind, e.g. "[A-NUMBER]". */
const char *hv_pii_placeholder(enum hv_pii kind);
/* A short name for people, e.g. "an alien number". */
const char *hv_pii_label(enum hv_pii kind);

struct hv_redaction {
  size_t found[HV_PII_MAX]; /* how many of each kind were replaced */
  size_t flagged;           /* status words found (left in place) */
  /* The first few status words found, as written (NUL-terminated copies). */
  char words[8][32];
  size_t nwords;
};

/* Scans `n` bytes of UTF-8 `text`, appending the redacted text to `out`
 * and filling `r`. Returns 0, or -1 when `out` is full or the text is not
 * valid UTF-8. */
int hv_redact(const char *text, size_t n, struct hv_buf *out, struct hv_redaction *r);

#endif
