/* Contractors' JSON API (docs/api/openapi.json):
 *
 *   GET/POST   /api/v1/contractors                 vendors (POST: MOIA, administrators)
 *   GET/PATCH  /api/v1/contractors/{id}            PATCH {"version", fields...}: 409 when stale
 *   POST       /api/v1/contractors/import          text/csv
 *   GET/POST   /api/v1/contracts                   ?department_id=&state=&q=
 *   GET        /api/v1/contracts/coverage          ?days=N (default 30)
 *   POST       /api/v1/contracts/import            text/csv (liaisons: own department's rows)
 *   GET/PATCH  /api/v1/contracts/{id}
 *   GET/POST   /api/v1/contracts/{id}/attestations multipart: file, signed_on, expires_on
 *   GET        /api/v1/contracts/{id}/attestations/{aid}   the signed document
 *   GET/POST   /api/v1/contracts/{id}/notices
 *   PATCH      /api/v1/contracts/{id}/notices/{nid}        the acknowledgement
 *
 * A contract outside a liaison's department answers 404, as if absent. The
 * attestation upload is shared with the contract page (pages.c). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/policy.h"
#include "core/buf.h"
#include "core/image.h"
#include "core/log.h"
#include "core/str.h"
#include "http/multipart.h"
#include "modules/contractors/contractors.h"
#include "modules/incidents/attach.h"
#include "web/api.h"
#include "web/app.h"

#define UPLOAD_ROUTE_MAX ((64u << 20) + HV_UPLOAD_SLACK)

static int64_t scope_of(struct hv_request *rq) { return hv_policy_department(rq->principal); }

/* Model messages are built in buffers that do not outlive the call: the
 * API copies the first one into the arena. */
struct first_copy {
  struct hv_arena *arena;
  const char *field, *msg;
};
static void first_copy(void *cls, const char *field, const char *msg) {
  struct first_copy *f = cls;
  if (!f->field) {
    f->field = field;
    f->msg = hv_arena_strdup(f->arena, msg);
  }
}

static void reply_invalid(struct hv_request *rq, const struct first_copy *f) {
  hv_reply_error(rq, 422, "invalid_value", f->msg, f->field);
}

/* --- contractors ------------------------------------------------------------------ */

struct vendor_body {
  const char *vendor_id, *name, *contact_name, *contact_email, *contact_phone;
  int64_t version;
};
#define VB(f) offsetof(struct vendor_body, f)
static const struct hv_jfield vendor_spec[] = {
    {"vendor_id", HV_J_STRING, false, VB(vendor_id), 0, 40, 0, 0, NULL},
    {"name", HV_J_STRING, false, VB(name), 0, 200, 0, 0, NULL},
    {"contact_name", HV_J_STRING, false, VB(contact_name), 0, 200, 0, 0, NULL},
    {"contact_email", HV_J_STRING, false, VB(contact_email), 0, 254, 0, 0, NULL},
    {"contact_phone", HV_J_STRING, false, VB(contact_phone), 0, 32, 0, 0, NULL},
    {"version", HV_J_INT, false, VB(version), 0, 0, 1, 1000000000, NULL},
};

static void api_vendors(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_contractors_list(app->store, hv_query(rq, "q"), &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static void reply_vendor(struct hv_request *rq, int status, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *v = NULL;
  enum hv_qs qs = hv_contractor_get(app->store, id, &v);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such contractor.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, status, v);
}

static void api_vendor(struct hv_request *rq) { reply_vendor(rq, 200, hv_param(rq, "id")->num); }

static void api_vendor_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct vendor_body b;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, vendor_spec, sizeof vendor_spec / sizeof vendor_spec[0], &b);
  if (!j)
    return;
  struct hv_contractor v = {b.vendor_id, b.name, b.contact_name, b.contact_email, b.contact_phone};
  struct first_copy f = {rq->arena, NULL, NULL};
  int64_t id = 0;
  if (json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "unknown_field", "A new contractor has no version yet.", "version");
  } else if (hv_contractor_problems(&v, first_copy, &f)) {
    reply_invalid(rq, &f);
  } else {
    enum hv_qs qs = hv_contractor_create(app->store, rq->principal, &v, &id);
    if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict", "A contractor with this vendor id is recorded already.",
                     "vendor_id");
    else if (qs <= 0)
      hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    else
      reply_vendor(rq, 201, id);
  }
  json_decref(j);
}

