/* Unit tests for src/http/static.c: hv_gzip round-trips through zlib, and
 * hv_assets_load on a scratch folder (hidden and unknown files skipped,
 * sorted lookup, content types, gzip only where it pays, and a bundle
 * prefix that moves when any file changes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "http/static.h"

/* Inflates a gzip stream (windowBits 31: gzip only) into a malloc'd buffer. */
static unsigned char *gunzip(const unsigned char *gz, size_t n, size_t cap, size_t *outlen) {
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(inflateInit2(&z, 31), Z_OK);
  unsigned char *out = malloc(cap ? cap : 1);
  z.next_in = (Bytef *)gz;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = inflate(&z, Z_FINISH);
  *outlen = z.total_out;
  inflateEnd(&z);
  assert_int_equal(rc, Z_STREAM_END);
  return out;
}

static void gzip_round_trip(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 100, 4096, 300000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t n = sizes[k];
    unsigned char *in = malloc(n ? n : 1);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      in[i] = (k % 2) ? (unsigned char)(x >> 24) : (unsigned char)("abcabcabd"[i % 9]);
    }
    size_t gl = 0;
    unsigned char *gz = hv_gzip(in, n, &gl);
    assert_non_null(gz);
    assert_true(gl >= 18);               /* header and trailer at least */
    assert_int_equal(gz[0], 0x1f);       /* gzip magic */
    assert_int_equal(gz[1], 0x8b);
    size_t ol = 0;
    unsigned char *back = gunzip(gz, gl, n + 16, &ol);
    assert_int_equal(ol, n);
    if (n)
      assert_memory_equal(back, in, n);
    if (k % 2 == 0 && n >= 4096)
      assert_true(gl < n / 10); /* repetitive text shrinks a lot */
    free(back);
    free(gz);
    free(in);
  }
}

static char root[64];

static void put(const char *rel, const char *text, size_t len) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0700);
      *p = '/';
    }
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, len, f), len);
  fclose(f);
}

static void puts_text(const char *rel, const char *text) { put(rel, text, strlen(text)); }

static char big_css[4000];

static int setup(void **state) {
  (void)state;
  snprintf(root, sizeof root, "/tmp/haven-assets-XXXXXX");
  if (!mkdtemp(root))
    return -1;
  for (size_t i = 0; i < sizeof big_css - 1; i++)
    big_css[i] = ".a{color:red}\n"[i % 14];
  big_css[sizeof big_css - 1] = '\0';
  puts_text("app.css", big_css);
  puts_text("small.css", "b{}");
  puts_text("js/app.js", "console.log(1);");
  puts_text("js/app.js.map", "{}");           /* unknown type: skipped */
  puts_text("README", "no extension");          /* skipped */
  puts_text(".hidden.css", "secret");           /* hidden: skipped */
  puts_text(".git/config.txt", "secret");       /* hidden folder: skipped */
  puts_text("img/logo.png", "\x89PNG\r\n\x1a\n"); /* binary */
  puts_text("fonts/a.woff2", "font");
  puts_text("Zeta.txt", "upper case sorts first");
  puts_text("deep/er/still/x.svg", "<svg/>");
  put("bin/nul.json", "{\"a\":\"\0\"}", 9);
  return 0;
}

static void rm_rf(const char *dir) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static int teardown(void **state) {
  (void)state;
  rm_rf(root);
  return 0;
}

static void load_skips_and_sorts(void **state) {
  (void)state;
  struct hv_assets *a = NULL;
  char err[256] = "";
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), 0);
  static const char *want[] = {"Zeta.txt",      "app.css",      "bin/nul.json",
                               "deep/er/still/x.svg", "fonts/a.woff2", "img/logo.png",
                               "js/app.js",     "small.css"};
  assert_int_equal(a->n, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < a->n; i++)
    assert_string_equal(a->items[i].path, want[i]);
  for (size_t i = 0; i < a->n; i++) {
    const struct hv_asset *x = hv_assets_find(a, want[i]);
    assert_ptr_equal(x, &a->items[i]);
  }
  assert_null(hv_assets_find(a, ".hidden.css"));
  assert_null(hv_assets_find(a, ".git/config.txt"));
  assert_null(hv_assets_find(a, "js/app.js.map"));
  assert_null(hv_assets_find(a, "README"));
  assert_null(hv_assets_find(a, "app.cs"));
  assert_null(hv_assets_find(a, "/app.css"));
  assert_null(hv_assets_find(a, ""));
  hv_assets_free(a);
  hv_assets_free(NULL);
}

static int is_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

