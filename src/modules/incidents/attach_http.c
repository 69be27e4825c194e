/* Attachments over HTTP: upload (API and the report page's form), list,
 * download. Who: adding follows the report's edit rule (attach.c,
 * check_may_add); listing and downloading follow its read rule, so a report
 * outside the caller's department answers 404 exactly as the report does.
 * Downloads are always attachments (never shown inline), with the sniffed
 * type, nosniff and no-store. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/buf.h"
#include "core/image.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "http/multipart.h"
#include "modules/incidents/attach.h"
#include "modules/incidents/incidents.h"
#include "web/api.h"
#include "web/app.h"

/* The most any upload route reads; `attachment_max` (at most 64 MiB) plus
 * the framing decides the real cap per server (HV_R_UPLOAD). */
#define ROUTE_MAX ((64u << 20) + HV_UPLOAD_SLACK)

/* Answers an error on the API in the one error format, or on the report
 * page beside the upload form. */
static void fail(struct hv_request *rq, bool api, int status, const char *code,
                 const char *message) {
  if (api) {
    hv_reply_error(rq, status, code, message, status == 404 || status >= 500 ? NULL : "file");
    return;
  }
  if (status == 404) {
    hv_reply_error(rq, 404, "not_found", message, NULL);
    return;
  }
  json_t *problems = json_array();
  json_array_append_new(problems,
                        json_pack("{s:s, s:s}", "field", "Attachment", "message", message));
  hv_incident_page(rq, status, hv_param(rq, "id")->num, NULL, problems);
}

static json_t *attachment_json(struct hv_request *rq, const struct hv_attachment *a) {
  return json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "id", (json_int_t)a->id,
                   "incident_id", (json_int_t)a->incident_id, "file_name", a->file_name,
                   "content_type", a->content_type, "size", (json_int_t)a->size, "uploaded_by",
                   (json_int_t)a->uploaded_by, "uploaded_at", (json_int_t)a->uploaded_at,
                   "download",
                   hv_arena_printf(rq->arena, "/api/v1/incidents/%lld/attachments/%lld",
                                   (long long)a->incident_id, (long long)a->id));
}

/* The Idempotency-Key header (1 to 100 printable ASCII characters). A
 * retry builds a new multipart body (a new boundary), so the request is
 * identified by the report and the file's bytes, not the raw body. */
static int idempotency(struct hv_request *rq, int64_t id, const struct hv_part *file,
                       const char **key, char hash[65]) {
  const char *k = hv_header(rq, "Idempotency-Key");
  *key = NULL;
  if (!k)
    return 0;
  size_t n = strlen(k);
  bool ok = n >= 1 && n <= 100;
  for (size_t i = 0; ok && i < n; i++)
    ok = k[i] > 0x20 && k[i] < 0x7f;
  if (!ok) {
    hv_reply_error(rq, 400, "invalid_value",
                   "The Idempotency-Key must be 1 to 100 printable characters.", "Idempotency-Key");
    return -1;
  }
  unsigned char h[32];
  crypto_generichash_state st;
  char prefix[48];
  int pn = snprintf(prefix, sizeof prefix, "attachment:%lld:", (long long)id);
  crypto_generichash_init(&st, NULL, 0, sizeof h);
  crypto_generichash_update(&st, (const unsigned char *)prefix, (unsigned long long)pn);
  crypto_generichash_update(&st, (const unsigned char *)file->data, file->len);
  crypto_generichash_final(&st, h, sizeof h);
  sodium_bin2hex(hash, 65, h, sizeof h);
  *key = k;
  return 0;
}

static const char *type_name(enum hv_filetype t) {
  return t == HV_FILE_JPEG ? "JPEG image" : t == HV_FILE_PNG ? "PNG image" : "PDF";
}

