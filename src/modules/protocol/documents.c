/* Department protocol documents' SQL (protocol.h). A document belongs to a
 * department or to the whole City (department_id NULL); every read and
 * write filters by the caller's department, so a liaison never sees
 * another department's document (404). Publishing checks the version the
 * editor started from in the same write transaction as the insert, as the
 * employee protocol does. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "modules/protocol/protocol.h"

static const char *nz(const char *s) { return s ? s : ""; }

/* A document visible to scope ? (0: all) */
#define VISIBLE " (? = 0 OR d.department_id IS NULL OR d.department_id = ?) "

static struct hv_sql q_doc =
    HV_SQL("SELECT d.id, d.title, d.department_id, p.code FROM protocol_documents d LEFT JOIN "
           "departments p ON p.id = d.department_id WHERE d.id = ? AND" VISIBLE);
static struct hv_sql q_dept_code = HV_SQL("SELECT id FROM departments WHERE code = ?");
static struct hv_sql q_doc_insert =
    HV_SQL("INSERT INTO protocol_documents (department_id, title, created_by, created_at) VALUES "
           "(?, ?, ?, ?) RETURNING id");
static struct hv_sql q_doc_title = HV_SQL("UPDATE protocol_documents SET title = ? WHERE id = ?");
static struct hv_sql q_max = HV_SQL(
    "SELECT COALESCE(MAX(version), 0) FROM protocol_document_versions WHERE document_id = ?");
