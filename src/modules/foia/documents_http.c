/* FOIA documents over HTTP (MOIA, legal, admin):
 *
 *   POST /api/v1/foia/requests/{id}/documents          multipart: "file" and "document" (JSON)
 *   GET  /api/v1/foia/requests/{id}/documents/{did}    the file, as a download
 *   POST /foia/{id}/documents                          the request page's form (multipart)
 *   GET  /foia/{id}/documents/{did}                    the file, as a download
 *
 * An upload is checked in this order: the body's framing and the file's
 * size (413) and type by content (415; images lose their metadata), what
 * was typed about it (documents.c: 400/422 by field), the request (404);
 * then the file is sealed and written durably, and only then the row, its
 * exemptions, the version bump and the audit event are committed together
 * (a version that moved on answers 409 and removes the file again). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/log.h"
#include "modules/foia/deadline.h"
#include "modules/foia/docstore.h"
#include "modules/foia/documents.h"
#include "modules/foia/foia.h"
#include "modules/foia/requests.h"
#include "web/api.h"
#include "web/app.h"
#include "web/upload.h"

/* The most an upload route reads; `attachment_max` (at most 64 MiB) plus
 * the framing decides the real cap per server (HV_R_UPLOAD). */
#define ROUTE_MAX ((64u << 20) + HV_UPLOAD_SLACK)
#define KIND "foia-document"

static const char *const labels[][2] = {
    {"received_on", "Received on"},
    {"pages", "Pages received"},
    {"withheld_in_full", "Withheld in full"},
    {"withheld_in_part", "Withheld in part"},
    {"event_id", "Came with"},
    {"code", "Exemption"},
    {"file", "File"},
    {"version", "Version"},
};

static const char *label_of(const char *field) {
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (!strcmp(labels[i][0], field))
      return labels[i][1];
  return "Document";
}

/* Answers a problem: on the API the one error format (the field named as
 * in the JSON part, "document.exemptions[1].code" for a row), on the page
 * the request again with the message beside the form. */
static void fail(struct hv_request *rq, bool api, int status, const char *code, const char *field,
                 int row, const char *message) {
  if (api || status == 404) {
    const char *f = NULL;
    if (field && row >= 0)
      f = hv_arena_printf(rq->arena, "document.exemptions[%d].%s", row, field);
    else if (field && strcmp(field, "file") != 0)
      f = hv_arena_printf(rq->arena, "document.%s", field);
    else if (field)
      f = "file";
    hv_reply_error(rq, status, code, message, status == 404 || status >= 500 ? NULL : f);
    return;
  }
  const char *anchor = "doc_file";
  if (field && row >= 0)
    anchor = hv_arena_printf(rq->arena, "doc_ex_%s_%d",
                             !strcmp(field, "code")               ? "code"
                             : !strcmp(field, "withheld_in_full") ? "full"
                                                                  : "part",
                             row + 1);
  else if (field && strcmp(field, "file") != 0 && strcmp(field, "version") != 0)
    anchor = hv_arena_printf(rq->arena, "doc_%s", field);
  json_t *problems = json_pack("[{s:s, s:s, s:s}]", "anchor", anchor, "label",
                               row >= 0 ? hv_arena_printf(rq->arena, "Exemption row %d", row + 1)
                                        : label_of(field ? field : "file"),
                               "message", message);
  hv_foia_request_page(rq, status, hv_param(rq, "id")->num, problems, NULL);
}

/* The "document" JSON part of an API upload. */
struct doc_body {
  const char *received_on;
  int64_t pages, withheld_in_full, withheld_in_part, event_id, version;
  const json_t *exemptions;
};

#define DB(f) offsetof(struct doc_body, f)
static const struct hv_jfield doc_spec[] = {
    {"received_on", HV_J_DATE, true, DB(received_on), 0, 0, 0, 0, NULL},
    {"pages", HV_J_INT, true, DB(pages), 0, 0, 0, HV_FOIA_PAGES_MAX, NULL},
    {"withheld_in_full", HV_J_INT, false, DB(withheld_in_full), 0, 0, 0, HV_FOIA_PAGES_MAX, NULL},
    {"withheld_in_part", HV_J_INT, false, DB(withheld_in_part), 0, 0, 0, HV_FOIA_PAGES_MAX, NULL},
    {"event_id", HV_J_INT, false, DB(event_id), 0, 0, 1, INT64_MAX, NULL},
    {"version", HV_J_INT, true, DB(version), 0, 0, 1, 1000000000, NULL},
    {"exemptions", HV_J_ARRAY, false, DB(exemptions), 0, HV_FOIA_DOC_EXEMPTIONS_MAX, 0, 0, NULL},
};

struct ex_body {
  const char *code;
  int64_t withheld_in_full, withheld_in_part;
};

