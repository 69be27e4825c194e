/* Contractors' staff pages, server-rendered and usable without JavaScript:
 *
 *   GET  /contracts                          the list, filtered by department, state, text
 *   GET  /contracts/coverage                 coverage per department and the gaps
 *   GET  /contracts/import, POST             upload a contractors or contracts file
 *   GET  /contracts/{id}                     a contract, its attestations and notices
 *   POST /contracts/{id}/attestations        record a signed attestation (multipart)
 *   GET  /contracts/{id}/attestations/{aid}  download the signed document
 *   POST /contracts/{id}/notices             record that the notice was sent
 *   POST /contracts/{id}/notices/{nid}       record its acknowledgement
 *
 * They read the same store calls as the API (http.c), with the same scope. */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "core/str.h"
#include "http/multipart.h"
#include "modules/contractors/contractors.h"
#include "modules/registry/registry.h"
#include "web/api.h"
#include "web/app.h"

static int64_t scope_of(struct hv_request *rq) { return hv_policy_department(rq->principal); }

static const struct {
  const char *code, *label, *tag;
} state_words[HV_COV_MAX] = {
    [HV_COV_NOT_REQUIRED] = {"not_required", "Not on City property", "hv-tag--neutral"},
    [HV_COV_INACTIVE] = {"inactive", "Not running today", "hv-tag--neutral"},
    [HV_COV_VALID] = {"valid", "Valid attestation", "hv-tag--ok"},
    [HV_COV_EXPIRING] = {"expiring", "Attestation expiring soon", "hv-tag--warn"},
    [HV_COV_EXPIRED] = {"expired", "Attestation expired", "hv-tag--bad"},
    [HV_COV_MISSING] = {"missing", "No attestation", "hv-tag--bad"},
};

static void decorate(json_t *k) {
  json_t *comp = json_object_get(k, "compliance");
  int st = hv_cov_state_parse(json_string_value(json_object_get(comp, "state")));
  if (st >= 0) {
    json_object_set_new(comp, "label", json_string(state_words[st].label));
    json_object_set_new(comp, "tag", json_string(state_words[st].tag));
  }
}

/* --- the list -------------------------------------------------------------------- */

static void page_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11], horizon[11];
  hv_contracts_today(today);
  hv_contracts_add_days(today, HV_COVERAGE_DAYS_DEFAULT, horizon);
  const char *dept = hv_query(rq, "department_id"), *state = hv_query(rq, "state");
  const char *q = hv_query(rq, "q");
  struct hv_contract_filter f = {scope_of(rq), 0, q, -1, today, horizon};
  if (dept && *dept && hv_parse_i64(dept, 1, INT64_MAX, &f.department_id))
    f.department_id = 0;
  if (state && *state)
    f.state = hv_cov_state_parse(state);
  json_t *items = NULL, *depts = NULL;
  int64_t total = 0;
  if (hv_contracts_list(app->store, &f, &items) < 0 ||
      (f.scope == 0 && hv_departments_list(app->store, "", 0, 200, &depts, &total) < 0)) {
    json_decref(items);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *x;
  json_array_foreach(items, i, x) decorate(x);
  json_t *states = json_array();
  for (int s = 0; s < HV_COV_MAX; s++)
    json_array_append_new(states, json_pack("{s:s, s:s, s:b}", "code", state_words[s].code, "label",
                                            state_words[s].label, "selected", f.state == s));
  json_t *dlist = json_array();
  json_array_foreach(depts, i, x) {
    json_int_t id = json_integer_value(json_object_get(x, "id"));
    json_array_append_new(dlist,
                          json_pack("{s:I, s:O, s:b}", "id", id, "name", json_object_get(x, "name"),
                                    "selected", id == f.department_id));
  }
  json_decref(depts);
  json_t *ctx =
      json_pack("{s:o, s:b, s:i, s:o, s:o, s:b, s:s, s:s, s:b, s:b}", "items", items, "has_items",
                json_array_size(items) > 0, "count", (int)json_array_size(items), "states", states,
                "departments", dlist, "citywide", f.scope == 0, "q", q ? q : "", "today", today,
                "can_write", (rq->roles & HV_PERM_CONTRACTS_WRITE) != 0, "can_import_vendors",
                (rq->roles & HV_PERM_CONTRACTS_VENDORS) != 0);
  hv_page(rq, 200, "contracts", "Contracts — Haven", ctx);
}

/* --- one contract -------------------------------------------------------------------- */

