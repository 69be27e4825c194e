/* Importing contractors and contracts from CSV (contractors.h). The cells
 * are checked first (csv.c); then, in one write transaction, every row is
 * checked against the database (the vendor exists, the department exists
 * and is the importer's, an existing contract is the importer's) before
 * anything is written, so a file with one bad row writes nothing. Rows are
 * compared with what is stored: re-importing the same file changes nothing
 * and counts every row unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/contractors/contractors.h"

static const char *nz(const char *s) { return s ? s : ""; }
static const char *sget(const json_t *o, const char *k) {
  return nz(json_string_value(json_object_get(o, k)));
}

static struct hv_sql q_vendor =
    HV_SQL("SELECT id, name, contact_name, contact_email, "
           "contact_phone, version FROM contractors WHERE vendor_id = ?");
static struct hv_sql q_vendor_insert =
    HV_SQL("INSERT INTO contractors (vendor_id, name, contact_name, contact_email, contact_phone, "
           "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
static struct hv_sql q_vendor_update =
    HV_SQL("UPDATE contractors SET name = ?, contact_name = ?, contact_email = ?, contact_phone = "
           "?, version = version + 1, updated_at = ? WHERE id = ?");
static struct hv_sql q_dept =
    HV_SQL("SELECT id, code FROM departments WHERE lower(code) = lower(?)");
static struct hv_sql q_contract =
    HV_SQL("SELECT id, contractor_id, department_id, title, starts_on, ends_on, on_city_property, "
           "onsite_personnel FROM contracts WHERE number = ?");
static struct hv_sql q_contract_insert =
    HV_SQL("INSERT INTO contracts (number, contractor_id, department_id, title, starts_on, "
           "ends_on, on_city_property, onsite_personnel, version, created_at, updated_at) VALUES "
           "(?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
static struct hv_sql q_contract_update =
    HV_SQL("UPDATE contracts SET contractor_id = ?, department_id = ?, title = ?, starts_on = ?, "
           "ends_on = ?, on_city_property = ?, onsite_personnel = ?, version = version + 1, "
           "updated_at = ? WHERE id = ?");

/* A stored row as JSON: {"id", and the columns the file holds}. */
static int vendor_row(void *cls, const struct hv_row *r) {
  json_t **o = cls;
  json_decref(*o);
  *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)hv_row_int(r, 0), "name",
                 nz(hv_row_text(r, 1)), "contact_name", nz(hv_row_text(r, 2)), "contact_email",
                 nz(hv_row_text(r, 3)), "contact_phone", nz(hv_row_text(r, 4)));
  return 1;
}

static int contract_row(void *cls, const struct hv_row *r) {
  json_t **o = cls;
  json_decref(*o);
  *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:I}", "id", (json_int_t)hv_row_int(r, 0),
                 "contractor_id", (json_int_t)hv_row_int(r, 1), "department_id",
                 (json_int_t)hv_row_int(r, 2), "title", nz(hv_row_text(r, 3)), "starts_on",
                 nz(hv_row_text(r, 4)), "ends_on", nz(hv_row_text(r, 5)), "on_city_property",
                 hv_row_int(r, 6) != 0, "onsite_personnel", (json_int_t)hv_row_int(r, 7));
  return 1;
}

static int id_row(void *cls, const struct hv_row *r) {
  *(int64_t *)cls = hv_row_int(r, 0);
  return 1;
}

struct import_args {
  const struct hv_principal *by;
  int64_t scope;
  enum hv_contracts_import_kind kind;
  json_t *rows;   /* checked cells (borrowed) */
  json_t *errors; /* borrowed */
  int added, updated, unchanged;
};

