/* Sealed files (see sealed.h): moved here from the incident attachments
 * so FOIA documents share one key, one folder and one way to write. */
#include "core/sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keyfile.h"

#define NZ(s) ((s) ? (s) : "")
#define PATH_CAP 1200

/* --- key ------------------------------------------------------------------ */

int hv_attach_key_load(const char *data_dir, unsigned char key[HV_ATTACH_KEY_BYTES], char *err,
                       size_t errlen) {
  return hv_keyfile_load(data_dir, HV_ATTACH_KEY_FILE, key, HV_ATTACH_KEY_BYTES, err, errlen);
}

/* --- names and sealing ------------------------------------------------------ */

void hv_attach_new_name(char out[HV_ATTACH_NAME_LEN + 1]) {
  unsigned char r[HV_ATTACH_NAME_LEN / 2];
  randombytes_buf(r, sizeof r);
  sodium_bin2hex(out, HV_ATTACH_NAME_LEN + 1, r, sizeof r);
}

bool hv_attach_name_valid(const char *name) {
  if (!name || strlen(name) != HV_ATTACH_NAME_LEN)
    return false;
  for (size_t i = 0; i < HV_ATTACH_NAME_LEN; i++)
    if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
      return false;
  return true;
}

/* "haven.<kind>.v1:<owner id>:<storage name>" */
static size_t assoc(char ad[96], const char *kind, int64_t owner_id, const char *name) {
  int n = snprintf(ad, 96, "haven.%s.v1:%lld:%s", kind, (long long)owner_id, name);
  return n > 0 && n < 96 ? (size_t)n : 0;
}

unsigned char *hv_sealed_seal(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                              int64_t owner_id, const char *name, const unsigned char *plain,
                              size_t n, size_t *outlen) {
  char ad[96];
  size_t adlen = assoc(ad, NZ(kind), owner_id, NZ(name));
  if (!hv_attach_name_valid(name) || !adlen ||
      n > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX || n > SIZE_MAX - HV_ATTACH_OVERHEAD)
    return NULL;
  unsigned char *out = malloc(n + HV_ATTACH_OVERHEAD);
  if (!out)
    return NULL;
  unsigned char *nonce = out;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                             &clen, plain, n, (const unsigned char *)ad, adlen,
                                             NULL, nonce, key);
  *outlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
  return out;
}

unsigned char *hv_sealed_open(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                              int64_t owner_id, const char *name, const unsigned char *sealed,
                              size_t n, size_t *outlen) {
  char ad[96];
  size_t adlen = assoc(ad, NZ(kind), owner_id, NZ(name));
  if (!hv_attach_name_valid(name) || !adlen || !sealed || n < HV_ATTACH_OVERHEAD)
    return NULL;
  size_t plen = n - HV_ATTACH_OVERHEAD;
  unsigned char *out = malloc(plen + 1);
  if (!out)
    return NULL;
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out, &mlen, NULL, sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)ad, adlen,
          sealed, key) != 0) {
    free(out);
    return NULL;
  }
  out[mlen] = '\0';
  *outlen = (size_t)mlen;
  return out;
}

/* --- files ---------------------------------------------------------------- */

static int file_path(char *out, size_t cap, const char *data_dir, const char *prefix,
                     const char *name) {
  if (!hv_attach_name_valid(name))
    return -1;
  int n = snprintf(out, cap, "%s/%s/%s%s", data_dir, HV_ATTACH_DIR, prefix, name);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

int hv_attach_file_write(const char *data_dir, const char *name, const unsigned char *p, size_t n,
                         char *err, size_t errlen) {
  char dir[PATH_CAP], tmp[PATH_CAP], path[PATH_CAP];
  snprintf(dir, sizeof dir, "%s/%s", data_dir, HV_ATTACH_DIR);
  if (file_path(path, sizeof path, data_dir, "", name) ||
      file_path(tmp, sizeof tmp, data_dir, ".tmp-", name)) {
    snprintf(err, errlen, "bad attachment name or data folder path too long");
    return -1;
  }
  if (mkdir(dir, 0700) == 0) {
    if (hv_keyfile_fsync_dir(data_dir)) {
      snprintf(err, errlen, "cannot sync %s: %s", data_dir, strerror(errno));
      return -1;
    }
  } else if (errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  if (hv_keyfile_write_new(tmp, p, n)) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    return -1;
  }
  if (rename(tmp, path)) {
    snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
    unlink(tmp);
    return -1;
  }
  if (hv_keyfile_fsync_dir(dir)) {
    snprintf(err, errlen, "cannot sync %s: %s", dir, strerror(errno));
    unlink(path);
    return -1;
  }
  return 0;
}

unsigned char *hv_attach_file_read(const char *data_dir, const char *name, size_t max,
                                   size_t *outlen) {
  char path[PATH_CAP];
  if (file_path(path, sizeof path, data_dir, "", name))
    return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return NULL;
  struct stat st;
  unsigned char *buf = NULL;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size > max)
    goto fail;
  size_t size = (size_t)st.st_size, off = 0;
  buf = malloc(size ? size : 1);
  if (!buf)
    goto fail;
  while (off < size) {
    ssize_t r = read(fd, buf + off, size - off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      goto fail;
    off += (size_t)r;
  }
  close(fd);
  *outlen = size;
  return buf;
fail:
  free(buf);
  close(fd);
  return NULL;
}

int hv_attach_file_remove(const char *data_dir, const char *name) {
  char path[PATH_CAP];
  if (file_path(path, sizeof path, data_dir, "", name))
    return -1;
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

const char *hv_attach_ext(const char *mime) {
  if (!mime)
    return NULL;
  if (strcmp(mime, "image/jpeg") == 0)
    return "jpg";
  if (strcmp(mime, "image/png") == 0)
    return "png";
  if (strcmp(mime, "application/pdf") == 0)
    return "pdf";
  return NULL;
}

unsigned char *hv_attach_seal(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *plain, size_t n,
                              size_t *outlen) {
  return hv_sealed_seal(key, "attachment", incident_id, name, plain, n, outlen);
}

unsigned char *hv_attach_open(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *sealed, size_t n,
                              size_t *outlen) {
  return hv_sealed_open(key, "attachment", incident_id, name, sealed, n, outlen);
}
