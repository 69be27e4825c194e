/* Fuzz target for the multipart/form-data parser (src/http/multipart.c).
 * The input's first line is the Content-Type header value, the rest is the
 * body. The body is parsed with the full part limit and with a limit of 1.
 * The count must be -1 or within 0..max, every part must have a name and
 * its data must lie inside the body, followed by a delimiter;
 * hv_multipart_get must find each part's name. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "multipart invariant broken: %s\n", what);
  abort();
}

static int run(const char *ct, const char *body, size_t len, size_t max) {
  struct hv_part parts[HV_MULTIPART_MAX_PARTS + 1];
  struct hv_arena *a = hv_arena_new(8u << 20);
  if (!a)
    return -2;
  /* a canary past max: the parser must not write there */
  memset(&parts[max], 0xa5, sizeof parts[max]);
  int n = hv_multipart_parse(a, ct, body, len, parts, max);
  if (n < -1 || n > (int)max)
    fail("count outside -1..max");
  const unsigned char *canary = (const unsigned char *)&parts[max];
  for (size_t i = 0; i < sizeof parts[max]; i++)
    if (canary[i] != 0xa5)
      fail("a part written past max");
  for (int i = 0; i < n; i++) {
    const struct hv_part *p = &parts[i];
    if (!p->name)
      fail("part without a name");
    (void)strlen(p->name); /* terminated (ASan checks the read) */
    if (p->filename)
      (void)strlen(p->filename);
    if (!p->data || p->data < body || p->data > body + len || p->len > len ||
        p->len > (size_t)(body + len - p->data))
      fail("part data outside the body");
    /* each part's data ends at a delimiter: CRLF "--" */
    const char *after = p->data + p->len;
    if ((size_t)(body + len - after) < 4 || memcmp(after, "\r\n--", 4) != 0)
      fail("part data not followed by a delimiter");
    if (i > 0 && p->data < parts[i - 1].data + parts[i - 1].len)
      fail("parts overlap or are out of order");
    const struct hv_part *g = hv_multipart_get(parts, n, p->name);
    if (!g || g > p || strcmp(g->name, p->name) != 0)
      fail("hv_multipart_get misses a parsed name");
  }
  hv_arena_free(a);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t ctl = nl ? (size_t)(nl - data) : size;
  size_t bl = nl ? size - ctl - 1 : 0;
  /* exact-size copies so ASan sees any read past the end */
  char *ct = malloc(ctl + 1);
  char *body = malloc(bl ? bl : 1);
  if (!ct || !body) {
    free(ct);
    free(body);
    return 0;
  }
  memcpy(ct, data, ctl);
  ct[ctl] = '\0';
  if (bl)
    memcpy(body, nl + 1, bl);
  int full = run(ct, body, bl, HV_MULTIPART_MAX_PARTS);
  int one = run(ct, body, bl, 1);
  /* a tighter limit only turns "too many parts" into -1 */
  if (full >= 0 && full <= 1 && one != full)
    fail("limit 1 changes the result of a body with at most one part");
  if (full < 0 && one > 0)
    fail("limit 1 accepts a body refused with the full limit");
  free(ct);
  free(body);
  return 0;
}
