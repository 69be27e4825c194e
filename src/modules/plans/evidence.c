/* Evidence files on preparedness plans, through the incident attachment
 * machinery (modules/incidents/attach.h): JPEG, PNG and PDF recognised by
 * content, the size cap (413), images stripped of EXIF/GPS, the file
 * sealed with XChaCha20-Poly1305 under the data folder's key and written
 * durably under a random name before its row and audit event are
 * committed. On top: the SHA-256 of the file as uploaded, a version per
 * evidence item (a new file for item N is N's next version) and the day
 * the evidence takes effect.
 *
 * A plan's files are sealed with the associated data of "report" -plan_id
 * (incident ids are positive), so a plan's file never opens as an
 * incident's, nor one plan's as another's. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/buf.h"
#include "core/image.h"
#include "core/json.h"
#include "core/log.h"
#include "http/multipart.h"
#include "modules/incidents/attach.h"
#include "modules/plans/plans.h"
#include "web/api.h"
#include "web/app.h"

static int64_t seal_id(int64_t plan) { return -plan; }

/* A part's text as a NUL-terminated copy in the arena (NULL when absent). */
static const char *part_text(struct hv_request *rq, const struct hv_part *parts, int n,
                             const char *name) {
  const struct hv_part *p = n > 0 ? hv_multipart_get(parts, n, name) : NULL;
  if (!p)
    return NULL;
  char *s = hv_arena_alloc(rq->arena, p->len + 1);
  if (!s)
    return NULL;
  memcpy(s, p->data, p->len);
  s[p->len] = '\0';
  return s;
}

/* The uploaded name reduced to safe ASCII for records and downloads. */
static void clean_name(const char *in, const char *ext, int64_t item, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; in && in[i] && o + 1 < cap && o < 100; i++) {
    char c = in[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || (c == '.' && o > 0);
    out[o++] = ok ? c : '_';
  }
  out[o] = '\0';
  if (!o)
    snprintf(out, cap, "evidence-%lld.%s", (long long)item, ext ? ext : "bin");
}

static bool int_text(const char *s, int64_t lo, int64_t hi, int64_t *out) {
  char *end = NULL;
  if (!s || !*s)
    return false;
  long long v = strtoll(s, &end, 10);
  if (*end || v < lo || v > hi)
    return false;
  *out = v;
  return true;
}

static void fail(struct hv_request *rq, bool api, int status, const char *code, const char *field,
                 const char *message) {
  if (api || status == 404 || status >= 500) {
    hv_reply_error(rq, status, code, message, status == 404 || status >= 500 ? NULL : field);
    return;
  }
  json_t *problems = json_array();
  json_array_append_new(problems, json_pack("{s:s, s:s, s:s}", "anchor",
                                            hv_arena_printf(rq->arena, "file-%lld",
                                                            (long long)hv_param(rq, "rid")->num),
                                            "label", "Evidence", "message", message));
  hv_plans_page(rq, status, hv_param(rq, "id")->num, problems, NULL);
}

