/* Contractors' SQL (contractors.h, migration 0019). A write reads what it
 * checks in its own transaction, so the scope and version checks, the change
 * and its audit event are one. Department scope is a filter in every query
 * (`scope` 0: any department), so another department's contract is simply
 * not found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/contractors/contractors.h"

static const char *nz(const char *s) { return s ? s : ""; }

static json_t *text_or_null(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_string(nz(hv_row_text(r, col)));
}

static enum hv_qs audit(struct hv_conn *c, const struct hv_principal *by, const char *action,
                        const char *type, int64_t id, const json_t *change) {
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  char *text = change ? hv_json_dump(change, NULL) : NULL;
  struct hv_audit_event ev = {by->actor, action, type, oid, nz(text), text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* --- contractors -------------------------------------------------------------- */

#define VCOLS                                                                                      \
  "v.id, v.vendor_id, v.name, v.contact_name, v.contact_email, v.contact_phone, v.version, "       \
  "v.created_at, v.updated_at, (SELECT COUNT(*) FROM contracts k WHERE k.contractor_id = v.id)"

static struct hv_sql q_vendor_list = HV_SQL(
    "SELECT " VCOLS " FROM contractors v WHERE (? = '' OR lower(v.vendor_id) LIKE ? ESCAPE '\\' "
    "OR lower(v.name) LIKE ? ESCAPE '\\') ORDER BY lower(v.name), v.id LIMIT ?");
static struct hv_sql q_vendor_get = HV_SQL("SELECT " VCOLS " FROM contractors v WHERE v.id = ?");
static struct hv_sql q_vendor_taken =
    HV_SQL("SELECT COUNT(*) FROM contractors WHERE vendor_id = ? AND id <> ?");
static struct hv_sql q_vendor_insert =
    HV_SQL("INSERT INTO contractors (vendor_id, name, contact_name, contact_email, contact_phone, "
           "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
static struct hv_sql q_vendor_update =
    HV_SQL("UPDATE contractors SET vendor_id = ?, name = ?, contact_name = ?, contact_email = ?, "
           "contact_phone = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?");

static json_t *vendor_json(const struct hv_row *r) {
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id",
                   (json_int_t)hv_row_int(r, 0), "vendor_id", nz(hv_row_text(r, 1)), "name",
                   nz(hv_row_text(r, 2)), "contact_name", nz(hv_row_text(r, 3)), "contact_email",
                   nz(hv_row_text(r, 4)), "contact_phone", nz(hv_row_text(r, 5)), "version",
                   (json_int_t)hv_row_int(r, 6), "created_at", (json_int_t)hv_row_int(r, 7),
                   "updated_at", (json_int_t)hv_row_int(r, 8), "contracts",
                   (json_int_t)hv_row_int(r, 9));
}

static int vendor_one(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = vendor_json(r);
  return 1;
}

static int vendor_many(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, vendor_json(r));
  return 0;
}

struct vlist_args {
  const char *like;
  json_t *out;
};

static enum hv_qs vendor_list_tx(struct hv_conn *c, void *cls) {
  struct vlist_args *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_TEXT(a->like), HV_P_TEXT(a->like), HV_P_TEXT(a->like),
                         HV_P_INT(HV_CONTRACTS_LIST_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_vendor_list, p, 4, vendor_many, a->out);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_contractors_list(struct hv_store *s, const char *q, json_t **out) {
  char *like = q && *q ? hv_sql_like(q, false) : NULL;
  struct vlist_args a = {like ? like : "", json_array()};
  enum hv_qs qs =
      (q && *q && !like) || !a.out ? HV_QS_HARD : hv_store_tx(s, false, vendor_list_tx, &a);
  free(like);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct get_args {
  int64_t id, scope;
  const char *today, *horizon;
  json_t *out;
};

static enum hv_qs vendor_get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->id)};
  enum hv_qs qs = hv_db_query(c, &q_vendor_get, p, 1, vendor_one, &a->out);
  return qs < 0 ? qs : a->out ? HV_QS_ONE : HV_QS_NONE;
}

enum hv_qs hv_contractor_get(struct hv_store *s, int64_t id, json_t **out) {
  struct get_args a = {.id = id};
  enum hv_qs qs = hv_store_tx(s, false, vendor_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct vwrite_args {
  const struct hv_principal *by;
  const struct hv_contractor *v;
  int64_t id, version, current;
};

static json_t *vendor_change(const struct hv_contractor *v) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "vendor_id", nz(v->vendor_id), "name", nz(v->name),
                   "contact_name", nz(v->contact_name), "contact_email", nz(v->contact_email),
                   "contact_phone", nz(v->contact_phone));
}

static enum hv_qs vendor_insert(struct hv_conn *c, const struct hv_principal *by,
                                const struct hv_contractor *v, int64_t *id) {
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(v->vendor_id),
                         HV_P_TEXT(v->name),
                         HV_P_TEXT(nz(v->contact_name)),
                         HV_P_TEXT(nz(v->contact_email)),
                         HV_P_TEXT(nz(v->contact_phone)),
                         HV_P_INT(now),
                         HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_vendor_insert, p, 7, id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *change = vendor_change(v);
  qs = audit(c, by, "contractor.create", "contractor", *id, change);
  json_decref(change);
  return qs;
}

