/* Files attached to incident reports (photos of the document agents
 * showed, copies of warrants): JPEG, PNG and PDF only, recognised by
 * content; images lose their metadata first; every file is encrypted at
 * rest with XChaCha20-Poly1305 under a key kept in the data folder (never
 * in the database) and stored under a random name in DATA/attachments/,
 * outside every served folder. The row is committed, with its audit event,
 * only after the file is durably on disk.
 *
 * core/sealed.c: the key, sealing and opening, the files (shared with the
 * FOIA documents). attach.c: the SQL.
 * attach_http.c: the API and the page form, and their route table. */
#ifndef HV_ATTACH_H
#define HV_ATTACH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/sealed.h"
#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_attachment_routes[];
extern const size_t hv_attachment_nroutes;

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