static const char *str_or(const json_t *o, const char *key, const char *given) {
  return given ? given : json_string_value(json_object_get(o, key));
}

static void api_vendor_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct vendor_body b;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  json_t *cur = NULL;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, vendor_spec, sizeof vendor_spec / sizeof vendor_spec[0], &b);
  if (!j)
    return;
  if (!json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
    goto out;
  }
  enum hv_qs qs = hv_contractor_get(app->store, id, &cur);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such contractor.", NULL);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  struct hv_contractor v = {str_or(cur, "vendor_id", b.vendor_id), str_or(cur, "name", b.name),
                            str_or(cur, "contact_name", b.contact_name),
                            str_or(cur, "contact_email", b.contact_email),
                            str_or(cur, "contact_phone", b.contact_phone)};
  struct first_copy f = {rq->arena, NULL, NULL};
  if (hv_contractor_problems(&v, first_copy, &f)) {
    reply_invalid(rq, &f);
    goto out;
  }
  qs = hv_contractor_update(app->store, rq->principal, id, b.version, &v, &current);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such contractor.", NULL);
  else if (qs == HV_QS_CONFLICT && current < 0)
    hv_reply_error(rq, 409, "conflict", "Another contractor has this vendor id.", "vendor_id");
  else if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "version_conflict",
                   hv_arena_printf(rq->arena,
                                   "Someone changed this contractor meanwhile (it is at version "
                                   "%lld now): read it again and make the change there.",
                                   (long long)current),
                   "version");
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    reply_vendor(rq, 200, id);
out:
  json_decref(cur);
  json_decref(j);
}

/* --- imports ------------------------------------------------------------------------ */

static void api_import(struct hv_request *rq, enum hv_contracts_import_kind kind) {
  struct hv_app *app = rq->app;
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
    hv_reply_error(rq, 415, "unsupported_media_type",
                   "Send the file as text/csv (UTF-8, the first row naming the columns).", NULL);
    return;
  }
  if (!rq->body || rq->body_len == 0) {
    hv_reply_error(rq, 400, "missing_field", "The file is empty.", NULL);
    return;
  }
  struct hv_contracts_import_result r;
  int rc = hv_contracts_import(app->store, rq->principal, scope_of(rq), kind, rq->body,
                               rq->body_len, &r);
  if (rc < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
  } else if (rc > 0) {
    size_t n = json_array_size(r.errors);
    hv_reply_json(rq, 422,
                  json_pack("{s:{s:s, s:s, s:n, s:O}}", "error", "code", "invalid_file", "message",
                            hv_arena_printf(rq->arena,
                                            "The file was refused and nothing was saved: %zu "
                                            "problem%s, listed by row and column in rows.",
                                            n, n == 1 ? "" : "s"),
                            "field", "rows", r.errors));
  } else {
    hv_reply_json(rq, 200,
                  json_pack("{s:s, s:i, s:i, s:i}", "file", hv_contracts_import_kind_name(kind),
                            "added", r.added, "updated", r.updated, "unchanged", r.unchanged));
  }
  hv_contracts_import_result_free(&r);
}

static void api_vendor_import(struct hv_request *rq) { api_import(rq, HV_CIMPORT_CONTRACTORS); }
static void api_contract_import(struct hv_request *rq) { api_import(rq, HV_CIMPORT_CONTRACTS); }

/* --- contracts ------------------------------------------------------------------------ */

/* The ?days= of coverage and contract views: 1 to 365, default 30; -1
 * after replying 400. */
static int days_param(struct hv_request *rq) {
  const char *d = hv_query(rq, "days");
  int64_t n = HV_COVERAGE_DAYS_DEFAULT;
  if (d && hv_parse_i64(d, 1, HV_COVERAGE_DAYS_MAX, &n)) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Give the days that count as expiring as a whole number from 1 to 365.", "days");
    return -1;
  }
  return (int)n;
}

