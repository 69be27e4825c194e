/* Training SQL (training.h). An import checks the whole file against the
 * database (departments, employees, courses, the importer's scope) inside
 * its write transaction and writes only when every row is good, in batches
 * of multi-row INSERTs (one round trip per 100 rows on PostgreSQL), with one
 * audit event committing to the file's SHA-256 and the counts. An import
 * that changes nothing writes nothing, audit event included, so importing
 * the same file twice is idempotent.
 *
 * Coverage is computed when asked, as of the day given, in set-based SQL:
 * active employees joined to the courses that apply to their department and
 * to training_latest (the latest completion of each course, kept here by
 * the completions import), grouped by department or by unit. */
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "modules/protocol/protocol.h"
#include "modules/training/training.h"

static const char *nz(const char *s) { return s ? s : ""; }

void hv_training_result_free(struct hv_training_result *r) {
  json_decref(r->problems.list);
  r->problems.list = NULL;
}

/* --- batched inserts ------------------------------------------------------------ */

#define BATCH 100
#define BATCH_MAXCOLS 6

/* An INSERT written once with one row and once with BATCH rows. */
struct batch_sql {
  const char *head, *tail;
  int ncols;
  struct hv_sql one, many;
};

static struct batch_sql b_employee = {
    "INSERT INTO training_employees (employee_number, name, department_id, unit, active, "
    "updated_at)",
    "", 6, HV_SQL(NULL), HV_SQL(NULL)};
static struct batch_sql b_completion = {
    "INSERT INTO training_completions (employee_id, course_id, completed_on, day, imported_at)",
    " ON CONFLICT (employee_id, course_id, completed_on) DO NOTHING", 5, HV_SQL(NULL),
    HV_SQL(NULL)};
static struct batch_sql b_latest = {
    "INSERT INTO training_latest (employee_id, course_id, day)",
    " ON CONFLICT (employee_id, course_id) DO UPDATE SET day = excluded.day WHERE excluded.day > "
    "training_latest.day",
    3, HV_SQL(NULL), HV_SQL(NULL)};

static char *values_sql(const struct batch_sql *b, int rows) {
  GString *s = g_string_new(b->head);
  g_string_append(s, " VALUES ");
  for (int r = 0; r < rows; r++) {
    g_string_append(s, r ? ", (" : "(");
    for (int k = 0; k < b->ncols; k++)
      g_string_append(s, k ? ", ?" : "?");
    g_string_append_c(s, ')');
  }
  g_string_append(s, b->tail);
  return g_string_free(s, FALSE);
}

static pthread_once_t batches_once = PTHREAD_ONCE_INIT;

/* The statements live as long as the process (prepared per connection). */
static void batches_init(void) {
  struct batch_sql *all[] = {&b_employee, &b_completion, &b_latest};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    all[i]->one.sql = values_sql(all[i], 1);
    all[i]->many.sql = values_sql(all[i], BATCH);
  }
}

struct batch {
  struct batch_sql *q;
  struct hv_conn *c;
  struct hv_param p[BATCH * BATCH_MAXCOLS];
  int rows;
  int64_t changed;
};

static void batch_start(struct batch *b, struct batch_sql *q, struct hv_conn *c) {
  pthread_once(&batches_once, batches_init);
  b->q = q;
  b->c = c;
  b->rows = 0;
  b->changed = 0;
}

static enum hv_qs batch_flush(struct batch *b) {
  enum hv_qs qs = HV_QS_NONE;
  if (b->rows == BATCH) {
    qs = hv_db_exec(b->c, &b->q->many, b->p, (size_t)(BATCH * b->q->ncols));
    if (qs > 0)
      b->changed += qs;
  } else {
    for (int r = 0; r < b->rows && qs >= 0; r++) {
      qs = hv_db_exec(b->c, &b->q->one, b->p + r * b->q->ncols, (size_t)b->q->ncols);
      if (qs > 0)
        b->changed += qs;
    }
  }
  b->rows = 0;
  return qs < 0 ? qs : HV_QS_ONE;
}

/* Adds a row (its text parameters must live until the flush). */
static enum hv_qs batch_add(struct batch *b, const struct hv_param *row) {
  memcpy(b->p + b->rows * b->q->ncols, row, (size_t)b->q->ncols * sizeof *row);
  if (++b->rows == BATCH)
    return batch_flush(b);
  return HV_QS_ONE;
}

/* --- departments ------------------------------------------------------------------ */

static struct hv_sql q_departments = HV_SQL("SELECT id, code, name FROM departments");

struct dept {
  int64_t id;
  char code[33];
  char name[161];
};

static int dept_row(void *cls, const struct hv_row *r) {
  GArray *a = cls;
  struct dept d;
  memset(&d, 0, sizeof d);
  d.id = hv_row_int(r, 0);
  snprintf(d.code, sizeof d.code, "%s", nz(hv_row_text(r, 1)));
  snprintf(d.name, sizeof d.name, "%s", nz(hv_row_text(r, 2)));
  g_array_append_val(a, d);
  return 0;
}

static enum hv_qs load_departments(struct hv_conn *c, GArray *a) {
  g_array_set_size(a, 0);
  return hv_db_query(c, &q_departments, NULL, 0, dept_row, a);
}

