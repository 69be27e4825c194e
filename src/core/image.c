/* Upload sniffing and image metadata stripping (DESIGN.md section 4: photos
 * lose EXIF and GPS before storage). Two small bounded parsers, one for the
 * JPEG marker structure and one for PNG chunks, that copy what a decoder
 * needs and drop the rest. Neither decodes pixels: the compressed image data
 * is copied byte for byte, so stripping cannot change what the picture shows
 * (apart from colour profiles, see below).
 *
 * Anything that does not parse is refused rather than passed through: a
 * file we cannot walk is a file whose metadata we cannot promise to remove.
 * Every length read from the file is checked against the bytes left before
 * it is used, with subtraction on the known-good side so nothing overflows.
 *
 * What goes, beyond the obvious EXIF/GPS/XMP/comments:
 *  - JPEG APP2 (ICC profiles) and every other APPn but JFIF APP0 and Adobe
 *    APP14, wherever they appear (also between progressive scans);
 *  - the JFIF thumbnail (a cropped photo's thumbnail shows the uncropped
 *    original), by rewriting APP0 with a 0x0 thumbnail;
 *  - bytes after the JPEG EOI or the PNG IEND (phones append videos and
 *    depth maps there);
 *  - every PNG chunk not on the keep list, APNG animation included (the
 *    default image stays). An unknown critical PNG chunk or an unknown JPEG
 *    marker is refused: dropping it could break the image, keeping it could
 *    keep anything. */
#include "core/image.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

enum hv_filetype hv_file_sniff(const unsigned char *p, size_t n) {
  static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!p)
    return HV_FILE_UNKNOWN;
  if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
    return HV_FILE_JPEG;
  if (n >= sizeof png_sig && memcmp(p, png_sig, sizeof png_sig) == 0)
    return HV_FILE_PNG;
  if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
    return HV_FILE_PDF;
  return HV_FILE_UNKNOWN;
}

const char *hv_file_mime(enum hv_filetype t) {
  switch (t) {
  case HV_FILE_JPEG:
    return "image/jpeg";
  case HV_FILE_PNG:
    return "image/png";
  case HV_FILE_PDF:
    return "application/pdf";
  case HV_FILE_UNKNOWN:
    break;
  }
  return NULL;
}

/* ---- PDF ----------------------------------------------------------------- */

int hv_pdf_check(const unsigned char *p, size_t n) {
  if (!p || n < 8 + 5 || memcmp(p, "%PDF-", 5) != 0 || p[5] < '1' || p[5] > '2' || p[6] != '.' ||
      p[7] < '0' || p[7] > '9')
    return -1;
  size_t end = n;
  while (end > 8 && (p[end - 1] == '\n' || p[end - 1] == '\r' || p[end - 1] == ' ' ||
                     p[end - 1] == '\t' || p[end - 1] == '\0' || p[end - 1] == '\f'))
    end--;
  size_t from = end > 1024 ? end - 1024 : 8;
  for (size_t i = end; i >= from + 5; i--)
    if (memcmp(p + i - 5, "%%EOF", 5) == 0)
      return 0;
  return -1;
}

/* ---- JPEG ---------------------------------------------------------------- */

enum jpeg_action { J_KEEP, J_DROP, J_REFUSE };

/* Markers with a length field that may appear around the scans. */
static enum jpeg_action jpeg_segment_action(unsigned m) {
  if (m >= 0xe0 && m <= 0xef) /* APPn: APP0 and APP14 are looked at by the caller */
    return J_DROP;
  if (m == 0xfe) /* COM */
    return J_DROP;
  switch (m) {
  case 0xc0: case 0xc1: case 0xc2: case 0xc3: /* SOF0..3 */
  case 0xc5: case 0xc6: case 0xc7:            /* SOF5..7 */
  case 0xc9: case 0xca: case 0xcb:            /* SOF9..11 */
  case 0xcd: case 0xce: case 0xcf:            /* SOF13..15 */
  case 0xc4:                                  /* DHT */
  case 0xcc:                                  /* DAC */
  case 0xdb:                                  /* DQT */
  case 0xdd:                                  /* DRI */
  case 0xda:                                  /* SOS */
    return J_KEEP;
  default:
    /* JPG (C8), JPGn (F0-FD), DHP/EXP (hierarchical), DNL, TEM, RSTn,
     * SOI, EOI and reserved codes: not expected here. DNL (DC) is allowed
     * only after the first scan, by the caller. */
    return J_REFUSE;
  }
}