static void api_contracts(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11], horizon[11];
  int days = days_param(rq);
  if (days < 0)
    return;
  hv_contracts_today(today);
  hv_contracts_add_days(today, days, horizon);
  const char *dept = hv_query(rq, "department_id"), *state = hv_query(rq, "state");
  struct hv_contract_filter f = {scope_of(rq), 0, hv_query(rq, "q"), -1, today, horizon};
  if (dept && *dept && hv_parse_i64(dept, 1, INT64_MAX, &f.department_id)) {
    hv_reply_error(rq, 400, "invalid_value", "Give a department's id.", "department_id");
    return;
  }
  if (state && *state && (f.state = hv_cov_state_parse(state)) < 0) {
    hv_reply_error(rq, 400, "invalid_value",
                   "The states are not_required, inactive, valid, expiring, expired and missing.",
                   "state");
    return;
  }
  json_t *items = NULL;
  enum hv_qs qs = hv_contracts_list(app->store, &f, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:s, s:o}", "today", today, "items", items));
}

static void add_links(json_t *k) {
  size_t i;
  json_t *a;
  long long id = (long long)json_integer_value(json_object_get(k, "id"));
  json_array_foreach(json_object_get(k, "attestations"), i, a) {
    char url[96];
    snprintf(url, sizeof url, "/api/v1/contracts/%lld/attestations/%lld", id,
             (long long)json_integer_value(json_object_get(a, "id")));
    json_object_set_new(a, "download", json_string(url));
  }
}

static void reply_contract(struct hv_request *rq, int status, int64_t id) {
  struct hv_app *app = rq->app;
  char today[11], horizon[11];
  hv_contracts_today(today);
  hv_contracts_add_days(today, HV_COVERAGE_DAYS_DEFAULT, horizon);
  json_t *k = NULL;
  enum hv_qs qs = hv_contract_get(app->store, id, scope_of(rq), today, horizon, &k);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
  } else if (qs < 0) {
    hv_reply_store_error(rq, qs);
  } else {
    add_links(k);
    hv_reply_json(rq, status, k);
  }
}

static void api_contract(struct hv_request *rq) {
  reply_contract(rq, 200, hv_param(rq, "id")->num);
}

struct contract_body {
  const char *number, *title, *starts_on, *ends_on;
  int64_t contractor_id, department_id, onsite_personnel, version;
  bool on_city_property;
};
#define CB(f) offsetof(struct contract_body, f)
static const struct hv_jfield contract_spec[] = {
    {"number", HV_J_STRING, false, CB(number), 0, 40, 0, 0, NULL},
    {"title", HV_J_STRING, false, CB(title), 0, 200, 0, 0, NULL},
    {"starts_on", HV_J_STRING, false, CB(starts_on), 0, 10, 0, 0, NULL},
    {"ends_on", HV_J_STRING, false, CB(ends_on), 0, 10, 0, 0, NULL},
    {"contractor_id", HV_J_INT, false, CB(contractor_id), 0, 0, 1, INT64_MAX, NULL},
    {"department_id", HV_J_INT, false, CB(department_id), 0, 0, 1, INT64_MAX, NULL},
    {"onsite_personnel", HV_J_INT, false, CB(onsite_personnel), 0, 0, -1000000, 1000000, NULL},
    {"on_city_property", HV_J_BOOL, false, CB(on_city_property), 0, 0, 0, 0, NULL},
    {"version", HV_J_INT, false, CB(version), 0, 0, 1, 1000000000, NULL},
};
#define NCSPEC (sizeof contract_spec / sizeof contract_spec[0])

/* Replies to a failed contract write. */
static void contract_write_error(struct hv_request *rq, enum hv_qs qs, const char *field,
                                 int64_t current) {
  if (field && !strcmp(field, "contractor_id"))
    hv_reply_error(rq, 422, "invalid_value", "There is no such contractor.", field);
  else if (field && !strcmp(field, "department_id"))
    hv_reply_error(rq, 422, "invalid_value", "There is no such department.", field);
  else if (field && !strcmp(field, "number"))
    hv_reply_error(rq, 409, "conflict", "A contract with this number is recorded already.",
                   "number");
  else if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
  else if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "version_conflict",
                   hv_arena_printf(rq->arena,
                                   "Someone changed this contract meanwhile (it is at version "
                                   "%lld now): read it again and make the change there.",
                                   (long long)current),
                   "version");
  else
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
}

