/* Unit tests for src/modules/incidents/attach.c (the parts without a
 * database): the key file (made once, mode 0600, 32 bytes, the same key on
 * every later load, refused when damaged or readable by others), sealing
 * and opening (a round trip; any changed byte, a cut, another key, another
 * storage name or another report refuses to open), durable file writes
 * (no temporary file left, nothing written under a bad name), and the
 * PDF structure check beside the image code it completes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image.h"
#include "modules/incidents/attach.h"

static char dir[256];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/haven-attach-test.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char sample[] = "\xff\xd8\xff\xe0 a photo of the administrative warrant, MARKER-7731";
#define SAMPLE_LEN (sizeof sample - 1)

static void key_made_once_private_and_stable(void **state) {
  (void)state;
  unsigned char k1[HV_ATTACH_KEY_BYTES], k2[HV_ATTACH_KEY_BYTES], zero[HV_ATTACH_KEY_BYTES] = {0};
  char err[300], path[400];
  assert_int_equal(hv_attach_key_load(dir, k1, err, sizeof err), 0);
  assert_memory_not_equal(k1, zero, sizeof zero);
  snprintf(path, sizeof path, "%s/%s", dir, HV_ATTACH_KEY_FILE);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, HV_ATTACH_KEY_BYTES);
  assert_int_equal(hv_attach_key_load(dir, k2, err, sizeof err), 0);
  assert_memory_equal(k1, k2, sizeof k1);
  /* no temporary key file is left beside it */
  DIR *d = opendir(dir);
  struct dirent *e;
  int files = 0;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' || strncmp(e->d_name, ".attachments.key.", 17) == 0)
      files++;
  closedir(d);
  assert_int_equal(files, 1);
  /* readable by others: refused, and the message does not hold the key */
  chmod(path, 0644);
  assert_int_equal(hv_attach_key_load(dir, k2, err, sizeof err), -1);
  assert_non_null(strstr(err, "0600"));
  chmod(path, 0600);
  /* damaged (short): refused rather than used */
  assert_int_equal(truncate(path, 16), 0);
  assert_int_equal(hv_attach_key_load(dir, k2, err, sizeof err), -1);
  assert_non_null(strstr(err, "damaged"));
  unlink(path);
}

static void names(void **state) {
  (void)state;
  char a[HV_ATTACH_NAME_LEN + 1], b[HV_ATTACH_NAME_LEN + 1];
  hv_attach_new_name(a);
  hv_attach_new_name(b);
  assert_int_equal(strlen(a), 32);
  assert_true(hv_attach_name_valid(a));
  assert_string_not_equal(a, b);
  assert_false(hv_attach_name_valid("../../etc/passwd"));
  assert_false(hv_attach_name_valid("0123456789ABCDEF0123456789abcdef")); /* upper case */
  assert_false(hv_attach_name_valid("0123456789abcdef0123456789abcde"));  /* short */
  assert_false(hv_attach_name_valid(NULL));
}

static void seal_round_trip(void **state) {
  (void)state;
  unsigned char key[HV_ATTACH_KEY_BYTES];
  char name[HV_ATTACH_NAME_LEN + 1];
  randombytes_buf(key, sizeof key);
  hv_attach_new_name(name);
  size_t slen = 0, plen = 0;
  unsigned char *s =
      hv_attach_seal(key, 42, name, (const unsigned char *)sample, SAMPLE_LEN, &slen);
  assert_non_null(s);
  assert_int_equal(slen, SAMPLE_LEN + HV_ATTACH_OVERHEAD);
  /* the sealed bytes show neither the JPEG magic nor the marker text */
  assert_null(memmem(s, slen, "MARKER-7731", 11));
  assert_null(memmem(s, slen, "\xff\xd8\xff", 3));
  unsigned char *p = hv_attach_open(key, 42, name, s, slen, &plen);
  assert_non_null(p);
  assert_int_equal(plen, SAMPLE_LEN);
  assert_memory_equal(p, sample, SAMPLE_LEN);
  free(p);
  /* two seals of the same bytes differ (a fresh random nonce each time) */
  size_t s2len = 0;
  unsigned char *s2 =
      hv_attach_seal(key, 42, name, (const unsigned char *)sample, SAMPLE_LEN, &s2len);
  assert_memory_not_equal(s, s2, slen);
  free(s2);
  /* an empty file still seals and opens */
  unsigned char *e = hv_attach_seal(key, 42, name, (const unsigned char *)"", 0, &s2len);
  assert_int_equal(s2len, HV_ATTACH_OVERHEAD);
  p = hv_attach_open(key, 42, name, e, s2len, &plen);
  assert_non_null(p);
  assert_int_equal(plen, 0);
  free(p);
  free(e);
  /* a bad name is refused before anything is sealed */
  assert_null(hv_attach_seal(key, 42, "x/../y", (const unsigned char *)sample, SAMPLE_LEN, &s2len));
  free(s);
}