static enum hv_qs audit_row(struct hv_conn *c, const struct hv_principal *by, const char *action,
                            const char *type, int64_t id, const json_t *row) {
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  json_t *change = json_deep_copy(row);
  json_object_del(change, "row");
  json_object_set_new(change, "source", json_string("csv import"));
  char *text = hv_json_dump(change, NULL);
  json_decref(change);
  struct hv_audit_event ev = {by->actor, action, type, oid, nz(text), text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

static size_t row_of(const json_t *r) {
  return (size_t)json_integer_value(json_object_get(r, "row"));
}

static enum hv_qs contractors_apply(struct hv_conn *c, struct import_args *a) {
  size_t i;
  json_t *r;
  int64_t now = hv_clock_wall_ms();
  json_array_foreach(a->rows, i, r) {
    json_t *cur = NULL;
    struct hv_param k[] = {HV_P_TEXT(sget(r, "vendor_id"))};
    enum hv_qs qs = hv_db_query(c, &q_vendor, k, 1, vendor_row, &cur);
    if (qs < 0)
      return qs;
    int64_t id = 0;
    if (!cur) {
      struct hv_param p[] = {HV_P_TEXT(sget(r, "vendor_id")),
                             HV_P_TEXT(sget(r, "name")),
                             HV_P_TEXT(sget(r, "contact_name")),
                             HV_P_TEXT(sget(r, "contact_email")),
                             HV_P_TEXT(sget(r, "contact_phone")),
                             HV_P_INT(now),
                             HV_P_INT(now)};
      if ((qs = hv_db_int(c, &q_vendor_insert, p, 7, &id)) <= 0)
        return qs < 0 ? qs : HV_QS_HARD;
      if ((qs = audit_row(c, a->by, "contractor.create", "contractor", id, r)) < 0)
        return qs;
      a->added++;
      continue;
    }
    id = json_integer_value(json_object_get(cur, "id"));
    bool same = true;
    static const char *const keys[] = {"name", "contact_name", "contact_email", "contact_phone"};
    for (int j = 0; j < 4; j++)
      same &= strcmp(sget(cur, keys[j]), sget(r, keys[j])) == 0;
    json_decref(cur);
    if (same) {
      a->unchanged++;
      continue;
    }
    struct hv_param p[] = {HV_P_TEXT(sget(r, "name")),
                           HV_P_TEXT(sget(r, "contact_name")),
                           HV_P_TEXT(sget(r, "contact_email")),
                           HV_P_TEXT(sget(r, "contact_phone")),
                           HV_P_INT(now),
                           HV_P_INT(id)};
    if ((qs = hv_db_exec(c, &q_vendor_update, p, 6)) < 0 ||
        (qs = audit_row(c, a->by, "contractor.update", "contractor", id, r)) < 0)
      return qs;
    a->updated++;
  }
  return HV_QS_ONE;
}

/* The first pass over a contracts file: resolves codes to ids (set on each
 * row as "contractor_id", "department_id", and "id" of an existing contract
 * with "current" its stored row) and reports the rows that cannot be
 * applied. */
static enum hv_qs contracts_resolve(struct hv_conn *c, struct import_args *a) {
  size_t i;
  json_t *r;
  char msg[200];
  json_array_foreach(a->rows, i, r) {
    int64_t vid = 0, did = 0;
    json_t *cur = NULL;
    struct hv_param v[] = {HV_P_TEXT(sget(r, "vendor_id"))};
    struct hv_param d[] = {HV_P_TEXT(sget(r, "department"))};
    struct hv_param n[] = {HV_P_TEXT(sget(r, "number"))};
    enum hv_qs qs;
    json_object_del(r, "current"); /* from an attempt that was retried */
    if ((qs = hv_db_query(c, &q_vendor, v, 1, id_row, &vid)) < 0 ||
        (qs = hv_db_query(c, &q_dept, d, 1, id_row, &did)) < 0 ||
        (qs = hv_db_query(c, &q_contract, n, 1, contract_row, &cur)) < 0) {
      json_decref(cur);
      return qs;
    }
    if (vid == 0) {
      snprintf(msg, sizeof msg,
               "No contractor has the vendor id %.40s: import the contractors file first, or "
               "correct the id.",
               sget(r, "vendor_id"));
      hv_contracts_problem_at(a->errors, row_of(r), "vendor_id", msg);
    }
    if (did == 0) {
      snprintf(msg, sizeof msg, "There is no department with the code %.24s.",
               sget(r, "department"));
      hv_contracts_problem_at(a->errors, row_of(r), "department", msg);
    } else if (a->scope != 0 && did != a->scope) {
      snprintf(msg, sizeof msg,
               "%.24s is another department: you may import contracts only for your own "
               "department.",
               sget(r, "department"));
      hv_contracts_problem_at(a->errors, row_of(r), "department", msg);
    }
    if (cur && a->scope != 0 &&
        json_integer_value(json_object_get(cur, "department_id")) != a->scope) {
      hv_contracts_problem_at(a->errors, row_of(r), "number",
                              "This contract number is recorded for another department: you may "
                              "change only your own department's contracts.");
    }
    json_object_set_new(r, "contractor_id", json_integer(vid));
    json_object_set_new(r, "department_id", json_integer(did));
    if (cur)
      json_object_set_new(r, "current", cur);
  }
  return HV_QS_ONE;
}

static enum hv_qs contracts_apply(struct hv_conn *c, struct import_args *a) {
  size_t i;
  json_t *r;
  int64_t now = hv_clock_wall_ms();
  json_array_foreach(a->rows, i, r) {
    json_t *cur = json_object_get(r, "current");
    int64_t vid = json_integer_value(json_object_get(r, "contractor_id"));
    int64_t did = json_integer_value(json_object_get(r, "department_id"));
    int prop = json_is_true(json_object_get(r, "on_city_property"));
    int64_t pers = json_integer_value(json_object_get(r, "onsite_personnel"));
    json_t *audited =
        json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:b, s:I, s:I}", "number", sget(r, "number"),
                  "contractor_id", (json_int_t)vid, "department_id", (json_int_t)did, "title",
                  sget(r, "title"), "starts_on", sget(r, "starts_on"), "ends_on",
                  sget(r, "ends_on"), "on_city_property", prop, "onsite_personnel",
                  (json_int_t)pers, "row", (json_int_t)row_of(r));
    enum hv_qs qs;
    int64_t id = 0;
    if (!cur) {
      struct hv_param p[] = {HV_P_TEXT(sget(r, "number")),
                             HV_P_INT(vid),
                             HV_P_INT(did),
                             HV_P_TEXT(sget(r, "title")),
                             HV_P_TEXT(sget(r, "starts_on")),
                             HV_P_TEXT(sget(r, "ends_on")),
                             HV_P_INT(prop),
                             HV_P_INT(pers),
                             HV_P_INT(now),
                             HV_P_INT(now)};
      if ((qs = hv_db_int(c, &q_contract_insert, p, 10, &id)) > 0)
        qs = audit_row(c, a->by, "contract.create", "contract", id, audited);
      else if (qs == HV_QS_NONE)
        qs = HV_QS_HARD;
      a->added++;
    } else {
      id = json_integer_value(json_object_get(cur, "id"));
      bool same = json_integer_value(json_object_get(cur, "contractor_id")) == vid &&
                  json_integer_value(json_object_get(cur, "department_id")) == did &&
                  !strcmp(sget(cur, "title"), sget(r, "title")) &&
                  !strcmp(sget(cur, "starts_on"), sget(r, "starts_on")) &&
                  !strcmp(sget(cur, "ends_on"), sget(r, "ends_on")) &&
                  json_is_true(json_object_get(cur, "on_city_property")) == prop &&
                  json_integer_value(json_object_get(cur, "onsite_personnel")) == pers;
      if (same) {
        a->unchanged++;
        qs = HV_QS_ONE;
      } else {
        struct hv_param p[] = {HV_P_INT(vid),
                               HV_P_INT(did),
                               HV_P_TEXT(sget(r, "title")),
                               HV_P_TEXT(sget(r, "starts_on")),
                               HV_P_TEXT(sget(r, "ends_on")),
                               HV_P_INT(prop),
                               HV_P_INT(pers),
                               HV_P_INT(now),
                               HV_P_INT(id)};
        if ((qs = hv_db_exec(c, &q_contract_update, p, 9)) >= 0)
          qs = audit_row(c, a->by, "contract.update", "contract", id, audited);
        a->updated++;
      }
    }
    json_decref(audited);
    if (qs < 0)
      return qs;
  }
  return HV_QS_ONE;
}