/* A liaison records contracts for their own department only. */
static bool department_allowed(struct hv_request *rq, int64_t dept) {
  int64_t scope = scope_of(rq);
  if (scope == 0 || scope == dept)
    return true;
  hv_reply_error(rq, 422, "invalid_value", "You may record contracts only for your own department.",
                 "department_id");
  return false;
}

static void api_contract_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct contract_body b;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, contract_spec, NCSPEC, &b);
  if (!j)
    return;
  if (!b.department_id && scope_of(rq) > 0)
    b.department_id = scope_of(rq); /* a liaison's own department by default */
  struct hv_contract k = {b.number,        b.title,         b.starts_on,        b.ends_on,
                          b.contractor_id, b.department_id, b.on_city_property, b.onsite_personnel};
  struct first_copy f = {rq->arena, NULL, NULL};
  const char *field = NULL;
  int64_t id = 0;
  if (json_object_get(j, "version"))
    hv_reply_error(rq, 400, "unknown_field", "A new contract has no version yet.", "version");
  else if (!json_object_get(j, "on_city_property"))
    hv_reply_error(rq, 400, "missing_field",
                   "Say whether the contract's personnel work on City property (true or false).",
                   "on_city_property");
  else if (hv_contract_problems(&k, first_copy, &f))
    reply_invalid(rq, &f);
  else if (department_allowed(rq, k.department_id)) {
    enum hv_qs qs = hv_contract_create(app->store, rq->principal, &k, &id, &field);
    if (qs <= 0)
      contract_write_error(rq, qs, field, 0);
    else
      reply_contract(rq, 201, id);
  }
  json_decref(j);
}

static void api_contract_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct contract_body b;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  char today[11];
  json_t *cur = NULL;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, contract_spec, NCSPEC, &b);
  if (!j)
    return;
  if (!json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
    goto out;
  }
  hv_contracts_today(today);
  enum hv_qs qs = hv_contract_get(app->store, id, scope_of(rq), today, today, &cur);
  if (qs <= 0) {
    contract_write_error(rq, qs, NULL, 0);
    goto out;
  }
  struct hv_contract k = {
      str_or(cur, "number", b.number),
      str_or(cur, "title", b.title),
      str_or(cur, "starts_on", b.starts_on),
      str_or(cur, "ends_on", b.ends_on),
      b.contractor_id
          ? b.contractor_id
          : json_integer_value(json_object_get(json_object_get(cur, "contractor"), "id")),
      b.department_id
          ? b.department_id
          : json_integer_value(json_object_get(json_object_get(cur, "department"), "id")),
      json_object_get(j, "on_city_property")
          ? b.on_city_property
          : json_is_true(json_object_get(cur, "on_city_property")),
      json_object_get(j, "onsite_personnel")
          ? b.onsite_personnel
          : json_integer_value(json_object_get(cur, "onsite_personnel"))};
  struct first_copy f = {rq->arena, NULL, NULL};
  const char *field = NULL;
  if (hv_contract_problems(&k, first_copy, &f)) {
    reply_invalid(rq, &f);
    goto out;
  }
  if (!department_allowed(rq, k.department_id))
    goto out;
  qs = hv_contract_update(app->store, rq->principal, scope_of(rq), id, b.version, &k, &current,
                          &field);
  if (qs <= 0)
    contract_write_error(rq, qs, field, current);
  else
    reply_contract(rq, 200, id);
out:
  json_decref(cur);
  json_decref(j);
}

/* --- attestations ----------------------------------------------------------------------- */

static void api_attestations(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11];
  json_t *k = NULL;
  hv_contracts_today(today);
  enum hv_qs qs =
      hv_contract_get(app->store, hv_param(rq, "id")->num, scope_of(rq), today, today, &k);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
  } else if (qs < 0) {
    hv_reply_store_error(rq, qs);
  } else {
    add_links(k);
    hv_reply_json(rq, 200, json_pack("{s:O}", "items", json_object_get(k, "attestations")));
  }
  json_decref(k);
}

/* A text field of a multipart form, copied into the arena; NULL when absent
 * or empty. */
