/* multipart/form-data parser. */
#include "http/multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define BOUNDARY_MAX 70 /* RFC 2046 */
#define PART_HEADERS_MAX 1024

/* Copies the value of `key` (key="v" or key=v) from a header's parameters. */
static const char *param(struct hv_arena *a, const char *h, size_t hl, const char *key) {
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl + 1 <= hl; i++) {
    if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ') && strncasecmp(h + i, key, kl) == 0 &&
        h[i + kl] == '=') {
      const char *v = h + i + kl + 1;
      const char *end = h + hl;
      if (v < end && *v == '"') {
        const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
        if (!q)
          return NULL;
        return hv_arena_strndup(a, v + 1, (size_t)(q - v - 1));
      }
      const char *e = v;
      while (e < end && *e != ';' && *e != ' ' && *e != '\r')
        e++;
      return hv_arena_strndup(a, v, (size_t)(e - v));
    }
  }
  return NULL;
}

int hv_multipart_parse(struct hv_arena *a, const char *ct, const char *body, size_t len,
                       struct hv_part *parts, size_t max) {
  char delim[BOUNDARY_MAX + 8];
  if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
    return -1;
  const char *b = param(a, ct, strlen(ct), "boundary");
  if (!b || !*b || strlen(b) > BOUNDARY_MAX)
    return -1;
  size_t dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", b);
  /* The body starts with the delimiter without its leading CRLF. */
  if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0)
    return -1;
  const char *p = body + dl - 2, *end = body + len;
  int n = 0;
  for (;;) {
    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      return n; /* the closing delimiter */
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
      return -1;
    p += 2;
    const char *hend = NULL;
    for (const char *q = p; q + 4 <= end && q - p <= PART_HEADERS_MAX; q++)
      if (memcmp(q, "\r\n\r\n", 4) == 0) {
        hend = q;
        break;
      }
    if (!hend || (size_t)n == max)
      return -1;
    struct hv_part *part = &parts[n];
    memset(part, 0, sizeof *part);
    /* headers: find Content-Disposition */
    const char *h = p;
    while (h < hend) {
      const char *eol = h;
      while (eol < hend && !(eol[0] == '\r' && eol[1] == '\n'))
        eol++;
      size_t hl = (size_t)(eol - h);
      if (hl > 20 && strncasecmp(h, "Content-Disposition:", 20) == 0) {
        part->name = param(a, h + 20, hl - 20, "name");
        part->filename = param(a, h + 20, hl - 20, "filename");
      }
      h = eol + 2;
    }
    if (!part->name)
      return -1;
    const char *data = hend + 4;
    const char *next = NULL;
    for (const char *q = data; q + dl <= end; q++)
      if (q[0] == '\r' && memcmp(q, delim, dl) == 0) {
        next = q;
        break;
      }
    if (!next)
      return -1;
    part->data = data;
    part->len = (size_t)(next - data);
    n++;
    p = next + dl;
  }
}

const struct hv_part *hv_multipart_get(const struct hv_part *parts, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(parts[i].name, name) == 0)
      return &parts[i];
  return NULL;
}
