/* Static assets served from memory. */
#include "http/static.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "http/headers.h"

static const struct {
  const char *ext;
  const char *ctype;
  int compress;
} types[] = {
    {".css", "text/css; charset=utf-8", 1},
    {".js", "text/javascript; charset=utf-8", 1},
    {".svg", "image/svg+xml", 1},
    {".json", "application/json; charset=utf-8", 1},
    {".txt", "text/plain; charset=utf-8", 1},
    {".html", "text/html; charset=utf-8", 1},
    {".woff2", "font/woff2", 0},
    {".woff", "font/woff", 0},
    {".png", "image/png", 0},
    {".jpg", "image/jpeg", 0},
    {".gif", "image/gif", 0},
    {".ico", "image/x-icon", 0},
    {".webp", "image/webp", 0},
};

unsigned char *hv_gzip(const void *data, size_t n, size_t *outlen) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&z, (uLong)n) + 32;
  unsigned char *out = malloc(cap);
  if (!out) {
    deflateEnd(&z);
    return NULL;
  }
  z.next_in = (Bytef *)data;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *outlen = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

/* An anonymous in-memory file holding `n` bytes, for sendfile; -1 when
 * the bytes are small (copying is cheaper) or memfd is unavailable. */
static int memfd_of(const char *name, const void *data, size_t n) {
  if (n < HV_ASSET_SENDFILE_MIN)
    return -1;
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  const char *p = data;
  size_t left = n;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w <= 0) {
      close(fd);
      return -1;
    }
    p += w;
    left -= (size_t)w;
  }
  return fd;
}

struct loader {
  struct hv_asset *items;
  size_t n;
  char *err;
  size_t errlen;
};

static int add_file(struct loader *l, const char *full, const char *rel) {
  const char *dot = strrchr(rel, '.');
  const char *ctype = NULL;
  int compress = 0;
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0) {
      ctype = types[i].ctype;
      compress = types[i].compress;
    }
  if (!ctype)
    return 0; /* not a type we serve (maps, sources): skip */
  if (l->n == HV_ASSETS_MAX) {
    snprintf(l->err, l->errlen, "assets: more than %d files", HV_ASSETS_MAX);
    return -1;
  }
  FILE *f = fopen(full, "rb");
  if (!f) {
    snprintf(l->err, l->errlen, "assets: cannot open %s: %s", full, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) || st.st_size > (off_t)HV_ASSET_MAX_SIZE) {
    fclose(f);
    snprintf(l->err, l->errlen, "assets: %s is too large", full);
    return -1;
  }
  struct hv_asset *a = &l->items[l->n];
  memset(a, 0, sizeof *a);
  a->len = (size_t)st.st_size;
  a->data = malloc(a->len ? a->len : 1);
  a->path = strdup(rel);
  if (!a->data || !a->path || fread(a->data, 1, a->len, f) != a->len) {
    fclose(f);
    free(a->data);
    free(a->path);
    snprintf(l->err, l->errlen, "assets: cannot read %s", full);
    return -1;
  }
  fclose(f);
  a->ctype = ctype;
  unsigned char h[8];
  crypto_generichash(h, sizeof h, a->data, a->len, NULL, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(a->etag, sizeof a->etag, "\"%s\"", hex);
  if (compress && a->len > 256) {
    size_t gl;
    unsigned char *gz = hv_gzip(a->data, a->len, &gl);
    if (gz && gl < a->len - a->len / 10) {
      a->gz = gz;
      a->gzlen = gl;
    } else {
      free(gz);
    }
  }
  a->fd = memfd_of("haven-asset", a->data, a->len);
  a->gz_fd = a->gz ? memfd_of("haven-asset-gz", a->gz, a->gzlen) : -1;
  l->n++;
  return 0;
}

