/* Files uploaded by staff, kept encrypted at rest: the key in the data
 * folder (never in the database), XChaCha20-Poly1305 with the owner bound
 * in as associated data, random storage names in DATA/attachments/ outside
 * every served folder, written durably (temporary file, fsync, rename,
 * fsync of the folder). Used by incident attachments and FOIA documents;
 * no database and no HTTP here (web/upload.h is the HTTP side). */
#ifndef HV_SEALED_H
#define HV_SEALED_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_ATTACH_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES /* 32 */
#define HV_ATTACH_NAME_LEN 32 /* 128 random bits as lower-case hex */
/* nonce || ciphertext || tag */
#define HV_ATTACH_OVERHEAD                                                                         \
  (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define HV_ATTACH_KEY_FILE "attachments.key"
#define HV_ATTACH_DIR "attachments"

/* Reads DATA/attachments.key, creating it (32 random bytes, mode 0600,
 * written whole under a temporary name and linked into place, so two
 * processes racing at first use agree on one key) when it does not exist.
 * Returns 0, or -1 with a message (the key itself never goes into it). */
int hv_attach_key_load(const char *data_dir, unsigned char key[HV_ATTACH_KEY_BYTES], char *err,
                       size_t errlen);

/* A new random storage name: 32 lower-case hex characters. */
void hv_attach_new_name(char out[HV_ATTACH_NAME_LEN + 1]);
/* True when `name` has that exact form (checked before any path is built). */
bool hv_attach_name_valid(const char *name);

/* Encrypts `n` bytes for the file `name` of report `incident_id` (both
 * bound in as associated data, so a file swapped under another name or
 * moved to another report does not open). Returns a malloc'd nonce ||
 * ciphertext (caller frees) of *outlen = n + HV_ATTACH_OVERHEAD bytes, or
 * NULL on OOM or a bad name. */
unsigned char *hv_attach_seal(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *plain, size_t n,
                              size_t *outlen);

/* The same for any owner: `kind` names what the file belongs to
 * ("attachment" for a report, "foia-document" for a FOIA request), bound
 * into the associated data with the owner's id, so a file never opens as
 * another kind's. hv_attach_seal is hv_sealed_seal with "attachment". */
unsigned char *hv_sealed_seal(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                              int64_t owner_id, const char *name, const unsigned char *plain,
                              size_t n, size_t *outlen);
unsigned char *hv_sealed_open(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                              int64_t owner_id, const char *name, const unsigned char *sealed,
                              size_t n, size_t *outlen);

/* Decrypts what hv_attach_seal made. Returns the malloc'd plaintext
 * (caller frees; a NUL follows the *outlen bytes), or NULL when the data
 * was changed, truncated, sealed under another key, name or report. */
unsigned char *hv_attach_open(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *sealed, size_t n,
                              size_t *outlen);

/* Writes DATA/attachments/<name> durably: a temporary file in the same
 * folder, fsync, rename, fsync of the folder (created 0700 when missing).
 * Returns 0, or -1 with a message; nothing is left behind on failure. */
int hv_attach_file_write(const char *data_dir, const char *name, const unsigned char *p, size_t n,
                         char *err, size_t errlen);

/* Reads DATA/attachments/<name> (at most `max` bytes: a longer file is an
 * error). Returns a malloc'd buffer (caller frees) or NULL. */
unsigned char *hv_attach_file_read(const char *data_dir, const char *name, size_t max,
                                   size_t *outlen);

/* Removes DATA/attachments/<name>; 0 when it is gone. */
int hv_attach_file_remove(const char *data_dir, const char *name);

/* The extension for a sniffed MIME type: "jpg", "png", "pdf"; NULL when
 * not one we store. */
const char *hv_attach_ext(const char *mime);

#endif
