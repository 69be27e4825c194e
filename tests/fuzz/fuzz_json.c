/* Fuzz target for JSON input specs (src/core/json.c): the input is a
 * request body, parsed with hv_json_parse_object and unpacked against a
 * spec holding every field type. What unpacks must satisfy the spec
 * (lengths in code points, ranges, enum indexes, real dates), errors must
 * name a code, and a parsed object must survive hv_json_dump and a second
 * parse. A broken promise abort()s. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "json invariant broken: %s\n", what);
  abort();
}

struct item {
  const char *title;
  const char *note;
  int64_t count;
  bool urgent;
  int kind;
  const char *due;
};

static const char *const kinds[] = {"pothole", "graffiti", "streetlight", NULL};

static const struct hv_jfield spec_required[] = {
    {"title", HV_J_STRING, true, offsetof(struct item, title), 1, 80, 0, 0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct item, note), 0, 2000, 0, 0, NULL},
    {"count", HV_J_INT, true, offsetof(struct item, count), 0, 0, -5, 1000, NULL},
    {"urgent", HV_J_BOOL, false, offsetof(struct item, urgent), 0, 0, 0, 0, NULL},
    {"kind", HV_J_ENUM, true, offsetof(struct item, kind), 0, 0, 0, 0, kinds},
    {"due", HV_J_DATE, false, offsetof(struct item, due), 0, 0, 0, 0, NULL},
};

static const struct hv_jfield spec_optional[] = {
    {"title", HV_J_STRING, false, offsetof(struct item, title), 2, 4, 0, 0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct item, note), 0, 1, 0, 0, NULL},
    {"count", HV_J_INT, false, offsetof(struct item, count), 0, 0, INT64_MIN, INT64_MAX, NULL},
    {"urgent", HV_J_BOOL, false, offsetof(struct item, urgent), 0, 0, 0, 0, NULL},
    {"kind", HV_J_ENUM, false, offsetof(struct item, kind), 0, 0, 0, 0, kinds},
    {"due", HV_J_DATE, false, offsetof(struct item, due), 0, 0, 0, 0, NULL},
};

static size_t codepoints(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

static void check_err(const struct hv_jerr *e) {
  if (!memchr(e->code, '\0', sizeof e->code) || !memchr(e->message, '\0', sizeof e->message) ||
      !memchr(e->field, '\0', sizeof e->field))
    fail("error strings not NUL-terminated");
  if (e->code[0] == '\0' || e->message[0] == '\0')
    fail("error without a code or message");
}

static void check_string(const char *s, const struct hv_jfield *f) {
  if (!s)
    fail("string field left NULL");
  size_t n = strlen(s);
  if (!hv_utf8_valid(s, n))
    fail("string field is not valid UTF-8");
  size_t cp = codepoints(s);
  if (cp < f->min || cp > f->max)
    fail("string length outside [min,max]");
}

static void unpack(const json_t *obj, const struct hv_jfield *spec, size_t n) {
  struct hv_jerr e;
  struct item it = {NULL, NULL, -99, false, -1, NULL};
  memset(&e, 0, sizeof e);
  if (hv_json_unpack(obj, spec, n, &it, &e)) {
    check_err(&e);
    return;
  }
  /* Every key was in the spec. */
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    size_t i;
    for (i = 0; i < n && strcmp(spec[i].name, key) != 0; i++)
      ;
    if (i == n)
      fail("unknown field accepted");
  }
  if (it.title || spec[0].required)
    check_string(it.title, &spec[0]);
  if (it.note)
    check_string(it.note, &spec[1]);
  if (it.count != -99 || spec[2].required)
    if (it.count < spec[2].imin || it.count > spec[2].imax)
      fail("int outside [imin,imax]");
  if (it.kind != -1 || spec[4].required)
    if (it.kind < 0 || it.kind > 2)
      fail("enum index out of range");
  if (it.due && !hv_date_valid(it.due))
    fail("date accepted that is not a date");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct hv_jerr e;
  memset(&e, 0, sizeof e);
  json_t *obj = hv_json_parse_object((const char *)data, size, &e);
  if (!obj) {
    check_err(&e);
    if (strcmp(e.code, "invalid_json") != 0)
      fail("parse failure with a code other than invalid_json");
    return 0;
  }
  if (!json_is_object(obj))
    fail("parsed value is not an object");

  unpack(obj, spec_required, sizeof spec_required / sizeof spec_required[0]);
  unpack(obj, spec_optional, sizeof spec_optional / sizeof spec_optional[0]);

  size_t len = 0;
  char *dump = hv_json_dump(obj, &len);
  if (!dump)
    fail("a parsed object does not serialise");
  struct hv_jerr e2;
  json_t *again = hv_json_parse_object(dump, len, &e2);
  if (!again)
    fail("a serialised object does not parse again");
  if (!json_equal(obj, again))
    fail("serialise and parse changed the object");
  json_decref(again);
  free(dump);
  json_decref(obj);

  /* The date checker on the raw input too. */
  if (size <= 16) {
    char d[17];
    memcpy(d, data, size);
    d[size] = '\0';
    (void)hv_date_valid(d);
  }
  return 0;
}
