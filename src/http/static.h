/* Static assets: read once at start from the assets folder, served from
 * memory under /static/<bundle hash>/<path> with an ETag, a one-year
 * immutable cache lifetime and a gzip form made at start for text types.
 * The hash covers every file, so any change moves every URL, and the
 * relative url() references inside the USWDS stylesheet keep working. */
#ifndef HV_STATIC_H
#define HV_STATIC_H

#include <stddef.h>

#include "http/http.h"

#define HV_ASSETS_MAX 4096
#define HV_ASSET_MAX_SIZE (8u << 20)

struct hv_asset {
  char *path; /* relative, e.g. "uswds/css/uswds.min.css" */
  unsigned char *data;
  size_t len;
  unsigned char *gz; /* NULL when not worth compressing */
  size_t gzlen;
  const char *ctype;
  char etag[24]; /* "\"<16 hex>\"" */
  int fd, gz_fd; /* memfd copies for sendfile (big assets), or -1 */
};

/* Assets this big or bigger are sent with sendfile from an in-memory file
 * rather than copied through a buffer on every request. */
#define HV_ASSET_SENDFILE_MIN 16384

struct hv_assets {
  struct hv_asset *items; /* sorted by path */
  size_t n;
  char prefix[40]; /* "/static/<12 hex>" */
};

/* Loads every regular file under `dir` (hidden files skipped). Returns 0,
 * or -1 with a message. The result is freed with hv_assets_free. */
int hv_assets_load(const char *dir, struct hv_assets **out, char *err, size_t errlen);
void hv_assets_free(struct hv_assets *a);

/* Finds an asset by relative path; NULL when absent. */
const struct hv_asset *hv_assets_find(const struct hv_assets *a, const char *path);

/* Answers GET /static/{hash}/{path}: 404 for an unknown hash or path, 304
 * on a matching If-None-Match, otherwise the bytes (gzip when accepted),
 * without copying them. */
void hv_static_serve(struct hv_request *rq, const struct hv_assets *a, const char *hash,
                     const char *path);

/* gzip-compresses `n` bytes; returns a malloc'd buffer (caller frees) or
 * NULL on failure. */
unsigned char *hv_gzip(const void *data, size_t n, size_t *outlen);

#endif
