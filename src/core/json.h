/* Declarative JSON input specs (after GNU Taler's json specs): a handler
 * declares the fields it accepts, and one call checks types, lengths,
 * ranges, enums and dates, rejects unknown and duplicate keys and invalid
 * UTF-8, and fills a struct. Failures name the field, ready for the API's
 * {"error":{"code","message","field"}}. */
#ifndef HV_JSON_H
#define HV_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_jtype {
  HV_J_STRING, /* const char * (borrowed from the json_t), length in [min,max] code points */
  HV_J_INT,    /* int64_t in [imin,imax] */
  HV_J_BOOL,   /* bool */
  HV_J_ENUM,   /* int: index into choices */
  HV_J_DATE,   /* const char *: a real calendar date YYYY-MM-DD */
  HV_J_ARRAY,  /* const json_t * (borrowed): an array of at most `max` items */
  HV_J_TYPE_MAX
};

struct hv_jfield {
  const char *name;
  enum hv_jtype type;
  bool required;
  size_t off;          /* offsetof the output member */
  size_t min, max;     /* HV_J_STRING: length in code points */
  int64_t imin, imax;  /* HV_J_INT */
  const char *const *choices; /* HV_J_ENUM: NULL-terminated */
};

struct hv_jerr {
  char code[32];     /* machine-readable: invalid_json, unknown_field, ... */
  char message[192]; /* for people */
  char field[64];    /* the offending field, or "" */
};

/* Parses a request body that must be one JSON object; duplicate keys and
 * invalid UTF-8 are refused, nesting is capped. Returns the object (caller
 * frees with json_decref) or NULL with `e` filled. */
json_t *hv_json_parse_object(const char *body, size_t len, struct hv_jerr *e);

/* Checks `obj` against `spec` and writes each present field into `out` at
 * its offset. Absent optional fields are left as they were (set defaults
 * first). Returns 0, or -1 with `e` filled. */
int hv_json_unpack(const json_t *obj, const struct hv_jfield *spec, size_t n, void *out,
                   struct hv_jerr *e);

/* True for a valid Gregorian date written YYYY-MM-DD (years 1900-2999). */
bool hv_date_valid(const char *s);

/* Serialises `v` compactly (keys in insertion order) into a malloc'd string
 * (caller frees with free()); NULL on failure. Does not steal `v`. */
char *hv_json_dump(const json_t *v, size_t *len);

#endif
