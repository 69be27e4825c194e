/* Registry SQL. Every change writes its audit event in its transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "modules/registry/registry.h"

static const char *nz(const char *s) { return s ? s : ""; }

static json_t *text_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

/* --- departments --------------------------------------------------------- */

static struct hv_sql q_dept_count = HV_SQL(
    "SELECT COUNT(*) FROM departments WHERE ? = '' OR lower(code) LIKE ? ESCAPE '\\' "
    "OR lower(name) LIKE ? ESCAPE '\\'");
static struct hv_sql q_dept_page = HV_SQL(
    "SELECT d.id, d.code, d.name, d.contact_email, d.contact_phone, "
    "(SELECT COUNT(*) FROM facilities f WHERE f.department_id = d.id) "
    "FROM departments d WHERE ? = '' OR lower(d.code) LIKE ? ESCAPE '\\' "
    "OR lower(d.name) LIKE ? ESCAPE '\\' ORDER BY d.name LIMIT ? OFFSET ?");
static struct hv_sql q_dept_one = HV_SQL(
    "SELECT d.id, d.code, d.name, d.contact_email, d.contact_phone, "
    "(SELECT COUNT(*) FROM facilities f WHERE f.department_id = d.id) "
    "FROM departments d WHERE d.id = ?");
static struct hv_sql q_dept_liaisons = HV_SQL(
    "SELECT u.id, u.email, u.display_name, l.backup FROM department_liaisons l "
    "JOIN users u ON u.id = l.user_id WHERE l.department_id = ? ORDER BY l.backup, u.email");
static struct hv_sql q_dept_insert = HV_SQL(
    "INSERT INTO departments (code, name, contact_email, contact_phone, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_dept_update = HV_SQL(
    "UPDATE departments SET code = ?, name = ?, contact_email = ?, contact_phone = ?, "
    "updated_at = ? WHERE id = ?");
static struct hv_sql q_dept_by_code = HV_SQL(
    "SELECT id, name, contact_email, contact_phone FROM departments WHERE code = ?");

static int dept_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls, json_pack("{s:I, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)hv_row_int(r, 0), "code",
                     nz(hv_row_text(r, 1)), "name", nz(hv_row_text(r, 2)), "contact_email",
                     text_or_null(hv_row_text(r, 3)), "contact_phone",
                     text_or_null(hv_row_text(r, 4)), "facilities", (json_int_t)hv_row_int(r, 5)));
  return 0;
}

struct list_args {
  const char *q;
  char *like;
  int64_t dept, offset, limit, total;
  json_t *items;
};

static enum hv_qs dept_list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->q), HV_P_TEXT(a->like), HV_P_TEXT(a->like),
                         HV_P_INT(a->limit), HV_P_INT(a->offset)};
  enum hv_qs qs = hv_db_int(c, &q_dept_count, p, 3, &a->total);
  if (qs < 0)
    return qs;
  return hv_db_query(c, &q_dept_page, p, 5, dept_row, a->items);
}

enum hv_qs hv_departments_list(struct hv_store *s, const char *q, int64_t offset, int64_t limit,
                               json_t **items, int64_t *total) {
  struct list_args a = {q, hv_sql_like(q, false), 0, offset, limit, 0, json_array()};
  enum hv_qs qs = a.like ? hv_store_tx(s, false, dept_list_tx, &a) : HV_QS_HARD;
  free(a.like);
  if (qs < 0) {
    json_decref(a.items);
    return qs;
  }
  *items = a.items;
  *total = a.total;
  return HV_QS_ONE;
}

static int liaison_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:I, s:s, s:s, s:b}", "user_id",
                                       (json_int_t)hv_row_int(r, 0), "email", nz(hv_row_text(r, 1)),
                                       "name", nz(hv_row_text(r, 2)), "backup",
                                       hv_row_int(r, 3) != 0));
  return 0;
}

struct get_args {
  int64_t id, scope;
  json_t *out;
};

