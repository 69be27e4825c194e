/* Uploaded files: recognise JPEG, PNG and PDF by their content (never by
 * name or declared type), and strip metadata from images (EXIF, GPS, XMP,
 * comments, text chunks) before anything is stored. Pure: no I/O. */
#ifndef HV_IMAGE_H
#define HV_IMAGE_H

#include <stddef.h>

#include "core/buf.h"

enum hv_filetype { HV_FILE_UNKNOWN, HV_FILE_JPEG, HV_FILE_PNG, HV_FILE_PDF };

/* Sniffs the content. */
enum hv_filetype hv_file_sniff(const unsigned char *p, size_t n);

/* "image/jpeg", "image/png", "application/pdf", or NULL. */
const char *hv_file_mime(enum hv_filetype t);

/* A PDF's structure as far as a store-as-is policy needs: the "%PDF-x.y"
 * header and an "%%EOF" marker in the last 1024 bytes (trailing white
 * space allowed). 0 when it looks whole, -1 otherwise. PDFs are not
 * rewritten: their metadata stays (say so to the people who upload). */
int hv_pdf_check(const unsigned char *p, size_t n);

/* Copies a JPEG or PNG to `out` without its metadata: for JPEG every APPn
 * segment except APP0 (JFIF) and APP14 (Adobe colour), and COM segments;
 * for PNG every chunk other than the critical ones and those that affect
 * rendering (IHDR PLTE IDAT IEND tRNS gAMA cHRM sRGB iCCP sBIT bKGD pHYs).
 * The image data itself is copied unchanged. Returns 0, or -1 when the
 * file is malformed or truncated (it is then refused, not stored). PDFs
 * are copied unchanged by the caller. */
int hv_image_strip(enum hv_filetype t, const unsigned char *p, size_t n, struct hv_buf *out);

#endif
