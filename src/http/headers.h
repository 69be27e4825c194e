/* Parsers for the request headers Haven reads: Cookie, Accept-Encoding and
 * If-None-Match. Small, bounded, allocation-free, and fuzzed. */
#ifndef HV_HEADERS_H
#define HV_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

/* Finds cookie `name` in a Cookie header ("a=1; b=2") and copies its value
 * (quotes removed) into `out`. Returns the value's length, -1 when absent,
 * -2 when it does not fit in `cap` (with room for the NUL). */
int hv_cookie_get(const char *header, const char *name, char *out, size_t cap);

/* True when Accept-Encoding allows gzip (not "gzip;q=0"; "*" counts). */
bool hv_accepts_gzip(const char *accept_encoding);

/* True when If-None-Match ("*", or a list of possibly weak tags) matches
 * `etag` (a strong tag, with its quotes). */
bool hv_etag_match(const char *if_none_match, const char *etag);

#endif
