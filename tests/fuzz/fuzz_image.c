/* Fuzz target for the image metadata stripper (src/core/image.c). The first
 * byte picks the parser (even: JPEG, odd: PNG), the rest is the upload.
 * A stripped file must be no larger than the upload, sniff as the same
 * type, strip again to exactly itself, fit a buffer of exactly its size
 * (and not one byte less), and hold only the segments or chunks the
 * stripper promises to keep; a refusal must leave the buffer empty. The
 * same bytes also go through the PDF structure check. A broken promise
 * abort()s. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "image invariant broken: %s\n", what);
  abort();
}

/* Before the first scan a stripped JPEG holds only JFIF APP0 (without a
 * thumbnail), Adobe APP14, DQT, DHT, DRI, DAC and frame headers. */
static void check_jpeg(const unsigned char *p, size_t n) {
  if (n < 4 || p[0] != 0xff || p[1] != 0xd8 || p[n - 2] != 0xff || p[n - 1] != 0xd9)
    fail("JPEG output without SOI or EOI");
  size_t i = 2;
  for (;;) {
    if (n - i < 4 || p[i] != 0xff)
      fail("JPEG output: no marker where one belongs");
    unsigned m = p[i + 1];
    size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
    if (len < 2 || len > n - i - 2)
      fail("JPEG output: bad segment length");
    if (m == 0xda)
      return;
    if (m == 0xe0) {
      if (len != 16 || memcmp(p + i + 4, "JFIF\0", 5) != 0 || p[i + 16] || p[i + 17])
        fail("JPEG output: APP0 other than a bare JFIF header");
    } else if (m == 0xee) {
      if (len < 7 || memcmp(p + i + 4, "Adobe", 5) != 0)
        fail("JPEG output: APP14 other than Adobe");
    } else if (!(m >= 0xc0 && m <= 0xcf && m != 0xc8) && m != 0xdb && m != 0xdd) {
      fail("JPEG output: a segment that should have gone");
    }
    i += 2 + len;
  }
}

static void check_png(const unsigned char *p, size_t n) {
  static const char keep[][5] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA",
                                 "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs"};
  size_t i = 8;
  while (i < n) {
    if (n - i < 12)
      fail("PNG output: a cut chunk");
    size_t len = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
    if (len > n - i - 12)
      fail("PNG output: a chunk past the end");
    size_t k;
    for (k = 0; k < sizeof keep / sizeof keep[0]; k++)
      if (memcmp(p + i + 4, keep[k], 4) == 0)
        break;
    if (k == sizeof keep / sizeof keep[0])
      fail("PNG output: a chunk that should have gone");
    if (i == 8 && k != 0)
      fail("PNG output: IHDR not first");
    i += len + 12;
    if (k == 3 && i != n)
      fail("PNG output: bytes after IEND");
  }
  if (n < 20 || memcmp(p + n - 8, "IEND", 4) != 0)
    fail("PNG output without IEND");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  enum hv_filetype t = (data[0] & 1) ? HV_FILE_PNG : HV_FILE_JPEG;
  const unsigned char *p = data + 1;
  size_t n = size - 1;

  enum hv_filetype sniffed = hv_file_sniff(p, n);
  if (sniffed != HV_FILE_UNKNOWN && !hv_file_mime(sniffed))
    fail("a recognised type without a MIME type");
  /* The PDF check reads only inside the upload and accepts only PDFs. */
  if (hv_pdf_check(p, n) == 0 && sniffed != HV_FILE_PDF)
    fail("a PDF accepted that does not sniff as one");

  struct hv_buf out;
  hv_buf_init(&out, 2 * n + 64);
  if (hv_image_strip(t, p, n, &out)) {
    if (out.len != 0)
      fail("a refusal left bytes in the buffer");
    hv_buf_free(&out);
    return 0;
  }
  const unsigned char *o = (const unsigned char *)out.data;
  if (out.len > n)
    fail("the output is larger than the input");
  if (hv_file_sniff(o, out.len) != t)
    fail("the output does not sniff as its type");
  if (sniffed != t)
    fail("stripped a file that does not sniff as that type");
  if (t == HV_FILE_JPEG)
    check_jpeg(o, out.len);
  else
    check_png(o, out.len);

  /* Idempotent, and exactly its own size fits. */
  struct hv_buf again;
  hv_buf_init(&again, out.len);
  if (hv_image_strip(t, o, out.len, &again))
    fail("the output does not strip again");
  if (again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
    fail("stripping the output changed it");
  hv_buf_free(&again);

  /* One byte less does not, and leaves the buffer as it was. */
  struct hv_buf small;
  hv_buf_init(&small, out.len - 1);
  if (hv_image_strip(t, p, n, &small) != -1 || small.len != 0)
    fail("the output fitted a buffer smaller than itself");
  hv_buf_free(&small);

  hv_buf_free(&out);
  return 0;
}