static enum hv_qs vendor_write(struct hv_conn *c, const struct hv_principal *by, int64_t id,
                               int64_t version, const struct hv_contractor *v) {
  struct hv_param p[] = {HV_P_TEXT(v->vendor_id),
                         HV_P_TEXT(v->name),
                         HV_P_TEXT(nz(v->contact_name)),
                         HV_P_TEXT(nz(v->contact_email)),
                         HV_P_TEXT(nz(v->contact_phone)),
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(id),
                         HV_P_INT(version)};
  enum hv_qs qs = hv_db_exec(c, &q_vendor_update, p, 8);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_CONFLICT;
  json_t *change = vendor_change(v);
  qs = audit(c, by, "contractor.update", "contractor", id, change);
  json_decref(change);
  return qs;
}

static enum hv_qs vendor_create_tx(struct hv_conn *c, void *cls) {
  struct vwrite_args *w = cls;
  int64_t n = 0;
  struct hv_param k[] = {HV_P_TEXT(w->v->vendor_id), HV_P_INT(0)};
  enum hv_qs qs = hv_db_int(c, &q_vendor_taken, k, 2, &n);
  if (qs < 0)
    return qs;
  if (n > 0)
    return HV_QS_CONFLICT;
  return vendor_insert(c, w->by, w->v, &w->id);
}

enum hv_qs hv_contractor_create(struct hv_store *s, const struct hv_principal *by,
                                const struct hv_contractor *v, int64_t *id) {
  struct vwrite_args w = {.by = by, .v = v};
  enum hv_qs qs = hv_store_tx(s, true, vendor_create_tx, &w);
  if (qs > 0)
    *id = w.id;
  return qs;
}

static enum hv_qs vendor_update_tx(struct hv_conn *c, void *cls) {
  struct vwrite_args *w = cls;
  json_t *cur = NULL;
  int64_t n = 0;
  struct hv_param p[] = {HV_P_INT(w->id)};
  enum hv_qs qs = hv_db_query(c, &q_vendor_get, p, 1, vendor_one, &cur);
  if (qs < 0 || !cur)
    return qs < 0 ? qs : HV_QS_NONE;
  w->current = json_integer_value(json_object_get(cur, "version"));
  json_decref(cur);
  if (w->current != w->version)
    return HV_QS_CONFLICT;
  struct hv_param k[] = {HV_P_TEXT(w->v->vendor_id), HV_P_INT(w->id)};
  if ((qs = hv_db_int(c, &q_vendor_taken, k, 2, &n)) < 0)
    return qs;
  if (n > 0) {
    w->current = -1; /* the conflict is the vendor id, not the version */
    return HV_QS_CONFLICT;
  }
  return vendor_write(c, w->by, w->id, w->version, w->v);
}

enum hv_qs hv_contractor_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                int64_t version, const struct hv_contractor *v, int64_t *current) {
  struct vwrite_args w = {.by = by, .v = v, .id = id, .version = version};
  enum hv_qs qs = hv_store_tx(s, true, vendor_update_tx, &w);
  if (current)
    *current = w.current;
  return qs;
}

/* --- contracts ------------------------------------------------------------------ */

#define CCOLS                                                                                      \
  "c.id, c.number, c.title, c.starts_on, c.ends_on, c.on_city_property, c.onsite_personnel, "      \
  "c.version, c.created_at, c.updated_at, v.id, v.vendor_id, v.name, d.id, d.code, d.name, "       \
  "(SELECT MAX(a.expires_on) FROM contract_attestations a WHERE a.contract_id = c.id AND "         \
  "a.signed_on <= ?), (SELECT COUNT(*) FROM contract_notices n WHERE n.contract_id = c.id), "      \
  "(SELECT COUNT(*) FROM contract_notices n WHERE n.contract_id = c.id AND n.acknowledged_on IS "  \
  "NOT NULL) FROM contracts c JOIN contractors v ON v.id = c.contractor_id JOIN departments d "    \
  "ON d.id = c.department_id "

static struct hv_sql q_contract_list =
    HV_SQL("SELECT " CCOLS "WHERE (? = 0 OR c.department_id = ?) AND (? = 0 OR c.department_id = "
           "?) AND (? = '' OR lower(c.number) LIKE ? ESCAPE '\\' OR lower(c.title) LIKE ? ESCAPE "
           "'\\' OR lower(v.name) LIKE ? ESCAPE '\\' OR lower(v.vendor_id) LIKE ? ESCAPE '\\') "
           "ORDER BY d.name, c.number LIMIT ?");
static struct hv_sql q_contract_get =
    HV_SQL("SELECT " CCOLS "WHERE c.id = ? AND (? = 0 OR c.department_id = ?)");
static struct hv_sql q_coverage =
    HV_SQL("SELECT " CCOLS "WHERE c.on_city_property = 1 AND c.starts_on <= ? AND c.ends_on >= ? "
           "AND (? = 0 OR c.department_id = ?) ORDER BY d.name, d.id, c.number LIMIT ?");
static struct hv_sql q_attestations = HV_SQL(
    "SELECT id, signed_on, expires_on, file_name, content_type, size, sha256, uploaded_by, "
    "uploaded_at FROM contract_attestations WHERE contract_id = ? ORDER BY signed_on DESC, id "
    "DESC LIMIT ?");
