/* Unit tests for src/core/image.c: sniffing, and metadata stripping on real
 * photos with EXIF, GPS, XMP and comments (fixtures/, made with ImageMagick
 * and exiftool, see fixtures/README.md) and on hand-built JPEG and PNG
 * files for the cases a camera does not produce. A stripped file must lose
 * every metadata byte, keep its image data byte for byte, be recognised
 * again, and strip again to itself; malformed and truncated files are
 * refused without touching the output buffer. When exiftool is installed
 * it reads the stripped files too; the byte-level checks run either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/image.h"

#define MAX_OUT (1u << 20)

/* ---- helpers ------------------------------------------------------------- */

/* The fixtures folder: beside this file. __FILE__ is relative to the build
 * folder when meson compiles, and the binary is BUILD/tests/unit/test_x. */
static const char *fixtures_dir(void) {
  static char dir[3 * PATH_MAX];
  if (dir[0])
    return dir;
  const char *env = getenv("HAVEN_TEST_FIXTURES");
  if (env && *env) {
    snprintf(dir, sizeof dir, "%s", env);
    return dir;
  }
  char src[PATH_MAX];
  snprintf(src, sizeof src, "%s", __FILE__);
  char *slash = strrchr(src, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(src, sizeof src, ".");
  if (src[0] == '/') {
    snprintf(dir, sizeof dir, "%s/fixtures", src);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (k > 0) {
    exe[k] = '\0';
    for (int up = 0; up < 3; up++) { /* test_x, unit, tests */
      char *s = strrchr(exe, '/');
      if (s)
        *s = '\0';
    }
    snprintf(dir, sizeof dir, "%s/%s/fixtures", exe, src);
    if (access(dir, R_OK) == 0)
      return dir;
  }
  snprintf(dir, sizeof dir, "tests/unit/core/fixtures"); /* from the top of the tree */
  return dir;
}

static unsigned char *read_fixture(const char *name, size_t *n) {
  char path[4 * PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", fixtures_dir(), name);
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot open fixture %s", path);
  unsigned char *p = malloc(64 * 1024);
  assert_non_null(p);
  *n = fread(p, 1, 64 * 1024, f);
  assert_true(feof(f));
  fclose(f);
  return p;
}

static int contains(const void *hay, size_t n, const void *needle, size_t m) {
  if (m == 0 || m > n)
    return 0;
  const unsigned char *h = hay;
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(h + i, needle, m) == 0)
      return 1;
  return 0;
}
#define CONTAINS(b, lit) contains((b)->data, (b)->len, lit, sizeof lit - 1)

/* Strips, asserts success, and checks that stripping again is a no-op and
 * that the output is no larger and still sniffs as `t`. */
static void strip_ok(enum hv_filetype t, const unsigned char *p, size_t n, struct hv_buf *out) {
  hv_buf_init(out, MAX_OUT);
  assert_int_equal(hv_image_strip(t, p, n, out), 0);
  assert_true(out->len <= n);
  assert_int_equal(hv_file_sniff((unsigned char *)out->data, out->len), t);
  struct hv_buf again;
  hv_buf_init(&again, MAX_OUT);
  assert_int_equal(hv_image_strip(t, (unsigned char *)out->data, out->len, &again), 0);
  assert_int_equal(again.len, out->len);
  assert_memory_equal(again.data, out->data, out->len);
  hv_buf_free(&again);
}

/* Asserts a refusal that leaves a buffer holding "keep" exactly as it was. */
static void strip_refused(enum hv_filetype t, const unsigned char *p, size_t n) {
  struct hv_buf out;
  hv_buf_init(&out, MAX_OUT);
  assert_int_equal(hv_buf_adds(&out, "keep"), 0);
  assert_int_equal(hv_image_strip(t, p, n, &out), -1);
  assert_int_equal(out.len, 4);
  assert_string_equal(out.data, "keep");
  hv_buf_free(&out);
}

/* Walks the marker segments of a well-formed JPEG up to the first SOS;
 * returns the SOS offset and records the marker codes seen. */
static size_t jpeg_sos_offset(const unsigned char *p, size_t n, unsigned char *codes, size_t *ncodes) {
  size_t i = 2, k = 0;
  while (i + 4 <= n) {
    assert_int_equal(p[i], 0xff);
    unsigned m = p[i + 1];
    if (codes)
      codes[k++] = (unsigned char)m;
    if (m == 0xda) {
      if (ncodes)
        *ncodes = k;
      return i;
    }
    i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
  }
  fail_msg("no SOS");
  return 0;
}

/* ---- sniffing ------------------------------------------------------------ */

static void sniff_types(void **state) {
  (void)state;
  static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0};
  static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  assert_int_equal(hv_file_sniff(jpg, sizeof jpg), HV_FILE_JPEG);
  assert_int_equal(hv_file_sniff(jpg, 3), HV_FILE_JPEG);
  assert_int_equal(hv_file_sniff(jpg, 2), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff(png, sizeof png), HV_FILE_PNG);
  assert_int_equal(hv_file_sniff(png, 7), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff((const unsigned char *)"%PDF-1.7\n", 9), HV_FILE_PDF);
  assert_int_equal(hv_file_sniff((const unsigned char *)"%PDF-", 5), HV_FILE_PDF);
  assert_int_equal(hv_file_sniff((const unsigned char *)"%PDF", 4), HV_FILE_UNKNOWN);
  /* Only at offset 0, and never by a name or a look-alike. */
  assert_int_equal(hv_file_sniff((const unsigned char *)" %PDF-1.7", 9), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff((const unsigned char *)"GIF89a", 6), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff((const unsigned char *)"\xff\xd8\xfe", 3), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff((const unsigned char *)"\x89PNG\r\n\x1a\r", 8), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff((const unsigned char *)"", 0), HV_FILE_UNKNOWN);
  assert_int_equal(hv_file_sniff(NULL, 10), HV_FILE_UNKNOWN);
}

static void mime_types(void **state) {
  (void)state;
  assert_string_equal(hv_file_mime(HV_FILE_JPEG), "image/jpeg");
  assert_string_equal(hv_file_mime(HV_FILE_PNG), "image/png");
  assert_string_equal(hv_file_mime(HV_FILE_PDF), "application/pdf");
  assert_null(hv_file_mime(HV_FILE_UNKNOWN));
}

static void fixtures_sniff(void **state) {
  (void)state;
  static const struct {
    const char *name;
    enum hv_filetype t;
  } f[] = {{"photo_gps.jpg", HV_FILE_JPEG},
           {"photo_gps_progressive.jpg", HV_FILE_JPEG},
           {"photo_gps_cmyk.jpg", HV_FILE_JPEG},
           {"photo_gps.png", HV_FILE_PNG}};
  for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
    size_t n;
    unsigned char *p = read_fixture(f[k].name, &n);
    assert_int_equal(hv_file_sniff(p, n), f[k].t);
    free(p);
  }
}

