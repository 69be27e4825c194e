/* CSV import of departments, facilities and users (RFC 4180, parsed by
 * libcsv). The whole file is read and validated first: every bad cell is
 * listed by row and column, and nothing is written if any row is bad.
 * Then it is applied in one transaction, each change audited, so
 * re-importing the same file changes nothing. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/policy.h"
#include "auth/password.h"
#include "core/csvtable.h"
#include "core/str.h"
#include "modules/accounts/accounts.h"
#include "modules/registry/registry.h"

#define MAX_ROWS 5000
#define MAX_COLS HV_CSV_MAX_COLS
#define MAX_FIELD 2000
#define MAX_ERRORS 200
#define MAX_USERS 500 /* each new user costs an Argon2id hash */

static const char *const kind_names[HV_IMPORT_MAX] = {"departments", "facilities", "users"};

int hv_import_kind_parse(const char *s) {
  for (int i = 0; i < HV_IMPORT_MAX; i++)
    if (strcmp(s, kind_names[i]) == 0)
      return i;
  return -1;
}

/* The columns of each kind; required ones first. */
static const struct {
  const char *cols[MAX_COLS];
  int required;
} layouts[HV_IMPORT_MAX] = {
    {{"code", "name", "contact_email", "contact_phone", "liaison_email", "backup_liaison_email",
      NULL},
     2},
    {{"department_code", "name", "address", "kind", "latitude", "longitude", "areas", NULL}, 4},
    {{"email", "name", "roles", "department_code", NULL}, 3},
};

static void add_error(struct hv_import_result *r, size_t row, const char *col, const char *msg) {
  if (json_array_size(r->errors) >= MAX_ERRORS)
    return;
  /* one problem per cell: a missing name is not also "too short" */
  size_t i;
  json_t *e;
  json_array_foreach(r->errors, i, e) {
    const char *c = json_string_value(json_object_get(e, "column"));
    if ((size_t)json_integer_value(json_object_get(e, "row")) == row && c && col &&
        strcmp(c, col) == 0)
      return;
  }
  json_array_append_new(r->errors, json_pack("{s:I, s:s?, s:s}", "row", (json_int_t)row, "column",
                                             col, "message", msg));
}

static const char *cell(const struct hv_csv_table *t, const int *map, size_t row, int col) {
  return map[col] < 0 ? "" : hv_csv_table_at(t, row, (size_t)map[col]);
}

/* Lookups against the database during validation. */
static struct hv_sql q_dept_exists = HV_SQL("SELECT COUNT(*) FROM departments WHERE code = ?");
static struct hv_sql q_user_exists = HV_SQL("SELECT COUNT(*) FROM users WHERE email = ?");

struct exists_args {
  struct hv_sql *q;
  const char *key;
  int64_t n;
};

static enum hv_qs exists_tx(struct hv_conn *c, void *cls) {
  struct exists_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->key)};
  return hv_db_int(c, a->q, p, 1, &a->n);
}

static int exists(struct hv_store *s, struct hv_sql *q, const char *key) {
  struct exists_args a = {q, key, 0};
  if (hv_store_tx(s, false, exists_tx, &a) < 0)
    return -1;
  return a.n > 0;
}

/* True when `v` appears in column `col` of a row before `row`. */
static bool seen_before(const struct hv_csv_table *t, const int *map, size_t row, int col, const char *v) {
  for (size_t r = 1; r < row; r++)
    if (strcasecmp(cell(t, map, r, col), v) == 0)
      return true;
  return false;
}

static bool seen_pair_before(const struct hv_csv_table *t, const int *map, size_t row, int c1, int c2) {
  for (size_t r = 1; r < row; r++)
    if (strcmp(cell(t, map, r, c1), cell(t, map, row, c1)) == 0 &&
        strcmp(cell(t, map, r, c2), cell(t, map, row, c2)) == 0)
      return true;
  return false;
}

