/* Checking the contractors' and contracts' CSV files (contractors.h). The
 * whole file is read and every bad cell reported by row (as a spreadsheet
 * numbers it: the header is row 1) and column, once per cell, with the same
 * rules and messages as the API (model.c). What needs the database (does
 * the vendor exist, is the department the importer's) is store.c's. Pure. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/csvtable.h"
#include "core/str.h"
#include "modules/contractors/contractors.h"

static const char *const contractor_cols[] = {"vendor_id",     "name",          "contact_name",
                                              "contact_email", "contact_phone", NULL};
enum { V_ID, V_NAME, V_REQUIRED, V_CONTACT = V_REQUIRED, V_EMAIL, V_PHONE };

static const char *const contract_cols[] = {"number",           "vendor_id", "department",
                                            "starts_on",        "ends_on",   "on_city_property",
                                            "onsite_personnel", "title",     NULL};
enum {
  C_NUMBER,
  C_VENDOR,
  C_DEPT,
  C_START,
  C_END,
  C_PROPERTY,
  C_REQUIRED,
  C_PERSONNEL = C_REQUIRED,
  C_TITLE
};

static const char *const kind_names[HV_CIMPORT_MAX] = {"contractors", "contracts"};

int hv_contracts_import_kind_parse(const char *s) {
  for (int i = 0; s && i < HV_CIMPORT_MAX; i++)
    if (strcmp(s, kind_names[i]) == 0)
      return i;
  return -1;
}

const char *hv_contracts_import_kind_name(enum hv_contracts_import_kind k) {
  return k < HV_CIMPORT_MAX ? kind_names[k] : "unknown";
}

const char *const *hv_contracts_import_columns(enum hv_contracts_import_kind k) {
  return k == HV_CIMPORT_CONTRACTORS ? contractor_cols : contract_cols;
}

void hv_contracts_problem_at(json_t *errors, size_t row, const char *column, const char *msg) {
  if (json_array_size(errors) >= HV_CONTRACTS_MAX_ERRORS)
    return;
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) { /* one problem per cell */
    const char *c = json_string_value(json_object_get(e, "column"));
    if ((size_t)json_integer_value(json_object_get(e, "row")) == row &&
        ((!c && !column) || (c && column && strcmp(c, column) == 0)))
      return;
  }
  json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "row", (json_int_t)row, "column",
                                          column, "message", msg));
}

static void header_problem(void *cls, size_t row, const char *col, const char *msg) {
  hv_contracts_problem_at(cls, row, col, msg);
}

struct rowctx {
  const struct hv_csv_table *t;
  const int *map;
  size_t r, row;
  json_t *errors;
  int bad;
};

static const char *cell(const struct rowctx *c, int col) {
  return c->map[col] < 0 ? "" : hv_csv_table_at(c->t, c->r, (size_t)c->map[col]);
}

/* Model fields are named as the API names them; the files' columns differ
 * only for the two looked up by code. */
static void field_problem(void *cls, const char *field, const char *msg) {
  struct rowctx *c = cls;
  const char *col = !strcmp(field, "contractor_id")   ? "vendor_id"
                    : !strcmp(field, "department_id") ? "department"
                                                      : field;
  hv_contracts_problem_at(c->errors, c->row, col, msg);
  c->bad++;
}

/* yes/no: 1, 0, or -1 when neither. */
static int yes_no(const char *s) {
  static const char *const yes[] = {"yes", "y", "true", "1", NULL};
  static const char *const no[] = {"no", "n", "false", "0", NULL};
  for (int i = 0; yes[i]; i++)
    if (strcasecmp(s, yes[i]) == 0)
      return 1;
  for (int i = 0; no[i]; i++)
    if (strcasecmp(s, no[i]) == 0)
      return 0;
  return -1;
}

static json_t *contractor_row(struct rowctx *c) {
  struct hv_contractor v = {cell(c, V_ID), cell(c, V_NAME), cell(c, V_CONTACT), cell(c, V_EMAIL),
                            cell(c, V_PHONE)};
  hv_contractor_problems(&v, field_problem, c);
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "vendor_id", v.vendor_id, "name", v.name,
                   "contact_name", v.contact_name, "contact_email", v.contact_email,
                   "contact_phone", v.contact_phone);
}