/* ---- JPEG fixtures ------------------------------------------------------- */

/* The byte-level promise for a stripped JPEG: no EXIF, GPS, XMP or comment
 * left anywhere, and only decoder segments before the first scan. */
static void assert_jpeg_clean(const struct hv_buf *b) {
  assert_false(CONTAINS(b, "Exif\0\0"));
  assert_false(CONTAINS(b, "MM\0*")); /* the TIFF header inside EXIF */
  assert_false(CONTAINS(b, "HavenTestCam"));
  assert_false(CONTAINS(b, "2024:05:01"));
  assert_false(CONTAINS(b, "http://ns.adobe.com/xap"));
  assert_false(CONTAINS(b, "Jane Doe"));
  assert_false(CONTAINS(b, "secret comment"));
  unsigned char codes[64];
  size_t nc = 0;
  (void)jpeg_sos_offset((unsigned char *)b->data, b->len, codes, &nc);
  for (size_t k = 0; k < nc; k++) {
    unsigned m = codes[k];
    assert_true(m == 0xe0 || m == 0xee || m == 0xdb || m == 0xc4 || m == 0xdd || m == 0xda ||
                (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc));
  }
}

static void jpeg_fixture(const char *name, int expect_app0, int expect_app14) {
  size_t n;
  unsigned char *p = read_fixture(name, &n);
  /* The fixture really carries what is to be removed. */
  assert_true(contains(p, n, "Exif\0\0", 6));
  assert_true(contains(p, n, "HavenTestCam", 12));
  assert_true(contains(p, n, "secret comment", 14));

  struct hv_buf out;
  strip_ok(HV_FILE_JPEG, p, n, &out);
  assert_true(out.len < n);
  assert_jpeg_clean(&out);

  const unsigned char *o = (unsigned char *)out.data;
  if (expect_app0) {
    assert_memory_equal(o, "\xff\xd8\xff\xe0\x00\x10JFIF\0", 11);
  }
  assert_int_equal(contains(o, out.len, "\xff\xee\x00\x0e" "Adobe", 9), expect_app14);

  /* The tables and everything from the first SOS on are the original's. */
  size_t sos_in = jpeg_sos_offset(p, n, NULL, NULL);
  size_t sos_out = jpeg_sos_offset(o, out.len, NULL, NULL);
  assert_int_equal(n - sos_in, out.len - sos_out);
  assert_memory_equal(p + sos_in, o + sos_out, n - sos_in);
  assert_memory_equal(o + out.len - 2, "\xff\xd9", 2);
  hv_buf_free(&out);
  free(p);
}