static enum hv_qs dept_get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  json_t *arr = json_array();
  struct hv_param p[] = {HV_P_INT(a->id)};
  enum hv_qs qs = hv_db_query(c, &q_dept_one, p, 1, dept_row, arr);
  if (qs <= 0) {
    json_decref(arr);
    return qs;
  }
  a->out = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  json_t *liaisons = json_array();
  json_object_set_new(a->out, "liaisons", liaisons);
  return hv_db_query(c, &q_dept_liaisons, p, 1, liaison_row, liaisons) < 0 ? HV_QS_HARD : HV_QS_ONE;
}

enum hv_qs hv_department_get(struct hv_store *s, int64_t id, json_t **out) {
  struct get_args a = {id, 0, NULL};
  enum hv_qs qs = hv_store_tx(s, false, dept_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return qs;
}

static int dept_change(const struct hv_department *d, char *out, size_t cap) {
  return snprintf(out, cap, "code=%s name=%s email=%s phone=%s", nz(d->code), nz(d->name),
                  nz(d->contact_email), nz(d->contact_phone));
}

static enum hv_qs audit(struct hv_conn *c, const char *actor, const char *action,
                        const char *type, int64_t id, const char *change) {
  char oid[32];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  struct hv_audit_event ev = {actor, action, type, oid, change, change ? strlen(change) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

struct dept_args {
  const char *actor;
  const struct hv_department *d;
  int64_t id;
  int changed;
};

static enum hv_qs dept_create_tx(struct hv_conn *c, void *cls) {
  struct dept_args *a = cls;
  const struct hv_department *d = a->d;
  char change[800];
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(d->code), HV_P_TEXT(d->name),
                         HV_P_TEXT(d->contact_email && *d->contact_email ? d->contact_email : NULL),
                         HV_P_TEXT(d->contact_phone && *d->contact_phone ? d->contact_phone : NULL),
                         HV_P_INT(now), HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_dept_insert, p, 6, &a->id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  dept_change(d, change, sizeof change);
  return audit(c, a->actor, "department.create", "department", a->id, change);
}

enum hv_qs hv_department_create(struct hv_store *s, const char *actor, const struct hv_department *d,
                                int64_t *id) {
  struct dept_args a = {actor, d, 0, 0};
  enum hv_qs qs = hv_store_tx(s, true, dept_create_tx, &a);
  *id = a.id;
  return qs;
}

static enum hv_qs dept_update_tx(struct hv_conn *c, void *cls) {
  struct dept_args *a = cls;
  const struct hv_department *d = a->d;
  char change[800];
  struct hv_param p[] = {HV_P_TEXT(d->code), HV_P_TEXT(d->name),
                         HV_P_TEXT(d->contact_email && *d->contact_email ? d->contact_email : NULL),
                         HV_P_TEXT(d->contact_phone && *d->contact_phone ? d->contact_phone : NULL),
                         HV_P_INT(hv_clock_wall_ms()), HV_P_INT(d->id)};
  enum hv_qs qs = hv_db_exec(c, &q_dept_update, p, 6);
  if (qs <= 0)
    return qs;
  dept_change(d, change, sizeof change);
  return audit(c, a->actor, "department.update", "department", d->id, change);
}

enum hv_qs hv_department_update(struct hv_store *s, const char *actor, const struct hv_department *d) {
  struct dept_args a = {actor, d, 0, 0};
  return hv_store_tx(s, true, dept_update_tx, &a);
}

struct existing {
  int found;
  int64_t id;
  /* sized for the longest values the model allows, in 4-byte UTF-8, so a
   * stored value is never cut and then compared unequal to itself */
  char name[4 * 160 + 1], email[4 * 254 + 1], phone[4 * 30 + 1], address[4 * 300 + 1], kind[32];
  int64_t lat, lon;
  int has_coords;
  char areas[HV_AREAS_MAX * (4 * 80 + 13) + 1];
};

static int existing_dept_row(void *cls, const struct hv_row *r) {
  struct existing *e = cls;
  e->found = 1;
  e->id = hv_row_int(r, 0);
  snprintf(e->name, sizeof e->name, "%s", nz(hv_row_text(r, 1)));
  snprintf(e->email, sizeof e->email, "%s", nz(hv_row_text(r, 2)));
  snprintf(e->phone, sizeof e->phone, "%s", nz(hv_row_text(r, 3)));
  return 1;
}

enum hv_qs hv_department_upsert_tx(struct hv_conn *c, const char *actor,
                                   const struct hv_department *d, int *changed, int64_t *id) {
  struct existing e;
  struct dept_args a = {actor, d, 0, 0};
  struct hv_param p[] = {HV_P_TEXT(d->code)};
  memset(&e, 0, sizeof e);
  enum hv_qs qs = hv_db_query(c, &q_dept_by_code, p, 1, existing_dept_row, &e);
  if (qs < 0)
    return qs;
  if (!e.found) {
    qs = dept_create_tx(c, &a);
    *changed = 1;
    *id = a.id;
    return qs;
  }
  *id = e.id;
  if (strcmp(e.name, nz(d->name)) == 0 && strcmp(e.email, nz(d->contact_email)) == 0 &&
      strcmp(e.phone, nz(d->contact_phone)) == 0) {
    *changed = 0;
    return HV_QS_ONE;
  }
  struct hv_department upd = *d;
  upd.id = e.id;
  a.d = &upd;
  *changed = 2;
  return dept_update_tx(c, &a);
}

static struct hv_sql q_user_by_email = HV_SQL("SELECT id FROM users WHERE email = ?");
static struct hv_sql q_liaisons_clear = HV_SQL("DELETE FROM department_liaisons WHERE department_id = ?");
static struct hv_sql q_liaison_add =
    HV_SQL("INSERT INTO department_liaisons (department_id, user_id, backup) VALUES (?, ?, ?)");
static struct hv_sql q_liaisons_now = HV_SQL(
    "SELECT u.email, l.backup FROM department_liaisons l JOIN users u ON u.id = l.user_id "
    "WHERE l.department_id = ? ORDER BY l.backup, u.email");

struct liaisons_now {
  char primary[300], backup[300];
};

static int liaisons_now_row(void *cls, const struct hv_row *r) {
  struct liaisons_now *l = cls;
  if (hv_row_int(r, 1))
    snprintf(l->backup, sizeof l->backup, "%s", nz(hv_row_text(r, 0)));
  else
    snprintf(l->primary, sizeof l->primary, "%s", nz(hv_row_text(r, 0)));
  return 0;
}

enum hv_qs hv_department_set_liaisons(struct hv_conn *c, const char *actor, int64_t dept,
                                      const char *primary, const char *backup,
                                      const char **bad_email) {
  struct liaisons_now now;
  struct hv_param d[] = {HV_P_INT(dept)};
  char change[700];
  memset(&now, 0, sizeof now);
  enum hv_qs qs = hv_db_query(c, &q_liaisons_now, d, 1, liaisons_now_row, &now);
  if (qs < 0)
    return qs;
  if (strcmp(now.primary, nz(primary)) == 0 && strcmp(now.backup, nz(backup)) == 0)
    return HV_QS_NONE; /* nothing to change */
  if ((qs = hv_db_exec(c, &q_liaisons_clear, d, 1)) < 0)
    return qs;
  const char *who[2] = {primary, backup};
  for (int i = 0; i < 2; i++) {
    if (!who[i] || !*who[i])
      continue;
    int64_t uid = 0;
    struct hv_param e[] = {HV_P_TEXT(who[i])};
    if ((qs = hv_db_int(c, &q_user_by_email, e, 1, &uid)) < 0)
      return qs;
    if (qs == HV_QS_NONE) {
      *bad_email = who[i];
      return HV_QS_CONFLICT;
    }
    struct hv_param l[] = {HV_P_INT(dept), HV_P_INT(uid), HV_P_INT(i)};
    if ((qs = hv_db_exec(c, &q_liaison_add, l, 3)) < 0)
      return qs;
  }
  snprintf(change, sizeof change, "liaison=%s backup=%s", nz(primary), nz(backup));
  return audit(c, actor, "department.liaisons", "department", dept, change);
}

/* --- facilities -------------------------------------------------------- */

#define FACILITY_COLS                                                                              \
  "f.id, f.department_id, d.code, f.name, f.address, f.kind, f.lat_e6, f.lon_e6 "
static struct hv_sql q_fac_count = HV_SQL(
    "SELECT COUNT(*) FROM facilities f WHERE (? = 0 OR f.department_id = ?) AND "
    "(? = '' OR lower(f.name) LIKE ? ESCAPE '\\' OR lower(f.address) LIKE ? ESCAPE '\\')");
static struct hv_sql q_fac_page = HV_SQL(
    "SELECT " FACILITY_COLS "FROM facilities f JOIN departments d ON d.id = f.department_id "
    "WHERE (? = 0 OR f.department_id = ?) AND "
    "(? = '' OR lower(f.name) LIKE ? ESCAPE '\\' OR lower(f.address) LIKE ? ESCAPE '\\') "
    "ORDER BY f.name LIMIT ? OFFSET ?");
static struct hv_sql q_fac_one = HV_SQL(
    "SELECT " FACILITY_COLS "FROM facilities f JOIN departments d ON d.id = f.department_id "
    "WHERE f.id = ? AND (? = 0 OR f.department_id = ?)");
static struct hv_sql q_fac_areas =
    HV_SQL("SELECT name, public FROM facility_areas WHERE facility_id = ? ORDER BY id");
static struct hv_sql q_fac_insert = HV_SQL(
    "INSERT INTO facilities (department_id, name, address, kind, lat_e6, lon_e6, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_fac_update = HV_SQL(
    "UPDATE facilities SET department_id = ?, name = ?, address = ?, kind = ?, lat_e6 = ?, "
    "lon_e6 = ?, updated_at = ? WHERE id = ? AND (? = 0 OR department_id = ?)");
static struct hv_sql q_areas_clear = HV_SQL("DELETE FROM facility_areas WHERE facility_id = ?");
static struct hv_sql q_area_add =
    HV_SQL("INSERT INTO facility_areas (facility_id, name, public) VALUES (?, ?, ?)");
static struct hv_sql q_fac_by_key = HV_SQL(
    "SELECT f.id, f.address, f.kind, f.lat_e6, f.lon_e6, d.id FROM facilities f "
    "JOIN departments d ON d.id = f.department_id WHERE d.code = ? AND f.name = ?");
static struct hv_sql q_dept_id_by_code = HV_SQL("SELECT id FROM departments WHERE code = ?");

static int fac_row(void *cls, const struct hv_row *r) {
  char lat[16], lon[16];
  json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)hv_row_int(r, 0),
                        "department_id", (json_int_t)hv_row_int(r, 1), "department_code",
                        nz(hv_row_text(r, 2)), "name", nz(hv_row_text(r, 3)), "address",
                        nz(hv_row_text(r, 4)), "kind", nz(hv_row_text(r, 5)));
  if (!hv_row_null(r, 6) && !hv_row_null(r, 7)) {
    hv_coord_format(hv_row_int(r, 6), lat);
    hv_coord_format(hv_row_int(r, 7), lon);
    json_object_set_new(o, "latitude", json_string(lat));
    json_object_set_new(o, "longitude", json_string(lon));
  } else {
    json_object_set_new(o, "latitude", json_null());
    json_object_set_new(o, "longitude", json_null());
  }
  json_array_append_new(cls, o);
  return 0;
}

static enum hv_qs fac_list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->dept),  HV_P_INT(a->dept),  HV_P_TEXT(a->q),
                         HV_P_TEXT(a->like), HV_P_TEXT(a->like), HV_P_INT(a->limit),
                         HV_P_INT(a->offset)};
  enum hv_qs qs = hv_db_int(c, &q_fac_count, p, 5, &a->total);
  if (qs < 0)
    return qs;
  return hv_db_query(c, &q_fac_page, p, 7, fac_row, a->items);
}

