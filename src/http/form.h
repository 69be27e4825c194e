/* application/x-www-form-urlencoded parsing of our own (no
 * MHD_PostProcessor): bounded field count and sizes, strict percent
 * escapes, UTF-8 checked. Used for form bodies and query strings. */
#ifndef HV_FORM_H
#define HV_FORM_H

#include <stddef.h>

#include "core/arena.h"

struct hv_form_field {
  const char *name;  /* decoded, NUL-terminated, in the arena */
  const char *value; /* decoded, NUL-terminated, in the arena */
  size_t value_len;
};

struct hv_form {
  struct hv_form_field *fields; /* in the arena */
  size_t n;
};

struct hv_form_limits {
  size_t max_fields; /* e.g. 64 */
  size_t max_name;   /* bytes, decoded, e.g. 64 */
  size_t max_value;  /* bytes, decoded, e.g. 64 KiB */
};

enum hv_form_status {
  HV_FORM_OK = 0,
  HV_FORM_TOO_MANY,   /* more fields than max_fields */
  HV_FORM_TOO_LONG,   /* a name or value past its limit */
  HV_FORM_BAD_ESCAPE, /* % not followed by two hex digits */
  HV_FORM_BAD_TEXT,   /* invalid UTF-8, NUL, or a control character */
  HV_FORM_NOMEM,
};

extern const struct hv_form_limits hv_form_default_limits;

/* Parses `n` bytes of `s` into `out`; everything lives in the arena.
 * Empty pairs ("a=1&&b=2") are skipped; a pair without '=' has value "". */
enum hv_form_status hv_form_parse(struct hv_arena *a, const char *s, size_t n,
                                  const struct hv_form_limits *lim, struct hv_form *out);

/* The first value of `name`, or NULL. */
const char *hv_form_get(const struct hv_form *f, const char *name);

/* A short English description of a status, for error messages. */
const char *hv_form_strerror(enum hv_form_status st);

#endif