static const char *part_text(struct hv_request *rq, const struct hv_part *parts, int n,
                             const char *name) {
  const struct hv_part *p = hv_multipart_get(parts, n, name);
  if (!p || p->len == 0 || p->len > 200)
    return NULL;
  char *s = hv_arena_alloc(rq->arena, p->len + 1);
  if (!s)
    return NULL;
  memcpy(s, p->data, p->len);
  s[p->len] = '\0';
  return s;
}

/* Fails an upload: the API's error, or the contract page with the message. */
static void upload_fail(struct hv_request *rq, bool api, int status, const char *code,
                        const char *field, const char *message) {
  if (api || status == 404) {
    hv_reply_error(rq, status, code, message, status == 404 || status >= 500 ? NULL : field);
    return;
  }
  json_t *problems = json_pack("[{s:s, s:s, s:s}]", "anchor", field ? field : "file", "label",
                               !field || !strcmp(field, "file") ? "Signed document"
                               : !strcmp(field, "signed_on")    ? "Signed on"
                                                                : "Expires on",
                               "message", message);
  hv_contract_page(rq, status, hv_param(rq, "id")->num, problems, NULL);
}

void hv_attestation_upload(struct hv_request *rq, bool api) {
  struct hv_app *app = rq->app;
  struct hv_attestation_write w;
  struct hv_buf stripped;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  unsigned char key[HV_ATTACH_KEY_BYTES], digest[crypto_hash_sha256_BYTES];
  unsigned char *sealed = NULL;
  char name[HV_ATTACH_NAME_LEN + 1], sha[65], today[11], err[300];
  int64_t id = hv_param(rq, "id")->num;
  memset(&w, 0, sizeof w);
  hv_buf_init(&stripped, app->cfg->attachment_max);
  w.by = rq->principal;
  w.scope = scope_of(rq);
  w.contract_id = id;
  hv_contracts_today(today);

  /* Who first: a contract out of scope is not found, whatever was sent. */
  enum hv_qs qs = hv_contract_in_scope(app->store, id, w.scope);
  if (qs == HV_QS_NONE) {
    upload_fail(rq, api, 404, "not_found", NULL, "There is no such contract.");
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "multipart/form-data", 19) != 0) {
    upload_fail(rq, api, 415, "unsupported_media_type", "file",
                "Send the signed document as multipart/form-data in a field named \"file\", "
                "with signed_on and expires_on.");
    goto out;
  }
  int n = hv_multipart_parse(rq->arena, ct, rq->body ? rq->body : "", rq->body_len, parts,
                             HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    upload_fail(rq, api, 400, "invalid_form", "file",
                "The upload is malformed; please choose the file again.");
    goto out;
  }
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  w.signed_on = part_text(rq, parts, n, "signed_on");
  w.expires_on = part_text(rq, parts, n, "expires_on");
  struct first_copy f = {rq->arena, NULL, NULL};
  if (hv_attestation_problems(w.signed_on, w.expires_on, today, first_copy, &f)) {
    upload_fail(rq, api, 422, "invalid_value", f.field, f.msg);
    goto out;
  }
  if (!file || file->len == 0) {
    upload_fail(rq, api, 400, "missing_field", "file",
                "Choose the signed attestation (PDF, JPEG or PNG).");
    goto out;
  }
  if (file->len > app->cfg->attachment_max) {
    upload_fail(rq, api, 413, "too_large", "file",
                hv_arena_printf(rq->arena, "The file is too large: documents may be up to %zu KB.",
                                app->cfg->attachment_max / 1024));
    goto out;
  }
  const unsigned char *bytes = (const unsigned char *)file->data;
  enum hv_filetype t = hv_file_sniff(bytes, file->len);
  if (t == HV_FILE_UNKNOWN) {
    upload_fail(rq, api, 415, "unsupported_media_type", "file",
                "Only PDF, JPEG and PNG files can be recorded. The file's content is none of "
                "these (its name does not matter).");
    goto out;
  }
  /* Images lose EXIF, GPS and other metadata; PDFs are kept as signed. */
  const unsigned char *plain = bytes;
  size_t plen = file->len;
  if (t == HV_FILE_PDF ? hv_pdf_check(bytes, file->len) != 0
                       : hv_image_strip(t, bytes, file->len, &stripped) != 0) {
    upload_fail(rq, api, 415, "unsupported_media_type", "file",
                "The file is damaged or incomplete, so it cannot be checked. Please attach the "
                "original file.");
    goto out;
  }
  if (t != HV_FILE_PDF) {
    plain = (const unsigned char *)stripped.data;
    plen = stripped.len;
  }
  crypto_hash_sha256(digest, plain, plen);
  sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);

  if (hv_attach_key_load(app->cfg->data, key, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "attestation key unavailable", HV_LS("request_id", rq->id),
           HV_LS("detail", err));
    upload_fail(rq, api, 500, "internal", "file",
                "The document could not be stored. Nothing was saved.");
    goto out;
  }
  hv_attach_new_name(name);
  size_t slen = 0;
  sealed = hv_sealed_seal(key, "attestation", id, name, plain, plen, &slen);
  sodium_memzero(key, sizeof key);
  if (!sealed || hv_attach_file_write(app->cfg->data, name, sealed, slen, err, sizeof err)) {
    hv_log(HV_LOG_ERROR, "attestation not written", HV_LS("request_id", rq->id),
           HV_LS("detail", sealed ? err : "out of memory"));
    upload_fail(rq, api, 500, "internal", "file",
                "The document could not be stored. Nothing was saved.");
    goto out;
  }
  /* The file is durable: now the row and its audit event, together. */
  w.storage_name = name;
  w.content_type = hv_file_mime(t);
  /* The name shown is made here: an uploaded file's name may name people. */
  w.file_name = hv_arena_printf(rq->arena, "attestation-%lld-signed-%s.%s", (long long)id,
                                w.signed_on, hv_attach_ext(w.content_type));
  w.sha256 = sha;
  w.size = (int64_t)plen;
  qs = hv_attestation_add(app->store, &w);
  if ((qs <= 0 || w.replayed) && hv_attach_file_remove(app->cfg->data, name))
    hv_log(HV_LOG_WARN, "orphan attestation file left", HV_LS("request_id", rq->id),
           HV_LS("name", name));
  if (qs == HV_QS_NONE) {
    upload_fail(rq, api, 404, "not_found", NULL, "There is no such contract.");
    goto out;
  }
  if (qs == HV_QS_CONFLICT) {
    upload_fail(rq, api, 409, "conflict", "file", "The contract holds 100 attestations already.");
    goto out;
  }
  if (qs < 0) {
    if (api)
      hv_reply_store_error(rq, qs);
    else
      upload_fail(rq, false, 503, "unavailable", "file",
                  "The database did not answer. Nothing was saved; please try again.");
    goto out;
  }
  if (api) {
    reply_contract(rq, w.replayed ? 200 : 201, id);
  } else {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/contracts/%lld?added=attestation#attestations",
                                      (long long)id));
  }
