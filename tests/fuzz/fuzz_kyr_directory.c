/* Fuzz target for the help directories' CSV checker (hv_kyr_dir_check,
 * src/modules/kyr/dirmodel.c, over src/core/csvtable.c). The first byte
 * picks the directory (byte % 2: legal service providers or City
 * programs), the rest is the CSV file. Pure: no store.
 *
 * Checked: the result is 0 or 1; a refusal returns no entries and lists at
 * least one error, each with a row >= 0, a message and a column that is a
 * string or null (a problem of the whole file); an accepted file returns one entry a row, each with
 * a unique id of lower-case letters, digits and hyphens, a non-empty name, languages among the
 * known tags and, for legal providers, services from the closed set, a cost of free or low-cost, a
 * valid last_verified date not after today, and an expiry date exactly when there are accredited
 * representatives; checking the same bytes again gives the same answer
 * (the importer's idempotency rests on it). A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/kyr/directory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tags[] = {"en", "es", "ko", "zh-Hant", "zh-Hans", "hy", "tl",
                                   "fa", "ru", "vi", "ja",      "th",      "km", "hi",
                                   "pa", "ur", "am", "he",      "uk",      "ar"};
static const struct hv_kyr_dir_known known = {tags, sizeof tags / sizeof tags[0], "2026-11-26"};

static void fail(const char *what) {
  fprintf(stderr, "kyr directory invariant broken: %s\n", what);
  abort();
}

static bool in(const char *v, const char *const *set, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    if (set[i] && strcmp(v, set[i]) == 0)
      return true;
  return false;
}

static void check_entries(enum hv_kyr_dir d, json_t *entries) {
  size_t i, j;
  json_t *e, *v;
  if (!json_is_array(entries) || json_array_size(entries) == 0)
    fail("accepted without entries");
  json_array_foreach(entries, i, e) {
    const char *id = json_string_value(json_object_get(e, "id"));
    const char *name = json_string_value(json_object_get(e, "name"));
    if (!id || !*id || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id) ||
        id[0] == '-')
      fail("an id outside its alphabet");
    if (!name || !*name)
      fail("an entry without a name");
    for (size_t k = 0; k < i; k++)
      if (strcmp(json_string_value(json_object_get(json_array_get(entries, k), "id")), id) == 0)
        fail("two entries with one id");
    json_t *langs = json_object_get(e, "languages");
    if (!json_array_size(langs))
      fail("an entry without languages");
    json_array_foreach(langs, j, v) if (!in(json_string_value(v), tags, known.nlangs))
        fail("an unknown language tag");
    if (d != HV_KYR_DIR_LEGAL)
      continue;
    json_t *services = json_object_get(e, "services");
    if (!json_array_size(services))
      fail("a provider without services");
    json_array_foreach(services, j, v) if (!hv_kyr_service_ok(json_string_value(v)))
        fail("a service outside the set");
    const char *cost = json_string_value(json_object_get(e, "cost"));
    if (!cost || (strcmp(cost, "free") != 0 && strcmp(cost, "low-cost") != 0))
      fail("a cost that is neither free nor low-cost");
    const char *verified = json_string_value(json_object_get(e, "last_verified"));
    if (!hv_kyr_date_ok(verified) || strcmp(verified, known.today) > 0)
      fail("a bad last_verified date");
    json_int_t reps = json_integer_value(json_object_get(e, "accredited_reps"));
    const char *expires = json_string_value(json_object_get(e, "accreditation_expires"));
    if (reps < 0 || reps > 500 || (reps > 0) != (expires != NULL) ||
        (expires && !hv_kyr_date_ok(expires)))
      fail("accredited representatives and their expiry disagree");
    if (reps > 0 && !json_is_true(json_object_get(e, "doj_recognized")))
      fail("accredited representatives without DOJ recognition");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  enum hv_kyr_dir d = data[0] % 2 ? HV_KYR_DIR_PROGRAMS : HV_KYR_DIR_LEGAL;
  size_t len = size - 1;
  char *csv = malloc(len ? len : 1); /* exact size: ASan sees any read past the end */
  if (!csv)
    return 0;
  memcpy(csv, data + 1, len);
  json_t *errors = json_array(), *entries = NULL;
  int rc = hv_kyr_dir_check(d, csv, len, &known, &entries, errors);
  if (rc == -1)
    goto out; /* out of memory */
  if (rc != 0 && rc != 1)
    fail("a result other than 0, 1 or -1");
  if (rc == 1) {
    size_t i;
    json_t *e;
    if (entries)
      fail("refused with entries");
    if (!json_array_size(errors))
      fail("refused without an error");
    json_array_foreach(errors, i, e) {
      json_t *col = json_object_get(e, "column");
      if (!json_is_integer(json_object_get(e, "row")) ||
          json_integer_value(json_object_get(e, "row")) < 0)
        fail("an error without a row >= 0");
      if (!json_string_length(json_object_get(e, "message")))
        fail("an error without a message");
      if (col && !json_is_string(col) && !json_is_null(col)) /* null: the whole file */
        fail("an error column that is neither a string nor null");
    }
  } else {
    if (json_array_size(errors))
      fail("accepted with errors listed");
    check_entries(d, entries);
  }
  json_t *errors2 = json_array(), *entries2 = NULL;
  int rc2 = hv_kyr_dir_check(d, csv, len, &known, &entries2, errors2);
  if (rc2 != -1 &&
      (rc2 != rc || !json_equal(errors, errors2) || (rc == 0 && !json_equal(entries, entries2))))
    fail("checking the same file twice gives different answers");
  json_decref(errors2);
  json_decref(entries2);
out:
  json_decref(errors);
  json_decref(entries);
  free(csv);
  return 0;
}