static enum hv_qs import_tx(struct hv_conn *c, void *cls) {
  struct import_args *a = cls;
  a->added = a->updated = a->unchanged = 0; /* a retried transaction starts again */
  json_array_clear(a->errors);
  if (a->kind == HV_CIMPORT_CONTRACTORS)
    return contractors_apply(c, a);
  enum hv_qs qs = contracts_resolve(c, a);
  if (qs < 0)
    return qs;
  if (json_array_size(a->errors) > 0)
    return HV_QS_NONE; /* nothing written: the file is refused */
  return contracts_apply(c, a);
}

int hv_contracts_import(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                        enum hv_contracts_import_kind kind, const char *data, size_t len,
                        struct hv_contracts_import_result *out) {
  memset(out, 0, sizeof *out);
  out->errors = json_array();
  json_t *rows = NULL;
  if (!out->errors)
    return -1;
  int rc = hv_contracts_csv_check(kind, data, len, &rows, out->errors);
  if (rc != 0)
    return rc;
  struct import_args a = {by, scope, kind, rows, out->errors, 0, 0, 0};
  enum hv_qs qs = hv_store_tx(s, true, import_tx, &a);
  json_decref(rows);
  if (qs < 0)
    return -1;
  if (json_array_size(out->errors) > 0)
    return 1;
  out->added = a.added;
  out->updated = a.updated;
  out->unchanged = a.unchanged;
  return 0;
}

void hv_contracts_import_result_free(struct hv_contracts_import_result *r) {
  json_decref(r->errors);
  r->errors = NULL;
}
