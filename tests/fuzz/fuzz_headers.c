/* Fuzz target for the header parsers (src/http/headers.c): Cookie,
 * Accept-Encoding and If-None-Match. The input is "NAME\nHEADER" (no
 * newline: the whole input is the header and the cookie name is "sid").
 * Cookie values are copied into exact-size heap buffers from 0 bytes up to
 * the header's length so ASan sees any write past the end, and the answers
 * must agree across sizes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "headers invariant broken: %s\n", what);
  abort();
}

static void check_cookie(const char *header, const char *name) {
  static const size_t caps[] = {0, 1, 2, 8, 64};
  size_t big = strlen(header) + 1; /* room for any value the header holds */
  char *full = malloc(big);
  if (!full)
    return;
  int rc_full = hv_cookie_get(header, name, full, big);
  if (rc_full < -1)
    fail("cookie: too small a buffer for a value shorter than its header");
  if (rc_full >= 0 && ((size_t)rc_full >= big || strlen(full) != (size_t)rc_full))
    fail("cookie: length does not match the copy");
  for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
    size_t cap = caps[k];
    char *out = malloc(cap ? cap : 1);
    if (!out)
      break;
    int rc = hv_cookie_get(header, name, cap ? out : NULL, cap);
    if (rc_full == -1 && rc != -1)
      fail("cookie: found with a small buffer, absent with a large one");
    if (rc_full >= 0 && (size_t)rc_full < cap && (rc != rc_full || strcmp(out, full) != 0))
      fail("cookie: a smaller buffer found another value");
    if (rc_full >= 0 && (size_t)rc_full >= cap && rc != -2)
      fail("cookie: a value that does not fit was not refused");
    free(out);
  }
  free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 1);
  if (!buf)
    return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';

  const char *header = buf;
  const char *name = "sid";
  char *nl = strchr(buf, '\n');
  if (nl) {
    *nl = '\0';
    name = buf;
    header = nl + 1;
  }

  check_cookie(header, name);
  check_cookie(header, "csrf");

  bool gz = hv_accepts_gzip(header);
  if (strcmp(header, "gzip") == 0 && !gz)
    fail("gzip: plain \"gzip\" refused");
  if (strcmp(header, "*") == 0 && !gz)
    fail("gzip: \"*\" refused");
  if (header[0] == '\0' && gz)
    fail("gzip: empty header accepted");
  if (hv_accepts_gzip(NULL))
    fail("gzip: NULL accepted");

  bool m = hv_etag_match(header, "\"abc123\"");
  if (strcmp(header, "*") == 0 && !m)
    fail("etag: \"*\" does not match");
  if (strcmp(header, "\"abc123\"") == 0 && !m)
    fail("etag: identical tag does not match");
  if (header[0] == '\0' && m)
    fail("etag: empty header matches");
  (void)hv_etag_match(header, name);
  (void)hv_etag_match(header, "");
  if (hv_etag_match(NULL, "\"abc123\""))
    fail("etag: NULL matches");

  free(buf);
  return 0;
}