static struct hv_sql q_notices = HV_SQL(
    "SELECT id, sent_on, method, acknowledged_on, acknowledged_by_role, version, created_at, "
    "updated_at FROM contract_notices WHERE contract_id = ? ORDER BY sent_on DESC, id DESC LIMIT "
    "?");
static struct hv_sql q_in_scope =
    HV_SQL("SELECT COUNT(*) FROM contracts WHERE id = ? AND (? = 0 OR department_id = ?)");
static struct hv_sql q_vendor_exists = HV_SQL("SELECT COUNT(*) FROM contractors WHERE id = ?");
static struct hv_sql q_dept_exists = HV_SQL("SELECT COUNT(*) FROM departments WHERE id = ?");
static struct hv_sql q_number_taken =
    HV_SQL("SELECT COUNT(*) FROM contracts WHERE number = ? AND id <> ?");
static struct hv_sql q_contract_insert =
    HV_SQL("INSERT INTO contracts (number, contractor_id, department_id, title, starts_on, "
           "ends_on, on_city_property, onsite_personnel, version, created_at, updated_at) VALUES "
           "(?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
static struct hv_sql q_contract_update =
    HV_SQL("UPDATE contracts SET number = ?, contractor_id = ?, department_id = ?, title = ?, "
           "starts_on = ?, ends_on = ?, on_city_property = ?, onsite_personnel = ?, version = "
           "version + 1, updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_contract_version =
    HV_SQL("SELECT version FROM contracts WHERE id = ? AND (? = 0 OR department_id = ?)");

struct clist {
  const char *today, *horizon;
  int state; /* filter, or -1 */
  json_t *out;
};

static json_t *contract_json(const struct hv_row *r, const char *today, const char *horizon) {
  bool prop = hv_row_int(r, 5) != 0;
  const char *best = hv_row_null(r, 16) ? NULL : hv_row_text(r, 16);
  const char *starts = nz(hv_row_text(r, 3)), *ends = nz(hv_row_text(r, 4));
  enum hv_cov_state st = hv_coverage_state(prop, starts, ends, best, today, horizon);
  json_t *comp = json_pack("{s:s, s:o}", "state", hv_cov_state_names[st], "expires_on",
                           best ? json_string(best) : json_null());
  json_object_set_new(comp, "days_left",
                      best && hv_contracts_date_ok(best)
                          ? json_integer(hv_contracts_days_between(today, best))
                          : json_null());
  json_object_set_new(comp, "notices_sent", json_integer(hv_row_int(r, 17)));
  json_object_set_new(comp, "notices_acknowledged", json_integer(hv_row_int(r, 18)));
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:b}", "id",
                        (json_int_t)hv_row_int(r, 0), "number", nz(hv_row_text(r, 1)), "title",
                        nz(hv_row_text(r, 2)), "starts_on", starts, "ends_on", ends,
                        "on_city_property", prop, "onsite_personnel", (json_int_t)hv_row_int(r, 6),
                        "version", (json_int_t)hv_row_int(r, 7), "created_at",
                        (json_int_t)hv_row_int(r, 8), "updated_at", (json_int_t)hv_row_int(r, 9),
                        "active", strcmp(starts, today) <= 0 && strcmp(ends, today) >= 0);
  json_object_set_new(o, "contractor",
                      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)hv_row_int(r, 10), "vendor_id",
                                nz(hv_row_text(r, 11)), "name", nz(hv_row_text(r, 12))));
  json_object_set_new(o, "department",
                      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)hv_row_int(r, 13), "code",
                                nz(hv_row_text(r, 14)), "name", nz(hv_row_text(r, 15))));
  json_object_set_new(o, "compliance", comp);
  return o;
}

static int contract_many(void *cls, const struct hv_row *r) {
  struct clist *l = cls;
  json_t *o = contract_json(r, l->today, l->horizon);
  const char *st = json_string_value(json_object_get(json_object_get(o, "compliance"), "state"));
  if (l->state >= 0 && strcmp(st, hv_cov_state_names[l->state]) != 0)
    json_decref(o);
  else
    json_array_append_new(l->out, o);
  return 0;
}

static int contract_one(void *cls, const struct hv_row *r) {
  struct clist *l = cls;
  json_decref(l->out);
  l->out = contract_json(r, l->today, l->horizon);
  return 1;
}

struct list_args {
  const struct hv_contract_filter *f;
  const char *like;
  struct clist l;
};