static void jpeg_baseline_stripped(void **state) {
  (void)state;
  jpeg_fixture("photo_gps.jpg", 1, 0);
}

static void jpeg_progressive_stripped(void **state) {
  (void)state;
  jpeg_fixture("photo_gps_progressive.jpg", 1, 0);
}

static void jpeg_cmyk_keeps_adobe(void **state) {
  (void)state;
  jpeg_fixture("photo_gps_cmyk.jpg", 0, 1);
}

/* ---- PNG fixture --------------------------------------------------------- */

static void assert_png_clean(const struct hv_buf *b) {
  assert_false(CONTAINS(b, "eXIf"));
  assert_false(CONTAINS(b, "tEXt"));
  assert_false(CONTAINS(b, "zTXt"));
  assert_false(CONTAINS(b, "iTXt"));
  assert_false(CONTAINS(b, "tIME"));
  assert_false(CONTAINS(b, "exif:"));
  assert_false(CONTAINS(b, "GPS"));
  assert_false(CONTAINS(b, "HavenTestCam"));
  assert_false(CONTAINS(b, "MM\0*"));
}

static void png_stripped(void **state) {
  (void)state;
  size_t n;
  unsigned char *p = read_fixture("photo_gps.png", &n);
  assert_true(contains(p, n, "eXIf", 4));
  assert_true(contains(p, n, "exif:GPSLatitude", 16));
  assert_true(contains(p, n, "HavenTestCam", 12));

  struct hv_buf out;
  strip_ok(HV_FILE_PNG, p, n, &out);
  assert_true(out.len < n);
  assert_png_clean(&out);

  /* Exactly the rendering chunks, in their order, each copied whole. */
  static const char *const want[] = {"IHDR", "cHRM", "PLTE", "bKGD", "pHYs", "IDAT", "IEND"};
  const unsigned char *o = (unsigned char *)out.data;
  size_t i = 8, k = 0;
  while (i < out.len) {
    size_t len = (size_t)o[i] << 24 | (size_t)o[i + 1] << 16 | (size_t)o[i + 2] << 8 | o[i + 3];
    assert_true(k < sizeof want / sizeof want[0]);
    assert_memory_equal(o + i + 4, want[k], 4);
    assert_true(contains(p, n, o + i, len + 12)); /* byte for byte from the input */
    k++;
    i += len + 12;
  }
  assert_int_equal(i, out.len);
  assert_int_equal(k, sizeof want / sizeof want[0]);
  hv_buf_free(&out);
  free(p);
}

/* ---- exiftool, when installed -------------------------------------------- */

static int have_exiftool(void) {
  return system("exiftool -ver >/dev/null 2>&1") == 0;
}