enum hv_qs hv_facilities_list(struct hv_store *s, int64_t dept, const char *q, int64_t offset,
                              int64_t limit, json_t **items, int64_t *total) {
  struct list_args a = {q, hv_sql_like(q, false), dept, offset, limit, 0, json_array()};
  enum hv_qs qs = a.like ? hv_store_tx(s, false, fac_list_tx, &a) : HV_QS_HARD;
  free(a.like);
  if (qs < 0) {
    json_decref(a.items);
    return qs;
  }
  *items = a.items;
  *total = a.total;
  return HV_QS_ONE;
}

static int area_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:s, s:b}", "name", nz(hv_row_text(r, 0)), "public",
                                       hv_row_int(r, 1) != 0));
  return 0;
}

static enum hv_qs fac_get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  json_t *arr = json_array();
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_query(c, &q_fac_one, p, 3, fac_row, arr);
  if (qs <= 0) {
    json_decref(arr);
    return qs;
  }
  a->out = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  json_t *areas = json_array();
  json_object_set_new(a->out, "areas", areas);
  return hv_db_query(c, &q_fac_areas, p, 1, area_row, areas) < 0 ? HV_QS_HARD : HV_QS_ONE;
}

enum hv_qs hv_facility_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out) {
  struct get_args a = {id, scope, NULL};
  enum hv_qs qs = hv_store_tx(s, false, fac_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return qs;
}

static void fac_change(const struct hv_facility *f, char *out, size_t cap) {
  struct hv_buf b;
  hv_buf_init(&b, cap - 1);
  hv_buf_printf(&b, "department=%lld name=%s address=%s kind=%s lat=%lld lon=%lld areas=",
                (long long)f->department_id, nz(f->name), nz(f->address), nz(f->kind),
                (long long)(f->has_coords ? f->lat_e6 : 0), (long long)(f->has_coords ? f->lon_e6 : 0));
  for (size_t i = 0; i < f->nareas; i++)
    hv_buf_printf(&b, "%s:%s;", f->areas[i].name, f->areas[i].is_public ? "public" : "non-public");
  snprintf(out, cap, "%s", b.data ? b.data : "");
  hv_buf_free(&b);
}

static enum hv_qs write_areas(struct hv_conn *c, int64_t id, const struct hv_facility *f) {
  struct hv_param p[] = {HV_P_INT(id)};
  enum hv_qs qs = hv_db_exec(c, &q_areas_clear, p, 1);
  for (size_t i = 0; qs >= 0 && i < f->nareas; i++) {
    struct hv_param a[] = {HV_P_INT(id), HV_P_TEXT(f->areas[i].name),
                           HV_P_INT(f->areas[i].is_public ? 1 : 0)};
    qs = hv_db_exec(c, &q_area_add, a, 3);
  }
  return qs;
}

struct fac_args {
  const char *actor;
  const struct hv_facility *f;
  int64_t scope, id;
};

static enum hv_qs fac_create_tx(struct hv_conn *c, void *cls) {
  struct fac_args *a = cls;
  const struct hv_facility *f = a->f;
  char change[4096];
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_INT(f->department_id),
                         HV_P_TEXT(f->name),
                         HV_P_TEXT(f->address),
                         HV_P_TEXT(f->kind),
                         f->has_coords ? HV_P_INT(f->lat_e6) : HV_P_NULL,
                         f->has_coords ? HV_P_INT(f->lon_e6) : HV_P_NULL,
                         HV_P_INT(now),
                         HV_P_INT(now)};
  enum hv_qs qs = hv_db_int(c, &q_fac_insert, p, 8, &a->id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  if ((qs = write_areas(c, a->id, f)) < 0)
    return qs;
  fac_change(f, change, sizeof change);
  return audit(c, a->actor, "facility.create", "facility", a->id, change);
}

enum hv_qs hv_facility_create(struct hv_store *s, const char *actor, const struct hv_facility *f,
                              int64_t *id) {
  struct fac_args a = {actor, f, 0, 0};
  enum hv_qs qs = hv_store_tx(s, true, fac_create_tx, &a);
  *id = a.id;
  return qs;
}

static enum hv_qs fac_update_tx(struct hv_conn *c, void *cls) {
  struct fac_args *a = cls;
  const struct hv_facility *f = a->f;
  char change[4096];
  struct hv_param p[] = {HV_P_INT(f->department_id),
                         HV_P_TEXT(f->name),
                         HV_P_TEXT(f->address),
                         HV_P_TEXT(f->kind),
                         f->has_coords ? HV_P_INT(f->lat_e6) : HV_P_NULL,
                         f->has_coords ? HV_P_INT(f->lon_e6) : HV_P_NULL,
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(f->id),
                         HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_exec(c, &q_fac_update, p, 10);
  if (qs <= 0)
    return qs;
  if ((qs = write_areas(c, f->id, f)) < 0)
    return qs;
  fac_change(f, change, sizeof change);
  return audit(c, a->actor, "facility.update", "facility", f->id, change);
}

enum hv_qs hv_facility_update(struct hv_store *s, const char *actor, const struct hv_facility *f,
                              int64_t scope) {
  struct fac_args a = {actor, f, scope, 0};
  return hv_store_tx(s, true, fac_update_tx, &a);
}

static int existing_fac_row(void *cls, const struct hv_row *r) {
  struct existing *e = cls;
  e->found = 1;
  e->id = hv_row_int(r, 0);
  snprintf(e->address, sizeof e->address, "%s", nz(hv_row_text(r, 1)));
  snprintf(e->kind, sizeof e->kind, "%s", nz(hv_row_text(r, 2)));
  e->has_coords = !hv_row_null(r, 3) && !hv_row_null(r, 4);
  e->lat = hv_row_int(r, 3);
  e->lon = hv_row_int(r, 4);
  return 1;
}

static int existing_area_row(void *cls, const struct hv_row *r) {
  struct existing *e = cls;
  size_t n = strlen(e->areas);
  snprintf(e->areas + n, sizeof e->areas - n, "%s:%s;", nz(hv_row_text(r, 0)),
           hv_row_int(r, 1) ? "public" : "non-public");
  return 0;
}

enum hv_qs hv_facility_upsert_tx(struct hv_conn *c, const char *actor, const char *dept_code,
                                 const struct hv_facility *f, int *changed) {
  struct existing e;
  struct hv_facility g = *f;
  struct fac_args a = {actor, &g, 0, 0};
  memset(&e, 0, sizeof e);
  struct hv_param dk[] = {HV_P_TEXT(dept_code)};
  enum hv_qs qs = hv_db_int(c, &q_dept_id_by_code, dk, 1, &g.department_id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_CONFLICT;
  struct hv_param k[] = {HV_P_TEXT(dept_code), HV_P_TEXT(f->name)};
  if ((qs = hv_db_query(c, &q_fac_by_key, k, 2, existing_fac_row, &e)) < 0)
    return qs;
  if (!e.found) {
    *changed = 1;
    return fac_create_tx(c, &a);
  }
  struct hv_param ids[] = {HV_P_INT(e.id)};
  if ((qs = hv_db_query(c, &q_fac_areas, ids, 1, existing_area_row, &e)) < 0)
    return qs;
  char want[HV_AREAS_MAX * (4 * 80 + 13) + 1] = "";
  for (size_t i = 0; i < f->nareas; i++) {
    size_t n = strlen(want);
    snprintf(want + n, sizeof want - n, "%s:%s;", f->areas[i].name,
             f->areas[i].is_public ? "public" : "non-public");
  }
  if (strcmp(e.address, f->address) == 0 && strcmp(e.kind, f->kind) == 0 &&
      e.has_coords == f->has_coords && (!f->has_coords || (e.lat == f->lat_e6 && e.lon == f->lon_e6)) &&
      strcmp(e.areas, want) == 0) {
    *changed = 0;
    return HV_QS_ONE;
  }
  g.id = e.id;
  *changed = 2;
  return fac_update_tx(c, &a);
}