static void upload(struct hv_request *rq, bool api) {
  struct hv_app *app = rq->app;
  struct hv_plan_outcome o;
  struct hv_evidence e;
  struct hv_buf stripped;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  unsigned char key[HV_ATTACH_KEY_BYTES], sha[crypto_hash_sha256_BYTES];
  unsigned char *sealed = NULL;
  char name[HV_ATTACH_NAME_LEN + 1], err[300];
  int64_t id = hv_param(rq, "id")->num, rid = hv_param(rq, "rid")->num, scope;
  int64_t version = 0, item = 0;
  memset(&e, 0, sizeof e);
  hv_buf_init(&stripped, app->cfg->attachment_max);
  scope = hv_policy_department(rq->principal);

  /* Who first: a plan out of scope is not found, whatever was sent. */
  enum hv_qs qs = hv_evidence_may_add(app->store, scope, id, rid, 0, &o);
  if (qs == HV_QS_NONE) {
    fail(rq, api, 404, "not_found", NULL, "There is no such plan.");
    goto out;
  }
  if (qs == HV_QS_CONFLICT && o.refusal) {
    fail(rq, api, o.status, o.code, o.field, o.refusal);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "multipart/form-data", 19) != 0) {
    fail(rq, api, 415, "unsupported_media_type", "file",
         "Send the file as multipart/form-data in a field named \"file\".");
    goto out;
  }
  int n = hv_multipart_parse(rq->arena, ct, rq->body ? rq->body : "", rq->body_len, parts,
                             HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    fail(rq, api, 400, "invalid_form", "file",
         "The upload is malformed; please choose the file again.");
    goto out;
  }
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  const char *vtext = part_text(rq, parts, n, "version");
  const char *eff = part_text(rq, parts, n, "effective_on");
  const char *itext = part_text(rq, parts, n, "item");
  if (!int_text(vtext, 1, 1000000000, &version)) {
    fail(rq, api, 400, "missing_field", "version",
         "Send the plan's version you read, so a change made meanwhile is not overwritten.");
    goto out;
  }
  if (!eff || !hv_date_valid(eff)) {
    fail(rq, api, 422, "invalid_value", "effective_on",
         "Give the day the evidence takes effect, as YYYY-MM-DD.");
    goto out;
  }
  if (itext && *itext && !int_text(itext, 1, 100000, &item)) {
    fail(rq, api, 422, "invalid_value", "item", "The evidence item is a number.");
    goto out;
  }
  if (!file || file->len == 0) {
    fail(rq, api, 400, "missing_field", "file", "Choose a file to attach.");
    goto out;
  }
  if (file->len > app->cfg->attachment_max) {
    fail(rq, api, 413, "too_large", "file",
         hv_arena_printf(rq->arena, "The file is too large: evidence files may be up to %zu KB.",
                         app->cfg->attachment_max / 1024));
    goto out;
  }
  const unsigned char *bytes = (const unsigned char *)file->data;
  enum hv_filetype t = hv_file_sniff(bytes, file->len);
  if (t == HV_FILE_UNKNOWN) {
    fail(rq, api, 415, "unsupported_media_type", "file",
         "Only JPEG, PNG and PDF files can be attached. The file's content is none of these "
         "(its name does not matter).");
    goto out;
  }
  const unsigned char *plain = bytes;
  size_t plen = file->len;
  if (t == HV_FILE_PDF ? hv_pdf_check(bytes, file->len) != 0
                       : hv_image_strip(t, bytes, file->len, &stripped) != 0) {
    fail(rq, api, 415, "unsupported_media_type", "file",
         "The file is damaged or incomplete, so it cannot be checked. Please attach the "
         "original file.");
    goto out;
  }
  if (t != HV_FILE_PDF) {
    plain = (const unsigned char *)stripped.data;
    plen = stripped.len;
  }
  /* The digest is of the file as the department has it. */
  crypto_hash_sha256(sha, bytes, file->len);
  sodium_bin2hex(e.sha256, sizeof e.sha256, sha, sizeof sha);

  if (hv_attach_key_load(app->cfg->data, key, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "evidence key unavailable", HV_LS("request_id", rq->id),
           HV_LS("detail", err));
    fail(rq, api, 500, "internal", NULL, "The file could not be stored. Nothing was saved.");
    goto out;
  }
  hv_attach_new_name(name);
  size_t slen = 0;
  sealed = hv_attach_seal(key, seal_id(id), name, plain, plen, &slen);
  sodium_memzero(key, sizeof key);
  if (!sealed || hv_attach_file_write(app->cfg->data, name, sealed, slen, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "evidence not written", HV_LS("request_id", rq->id),
           HV_LS("detail", sealed ? err : "out of memory"));
    fail(rq, api, 500, "internal", NULL, "The file could not be stored. Nothing was saved.");
    goto out;
  }
  e.plan_id = id;
  e.requirement_id = rid;
  e.item = item;
  e.size = (int64_t)plen;
  snprintf(e.content_type, sizeof e.content_type, "%s", hv_file_mime(t));
  snprintf(e.storage_name, sizeof e.storage_name, "%s", name);
  snprintf(e.effective_on, sizeof e.effective_on, "%s", eff);
  clean_name(file->filename, hv_attach_ext(hv_file_mime(t)), item, e.file_name, sizeof e.file_name);
  qs = hv_evidence_add(app->store, rq->principal, scope, version, &e, &o);
  if (qs <= 0 && hv_attach_file_remove(app->cfg->data, name))
    hv_log(HV_LOG_WARN, "orphan evidence file left", HV_LS("request_id", rq->id),
           HV_LS("name", name));
  if (qs == HV_QS_NONE) {
    fail(rq, api, 404, "not_found", NULL, "There is no such plan.");
    goto out;
  }
  if (qs == HV_QS_CONFLICT && o.code && !strcmp(o.code, "version_conflict")) {
    fail(rq, api, 409, "version_conflict", "version",
         hv_arena_printf(rq->arena,
                         "Someone changed this plan meanwhile (it is at version %lld now): read "
                         "it again and attach the file there.",
                         (long long)o.current));
    goto out;
  }
  if (qs == HV_QS_CONFLICT && o.refusal) {
    fail(rq, api, o.status, o.code, o.field, o.refusal);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  const char *dl = hv_arena_printf(rq->arena, "/api/v1/plans/%lld/evidence/%lld", (long long)id,
                                   (long long)e.id);
  if (api) {
    hv_reply_json(rq, 201,
                  json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s}", "id",
                            (json_int_t)e.id, "plan_id", (json_int_t)id, "requirement_id",
                            (json_int_t)rid, "item", (json_int_t)e.item, "version",
                            (json_int_t)e.version, "file_name", e.file_name, "content_type",
                            e.content_type, "size", (json_int_t)e.size, "sha256", e.sha256,
                            "effective_on", e.effective_on, "uploaded_at",
                            (json_int_t)e.uploaded_at, "download", dl));
    hv_reply_header(rq, "Location", dl);
  } else {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/plans/%lld?saved=evidence#req-%lld",
                                      (long long)id, (long long)rid));
  }
