/* Fuzz target for the urlencoded form parser (src/http/form.c): the input
 * is a form body or query string, parsed with the default limits and with
 * tiny ones. Every field returned must be valid UTF-8 within the limits,
 * names without control characters; a broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "form invariant broken: %s\n", what);
  abort();
}

static void check(const struct hv_form *f, enum hv_form_status st,
                  const struct hv_form_limits *lim) {
  if (strcmp(hv_form_strerror(st), "unknown") == 0)
    fail("status without a description");
  if (st != HV_FORM_OK)
    return;
  if (f->n > lim->max_fields || (f->n && !f->fields))
    fail("more fields than max_fields");
  for (size_t i = 0; i < f->n; i++) {
    const struct hv_form_field *fd = &f->fields[i];
    if (!fd->name || !fd->value)
      fail("field without name or value");
    size_t nl = strlen(fd->name);
    if (nl > lim->max_name)
      fail("name past max_name");
    if (fd->value_len > lim->max_value || strlen(fd->value) != fd->value_len)
      fail("value past max_value or value_len wrong");
    if (!hv_utf8_valid(fd->name, nl) || !hv_utf8_valid(fd->value, fd->value_len))
      fail("field is not valid UTF-8");
    for (size_t j = 0; j < nl; j++)
      if ((unsigned char)fd->name[j] < 0x20 || fd->name[j] == 0x7f)
        fail("name holds a control character");
    for (size_t j = 0; j < fd->value_len; j++) {
      unsigned char u = (unsigned char)fd->value[j];
      if ((u < 0x20 && u != '\t' && u != '\r' && u != '\n') || u == 0x7f)
        fail("value holds a control character other than tab, CR, LF");
    }
    const char *first = hv_form_get(f, fd->name);
    if (!first)
      fail("hv_form_get misses a parsed name");
  }
}

static void run(const uint8_t *data, size_t size, const struct hv_form_limits *lim) {
  struct hv_arena *a = hv_arena_new(8u << 20);
  struct hv_form f;
  if (!a)
    return;
  enum hv_form_status st = hv_form_parse(a, (const char *)data, size, lim, &f);
  check(&f, st, lim);
  hv_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const struct hv_form_limits tiny = {3, 4, 8};
  /* An exact-size copy so ASan sees any read past the end. */
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  run(copy, size, &hv_form_default_limits);
  run(copy, size, &tiny);
  free(copy);
  return 0;
}
