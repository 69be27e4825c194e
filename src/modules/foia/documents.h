/* FOIA documents received: what staff type about a released file (the day
 * it came, its pages, the pages withheld in full and in part, the event it
 * came with, the exemptions cited with their pages), checked by one pure
 * function for the API and the page form alike; the form's flat fields
 * parsed into the same struct; and the release summary of a request
 * (pages received, released in full and in part, withheld in full, each
 * exemption's pages and citations). No I/O here: docstore.c holds the SQL,
 * documents_http.c the handlers. */
#ifndef HV_FOIA_DOCUMENTS_H
#define HV_FOIA_DOCUMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/foia/calendar.h"
#include "modules/foia/model.h"

/* The most exemption rows one document holds, the blank rows the page
 * form offers, the most pages one document may count, the most documents
 * one request holds. */
#define HV_FOIA_DOC_EXEMPTIONS_MAX HV_FOIA_EXEMPTIONS_N
#define HV_FOIA_FORM_EXEMPTION_ROWS 4
#define HV_FOIA_PAGES_MAX 1000000
#define HV_FOIA_DOCUMENTS_MAX 500

/* Not given (a count left blank). */
#define HV_FOIA_UNSET (-1)

struct hv_foia_exemption_in {
  const char *code; /* borrowed */
  int64_t withheld_in_full, withheld_in_part;
};

/* A document as typed. Counts are HV_FOIA_UNSET when not given: `pages` is
 * required; the document's withheld counts default to the largest of its
 * exemption rows (a page withheld under two exemptions is one page). */
struct hv_foia_document_in {
  const char *received_on; /* borrowed, YYYY-MM-DD */
  int64_t pages, withheld_in_full, withheld_in_part;
  int64_t event_id; /* 0: none */
  struct hv_foia_exemption_in ex[HV_FOIA_DOC_EXEMPTIONS_MAX];
  size_t n_ex;
};

/* Where a problem is: the field ("received_on", "pages",
 * "withheld_in_full", "withheld_in_part", "event_id", "code" and the
 * exemption counts), and for an exemption its row (0-based; -1 otherwise). */
struct hv_foia_problem {
  const char *field;
  int row;
  char message[240];
};

/* Checks a document: `submitted` is the day the request was submitted (or
 * received, or HV_NO_DAY), `today` the city's date. Fills the withheld
 * defaults. Returns 0, or -1 with *p filled. */
int hv_foia_document_check(struct hv_foia_document_in *d, hv_day submitted, hv_day today,
                           struct hv_foia_problem *p);

/* A count as typed: digits only, 0 to HV_FOIA_PAGES_MAX; blank is
 * HV_FOIA_UNSET. Returns 0, or -1 when it is not such a number. */
int hv_foia_count_parse(const char *s, int64_t *out);

/* Reads the page form's fields through `get` (received_on, pages,
 * withheld_in_full, withheld_in_part, event_id, and exemption_code_N,
 * exemption_full_N, exemption_part_N for N = 1..HV_FOIA_FORM_EXEMPTION_ROWS;
 * a row with no code is skipped). Strings are borrowed from what `get`
 * returns. Returns 0, or -1 with *p naming the field that is not a number
 * (row set for exemption rows). */
typedef const char *(*hv_foia_get_fn)(void *cls, const char *name);
int hv_foia_document_from_form(hv_foia_get_fn get, void *cls, struct hv_foia_document_in *d,
                               struct hv_foia_problem *p);

/* The release summary of `documents` (the JSON array docstore.c reads:
 * each with "pages", "withheld_in_full", "withheld_in_part" and
 * "exemptions": [{"code", "withheld_in_full", "withheld_in_part"}]):
 * {"documents", "pages_received", "released_in_full", "released_in_part",
 * "withheld_in_full", "exemptions": [{"code", "description",
 * "withheld_in_full", "withheld_in_part", "times_cited"}]} in the table's
 * order (new reference). */
json_t *hv_foia_release_summary(const json_t *documents);

#endif