static void upload(struct hv_request *rq, bool api) {
  struct hv_app *app = rq->app;
  struct hv_attachment_write w;
  struct hv_buf stripped;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  unsigned char key[HV_ATTACH_KEY_BYTES];
  unsigned char *sealed = NULL;
  char name[HV_ATTACH_NAME_LEN + 1], hash[65], err[300];
  int64_t id = hv_param(rq, "id")->num;
  memset(&w, 0, sizeof w);
  hv_buf_init(&stripped, app->cfg->attachment_max);
  w.by = rq->principal;
  w.scope = hv_policy_department(rq->principal);
  w.incident_id = id;

  /* Who first: a report out of scope is not found, whatever was sent. */
  enum hv_qs qs = hv_attachment_may_add(app->store, &w);
  if (qs == HV_QS_NONE) {
    fail(rq, api, 404, "not_found", "There is no such report.");
    goto out;
  }
  if (qs == HV_QS_CONFLICT && w.refusal) {
    fail(rq, api, w.refusal_status, "conflict", w.refusal);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }

  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "multipart/form-data", 19) != 0) {
    fail(rq, api, 415, "unsupported_media_type",
         "Send the file as multipart/form-data in a field named \"file\".");
    goto out;
  }
  int n = hv_multipart_parse(rq->arena, ct, rq->body ? rq->body : "", rq->body_len, parts,
                             HV_MULTIPART_MAX_PARTS);
  const struct hv_part *file = n > 0 ? hv_multipart_get(parts, n, "file") : NULL;
  if (n < 0) {
    fail(rq, api, 400, "invalid_form", "The upload is malformed; please choose the file again.");
    goto out;
  }
  if (!file || file->len == 0) {
    fail(rq, api, 400, "missing_field", "Choose a file to attach.");
    goto out;
  }
  if (file->len > app->cfg->attachment_max) {
    fail(rq, api, 413, "too_large",
         hv_arena_printf(rq->arena, "The file is too large: attachments may be up to %zu KB.",
                         app->cfg->attachment_max / 1024));
    goto out;
  }
  const unsigned char *bytes = (const unsigned char *)file->data;
  enum hv_filetype t = hv_file_sniff(bytes, file->len);
  if (t == HV_FILE_UNKNOWN) {
    hv_log(HV_LOG_INFO, "attachment refused", HV_LS("request_id", rq->id),
           HV_LS("reason", "not JPEG, PNG or PDF by content"));
    fail(rq, api, 415, "unsupported_media_type",
         "Only JPEG, PNG and PDF files can be attached. The file's content is none of these "
         "(its name does not matter).");
    goto out;
  }
  /* Images lose EXIF, GPS, XMP, comments and thumbnails; the walk also
   * proves the file is whole. PDFs are kept as they are. */
  const unsigned char *plain = bytes;
  size_t plen = file->len;
  if (t == HV_FILE_PDF ? hv_pdf_check(bytes, file->len) != 0
                       : hv_image_strip(t, bytes, file->len, &stripped) != 0) {
    hv_log(HV_LOG_INFO, "attachment refused", HV_LS("request_id", rq->id),
           HV_LS("reason", "malformed"), HV_LS("type", hv_file_mime(t)));
    fail(rq, api, 415, "unsupported_media_type",
         hv_arena_printf(rq->arena,
                         "The file starts like a %s but is damaged or incomplete, so it cannot "
                         "be checked. Please attach the original file.",
                         type_name(t)));
    goto out;
  }
  if (t != HV_FILE_PDF) {
    plain = (const unsigned char *)stripped.data;
    plen = stripped.len;
  }
  if (api && idempotency(rq, id, file, &w.idem_key, hash))
    goto out;
  w.idem_hash = hash;

  if (hv_attach_key_load(app->cfg->data, key, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "attachment key unavailable", HV_LS("request_id", rq->id),
           HV_LS("detail", err));
    fail(rq, api, 500, "internal", "The file could not be stored. Nothing was saved.");
    goto out;
  }
  hv_attach_new_name(name);
  size_t slen = 0;
  sealed = hv_attach_seal(key, id, name, plain, plen, &slen);
  sodium_memzero(key, sizeof key);
  if (!sealed || hv_attach_file_write(app->cfg->data, name, sealed, slen, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "attachment not written", HV_LS("request_id", rq->id),
           HV_LS("detail", sealed ? err : "out of memory"));
    fail(rq, api, 500, "internal", "The file could not be stored. Nothing was saved.");
    goto out;
  }

  /* The file is durable: now the row and its audit event, together. */
  w.storage_name = name;
  w.content_type = hv_file_mime(t);
  w.size = (int64_t)plen;
  qs = hv_attachment_add(app->store, &w);
  if (qs <= 0 || w.replayed) {
    if (hv_attach_file_remove(app->cfg->data, name))
      hv_log(HV_LOG_WARN, "orphan attachment file left", HV_LS("request_id", rq->id),
             HV_LS("name", name));
  }
  if (qs == HV_QS_NONE) {
    fail(rq, api, 404, "not_found", "There is no such report.");
    goto out;
  }
  if (qs == HV_QS_CONFLICT && w.refusal) {
    fail(rq, api, w.refusal_status, w.refusal_status == 422 ? "refused" : "conflict", w.refusal);
    goto out;
  }
  if (qs < 0) {
    if (api)
      hv_reply_store_error(rq, qs);
    else
      fail(rq, false, 503, "unavailable",
           "The database did not answer. Nothing was saved; please try again.");
    goto out;
  }
  hv_log(HV_LOG_INFO, "attachment added", HV_LS("request_id", rq->id), HV_LI("incident_id", id),
         HV_LI("attachment_id", w.row.id), HV_LS("type", w.row.content_type),
         HV_LI("replayed", w.replayed));
  if (api) {
    hv_reply_json(rq, 201, attachment_json(rq, &w.row));
    hv_reply_header(rq, "Location",
                    hv_arena_printf(rq->arena, "/api/v1/incidents/%lld/attachments/%lld",
                                    (long long)id, (long long)w.row.id));
  } else {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/incidents/%lld?attached=%lld#attachments",
                                      (long long)id, (long long)w.row.id));
  }