out:
  free(sealed);
  hv_buf_free(&stripped);
}

void hv_plans_evidence_api_upload(struct hv_request *rq) { upload(rq, true); }
void hv_plans_evidence_page_upload(struct hv_request *rq) { upload(rq, false); }

void hv_plans_evidence_download(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_evidence e;
  unsigned char key[HV_ATTACH_KEY_BYTES];
  char err[300];
  int64_t id = hv_param(rq, "id")->num, eid = hv_param(rq, "eid")->num;
  enum hv_qs qs = hv_evidence_get(app->store, id, eid, hv_policy_department(rq->principal), &e);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such evidence file.", NULL);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  size_t slen = 0, plen = 0;
  unsigned char *plain = NULL;
  unsigned char *sealed = hv_attach_file_read(app->cfg->data, e.storage_name,
                                              (size_t)e.size + HV_ATTACH_OVERHEAD, &slen);
  const char *why = sealed ? NULL : "file missing or unreadable";
  if (sealed && hv_attach_key_load(app->cfg->data, key, err, sizeof err) == 0) {
    plain = hv_attach_open(key, seal_id(id), e.storage_name, sealed, slen, &plen);
    sodium_memzero(key, sizeof key);
    if (!plain)
      why = "decryption failed (changed, truncated, or another key)";
    else if ((int64_t)plen != e.size)
      why = "size does not match its record";
  } else if (sealed) {
    why = err;
  }
  free(sealed);
  if (why) {
    free(plain);
    hv_log(HV_LOG_ERROR, "evidence unreadable", HV_LS("request_id", rq->id), HV_LI("plan_id", id),
           HV_LI("evidence_id", eid), HV_LS("detail", why));
    hv_reply_error(rq, 500, "internal",
                   "The file could not be read back intact. The administrators have been told.",
                   NULL);
    return;
  }
  hv_reply_text(rq, 200, hv_arena_strdup(rq->arena, e.content_type), (const char *)plain, plen,
                true);
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", e.file_name));
}