static const struct dept *dept_by_code(GArray *a, const char *code) {
  for (guint i = 0; i < a->len; i++)
    if (strcmp(g_array_index(a, struct dept, i).code, code) == 0)
      return &g_array_index(a, struct dept, i);
  return NULL;
}

static const struct dept *dept_by_id(GArray *a, int64_t id) {
  for (guint i = 0; i < a->len; i++)
    if (g_array_index(a, struct dept, i).id == id)
      return &g_array_index(a, struct dept, i);
  return NULL;
}

struct dept_args {
  const struct hv_principal *by;
  const char *code;
  int64_t id;
  char *name;
  size_t namelen;
};

static enum hv_qs dept_tx(struct hv_conn *c, void *cls) {
  struct dept_args *a = cls;
  GArray *all = g_array_new(FALSE, TRUE, sizeof(struct dept));
  enum hv_qs qs = load_departments(c, all);
  if (qs >= 0) {
    const struct dept *d = dept_by_code(all, a->code);
    if (d && hv_policy_in_scope(a->by, d->id)) {
      a->id = d->id;
      if (a->name)
        snprintf(a->name, a->namelen, "%s", d->name);
      qs = HV_QS_ONE;
    } else {
      qs = HV_QS_NONE;
    }
  }
  g_array_free(all, TRUE);
  return qs;
}

enum hv_qs hv_training_department(struct hv_store *s, const struct hv_principal *by,
                                  const char *code, int64_t *id, char *name, size_t namelen) {
  struct dept_args a = {by, code, 0, name, namelen};
  enum hv_qs qs = hv_store_tx(s, false, dept_tx, &a);
  *id = a.id;
  return qs;
}

/* --- the generation of the data coverage is computed from ------------------------- */

static struct hv_sql q_generation = HV_SQL("SELECT generation FROM training_state WHERE id = 1");
static struct hv_sql q_generation_bump =
    HV_SQL("UPDATE training_state SET generation = generation + 1 WHERE id = 1");

