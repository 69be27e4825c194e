/* FOIA documents: the checks, the form's fields and the release summary
 * (see documents.h). Pure. */
#include "modules/foia/documents.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modules/foia/deadline.h"

static int problem(struct hv_foia_problem *p, const char *field, int row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int problem(struct hv_foia_problem *p, const char *field, int row, const char *fmt, ...) {
  va_list ap;
  p->field = field;
  p->row = row;
  va_start(ap, fmt);
  vsnprintf(p->message, sizeof p->message, fmt, ap);
  va_end(ap);
  return -1;
}

int hv_foia_count_parse(const char *s, int64_t *out) {
  *out = HV_FOIA_UNSET;
  if (!s || !*s)
    return 0;
  int64_t n = 0;
  for (const char *c = s; *c; c++) {
    if (*c < '0' || *c > '9' || c - s >= 7)
      return -1;
    n = n * 10 + (*c - '0');
  }
  if (n > HV_FOIA_PAGES_MAX)
    return -1;
  *out = n;
  return 0;
}

int hv_foia_document_check(struct hv_foia_document_in *d, hv_day submitted, hv_day today,
                           struct hv_foia_problem *p) {
  hv_day on;
  char s[11];
  if (!d->received_on || hv_day_parse(d->received_on, &on) != 0)
    return problem(p, "received_on", -1, "Enter the day the document was received, as YYYY-MM-DD.");
  if (on > today)
    return problem(p, "received_on", -1,
                   "The date is in the future: record a document once it has been received.");
  if (submitted != HV_NO_DAY && on < submitted) {
    hv_day_format(submitted, s);
    return problem(p, "received_on", -1,
                   "The document cannot have been received before the request was submitted "
                   "(%s).",
                   s);
  }
  if (d->pages == HV_FOIA_UNSET)
    return problem(p, "pages", -1, "Enter the number of pages received (0 or more).");
  if (d->pages < 0 || d->pages > HV_FOIA_PAGES_MAX)
    return problem(p, "pages", -1, "The number of pages is 0 to %d.", HV_FOIA_PAGES_MAX);
  int64_t max_full = 0, max_part = 0;
  for (size_t i = 0; i < d->n_ex; i++) {
    const struct hv_foia_exemption_in *e = &d->ex[i];
    if (hv_foia_exemption_find(e->code) < 0)
      return problem(p, "code", (int)i,
                     "\"%.40s\" is not a FOIA exemption: use (b)(1) to (b)(9) or (b)(7)(A) to "
                     "(b)(7)(F), written as the agency cites it.",
                     e->code ? e->code : "");
    for (size_t k = 0; k < i; k++)
      if (strcmp(d->ex[k].code, e->code) == 0)
        return problem(p, "code", (int)i, "%s is cited twice: give it one row with its pages.",
                       e->code);
    int64_t full = e->withheld_in_full == HV_FOIA_UNSET ? 0 : e->withheld_in_full;
    int64_t part = e->withheld_in_part == HV_FOIA_UNSET ? 0 : e->withheld_in_part;
    if (full < 0 || part < 0)
      return problem(p, full < 0 ? "withheld_in_full" : "withheld_in_part", (int)i,
                     "Pages withheld are 0 or more.");
    if (full + part > d->pages)
      return problem(p, full > d->pages ? "withheld_in_full" : "withheld_in_part", (int)i,
                     "%s is cited on %lld pages, more than the document's %lld.", e->code,
                     (long long)(full + part), (long long)d->pages);
    max_full = full > max_full ? full : max_full;
    max_part = part > max_part ? part : max_part;
  }
  if (d->withheld_in_full == HV_FOIA_UNSET)
    d->withheld_in_full = max_full;
  if (d->withheld_in_part == HV_FOIA_UNSET)
    d->withheld_in_part = max_part;
  if (d->withheld_in_full < 0 || d->withheld_in_part < 0)
    return problem(p, d->withheld_in_full < 0 ? "withheld_in_full" : "withheld_in_part", -1,
                   "Pages withheld are 0 or more.");
  if (d->withheld_in_full + d->withheld_in_part > d->pages)
    return problem(p, d->withheld_in_full > d->pages ? "withheld_in_full" : "withheld_in_part", -1,
                   "Pages withheld in full (%lld) and in part (%lld) are more than the document's "
                   "%lld pages.",
                   (long long)d->withheld_in_full, (long long)d->withheld_in_part,
                   (long long)d->pages);
  for (size_t i = 0; i < d->n_ex; i++) {
    if (d->ex[i].withheld_in_full > d->withheld_in_full)
      return problem(p, "withheld_in_full", (int)i,
                     "%s is cited on %lld pages withheld in full, but the document has %lld "
                     "withheld in full.",
                     d->ex[i].code, (long long)d->ex[i].withheld_in_full,
                     (long long)d->withheld_in_full);
    if (d->ex[i].withheld_in_part > d->withheld_in_part)
      return problem(p, "withheld_in_part", (int)i,
                     "%s is cited on %lld pages withheld in part, but the document has %lld "
                     "withheld in part.",
                     d->ex[i].code, (long long)d->ex[i].withheld_in_part,
                     (long long)d->withheld_in_part);
    if (d->ex[i].withheld_in_full == HV_FOIA_UNSET)
      d->ex[i].withheld_in_full = 0;
    if (d->ex[i].withheld_in_part == HV_FOIA_UNSET)
      d->ex[i].withheld_in_part = 0;
  }
  if (d->event_id < 0)
    return problem(p, "event_id", -1, "Choose the event the document came with, or none.");
  return 0;
}

int hv_foia_document_from_form(hv_foia_get_fn get, void *cls, struct hv_foia_document_in *d,
                               struct hv_foia_problem *p) {
  static const char *const counts[] = {"pages", "withheld_in_full", "withheld_in_part"};
  int64_t *dst[] = {&d->pages, &d->withheld_in_full, &d->withheld_in_part};
  memset(d, 0, sizeof *d);
  d->received_on = get(cls, "received_on");
  for (int i = 0; i < 3; i++)
    if (hv_foia_count_parse(get(cls, counts[i]), dst[i]))
      return problem(p, counts[i], -1, "Enter a whole number of pages, 0 to %d.",
                     HV_FOIA_PAGES_MAX);
  const char *ev = get(cls, "event_id");
  int64_t eid;
  if (hv_foia_count_parse(ev, &eid))
    return problem(p, "event_id", -1, "Choose the event the document came with, or none.");
  d->event_id = eid == HV_FOIA_UNSET ? 0 : eid;
  for (int r = 1; r <= HV_FOIA_FORM_EXEMPTION_ROWS; r++) {
    char name[32];
    snprintf(name, sizeof name, "exemption_code_%d", r);
    const char *code = get(cls, name);
    if (!code || !*code)
      continue;
    struct hv_foia_exemption_in *e = &d->ex[d->n_ex];
    e->code = code;
    snprintf(name, sizeof name, "exemption_full_%d", r);
    if (hv_foia_count_parse(get(cls, name), &e->withheld_in_full))
      return problem(p, "withheld_in_full", (int)d->n_ex, "Enter a whole number of pages.");
    snprintf(name, sizeof name, "exemption_part_%d", r);
    if (hv_foia_count_parse(get(cls, name), &e->withheld_in_part))
      return problem(p, "withheld_in_part", (int)d->n_ex, "Enter a whole number of pages.");
    d->n_ex++;
  }
  return 0;
}

static int64_t num(const json_t *o, const char *k) {
  return json_integer_value(json_object_get(o, k));
}

json_t *hv_foia_release_summary(const json_t *documents) {
  int64_t pages = 0, full = 0, part = 0;
  int64_t ex_full[HV_FOIA_EXEMPTIONS_N] = {0}, ex_part[HV_FOIA_EXEMPTIONS_N] = {0};
  int64_t cited[HV_FOIA_EXEMPTIONS_N] = {0};
  size_t i, k;
  json_t *d, *e;
  json_array_foreach(documents, i, d) {
    pages += num(d, "pages");
    full += num(d, "withheld_in_full");
    part += num(d, "withheld_in_part");
    json_array_foreach(json_object_get(d, "exemptions"), k, e) {
      int x = hv_foia_exemption_find(json_string_value(json_object_get(e, "code")));
      if (x < 0)
        continue;
      ex_full[x] += num(e, "withheld_in_full");
      ex_part[x] += num(e, "withheld_in_part");
      cited[x]++;
    }
  }
  json_t *by = json_array();
  for (int x = 0; x < HV_FOIA_EXEMPTIONS_N; x++)
    if (cited[x])
      json_array_append_new(
          by, json_pack("{s:s, s:s, s:I, s:I, s:I}", "code", hv_foia_exemptions[x].code,
                        "description", hv_foia_exemptions[x].description, "withheld_in_full",
                        (json_int_t)ex_full[x], "withheld_in_part", (json_int_t)ex_part[x],
                        "times_cited", (json_int_t)cited[x]));
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "documents",
                   (json_int_t)json_array_size(documents), "pages_received", (json_int_t)pages,
                   "released_in_full", (json_int_t)(pages - full - part), "released_in_part",
                   (json_int_t)part, "withheld_in_full", (json_int_t)full, "exemptions", by);
}
