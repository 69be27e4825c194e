/* JSON input specs. */
#include "core/json.h"

#include <stdio.h>
#include <string.h>

#include "core/str.h"

#define HV_JSON_MAX_DEPTH 16

static void seterr(struct hv_jerr *e, const char *code, const char *field, const char *msg) {
  snprintf(e->code, sizeof e->code, "%s", code);
  snprintf(e->field, sizeof e->field, "%s", field ? field : "");
  snprintf(e->message, sizeof e->message, "%s", msg);
}

static int depth_ok(const json_t *v, int depth) {
  if (depth > HV_JSON_MAX_DEPTH)
    return 0;
  if (json_is_object(v)) {
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x) if (!depth_ok(x, depth + 1)) return 0;
  } else if (json_is_array(v)) {
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x) if (!depth_ok(x, depth + 1)) return 0;
  }
  return 1;
}

json_t *hv_json_parse_object(const char *body, size_t len, struct hv_jerr *e) {
  json_error_t je;
  if (!body || len == 0) {
    seterr(e, "invalid_json", NULL, "The request body must be a JSON object.");
    return NULL;
  }
  if (memchr(body, '\0', len)) {
    seterr(e, "invalid_json", NULL, "The request body contains a NUL byte.");
    return NULL;
  }
  json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
  if (!v) {
    char msg[192];
    snprintf(msg, sizeof msg, "The request body is not valid JSON (line %d, column %d): %.100s",
             je.line, je.column, je.text);
    seterr(e, "invalid_json", NULL, msg);
    return NULL;
  }
  if (!json_is_object(v)) {
    json_decref(v);
    seterr(e, "invalid_json", NULL, "The request body must be a JSON object.");
    return NULL;
  }
  if (!depth_ok(v, 0)) {
    json_decref(v);
    seterr(e, "invalid_json", NULL, "The request body is nested too deeply.");
    return NULL;
  }
  return v;
}

static size_t codepoints(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xc0) != 0x80)
      c++;
  return c;
}

bool hv_date_valid(const char *s) {
  static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

static const struct hv_jfield *spec_find(const struct hv_jfield *spec, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(spec[i].name, k) == 0)
      return &spec[i];
  return NULL;
}

int hv_json_unpack(const json_t *obj, const struct hv_jfield *spec, size_t n, void *out,
                   struct hv_jerr *e) {
  char msg[192];
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    if (!spec_find(spec, n, key)) {
      snprintf(msg, sizeof msg, "Unknown field '%.60s'.", key);
      seterr(e, "unknown_field", key, msg);
      return -1;
    }
  }
  for (size_t i = 0; i < n; i++) {
    const struct hv_jfield *f = &spec[i];
    const json_t *v = json_object_get(obj, f->name);
    char *dst = (char *)out + f->off;
    if (!v || json_is_null(v)) {
      if (f->required) {
        snprintf(msg, sizeof msg, "The field '%s' is required.", f->name);
        seterr(e, "missing_field", f->name, msg);
        return -1;
      }
      continue;
    }
    switch (f->type) {
    case HV_J_STRING:
    case HV_J_DATE:
    case HV_J_ENUM: {
      if (!json_is_string(v))
        goto wrong_type;
      const char *s = json_string_value(v);
      size_t len = json_string_length(v);
      if (!hv_utf8_valid(s, len)) {
        snprintf(msg, sizeof msg, "The field '%s' is not valid UTF-8 text.", f->name);
        seterr(e, "invalid_value", f->name, msg);
        return -1;
      }
      if (f->type == HV_J_DATE) {
        if (!hv_date_valid(s)) {
          snprintf(msg, sizeof msg, "The field '%s' must be a date written YYYY-MM-DD.", f->name);
          seterr(e, "invalid_value", f->name, msg);
          return -1;
        }
        memcpy(dst, &s, sizeof s);
      } else if (f->type == HV_J_ENUM) {
        int idx = -1;
        for (int j = 0; f->choices[j]; j++)
          if (strcmp(f->choices[j], s) == 0)
            idx = j;
        if (idx < 0) {
          snprintf(msg, sizeof msg, "The field '%s' has a value that is not allowed.", f->name);
          seterr(e, "invalid_value", f->name, msg);
          return -1;
        }
        memcpy(dst, &idx, sizeof idx);
      } else {
        size_t cp = codepoints(s, len);
        if (cp < f->min || cp > f->max) {
          snprintf(msg, sizeof msg, "The field '%s' must be %zu to %zu characters long.", f->name,
                   f->min, f->max);
          seterr(e, "invalid_length", f->name, msg);
          return -1;
        }
        memcpy(dst, &s, sizeof s);
      }
      break;
    }
    case HV_J_INT: {
      if (!json_is_integer(v))
        goto wrong_type;
      int64_t x = (int64_t)json_integer_value(v);
      if (x < f->imin || x > f->imax) {
        snprintf(msg, sizeof msg, "The field '%s' must be from %lld to %lld.", f->name,
                 (long long)f->imin, (long long)f->imax);
        seterr(e, "out_of_range", f->name, msg);
        return -1;
      }
      memcpy(dst, &x, sizeof x);
      break;
    }
    case HV_J_ARRAY: {
      if (!json_is_array(v))
        goto wrong_type;
      if (json_array_size(v) < f->min || json_array_size(v) > f->max) {
        snprintf(msg, sizeof msg, "The field '%s' must have %zu to %zu items.", f->name, f->min,
                 f->max);
        seterr(e, "invalid_length", f->name, msg);
        return -1;
      }
      memcpy(dst, &v, sizeof v);
      break;
    }
    case HV_J_BOOL: {
      if (!json_is_boolean(v))
        goto wrong_type;
      bool b = json_is_true(v);
      memcpy(dst, &b, sizeof b);
      break;
    }
    case HV_J_TYPE_MAX:
      break;
    }
    continue;
  wrong_type:
    snprintf(msg, sizeof msg, "The field '%s' has the wrong type.", f->name);
    seterr(e, "wrong_type", f->name, msg);
    return -1;
  }
  return 0;
}

char *hv_json_dump(const json_t *v, size_t *len) {
  char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (s && len)
    *len = strlen(s);
  return s;
}