static enum hv_qs bump(struct hv_conn *c) {
  enum hv_qs qs = hv_db_exec(c, &q_generation_bump, NULL, 0);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* --- audit -------------------------------------------------------------------------- */

static enum hv_qs audit_import(struct hv_conn *c, const struct hv_principal *by, const char *what,
                               const char *data, size_t len, const struct hv_training_result *r) {
  char sha[65], change[300];
  hv_protocol_sha256(data, len, sha);
  snprintf(change, sizeof change,
           "rows=%zu added=%lld updated=%lld unchanged=%lld deactivated=%lld sha256=%s", r->rows,
           (long long)r->added, (long long)r->updated, (long long)r->unchanged,
           (long long)r->deactivated, sha);
  struct hv_audit_event ev = {by->actor, what,          "training", what + strlen("training."),
                              change,    strlen(change)};
  enum hv_qs qs = bump(c);
  if (qs >= 0)
    qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* --- roster import ------------------------------------------------------------------ */

struct employee {
  int64_t id, department_id;
  char *name, *unit;
  bool active, seen;
};

static void employee_free(gpointer p) {
  struct employee *e = p;
  free(e->name);
  free(e->unit);
  free(e);
}

static struct hv_sql q_roster_all =
    HV_SQL("SELECT id, employee_number, name, department_id, unit, active FROM training_employees");
static struct hv_sql q_employee_update =
    HV_SQL("UPDATE training_employees SET name = ?, department_id = ?, unit = ?, active = ?, "
           "updated_at = ? WHERE id = ?");
static struct hv_sql q_employee_deactivate =
    HV_SQL("UPDATE training_employees SET active = 0, updated_at = ? WHERE id = ?");

static int roster_row(void *cls, const struct hv_row *r) {
  struct employee *e = calloc(1, sizeof *e);
  if (!e)
    return 1;
  e->id = hv_row_int(r, 0);
  e->department_id = hv_row_int(r, 3);
  e->name = strdup(nz(hv_row_text(r, 2)));
  e->unit = strdup(nz(hv_row_text(r, 4)));
  e->active = hv_row_int(r, 5) != 0;
  g_hash_table_insert(cls, strdup(nz(hv_row_text(r, 1))), e);
  return 0;
}

struct roster_args {
  const struct hv_principal *by;
  const char *data;
  size_t len;
  struct hv_training_roster *file;
  struct hv_training_result *r;
  bool refused;
};

static enum hv_qs roster_tx(struct hv_conn *c, void *cls) {
  struct roster_args *a = cls;
  struct hv_training_result *r = a->r;
  struct hv_training_roster *f = a->file;
  int64_t scope = hv_policy_department(a->by), now = hv_clock_wall_ms();
  GArray *depts = g_array_new(FALSE, TRUE, sizeof(struct dept));
  GHashTable *have = g_hash_table_new_full(g_str_hash, g_str_equal, free, employee_free);
  GHashTable *named = g_hash_table_new(g_int64_hash, g_int64_equal); /* departments in file */
  int64_t *dept_of = calloc(f->n ? f->n : 1, sizeof *dept_of);
  struct batch *b = malloc(sizeof *b);
  enum hv_qs qs = HV_QS_HARD;
  r->added = r->updated = r->unchanged = r->deactivated = 0;
  a->refused = false;
  if (!dept_of || !b)
    goto out;
  if ((qs = load_departments(c, depts)) < 0 ||
      (qs = hv_db_query(c, &q_roster_all, NULL, 0, roster_row, have)) < 0)
    goto out;
  /* every row against the database before anything is written */
  for (size_t i = 0; i < f->n; i++) {
    const struct hv_training_person *p = &f->rows[i];
    const struct dept *d = dept_by_code(depts, p->department);
    char msg[200];
    if (!d) {
      hv_training_problem(&r->problems, p->row, "department",
                          "There is no department with this code in the City registry.");
      continue;
    }
    if (scope != 0 && d->id != scope) {
      const struct dept *own = dept_by_id(depts, scope);
      snprintf(msg, sizeof msg, "You can import only your own department's roster (%s).",
               own ? own->code : "none");
      hv_training_problem(&r->problems, p->row, "department", msg);
      continue;
    }
    struct employee *e = g_hash_table_lookup(have, p->number);
    if (e && scope != 0 && e->department_id != scope) {
      hv_training_problem(&r->problems, p->row, "employee_number",
                          "This employee is on another department's roster; ask the Mayor's "
                          "Office of Immigrant Affairs to move them.");
      continue;
    }
    dept_of[i] = d->id;
    g_hash_table_add(named, &dept_of[i]);
  }
  if (r->problems.count) {
    a->refused = true;
    qs = HV_QS_NONE;
    goto out;
  }
  batch_start(b, &b_employee, c);
  for (size_t i = 0; i < f->n; i++) {
    const struct hv_training_person *p = &f->rows[i];
    struct employee *e = g_hash_table_lookup(have, p->number);
    if (!e) {
      struct hv_param row[] = {HV_P_TEXT(p->number), HV_P_TEXT(p->name),  HV_P_INT(dept_of[i]),
                               HV_P_TEXT(p->unit),   HV_P_INT(p->active), HV_P_INT(now)};
      if ((qs = batch_add(b, row)) < 0)
        goto out;
      r->added++;
      continue;
    }
    e->seen = true;
    if (e->department_id == dept_of[i] && e->active == p->active && strcmp(e->unit, p->unit) == 0 &&
        strcmp(e->name, p->name) == 0) {
      r->unchanged++;
      continue;
    }
    struct hv_param u[] = {HV_P_TEXT(p->name),  HV_P_INT(dept_of[i]), HV_P_TEXT(p->unit),
                           HV_P_INT(p->active), HV_P_INT(now),        HV_P_INT(e->id)};
    if ((qs = hv_db_exec(c, &q_employee_update, u, 6)) < 0)
      goto out;
    r->updated++;
  }
  if ((qs = batch_flush(b)) < 0)
    goto out;
  /* the file is the whole roster of each department it names */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, have);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    struct employee *e = v;
    if (e->seen || !e->active || !g_hash_table_contains(named, &e->department_id))
      continue;
    struct hv_param p[] = {HV_P_INT(now), HV_P_INT(e->id)};
    if ((qs = hv_db_exec(c, &q_employee_deactivate, p, 2)) < 0)
      goto out;
    r->deactivated++;
  }
  qs = HV_QS_ONE;
  if (r->added || r->updated || r->deactivated)
    qs = audit_import(c, a->by, "training.roster", a->data, a->len, r);
out:
  free(b);
  free(dept_of);
  g_hash_table_destroy(named);
  g_hash_table_destroy(have);
  g_array_free(depts, TRUE);
  return qs;
}

int hv_training_roster_import(struct hv_store *s, const struct hv_principal *by, const char *data,
                              size_t len, struct hv_training_result *r) {
  struct hv_training_roster f;
  memset(r, 0, sizeof *r);
  r->problems.list = json_array();
  if (!r->problems.list)
    return -1;
  int rc = hv_training_roster_read(data, len, &f, &r->problems);
  r->rows = f.t.rows > 0 ? f.t.rows - 1 : 0;
  if (rc) {
    hv_training_roster_free(&f);
    return rc;
  }
  if (hv_policy_department(by) < 0) {
    hv_training_problem(&r->problems, 1, NULL, "Your account has no department.");
    hv_training_roster_free(&f);
    return 1;
  }
  struct roster_args a = {by, data, len, &f, r, false};
  enum hv_qs qs = hv_store_tx(s, true, roster_tx, &a);
  hv_training_roster_free(&f);
  if (qs < 0)
    return -1;
  return a.refused ? 1 : 0;
}

/* --- completions import --------------------------------------------------------------- */

static struct hv_sql q_employee_ids =
    HV_SQL("SELECT employee_number, id, department_id FROM training_employees WHERE ? = 0 OR "
           "department_id = ?");
static struct hv_sql q_course_ids = HV_SQL("SELECT code, id, department_id FROM training_courses");

/* number or code -> {id, department_id} */
struct idpair {
  int64_t id, department_id;
};

static int idpair_row(void *cls, const struct hv_row *r) {
  struct idpair *p = malloc(sizeof *p);
  if (!p)
    return 1;
  p->id = hv_row_int(r, 1);
  p->department_id = hv_row_null(r, 2) ? 0 : hv_row_int(r, 2);
  g_hash_table_insert(cls, strdup(nz(hv_row_text(r, 0))), p);
  return 0;
}