out:
  free(sealed);
  hv_buf_free(&stripped);
}

static void api_upload(struct hv_request *rq) { upload(rq, true); }
static void page_upload(struct hv_request *rq) { upload(rq, false); }

static void api_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items;
  int64_t id = hv_param(rq, "id")->num;
  enum hv_qs qs = hv_attachments_list(app->store, id, hv_policy_department(rq->principal), &items);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such report.", NULL);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    json_object_set_new(it, "download",
                        json_string(hv_arena_printf(
                            rq->arena, "/api/v1/incidents/%lld/attachments/%lld", (long long)id,
                            (long long)json_integer_value(json_object_get(it, "id")))));
  }
  hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

/* A name safe inside a quoted header parameter on every platform. */
static const char *safe_name(struct hv_request *rq, const struct hv_attachment *a) {
  char *s = hv_arena_strdup(rq->arena, a->file_name);
  size_t n = s ? strlen(s) : 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || (c == '.' && i > 0)))
      s[i] = '_';
  }
  const char *ext = hv_attach_ext(a->content_type);
  if (!n)
    return hv_arena_printf(rq->arena, "attachment-%lld.%s", (long long)a->id, ext ? ext : "bin");
  return s;
}

static void download(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_attachment a;
  unsigned char key[HV_ATTACH_KEY_BYTES];
  char err[300];
  int64_t id = hv_param(rq, "id")->num, aid = hv_param(rq, "aid")->num;
  enum hv_qs qs = hv_attachment_get(app->store, id, aid, hv_policy_department(rq->principal), &a);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such attachment.", NULL);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  size_t slen = 0, plen = 0;
  unsigned char *plain = NULL;
  unsigned char *sealed = hv_attach_file_read(app->cfg->data, a.storage_name,
                                              (size_t)a.size + HV_ATTACH_OVERHEAD, &slen);
  const char *why = sealed ? NULL : "file missing or unreadable";
  if (sealed && hv_attach_key_load(app->cfg->data, key, err, sizeof err) == 0) {
    plain = hv_attach_open(key, a.incident_id, a.storage_name, sealed, slen, &plen);
    sodium_memzero(key, sizeof key);
    if (!plain)
      why = "decryption failed (changed, truncated, or another key)";
    else if ((int64_t)plen != a.size || !hv_file_mime(hv_file_sniff(plain, plen)) ||
             strcmp(hv_file_mime(hv_file_sniff(plain, plen)), a.content_type) != 0)
      why = "content does not match its record";
  } else if (sealed) {
    why = err;
  }
  free(sealed);
  if (why) {
    /* Never a partial or unverified byte: the whole file or an error. */
    free(plain);
    hv_log(HV_LOG_ERROR, "attachment unreadable", HV_LS("request_id", rq->id),
           HV_LI("incident_id", id), HV_LI("attachment_id", aid), HV_LS("detail", why));
    hv_reply_error(rq, 500, "internal",
                   "The file could not be read back intact. The administrators have been told.",
                   NULL);
    return;
  }
  hv_log(HV_LOG_INFO, "attachment downloaded", HV_LS("request_id", rq->id),
         HV_LS("actor", rq->principal->actor), HV_LI("incident_id", id),
         HV_LI("attachment_id", aid));
  /* The type is the one sniffed at upload; the body is always a download. */
  hv_reply_text(rq, 200, hv_arena_strdup(rq->arena, a.content_type), (const char *)plain, plen,
                true);
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", safe_name(rq, &a)));
}