static int is_sof(unsigned m) {
  return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Scans entropy-coded data from `i` and returns the offset of the next
 * marker's 0xFF, or n when the data runs to the end (truncated). Stuffed
 * 0xFF00, restart markers and 0xFF fill bytes are part of the data. */
static size_t jpeg_scan_end(const unsigned char *p, size_t n, size_t i) {
  while (i < n) {
    const unsigned char *ff = memchr(p + i, 0xff, n - i);
    if (!ff)
      return n;
    i = (size_t)(ff - p);
    if (n - i < 2)
      return n;
    unsigned c = p[i + 1];
    if (c == 0x00 || (c >= 0xd0 && c <= 0xd7))
      i += 2;
    else if (c == 0xff)
      i += 1;
    else
      return i;
  }
  return n;
}

static int jpeg_strip(const unsigned char *p, size_t n, struct hv_buf *out) {
  static const unsigned char soi[2] = {0xff, 0xd8};
  size_t i;
  int seen_sof = 0, seen_sos = 0;

  if (n < 2 || p[0] != 0xff || p[1] != 0xd8)
    return -1;
  if (hv_buf_add(out, soi, 2))
    return -1;
  i = 2;
  for (;;) {
    /* A marker: 0xFF, optional 0xFF fill bytes (dropped), a code. */
    if (i >= n || p[i] != 0xff)
      return -1;
    while (i < n && p[i] == 0xff)
      i++;
    if (i >= n)
      return -1;
    unsigned m = p[i++];
    if (m == 0xd9) { /* EOI: the end; anything after it is dropped */
      if (!seen_sos)
        return -1;
      static const unsigned char eoi[2] = {0xff, 0xd9};
      return hv_buf_add(out, eoi, 2);
    }
    enum jpeg_action act = jpeg_segment_action(m);
    if (m == 0xdc && seen_sos) /* DNL follows the first scan */
      act = J_KEEP;
    if (act == J_REFUSE)
      return -1;
    if (n - i < 2)
      return -1;
    size_t len = ((size_t)p[i] << 8) | p[i + 1];
    if (len < 2 || len > n - i)
      return -1;
    const unsigned char *seg = p + i + 2; /* payload */
    size_t plen = len - 2;
    if (m == 0xe0 && plen >= 14 && memcmp(seg, "JFIF\0", 5) == 0) {
      /* JFIF header without its thumbnail: FF E0, length 16, "JFIF\0",
       * version, units, densities, thumbnail 0x0. */
      unsigned char app0[18] = {0xff, 0xe0, 0x00, 0x10};
      memcpy(app0 + 4, seg, 12);
      app0[16] = app0[17] = 0;
      if (hv_buf_add(out, app0, sizeof app0))
        return -1;
    } else if (m == 0xee && plen >= 5 && memcmp(seg, "Adobe", 5) == 0) {
      if (hv_buf_add(out, p + i - 2, len + 2))
        return -1;
    } else if (act == J_KEEP) {
      if (m == 0xda && !seen_sof)
        return -1;
      if (is_sof(m))
        seen_sof = 1;
      if (hv_buf_add(out, p + i - 2, len + 2))
        return -1;
    }
    i += len;
    if (m == 0xda) {
      /* Entropy-coded data, copied verbatim up to the next marker. */
      seen_sos = 1;
      size_t end = jpeg_scan_end(p, n, i);
      if (end >= n)
        return -1;
      if (hv_buf_add(out, p + i, end - i))
        return -1;
      i = end;
    }
  }
}

/* ---- PNG ----------------------------------------------------------------- */

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static int png_keep(const unsigned char *type) {
  static const char keep[][5] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA",
                                 "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs"};
  for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
    if (memcmp(type, keep[k], 4) == 0)
      return 1;
  return 0;
}

static uint32_t be32(const unsigned char *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static int png_strip(const unsigned char *p, size_t n, struct hv_buf *out) {
  size_t i = sizeof png_sig;
  int first = 1, seen_idat = 0;

  if (n < sizeof png_sig || memcmp(p, png_sig, sizeof png_sig) != 0)
    return -1;
  if (hv_buf_add(out, png_sig, sizeof png_sig))
    return -1;
  for (;;) {
    if (n - i < 12) /* length, type, CRC at the least */
      return -1;
    uint32_t len32 = be32(p + i);
    if (len32 > 0x7fffffffu) /* the PNG maximum */
      return -1;
    size_t len = len32;
    if (len > n - i - 12)
      return -1;
    const unsigned char *type = p + i + 4;
    const unsigned char *data = p + i + 8;
    for (int k = 0; k < 4; k++) {
      unsigned char c = type[k];
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
        return -1;
    }
    uLong crc = crc32(0L, type, 4);
    crc = crc32(crc, data, (uInt)len);
    if ((uint32_t)crc != be32(data + len))
      return -1;
    int is_ihdr = memcmp(type, "IHDR", 4) == 0;
    if (first != is_ihdr) /* IHDR first, and only first */
      return -1;
    if (is_ihdr && len != 13)
      return -1;
    first = 0;
    int critical = (type[0] & 0x20) == 0;
    if (png_keep(type)) {
      if (hv_buf_add(out, p + i, len + 12))
        return -1;
    } else if (critical) {
      return -1;
    }
    if (memcmp(type, "IDAT", 4) == 0)
      seen_idat = 1;
    i += len + 12;
    if (memcmp(type, "IEND", 4) == 0) /* anything after it is dropped */
      return len == 0 && seen_idat ? 0 : -1;
  }
}

int hv_image_strip(enum hv_filetype t, const unsigned char *p, size_t n, struct hv_buf *out) {
  if (!p || !out)
    return -1;
  size_t start = out->len;
  int rc;
  switch (t) {
  case HV_FILE_JPEG:
    rc = jpeg_strip(p, n, out);
    break;
  case HV_FILE_PNG:
    rc = png_strip(p, n, out);
    break;
  default:
    return -1;
  }
  if (rc) { /* leave the buffer as it was */
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  return rc;
}