out:
  free(sealed);
  hv_buf_free(&stripped);
}

static void api_attestation_upload(struct hv_request *rq) { hv_attestation_upload(rq, true); }

void hv_attestation_download(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_attestation_file a;
  unsigned char key[HV_ATTACH_KEY_BYTES], digest[crypto_hash_sha256_BYTES];
  char err[300], sha[65];
  int64_t id = hv_param(rq, "id")->num, aid = hv_param(rq, "aid")->num;
  enum hv_qs qs = hv_attestation_get(app->store, id, aid, scope_of(rq), &a);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such attestation.", NULL);
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
    plain = hv_sealed_open(key, "attestation", a.contract_id, a.storage_name,
                              sealed, slen, &plen);
    sodium_memzero(key, sizeof key);
    if (plain) {
      crypto_hash_sha256(digest, plain, plen);
      sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);
    }
    if (!plain)
      why = "decryption failed (changed, truncated, or another key)";
    else if ((int64_t)plen != a.size || strcmp(sha, a.sha256) != 0)
      why = "content does not match its record";
  } else if (sealed) {
    why = err;
  }
  free(sealed);
  if (why) {
    free(plain);
    hv_log(HV_LOG_ERROR, "attestation unreadable", HV_LS("request_id", rq->id),
           HV_LI("contract_id", id), HV_LI("attestation_id", aid), HV_LS("detail", why));
    hv_reply_error(rq, 500, "internal",
                   "The document could not be read back intact. The administrators have been "
                   "told.",
                   NULL);
    return;
  }
  hv_log(HV_LOG_INFO, "attestation downloaded", HV_LS("request_id", rq->id),
         HV_LS("actor", rq->principal->actor), HV_LI("contract_id", id),
         HV_LI("attestation_id", aid));
  hv_reply_text(rq, 200, hv_arena_strdup(rq->arena, a.content_type), (const char *)plain, plen,
                true);
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "attachment; filename=\"%s\"", a.file_name));
  hv_reply_header(rq, "X-Content-SHA256", hv_arena_strdup(rq->arena, a.sha256));
}