static const struct hv_jfield ex_spec[] = {
    {"code", HV_J_STRING, true, offsetof(struct ex_body, code), 1, 12, 0, 0, NULL},
    {"withheld_in_full", HV_J_INT, false, offsetof(struct ex_body, withheld_in_full), 0, 0, 0,
     HV_FOIA_PAGES_MAX, NULL},
    {"withheld_in_part", HV_J_INT, false, offsetof(struct ex_body, withheld_in_part), 0, 0, 0,
     HV_FOIA_PAGES_MAX, NULL},
};

/* Reads the API's "document" part into `d`. 0, or -1 after replying. */
static int read_api_doc(struct hv_request *rq, const struct hv_upload *u,
                        struct hv_foia_document_in *d, int64_t *version, json_t **j) {
  struct hv_jerr e;
  struct doc_body b = {NULL, HV_FOIA_UNSET, HV_FOIA_UNSET, HV_FOIA_UNSET, 0, 0, NULL};
  const struct hv_part *part = hv_multipart_get(u->parts, u->nparts, "document");
  memset(d, 0, sizeof *d);
  if (!part) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send what the document is in a part named \"document\": a JSON object with "
                   "received_on, pages, version and the exemptions cited.",
                   "document");
    return -1;
  }
  *j = hv_json_parse_object(part->data, part->len, &e);
  if (!*j || hv_json_unpack(*j, doc_spec, sizeof doc_spec / sizeof doc_spec[0], &b, &e)) {
    hv_reply_error(rq, 400, e.code, e.message,
                   hv_arena_printf(rq->arena, "document%s%s", e.field[0] ? "." : "", e.field));
    return -1;
  }
  d->received_on = b.received_on;
  d->pages = b.pages;
  d->withheld_in_full = b.withheld_in_full;
  d->withheld_in_part = b.withheld_in_part;
  d->event_id = b.event_id;
  *version = b.version;
  size_t i;
  json_t *x;
  json_array_foreach((json_t *)b.exemptions, i, x) {
    struct ex_body eb = {NULL, HV_FOIA_UNSET, HV_FOIA_UNSET};
    if (!json_is_object(x) || hv_json_unpack(x, ex_spec, 3, &eb, &e)) {
      hv_reply_error(rq, 400, json_is_object(x) ? e.code : "invalid_type",
                     json_is_object(x) ? e.message
                                       : "Each exemption is an object {\"code\", "
                                         "\"withheld_in_full\", \"withheld_in_part\"}.",
                     hv_arena_printf(rq->arena, "document.exemptions[%zu]%s%s", i,
                                     json_is_object(x) && e.field[0] ? "." : "",
                                     json_is_object(x) ? e.field : ""));
      return -1;
    }
    d->ex[d->n_ex++] =
        (struct hv_foia_exemption_in){eb.code, eb.withheld_in_full, eb.withheld_in_part};
  }
  return 0;
}

struct form_cls {
  struct hv_request *rq;
  const struct hv_upload *u;
};

static const char *form_get(void *cls, const char *name) {
  struct form_cls *f = cls;
  return hv_upload_field(f->rq, f->u, name);
}

static hv_day day_of(const json_t *v) {
  hv_day d;
  return json_is_string(v) && hv_day_parse(json_string_value(v), &d) == 0 ? d : HV_NO_DAY;
}