struct resolved {
  int64_t employee, course;
  int32_t day;
  const char *completed_on; /* borrowed from the file's table */
};

/* By employee and course, the latest day first. */
static int cmp_resolved(const void *x, const void *y) {
  const struct resolved *a = x, *b = y;
  if (a->employee != b->employee)
    return a->employee < b->employee ? -1 : 1;
  if (a->course != b->course)
    return a->course < b->course ? -1 : 1;
  return (a->day < b->day) - (a->day > b->day);
}

struct completions_args {
  const struct hv_principal *by;
  const char *data;
  size_t len;
  struct hv_training_completions *file;
  struct hv_training_result *r;
  bool refused;
};

static enum hv_qs completions_tx(struct hv_conn *c, void *cls) {
  struct completions_args *a = cls;
  struct hv_training_result *r = a->r;
  struct hv_training_completions *f = a->file;
  int64_t scope = hv_policy_department(a->by), now = hv_clock_wall_ms();
  GHashTable *emp = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
  GHashTable *crs = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);
  struct resolved *res = calloc(f->n ? f->n : 1, sizeof *res);
  struct batch *b = malloc(sizeof *b);
  enum hv_qs qs = HV_QS_HARD;
  r->added = r->updated = r->unchanged = r->deactivated = 0;
  a->refused = false;
  if (!res || !b)
    goto out;
  struct hv_param sp[] = {HV_P_INT(scope), HV_P_INT(scope)};
  if ((qs = hv_db_query(c, &q_employee_ids, sp, 2, idpair_row, emp)) < 0 ||
      (qs = hv_db_query(c, &q_course_ids, NULL, 0, idpair_row, crs)) < 0)
    goto out;
  for (size_t i = 0; i < f->n; i++) {
    const struct hv_training_completion *x = &f->rows[i];
    const struct idpair *e = g_hash_table_lookup(emp, x->number);
    const struct idpair *k = g_hash_table_lookup(crs, x->course);
    if (!e)
      hv_training_problem(&r->problems, x->row, "employee_number",
                          scope ? "No employee with this number on your department's roster."
                                : "No employee with this number on any roster.");
    if (!k)
      hv_training_problem(&r->problems, x->row, "course", "There is no course with this code.");
    else if (e && k->department_id && k->department_id != e->department_id)
      hv_training_problem(&r->problems, x->row, "course",
                          "This course is another department's: the employee cannot take it.");
    if (e && k)
      res[i] = (struct resolved){e->id, k->id, x->day, x->completed_on};
  }
  if (r->problems.count) {
    a->refused = true;
    qs = HV_QS_NONE;
    goto out;
  }
  /* in the primary key's order: the B-tree fills page after page instead
   * of touching a random page per row (on SQLite about 5x faster at
   * 500,000 rows) */
  qsort(res, f->n, sizeof *res, cmp_resolved);
  batch_start(b, &b_completion, c);
  for (size_t i = 0; i < f->n; i++) {
    struct hv_param row[] = {HV_P_INT(res[i].employee), HV_P_INT(res[i].course),
                             HV_P_TEXT(res[i].completed_on), HV_P_INT(res[i].day),
                             HV_P_INT(now)};
    if ((qs = batch_add(b, row)) < 0)
      goto out;
  }
  if ((qs = batch_flush(b)) < 0)
    goto out;
  r->added = b->changed;
  r->unchanged = (int64_t)f->n - r->added;
  if (r->added == 0) {
    qs = HV_QS_ONE;
    goto out;
  }
  /* each employee's latest completion of each course in the file (the
   * first of its group, as sorted), kept when later than the stored one */
  batch_start(b, &b_latest, c);
  for (size_t i = 0; i < f->n; i++) {
    if (i > 0 && res[i].employee == res[i - 1].employee && res[i].course == res[i - 1].course)
      continue;
    struct hv_param row[] = {HV_P_INT(res[i].employee), HV_P_INT(res[i].course),
                             HV_P_INT(res[i].day)};
    if ((qs = batch_add(b, row)) < 0)
      goto out;
  }
  if ((qs = batch_flush(b)) < 0)
    goto out;
  qs = audit_import(c, a->by, "training.completions", a->data, a->len, r);
out:
  free(b);
  free(res);
  g_hash_table_destroy(emp);
  g_hash_table_destroy(crs);
  return qs;
}

int hv_training_completions_import(struct hv_store *s, const struct hv_principal *by,
                                   const char *data, size_t len, struct hv_training_result *r) {
  struct hv_training_completions f;
  memset(r, 0, sizeof *r);
  r->problems.list = json_array();
  if (!r->problems.list)
    return -1;
  int rc = hv_training_completions_read(data, len, hv_training_today(), &f, &r->problems);
  r->rows = f.t.rows > 0 ? f.t.rows - 1 : 0;
  if (rc) {
    hv_training_completions_free(&f);
    return rc;
  }
  if (hv_policy_department(by) < 0) {
    hv_training_problem(&r->problems, 1, NULL, "Your account has no department.");
    hv_training_completions_free(&f);
    return 1;
  }
  struct completions_args a = {by, data, len, &f, r, false};
  enum hv_qs qs = hv_store_tx(s, true, completions_tx, &a);
  hv_training_completions_free(&f);
  if (qs < 0)
    return -1;
  return a.refused ? 1 : 0;
}