static json_t *contract_row(struct rowctx *c) {
  struct hv_contract k = {
      cell(c, C_NUMBER), cell(c, C_TITLE), cell(c, C_START), cell(c, C_END), 1, 1, 0, 0};
  const char *vendor = cell(c, C_VENDOR), *dept = cell(c, C_DEPT);
  const char *prop = cell(c, C_PROPERTY), *pers = cell(c, C_PERSONNEL);
  int p = yes_no(prop);
  if (p < 0) {
    field_problem(c, "on_city_property",
                  "Write yes if the contract's personnel work on City property, else no.");
    p = 1; /* no second complaint about the personnel */
  }
  k.on_city_property = p;
  bool pers_bad = false;
  if (*pers && hv_parse_i64(pers, 0, 100000, &k.onsite_personnel)) {
    field_problem(c, "onsite_personnel", "Enter the number of on-site personnel, 0 to 100000.");
    pers_bad = true;
  }
  if (!*vendor)
    field_problem(c, "vendor_id", "Enter the vendor id of the contractor holding the contract.");
  if (!*dept)
    field_problem(c, "department", "Enter the department's code, e.g. LAPL.");
  else if (strlen(dept) > 24)
    field_problem(c, "department", "A department code is at most 24 characters, e.g. LAPL.");
  if (pers_bad)
    k.onsite_personnel = 0;
  hv_contract_problems(&k, field_problem, c);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s}", "number", k.number, "vendor_id",
                   vendor, "department", dept, "starts_on", k.starts_on, "ends_on", k.ends_on,
                   "on_city_property", k.on_city_property, "onsite_personnel",
                   (json_int_t)k.onsite_personnel, "title", k.title);
}

int hv_contracts_csv_check(enum hv_contracts_import_kind k, const char *data, size_t len,
                           json_t **rows, json_t *errors) {
  struct hv_csv_table t;
  int map[HV_CSV_MAX_COLS];
  int rc = 1;
  json_t *out = json_array();
  *rows = NULL;
  enum hv_csv_read rd =
      hv_csv_table_read(data, len, HV_CONTRACTS_CSV_MAX_ROWS, HV_CONTRACTS_CSV_MAX_FIELD, &t);
  if (rd == HV_CSV_NOMEM || !out || k >= HV_CIMPORT_MAX) {
    rc = -1;
    goto out;
  }
  if (rd == HV_CSV_BAD) {
    char msg[160];
    snprintf(msg, sizeof msg, "The file is not valid CSV: %s.", t.why);
    hv_contracts_problem_at(errors, t.rows + 1, NULL, msg);
    goto out;
  }
  if (rd == HV_CSV_TOO_BIG) {
    hv_contracts_problem_at(errors, t.rows + 1, NULL,
                            "The file is too large (at most 5,000 rows, 16 columns, 500 "
                            "characters a cell).");
    goto out;
  }
  if (rd == HV_CSV_NOT_UTF8) {
    hv_contracts_problem_at(errors, 0, NULL,
                            "The file is not UTF-8 text (save it from the spreadsheet as CSV "
                            "UTF-8).");
    goto out;
  }
  if (t.rows < 2) {
    hv_contracts_problem_at(errors, 1, NULL, "The file has no rows under its header.");
    goto out;
  }
  const char *const *cols = hv_contracts_import_columns(k);
  if (hv_csv_table_map(&t, cols, k == HV_CIMPORT_CONTRACTORS ? V_REQUIRED : C_REQUIRED, map,
                       header_problem, errors))
    goto out;
  const char *key = k == HV_CIMPORT_CONTRACTORS ? "vendor_id" : "number";
  json_t *seen = json_object();
  for (size_t r = 1; r < t.rows; r++) {
    struct rowctx c = {&t, map, r, r + 1, errors, 0};
    json_t *e = k == HV_CIMPORT_CONTRACTORS ? contractor_row(&c) : contract_row(&c);
    if (!e)
      continue;
    const char *id = json_string_value(json_object_get(e, key));
    json_t *first = id && *id ? json_object_get(seen, id) : NULL;
    if (first) {
      char msg[96];
      snprintf(msg, sizeof msg, "This %s appears twice in the file (also on row %lld).",
               k == HV_CIMPORT_CONTRACTORS ? "vendor id" : "contract number",
               (long long)json_integer_value(first));
      hv_contracts_problem_at(errors, c.row, key, msg);
    } else if (id && *id) {
      json_object_set_new(seen, id, json_integer((json_int_t)c.row));
    }
    json_object_set_new(e, "row", json_integer((json_int_t)c.row));
    json_array_append_new(out, e);
  }
  json_decref(seen);
  if (json_array_size(errors))
    goto out;
  *rows = out;
  out = NULL;
  rc = 0;
out:
  json_decref(out);
  hv_csv_table_free(&t);
  return rc;
}