/* Runs exiftool on `p` and returns its output (malloc'd), or NULL. */
static char *exiftool_read(const unsigned char *p, size_t n, const char *suffix) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/haven-test-image-XXXXXX%s", suffix);
  int fd = mkstemps(path, (int)strlen(suffix));
  assert_true(fd >= 0);
  assert_int_equal(write(fd, p, n), (ssize_t)n);
  close(fd);
  char cmd[160];
  /* Without the file's name and folder: a random name could spell "GPS". */
  snprintf(cmd, sizeof cmd, "exiftool -a -G -s --FileName --Directory '%s' 2>&1", path);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t r;
  while ((r = fread(text + len, 1, cap - 1 - len, f)) > 0)
    len += r;
  text[len] = '\0';
  int st = pclose(f);
  unlink(path);
  assert_true(WIFEXITED(st));
  return text;
}

static void exiftool_finds_no_gps(void **state) {
  (void)state;
  static const struct {
    const char *name, *suffix;
    enum hv_filetype t;
  } f[] = {{"photo_gps.jpg", ".jpg", HV_FILE_JPEG},
           {"photo_gps_progressive.jpg", ".jpg", HV_FILE_JPEG},
           {"photo_gps_cmyk.jpg", ".jpg", HV_FILE_JPEG},
           {"photo_gps.png", ".png", HV_FILE_PNG}};
  int tool = have_exiftool();
  if (!tool)
    print_message("# exiftool is not installed: byte-level checks only\n");
  for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
    size_t n;
    unsigned char *p = read_fixture(f[k].name, &n);
    struct hv_buf out;
    strip_ok(f[k].t, p, n, &out);
    if (f[k].t == HV_FILE_JPEG)
      assert_jpeg_clean(&out);
    else
      assert_png_clean(&out);
    if (tool) {
      /* exiftool sees the GPS in the original, so its silence counts. */
      char *before = exiftool_read(p, n, f[k].suffix);
      assert_non_null(strstr(before, "GPSLatitude"));
      free(before);
      char *after = exiftool_read((unsigned char *)out.data, out.len, f[k].suffix);
      assert_null(strstr(after, "GPS"));
      assert_null(strstr(after, "[EXIF]"));
      assert_null(strstr(after, "[XMP]"));
      assert_null(strstr(after, "HavenTestCam"));
      assert_null(strstr(after, "Error"));
      assert_non_null(strstr(after, "ImageWidth"));
      free(after);
    }
    hv_buf_free(&out);
    free(p);
  }
}

/* ---- truncation ---------------------------------------------------------- */

static void truncated_everywhere_refused(void **state) {
  (void)state;
  static const struct {
    const char *name;
    enum hv_filetype t;
  } f[] = {{"photo_gps.jpg", HV_FILE_JPEG},
           {"photo_gps_progressive.jpg", HV_FILE_JPEG},
           {"photo_gps_cmyk.jpg", HV_FILE_JPEG},
           {"photo_gps.png", HV_FILE_PNG}};
  for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
    size_t n;
    unsigned char *p = read_fixture(f[k].name, &n);
    for (size_t len = 0; len < n; len++) {
      /* A copy of exactly `len` bytes, so ASan sees any read past it. */
      unsigned char *cut = malloc(len ? len : 1);
      assert_non_null(cut);
      memcpy(cut, p, len);
      strip_refused(f[k].t, cut, len);
      free(cut);
    }
    free(p);
  }
}

/* ---- hand-built JPEGs ---------------------------------------------------- */

/* A minimal structure: SOI, DQT, SOF0, DHT, SOS, entropy, EOI. The tables
 * are not real; the stripper never decodes them. */
#define J_SOI 0xff, 0xd8
#define J_DQT 0xff, 0xdb, 0x00, 0x05, 0x00, 0x01, 0x02
#define J_SOF 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00
#define J_DHT 0xff, 0xc4, 0x00, 0x04, 0x00, 0x07
#define J_SOS 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00
#define J_EOI 0xff, 0xd9
#define J_APP1 0xff, 0xe1, 0x00, 0x0a, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M'
#define J_COM 0xff, 0xfe, 0x00, 0x05, 'h', 'i', '!'