/* --- courses ---------------------------------------------------------------------------- */

static struct hv_sql q_courses = HV_SQL(
    "SELECT c.id, c.code, c.title, d.code, c.recurrence_days FROM training_courses c LEFT JOIN "
    "departments d ON d.id = c.department_id WHERE ? = 0 OR c.department_id IS NULL OR "
    "c.department_id = ? ORDER BY c.department_id IS NOT NULL, c.code");
static struct hv_sql q_course_insert =
    HV_SQL("INSERT INTO training_courses (code, title, department_id, recurrence_days, created_by, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_course_code = HV_SQL("SELECT id FROM training_courses WHERE code = ?");

static json_t *course_json(const struct hv_row *r) {
  return json_pack("{s:I, s:s, s:s, s:o, s:I}", "id", (json_int_t)hv_row_int(r, 0), "code",
                   nz(hv_row_text(r, 1)), "title", nz(hv_row_text(r, 2)), "department",
                   hv_row_null(r, 3) ? json_null() : json_string(nz(hv_row_text(r, 3))),
                   "recurrence_days", (json_int_t)hv_row_int(r, 4));
}

static int course_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, course_json(r));
  return 0;
}

struct courses_args {
  int64_t scope;
  json_t *out;
};

static enum hv_qs courses_tx(struct hv_conn *c, void *cls) {
  struct courses_args *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(a->scope), HV_P_INT(a->scope)};
  return hv_db_query(c, &q_courses, p, 2, course_row, a->out);
}

