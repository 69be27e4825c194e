/* FOIA documents in the store (migration 0016): the row of each file
 * received and the exemptions it cites, and a request's audit trail for the
 * record export. The file itself is written (sealed) before the row is
 * committed, as incident attachments are (web/upload.h). */
#ifndef HV_FOIA_DOCSTORE_H
#define HV_FOIA_DOCSTORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/sealed.h"
#include "modules/foia/documents.h"
#include "store/store.h"

/* One stored document, as the download needs it. */
struct hv_foia_document {
  int64_t id, request_id, size;
  char storage_name[HV_ATTACH_NAME_LEN + 1];
  char file_name[64];
  char content_type[32];
};

struct hv_foia_document_write {
  /* in */
  const struct hv_principal *by;
  int64_t request_id, version;
  const struct hv_foia_document_in *doc; /* checked (hv_foia_document_check) */
  const char *storage_name, *content_type;
  int64_t size;
  /* out */
  int64_t id, current;         /* the new document's id; the request's version on a conflict */
  const char *refusal, *field; /* why HV_QS_CONFLICT, and the field */
  int refusal_status;          /* 409 (version, too many) or 422 (the event) */
};

/* Records a document whose file is durably written, with its exemptions;
 * the request's version goes up by one and the audit event
 * (foia.document.add) is in the same transaction. HV_QS_NONE when there is
 * no such request; HV_QS_CONFLICT with w->refusal when the version moved
 * on, the event is not one of the request's releases, or the request
 * holds HV_FOIA_DOCUMENTS_MAX documents. */
enum hv_qs hv_foia_document_add(struct hv_store *s, struct hv_foia_document_write *w);

/* Inside a transaction: request `id`'s documents as [{"id", "file_name",
 * "content_type", "size", "received_on", "pages", "withheld_in_full",
 * "withheld_in_part", "released_in_full", "event_id", "uploaded_by",
 * "uploaded_at", "exemptions": [{"code", "description",
 * "withheld_in_full", "withheld_in_part"}]}] (returned in *out). */
enum hv_qs hv_foia_documents_read(struct hv_conn *c, int64_t id, json_t **out);

/* One document of request `request_id`. */
enum hv_qs hv_foia_document_get(struct hv_store *s, int64_t request_id, int64_t id,
                                struct hv_foia_document *out);

/* The audit events of request `id`, oldest first: [{"seq", "at",
 * "actor", "action", "hash"}] (at most 2000). */
enum hv_qs hv_foia_audit_trail(struct hv_store *s, int64_t id, json_t **out);

#endif
