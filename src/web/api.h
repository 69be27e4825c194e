/* Helpers for handlers: read a JSON body against a declared spec, read a
 * form, answer a store failure. Each replies itself on failure, so a
 * handler just returns. */
#ifndef HV_API_H
#define HV_API_H

#include "core/json.h"
#include "http/form.h"
#include "http/http.h"
#include "store/store.h"

/* Parses the body as a JSON object (Content-Type application/json, else
 * 415) and unpacks it by `spec` into `out`. Returns the parsed object
 * (caller decrefs; strings in `out` borrow from it), or NULL after
 * replying 400/415 with the offending field. */
json_t *hv_api_body(struct hv_request *rq, const struct hv_jfield *spec, size_t n, void *out);

/* Parses an x-www-form-urlencoded body into `f` (arena). Returns 0, or -1
 * after replying 400/415. */
int hv_form_body(struct hv_request *rq, struct hv_form *f);

/* Replies to a failed store call: 409 for a conflict, 503 otherwise. */
void hv_reply_store_error(struct hv_request *rq, enum hv_qs qs);

/* Percent-encodes `s` for a query string value, in the arena. */
char *hv_url_encode(struct hv_arena *a, const char *s);

#endif
