/* Files attached to incident reports (photos of the document agents
 * showed, copies of warrants): JPEG, PNG and PDF only, recognised by
 * content; images lose their metadata first; every file is encrypted at
 * rest with XChaCha20-Poly1305 under a key kept in the data folder (never
 * in the database) and stored under a random name in DATA/attachments/,
 * outside every served folder. The row is committed, with its audit event,
 * only after the file is durably on disk.
 *
 * attach.c: the key, sealing and opening, the files, the SQL.
 * attach_http.c: the API and the page form, and their route table. */
#ifndef HV_ATTACH_H
#define HV_ATTACH_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_attachment_routes[];
extern const size_t hv_attachment_nroutes;

#define HV_ATTACH_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES /* 32 */
#define HV_ATTACH_NAME_LEN 32 /* 128 random bits as lower-case hex */
/* nonce || ciphertext || tag */
#define HV_ATTACH_OVERHEAD                                                                         \
  (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define HV_ATTACH_KEY_FILE "attachments.key"
#define HV_ATTACH_DIR "attachments"

/* --- key, sealing, files (no database) ------------------------------------ */

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

/* Decrypts what hv_attach_seal made. Returns the malloc'd plaintext
 * (caller frees; a NUL follows the *outlen bytes), or NULL when the data
 * was changed, truncated, sealed under another key, name or report. */
unsigned char *hv_attach_open(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *sealed, size_t n,
                              size_t *outlen);

/* The same for files of another kind of record (a contract's signed
 * attestation: HV_ATTACH_KIND_ATTESTATION with the contract's id), so a
 * file cannot be moved between kinds of records either. */
#define HV_ATTACH_KIND_INCIDENT "haven.attachment.v1"
#define HV_ATTACH_KIND_ATTESTATION "haven.attestation.v1"
unsigned char *hv_attach_seal_as(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                                 int64_t owner_id, const char *name, const unsigned char *plain,
                                 size_t n, size_t *outlen);
unsigned char *hv_attach_open_as(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                                 int64_t owner_id, const char *name, const unsigned char *sealed,
                                 size_t n, size_t *outlen);

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

/* --- store ------------------------------------------------------------------ */

struct hv_attachment {
  int64_t id, incident_id, size, uploaded_by, uploaded_at;
  char storage_name[HV_ATTACH_NAME_LEN + 1];
  char file_name[64];
  char content_type[32];
};

struct hv_attachment_write {
  /* in */
  const struct hv_principal *by;
  int64_t scope; /* hv_policy_department of `by` */
  int64_t incident_id;
  const char *storage_name;
  const char *content_type;
  int64_t size;
  const char *idem_key;  /* Idempotency-Key, or NULL */
  const char *idem_hash; /* hash of the report id and the file */
  /* out */
  struct hv_attachment row;
  bool replayed;       /* the key was seen: row is the first upload's */
  const char *refusal; /* why it was refused (HV_QS_CONFLICT) */
  int refusal_status;  /* 409 or 422 */
};

/* May `by` attach files to a report now? The rule is the report's edit
 * rule: writers in scope, while the report is a draft or needs
 * information; MOIA and administrators also while it is submitted or in
 * review; nobody once verified or closed. HV_QS_NONE when the report is
 * absent or out of scope; HV_QS_CONFLICT with w->refusal when its status
 * does not allow it. Used before the upload is processed and again inside
 * the transaction that records it. */
enum hv_qs hv_attachment_may_add(struct hv_store *s, struct hv_attachment_write *w);

/* Records an attachment whose file is already durably written: the row
 * and its audit event in one transaction, with the same checks as above. */
enum hv_qs hv_attachment_add(struct hv_store *s, struct hv_attachment_write *w);

/* One attachment of a report within `scope`. */
enum hv_qs hv_attachment_get(struct hv_store *s, int64_t incident_id, int64_t id, int64_t scope,
                             struct hv_attachment *out);

/* A report's attachments within `scope` as a JSON array (caller decrefs).
 * HV_QS_NONE when the report is absent or out of scope. */
enum hv_qs hv_attachments_list(struct hv_store *s, int64_t incident_id, int64_t scope,
                               json_t **out);

/* --- for the report page (incidents/http.c) -------------------------------- */

/* Adds "attachments" (with display times and links) and "can_attach" to
 * the report page's context `ctx` for report `incident` (its JSON). */
void hv_attachments_page_ctx(struct hv_request *rq, const json_t *incident, json_t *ctx);

#endif
