/* The LAPD working group and its community consultations (issue 7):
 * members, sessions (meetings and consultations), feedback, recommendations
 * with their status machine and the guideline documents they lead to.
 *
 *   http.c    the JSON API under /api/v1/workgroup/ and the checks every
 *             path shares (input specs, redaction, raw HTML refused)
 *   pages.c   the staff pages (/workgroup...) and the public page
 *             /consultations
 *   store.c   the SQL; model.c the closed lists and the status machine */
#ifndef HV_WORKGROUP_H
#define HV_WORKGROUP_H

#include <jansson.h>

#include "http/http.h"
#include "modules/workgroup/store.h"

extern const struct hv_route hv_workgroup_routes[];
extern const size_t hv_workgroup_nroutes;
extern const struct hv_route hv_workgroup_pages[];
extern const size_t hv_workgroup_npages;

/* A refusal for people: the HTTP status, a code, a message and the field
 * it is about (NULL for the whole record). Strings are static or in the
 * request's arena. */
struct hv_wg_error {
  int status;
  const char *code, *message, *field;
};

/* What redaction did to the text of one write. */
struct hv_wg_scan {
  size_t redacted; /* identifiers replaced */
  json_t *flags;   /* [{"field", "word"}]: status words left in place (owned) */
};

/* Checks `fields` (a JSON object, borrowed and changed: free text is
 * replaced by its redacted form, a form's strings are typed) for a record
 * of `e`; `create` asks for the required fields, `current` (borrowed, may
 * be NULL) is the record being changed. 0, or -1 with *err set. */
int hv_wg_check(struct hv_request *rq, enum hv_wg_entity e, json_t *fields, bool create,
                const json_t *current, struct hv_wg_scan *scan, struct hv_wg_error *err);

/* Redacts `text` (borrowed) into the arena; counts into `scan` under
 * `field`. NULL when the text is not valid UTF-8. */
const char *hv_wg_redact(struct hv_request *rq, const char *field, const char *text,
                         struct hv_wg_scan *scan);

/* True when Markdown `md` holds raw HTML (a block or inline tag), which
 * guideline texts refuse. */
bool hv_wg_has_raw_html(const char *md);

/* The error a failed recommendation or guideline write answers. */
void hv_wg_write_error(struct hv_request *rq, enum hv_qs qs, const struct hv_wg_refusal *r,
                       int64_t current, const char *none, struct hv_wg_error *err);

/* Adds "html" (the Markdown through cmark) to each version of guideline
 * `g` (borrowed). */
void hv_wg_render_versions(json_t *g);

#endif
