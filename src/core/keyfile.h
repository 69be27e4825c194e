/* Secret keys kept as files in the data folder (mode 0600, never in the
 * database): created whole on first use, so two processes racing at start
 * agree on one key. Used for sealing attachments and for the keyed hash of
 * SMS opt-outs. Also the two durable-file helpers that creation needs. */
#ifndef HV_KEYFILE_H
#define HV_KEYFILE_H

#include <stddef.h>

/* Reads DIR/NAME (exactly `len` bytes, mode 0600) into key, creating it
 * from random bytes when it does not exist (written under a temporary
 * name, fsynced and linked into place; if another process got there
 * first, link fails and theirs is read). Returns 0, or -1 with a message
 * in err (the key itself never goes into it). */
int hv_keyfile_load(const char *dir, const char *name, unsigned char *key, size_t len, char *err,
                    size_t errlen);

/* Writes all `n` bytes to a new file `path` (mode 0600, O_EXCL) and
 * fsyncs it; on failure the file is removed and errno says why. */
int hv_keyfile_write_new(const char *path, const unsigned char *p, size_t n);

/* fsyncs a folder (after a rename or link into it). */
int hv_keyfile_fsync_dir(const char *dir);

#endif