static int walk(struct loader *l, const char *dir, const char *rel, int depth) {
  if (depth > 8)
    return 0;
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(l->err, l->errlen, "assets: cannot open folder %s: %s", dir, strerror(errno));
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char full[2048], r[1024];
    snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
    if ((size_t)snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= sizeof r)
      continue;
    struct stat st;
    if (stat(full, &st))
      continue;
    if (S_ISDIR(st.st_mode))
      rc = walk(l, full, r, depth + 1);
    else if (S_ISREG(st.st_mode))
      rc = add_file(l, full, r);
  }
  closedir(d);
  return rc;
}

static int cmp_asset(const void *a, const void *b) {
  return strcmp(((const struct hv_asset *)a)->path, ((const struct hv_asset *)b)->path);
}

void hv_assets_free(struct hv_assets *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->n; i++) {
    free(a->items[i].path);
    free(a->items[i].data);
    free(a->items[i].gz);
    if (a->items[i].fd >= 0)
      close(a->items[i].fd);
    if (a->items[i].gz_fd >= 0)
      close(a->items[i].gz_fd);
  }
  free(a->items);
  free(a);
}

int hv_assets_load(const char *dir, struct hv_assets **out, char *err, size_t errlen) {
  struct loader l = {calloc(HV_ASSETS_MAX, sizeof(struct hv_asset)), 0, err, errlen};
  struct hv_assets *a = calloc(1, sizeof *a);
  if (!l.items || !a) {
    free(l.items);
    free(a);
    snprintf(err, errlen, "assets: out of memory");
    return -1;
  }
  a->items = l.items;
  if (walk(&l, dir, "", 0)) {
    a->n = l.n;
    hv_assets_free(a);
    return -1;
  }
  a->n = l.n;
  qsort(a->items, a->n, sizeof(struct hv_asset), cmp_asset);
  crypto_generichash_state st;
  unsigned char h[6];
  crypto_generichash_init(&st, NULL, 0, sizeof h);
  for (size_t i = 0; i < a->n; i++) {
    crypto_generichash_update(&st, (const unsigned char *)a->items[i].path, strlen(a->items[i].path) + 1);
    crypto_generichash_update(&st, (const unsigned char *)a->items[i].etag, strlen(a->items[i].etag));
  }
  crypto_generichash_final(&st, h, sizeof h);
  char hex[13];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(a->prefix, sizeof a->prefix, "/static/%s", hex);
  *out = a;
  return 0;
}

const struct hv_asset *hv_assets_find(const struct hv_assets *a, const char *path) {
  struct hv_asset key = {.path = (char *)path};
  return bsearch(&key, a->items, a->n, sizeof(struct hv_asset), cmp_asset);
}

void hv_static_serve(struct hv_request *rq, const struct hv_assets *a, const char *hash,
                     const char *path) {
  const struct hv_asset *as = NULL;
  if (strcmp(hash, a->prefix + 8) == 0)
    as = hv_assets_find(a, path);
  if (!as) {
    hv_reply_error(rq, 404, "not_found", "There is no such file.", NULL);
    return;
  }
  rq->reply.no_store = false;
  if (hv_etag_match(hv_header(rq, "If-None-Match"), as->etag)) {
    hv_reply_text(rq, 304, NULL, "", 0, false);
  } else if (as->gz && hv_accepts_gzip(hv_header(rq, "Accept-Encoding"))) {
    hv_reply_text(rq, 200, as->ctype, (const char *)as->gz, as->gzlen, false);
    rq->reply.fd = as->gz_fd;
    hv_reply_header(rq, "Content-Encoding", "gzip");
  } else {
    hv_reply_text(rq, 200, as->ctype, (const char *)as->data, as->len, false);
    rq->reply.fd = as->fd;
  }
  hv_reply_header(rq, "ETag", as->etag);
  hv_reply_header(rq, "Cache-Control", "public, max-age=31536000, immutable");
  if (as->gz)
    hv_reply_header(rq, "Vary", "Accept-Encoding");
}