static void upload(struct hv_request *rq, bool api) {
  struct hv_app *app = rq->app;
  struct hv_upload u;
  struct hv_upload_refusal why;
  struct hv_foia_document_in d;
  struct hv_foia_problem p;
  struct hv_foia_document_write w;
  json_t *meta = NULL, *req = NULL;
  char name[HV_ATTACH_NAME_LEN + 1];
  bool kept = false;
  int64_t id = hv_param(rq, "id")->num, version = 0;
  memset(&w, 0, sizeof w);

  if (hv_upload_read(rq, false, &u, &why)) {
    fail(rq, api, why.status, why.code, "file", -1, why.message);
    goto out;
  }
  if (api) {
    if (read_api_doc(rq, &u, &d, &version, &meta))
      goto out;
  } else {
    struct form_cls fc = {rq, &u};
    if (hv_foia_document_from_form(form_get, &fc, &d, &p)) {
      fail(rq, false, 422, "invalid_value", p.field, p.row, p.message);
      goto out;
    }
    int64_t v;
    if (hv_foia_count_parse(form_get(&fc, "version"), &v) || v <= 0) {
      fail(rq, false, 400, "invalid_value", "version", -1,
           "The form is incomplete: reload the page and try again.");
      goto out;
    }
    version = v;
  }
  enum hv_qs qs = hv_foia_get(app->store, id, &req);
  if (qs == HV_QS_NONE) {
    fail(rq, api, 404, "not_found", NULL, -1, "There is no such FOIA request.");
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  hv_day submitted = day_of(json_object_get(req, "submitted_on"));
  if (submitted == HV_NO_DAY)
    submitted = day_of(json_object_get(req, "received_on"));
  if (hv_foia_document_check(&d, submitted, hv_foia_today(), &p)) {
    fail(rq, api, 422, "invalid_value", p.field, p.row, p.message);
    goto out;
  }
  if (!u.file) {
    fail(rq, api, 400, "missing_field", "file", -1,
         "Choose the file the agency sent (PDF, JPEG or PNG).");
    goto out;
  }
  if (hv_upload_keep(rq, KIND, id, &u, name)) {
    fail(rq, api, 500, "internal", NULL, -1, "The file could not be stored. Nothing was saved.");
    goto out;
  }
  kept = true;
  w.by = rq->principal;
  w.request_id = id;
  w.version = version;
  w.doc = &d;
  w.storage_name = name;
  w.content_type = hv_file_mime(u.type);
  w.size = (int64_t)u.len;
  qs = hv_foia_document_add(app->store, &w);
  if (qs > 0)
    kept = false; /* committed: the file is the row's now */
  if (qs == HV_QS_NONE)
    fail(rq, api, 404, "not_found", NULL, -1, "There is no such FOIA request.");
  else if (qs == HV_QS_CONFLICT && w.refusal)
    fail(rq, api, w.refusal_status, w.refusal_status == 409 ? "conflict" : "invalid_value", w.field,
         -1, w.refusal);
  else if (qs < 0 && api)
    hv_reply_store_error(rq, qs);
  else if (qs < 0)
    fail(rq, false, 503, "unavailable", NULL, -1,
         "The database did not answer. Nothing was saved; please try again.");
  if (qs <= 0)
    goto out;
  hv_log(HV_LOG_INFO, "foia document added", HV_LS("request_id", rq->id), HV_LI("foia_request", id),
         HV_LI("document", w.id), HV_LS("type", w.content_type));
  if (api) {
    json_t *v = hv_foia_request_view(rq, id);
    if (v) {
      hv_reply_json(rq, 201, v);
      hv_reply_header(rq, "Location",
                      hv_arena_printf(rq->arena, "/api/v1/foia/requests/%lld/documents/%lld",
                                      (long long)id, (long long)w.id));
    }
  } else {
    hv_reply_redirect(
        rq, 303, hv_arena_printf(rq->arena, "/foia/%lld?added=document#documents", (long long)id));
  }
out:
  if (kept && hv_attach_file_remove(app->cfg->data, name))
    hv_log(HV_LOG_WARN, "orphan document file left", HV_LS("request_id", rq->id),
           HV_LS("name", name));
  json_decref(meta);
  json_decref(req);
  hv_upload_free(&u);
}

static void api_upload(struct hv_request *rq) { upload(rq, true); }
static void page_upload(struct hv_request *rq) { upload(rq, false); }

static void download(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_foia_document d;
  int64_t id = hv_param(rq, "id")->num, did = hv_param(rq, "did")->num;
  enum hv_qs qs = hv_foia_document_get(app->store, id, did, &d);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such document.", NULL);
    return;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  size_t len = 0;
  unsigned char *plain =
      hv_upload_fetch(rq, KIND, d.request_id, d.storage_name, d.size, d.content_type, &len);
  if (!plain) {
    hv_reply_error(rq, 500, "internal",
                   "The file could not be read back intact. The administrators have been told.",
                   NULL);
    return;
  }
  hv_log(HV_LOG_INFO, "foia document downloaded", HV_LS("request_id", rq->id),
         HV_LS("actor", rq->principal->actor), HV_LI("foia_request", id), HV_LI("document", did));
  hv_upload_send(rq, d.content_type, plain, len, d.file_name);
}

#define FOIA HV_PERM_FOIA

const struct hv_route hv_foia_document_routes[] = {
    {HV_POST, "/api/v1/foia/requests/{id:int}/documents", FOIA, HV_R_API | HV_R_CSRF | HV_R_UPLOAD,
     ROUTE_MAX, api_upload},
    {HV_GET, "/api/v1/foia/requests/{id:int}/documents/{did:int}", FOIA, HV_R_API, 0, download},
    {HV_POST, "/foia/{id:int}/documents", FOIA, HV_R_CSRF | HV_R_UPLOAD, ROUTE_MAX, page_upload},
    {HV_GET, "/foia/{id:int}/documents/{did:int}", FOIA, 0, 0, download},
};
const size_t hv_foia_document_nroutes =
    sizeof hv_foia_document_routes / sizeof hv_foia_document_routes[0];
