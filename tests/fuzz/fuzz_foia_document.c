/* Fuzz target for what staff type about a FOIA document received
 * (src/modules/foia/documents.c) and the reminder offsets list
 * (hv_reminder_days_parse in core/config.c). The input is a form body: it
 * is parsed as the page form is, then checked as a document received on
 * 2026-02-10's request, "today" 2026-03-01. Invariants: a document that
 * passes has its withheld pages within its pages, every exemption row
 * known, unique and within the document's counts, and its release summary
 * adds up; a reminder list that parses is distinct numbers from 0 to 60,
 * largest first. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/config.h"
#include "http/form.h"
#include "modules/foia/documents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "foia document invariant broken: %s\n", what);
  abort();
}

static const char *get(void *cls, const char *name) { return hv_form_get(cls, name); }

static void document(const struct hv_form *f) {
  struct hv_foia_document_in d;
  struct hv_foia_problem p;
  hv_day submitted, today;
  hv_day_parse("2026-02-10", &submitted);
  hv_day_parse("2026-03-01", &today);
  if (hv_foia_document_from_form(get, (void *)f, &d, &p) != 0) {
    if (!p.field || !p.message[0])
      fail("a form problem without a field or a message");
    return;
  }
  if (d.n_ex > HV_FOIA_FORM_EXEMPTION_ROWS)
    fail("more rows than the form has");
  if (hv_foia_document_check(&d, submitted, today, &p) != 0) {
    if (!p.field || !p.message[0] || p.row >= (int)d.n_ex)
      fail("a problem without a field, a message or a real row");
    return;
  }
  if (d.pages < 0 || d.withheld_in_full < 0 || d.withheld_in_part < 0 ||
      d.withheld_in_full + d.withheld_in_part > d.pages)
    fail("withheld pages outside the document's");
  json_t *ex = json_array();
  for (size_t i = 0; i < d.n_ex; i++) {
    if (hv_foia_exemption_find(d.ex[i].code) < 0)
      fail("an unknown exemption passed");
    for (size_t k = 0; k < i; k++)
      if (!strcmp(d.ex[i].code, d.ex[k].code))
        fail("an exemption cited twice passed");
    if (d.ex[i].withheld_in_full < 0 || d.ex[i].withheld_in_full > d.withheld_in_full ||
        d.ex[i].withheld_in_part < 0 || d.ex[i].withheld_in_part > d.withheld_in_part)
      fail("a row outside the document's counts");
    json_array_append_new(ex, json_pack("{s:s, s:I, s:I}", "code", d.ex[i].code, "withheld_in_full",
                                        (json_int_t)d.ex[i].withheld_in_full, "withheld_in_part",
                                        (json_int_t)d.ex[i].withheld_in_part));
  }
  json_t *docs = json_pack("[{s:I, s:I, s:I, s:o}]", "pages", (json_int_t)d.pages,
                           "withheld_in_full", (json_int_t)d.withheld_in_full, "withheld_in_part",
                           (json_int_t)d.withheld_in_part, "exemptions", ex);
  json_t *s = hv_foia_release_summary(docs);
  json_int_t got = json_integer_value(json_object_get(s, "released_in_full")) +
                   json_integer_value(json_object_get(s, "released_in_part")) +
                   json_integer_value(json_object_get(s, "withheld_in_full"));
  if (got != d.pages || json_integer_value(json_object_get(s, "released_in_full")) < 0)
    fail("the summary does not add up to the pages");
  if (json_array_size(json_object_get(s, "exemptions")) != d.n_ex)
    fail("the summary lost or invented an exemption");
  json_decref(s);
  json_decref(docs);
}

static void reminder_list(const uint8_t *data, size_t size) {
  char s[128];
  int days[HV_REMINDER_DAYS_MAX];
  if (size >= sizeof s)
    return;
  memcpy(s, data, size);
  s[size] = '\0';
  int n = hv_reminder_days_parse(s, days);
  if (n > HV_REMINDER_DAYS_MAX)
    fail("more offsets than the maximum");
  for (int i = 0; i < n; i++) {
    if (days[i] < 0 || days[i] > 60)
      fail("an offset outside 0 to 60");
    if (i > 0 && days[i] >= days[i - 1])
      fail("offsets not distinct and largest first");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reminder_list(data, size);
  struct hv_arena *a = hv_arena_new(8u << 20);
  if (!a)
    return 0;
  struct hv_form f;
  if (hv_form_parse(a, (const char *)data, size, &hv_form_default_limits, &f) == HV_FORM_OK)
    document(&f);
  hv_arena_free(a);
  return 0;
}