/* Fills a department from row `r`. */
static void read_department(const struct hv_csv_table *t, const int *map, size_t r,
                            struct hv_department *d) {
  d->id = 0;
  d->code = cell(t, map, r, 0);
  d->name = cell(t, map, r, 1);
  d->contact_email = cell(t, map, r, 2);
  d->contact_phone = cell(t, map, r, 3);
}

/* Fills a facility from row `r`; areas parse into `areas_buf` (kept by
 * the caller). Returns a message and column on bad coordinates or areas. */
static const char *read_facility(const struct hv_csv_table *t, const int *map, size_t r,
                                 struct hv_facility *f, char *areas_buf, size_t cap,
                                 const char **col) {
  memset(f, 0, sizeof *f);
  f->name = cell(t, map, r, 1);
  f->address = cell(t, map, r, 2);
  f->kind = cell(t, map, r, 3);
  const char *lat = cell(t, map, r, 4), *lon = cell(t, map, r, 5);
  if (*lat || *lon) {
    *col = "latitude";
    if (hv_coord_parse(lat, 90, &f->lat_e6))
      return "The latitude must be a decimal number from -90 to 90.";
    *col = "longitude";
    if (hv_coord_parse(lon, 180, &f->lon_e6))
      return "The longitude must be a decimal number from -180 to 180.";
    f->has_coords = true;
  }
  snprintf(areas_buf, cap, "%s", cell(t, map, r, 6));
  const char *why = NULL;
  *col = "areas";
  if (hv_areas_parse(areas_buf, f, &why))
    return why;
  return NULL;
}

struct row_problems {
  struct hv_import_result *out;
  size_t row;
};

static void row_problem(void *cls, const char *field, const char *msg) {
  struct row_problems *p = cls;
  add_error(p->out, p->row, field, msg);
}

static int validate(struct hv_store *s, enum hv_import_kind kind, const struct hv_csv_table *t,
                    const int *map, struct hv_import_result *out) {
  char areas[MAX_FIELD + 1], email[300], msg[200];
  for (size_t r = 1; r < t->rows; r++) {
    size_t row = r + 1; /* as a spreadsheet numbers them: the header is row 1 */
    const char *col = NULL, *why = NULL;
    for (int c = 0; c < layouts[kind].required; c++)
      if (!*cell(t, map, r, c)) {
        snprintf(msg, sizeof msg, "The %s is missing.", layouts[kind].cols[c]);
        add_error(out, row, layouts[kind].cols[c], msg);
      }
    if (kind == HV_IMPORT_DEPARTMENTS) {
      struct hv_department d;
      read_department(t, map, r, &d);
      struct row_problems rp = {out, row};
      if (*d.code || *d.name) /* a missing required cell is reported above */
        hv_department_problems(&d, row_problem, &rp);
      if (*d.code && seen_before(t, map, r, 0, d.code))
        add_error(out, row, "code", "This code appears twice in the file.");
      for (int c = 4; c <= 5; c++) {
        const char *e = cell(t, map, r, c);
        if (!*e)
          continue;
        snprintf(email, sizeof email, "%s", e);
        int known = hv_email_normalise(email) ? exists(s, &q_user_exists, email) : 0;
        if (known < 0)
          return -1;
        if (!known)
          add_error(out, row, layouts[kind].cols[c], "No user has this email; import users first.");
      }
    } else if (kind == HV_IMPORT_FACILITIES) {
      struct hv_facility f;
      struct row_problems rp = {out, row};
      if ((why = read_facility(t, map, r, &f, areas, sizeof areas, &col)))
        add_error(out, row, col, why);
      else if (*f.name && *f.address && *f.kind)
        hv_facility_problems(&f, row_problem, &rp);
      const char *code = cell(t, map, r, 0);
      if (*code) {
        int known = exists(s, &q_dept_exists, code);
        if (known < 0)
          return -1;
        if (!known)
          add_error(out, row, "department_code", "No department has this code.");
      }
      if (*f.name && seen_pair_before(t, map, r, 0, 1))
        add_error(out, row, "name", "This facility appears twice in the file.");
    } else {
      const char *e = cell(t, map, r, 0);
      unsigned roles = 0;
      snprintf(email, sizeof email, "%s", e);
      if (*e && !hv_email_normalise(email))
        add_error(out, row, "email", "This is not an email address.");
      else if (*e && seen_before(t, map, r, 0, e))
        add_error(out, row, "email", "This email appears twice in the file.");
      const char *name = cell(t, map, r, 1);
      if (*name && (strlen(name) > 120 || !hv_utf8_valid(name, strlen(name))))
        add_error(out, row, "name", "The name must be at most 120 characters.");
      char list[200];
      snprintf(list, sizeof list, "%s", cell(t, map, r, 2));
      for (char *p = list; *p; p++)
        if (*p == ';')
          *p = ',';
      if (*list && (hv_roles_parse(list, &roles) || !roles))
        add_error(out, row, "roles",
                  "Roles are admin, moia, liaison, legal, agent311, workgroup, auditor or staff, "
                  "separated by ;");
      const char *code = cell(t, map, r, 3);
      if (*code) {
        int known = exists(s, &q_dept_exists, code);
        if (known < 0)
          return -1;
        if (!known)
          add_error(out, row, "department_code", "No department has this code.");
      } else if (roles & HV_DEPARTMENTAL) {
        add_error(out, row, "department_code", "A liaison or staff member needs a department.");
      }
    }
  }
  return 0;
}