/* --- notices ------------------------------------------------------------------------------ */

struct notice_body {
  const char *sent_on, *method, *acknowledged_on, *acknowledged_by_role;
  int64_t version;
};
#define NB(f) offsetof(struct notice_body, f)
static const struct hv_jfield notice_spec[] = {
    {"sent_on", HV_J_STRING, false, NB(sent_on), 0, 10, 0, 0, NULL},
    {"method", HV_J_STRING, false, NB(method), 0, 20, 0, 0, NULL},
    {"acknowledged_on", HV_J_STRING, false, NB(acknowledged_on), 0, 10, 0, 0, NULL},
    {"acknowledged_by_role", HV_J_STRING, false, NB(acknowledged_by_role), 0, 80, 0, 0, NULL},
    {"version", HV_J_INT, false, NB(version), 0, 0, 1, 1000000000, NULL},
};
#define NNSPEC (sizeof notice_spec / sizeof notice_spec[0])

static void api_notices(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11];
  json_t *k = NULL;
  hv_contracts_today(today);
  enum hv_qs qs =
      hv_contract_get(app->store, hv_param(rq, "id")->num, scope_of(rq), today, today, &k);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:O}", "items", json_object_get(k, "notices")));
  json_decref(k);
}

static const char *empty_null(const char *s) { return s && *s ? s : NULL; }

static void reply_notice(struct hv_request *rq, int status, int64_t contract_id, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *n = NULL;
  enum hv_qs qs = hv_notice_get(app->store, scope_of(rq), contract_id, id, &n);
  if (qs <= 0)
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  else
    hv_reply_json(rq, status, n);
}

static void api_notice_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct notice_body b;
  char today[11];
  int64_t cid = hv_param(rq, "id")->num, nid = 0;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, notice_spec, NNSPEC, &b);
  if (!j)
    return;
  hv_contracts_today(today);
  struct first_copy f = {rq->arena, NULL, NULL};
  const char *ack = empty_null(b.acknowledged_on), *role = empty_null(b.acknowledged_by_role);
  if (json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "unknown_field", "A new notice has no version yet.", "version");
  } else if (hv_notice_problems(b.sent_on, b.method, ack, role, today, first_copy, &f)) {
    reply_invalid(rq, &f);
  } else {
    bool replayed = false;
    enum hv_qs qs = hv_notice_add(app->store, rq->principal, scope_of(rq), cid, b.sent_on, b.method,
                                  ack, role, &nid, &replayed);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict", "The contract holds 100 notices already.", NULL);
    else if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      reply_notice(rq, replayed ? 200 : 201, cid, nid);
  }
  json_decref(j);
}