static enum hv_qs contract_list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  json_array_clear(a->l.out);
  struct hv_param p[] = {HV_P_TEXT(a->f->today),
                         HV_P_INT(a->f->scope),
                         HV_P_INT(a->f->scope),
                         HV_P_INT(a->f->department_id),
                         HV_P_INT(a->f->department_id),
                         HV_P_TEXT(a->like),
                         HV_P_TEXT(a->like),
                         HV_P_TEXT(a->like),
                         HV_P_TEXT(a->like),
                         HV_P_TEXT(a->like),
                         HV_P_INT(HV_CONTRACTS_LIST_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_contract_list, p, 11, contract_many, &a->l);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_contracts_list(struct hv_store *s, const struct hv_contract_filter *f, json_t **out) {
  char *like = f->q && *f->q ? hv_sql_like(f->q, false) : NULL;
  struct list_args a = {f, like ? like : "", {f->today, f->horizon, f->state, json_array()}};
  enum hv_qs qs = (f->q && *f->q && !like) || !a.l.out
                      ? HV_QS_HARD
                      : hv_store_tx(s, false, contract_list_tx, &a);
  free(like);
  if (qs < 0) {
    json_decref(a.l.out);
    return qs;
  }
  *out = a.l.out;
  return HV_QS_ONE;
}

static int attestation_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls,
      json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:I}", "id", (json_int_t)hv_row_int(r, 0),
                "signed_on", nz(hv_row_text(r, 1)), "expires_on", nz(hv_row_text(r, 2)),
                "file_name", nz(hv_row_text(r, 3)), "content_type", nz(hv_row_text(r, 4)), "size",
                (json_int_t)hv_row_int(r, 5), "sha256", nz(hv_row_text(r, 6)), "uploaded_by",
                hv_row_null(r, 7) ? json_null() : json_integer(hv_row_int(r, 7)), "uploaded_at",
                (json_int_t)hv_row_int(r, 8)));
  return 0;
}

static json_t *notice_json(const struct hv_row *r) {
  return json_pack("{s:I, s:s, s:s, s:o, s:s, s:I, s:I, s:I}", "id", (json_int_t)hv_row_int(r, 0),
                   "sent_on", nz(hv_row_text(r, 1)), "method", nz(hv_row_text(r, 2)),
                   "acknowledged_on", text_or_null(r, 3), "acknowledged_by_role",
                   nz(hv_row_text(r, 4)), "version", (json_int_t)hv_row_int(r, 5), "created_at",
                   (json_int_t)hv_row_int(r, 6), "updated_at", (json_int_t)hv_row_int(r, 7));
}

static int notice_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, notice_json(r));
  return 0;
}

static enum hv_qs contract_get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct clist l = {a->today, a->horizon, -1, NULL};
  json_decref(a->out);
  a->out = NULL;
  struct hv_param p[] = {HV_P_TEXT(a->today), HV_P_INT(a->id), HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_query(c, &q_contract_get, p, 4, contract_one, &l);
  if (qs < 0 || !l.out) {
    json_decref(l.out);
    return qs < 0 ? qs : HV_QS_NONE;
  }
  a->out = l.out;
  json_t *att = json_array(), *not = json_array();
  json_object_set_new(a->out, "attestations", att);
  json_object_set_new(a->out, "notices", not );
  struct hv_param k[] = {HV_P_INT(a->id), HV_P_INT(HV_CONTRACT_CHILDREN_MAX)};
  if ((qs = hv_db_query(c, &q_attestations, k, 2, attestation_row, att)) < 0 ||
      (qs = hv_db_query(c, &q_notices, k, 2, notice_row, not )) < 0)
    return qs;
  return HV_QS_ONE;
}

enum hv_qs hv_contract_get(struct hv_store *s, int64_t id, int64_t scope, const char *today,
                           const char *horizon, json_t **out) {
  struct get_args a = {id, scope, today, horizon, NULL};
  enum hv_qs qs = hv_store_tx(s, false, contract_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs scope_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  int64_t n = 0;
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_int(c, &q_in_scope, p, 3, &n);
  return qs < 0 ? qs : n > 0 ? HV_QS_ONE : HV_QS_NONE;
}

enum hv_qs hv_contract_in_scope(struct hv_store *s, int64_t id, int64_t scope) {
  struct get_args a = {.id = id, .scope = scope};
  return hv_store_tx(s, false, scope_tx, &a);
}

static json_t *contract_change(const struct hv_contract *k) {
  return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:I}", "number", nz(k->number), "title",
                   nz(k->title), "contractor_id", (json_int_t)k->contractor_id, "department_id",
                   (json_int_t)k->department_id, "starts_on", nz(k->starts_on), "ends_on",
                   nz(k->ends_on), "on_city_property", k->on_city_property, "onsite_personnel",
                   (json_int_t)k->onsite_personnel);
}

/* The references of `k` exist and its number is free (for contract `id`,
 * 0 for a new one). HV_QS_NONE with *field, or HV_QS_CONFLICT. */
static enum hv_qs contract_refs(struct hv_conn *c, const struct hv_contract *k, int64_t id,
                                const char **field) {
  int64_t n = 0;
  struct hv_param v[] = {HV_P_INT(k->contractor_id)}, d[] = {HV_P_INT(k->department_id)};
  struct hv_param t[] = {HV_P_TEXT(k->number), HV_P_INT(id)};
  enum hv_qs qs = hv_db_int(c, &q_vendor_exists, v, 1, &n);
  if (qs < 0)
    return qs;
  if (n == 0) {
    *field = "contractor_id";
    return HV_QS_NONE;
  }
  if ((qs = hv_db_int(c, &q_dept_exists, d, 1, &n)) < 0)
    return qs;
  if (n == 0) {
    *field = "department_id";
    return HV_QS_NONE;
  }
  if ((qs = hv_db_int(c, &q_number_taken, t, 2, &n)) < 0)
    return qs;
  if (n > 0) {
    *field = "number";
    return HV_QS_CONFLICT;
  }
  return HV_QS_ONE;
}