static void jpeg_out_equals(const unsigned char *in, size_t n, const unsigned char *want, size_t m) {
  struct hv_buf out;
  strip_ok(HV_FILE_JPEG, in, n, &out);
  assert_int_equal(out.len, m);
  assert_memory_equal(out.data, want, m);
  hv_buf_free(&out);
}

static void jpeg_entropy_copied_verbatim(void **state) {
  (void)state;
  /* Restart markers, stuffed 0xFF00, and fill bytes before EOI stay. */
  static const unsigned char in[] = {J_SOI, J_APP1, 0xff, 0xdd, 0x00, 0x04, 0x00, 0x01, J_DQT,
                                     J_SOF, J_DHT,  J_SOS, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0,
                                     0x56,  0xff,   0xd7,  0xff, 0x00, 0xff, 0xff, 0xff, 0xd9};
  static const unsigned char want[] = {J_SOI, 0xff, 0xdd, 0x00, 0x04, 0x00, 0x01, J_DQT,
                                       J_SOF, J_DHT, J_SOS, 0x12, 0xff, 0x00, 0x34, 0xff,
                                       0xd0,  0x56, 0xff, 0xd7, 0xff, 0x00, 0xff, 0xff, 0xff, 0xd9};
  jpeg_out_equals(in, sizeof in, want, sizeof want);
}

static void jpeg_metadata_between_scans_dropped(void **state) {
  (void)state;
  /* A progressive layout: tables and a second scan after the first; an
   * APP1 and a COM hidden between the scans go too, and a DNL stays. */
  static const unsigned char in[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x01, 0x02,
                                     J_APP1, J_DHT, 0xff, 0xdc, 0x00, 0x04, 0x00, 0x01,
                                     J_COM, J_SOS, 0x03, 0xff, 0x00, J_EOI};
  static const unsigned char want[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x01, 0x02, J_DHT,
                                       0xff, 0xdc, 0x00, 0x04, 0x00, 0x01,
                                       J_SOS, 0x03, 0xff, 0x00, J_EOI};
  jpeg_out_equals(in, sizeof in, want, sizeof want);
}

static void jpeg_app_segments(void **state) {
  (void)state;
  /* JFIF loses its thumbnail (2x1 RGB here); JFXX, ICC (APP2), APP13
   * (Photoshop IPTC), APP15 and a non-Adobe APP14 go; Adobe APP14 stays;
   * 0xFF fill bytes before markers go. */
  static const unsigned char in[] = {
      J_SOI,
      0xff, 0xe0, 0x00, 0x16, 'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 1, 0, 1, 2, 1, 9, 9, 9, 8, 8, 8,
      0xff, 0xe0, 0x00, 0x08, 'J', 'F', 'X', 'X', 0, 0x10,
      0xff, 0xe2, 0x00, 0x10, 'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0, 1, 1,
      0xff, 0xed, 0x00, 0x06, '8', 'B', 'I', 'M',
      0xff, 0xef, 0x00, 0x03, 0x00,
      0xff, 0xee, 0x00, 0x05, 'X', 'Y', 'Z',
      0xff, 0xff, 0xff, 0xee, 0x00, 0x0e, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1,
      J_DQT, J_SOF, J_DHT, J_SOS, 0x00, J_EOI};
  static const unsigned char want[] = {
      J_SOI,
      0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 1, 0, 1, 0, 0,
      0xff, 0xee, 0x00, 0x0e, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1,
      J_DQT, J_SOF, J_DHT, J_SOS, 0x00, J_EOI};
  jpeg_out_equals(in, sizeof in, want, sizeof want);
}

static void jpeg_trailer_after_eoi_dropped(void **state) {
  (void)state;
  static const unsigned char in[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x42, J_EOI,
                                     'G', 'P', 'S', ' ', 'v', 'i', 'd', 'e', 'o'};
  static const unsigned char want[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x42, J_EOI};
  jpeg_out_equals(in, sizeof in, want, sizeof want);
}

