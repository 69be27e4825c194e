/* FOIA documents: SQL (see docstore.h). */
#include "modules/foia/docstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/foia/requests.h"

#define NZ(s) ((s) ? (s) : "")
#define TRAIL_MAX 2000

static struct hv_sql q_request = HV_SQL("SELECT version FROM foia_requests WHERE id = ?");
static struct hv_sql q_event =
    HV_SQL("SELECT type FROM foia_events WHERE id = ? AND request_id = ?");
static struct hv_sql q_count = HV_SQL("SELECT COUNT(*) FROM foia_documents WHERE request_id = ?");
static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO foia_documents (request_id, storage_name, file_name, content_type, size, "
    "received_on, pages, withheld_in_full, withheld_in_part, event_id, uploaded_by, uploaded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_insert_ex =
    HV_SQL("INSERT INTO foia_document_exemptions (document_id, code, withheld_in_full, "
           "withheld_in_part) VALUES (?, ?, ?, ?)");
static struct hv_sql q_bump = HV_SQL("UPDATE foia_requests SET version = version + 1, updated_at "
                                     "= ? WHERE id = ? AND version = ?");
static struct hv_sql q_docs = HV_SQL(
    "SELECT id, file_name, content_type, size, received_on, pages, withheld_in_full, "
    "withheld_in_part, event_id, uploaded_by, uploaded_at FROM foia_documents WHERE request_id = ? "
    "ORDER BY received_on, id LIMIT ?");
static struct hv_sql q_doc_ex = HV_SQL(
    "SELECT x.document_id, x.code, x.withheld_in_full, x.withheld_in_part FROM "
    "foia_document_exemptions x JOIN foia_documents d ON d.id = x.document_id WHERE d.request_id "
    "= ? ORDER BY x.document_id, x.id");
static struct hv_sql q_doc = HV_SQL(
    "SELECT id, request_id, storage_name, file_name, content_type, size FROM foia_documents WHERE "
    "request_id = ? AND id = ?");
static struct hv_sql q_trail = HV_SQL(
    "SELECT seq, at, actor, action, hash FROM audit_events WHERE object_type = 'foia_request' AND "
    "object_id = ? ORDER BY seq LIMIT ?");

static int text_row(void *cls, const struct hv_row *r) {
  snprintf(cls, 40, "%s", NZ(hv_row_text(r, 0)));
  return 1;
}

static enum hv_qs refuse(struct hv_foia_document_write *w, int status, const char *field,
                         const char *why) {
  w->refusal_status = status;
  w->field = field;
  w->refusal = why;
  return HV_QS_CONFLICT;
}

static enum hv_qs add_tx(struct hv_conn *c, void *cls) {
  struct hv_foia_document_write *w = cls;
  const struct hv_foia_document_in *d = w->doc;
  int64_t count = 0, now = hv_clock_wall_ms();
  struct hv_param k[] = {HV_P_INT(w->request_id)};
  w->refusal = NULL;
  enum hv_qs qs = hv_db_int(c, &q_request, k, 1, &w->current);
  if (qs <= 0)
    return qs;
  if (w->current != w->version)
    return refuse(w, 409, "version",
                  "Someone changed this request meanwhile: read it again and add the document "
                  "there.");
  if (d->event_id) {
    char type[40] = "";
    struct hv_param e[] = {HV_P_INT(d->event_id), HV_P_INT(w->request_id)};
    if ((qs = hv_db_query(c, &q_event, e, 2, text_row, type)) < 0)
      return qs;
    if (strcmp(type, "interim_release") != 0 && strcmp(type, "final_response") != 0)
      return refuse(w, 422, "event_id",
                    "Choose an interim release or the final response of this request's timeline "
                    "(or none).");
  }
  if ((qs = hv_db_int(c, &q_count, k, 1, &count)) < 0)
    return qs;
  if (count >= HV_FOIA_DOCUMENTS_MAX)
    return refuse(w, 409, "file", "The request holds 500 documents, the most it can.");
  const char *ext = hv_attach_ext(w->content_type);
  if (!ext)
    return HV_QS_HARD; /* BUG: the handler sniffed something we do not store */
  char file_name[64];
  snprintf(file_name, sizeof file_name, "foia-%lld-%lld.%s", (long long)w->request_id,
           (long long)count + 1, ext);
  struct hv_param p[] = {HV_P_INT(w->request_id),
                         HV_P_TEXT(w->storage_name),
                         HV_P_TEXT(file_name),
                         HV_P_TEXT(w->content_type),
                         HV_P_INT(w->size),
                         HV_P_TEXT(d->received_on),
                         HV_P_INT(d->pages),
                         HV_P_INT(d->withheld_in_full),
                         HV_P_INT(d->withheld_in_part),
                         d->event_id ? HV_P_INT(d->event_id) : HV_P_NULL,
                         HV_P_INT(w->by->user_id),
                         HV_P_INT(now)};
  if ((qs = hv_db_int(c, &q_insert, p, 12, &w->id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *ex = json_array();
  for (size_t i = 0; i < d->n_ex; i++) {
    struct hv_param x[] = {HV_P_INT(w->id), HV_P_TEXT(d->ex[i].code),
                           HV_P_INT(d->ex[i].withheld_in_full),
                           HV_P_INT(d->ex[i].withheld_in_part)};
    if ((qs = hv_db_exec(c, &q_insert_ex, x, 4)) < 0) {
      json_decref(ex);
      return qs;
    }
    json_array_append_new(ex, json_pack("{s:s, s:I, s:I}", "code", d->ex[i].code,
                                        "withheld_in_full", (json_int_t)d->ex[i].withheld_in_full,
                                        "withheld_in_part", (json_int_t)d->ex[i].withheld_in_part));
  }
  struct hv_param b[] = {HV_P_INT(now), HV_P_INT(w->request_id), HV_P_INT(w->version)};
  if ((qs = hv_db_exec(c, &q_bump, b, 3)) <= 0) {
    json_decref(ex);
    return qs < 0 ? qs : HV_QS_RETRY;
  }
  /* The audit event commits to what was added, never to the content. */
  json_t *change = json_pack(
      "{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:o, s:o}", "document", (json_int_t)w->id,
      "file_name", file_name, "content_type", w->content_type, "size", (json_int_t)w->size,
      "received_on", d->received_on, "pages", (json_int_t)d->pages, "withheld_in_full",
      (json_int_t)d->withheld_in_full, "withheld_in_part", (json_int_t)d->withheld_in_part,
      "event_id", d->event_id ? json_integer(d->event_id) : json_null(), "exemptions", ex);
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)w->request_id);
  char *text = hv_json_dump(change, NULL);
  json_decref(change);
  struct hv_audit_event ev = {w->by->actor, "foia.document.add", "foia_request",
                              oid,          text ? text : "",    text ? strlen(text) : 0};
  qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_foia_document_add(struct hv_store *s, struct hv_foia_document_write *w) {
  return hv_store_tx(s, true, add_tx, w);
}

/* --- reads ------------------------------------------------------------------ */

static int doc_row(void *cls, const struct hv_row *r) {
  int64_t pages = hv_row_int(r, 5), full = hv_row_int(r, 6), part = hv_row_int(r, 7);
  json_array_append_new(
      cls, json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:[]}", "id",
                     (json_int_t)hv_row_int(r, 0), "file_name", NZ(hv_row_text(r, 1)),
                     "content_type", NZ(hv_row_text(r, 2)), "size", (json_int_t)hv_row_int(r, 3),
                     "received_on", NZ(hv_row_text(r, 4)), "pages", (json_int_t)pages,
                     "withheld_in_full", (json_int_t)full, "withheld_in_part", (json_int_t)part,
                     "released_in_full", (json_int_t)(pages - full - part), "event_id",
                     hv_row_null(r, 8) ? json_null() : json_integer(hv_row_int(r, 8)),
                     "uploaded_by", (json_int_t)hv_row_int(r, 9), "uploaded_at",
                     (json_int_t)hv_row_int(r, 10), "exemptions"));
  return 0;
}

static int ex_row(void *cls, const struct hv_row *r) {
  size_t i;
  json_t *d;
  json_array_foreach((json_t *)cls, i, d) {
    if (json_integer_value(json_object_get(d, "id")) != hv_row_int(r, 0))
      continue;
    const char *code = NZ(hv_row_text(r, 1));
    int x = hv_foia_exemption_find(code);
    json_array_append_new(json_object_get(d, "exemptions"),
                          json_pack("{s:s, s:s, s:I, s:I}", "code", code, "description",
                                    x >= 0 ? hv_foia_exemptions[x].description : "",
                                    "withheld_in_full", (json_int_t)hv_row_int(r, 2),
                                    "withheld_in_part", (json_int_t)hv_row_int(r, 3)));
    break;
  }
  return 0;
}

enum hv_qs hv_foia_documents_read(struct hv_conn *c, int64_t id, json_t **out) {
  json_t *docs = json_array();
  struct hv_param p[] = {HV_P_INT(id), HV_P_INT(HV_FOIA_DOCUMENTS_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_docs, p, 2, doc_row, docs);
  if (qs >= 0 && json_array_size(docs) > 0)
    qs = hv_db_query(c, &q_doc_ex, p, 1, ex_row, docs);
  if (qs < 0) {
    json_decref(docs);
    return qs;
  }
  *out = docs;
  return HV_QS_ONE;
}

static int one_doc(void *cls, const struct hv_row *r) {
  struct hv_foia_document *d = cls;
  d->id = hv_row_int(r, 0);
  d->request_id = hv_row_int(r, 1);
  snprintf(d->storage_name, sizeof d->storage_name, "%s", NZ(hv_row_text(r, 2)));
  snprintf(d->file_name, sizeof d->file_name, "%s", NZ(hv_row_text(r, 3)));
  snprintf(d->content_type, sizeof d->content_type, "%s", NZ(hv_row_text(r, 4)));
  d->size = hv_row_int(r, 5);
  return 1;
}

struct get_args {
  int64_t request_id, id;
  struct hv_foia_document *out;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->request_id), HV_P_INT(a->id)};
  memset(a->out, 0, sizeof *a->out);
  return hv_db_query(c, &q_doc, p, 2, one_doc, a->out);
}

enum hv_qs hv_foia_document_get(struct hv_store *s, int64_t request_id, int64_t id,
                                struct hv_foia_document *out) {
  struct get_args a = {request_id, id, out};
  return hv_store_tx(s, false, get_tx, &a);
}

static int trail_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls, json_pack("{s:I, s:I, s:s, s:s, s:s}", "seq", (json_int_t)hv_row_int(r, 0), "at",
                     (json_int_t)hv_row_int(r, 1), "actor", NZ(hv_row_text(r, 2)), "action",
                     NZ(hv_row_text(r, 3)), "hash", NZ(hv_row_text(r, 4))));
  return 0;
}

struct trail_args {
  int64_t id;
  json_t *out;
};

static enum hv_qs trail_tx(struct hv_conn *c, void *cls) {
  struct trail_args *a = cls;
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)a->id);
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_TEXT(oid), HV_P_INT(TRAIL_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_trail, p, 2, trail_row, a->out);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_foia_audit_trail(struct hv_store *s, int64_t id, json_t **out) {
  struct trail_args a = {id, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, trail_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}