static enum hv_qs contract_insert(struct hv_conn *c, const struct hv_principal *by,
                                  const struct hv_contract *k, int64_t *id) {
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(k->number),
                         HV_P_INT(k->contractor_id),
                         HV_P_INT(k->department_id),
                         HV_P_TEXT(nz(k->title)),
                         HV_P_TEXT(k->starts_on),
                         HV_P_TEXT(k->ends_on),
                         HV_P_INT(k->on_city_property),
                         HV_P_INT(k->onsite_personnel),
                         HV_P_INT(now),
                         HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_contract_insert, p, 10, id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *change = contract_change(k);
  qs = audit(c, by, "contract.create", "contract", *id, change);
  json_decref(change);
  return qs;
}

static enum hv_qs contract_write(struct hv_conn *c, const struct hv_principal *by, int64_t id,
                                 int64_t version, const struct hv_contract *k) {
  struct hv_param p[] = {HV_P_TEXT(k->number),
                         HV_P_INT(k->contractor_id),
                         HV_P_INT(k->department_id),
                         HV_P_TEXT(nz(k->title)),
                         HV_P_TEXT(k->starts_on),
                         HV_P_TEXT(k->ends_on),
                         HV_P_INT(k->on_city_property),
                         HV_P_INT(k->onsite_personnel),
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(id),
                         HV_P_INT(version)};
  enum hv_qs qs = hv_db_exec(c, &q_contract_update, p, 11);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_CONFLICT;
  json_t *change = contract_change(k);
  qs = audit(c, by, "contract.update", "contract", id, change);
  json_decref(change);
  return qs;
}

struct cwrite_args {
  const struct hv_principal *by;
  const struct hv_contract *k;
  int64_t id, version, current, scope;
  const char *field;
};

static enum hv_qs contract_create_tx(struct hv_conn *c, void *cls) {
  struct cwrite_args *w = cls;
  enum hv_qs qs = contract_refs(c, w->k, 0, &w->field);
  if (qs <= 0)
    return qs;
  return contract_insert(c, w->by, w->k, &w->id);
}

enum hv_qs hv_contract_create(struct hv_store *s, const struct hv_principal *by,
                              const struct hv_contract *k, int64_t *id, const char **field) {
  struct cwrite_args w = {.by = by, .k = k};
  enum hv_qs qs = hv_store_tx(s, true, contract_create_tx, &w);
  if (qs > 0)
    *id = w.id;
  *field = w.field;
  return qs;
}