enum hv_qs hv_training_courses(struct hv_store *s, const struct hv_principal *by, json_t **out) {
  struct courses_args a = {hv_policy_department(by), json_array()};
  enum hv_qs qs = hv_store_tx(s, false, courses_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct course_args {
  const struct hv_principal *by;
  struct hv_training_course_new *c;
};

static enum hv_qs course_create_tx(struct hv_conn *c, void *cls) {
  struct course_args *a = cls;
  struct hv_training_course_new *n = a->c;
  int64_t scope = hv_policy_department(a->by), dept = 0, id = 0;
  GArray *depts = g_array_new(FALSE, TRUE, sizeof(struct dept));
  enum hv_qs qs = load_departments(c, depts);
  n->problem = n->field = NULL;
  if (qs < 0)
    goto out;
  if (n->department && *n->department) {
    const struct dept *d = dept_by_code(depts, n->department);
    if (!d || !hv_policy_in_scope(a->by, d->id)) {
      n->problem = "Choose your own department, or (MOIA) any department of the registry.";
      n->field = "department";
      qs = HV_QS_CONFLICT;
      goto out;
    }
    dept = d->id;
  } else if (scope != 0) {
    n->problem = "A liaison's courses are for their own department: name it.";
    n->field = "department";
    qs = HV_QS_CONFLICT;
    goto out;
  }
  struct hv_param pc[] = {HV_P_TEXT(n->code)};
  if ((qs = hv_db_int(c, &q_course_code, pc, 1, &id)) < 0)
    goto out;
  if (qs > 0) {
    n->problem = "A course with this code exists already.";
    n->field = "code";
    qs = HV_QS_CONFLICT;
    goto out;
  }
  struct hv_param p[] = {
      HV_P_TEXT(n->code),           HV_P_TEXT(n->title),      dept ? HV_P_INT(dept) : HV_P_NULL,
      HV_P_INT(n->recurrence_days), HV_P_INT(a->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_int(c, &q_course_insert, p, 6, &n->id)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_HARD;
    goto out;
  }
  char oid[24], change[200];
  snprintf(oid, sizeof oid, "%lld", (long long)n->id);
  snprintf(change, sizeof change, "code=%s department=%lld recurrence_days=%lld", n->code,
           (long long)dept, (long long)n->recurrence_days);
  struct hv_audit_event ev = {
      a->by->actor, "training.course.create", "training_course", oid, change, strlen(change)};
  if ((qs = bump(c)) >= 0)
    qs = hv_audit_append(c, &ev);
  qs = qs < 0 ? qs : HV_QS_ONE;
out:
  g_array_free(depts, TRUE);
  return qs;
}

enum hv_qs hv_training_course_create(struct hv_store *s, const struct hv_principal *by,
                                     struct hv_training_course_new *c) {
  struct course_args a = {by, c};
  return hv_store_tx(s, true, course_create_tx, &a);
}

/* --- coverage ------------------------------------------------------------------------------ */

/* Covered: a completion, and (for a recurring course) its day plus the
 * recurrence is today or later. */
#define COVERED                                                                                    \
  "SUM(CASE WHEN l.day IS NOT NULL AND (c.recurrence_days = 0 OR l.day + c.recurrence_days >= "    \
  "?) THEN 1 ELSE 0 END)"
#define APPLIES " (c.department_id IS NULL OR c.department_id = e.department_id) "

static struct hv_sql q_cov_city = HV_SQL(
    "SELECT e.department_id, c.id, COUNT(*), " COVERED " FROM training_employees e JOIN "
    "training_courses c ON" APPLIES "LEFT JOIN training_latest l ON l.employee_id = e.id AND "
    "l.course_id = c.id WHERE e.active = 1 AND (? = 0 OR e.department_id = ?) GROUP BY "
    "e.department_id, c.id");
static struct hv_sql q_active_city =
    HV_SQL("SELECT department_id, COUNT(*) FROM training_employees WHERE active = 1 AND (? = 0 OR "
           "department_id = ?) GROUP BY department_id");
static struct hv_sql q_cov_units = HV_SQL(
    "SELECT e.unit, c.id, COUNT(*), " COVERED " FROM training_employees e JOIN "
    "training_courses c ON" APPLIES "LEFT JOIN training_latest l ON l.employee_id = e.id AND "
    "l.course_id = c.id WHERE e.active = 1 AND e.department_id = ? GROUP BY e.unit, c.id ORDER "
    "BY e.unit");
static struct hv_sql q_active_units =
    HV_SQL("SELECT unit, COUNT(*) FROM training_employees WHERE active = 1 AND department_id = ? "
           "GROUP BY unit ORDER BY unit");

static json_t *percent(int64_t covered, int64_t of) {
  return of > 0 ? json_integer((json_int_t)(covered * 100 / of)) : json_null();
}

/* {code, title, recurrence_days, covered, overdue, percent} */
static json_t *course_cell(json_t *course, int64_t active, int64_t covered) {
  return json_pack("{s:O, s:O, s:O, s:I, s:I, s:o}", "code", json_object_get(course, "code"),
                   "title", json_object_get(course, "title"), "recurrence_days",
                   json_object_get(course, "recurrence_days"), "covered", (json_int_t)covered,
                   "overdue", (json_int_t)(active - covered), "percent", percent(covered, active));
}

/* The courses applying to department `dept` (citywide and its own). */
static bool course_applies(json_t *course, const char *dept_code) {
  json_t *d = json_object_get(course, "department");
  return json_is_null(d) || strcmp(json_string_value(d), dept_code) == 0;
}

struct cov_args {
  int64_t scope, dept;
  int32_t today;
  GArray *depts;
  json_t *courses;              /* the courses table, all of them */
  GHashTable *active, *covered; /* "key" -> int64 (g_strdup'd keys) */
  json_t *out;
  int64_t generation; /* of the data read */
};

static void count_put(GHashTable *h, const char *key, int64_t v) {
  int64_t *p = g_new(int64_t, 1);
  *p = v;
  g_hash_table_replace(h, g_strdup(key), p);
}

static int64_t count_get(GHashTable *h, const char *key) {
  int64_t *p = g_hash_table_lookup(h, key);
  return p ? *p : 0;
}

static int cov_row(void *cls, const struct hv_row *r) {
  struct cov_args *a = cls;
  char key[160];
  if (a->dept) /* by unit */
    snprintf(key, sizeof key, "%lld/%s", (long long)hv_row_int(r, 1), nz(hv_row_text(r, 0)));
  else
    snprintf(key, sizeof key, "%lld/%lld", (long long)hv_row_int(r, 1),
             (long long)hv_row_int(r, 0));
  count_put(a->covered, key, hv_row_int(r, 3));
  return 0;
}

static int active_row(void *cls, const struct hv_row *r) {
  struct cov_args *a = cls;
  char key[120];
  if (a->dept) {
    snprintf(key, sizeof key, "%s", nz(hv_row_text(r, 0)));
    json_array_append_new(a->out, json_string(key));
  } else {
    snprintf(key, sizeof key, "%lld", (long long)hv_row_int(r, 0));
  }
  count_put(a->active, key, hv_row_int(r, 1));
  return 0;
}

static struct hv_sql q_all_courses = HV_SQL(
    "SELECT c.id, c.code, c.title, d.code, c.recurrence_days FROM training_courses c LEFT JOIN "
    "departments d ON d.id = c.department_id ORDER BY c.department_id IS NOT NULL, c.code");

static enum hv_qs cov_tx(struct hv_conn *c, void *cls) {
  struct cov_args *a = cls;
  enum hv_qs qs;
  json_array_clear(a->courses);
  json_array_clear(a->out);
  g_hash_table_remove_all(a->active);
  g_hash_table_remove_all(a->covered);
  if ((qs = hv_db_int(c, &q_generation, NULL, 0, &a->generation)) < 0 ||
      (qs = load_departments(c, a->depts)) < 0 ||
      (qs = hv_db_query(c, &q_all_courses, NULL, 0, course_row, a->courses)) < 0)
    return qs;
  struct hv_param p[] = {HV_P_INT(a->today), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  struct hv_param u[] = {HV_P_INT(a->today), HV_P_INT(a->dept)};
  if (a->dept) {
    if ((qs = hv_db_query(c, &q_active_units, u + 1, 1, active_row, a)) < 0)
      return qs;
    return hv_db_query(c, &q_cov_units, u, 2, cov_row, a);
  }
  if ((qs = hv_db_query(c, &q_active_city, p + 1, 2, active_row, a)) < 0)
    return qs;
  return hv_db_query(c, &q_cov_city, p, 3, cov_row, a);
}

static void cov_init(struct cov_args *a) {
  a->depts = g_array_new(FALSE, TRUE, sizeof(struct dept));
  a->courses = json_array();
  a->active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  a->covered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  a->out = json_array();
}

static void cov_free(struct cov_args *a) {
  g_array_free(a->depts, TRUE);
  json_decref(a->courses);
  json_decref(a->out);
  g_hash_table_destroy(a->active);
  g_hash_table_destroy(a->covered);
}

/* One department's or unit's summary: its courses and the totals. `key`
 * is the covered table's suffix ("/<dept id>" or "/<unit>"). */
static json_t *summary(struct cov_args *a, const char *dept_code, const char *key, int64_t active) {
  json_t *list = json_array();
  int64_t covered = 0, required = 0;
  size_t i;
  json_t *course;
  json_array_foreach(a->courses, i, course) {
    if (!course_applies(course, dept_code))
      continue;
    char k[200];
    snprintf(k, sizeof k, "%lld/%s", (long long)json_integer_value(json_object_get(course, "id")),
             key);
    int64_t cv = count_get(a->covered, k);
    json_array_append_new(list, course_cell(course, active, cv));
    covered += cv;
    required += active;
  }
  return json_pack("{s:I, s:o, s:I, s:I, s:I, s:o}", "active", (json_int_t)active, "courses", list,
                   "covered", (json_int_t)covered, "required", (json_int_t)required, "overdue",
                   (json_int_t)(required - covered), "percent", percent(covered, required));
}

/* Coverage computed once per generation of the data and day, per process:
 * the first view after an import pays for the SQL, the next ones copy the
 * result (every haven process reads the generation from the database, so
 * several behind a load balancer agree). Keys: "city", "d<id>". */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *cache; /* key -> json_t (owned) */
static int64_t cache_generation = -1;
static int32_t cache_day = -1;
#define CACHE_MAX 4096

static void cache_value_free(gpointer p) { json_decref(p); }

/* A copy of the cached value, or NULL. */
static json_t *cache_get(const char *key, int64_t generation, int32_t day) {
  json_t *v = NULL;
  pthread_mutex_lock(&cache_mu);
  if (cache && generation == cache_generation && day == cache_day) {
    json_t *c = g_hash_table_lookup(cache, key);
    if (c)
      v = json_deep_copy(c);
  }
  pthread_mutex_unlock(&cache_mu);
  return v;
}

static void cache_put(const char *key, int64_t generation, int32_t day, const json_t *v) {
  pthread_mutex_lock(&cache_mu);
  if (!cache)
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cache_value_free);
  if (generation > cache_generation || day != cache_day ||
      g_hash_table_size(cache) >= CACHE_MAX) {
    g_hash_table_remove_all(cache);
    cache_generation = generation;
    cache_day = day;
  }
  if (generation == cache_generation)
    g_hash_table_replace(cache, g_strdup(key), json_deep_copy(v));
  pthread_mutex_unlock(&cache_mu);
}

static enum hv_qs generation_tx(struct hv_conn *c, void *cls) {
  return hv_db_int(c, &q_generation, NULL, 0, cls);
}

static int64_t generation_now(struct hv_store *s) {
  int64_t g = -1;
  if (hv_store_tx(s, false, generation_tx, &g) <= 0)
    return -1;
  return g;
}

/* Every department's coverage (cached), each with its "department_id". */
static enum hv_qs coverage_all(struct hv_store *s, int32_t today, json_t **out) {
  int64_t gen = generation_now(s);
  if (gen >= 0 && (*out = cache_get("city", gen, today)))
    return HV_QS_ONE;
  struct cov_args a = {0, 0, today, NULL, NULL, NULL, NULL, NULL, -1};
  cov_init(&a);
  enum hv_qs qs = hv_store_tx(s, false, cov_tx, &a);
  if (qs >= 0) {
    json_t *list = json_array();
    for (guint i = 0; i < a.depts->len; i++) {
      const struct dept *d = &g_array_index(a.depts, struct dept, i);
      char key[24];
      snprintf(key, sizeof key, "%lld", (long long)d->id);
      json_t *o = summary(&a, d->code, key, count_get(a.active, key));
      json_object_set_new(o, "department", json_string(d->code));
      json_object_set_new(o, "name", json_string(d->name));
      json_object_set_new(o, "department_id", json_integer((json_int_t)d->id));
      json_array_append_new(list, o);
    }
    if (a.generation >= 0)
      cache_put("city", a.generation, today, list);
    *out = list;
    qs = HV_QS_ONE;
  }
  cov_free(&a);
  return qs;
}

enum hv_qs hv_training_coverage_city(struct hv_store *s, const struct hv_principal *by,
                                     int32_t today, json_t **out) {
  int64_t scope = hv_policy_department(by);
  json_t *all;
  enum hv_qs qs = coverage_all(s, today, &all);
  if (qs < 0)
    return qs;
  json_t *list = json_array();
  size_t i;
  json_t *o;
  json_array_foreach(all, i, o) {
    int64_t id = json_integer_value(json_object_get(o, "department_id"));
    if (scope != 0 && id != scope)
      continue;
    json_object_del(o, "department_id");
    json_array_append(list, o);
  }
  json_decref(all);
  *out = list;
  return HV_QS_ONE;
}

enum hv_qs hv_training_coverage_department(struct hv_store *s, const struct hv_principal *by,
                                           const char *code, int32_t today, json_t **out) {
  char name[161] = "";
  int64_t dept = 0;
  enum hv_qs qs = hv_training_department(s, by, code, &dept, name, sizeof name);
  if (qs <= 0)
    return qs;
  char key[32];
  snprintf(key, sizeof key, "d%lld", (long long)dept);
  int64_t gen = generation_now(s);
  if (gen >= 0 && (*out = cache_get(key, gen, today)))
    return HV_QS_ONE;
  struct cov_args a = {hv_policy_department(by), dept, today, NULL, NULL, NULL, NULL, NULL, -1};
  cov_init(&a);
  qs = hv_store_tx(s, false, cov_tx, &a);
  if (qs >= 0) {
    json_t *units = json_array();
    int64_t total = 0;
    size_t i;
    json_t *u;
    json_array_foreach(a.out, i, u) {
      int64_t n = count_get(a.active, json_string_value(u));
      json_t *o = summary(&a, code, json_string_value(u), n);
      json_object_set_new(o, "unit", json_incref(u));
      json_array_append_new(units, o);
      total += n;
    }
    /* the department's totals are the sums of its units' */
    json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:o}", "department", code, "name", name, "active",
                          (json_int_t)total, "courses", json_array(), "units", units);
    json_t *courses = json_object_get(o, "courses");
    int64_t covered = 0, required = 0;
    json_array_foreach(a.courses, i, u) {
      if (!course_applies(u, code))
        continue;
      int64_t cv = 0;
      size_t j;
      json_t *unit;
      json_array_foreach(units, j, unit) {
        json_t *cell = json_array_get(json_object_get(unit, "courses"), json_array_size(courses));
        cv += json_integer_value(json_object_get(cell, "covered"));
      }
      json_array_append_new(courses, course_cell(u, total, cv));
      covered += cv;
      required += total;
    }
    json_object_set_new(o, "covered", json_integer((json_int_t)covered));
    json_object_set_new(o, "required", json_integer((json_int_t)required));
    json_object_set_new(o, "overdue", json_integer((json_int_t)(required - covered)));
    json_object_set_new(o, "percent", percent(covered, required));
    if (a.generation >= 0)
      cache_put(key, a.generation, today, o);
    *out = o;
    qs = HV_QS_ONE;
  }
  cov_free(&a);
  return qs;
}

/* --- the overdue list ------------------------------------------------------------------------ */

#define OVERDUE_FROM                                                                               \
  " FROM training_employees e JOIN training_courses c ON" APPLIES                                  \
  "LEFT JOIN training_latest l ON l.employee_id = e.id AND l.course_id = c.id WHERE "              \
  "e.department_id = ? AND e.active = 1 AND (? = '' OR c.code = ?) AND (? = '' OR e.unit = ?) "    \
  "AND (l.day IS NULL OR (c.recurrence_days > 0 AND l.day + c.recurrence_days < ?))"

static struct hv_sql q_overdue =
    HV_SQL("SELECT e.employee_number, e.name, e.unit, c.code, l.day, c.recurrence_days" OVERDUE_FROM
           " ORDER BY e.unit, e.employee_number, c.code LIMIT ? OFFSET ?");
static struct hv_sql q_overdue_count = HV_SQL("SELECT COUNT(*)" OVERDUE_FROM);

static int overdue_row(void *cls, const struct hv_row *r) {
  char last[11] = "", due[11] = "";
  bool done = !hv_row_null(r, 4);
  if (done) {
    hv_training_date((int32_t)hv_row_int(r, 4), last);
    hv_training_date((int32_t)(hv_row_int(r, 4) + hv_row_int(r, 5)), due);
  }
  json_array_append_new(cls, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "employee_number",
                                       nz(hv_row_text(r, 0)), "name", nz(hv_row_text(r, 1)), "unit",
                                       nz(hv_row_text(r, 2)), "course", nz(hv_row_text(r, 3)),
                                       "last_completed", done ? json_string(last) : json_null(),
                                       "due", done ? json_string(due) : json_null()));
  return 0;
}