void hv_contract_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                      const char *notice) {
  struct hv_app *app = rq->app;
  char today[11], horizon[11];
  hv_contracts_today(today);
  hv_contracts_add_days(today, HV_COVERAGE_DAYS_DEFAULT, horizon);
  json_t *k = NULL;
  enum hv_qs qs = hv_contract_get(app->store, id, scope_of(rq), today, horizon, &k);
  if (qs <= 0) {
    json_decref(problems);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  decorate(k);
  size_t i;
  json_t *x;
  bool docs = (rq->roles & HV_PERM_CONTRACTS_DOCUMENTS) != 0;
  json_array_foreach(json_object_get(k, "attestations"), i, x) {
    json_int_t size = json_integer_value(json_object_get(x, "size"));
    json_object_set_new(
        x, "size_label",
        json_string(hv_arena_printf(rq->arena, "%lld KB", (long long)((size + 1023) / 1024))));
    if (docs)
      json_object_set_new(
          x, "download",
          json_string(hv_arena_printf(rq->arena, "/contracts/%lld/attestations/%lld", (long long)id,
                                      (long long)json_integer_value(json_object_get(x, "id")))));
    json_object_set_new(
        x, "expired",
        json_boolean(strcmp(json_string_value(json_object_get(x, "expires_on")), today) < 0));
  }
  json_array_foreach(json_object_get(k, "notices"), i, x) {
    json_object_set_new(x, "pending",
                        json_boolean(json_is_null(json_object_get(x, "acknowledged_on"))));
  }
  if (!problems)
    problems = json_array();
  json_object_set_new(k, "has_attestations",
                      json_boolean(json_array_size(json_object_get(k, "attestations")) > 0));
  json_object_set_new(k, "has_notices",
                      json_boolean(json_array_size(json_object_get(k, "notices")) > 0));
  json_t *ctx = json_pack("{s:o, s:b, s:o, s:s?, s:b, s:s, s:s}", "k", k, "has_problems",
                          json_array_size(problems) > 0, "problems", problems, "notice", notice,
                          "can_write", (rq->roles & HV_PERM_CONTRACTS_WRITE) != 0, "csrf",
                          rq->principal ? rq->principal->csrf : "", "today", today);
  size_t max = app->cfg->attachment_max;
  json_object_set_new(ctx, "max_label",
                      json_string(max >= (1u << 20)
                                      ? hv_arena_printf(rq->arena, "%zu MB", max >> 20)
                                      : hv_arena_printf(rq->arena, "%zu KB", max >> 10)));
  hv_page(rq, status, "contract",
          hv_arena_printf(rq->arena, "Contract %s — Haven",
                          json_string_value(json_object_get(k, "number"))),
          ctx);
}

static void page_contract(struct hv_request *rq) {
  const char *added = hv_query(rq, "added");
  hv_contract_page(rq, 200, hv_param(rq, "id")->num, NULL,
                   added && !strcmp(added, "attestation") ? "The signed attestation was recorded."
                   : added && !strcmp(added, "notice")    ? "The notice was recorded."
                   : added && !strcmp(added, "ack")       ? "The acknowledgement was recorded."
                                                          : NULL);
}

static void page_upload(struct hv_request *rq) { hv_attestation_upload(rq, false); }

/* Problems of a notice form, for the page. */
struct problems {
  json_t *list;
  const char *prefix; /* anchors of the acknowledgement forms carry the notice id */
};

static void add_problem(void *cls, const char *field, const char *msg) {
  struct problems *p = cls;
  static const struct {
    const char *field, *label;
  } labels[] = {{"sent_on", "Sent on"},
                {"method", "How it was sent"},
                {"acknowledged_on", "Acknowledged on"},
                {"acknowledged_by_role", "Acknowledged by (role)"}};
  const char *label = field;
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (!strcmp(labels[i].field, field))
      label = labels[i].label;
  char anchor[64];
  snprintf(anchor, sizeof anchor, "%s%s", p->prefix, field);
  json_array_append_new(
      p->list, json_pack("{s:s, s:s, s:s}", "anchor", anchor, "label", label, "message", msg));
}

static const char *form_val(const struct hv_form *f, const char *name) {
  const char *v = hv_form_get(f, name);
  return v && *v ? v : NULL;
}

static void page_notice_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  char today[11];
  int64_t id = hv_param(rq, "id")->num;
  if (hv_form_body(rq, &form))
    return;
  hv_contracts_today(today);
  const char *sent = form_val(&form, "sent_on"), *method = form_val(&form, "method");
  const char *ack = form_val(&form, "acknowledged_on"),
             *role = form_val(&form, "acknowledged_by_role");
  struct problems p = {json_array(), ""};
  if (hv_notice_problems(sent, method, ack, role, today, add_problem, &p)) {
    hv_contract_page(rq, 422, id, p.list, NULL);
    return;
  }
  enum hv_qs qs = hv_notice_add(app->store, rq->principal, scope_of(rq), id, sent, method, ack,
                                role, NULL, NULL);
  if (qs == HV_QS_NONE) {
    json_decref(p.list);
    hv_reply_error(rq, 404, "not_found", "There is no such contract.", NULL);
    return;
  }
  if (qs < 0) {
    add_problem(&p, "sent_on",
                qs == HV_QS_CONFLICT ? "The contract holds 100 notices already."
                                     : "The database did not answer. Nothing was saved; please "
                                       "try again.");
    hv_contract_page(rq, qs == HV_QS_CONFLICT ? 409 : 503, id, p.list, NULL);
    return;
  }
  json_decref(p.list);
  hv_reply_redirect(
      rq, 303, hv_arena_printf(rq->arena, "/contracts/%lld?added=notice#notices", (long long)id));
}