static void jpeg_malformed_refused(void **state) {
  (void)state;
  /* No SOI. */
  static const unsigned char no_soi[] = {J_DQT, J_SOF, J_DHT, J_SOS, 0x00, J_EOI};
  strip_refused(HV_FILE_JPEG, no_soi, sizeof no_soi);
  /* No SOS at all: SOI, tables, EOI. */
  static const unsigned char no_sos[] = {J_SOI, J_APP1, J_DQT, J_SOF, J_DHT, J_EOI};
  strip_refused(HV_FILE_JPEG, no_sos, sizeof no_sos);
  /* SOS before any frame header. */
  static const unsigned char sos_first[] = {J_SOI, J_DQT, J_DHT, J_SOS, 0x00, J_EOI};
  strip_refused(HV_FILE_JPEG, sos_first, sizeof sos_first);
  /* Segment lengths 0 and 1 (the length counts its own two bytes). */
  static const unsigned char len0[] = {J_SOI, 0xff, 0xe1, 0x00, 0x00, J_DQT, J_SOF, J_SOS, 0, J_EOI};
  strip_refused(HV_FILE_JPEG, len0, sizeof len0);
  static const unsigned char len1[] = {J_SOI, 0xff, 0xdb, 0x00, 0x01, J_SOF, J_SOS, 0, J_EOI};
  strip_refused(HV_FILE_JPEG, len1, sizeof len1);
  /* A length past the end: an APP1 claiming 64 KiB. */
  static const unsigned char past[] = {J_SOI, 0xff, 0xe1, 0xff, 0xff, 'E', 'x', 'i', 'f', 0, 0,
                                       J_DQT, J_SOF, J_DHT, J_SOS, 0x00, J_EOI};
  strip_refused(HV_FILE_JPEG, past, sizeof past);
  /* The SOS header's length past the end. */
  static const unsigned char sos_past[] = {J_SOI, J_DQT, J_SOF, 0xff, 0xda, 0x00, 0x40, 1, 2};
  strip_refused(HV_FILE_JPEG, sos_past, sizeof sos_past);
  /* Entropy data without an EOI. */
  static const unsigned char no_eoi[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x11, 0xff, 0x00, 0x22};
  strip_refused(HV_FILE_JPEG, no_eoi, sizeof no_eoi);
  /* Garbage where a marker should be. */
  static const unsigned char garbage[] = {J_SOI, 0x00, J_DQT, J_SOF, J_SOS, 0x00, J_EOI};
  strip_refused(HV_FILE_JPEG, garbage, sizeof garbage);
  /* Unknown or out-of-place markers: JPG, JPGn, DHP, TEM, RST0, SOI, DNL
   * before the first scan. */
  static const unsigned char bad_codes[] = {0xc8, 0xf0, 0xfd, 0xde, 0x01, 0xd0, 0xd8, 0xdc, 0x00};
  for (size_t k = 0; k < sizeof bad_codes; k++) {
    unsigned char f[] = {J_SOI, 0xff, bad_codes[k], 0x00, 0x04, 0x00, 0x00, J_DQT, J_SOF, J_DHT,
                         J_SOS, 0x00, J_EOI};
    strip_refused(HV_FILE_JPEG, f, sizeof f);
  }
  /* After a table segment between scans, a marker must follow. */
  static const unsigned char loose[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x01, J_DHT, 0x02, J_EOI};
  strip_refused(HV_FILE_JPEG, loose, sizeof loose);
  /* A PNG or PDF handed in as JPEG. */
  strip_refused(HV_FILE_JPEG, (const unsigned char *)"%PDF-1.4\n", 9);
}

/* ---- hand-built PNGs ----------------------------------------------------- */

struct png_b {
  unsigned char d[512];
  size_t n;
};