struct overdue_args {
  int64_t dept;
  const char *course, *unit;
  int32_t today;
  size_t limit, offset;
  json_t *out;
  int64_t total;
};

static enum hv_qs overdue_tx(struct hv_conn *c, void *cls) {
  struct overdue_args *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(a->dept),  HV_P_TEXT(a->course), HV_P_TEXT(a->course),
                         HV_P_TEXT(a->unit), HV_P_TEXT(a->unit),   HV_P_INT(a->today),
                         HV_P_INT(a->limit), HV_P_INT(a->offset)};
  enum hv_qs qs = hv_db_int(c, &q_overdue_count, p, 6, &a->total);
  if (qs < 0)
    return qs;
  return hv_db_query(c, &q_overdue, p, 8, overdue_row, a->out);
}

enum hv_qs hv_training_overdue(struct hv_store *s, const struct hv_principal *by, const char *code,
                               const char *course, const char *unit, int32_t today, size_t limit,
                               size_t offset, json_t **out, int64_t *total) {
  int64_t dept = 0;
  enum hv_qs qs = hv_training_department(s, by, code, &dept, NULL, 0);
  if (qs <= 0)
    return qs;
  struct overdue_args a = {
      dept, course ? course : "", unit ? unit : "", today, limit, offset, json_array(), 0};
  qs = hv_store_tx(s, false, overdue_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  *total = a.total;
  return HV_QS_ONE;
}
