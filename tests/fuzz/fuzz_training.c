/* Fuzz target for the training files' reader (hv_training_roster_read and
 * hv_training_completions_read, src/modules/training/model.c, over
 * src/core/csvtable.c). The first byte picks the file (byte % 2: roster or
 * completions), the rest is the CSV. Pure: no store.
 *
 * Checked: the result is 0, 1 or -1; a refusal counts at least one problem
 * and lists at most HV_TRAINING_MAX_ERRORS, each with a row >= 1, a message
 * and a column that is a string or null; an accepted file gives one record
 * a row under the header, each with an employee number of 1 to 32 letters,
 * digits and '-', and (roster) a department and a unit, numbers unique,
 * or (completions) a valid course code and a date that reads back to the
 * same text and is not after the given today; reading the same bytes again
 * gives the same answer. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/training/training.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "training invariant broken: %s\n", what);
  abort();
}

static void check_number(const char *n) {
  size_t len = n ? strlen(n) : 0;
  if (len == 0 || len > 32 ||
      strspn(n, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != len)
    fail("an employee number outside its alphabet");
}

static void check_problems(const struct hv_training_problems *p) {
  size_t i;
  json_t *e;
  if (p->count == 0 || json_array_size(p->list) == 0)
    fail("refused without a problem");
  if (json_array_size(p->list) > HV_TRAINING_MAX_ERRORS || json_array_size(p->list) > p->count)
    fail("more problems listed than allowed or counted");
  json_array_foreach(p->list, i, e) {
    json_t *col = json_object_get(e, "column");
    if (json_integer_value(json_object_get(e, "row")) < 1)
      fail("a problem without a row >= 1");
    if (!json_string_length(json_object_get(e, "message")))
      fail("a problem without a message");
    if (!json_is_string(col) && !json_is_null(col))
      fail("a problem column that is neither a string nor null");
  }
}

/* 0, 1 or -1 and a fingerprint of what was read. */
static int read_once(int roster, const char *csv, size_t len, int32_t today, json_t **out) {
  struct hv_training_problems p = {json_array(), 0};
  json_t *rows = json_array();
  int rc;
  if (roster) {
    struct hv_training_roster r;
    rc = hv_training_roster_read(csv, len, &r, &p);
    if (rc == 0) {
      if (r.n + 1 != r.t.rows)
        fail("an accepted roster lost a row");
      for (size_t i = 0; i < r.n; i++) {
        check_number(r.rows[i].number);
        if (!*r.rows[i].department || !*r.rows[i].unit)
          fail("a roster row without a department or unit");
        if (i > 0 && strcmp(r.rows[i - 1].number, r.rows[i].number) >= 0)
          fail("employee numbers not unique (or not sorted)");
        json_array_append_new(rows,
                              json_pack("[s, s, s, s, b]", r.rows[i].number, r.rows[i].name,
                                        r.rows[i].department, r.rows[i].unit, r.rows[i].active));
      }
    }
    hv_training_roster_free(&r);
  } else {
    struct hv_training_completions c;
    rc = hv_training_completions_read(csv, len, today, &c, &p);
    if (rc == 0) {
      if (c.n + 1 != c.t.rows)
        fail("accepted completions lost a row");
      for (size_t i = 0; i < c.n; i++) {
        char back[11];
        check_number(c.rows[i].number);
        if (hv_training_code_check(c.rows[i].course))
          fail("a course code outside its alphabet");
        if (c.rows[i].day < 0 || c.rows[i].day > today)
          fail("a date out of range");
        hv_training_date(c.rows[i].day, back);
        if (strcmp(back, c.rows[i].completed_on) != 0)
          fail("a date that does not read back");
        json_array_append_new(
            rows, json_pack("[s, s, i]", c.rows[i].number, c.rows[i].course, (int)c.rows[i].day));
      }
    }
    hv_training_completions_free(&c);
  }
  if (rc != 0 && rc != 1 && rc != -1)
    fail("a result other than 0, 1 or -1");
  if (rc == 1)
    check_problems(&p);
  if (rc == 0 && p.count)
    fail("accepted with problems");
  *out = json_pack("{s:i, s:o, s:o}", "rc", rc, "rows", rows, "problems", p.list);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  int roster = data[0] % 2 == 0;
  size_t len = size - 1;
  char *csv = malloc(len ? len : 1); /* exact size: ASan sees any read past the end */
  if (!csv)
    return 0;
  memcpy(csv, data + 1, len);
  int32_t today = hv_training_day("2026-11-26");
  json_t *a = NULL, *b = NULL;
  int rc = read_once(roster, csv, len, today, &a);
  int rc2 = read_once(roster, csv, len, today, &b);
  if (rc != -1 && rc2 != -1 && !json_equal(a, b))
    fail("reading the same file twice gives different answers");
  json_decref(a);
  json_decref(b);
  free(csv);
  return 0;
}
