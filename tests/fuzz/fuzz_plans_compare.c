/* Fuzz target for the comparison of two submitted plan versions
 * (src/modules/plans/model.c, hv_plan_compare), which reads snapshots kept
 * as JSON text in the database. The input is split at the first newline
 * into two JSON documents. Invariants: the answer is an array with one
 * entry per requirement id; a version compared with itself changes
 * nothing; "changed" is true exactly when "changes" is not empty. A broken
 * promise abort()s. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/plans/plans.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const json_t *d, bool same) {
  size_t i;
  const json_t *x;
  if (!json_is_array(d))
    abort();
  json_array_foreach(d, i, x) {
    bool changed = json_is_true(json_object_get(x, "changed"));
    if (changed != (json_array_size(json_object_get(x, "changes")) > 0))
      abort();
    if (same && changed)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16)
    return 0;
  const uint8_t *nl = memchr(data, '\n', size);
  size_t n1 = nl ? (size_t)(nl - data) : size;
  json_error_t e;
  json_t *a = json_loadb((const char *)data, n1, JSON_DECODE_ANY, &e);
  json_t *b = nl ? json_loadb((const char *)nl + 1, size - n1 - 1, JSON_DECODE_ANY, &e) : NULL;
  json_t *d = hv_plan_compare(a, b);
  check(d, false);
  json_decref(d);
  d = hv_plan_compare(b, a);
  check(d, false);
  json_decref(d);
  d = hv_plan_compare(a, a);
  check(d, true);
  json_decref(d);
  json_decref(a);
  json_decref(b);
  return 0;
}