static void assets_hold_bytes_types_and_tags(void **state) {
  (void)state;
  struct hv_assets *a = NULL;
  char err[256];
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), 0);
  const struct hv_asset *css = hv_assets_find(a, "app.css");
  assert_int_equal(css->len, strlen(big_css));
  assert_memory_equal(css->data, big_css, css->len);
  assert_string_equal(css->ctype, "text/css; charset=utf-8");
  assert_non_null(css->gz); /* big and compressible */
  size_t ol;
  unsigned char *back = gunzip(css->gz, css->gzlen, css->len + 16, &ol);
  assert_int_equal(ol, css->len);
  assert_memory_equal(back, big_css, ol);
  free(back);
  assert_int_equal(strlen(css->etag), 18);
  assert_int_equal(css->etag[0], '"');
  assert_int_equal(css->etag[17], '"');
  assert_true(is_hex(css->etag + 1, 16));

  const struct hv_asset *small = hv_assets_find(a, "small.css");
  assert_null(small->gz); /* too small to be worth it */
  assert_string_not_equal(small->etag, css->etag);
  const struct hv_asset *png = hv_assets_find(a, "img/logo.png");
  assert_string_equal(png->ctype, "image/png");
  assert_null(png->gz);
  assert_int_equal(png->len, 8);
  assert_string_equal(hv_assets_find(a, "js/app.js")->ctype, "text/javascript; charset=utf-8");
  assert_string_equal(hv_assets_find(a, "fonts/a.woff2")->ctype, "font/woff2");
  assert_string_equal(hv_assets_find(a, "deep/er/still/x.svg")->ctype, "image/svg+xml");
  const struct hv_asset *nul = hv_assets_find(a, "bin/nul.json");
  assert_int_equal(nul->len, 9); /* NUL bytes kept */
  assert_memory_equal(nul->data, "{\"a\":\"\0\"}", 9);

  assert_int_equal(strlen(a->prefix), 8 + 12);
  assert_memory_equal(a->prefix, "/static/", 8);
  assert_true(is_hex(a->prefix + 8, 12));
  hv_assets_free(a);
}

static void prefix_follows_content(void **state) {
  (void)state;
  struct hv_assets *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  char err[256];
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), 0);
  assert_int_equal(hv_assets_load(root, &b, err, sizeof err), 0);
  assert_string_equal(a->prefix, b->prefix); /* deterministic */
  puts_text("small.css", "b{ }");
  assert_int_equal(hv_assets_load(root, &c, err, sizeof err), 0);
  assert_string_not_equal(a->prefix, c->prefix);
  assert_string_not_equal(hv_assets_find(a, "small.css")->etag,
                          hv_assets_find(c, "small.css")->etag);
  assert_string_equal(hv_assets_find(a, "app.css")->etag, hv_assets_find(c, "app.css")->etag);
  puts_text("small.css", "b{}");
  /* a renamed file with the same bytes also moves the prefix */
  char from[128], to[128];
  snprintf(from, sizeof from, "%s/Zeta.txt", root);
  snprintf(to, sizeof to, "%s/Zeta2.txt", root);
  assert_int_equal(rename(from, to), 0);
  assert_int_equal(hv_assets_load(root, &d, err, sizeof err), 0);
  assert_string_not_equal(a->prefix, d->prefix);
  assert_int_equal(rename(to, from), 0);
  hv_assets_free(d);
  d = NULL;
  assert_int_equal(hv_assets_load(root, &d, err, sizeof err), 0);
  assert_string_equal(a->prefix, d->prefix); /* back as it was */
  hv_assets_free(a);
  hv_assets_free(b);
  hv_assets_free(c);
  hv_assets_free(d);
}

static void empty_and_missing_folders(void **state) {
  (void)state;
  struct hv_assets *a = NULL;
  char err[256] = "";
  char empty[64];
  snprintf(empty, sizeof empty, "/tmp/haven-empty-XXXXXX");
  assert_non_null(mkdtemp(empty));
  assert_int_equal(hv_assets_load(empty, &a, err, sizeof err), 0);
  assert_int_equal(a->n, 0);
  assert_null(hv_assets_find(a, "x.css"));
  assert_int_equal(strlen(a->prefix), 20);
  hv_assets_free(a);
  rmdir(empty);
  a = NULL;
  assert_int_equal(hv_assets_load("/nonexistent/haven/assets", &a, err, sizeof err), -1);
  assert_null(a);
  assert_non_null(strstr(err, "/nonexistent/haven/assets"));
}

static void oversized_file_fails(void **state) {
  (void)state;
  struct hv_assets *a = NULL;
  char err[256] = "";
  char path[128];
  /* an oversized file of a type not served is skipped without reading */
  snprintf(path, sizeof path, "%s/huge.map", root);
  puts_text("huge.map", "");
  assert_int_equal(truncate(path, (off_t)HV_ASSET_MAX_SIZE + 1), 0);
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), 0);
  hv_assets_free(a);
  a = NULL;
  unlink(path);
  /* one of a served type stops the load with a message naming it */
  snprintf(path, sizeof path, "%s/huge.js", root);
  puts_text("huge.js", "");
  assert_int_equal(truncate(path, (off_t)HV_ASSET_MAX_SIZE + 1), 0);
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), -1);
  assert_null(a);
  assert_non_null(strstr(err, "huge.js"));
  assert_non_null(strstr(err, "too large"));
  /* exactly the maximum is fine */
  assert_int_equal(truncate(path, (off_t)HV_ASSET_MAX_SIZE), 0);
  assert_int_equal(hv_assets_load(root, &a, err, sizeof err), 0);
  assert_int_equal(hv_assets_find(a, "huge.js")->len, HV_ASSET_MAX_SIZE);
  hv_assets_free(a);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gzip_round_trip),
      cmocka_unit_test(load_skips_and_sorts),
      cmocka_unit_test(assets_hold_bytes_types_and_tags),
      cmocka_unit_test(prefix_follows_content),
      cmocka_unit_test(empty_and_missing_folders),
      cmocka_unit_test(oversized_file_fails),
  };
  return cmocka_run_group_tests_name("http/static", tests, setup, teardown);
}