static void api_notice_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct notice_body b;
  char today[11];
  int64_t cid = hv_param(rq, "id")->num, nid = hv_param(rq, "nid")->num, current = 0;
  json_t *cur = NULL;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, notice_spec, NNSPEC, &b);
  if (!j)
    return;
  if (!json_object_get(j, "version")) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
    goto out;
  }
  if (b.sent_on || b.method) {
    hv_reply_error(rq, 400, "unknown_field",
                   "A notice's sending is recorded once: record a new notice if it was sent again.",
                   b.sent_on ? "sent_on" : "method");
    goto out;
  }
  enum hv_qs qs = hv_notice_get(app->store, scope_of(rq), cid, nid, &cur);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such notice.", NULL);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  hv_contracts_today(today);
  const char *ack = json_object_get(j, "acknowledged_on")
                        ? empty_null(b.acknowledged_on)
                        : json_string_value(json_object_get(cur, "acknowledged_on"));
  const char *role =
      json_object_get(j, "acknowledged_by_role")
          ? empty_null(b.acknowledged_by_role)
          : empty_null(json_string_value(json_object_get(cur, "acknowledged_by_role")));
  struct first_copy f = {rq->arena, NULL, NULL};
  if (hv_notice_problems(json_string_value(json_object_get(cur, "sent_on")),
                         json_string_value(json_object_get(cur, "method")), ack, role, today,
                         first_copy, &f)) {
    reply_invalid(rq, &f);
    goto out;
  }
  qs = hv_notice_update(app->store, rq->principal, scope_of(rq), cid, nid, b.version, ack, role,
                        &current);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such notice.", NULL);
  else if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "version_conflict",
                   hv_arena_printf(rq->arena,
                                   "Someone changed this notice meanwhile (it is at version %lld "
                                   "now): read it again and make the change there.",
                                   (long long)current),
                   "version");
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    reply_notice(rq, 200, cid, nid);
out:
  json_decref(cur);
  json_decref(j);
}

/* --- coverage ------------------------------------------------------------------------------ */

static void api_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11];
  int days = days_param(rq);
  json_t *out = NULL;
  if (days < 0)
    return;
  hv_contracts_today(today);
  enum hv_qs qs = hv_coverage(app->store, scope_of(rq), today, days, &out);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, out);
}

#define READ HV_PERM_CONTRACTS_READ
#define WRITE HV_PERM_CONTRACTS_WRITE
#define VENDORS HV_PERM_CONTRACTS_VENDORS
#define DOCS HV_PERM_CONTRACTS_DOCUMENTS
#define W (HV_R_API | HV_R_CSRF)
#define CSV_MAX HV_CONTRACTS_CSV_MAX_BYTES

const struct hv_route hv_contracts_routes[] = {
    {HV_GET, "/api/v1/contractors", READ, HV_R_API, 0, api_vendors},
    {HV_POST, "/api/v1/contractors", VENDORS, W, 8192, api_vendor_create},
    {HV_POST, "/api/v1/contractors/import", VENDORS, W, CSV_MAX, api_vendor_import},
    {HV_GET, "/api/v1/contractors/{id:int}", READ, HV_R_API, 0, api_vendor},
    {HV_PATCH, "/api/v1/contractors/{id:int}", VENDORS, W, 8192, api_vendor_update},
    {HV_GET, "/api/v1/contracts", READ, HV_R_API, 0, api_contracts},
    {HV_POST, "/api/v1/contracts", WRITE, W, 8192, api_contract_create},
    {HV_GET, "/api/v1/contracts/coverage", READ, HV_R_API, 0, api_coverage},
    {HV_POST, "/api/v1/contracts/import", WRITE, W, CSV_MAX, api_contract_import},
    {HV_GET, "/api/v1/contracts/{id:int}", READ, HV_R_API, 0, api_contract},
    {HV_PATCH, "/api/v1/contracts/{id:int}", WRITE, W, 8192, api_contract_update},
    {HV_GET, "/api/v1/contracts/{id:int}/attestations", READ, HV_R_API, 0, api_attestations},
    {HV_POST, "/api/v1/contracts/{id:int}/attestations", WRITE, W | HV_R_UPLOAD, UPLOAD_ROUTE_MAX,
     api_attestation_upload},
    {HV_GET, "/api/v1/contracts/{id:int}/attestations/{aid:int}", DOCS, HV_R_API, 0,
     hv_attestation_download},
    {HV_GET, "/api/v1/contracts/{id:int}/notices", READ, HV_R_API, 0, api_notices},
    {HV_POST, "/api/v1/contracts/{id:int}/notices", WRITE, W, 4096, api_notice_add},
    {HV_PATCH, "/api/v1/contracts/{id:int}/notices/{nid:int}", WRITE, W, 4096, api_notice_update},
};
const size_t hv_contracts_nroutes = sizeof hv_contracts_routes / sizeof hv_contracts_routes[0];