/* A new user's one-time password and its hash, made before the transaction. */
struct otp {
  char hash[HV_PASSWORD_HASH_MAX];
  char password[24];
};

struct apply_args {
  const char *actor;
  enum hv_import_kind kind;
  const struct hv_csv_table *t;
  const int *map;
  struct hv_import_result *out;
  struct otp *otps;
};

static struct hv_sql q_dept_id = HV_SQL("SELECT id FROM departments WHERE code = ?");

static enum hv_qs apply_tx(struct hv_conn *c, void *cls) {
  struct apply_args *a = cls;
  const struct hv_csv_table *t = a->t;
  const int *map = a->map;
  char areas[MAX_FIELD + 1], email[300], list[200], summary[128];
  enum hv_qs qs = HV_QS_ONE;
  a->out->created = a->out->updated = a->out->unchanged = 0;
  for (size_t r = 1; r < t->rows && qs >= 0; r++) {
    int changed = 0;
    if (a->kind == HV_IMPORT_DEPARTMENTS) {
      struct hv_department d;
      int64_t id = 0;
      const char *bad = NULL;
      read_department(t, map, r, &d);
      if ((qs = hv_department_upsert_tx(c, a->actor, &d, &changed, &id)) < 0)
        break;
      char primary[300], backup[300];
      snprintf(primary, sizeof primary, "%s", cell(t, map, r, 4));
      snprintf(backup, sizeof backup, "%s", cell(t, map, r, 5));
      if (*primary)
        hv_email_normalise(primary);
      if (*backup)
        hv_email_normalise(backup);
      if (map[4] >= 0 || map[5] >= 0) {
        qs = hv_department_set_liaisons(c, a->actor, id, primary, backup, &bad);
        if (qs > 0 && !changed)
          changed = 2;
        if (qs == HV_QS_NONE)
          qs = HV_QS_ONE;
      }
    } else if (a->kind == HV_IMPORT_FACILITIES) {
      struct hv_facility f;
      const char *col;
      read_facility(t, map, r, &f, areas, sizeof areas, &col);
      qs = hv_facility_upsert_tx(c, a->actor, cell(t, map, r, 0), &f, &changed);
    } else {
      unsigned roles = 0;
      int64_t dept = 0;
      snprintf(email, sizeof email, "%s", cell(t, map, r, 0));
      hv_email_normalise(email);
      snprintf(list, sizeof list, "%s", cell(t, map, r, 2));
      for (char *p = list; *p; p++)
        if (*p == ';')
          *p = ',';
      hv_roles_parse(list, &roles);
      const char *code = cell(t, map, r, 3);
      if (*code) {
        struct hv_param p[] = {HV_P_TEXT(code)};
        if ((qs = hv_db_int(c, &q_dept_id, p, 1, &dept)) < 0)
          break;
      }
      qs = hv_accounts_upsert_user_tx(c, a->actor, email, cell(t, map, r, 1), dept, roles,
                                      a->otps[r].hash, &changed);
      if (qs >= 0 && changed == 1)
        json_array_append_new(a->out->passwords, json_pack("{s:s, s:s}", "email", email,
                                                           "password", a->otps[r].password));
    }
    if (qs < 0)
      break;
    if (changed == 1)
      a->out->created++;
    else if (changed == 2)
      a->out->updated++;
    else
      a->out->unchanged++;
  }
  if (qs < 0)
    return qs;
  int n = snprintf(summary, sizeof summary, "%s: %d created, %d updated, %d unchanged",
                   kind_names[a->kind], a->out->created, a->out->updated, a->out->unchanged);
  struct hv_audit_event ev = {a->actor, "import.apply", "import", kind_names[a->kind], summary,
                              (size_t)n};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

static void header_problem(void *cls, size_t row, const char *col, const char *msg) {
  add_error(cls, row, col, msg);
}

void hv_import_result_free(struct hv_import_result *r) {
  json_decref(r->errors);
  json_decref(r->passwords);
  r->errors = r->passwords = NULL;
}

int hv_import(struct hv_store *s, const char *actor, enum hv_import_kind kind, const char *data,
              size_t len, struct hv_import_result *out) {
  struct hv_csv_table t;
  int map[MAX_COLS];
  int rc = 1;
  struct otp *otps = NULL;
  memset(out, 0, sizeof *out);
  out->errors = json_array();
  out->passwords = json_array();
  enum hv_csv_read rd = hv_csv_table_read(data, len, MAX_ROWS, MAX_FIELD, &t);
  if (rd == HV_CSV_NOMEM || !out->errors || !out->passwords) {
    rc = -1;
    goto out;
  }
  if (rd == HV_CSV_BAD) {
    char msg[160];
    snprintf(msg, sizeof msg, "The file is not valid CSV: %s.", t.why);
    add_error(out, t.rows + 1, NULL, msg);
    goto out;
  }
  if (rd == HV_CSV_TOO_BIG) {
    add_error(out, t.rows + 1, NULL, "The file is too large (at most 5,000 rows, 16 columns, "
                                     "2,000 characters a cell).");
    goto out;
  }
  if (rd == HV_CSV_NOT_UTF8) {
    add_error(out, 0, NULL, "The file is not UTF-8 text (save it from the spreadsheet as CSV UTF-8).");
    goto out;
  }
  if (t.rows < 2) {
    add_error(out, 1, NULL, "The file has no rows under its header.");
    goto out;
  }
  if (kind == HV_IMPORT_USERS && t.rows - 1 > MAX_USERS) {
    add_error(out, 1, NULL, "Import at most 500 users at a time.");
    goto out;
  }
  /* The header names the columns, in any order. */
  if (hv_csv_table_map(&t, layouts[kind].cols, layouts[kind].required, map, header_problem, out))
    goto out;
  if (validate(s, kind, &t, map, out)) {
    rc = -1;
    goto out;
  }
  if (json_array_size(out->errors))
    goto out;
  if (kind == HV_IMPORT_USERS) {
    /* one-time passwords, hashed before the transaction: Argon2id is slow
     * on purpose, and the write lock should not wait for it */
    otps = calloc(t.rows, sizeof *otps);
    if (!otps) {
      rc = -1;
      goto out;
    }
    for (size_t r = 1; r < t.rows; r++) {
      hv_password_random(otps[r].password, 20);
      if (hv_password_hash(otps[r].password, otps[r].hash)) {
        rc = -1;
        goto out;
      }
    }
  }
  struct apply_args a = {actor, kind, &t, map, out, otps};
  rc = hv_store_tx(s, true, apply_tx, &a) < 0 ? -1 : 0;
out:
  if (otps)
    sodium_memzero(otps, t.rows * sizeof *otps);
  free(otps);
  hv_csv_table_free(&t);
  return rc;
}
