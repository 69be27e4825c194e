/* Fuzz target for the contractors' CSV checker (hv_contracts_csv_check,
 * src/modules/contractors/csv.c, over src/core/csvtable.c). The first byte
 * picks the file (byte % 2: contractors or contracts), the rest is the CSV.
 * Pure: no store.
 *
 * Checked: the result is 0 or 1 (or -1, out of memory); a refusal returns
 * no rows and lists at least one error with a row >= 0 and a message; an
 * accepted file gives one row object a line with a unique key (vendor id or
 * contract number), and for contracts real dates with the end not before
 * the start, and no on-site personnel off City property; checking the same
 * bytes again gives the same answer. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/contractors/contractors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "contracts import invariant broken: %s\n", what);
  abort();
}

static void check_rows(enum hv_contracts_import_kind k, json_t *rows) {
  const char *key = k == HV_CIMPORT_CONTRACTORS ? "vendor_id" : "number";
  size_t i;
  json_t *r;
  if (!json_array_size(rows))
    fail("accepted without rows");
  json_array_foreach(rows, i, r) {
    const char *id = json_string_value(json_object_get(r, key));
    if (!id || !*id)
      fail("a row without its key");
    for (size_t j = 0; j < i; j++)
      if (!strcmp(json_string_value(json_object_get(json_array_get(rows, j), key)), id))
        fail("two rows with one key");
    if (k == HV_CIMPORT_CONTRACTORS) {
      if (!json_string_length(json_object_get(r, "name")))
        fail("a contractor without a name");
      continue;
    }
    const char *s = json_string_value(json_object_get(r, "starts_on"));
    const char *e = json_string_value(json_object_get(r, "ends_on"));
    if (!hv_contracts_date_ok(s) || !hv_contracts_date_ok(e) || strcmp(e, s) < 0)
      fail("contract dates accepted that are not real or end before the start");
    json_int_t n = json_integer_value(json_object_get(r, "onsite_personnel"));
    if (n < 0 || (!json_is_true(json_object_get(r, "on_city_property")) && n != 0))
      fail("on-site personnel accepted off City property or below zero");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  enum hv_contracts_import_kind k = data[0] % 2 ? HV_CIMPORT_CONTRACTS : HV_CIMPORT_CONTRACTORS;
  size_t len = size - 1;
  char *csv = malloc(len ? len : 1); /* exact size: ASan sees any read past the end */
  if (!csv)
    return 0;
  memcpy(csv, data + 1, len);
  json_t *errors = json_array(), *rows = NULL;
  int rc = hv_contracts_csv_check(k, csv, len, &rows, errors);
  if (rc == -1)
    goto out;
  if (rc != 0 && rc != 1)
    fail("a result other than 0, 1 or -1");
  if (rc == 1) {
    size_t i;
    json_t *e;
    if (rows)
      fail("refused with rows");
    if (!json_array_size(errors))
      fail("refused without an error");
    json_array_foreach(errors, i, e) {
      if (json_integer_value(json_object_get(e, "row")) < 0)
        fail("an error without a row >= 0");
      if (!json_string_length(json_object_get(e, "message")))
        fail("an error without a message");
    }
  } else {
    if (json_array_size(errors))
      fail("accepted with errors listed");
    check_rows(k, rows);
  }
  json_t *errors2 = json_array(), *rows2 = NULL;
  int rc2 = hv_contracts_csv_check(k, csv, len, &rows2, errors2);
  if (rc2 != -1 &&
      (rc2 != rc || !json_equal(errors, errors2) || (rc == 0 && !json_equal(rows, rows2))))
    fail("checking the same file twice gives different answers");
  json_decref(errors2);
  json_decref(rows2);
out:
  json_decref(errors);
  json_decref(rows);
  free(csv);
  return 0;
}