static void png_begin(struct png_b *b) {
  memcpy(b->d, "\x89PNG\r\n\x1a\n", 8);
  b->n = 8;
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

static void png_chunk(struct png_b *b, const char *type, const void *data, size_t len) {
  assert_true(b->n + len + 12 <= sizeof b->d);
  unsigned char *c = b->d + b->n;
  put32(c, (uint32_t)len);
  memcpy(c + 4, type, 4);
  if (len)
    memcpy(c + 8, data, len);
  uLong crc = crc32(0L, c + 4, (uInt)(len + 4));
  put32(c + 8 + len, (uint32_t)crc);
  b->n += len + 12;
}

static const unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
static const unsigned char idat[] = {0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01};

static void png_kept_and_dropped_chunks(void **state) {
  (void)state;
  struct png_b in, want;
  png_begin(&in);
  png_begin(&want);
  png_chunk(&in, "IHDR", ihdr, 13);
  png_chunk(&want, "IHDR", ihdr, 13);
  png_chunk(&in, "tEXt", "exif:GPSLatitude\0" "34/1", 21);
  png_chunk(&in, "gAMA", "\0\0\xb1\x8f", 4);
  png_chunk(&want, "gAMA", "\0\0\xb1\x8f", 4);
  png_chunk(&in, "sRGB", "\0", 1);
  png_chunk(&want, "sRGB", "\0", 1);
  png_chunk(&in, "iCCP", "p\0\0\x78\x9c", 5);
  png_chunk(&want, "iCCP", "p\0\0\x78\x9c", 5);
  png_chunk(&in, "sBIT", "\x08", 1);
  png_chunk(&want, "sBIT", "\x08", 1);
  png_chunk(&in, "tRNS", "\0\0", 2);
  png_chunk(&want, "tRNS", "\0\0", 2);
  png_chunk(&in, "acTL", "\0\0\0\1\0\0\0\0", 8); /* APNG: the default image stays */
  png_chunk(&in, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x/>", 26);
  png_chunk(&in, "prVt", "anything", 8); /* unknown ancillary */
  png_chunk(&in, "IDAT", idat, 5);
  png_chunk(&want, "IDAT", idat, 5);
  png_chunk(&in, "zTXt", "Raw profile type exif\0\0\x78", 24);
  png_chunk(&in, "IDAT", idat + 5, 5);
  png_chunk(&want, "IDAT", idat + 5, 5);
  png_chunk(&in, "eXIf", "MM\0*\0\0\0\x08", 8);
  png_chunk(&in, "tIME", "\x07\xe8\x05\x01\x0c\0\0", 7);
  png_chunk(&in, "IEND", NULL, 0);
  png_chunk(&want, "IEND", NULL, 0);
  memcpy(in.d + in.n, "trailing GPS", 12); /* after IEND: dropped */
  in.n += 12;

  struct hv_buf out;
  strip_ok(HV_FILE_PNG, in.d, in.n, &out);
  assert_int_equal(out.len, want.n);
  assert_memory_equal(out.data, want.d, want.n);
  assert_png_clean(&out);
  hv_buf_free(&out);
}

static void png_malformed_refused(void **state) {
  (void)state;
  struct png_b b;

  /* The well-formed base, to be sure the cases below fail for their reason. */
  png_begin(&b);
  png_chunk(&b, "IHDR", ihdr, 13);
  png_chunk(&b, "tEXt", "Comment\0hi", 10);
  png_chunk(&b, "IDAT", idat, sizeof idat);
  png_chunk(&b, "IEND", NULL, 0);
  struct hv_buf out;
  strip_ok(HV_FILE_PNG, b.d, b.n, &out);
  hv_buf_free(&out);

  /* A bad CRC, in a kept chunk and in a dropped one. */
  size_t text_at = 8 + 25;
  for (size_t at = 0; at < 2; at++) {
    struct png_b c = b;
    c.d[(at ? text_at : 8 + 25 + 22) + 9] ^= 0x01; /* a data byte of tEXt or IDAT */
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }
  {
    struct png_b c = b;
    c.d[8 + 25 - 1] ^= 0x80; /* IHDR's CRC itself */
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }

  /* No IEND (and nothing after the last IDAT). */
  strip_refused(HV_FILE_PNG, b.d, b.n - 12);

  /* A length past the end, and one over the PNG maximum. */
  {
    struct png_b c = b;
    put32(c.d + text_at, 0x00001000);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    put32(c.d + text_at, 0xfffffff4); /* + 12 would wrap a 32-bit size */
    strip_refused(HV_FILE_PNG, c.d, c.n);
    put32(c.d + text_at, 0x80000000);
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }

  /* IHDR not first; IHDR twice; IHDR of the wrong size. */
  {
    struct png_b c;
    png_begin(&c);
    png_chunk(&c, "gAMA", "\0\0\xb1\x8f", 4);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 12);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }

  /* No IDAT; IEND with data; an unknown critical chunk; a bad type. */
  {
    struct png_b c;
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", "x", 1);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "CgBI", "\0\0\0\0", 4);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
    png_begin(&c);
    png_chunk(&c, "IHDR", ihdr, 13);
    png_chunk(&c, "tE1t", "x", 1);
    png_chunk(&c, "IDAT", idat, sizeof idat);
    png_chunk(&c, "IEND", NULL, 0);
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }

  /* A bad signature; a JPEG handed in as PNG. */
  {
    struct png_b c = b;
    c.d[7] = '\r';
    strip_refused(HV_FILE_PNG, c.d, c.n);
  }
  static const unsigned char jpg[] = {J_SOI, J_DQT, J_SOF, J_DHT, J_SOS, 0x00, J_EOI};
  strip_refused(HV_FILE_PNG, jpg, sizeof jpg);
}

/* ---- the API's edges ----------------------------------------------------- */

static void other_types_refused(void **state) {
  (void)state;
  static const unsigned char pdf[] = "%PDF-1.4\n%%EOF\n";
  strip_refused(HV_FILE_PDF, pdf, sizeof pdf - 1);
  strip_refused(HV_FILE_UNKNOWN, pdf, sizeof pdf - 1);
  struct hv_buf out;
  hv_buf_init(&out, MAX_OUT);
  assert_int_equal(hv_image_strip(HV_FILE_JPEG, NULL, 10, &out), -1);
  assert_int_equal(hv_image_strip(HV_FILE_PNG, pdf, sizeof pdf - 1, NULL), -1);
  hv_buf_free(&out);
}

static void output_cap_respected(void **state) {
  (void)state;
  size_t n;
  unsigned char *p = read_fixture("photo_gps.jpg", &n);
  struct hv_buf full;
  strip_ok(HV_FILE_JPEG, p, n, &full);
  /* One byte short of the stripped size: refused, buffer as it was. */
  struct hv_buf out;
  hv_buf_init(&out, full.len - 1);
  assert_int_equal(hv_image_strip(HV_FILE_JPEG, p, n, &out), -1);
  assert_int_equal(out.len, 0);
  hv_buf_free(&out);
  /* Exactly enough, after a prefix already in the buffer: appended. */
  hv_buf_init(&out, full.len + 3);
  assert_int_equal(hv_buf_adds(&out, "pre"), 0);
  assert_int_equal(hv_image_strip(HV_FILE_JPEG, p, n, &out), 0);
  assert_int_equal(out.len, full.len + 3);
  assert_memory_equal(out.data, "pre", 3);
  assert_memory_equal(out.data + 3, full.data, full.len);
  hv_buf_free(&out);
  hv_buf_free(&full);
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sniff_types),
      cmocka_unit_test(mime_types),
      cmocka_unit_test(fixtures_sniff),
      cmocka_unit_test(jpeg_baseline_stripped),
      cmocka_unit_test(jpeg_progressive_stripped),
      cmocka_unit_test(jpeg_cmyk_keeps_adobe),
      cmocka_unit_test(png_stripped),
      cmocka_unit_test(exiftool_finds_no_gps),
      cmocka_unit_test(truncated_everywhere_refused),
      cmocka_unit_test(jpeg_entropy_copied_verbatim),
      cmocka_unit_test(jpeg_metadata_between_scans_dropped),
      cmocka_unit_test(jpeg_app_segments),
      cmocka_unit_test(jpeg_trailer_after_eoi_dropped),
      cmocka_unit_test(jpeg_malformed_refused),
      cmocka_unit_test(png_kept_and_dropped_chunks),
      cmocka_unit_test(png_malformed_refused),
      cmocka_unit_test(other_types_refused),
      cmocka_unit_test(output_cap_respected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