/* --- the report page ------------------------------------------------------- */

void hv_attachments_page_ctx(struct hv_request *rq, const json_t *incident, json_t *ctx) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  int64_t id = json_integer_value(json_object_get(incident, "id"));
  if (hv_attachments_list(app->store, id, hv_policy_department(rq->principal), &items) <= 0)
    items = json_array();
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char when[64];
    hv_time_format(json_integer_value(json_object_get(it, "uploaded_at")), when, sizeof when);
    json_int_t size = json_integer_value(json_object_get(it, "size"));
    json_object_set_new(it, "when", json_string(when));
    json_object_set_new(
        it, "size_label",
        json_string(hv_arena_printf(rq->arena, "%lld KB", (long long)((size + 1023) / 1024))));
    json_object_set_new(
        it, "download",
        json_string(hv_arena_printf(rq->arena, "/incidents/%lld/attachments/%lld", (long long)id,
                                    (long long)json_integer_value(json_object_get(it, "id")))));
  }
  /* The same rule as check_may_add, for showing the form. */
  int st = hv_status_parse(json_string_value(json_object_get(incident, "status")));
  bool citywide = (rq->roles & HV_CITYWIDE) != 0;
  bool can = (rq->roles & HV_PERM_INCIDENT_WRITE) != 0 &&
             (st == HV_ST_DRAFT || st == HV_ST_NEEDS_INFO ||
              ((st == HV_ST_SUBMITTED || st == HV_ST_IN_REVIEW) && citywide));
  json_object_set_new(ctx, "has_attachments", json_boolean(json_array_size(items) > 0));
  json_object_set_new(ctx, "attachments", items);
  json_object_set_new(ctx, "can_attach", json_boolean(can));
  size_t max = app->cfg->attachment_max;
  json_object_set_new(ctx, "attachment_max_label",
                      json_string(max >= (1u << 20)
                                      ? hv_arena_printf(rq->arena, "%zu MB", max >> 20)
                                      : hv_arena_printf(rq->arena, "%zu KB", max >> 10)));
}

#define WRITE HV_PERM_INCIDENT_WRITE
#define READ HV_PERM_INCIDENT_READ

const struct hv_route hv_attachment_routes[] = {
    {HV_POST, "/api/v1/incidents/{id:int}/attachments", WRITE, HV_R_API | HV_R_CSRF | HV_R_UPLOAD,
     ROUTE_MAX, api_upload},
    {HV_GET, "/api/v1/incidents/{id:int}/attachments", READ, HV_R_API, 0, api_list},
    {HV_GET, "/api/v1/incidents/{id:int}/attachments/{aid:int}", READ, HV_R_API, 0, download},
    {HV_POST, "/incidents/{id:int}/attachments", WRITE, HV_R_CSRF | HV_R_UPLOAD, ROUTE_MAX,
     page_upload},
    {HV_GET, "/incidents/{id:int}/attachments/{aid:int}", READ, 0, 0, download},
};
const size_t hv_attachment_nroutes = sizeof hv_attachment_routes / sizeof hv_attachment_routes[0];