static void page_notice_ack(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  char today[11], prefix[32];
  int64_t id = hv_param(rq, "id")->num, nid = hv_param(rq, "nid")->num, version = 0, current = 0;
  json_t *cur = NULL;
  if (hv_form_body(rq, &form))
    return;
  hv_contracts_today(today);
  snprintf(prefix, sizeof prefix, "n%lld-", (long long)nid);
  struct problems p = {json_array(), prefix};
  enum hv_qs qs = hv_notice_get(app->store, scope_of(rq), id, nid, &cur);
  if (qs <= 0) {
    json_decref(p.list);
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such notice.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  const char *ack = form_val(&form, "acknowledged_on"),
             *role = form_val(&form, "acknowledged_by_role");
  const char *v = hv_form_get(&form, "version");
  if (!v || hv_parse_i64(v, 1, 1000000000, &version))
    version = 0;
  if (!ack)
    add_problem(&p, "acknowledged_on", "Enter the date the notice was acknowledged.");
  else
    hv_notice_problems(json_string_value(json_object_get(cur, "sent_on")),
                       json_string_value(json_object_get(cur, "method")), ack, role, today,
                       add_problem, &p);
  json_decref(cur);
  if (json_array_size(p.list) > 0) {
    hv_contract_page(rq, 422, id, p.list, NULL);
    return;
  }
  qs = hv_notice_update(app->store, rq->principal, scope_of(rq), id, nid, version, ack, role,
                        &current);
  if (qs == HV_QS_NONE) {
    json_decref(p.list);
    hv_reply_error(rq, 404, "not_found", "There is no such notice.", NULL);
    return;
  }
  if (qs < 0) {
    add_problem(&p, "acknowledged_on",
                qs == HV_QS_CONFLICT ? "Someone changed this notice meanwhile: here it is as it "
                                       "is now; record the acknowledgement again if needed."
                                     : "The database did not answer. Nothing was saved; please "
                                       "try again.");
    hv_contract_page(rq, qs == HV_QS_CONFLICT ? 409 : 503, id, p.list, NULL);
    return;
  }
  json_decref(p.list);
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/contracts/%lld?added=ack#notices", (long long)id));
}

/* --- coverage -------------------------------------------------------------------------- */

static void page_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char today[11];
  const char *d = hv_query(rq, "days");
  int64_t days = HV_COVERAGE_DAYS_DEFAULT;
  if (d && *d && hv_parse_i64(d, 1, HV_COVERAGE_DAYS_MAX, &days))
    days = HV_COVERAGE_DAYS_DEFAULT;
  hv_contracts_today(today);
  json_t *cov = NULL;
  if (hv_coverage(app->store, scope_of(rq), today, (int)days, &cov) < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(cov, "departments"), i, x) {
    json_t *g = json_object_get(x, "gaps");
    bool any = false;
    static const char *const keys[] = {"missing", "expiring", "notice_not_sent",
                                       "notice_not_acknowledged"};
    for (int k = 0; k < 4; k++) {
      char key[40];
      bool has = json_array_size(json_object_get(g, keys[k])) > 0;
      snprintf(key, sizeof key, "has_%s", keys[k]);
      json_object_set_new(g, key, json_boolean(has));
      any |= has;
    }
    json_object_set_new(x, "has_gaps", json_boolean(any));
  }
  json_object_set_new(cov, "has_departments",
                      json_boolean(json_array_size(json_object_get(cov, "departments")) > 0));
  hv_page(rq, 200, "contracts_coverage", "Contractor coverage — Haven", cov);
}

/* --- import ------------------------------------------------------------------------------ */

static json_t *columns_json(enum hv_contracts_import_kind k) {
  json_t *a = json_array();
  for (const char *const *c = hv_contracts_import_columns(k); *c; c++)
    json_array_append_new(a, json_string(*c));
  return a;
}

