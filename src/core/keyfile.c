/* Key files in the data folder: read, or created once and linked into
 * place. */
#include "core/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP 1200

int hv_keyfile_fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

int hv_keyfile_write_new(const char *path, const unsigned char *p, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return -1;
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(fd, p + off, n - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(path);
      errno = e ? e : EIO;
      return -1;
    }
    off += (size_t)w;
  }
  if (fsync(fd)) {
    int e = errno;
    close(fd);
    unlink(path);
    errno = e;
    return -1;
  }
  if (close(fd)) {
    unlink(path);
    return -1;
  }
  return 0;
}

/* 0 read, 1 absent, -1 unreadable or damaged. */
static int read_key(const char *path, unsigned char *key, size_t len, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT
               ? 1
               : (snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno)), -1);
  struct stat st;
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (st.st_mode & 077) {
      close(fd);
      snprintf(err, errlen, "%s may be read by others: make it mode 0600", path);
      return -1;
    }
    if ((size_t)st.st_size == len)
      n = read(fd, key, len);
  }
  close(fd);
  if (n < 0 || (size_t)n != len) {
    sodium_memzero(key, len);
    snprintf(err, errlen, "%s is damaged (it must hold exactly %zu bytes)", path, len);
    return -1;
  }
  return 0;
}

int hv_keyfile_load(const char *dir, const char *name, unsigned char *key, size_t len, char *err,
                    size_t errlen) {
  char path[PATH_CAP], tmp[PATH_CAP];
  unsigned char fresh[64], rnd[16];
  char rhex[sizeof rnd * 2 + 1];
  if (len > sizeof fresh) {
    snprintf(err, errlen, "BUG: key of %zu bytes", len);
    return -1;
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = read_key(path, key, len, err, errlen);
  if (rc <= 0)
    return rc;
  randombytes_buf(fresh, len);
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(rhex, sizeof rhex, rnd, sizeof rnd);
  snprintf(tmp, sizeof tmp, "%s/.%s.%s", dir, name, rhex);
  rc = hv_keyfile_write_new(tmp, fresh, len);
  sodium_memzero(fresh, sizeof fresh);
  if (rc) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    return -1;
  }
  if (link(tmp, path) && errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  unlink(tmp);
  if (hv_keyfile_fsync_dir(dir)) {
    snprintf(err, errlen, "cannot sync %s: %s", dir, strerror(errno));
    return -1;
  }
  rc = read_key(path, key, len, err, errlen);
  if (rc > 0) {
    snprintf(err, errlen, "%s vanished while it was being created", path);
    return -1;
  }
  return rc;
}
