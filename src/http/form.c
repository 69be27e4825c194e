/* URL-encoded form parser. */
#include "http/form.h"

#include <string.h>

#include "core/str.h"

const struct hv_form_limits hv_form_default_limits = {64, 64, 65536};

/* Decodes one name or value into the arena. Names may not hold control
 * characters; values may hold tab, CR and LF (textareas). */
static enum hv_form_status decode(struct hv_arena *a, const char *s, size_t n, size_t max,
                                  int is_value, char **out, size_t *outlen) {
  char *d = hv_arena_alloc(a, n + 1);
  size_t o = 0;
  if (!d)
    return HV_FORM_NOMEM;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= n)
        return HV_FORM_BAD_ESCAPE;
      int hi = hv_hexval(s[i + 1]), lo = hv_hexval(s[i + 2]);
      if (hi < 0 || lo < 0)
        return HV_FORM_BAD_ESCAPE;
      c = (char)(hi * 16 + lo);
      i += 2;
    }
    unsigned char u = (unsigned char)c;
    if (u == 0 || u == 0x7f || (u < 0x20 && !(is_value && (u == '\t' || u == '\r' || u == '\n'))))
      return HV_FORM_BAD_TEXT;
    if (o == max)
      return HV_FORM_TOO_LONG;
    d[o++] = c;
  }
  d[o] = '\0';
  if (!hv_utf8_valid(d, o))
    return HV_FORM_BAD_TEXT;
  *out = d;
  *outlen = o;
  return HV_FORM_OK;
}

enum hv_form_status hv_form_parse(struct hv_arena *a, const char *s, size_t n,
                                  const struct hv_form_limits *lim, struct hv_form *out) {
  size_t pairs = 1;
  out->fields = NULL;
  out->n = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '&')
      pairs++;
  if (pairs > lim->max_fields * 4 + 16)
    return HV_FORM_TOO_MANY; /* absurd input: do not even allocate for it */
  size_t cap = pairs < lim->max_fields ? pairs : lim->max_fields;
  out->fields = hv_arena_calloc(a, cap ? cap : 1, sizeof(struct hv_form_field));
  if (!out->fields)
    return HV_FORM_NOMEM;
  size_t pos = 0;
  while (pos < n) {
    const char *amp = memchr(s + pos, '&', n - pos);
    size_t end = amp ? (size_t)(amp - s) : n;
    if (end > pos) {
      const char *eq = memchr(s + pos, '=', end - pos);
      size_t nend = eq ? (size_t)(eq - s) : end;
      char *name, *value;
      size_t nl, vl;
      enum hv_form_status st;
      if (out->n == lim->max_fields)
        return HV_FORM_TOO_MANY;
      st = decode(a, s + pos, nend - pos, lim->max_name, 0, &name, &nl);
      if (st)
        return st;
      if (eq)
        st = decode(a, eq + 1, end - nend - 1, lim->max_value, 1, &value, &vl);
      else
        st = decode(a, "", 0, lim->max_value, 1, &value, &vl);
      if (st)
        return st;
      out->fields[out->n++] = (struct hv_form_field){name, value, vl};
    }
    pos = end + 1;
  }
  return HV_FORM_OK;
}

const char *hv_form_get(const struct hv_form *f, const char *name) {
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->fields[i].name, name) == 0)
      return f->fields[i].value;
  return NULL;
}

const char *hv_form_strerror(enum hv_form_status st) {
  switch (st) {
  case HV_FORM_OK: return "ok";
  case HV_FORM_TOO_MANY: return "too many fields";
  case HV_FORM_TOO_LONG: return "a field is too long";
  case HV_FORM_BAD_ESCAPE: return "malformed percent-encoding";
  case HV_FORM_BAD_TEXT: return "text that is not valid UTF-8 or holds control characters";
  case HV_FORM_NOMEM: return "out of memory";
  }
  return "unknown";
}