static void import_page(struct hv_request *rq, int status, int kind, const char *error,
                        const struct hv_contracts_import_result *r, bool applied) {
  json_t *ctx = json_pack(
      "{s:s?, s:b, s:o, s:o, s:b, s:b, s:b}", "error", error, "applied", applied, "vendor_columns",
      columns_json(HV_CIMPORT_CONTRACTORS), "contract_columns", columns_json(HV_CIMPORT_CONTRACTS),
      "can_vendors", (rq->roles & HV_PERM_CONTRACTS_VENDORS) != 0, "is_vendors",
      kind == HV_CIMPORT_CONTRACTORS, "is_contracts", kind == HV_CIMPORT_CONTRACTS);
  json_object_set_new(ctx, "kind_label",
                      json_string(kind == HV_CIMPORT_CONTRACTORS ? "contractors" : "contracts"));
  json_object_set_new(ctx, "csrf", json_string(rq->principal ? rq->principal->csrf : ""));
  if (r) {
    json_object_set_new(ctx, "has_errors", json_boolean(json_array_size(r->errors) > 0));
    json_object_set(ctx, "errors", r->errors);
    json_object_set_new(ctx, "result",
                        json_pack("{s:i, s:i, s:i}", "added", r->added, "updated", r->updated,
                                  "unchanged", r->unchanged));
  }
  hv_page(rq, status, "contracts_import", "Import contractors and contracts — Haven", ctx);
}

static void page_import(struct hv_request *rq) { import_page(rq, 200, -1, NULL, NULL, false); }

static void page_import_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  int n = hv_multipart_parse(rq->arena, hv_header(rq, "Content-Type"), rq->body ? rq->body : "",
                             rq->body_len, parts, HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    import_page(rq, 400, -1, "The upload could not be read. Choose the file again.", NULL, false);
    return;
  }
  const struct hv_part *kind_p = hv_multipart_get(parts, n, "kind");
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  char kind[16] = "";
  if (kind_p && kind_p->len < sizeof kind) {
    memcpy(kind, kind_p->data, kind_p->len);
    kind[kind_p->len] = '\0';
  }
  int k = hv_contracts_import_kind_parse(kind);
  if (k < 0) {
    import_page(rq, 400, -1, "Choose which file it is: contractors or contracts.", NULL, false);
    return;
  }
  if (k == HV_CIMPORT_CONTRACTORS && !(rq->roles & HV_PERM_CONTRACTS_VENDORS)) {
    import_page(rq, 403, k,
                "Contractors are shared by every department: the Mayor's Office of Immigrant "
                "Affairs imports them. You may import your department's contracts.",
                NULL, false);
    return;
  }
  if (!file || file->len == 0) {
    import_page(rq, 400, k, "Choose a CSV file to import.", NULL, false);
    return;
  }
  struct hv_contracts_import_result r;
  int rc = hv_contracts_import(app->store, rq->principal, scope_of(rq),
                               (enum hv_contracts_import_kind)k, file->data, file->len, &r);
  if (rc < 0)
    import_page(rq, 503, k, "The database did not answer. Nothing was saved.", NULL, false);
  else if (rc > 0)
    import_page(rq, 422, k,
                "The file was refused and nothing was saved. Fix these rows and upload it again.",
                &r, false);
  else
    import_page(rq, 200, k, NULL, &r, true);
  hv_contracts_import_result_free(&r);
}

#define READ HV_PERM_CONTRACTS_READ
#define WRITE HV_PERM_CONTRACTS_WRITE
#define DOCS HV_PERM_CONTRACTS_DOCUMENTS
#define UPLOAD_MAX ((64u << 20) + HV_UPLOAD_SLACK)

const struct hv_route hv_contracts_pages[] = {
    {HV_GET, "/contracts", READ, 0, 0, page_list},
    {HV_GET, "/contracts/coverage", READ, 0, 0, page_coverage},
    {HV_GET, "/contracts/import", WRITE, 0, 0, page_import},
    {HV_POST, "/contracts/import", WRITE, HV_R_CSRF, HV_CONTRACTS_CSV_MAX_BYTES + (64u << 10),
     page_import_post},
    {HV_GET, "/contracts/{id:int}", READ, 0, 0, page_contract},
    {HV_POST, "/contracts/{id:int}/attestations", WRITE, HV_R_CSRF | HV_R_UPLOAD, UPLOAD_MAX,
     page_upload},
    {HV_GET, "/contracts/{id:int}/attestations/{aid:int}", DOCS, 0, 0, hv_attestation_download},
    {HV_POST, "/contracts/{id:int}/notices", WRITE, HV_R_CSRF, 4096, page_notice_add},
    {HV_POST, "/contracts/{id:int}/notices/{nid:int}", WRITE, HV_R_CSRF, 4096, page_notice_ack},
};
const size_t hv_contracts_npages = sizeof hv_contracts_pages / sizeof hv_contracts_pages[0];