static enum hv_qs contract_update_tx(struct hv_conn *c, void *cls) {
  struct cwrite_args *w = cls;
  struct hv_param p[] = {HV_P_INT(w->id), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  w->field = NULL;
  enum hv_qs qs = hv_db_int(c, &q_contract_version, p, 3, &w->current);
  if (qs <= 0)
    return qs;
  if (w->current != w->version) {
    w->field = "version";
    return HV_QS_CONFLICT;
  }
  if ((qs = contract_refs(c, w->k, w->id, &w->field)) <= 0)
    return qs == HV_QS_NONE ? HV_QS_CONFLICT : qs; /* NONE means "no such contract" here */
  return contract_write(c, w->by, w->id, w->version, w->k);
}

enum hv_qs hv_contract_update(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                              int64_t id, int64_t version, const struct hv_contract *k,
                              int64_t *current, const char **field) {
  struct cwrite_args w = {.by = by, .k = k, .id = id, .version = version, .scope = scope};
  enum hv_qs qs = hv_store_tx(s, true, contract_update_tx, &w);
  if (current)
    *current = w.current;
  *field = w.field;
  return qs;
}

/* --- attestations ------------------------------------------------------------------ */

static struct hv_sql q_att_same =
    HV_SQL("SELECT id FROM contract_attestations WHERE contract_id = ? AND sha256 = ? AND "
           "signed_on = ? AND expires_on = ?");
static struct hv_sql q_att_count =
    HV_SQL("SELECT COUNT(*) FROM contract_attestations WHERE contract_id = ?");
static struct hv_sql q_att_insert = HV_SQL(
    "INSERT INTO contract_attestations (contract_id, signed_on, expires_on, storage_name, "
    "file_name, content_type, size, sha256, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?) RETURNING id");
static struct hv_sql q_att_get = HV_SQL(
    "SELECT a.id, a.contract_id, a.size, a.storage_name, a.file_name, a.content_type, a.sha256 "
    "FROM contract_attestations a JOIN contracts c ON c.id = a.contract_id WHERE a.id = ? AND "
    "a.contract_id = ? AND (? = 0 OR c.department_id = ?)");

static enum hv_qs attestation_tx(struct hv_conn *c, void *cls) {
  struct hv_attestation_write *w = cls;
  int64_t n = 0;
  struct hv_param p[] = {HV_P_INT(w->contract_id), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  w->replayed = false;
  enum hv_qs qs = hv_db_int(c, &q_in_scope, p, 3, &n);
  if (qs < 0 || n == 0)
    return qs < 0 ? qs : HV_QS_NONE;
  struct hv_param same[] = {HV_P_INT(w->contract_id), HV_P_TEXT(w->sha256), HV_P_TEXT(w->signed_on),
                            HV_P_TEXT(w->expires_on)};
  if ((qs = hv_db_int(c, &q_att_same, same, 4, &w->id)) < 0)
    return qs;
  if (qs > 0) {
    w->replayed = true; /* a retried upload: the first one stands */
    return HV_QS_ONE;
  }
  if ((qs = hv_db_int(c, &q_att_count, p, 1, &n)) < 0)
    return qs;
  if (n >= HV_CONTRACT_CHILDREN_MAX)
    return HV_QS_CONFLICT;
  struct hv_param ins[] = {HV_P_INT(w->contract_id), HV_P_TEXT(w->signed_on),
                           HV_P_TEXT(w->expires_on), HV_P_TEXT(w->storage_name),
                           HV_P_TEXT(w->file_name),  HV_P_TEXT(w->content_type),
                           HV_P_INT(w->size),        HV_P_TEXT(w->sha256),
                           HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_int(c, &q_att_insert, ins, 10, &w->id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *change =
      json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "attestation_id", (json_int_t)w->id, "signed_on",
                w->signed_on, "expires_on", w->expires_on, "sha256", w->sha256, "content_type",
                w->content_type, "size", (json_int_t)w->size);
  qs = audit(c, w->by, "contract.attestation.add", "contract", w->contract_id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_attestation_add(struct hv_store *s, struct hv_attestation_write *w) {
  return hv_store_tx(s, true, attestation_tx, w);
}

static int att_file_row(void *cls, const struct hv_row *r) {
  struct hv_attestation_file *f = cls;
  f->id = hv_row_int(r, 0);
  f->contract_id = hv_row_int(r, 1);
  f->size = hv_row_int(r, 2);
  snprintf(f->storage_name, sizeof f->storage_name, "%s", nz(hv_row_text(r, 3)));
  snprintf(f->file_name, sizeof f->file_name, "%s", nz(hv_row_text(r, 4)));
  snprintf(f->content_type, sizeof f->content_type, "%s", nz(hv_row_text(r, 5)));
  snprintf(f->sha256, sizeof f->sha256, "%s", nz(hv_row_text(r, 6)));
  return 1;
}

struct att_get_args {
  int64_t contract_id, id, scope;
  struct hv_attestation_file *out;
};

static enum hv_qs att_get_tx(struct hv_conn *c, void *cls) {
  struct att_get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->contract_id), HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  return hv_db_query(c, &q_att_get, p, 4, att_file_row, a->out);
}

enum hv_qs hv_attestation_get(struct hv_store *s, int64_t contract_id, int64_t id, int64_t scope,
                              struct hv_attestation_file *out) {
  struct att_get_args a = {contract_id, id, scope, out};
  memset(out, 0, sizeof *out);
  return hv_store_tx(s, false, att_get_tx, &a);
}

/* --- notices ------------------------------------------------------------------------ */

static struct hv_sql q_notice_same =
    HV_SQL("SELECT id FROM contract_notices WHERE contract_id = ? AND sent_on = ? AND method = ?");
static struct hv_sql q_notice_count =
    HV_SQL("SELECT COUNT(*) FROM contract_notices WHERE contract_id = ?");
static struct hv_sql q_notice_insert = HV_SQL(
    "INSERT INTO contract_notices (contract_id, sent_on, method, acknowledged_on, "
    "acknowledged_by_role, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, "
    "?, ?, ?) RETURNING id");
static struct hv_sql q_notice_get = HV_SQL(
    "SELECT n.id, n.sent_on, n.method, n.acknowledged_on, n.acknowledged_by_role, n.version, "
    "n.created_at, n.updated_at FROM contract_notices n JOIN contracts c ON c.id = n.contract_id "
    "WHERE n.id = ? AND n.contract_id = ? AND (? = 0 OR c.department_id = ?)");
static struct hv_sql q_notice_update =
    HV_SQL("UPDATE contract_notices SET acknowledged_on = ?, acknowledged_by_role = ?, version = "
           "version + 1, updated_at = ? WHERE id = ? AND version = ?");

struct notice_args {
  const struct hv_principal *by;
  int64_t scope, contract_id, id, version, current;
  const char *sent_on, *method, *ack_on, *ack_role;
  json_t *out;
  bool replayed;
};

static enum hv_qs notice_add_tx(struct hv_conn *c, void *cls) {
  struct notice_args *a = cls;
  int64_t n = 0;
  struct hv_param p[] = {HV_P_INT(a->contract_id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  a->replayed = false;
  enum hv_qs qs = hv_db_int(c, &q_in_scope, p, 3, &n);
  if (qs < 0 || n == 0)
    return qs < 0 ? qs : HV_QS_NONE;
  struct hv_param same[] = {HV_P_INT(a->contract_id), HV_P_TEXT(a->sent_on), HV_P_TEXT(a->method)};
  if ((qs = hv_db_int(c, &q_notice_same, same, 3, &a->id)) < 0)
    return qs;
  if (qs > 0) {
    a->replayed = true; /* a retry: the notice sent that day that way is recorded */
    return HV_QS_ONE;
  }
  if ((qs = hv_db_int(c, &q_notice_count, p, 1, &n)) < 0)
    return qs;
  if (n >= HV_CONTRACT_CHILDREN_MAX)
    return HV_QS_CONFLICT;
  int64_t now = hv_clock_wall_ms();
  struct hv_param ins[] = {HV_P_INT(a->contract_id),
                           HV_P_TEXT(a->sent_on),
                           HV_P_TEXT(a->method),
                           a->ack_on ? HV_P_TEXT(a->ack_on) : HV_P_NULL,
                           HV_P_TEXT(nz(a->ack_role)),
                           HV_P_INT(a->by->user_id),
                           HV_P_INT(now),
                           HV_P_INT(now)};
  if ((qs = hv_db_int(c, &q_notice_insert, ins, 8, &a->id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *change = json_pack("{s:I, s:s, s:s, s:s?, s:s}", "notice_id", (json_int_t)a->id,
                             "sent_on", a->sent_on, "method", a->method, "acknowledged_on",
                             a->ack_on, "acknowledged_by_role", nz(a->ack_role));
  qs = audit(c, a->by, "contract.notice.add", "contract", a->contract_id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_notice_add(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                         int64_t contract_id, const char *sent_on, const char *method,
                         const char *ack_on, const char *ack_role, int64_t *id, bool *replayed) {
  struct notice_args a = {.by = by,
                          .scope = scope,
                          .contract_id = contract_id,
                          .sent_on = sent_on,
                          .method = method,
                          .ack_on = ack_on,
                          .ack_role = ack_role};
  enum hv_qs qs = hv_store_tx(s, true, notice_add_tx, &a);
  if (qs > 0 && id)
    *id = a.id;
  if (replayed)
    *replayed = a.replayed;
  return qs;
}

static int notice_one(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = notice_json(r);
  return 1;
}

static enum hv_qs notice_read(struct hv_conn *c, struct notice_args *a) {
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->contract_id), HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  json_decref(a->out);
  a->out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_notice_get, p, 4, notice_one, &a->out);
  return qs < 0 ? qs : a->out ? HV_QS_ONE : HV_QS_NONE;
}

static enum hv_qs notice_get_tx(struct hv_conn *c, void *cls) { return notice_read(c, cls); }

enum hv_qs hv_notice_get(struct hv_store *s, int64_t scope, int64_t contract_id, int64_t id,
                         json_t **out) {
  struct notice_args a = {.scope = scope, .contract_id = contract_id, .id = id};
  enum hv_qs qs = hv_store_tx(s, false, notice_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs notice_update_tx(struct hv_conn *c, void *cls) {
  struct notice_args *a = cls;
  enum hv_qs qs = notice_read(c, a);
  if (qs <= 0)
    return qs;
  a->current = json_integer_value(json_object_get(a->out, "version"));
  if (a->current != a->version)
    return HV_QS_CONFLICT;
  struct hv_param p[] = {a->ack_on ? HV_P_TEXT(a->ack_on) : HV_P_NULL, HV_P_TEXT(nz(a->ack_role)),
                         HV_P_INT(hv_clock_wall_ms()), HV_P_INT(a->id), HV_P_INT(a->version)};
  if ((qs = hv_db_exec(c, &q_notice_update, p, 5)) <= 0)
    return qs < 0 ? qs : HV_QS_CONFLICT;
  json_t *change = json_pack("{s:I, s:s?, s:s}", "notice_id", (json_int_t)a->id, "acknowledged_on",
                             a->ack_on, "acknowledged_by_role", nz(a->ack_role));
  qs = audit(c, a->by, "contract.notice.update", "contract", a->contract_id, change);
  json_decref(change);
  return qs;
}

enum hv_qs hv_notice_update(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                            int64_t contract_id, int64_t id, int64_t version, const char *ack_on,
                            const char *ack_role, int64_t *current) {
  struct notice_args a = {.by = by,
                          .scope = scope,
                          .contract_id = contract_id,
                          .id = id,
                          .version = version,
                          .ack_on = ack_on,
                          .ack_role = ack_role};
  enum hv_qs qs = hv_store_tx(s, true, notice_update_tx, &a);
  json_decref(a.out);
  if (current)
    *current = a.current;
  return qs;
}

/* --- coverage --------------------------------------------------------------------------- */

static struct hv_sql q_dept_one = HV_SQL("SELECT id, code, name FROM departments WHERE id = ?");

#define COVERAGE_ROWS 20000

static const char *const count_keys[] = {
    "active", "valid", "expiring", "missing", "expired", "notice_sent", "notice_acknowledged",
    NULL};
static const char *const gap_keys[] = {"missing", "expiring", "notice_not_sent",
                                       "notice_not_acknowledged", NULL};

static json_t *dept_entry(int64_t id, const char *code, const char *name) {
  json_t *d = json_pack("{s:{s:I, s:s, s:s}}", "department", "id", (json_int_t)id, "code", nz(code),
                        "name", nz(name));
  for (int i = 0; count_keys[i]; i++)
    json_object_set_new(d, count_keys[i], json_integer(0));
  json_t *gaps = json_object();
  for (int i = 0; gap_keys[i]; i++)
    json_object_set_new(gaps, gap_keys[i], json_array());
  json_object_set_new(d, "gaps", gaps);
  return d;
}

static void bump(json_t *o, const char *key) {
  json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + 1));
}

struct cov_args {
  int64_t scope;
  const char *today, *horizon;
  json_t *depts; /* array, in order */
  json_t *by_id; /* {"<id>": entry} (borrowed entries) */
};

static int coverage_row(void *cls, const struct hv_row *r) {
  struct cov_args *a = cls;
  json_t *k = contract_json(r, a->today, a->horizon);
  json_t *comp = json_object_get(k, "compliance");
  json_t *dept = json_object_get(k, "department");
  char key[24];
  snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(dept, "id")));
  json_t *d = json_object_get(a->by_id, key);
  if (!d) {
    d = dept_entry(json_integer_value(json_object_get(dept, "id")),
                   json_string_value(json_object_get(dept, "code")),
                   json_string_value(json_object_get(dept, "name")));
    json_array_append_new(a->depts, d);
    json_object_set(a->by_id, key, d);
  }
  int st = hv_cov_state_parse(json_string_value(json_object_get(comp, "state")));
  json_t *brief = json_pack(
      "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(k, "id"), "number",
      json_object_get(k, "number"), "title", json_object_get(k, "title"), "contractor",
      json_object_get(k, "contractor"), "ends_on", json_object_get(k, "ends_on"), "expires_on",
      json_object_get(comp, "expires_on"), "days_left", json_object_get(comp, "days_left"));
  json_t *gaps = json_object_get(d, "gaps");
  bump(d, "active");
  if (st == HV_COV_VALID || st == HV_COV_EXPIRING)
    bump(d, "valid");
  if (st == HV_COV_EXPIRING) {
    bump(d, "expiring");
    json_array_append(json_object_get(gaps, "expiring"), brief);
  }
  if (st == HV_COV_MISSING || st == HV_COV_EXPIRED) {
    bump(d, "missing");
    json_array_append(json_object_get(gaps, "missing"), brief);
  }
  if (st == HV_COV_EXPIRED)
    bump(d, "expired");
  if (json_integer_value(json_object_get(comp, "notices_sent")) > 0) {
    bump(d, "notice_sent");
    if (json_integer_value(json_object_get(comp, "notices_acknowledged")) > 0)
      bump(d, "notice_acknowledged");
    else
      json_array_append(json_object_get(gaps, "notice_not_acknowledged"), brief);
  } else {
    json_array_append(json_object_get(gaps, "notice_not_sent"), brief);
  }
  json_decref(brief);
  json_decref(k);
  return 0;
}

static int dept_one_row(void *cls, const struct hv_row *r) {
  struct cov_args *a = cls;
  json_t *d = dept_entry(hv_row_int(r, 0), hv_row_text(r, 1), hv_row_text(r, 2));
  char key[24];
  snprintf(key, sizeof key, "%lld", (long long)hv_row_int(r, 0));
  json_array_append_new(a->depts, d);
  json_object_set(a->by_id, key, d);
  return 1;
}

static enum hv_qs coverage_tx(struct hv_conn *c, void *cls) {
  struct cov_args *a = cls;
  json_array_clear(a->depts);
  json_object_clear(a->by_id);
  enum hv_qs qs;
  if (a->scope > 0) { /* a liaison sees their department even with nothing in it */
    struct hv_param d[] = {HV_P_INT(a->scope)};
    if ((qs = hv_db_query(c, &q_dept_one, d, 1, dept_one_row, a)) < 0)
      return qs;
  }
  struct hv_param p[] = {HV_P_TEXT(a->today), HV_P_TEXT(a->today), HV_P_TEXT(a->today),
                         HV_P_INT(a->scope),  HV_P_INT(a->scope),  HV_P_INT(COVERAGE_ROWS)};
  qs = hv_db_query(c, &q_coverage, p, 6, coverage_row, a);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_coverage(struct hv_store *s, int64_t scope, const char *today, int days,
                       json_t **out) {
  char horizon[11];
  hv_contracts_add_days(today, days, horizon);
  struct cov_args a = {scope, today, horizon, json_array(), json_object()};
  enum hv_qs qs = hv_store_tx(s, false, coverage_tx, &a);
  json_decref(a.by_id);
  if (qs < 0) {
    json_decref(a.depts);
    return qs;
  }
  json_t *totals = json_object(), *expiring = json_array();
  for (int i = 0; count_keys[i]; i++) {
    json_int_t n = 0;
    size_t j;
    json_t *d;
    json_array_foreach(a.depts, j, d) n += json_integer_value(json_object_get(d, count_keys[i]));
    json_object_set_new(totals, count_keys[i], json_integer(n));
  }
  size_t j, k;
  json_t *d, *x;
  json_array_foreach(a.depts, j, d){json_array_foreach(
      json_object_get(json_object_get(d, "gaps"), "expiring"), k, x){json_t *e = json_deep_copy(x);
  json_object_set(e, "department", json_object_get(d, "department"));
  json_array_append_new(expiring, e);
}
}
*out =
    json_pack("{s:s, s:i, s:s, s:o, s:o, s:o}", "today", today, "expiring_within_days", days,
              "horizon", horizon, "totals", totals, "departments", a.depts, "expiring", expiring);
return *out ? HV_QS_ONE : HV_QS_HARD;
}
