/* multipart/form-data, for the few forms that upload a file (CSV imports).
 * Our own small parser, not MHD_PostProcessor: the whole body is already
 * in memory under its route's cap, parts are bounded in number, headers
 * are bounded in size, and part data is returned in place (no copy). */
#ifndef HV_MULTIPART_H
#define HV_MULTIPART_H

#include <stddef.h>

#include "core/arena.h"

#define HV_MULTIPART_MAX_PARTS 32 /* the FOIA document form has 20 */

struct hv_part {
  const char *name;     /* form field name (arena) */
  const char *filename; /* NULL when not a file (arena) */
  const char *data;     /* points into the body */
  size_t len;
};

/* Parses `body` by the boundary in `content_type`. Returns the number of
 * parts (0..max) or -1 when malformed (no boundary, a part without a
 * name, an unterminated body, too many parts). */
int hv_multipart_parse(struct hv_arena *a, const char *content_type, const char *body, size_t len,
                       struct hv_part *parts, size_t max);

/* The first part named `name`, or NULL. */
const struct hv_part *hv_multipart_get(const struct hv_part *parts, int n, const char *name);

#endif
