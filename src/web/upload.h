/* The HTTP side of uploaded files, shared by incident attachments and
 * FOIA documents: read the multipart body and its "file" part under the
 * `attachment_max` cap (413 past it), recognise JPEG, PNG or PDF by
 * content (415 otherwise), strip images of their metadata, then seal and
 * write the file durably (core/sealed.h) before the caller commits its
 * row; and read a stored file back whole and verified for a download. */
#ifndef HV_UPLOAD_H
#define HV_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/image.h"
#include "core/sealed.h"
#include "http/http.h"
#include "http/multipart.h"

struct hv_upload {
  struct hv_part parts[HV_MULTIPART_MAX_PARTS]; /* every part (data in the body) */
  int nparts;
  const struct hv_part *file; /* the raw "file" part (borrowed from parts) */
  enum hv_filetype type;
  const unsigned char *data; /* what is stored: the stripped image or the PDF as sent */
  size_t len;
  struct hv_buf stripped; /* owned: free with hv_upload_free */
};

/* A refusal: the HTTP status (400, 413, 415), a code and a message for
 * people (arena). */
struct hv_upload_refusal {
  int status;
  const char *code, *message;
};

/* Parses the request's multipart body into `u` (which the caller frees
 * with hv_upload_free whatever the result). With `need_file` false a body
 * without a file part is fine (u->file NULL). Returns 0, or -1 with *why. */
int hv_upload_read(struct hv_request *rq, bool need_file, struct hv_upload *u,
                   struct hv_upload_refusal *why);

/* A part's text as a NUL-terminated copy in the arena, NULL when absent. */
const char *hv_upload_field(struct hv_request *rq, const struct hv_upload *u, const char *name);

void hv_upload_free(struct hv_upload *u);

/* Seals u->data for owner `kind`/`owner_id` and writes it under a new
 * random name (`name` receives it). Returns 0, or -1 (logged). */
int hv_upload_keep(struct hv_request *rq, const char *kind, int64_t owner_id,
                   const struct hv_upload *u, char name[HV_ATTACH_NAME_LEN + 1]);

/* Reads a stored file back, opens it and checks it is the record's size
 * and type. Returns the malloc'd plaintext (caller frees) or NULL (logged
 * with `what`: never a partial or unverified byte). */
unsigned char *hv_upload_fetch(struct hv_request *rq, const char *kind, int64_t owner_id,
                               const char *storage_name, int64_t size, const char *content_type,
                               size_t *len);

/* Replies 200 with `plain` (stolen) as a download named `file_name`. */
void hv_upload_send(struct hv_request *rq, const char *content_type, unsigned char *plain,
                    size_t len, const char *file_name);

#endif