static struct hv_sql q_version_insert =
    HV_SQL("INSERT INTO protocol_document_versions (document_id, version, markdown, sha256, note, "
           "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
static struct hv_sql q_list = HV_SQL(
    "SELECT d.id, d.title, p.code, v.version, v.created_at, (SELECT COUNT(*) FROM protocol_acks "
    "a WHERE a.document_id = d.id AND a.version = v.version AND a.user_id = ?) FROM "
    "protocol_documents d LEFT JOIN departments p ON p.id = d.department_id JOIN "
    "protocol_document_versions v ON v.document_id = d.id AND v.version = (SELECT MAX(version) "
    "FROM protocol_document_versions x WHERE x.document_id = d.id) WHERE" VISIBLE
    "ORDER BY d.department_id IS NOT NULL, p.code, lower(d.title), d.id LIMIT 1000");
static struct hv_sql q_versions = HV_SQL(
    "SELECT v.version, v.sha256, v.note, v.created_at, u.display_name, v.markdown FROM "
    "protocol_document_versions v LEFT JOIN users u ON u.id = v.created_by WHERE v.document_id = "
    "? ORDER BY v.version DESC");
static struct hv_sql q_user_ack =
    HV_SQL("SELECT COUNT(*) FROM protocol_acks WHERE document_id = ? AND version = ? AND "
           "user_id = ?");
static struct hv_sql q_employee = HV_SQL(
    "SELECT id, department_id FROM training_employees WHERE employee_number = ? AND active = 1");
static struct hv_sql q_employee_ack =
    HV_SQL("SELECT COUNT(*) FROM protocol_acks WHERE document_id = ? AND version = ? AND "
           "employee_id = ?");
static struct hv_sql q_ack_insert =
    HV_SQL("INSERT INTO protocol_acks (document_id, version, employee_id, user_id, recorded_by, "
           "acked_at) VALUES (?, ?, ?, ?, ?, ?)");
static struct hv_sql q_ack_counts = HV_SQL(
    "SELECT p.code, p.name, COUNT(*), SUM(CASE WHEN a.id IS NULL THEN 0 ELSE 1 END) FROM "
    "training_employees e JOIN departments p ON p.id = e.department_id LEFT JOIN protocol_acks a "
    "ON a.document_id = ? AND a.version = ? AND a.employee_id = e.id WHERE e.active = 1 AND (? = "
    "0 OR e.department_id = ?) GROUP BY p.code, p.name ORDER BY p.code");
static struct hv_sql q_ack_users =
    HV_SQL("SELECT COUNT(*) FROM protocol_acks WHERE document_id = ? AND version = ? AND user_id "
           "IS NOT NULL");

struct doc {
  int64_t id, department_id;
  char title[4 * HV_PROTOCOL_TITLE_MAX + 1];
  char code[64];
};

static int doc_row(void *cls, const struct hv_row *r) {
  struct doc *d = cls;
  d->id = hv_row_int(r, 0);
  snprintf(d->title, sizeof d->title, "%s", nz(hv_row_text(r, 1)));
  d->department_id = hv_row_null(r, 2) ? 0 : hv_row_int(r, 2);
  snprintf(d->code, sizeof d->code, "%s", nz(hv_row_text(r, 3)));
  return 1;
}

/* The document if `by` may read it. */
static enum hv_qs load_doc(struct hv_conn *c, const struct hv_principal *by, int64_t id,
                           struct doc *d) {
  int64_t scope = hv_policy_department(by);
  memset(d, 0, sizeof *d);
  if (scope < 0)
    return HV_QS_NONE;
  struct hv_param p[] = {HV_P_INT(id), HV_P_INT(scope), HV_P_INT(scope)};
  return hv_db_query(c, &q_doc, p, 3, doc_row, d);
}

static enum hv_qs publish_tx(struct hv_conn *c, void *cls) {
  struct hv_protocol_doc_publish *w = cls;
  int64_t scope = hv_policy_department(w->by), cur = 0, id = w->document_id, dept = 0;
  struct doc d;
  enum hv_qs qs;
  w->stale = 0;
  w->problem = w->field = NULL;
  if (scope < 0)
    return HV_QS_NONE;
  if (id == 0) {
    if (w->department && *w->department) {
      struct hv_param p[] = {HV_P_TEXT(w->department)};
      if ((qs = hv_db_int(c, &q_dept_code, p, 1, &dept)) < 0)
        return qs;
      if (qs == HV_QS_NONE || !hv_policy_in_scope(w->by, dept)) {
        w->problem = "Choose your own department (MOIA: any department of the registry).";
        w->field = "department";
        return HV_QS_CONFLICT;
      }
    } else if (scope != 0) {
      w->problem = "A liaison publishes their own department's protocols: name it.";
      w->field = "department";
      return HV_QS_CONFLICT;
    }
    struct hv_param p[] = {dept ? HV_P_INT(dept) : HV_P_NULL, HV_P_TEXT(w->title),
                           HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
    if ((qs = hv_db_int(c, &q_doc_insert, p, 4, &id)) <= 0)
      return qs < 0 ? qs : HV_QS_HARD;
    w->document_id = id;
  } else {
    if ((qs = load_doc(c, w->by, id, &d)) <= 0)
      return qs;
    /* a liaison reads citywide documents but publishes only their own */
    if (scope != 0 && d.department_id != scope) {
      w->problem = "Only the Mayor's Office of Immigrant Affairs publishes citywide protocols.";
      w->field = "markdown";
      return HV_QS_CONFLICT;
    }
    struct hv_param pm[] = {HV_P_INT(id)};
    if ((qs = hv_db_int(c, &q_max, pm, 1, &cur)) < 0)
      return qs;
    if (cur != w->expect_version) {
      w->stale = 1;
      w->current = cur;
      return HV_QS_CONFLICT;
    }
    if (w->title && *w->title) {
      struct hv_param pt[] = {HV_P_TEXT(w->title), HV_P_INT(id)};
      if ((qs = hv_db_exec(c, &q_doc_title, pt, 2)) < 0)
        return qs;
    }
  }
  char sha[65], note_sha[65], oid[24], change[300];
  size_t len = strlen(w->markdown);
  hv_protocol_sha256(w->markdown, len, sha);
  hv_protocol_sha256(nz(w->note), strlen(nz(w->note)), note_sha);
  w->version = cur + 1;
  struct hv_param p[] = {
      HV_P_INT(id),           HV_P_INT(w->version),     HV_P_TEXT(w->markdown),      HV_P_TEXT(sha),
      HV_P_TEXT(nz(w->note)), HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_exec(c, &q_version_insert, p, 7)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  snprintf(change, sizeof change, "version=%lld sha256=%s bytes=%zu note_sha256=%s",
           (long long)w->version, sha, len, note_sha);
  struct hv_audit_event ev = {w->by->actor, "protocol_doc.publish", "protocol_doc", oid,
                              change,       strlen(change)};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_protocol_doc_publish(struct hv_store *s, struct hv_protocol_doc_publish *w) {
  int64_t id = w->document_id;
  enum hv_qs qs = hv_store_tx(s, true, publish_tx, w);
  if (qs < 0)
    w->document_id = id; /* a new document rolled back */
  return qs;
}

static int list_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls, json_pack("{s:I, s:s, s:o, s:I, s:I, s:b}", "id", (json_int_t)hv_row_int(r, 0), "title",
                     nz(hv_row_text(r, 1)), "department",
                     hv_row_null(r, 2) ? json_null() : json_string(nz(hv_row_text(r, 2))),
                     "version", (json_int_t)hv_row_int(r, 3), "published_at",
                     (json_int_t)hv_row_int(r, 4), "acknowledged", hv_row_int(r, 5) > 0));
  return 0;
}

struct list_args {
  const struct hv_principal *by;
  json_t *out;
};

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  int64_t scope = hv_policy_department(a->by);
  json_array_clear(a->out);
  if (scope < 0)
    scope = -1; /* nothing of a department matches; citywide ones do */
  struct hv_param p[] = {HV_P_INT(a->by->user_id), HV_P_INT(scope), HV_P_INT(scope)};
  return hv_db_query(c, &q_list, p, 3, list_row, a->out);
}

enum hv_qs hv_protocol_docs(struct hv_store *s, const struct hv_principal *by, json_t **out) {
  struct list_args a = {by, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct get_args {
  const struct hv_principal *by;
  int64_t id, version;
  json_t *out;
};

static int version_row(void *cls, const struct hv_row *r) {
  struct get_args *a = cls;
  json_t *versions = json_object_get(a->out, "versions");
  const char *by = hv_row_text(r, 4);
  int64_t v = hv_row_int(r, 0);
  json_array_append_new(versions,
                        json_pack("{s:I, s:s, s:s, s:I, s:o}", "version", (json_int_t)v, "sha256",
                                  nz(hv_row_text(r, 1)), "note", nz(hv_row_text(r, 2)),
                                  "created_at", (json_int_t)hv_row_int(r, 3), "created_by",
                                  by ? json_string(by) : json_null()));
  if (json_array_size(versions) == 1)
    json_object_set_new(a->out, "current_version", json_integer((json_int_t)v));
  if (v == a->version || (a->version == 0 && json_array_size(versions) == 1)) {
    json_object_set_new(a->out, "version", json_integer((json_int_t)v));
    json_object_set_new(a->out, "markdown", json_string(nz(hv_row_text(r, 5))));
    json_object_set_new(a->out, "sha256", json_string(nz(hv_row_text(r, 1))));
    json_object_set_new(a->out, "note", json_string(nz(hv_row_text(r, 2))));
    json_object_set_new(a->out, "created_at", json_integer((json_int_t)hv_row_int(r, 3)));
    json_object_set_new(a->out, "created_by", by ? json_string(by) : json_null());
  }
  return 0;
}

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct doc d;
  enum hv_qs qs = load_doc(c, a->by, a->id, &d);
  json_decref(a->out);
  a->out = NULL;
  if (qs <= 0)
    return qs;
  a->out = json_pack("{s:I, s:s, s:o, s:[]}", "id", (json_int_t)d.id, "title", d.title,
                     "department", d.department_id ? json_string(d.code) : json_null(), "versions");
  struct hv_param p[] = {HV_P_INT(a->id)};
  if ((qs = hv_db_query(c, &q_versions, p, 1, version_row, a)) < 0)
    return qs;
  json_t *v = json_object_get(a->out, "version");
  if (!v)
    return HV_QS_NONE;
  int64_t n = 0;
  struct hv_param pa[] = {HV_P_INT(a->id), HV_P_INT(json_integer_value(v)),
                          HV_P_INT(a->by->user_id)};
  if ((qs = hv_db_int(c, &q_user_ack, pa, 3, &n)) < 0)
    return qs;
  json_object_set_new(a->out, "acknowledged", json_boolean(n > 0));
  return HV_QS_ONE;
}

enum hv_qs hv_protocol_doc_get(struct hv_store *s, const struct hv_principal *by, int64_t id,
                               int64_t version, json_t **out) {
  struct get_args a = {by, id, version, NULL};
  enum hv_qs qs = hv_store_tx(s, false, get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct emp {
  int64_t id, department_id;
};

static int emp_row(void *cls, const struct hv_row *r) {
  struct emp *e = cls;
  e->id = hv_row_int(r, 0);
  e->department_id = hv_row_int(r, 1);
  return 1;
}

static enum hv_qs ack_tx(struct hv_conn *c, void *cls) {
  struct hv_protocol_ack *a = cls;
  struct doc d;
  struct emp e = {0, 0};
  int64_t n = 0, max = 0;
  enum hv_qs qs;
  a->already = 0;
  a->problem = a->field = NULL;
  if ((qs = load_doc(c, a->by, a->document_id, &d)) <= 0)
    return qs;
  struct hv_param pm[] = {HV_P_INT(a->document_id)};
  if ((qs = hv_db_int(c, &q_max, pm, 1, &max)) < 0)
    return qs;
  if (a->version == 0)
    a->version = max;
  if (a->version < 1 || a->version > max)
    return HV_QS_NONE;
  if (a->employee_number) {
    int64_t scope = hv_policy_department(a->by);
    struct hv_param p[] = {HV_P_TEXT(a->employee_number)};
    if ((qs = hv_db_query(c, &q_employee, p, 1, emp_row, &e)) < 0)
      return qs;
    if (qs == HV_QS_NONE || (scope != 0 && e.department_id != scope)) {
      a->problem = scope ? "No active employee with this number on your department's roster."
                         : "No active employee with this number on any roster.";
      a->field = "employee_number";
      return HV_QS_CONFLICT;
    }
    if (d.department_id && e.department_id != d.department_id) {
      a->problem = "This employee is in another department: this protocol is not theirs.";
      a->field = "employee_number";
      return HV_QS_CONFLICT;
    }
    struct hv_param pa[] = {HV_P_INT(a->document_id), HV_P_INT(a->version), HV_P_INT(e.id)};
    qs = hv_db_int(c, &q_employee_ack, pa, 3, &n);
  } else {
    struct hv_param pa[] = {HV_P_INT(a->document_id), HV_P_INT(a->version),
                            HV_P_INT(a->by->user_id)};
    qs = hv_db_int(c, &q_user_ack, pa, 3, &n);
  }
  if (qs < 0)
    return qs;
  if (n > 0) {
    a->already = 1;
    return HV_QS_ONE;
  }
  struct hv_param pi[] = {
      HV_P_INT(a->document_id),          HV_P_INT(a->version),
      e.id ? HV_P_INT(e.id) : HV_P_NULL, e.id ? HV_P_NULL : HV_P_INT(a->by->user_id),
      HV_P_INT(a->by->user_id),          HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_exec(c, &q_ack_insert, pi, 6)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  char oid[24], change[200];
  snprintf(oid, sizeof oid, "%lld", (long long)a->document_id);
  if (e.id)
    snprintf(change, sizeof change, "version=%lld employee=%lld", (long long)a->version,
             (long long)e.id);
  else
    snprintf(change, sizeof change, "version=%lld user=%lld", (long long)a->version,
             (long long)a->by->user_id);
  struct hv_audit_event ev = {
      a->by->actor, "protocol_doc.acknowledge", "protocol_doc", oid, change, strlen(change)};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_protocol_doc_ack(struct hv_store *s, struct hv_protocol_ack *a) {
  return hv_store_tx(s, true, ack_tx, a);
}

struct acks_args {
  const struct hv_principal *by;
  int64_t id, version;
  json_t *out;
};

static int ack_count_row(void *cls, const struct hv_row *r) {
  int64_t active = hv_row_int(r, 2), acked = hv_row_int(r, 3);
  json_array_append_new(
      cls, json_pack("{s:s, s:s, s:I, s:I, s:o}", "department", nz(hv_row_text(r, 0)), "name",
                     nz(hv_row_text(r, 1)), "active", (json_int_t)active, "acknowledged",
                     (json_int_t)acked, "percent",
                     active ? json_integer((json_int_t)(acked * 100 / active)) : json_null()));
  return 0;
}

static enum hv_qs acks_tx(struct hv_conn *c, void *cls) {
  struct acks_args *a = cls;
  struct doc d;
  int64_t max = 0, users = 0;
  enum hv_qs qs = load_doc(c, a->by, a->id, &d);
  json_decref(a->out);
  a->out = NULL;
  if (qs <= 0)
    return qs;
  struct hv_param pm[] = {HV_P_INT(a->id)};
  if ((qs = hv_db_int(c, &q_max, pm, 1, &max)) < 0)
    return qs;
  int64_t v = a->version ? a->version : max;
  if (v < 1 || v > max)
    return HV_QS_NONE;
  int64_t scope = d.department_id ? d.department_id : hv_policy_department(a->by);
  json_t *list = json_array();
  a->out = json_pack("{s:I, s:o}", "version", (json_int_t)v, "departments", list);
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(v), HV_P_INT(scope), HV_P_INT(scope)};
  if ((qs = hv_db_query(c, &q_ack_counts, p, 4, ack_count_row, list)) < 0)
    return qs;
  struct hv_param pu[] = {HV_P_INT(a->id), HV_P_INT(v)};
  if ((qs = hv_db_int(c, &q_ack_users, pu, 2, &users)) < 0)
    return qs;
  json_object_set_new(a->out, "users", json_integer((json_int_t)users));
  return HV_QS_ONE;
}

enum hv_qs hv_protocol_doc_acks(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                int64_t version, json_t **out) {
  struct acks_args a = {by, id, version, NULL};
  enum hv_qs qs = hv_store_tx(s, false, acks_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}
