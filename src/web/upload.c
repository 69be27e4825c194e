/* Uploaded files over HTTP (see upload.h). The checks run in the order
 * that costs least to refuse: framing, presence, size, type by content,
 * structure (an image is rewritten without its metadata, which also
 * proves it whole; a PDF is checked for its header and end marker). */
#include "web/upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "web/app.h"

static const char *type_name(enum hv_filetype t) {
  return t == HV_FILE_JPEG ? "JPEG image" : t == HV_FILE_PNG ? "PNG image" : "PDF";
}

static int refuse(struct hv_upload_refusal *why, int status, const char *code,
                  const char *message) {
  why->status = status;
  why->code = code;
  why->message = message;
  return -1;
}

int hv_upload_read(struct hv_request *rq, bool need_file, struct hv_upload *u,
                   struct hv_upload_refusal *why) {
  struct hv_app *app = rq->app;
  memset(u, 0, sizeof *u);
  hv_buf_init(&u->stripped, app->cfg->attachment_max);
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "multipart/form-data", 19) != 0)
    return refuse(why, 415, "unsupported_media_type",
                  "Send the file as multipart/form-data in a field named \"file\".");
  u->nparts = hv_multipart_parse(rq->arena, ct, rq->body ? rq->body : "", rq->body_len, u->parts,
                                 HV_MULTIPART_MAX_PARTS);
  if (u->nparts < 0)
    return refuse(why, 400, "invalid_form",
                  "The upload is malformed; please choose the file again.");
  u->file = hv_multipart_get(u->parts, u->nparts, "file");
  if (u->file && u->file->len == 0 && !u->file->filename)
    u->file = NULL;
  if (!u->file || u->file->len == 0) {
    u->file = NULL;
    return need_file ? refuse(why, 400, "missing_field", "Choose a file to attach.") : 0;
  }
  if (u->file->len > app->cfg->attachment_max)
    return refuse(why, 413, "too_large",
                  hv_arena_printf(rq->arena, "The file is too large: files may be up to %zu KB.",
                                  app->cfg->attachment_max / 1024));
  const unsigned char *bytes = (const unsigned char *)u->file->data;
  u->type = hv_file_sniff(bytes, u->file->len);
  if (u->type == HV_FILE_UNKNOWN) {
    hv_log(HV_LOG_INFO, "upload refused", HV_LS("request_id", rq->id),
           HV_LS("reason", "not JPEG, PNG or PDF by content"));
    return refuse(why, 415, "unsupported_media_type",
                  "Only JPEG, PNG and PDF files can be attached. The file's content is none of "
                  "these (its name does not matter).");
  }
  if (u->type == HV_FILE_PDF ? hv_pdf_check(bytes, u->file->len) != 0
                             : hv_image_strip(u->type, bytes, u->file->len, &u->stripped) != 0) {
    hv_log(HV_LOG_INFO, "upload refused", HV_LS("request_id", rq->id), HV_LS("reason", "malformed"),
           HV_LS("type", hv_file_mime(u->type)));
    return refuse(why, 415, "unsupported_media_type",
                  hv_arena_printf(rq->arena,
                                  "The file starts like a %s but is damaged or incomplete, so it "
                                  "cannot be checked. Please attach the original file.",
                                  type_name(u->type)));
  }
  u->data = u->type == HV_FILE_PDF ? bytes : (const unsigned char *)u->stripped.data;
  u->len = u->type == HV_FILE_PDF ? u->file->len : u->stripped.len;
  return 0;
}

const char *hv_upload_field(struct hv_request *rq, const struct hv_upload *u, const char *name) {
  const struct hv_part *p = u->nparts > 0 ? hv_multipart_get(u->parts, u->nparts, name) : NULL;
  if (!p || p->filename)
    return NULL;
  char *s = hv_arena_alloc(rq->arena, p->len + 1);
  if (!s)
    return NULL;
  memcpy(s, p->data, p->len);
  s[p->len] = '\0';
  return strlen(s) == p->len ? s : NULL; /* an embedded NUL is no text */
}

void hv_upload_free(struct hv_upload *u) {
  if (u)
    hv_buf_free(&u->stripped);
}

int hv_upload_keep(struct hv_request *rq, const char *kind, int64_t owner_id,
                   const struct hv_upload *u, char name[HV_ATTACH_NAME_LEN + 1]) {
  struct hv_app *app = rq->app;
  unsigned char key[HV_ATTACH_KEY_BYTES];
  char err[300];
  if (hv_attach_key_load(app->cfg->data, key, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "file key unavailable", HV_LS("request_id", rq->id), HV_LS("detail", err));
    return -1;
  }
  hv_attach_new_name(name);
  size_t slen = 0;
  unsigned char *sealed = hv_sealed_seal(key, kind, owner_id, name, u->data, u->len, &slen);
  sodium_memzero(key, sizeof key);
  int rc = 0;
  if (!sealed || hv_attach_file_write(app->cfg->data, name, sealed, slen, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "file not written", HV_LS("request_id", rq->id), HV_LS("kind", kind),
           HV_LS("detail", sealed ? err : "out of memory"));
    rc = -1;
  }
  free(sealed);
  return rc;
}

unsigned char *hv_upload_fetch(struct hv_request *rq, const char *kind, int64_t owner_id,
                               const char *storage_name, int64_t size, const char *content_type,
                               size_t *len) {
  struct hv_app *app = rq->app;
  unsigned char key[HV_ATTACH_KEY_BYTES];
  char err[300];
  size_t slen = 0, plen = 0;
  unsigned char *plain = NULL;
  unsigned char *sealed = size >= 0 ? hv_attach_file_read(app->cfg->data, storage_name,
                                                          (size_t)size + HV_ATTACH_OVERHEAD, &slen)
                                    : NULL;
  const char *why = sealed ? NULL : "file missing or unreadable";
  if (sealed && hv_attach_key_load(app->cfg->data, key, err, sizeof err) == 0) {
    plain = hv_sealed_open(key, kind, owner_id, storage_name, sealed, slen, &plen);
    sodium_memzero(key, sizeof key);
    const char *mime = plain ? hv_file_mime(hv_file_sniff(plain, plen)) : NULL;
    if (!plain)
      why = "decryption failed (changed, truncated, or another key)";
    else if ((int64_t)plen != size || !mime || strcmp(mime, content_type) != 0)
      why = "content does not match its record";
  } else if (sealed) {
    why = err;
  }
  free(sealed);
  if (why) {
    free(plain);
    hv_log(HV_LOG_ERROR, "stored file unreadable", HV_LS("request_id", rq->id), HV_LS("kind", kind),
           HV_LI("owner_id", owner_id), HV_LS("detail", why));
    return NULL;
  }
  *len = plen;
  return plain;
}

void hv_upload_send(struct hv_request *rq, const char *content_type, unsigned char *plain,
                    size_t len, const char *file_name) {
  /* The type is the one sniffed at upload; the body is always a download. */
  hv_reply_text(rq, 200, hv_arena_strdup(rq->arena, content_type), (const char *)plain, len, true);
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", file_name));
}
