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
#include "modules/incidents/attach.h"
#include "modules/incidents/incidents.h"
#include "web/api.h"
#include "web/app.h"
#include "web/upload.h"

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

static void upload(struct hv_request *rq, bool api) {
  struct hv_app *app = rq->app;
  struct hv_attachment_write w;
  struct hv_upload u;
  struct hv_upload_refusal why;
  char name[HV_ATTACH_NAME_LEN + 1], hash[65];
  int64_t id = hv_param(rq, "id")->num;
  memset(&w, 0, sizeof w);
  memset(&u, 0, sizeof u);
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
  /* Images lose EXIF, GPS, XMP, comments and thumbnails; PDFs are kept as
   * they are (web/upload.c). */
  if (hv_upload_read(rq, true, &u, &why)) {
    fail(rq, api, why.status, why.code, why.message);
    goto out;
  }
  if (api && idempotency(rq, id, u.file, &w.idem_key, hash))
    goto out;
  w.idem_hash = hash;
  if (hv_upload_keep(rq, "attachment", id, &u, name)) {
    fail(rq, api, 500, "internal", "The file could not be stored. Nothing was saved.");
    goto out;
  }

  /* The file is durable: now the row and its audit event, together. */
  w.storage_name = name;
  w.content_type = hv_file_mime(u.type);
  w.size = (int64_t)u.len;
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
  hv_upload_free(&u);
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
  size_t plen = 0;
  unsigned char *plain = hv_upload_fetch(rq, "attachment", a.incident_id, a.storage_name, a.size,
                                         a.content_type, &plen);
  if (!plain) {
    /* Never a partial or unverified byte: the whole file or an error. */
    hv_log(HV_LOG_ERROR, "attachment unreadable", HV_LS("request_id", rq->id),
           HV_LI("incident_id", id), HV_LI("attachment_id", aid));
    hv_reply_error(rq, 500, "internal",
                   "The file could not be read back intact. The administrators have been told.",
                   NULL);
    return;
  }
  hv_log(HV_LOG_INFO, "attachment downloaded", HV_LS("request_id", rq->id),
         HV_LS("actor", rq->principal->actor), HV_LI("incident_id", id),
         HV_LI("attachment_id", aid));
  hv_upload_send(rq, a.content_type, plain, plen, safe_name(rq, &a));
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
