/* The router: route tables are data (struct hv_route in http.h). Patterns
 * are compiled once at start; matching walks the path's segments with no
 * allocation beyond the decoded parameters in the request's arena. */
#ifndef HV_ROUTER_H
#define HV_ROUTER_H

#include <stddef.h>

#include "http/http.h"

#define HV_ROUTES_MAX 512
#define HV_PATH_MAX_LEN 2048
#define HV_SEGMENTS_MAX 32

enum hv_match {
  HV_MATCH_OK,
  HV_MATCH_NOT_FOUND,  /* 404 */
  HV_MATCH_BAD_METHOD, /* 405, `allow` filled */
  HV_MATCH_BAD_PATH,   /* 400: bad percent-encoding, invalid UTF-8, too long */
};

struct hv_router;

/* Returns an empty router (caller frees with hv_router_free). */
struct hv_router *hv_router_new(void);
void hv_router_free(struct hv_router *r);

/* Adds a table (borrowed: it must outlive the router). Returns 0, or -1
 * with a message when a pattern is malformed or a route declares neither
 * roles nor HV_R_PUBLIC (deny by default is checked here, at start). */
int hv_router_add(struct hv_router *r, const struct hv_route *routes, size_t n, char *err,
                  size_t errlen);

/* Matches `method` and `path` (raw, percent-encoded, no query). On
 * HV_MATCH_OK sets *route, *index (0..count-1, for metrics) and the
 * parameters. HEAD matches GET routes. On HV_MATCH_BAD_METHOD writes the
 * allowed methods, comma-separated, into `allow`. */
enum hv_match hv_router_match(const struct hv_router *r, enum hv_method method, const char *path,
                              struct hv_arena *a, const struct hv_route **route, size_t *index,
                              struct hv_path_param *params, size_t *nparams, char *allow,
                              size_t allowlen);

size_t hv_router_count(const struct hv_router *r);
const struct hv_route *hv_router_at(const struct hv_router *r, size_t i);

/* Percent-decodes `n` bytes of `s` into the arena ('+' is kept as '+').
 * NULL when an escape is malformed or the result is not valid UTF-8 or
 * holds a control character. */
char *hv_path_decode(struct hv_arena *a, const char *s, size_t n);

#endif