static void tampering_detected(void **state) {
  (void)state;
  unsigned char key[HV_ATTACH_KEY_BYTES], other[HV_ATTACH_KEY_BYTES];
  char name[HV_ATTACH_NAME_LEN + 1], name2[HV_ATTACH_NAME_LEN + 1];
  randombytes_buf(key, sizeof key);
  randombytes_buf(other, sizeof other);
  hv_attach_new_name(name);
  hv_attach_new_name(name2);
  size_t slen = 0, plen = 0;
  unsigned char *s = hv_attach_seal(key, 7, name, (const unsigned char *)sample, SAMPLE_LEN, &slen);
  assert_non_null(s);
  /* every single flipped bit, in the nonce, the ciphertext and the tag */
  for (size_t i = 0; i < slen; i++) {
    for (int bit = 0; bit < 8; bit += 3) {
      s[i] ^= (unsigned char)(1u << bit);
      unsigned char *p = hv_attach_open(key, 7, name, s, slen, &plen);
      if (p)
        fail_msg("byte %zu bit %d changed, yet the file opened", i, bit);
      s[i] ^= (unsigned char)(1u << bit);
    }
  }
  /* cut short anywhere, or extended */
  for (size_t n = 0; n < slen; n++)
    assert_null(hv_attach_open(key, 7, name, s, n, &plen));
  unsigned char *longer = malloc(slen + 1);
  memcpy(longer, s, slen);
  longer[slen] = 0;
  assert_null(hv_attach_open(key, 7, name, longer, slen + 1, &plen));
  free(longer);
  /* another key, another storage name, another report */
  assert_null(hv_attach_open(other, 7, name, s, slen, &plen));
  assert_null(hv_attach_open(key, 7, name2, s, slen, &plen));
  assert_null(hv_attach_open(key, 8, name, s, slen, &plen));
  /* and untouched it still opens */
  unsigned char *p = hv_attach_open(key, 7, name, s, slen, &plen);
  assert_non_null(p);
  free(p);
  free(s);
}

static void file_write_read_remove(void **state) {
  (void)state;
  char name[HV_ATTACH_NAME_LEN + 1], err[300], path[400];
  hv_attach_new_name(name);
  assert_int_equal(
      hv_attach_file_write(dir, name, (const unsigned char *)sample, SAMPLE_LEN, err, sizeof err),
      0);
  snprintf(path, sizeof path, "%s/%s", dir, HV_ATTACH_DIR);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  snprintf(path, sizeof path, "%s/%s/%s", dir, HV_ATTACH_DIR, name);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  /* only the file: no temporary left */
  char d[300];
  snprintf(d, sizeof d, "%s/%s", dir, HV_ATTACH_DIR);
  DIR *dd = opendir(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(dd)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(dd);
  assert_int_equal(n, 1);
  size_t len = 0;
  unsigned char *back = hv_attach_file_read(dir, name, SAMPLE_LEN, &len);
  assert_non_null(back);
  assert_int_equal(len, SAMPLE_LEN);
  assert_memory_equal(back, sample, SAMPLE_LEN);
  free(back);
  /* a file longer than its record allows is not read */
  assert_null(hv_attach_file_read(dir, name, SAMPLE_LEN - 1, &len));
  /* names that are not ours never become paths */
  assert_int_equal(
      hv_attach_file_write(dir, "../escape", (const unsigned char *)"x", 1, err, sizeof err), -1);
  assert_null(hv_attach_file_read(dir, "../attachments.key", 100, &len));
  assert_int_equal(hv_attach_file_remove(dir, name), 0);
  assert_int_not_equal(stat(path, &st), 0);
  assert_null(hv_attach_file_read(dir, name, 100, &len));
}

static void pdf_structure(void **state) {
  (void)state;
  const char ok[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  assert_int_equal(hv_pdf_check((const unsigned char *)ok, sizeof ok - 1), 0);
  const char ok2[] = "%PDF-2.0\nx\n%%EOF";
  assert_int_equal(hv_pdf_check((const unsigned char *)ok2, sizeof ok2 - 1), 0);
  const char cut[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<";
  assert_int_equal(hv_pdf_check((const unsigned char *)cut, sizeof cut - 1), -1);
  const char badver[] = "%PDF-x.4\n%%EOF\n";
  assert_int_equal(hv_pdf_check((const unsigned char *)badver, sizeof badver - 1), -1);
  const char html[] = "<html>%PDF-1.4 %%EOF</html>";
  assert_int_equal(hv_pdf_check((const unsigned char *)html, sizeof html - 1), -1);
  assert_int_equal(hv_pdf_check((const unsigned char *)"%PDF-1.4%%EOF", 4), -1);
  assert_int_equal(hv_pdf_check(NULL, 0), -1);
  /* %%EOF far from the end (a file with something appended) is refused */
  char big[4096];
  memset(big, 'x', sizeof big);
  memcpy(big, "%PDF-1.7\n%%EOF\n", 15);
  assert_int_equal(hv_pdf_check((const unsigned char *)big, sizeof big), -1);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(key_made_once_private_and_stable),
      cmocka_unit_test(names),
      cmocka_unit_test(seal_round_trip),
      cmocka_unit_test(tampering_detected),
      cmocka_unit_test(file_write_read_remove),
      cmocka_unit_test(pdf_structure),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
