/* Preparedness plans: the SQL (see plans.h). A write reads the plan it
 * changes inside its own transaction, so the scope check, the version
 * check, the status rule, the change and the audit event are one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "modules/plans/plans.h"

/* --- statements ------------------------------------------------------------- */

#define DIR_COLS "id, number, title, due_days, issued_on, version, created_at, updated_at"
static struct hv_sql q_dir_insert =
    HV_SQL("INSERT INTO plan_directives (number, title, due_days, version, created_by, "
           "created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING id");
static struct hv_sql q_dir_get = HV_SQL("SELECT " DIR_COLS " FROM plan_directives WHERE id = ?");
static struct hv_sql q_dir_list =
    HV_SQL("SELECT " DIR_COLS " FROM plan_directives ORDER BY number LIMIT 200");
static struct hv_sql q_dir_number_taken =
    HV_SQL("SELECT COUNT(*) FROM plan_directives WHERE number = ? AND id <> ?");
static struct hv_sql q_dir_update =
    HV_SQL("UPDATE plan_directives SET number = ?, title = ?, due_days = ?, version = version + "
           "1, updated_at = ? WHERE id = ?");
static struct hv_sql q_dir_bump =
    HV_SQL("UPDATE plan_directives SET version = version + 1, updated_at = ? WHERE id = ?");
static struct hv_sql q_dir_issue =
    HV_SQL("UPDATE plan_directives SET issued_on = ?, version = version + 1, updated_at = ? "
           "WHERE id = ? AND issued_on IS NULL");

#define REQ_COLS "id, directive_id, position, code, title, guidance, asks_percent, retired"
static struct hv_sql q_req_insert = HV_SQL(
    "INSERT INTO plan_requirements (directive_id, position, code, title, guidance, asks_percent) "
    "VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM plan_requirements WHERE "
    "directive_id = ?), ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_req_list = HV_SQL("SELECT " REQ_COLS " FROM plan_requirements WHERE "
                                         "directive_id = ? ORDER BY position, id");
static struct hv_sql q_req_count =
    HV_SQL("SELECT COUNT(*) FROM plan_requirements WHERE directive_id = ?");
static struct hv_sql q_req_code_taken =
    HV_SQL("SELECT COUNT(*) FROM plan_requirements WHERE directive_id = ? AND code = ?");
static struct hv_sql q_req_get =
    HV_SQL("SELECT " REQ_COLS " FROM plan_requirements WHERE id = ? AND directive_id = ?");
static struct hv_sql q_req_update =
    HV_SQL("UPDATE plan_requirements SET title = ?, guidance = ?, asks_percent = ?, retired = ? "
           "WHERE id = ? AND directive_id = ?");

static struct hv_sql q_departments = HV_SQL("SELECT id FROM departments ORDER BY id");
static struct hv_sql q_plan_insert =
    HV_SQL("INSERT INTO plans (directive_id, department_id, due_on, status, version, created_at, "
           "updated_at) VALUES (?, ?, ?, 'open', 1, ?, ?) RETURNING id");

#define PLAN_COLS                                                                                  \
  "p.id, p.directive_id, p.department_id, d.code, d.name, p.due_on, p.status, p.version, "         \
  "p.submissions, p.first_submitted_on, p.submitted_at, p.submitted_by, p.decided_at, "            \
  "p.decided_by, p.created_at, p.updated_at, dir.number, dir.title, dir.issued_on, "               \
  "(SELECT COUNT(*) FROM plan_requirements r WHERE r.directive_id = p.directive_id AND "           \
  "r.retired = 0), (SELECT COUNT(*) FROM plan_answers a JOIN plan_requirements r ON r.id = "       \
  "a.requirement_id WHERE a.plan_id = p.id AND r.retired = 0 AND a.status IN ('done', "            \
  "'not_applicable')), (SELECT COUNT(*) FROM plan_answers a JOIN plan_requirements r ON r.id = "   \
  "a.requirement_id WHERE a.plan_id = p.id AND r.retired = 0 AND a.status <> 'todo')"
#define PLAN_FROM                                                                                  \
  " FROM plans p JOIN departments d ON d.id = p.department_id JOIN plan_directives dir ON dir.id " \
  "= p.directive_id"
static struct hv_sql q_plan_get =
    HV_SQL("SELECT " PLAN_COLS PLAN_FROM " WHERE p.id = ? AND (? = 0 OR p.department_id = ?)");
static struct hv_sql q_plan_list =
    HV_SQL("SELECT " PLAN_COLS PLAN_FROM " WHERE (? = 0 OR p.directive_id = ?) AND (? = 0 OR "
           "p.department_id = ?) ORDER BY d.name, dir.number LIMIT 2000");

static struct hv_sql q_answers =
    HV_SQL("SELECT r.id, r.code, r.title, r.guidance, r.asks_percent, r.position, a.status, "
           "a.note, a.na_reason, a.percent, a.updated_at FROM plan_requirements r LEFT JOIN "
           "plan_answers a ON a.requirement_id = r.id AND a.plan_id = ? WHERE r.directive_id = ? "
           "AND r.retired = 0 ORDER BY r.position, r.id");
static struct hv_sql q_evidence =
    HV_SQL("SELECT id, requirement_id, item, version, file_name, content_type, size, sha256, "
           "effective_on, uploaded_by, uploaded_at FROM plan_evidence WHERE plan_id = ? ORDER BY "
           "item, version");
static struct hv_sql q_answer_upsert = HV_SQL(
    "INSERT INTO plan_answers (plan_id, requirement_id, status, note, na_reason, percent, "
    "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, "
    "requirement_id) DO UPDATE SET status = excluded.status, note = excluded.note, na_reason = "
    "excluded.na_reason, percent = excluded.percent, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at");
static struct hv_sql q_plan_set =
    HV_SQL("UPDATE plans SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND "
           "version = ?");
static struct hv_sql q_plan_submit = HV_SQL(
    "UPDATE plans SET status = 'submitted', version = version + 1, submissions = submissions + "
    "1, first_submitted_on = COALESCE(first_submitted_on, ?), submitted_at = ?, submitted_by = "
    "?, updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_plan_decide =
    HV_SQL("UPDATE plans SET status = ?, version = version + 1, decided_at = ?, decided_by = ?, "
           "updated_at = ? WHERE id = ? AND version = ?");
static struct hv_sql q_sub_insert =
    HV_SQL("INSERT INTO plan_submissions (plan_id, number, answers, submitted_by, submitted_at) "
           "VALUES (?, ?, ?, ?, ?)");
static struct hv_sql q_sub_decide =
    HV_SQL("UPDATE plan_submissions SET decision = ?, decision_comment = ?, review = ?, "
           "decided_by = ?, decided_at = ? WHERE plan_id = ? AND number = ?");
#define SUB_COLS                                                                                   \
  "s.number, s.submitted_at, s.submitted_by, u.display_name, s.decision, s.decision_comment, "     \
  "s.review, s.decided_by, v.display_name, s.decided_at, s.answers"
static struct hv_sql q_subs =
    HV_SQL("SELECT " SUB_COLS " FROM plan_submissions s LEFT JOIN users u ON u.id = s.submitted_by "
           "LEFT JOIN users v ON v.id = s.decided_by WHERE s.plan_id = ? ORDER BY s.number");
static struct hv_sql q_sub_get =
    HV_SQL("SELECT " SUB_COLS " FROM plan_submissions s LEFT JOIN users u ON u.id = s.submitted_by "
           "LEFT JOIN users v ON v.id = s.decided_by WHERE s.plan_id = ? AND s.number = ?");
static struct hv_sql q_edited_by =
    HV_SQL("SELECT COUNT(*) FROM plan_answers WHERE plan_id = ? AND updated_by = ?");
static struct hv_sql q_uploaded_by =
    HV_SQL("SELECT COUNT(*) FROM plan_evidence WHERE plan_id = ? AND uploaded_by = ?");

static struct hv_sql q_ev_next_item =
    HV_SQL("SELECT COALESCE(MAX(item), 0) + 1 FROM plan_evidence WHERE plan_id = ?");
static struct hv_sql q_ev_item_req = HV_SQL(
    "SELECT requirement_id FROM plan_evidence WHERE plan_id = ? AND item = ? ORDER BY version "
    "LIMIT 1");
static struct hv_sql q_ev_next_version = HV_SQL(
    "SELECT COALESCE(MAX(version), 0) + 1 FROM plan_evidence WHERE plan_id = ? AND item = ?");
static struct hv_sql q_ev_count = HV_SQL("SELECT COUNT(*) FROM plan_evidence WHERE plan_id = ?");
static struct hv_sql q_ev_insert = HV_SQL(
    "INSERT INTO plan_evidence (plan_id, requirement_id, item, version, file_name, "
    "content_type, size, sha256, storage_name, effective_on, uploaded_by, uploaded_at) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_ev_get = HV_SQL(
    "SELECT e.id, e.plan_id, e.requirement_id, e.item, e.version, e.file_name, e.content_type, "
    "e.size, e.sha256, e.storage_name, e.effective_on, e.uploaded_by, e.uploaded_at FROM "
    "plan_evidence e JOIN plans p ON p.id = e.plan_id WHERE e.id = ? AND e.plan_id = ? AND (? = "
    "0 OR p.department_id = ?)");

/* The most evidence files one plan holds (a bound, not a quota people meet). */
#define EVIDENCE_MAX 500

/* --- helpers ---------------------------------------------------------------- */

static json_t *text_or_null(const struct hv_row *r, int col) {
  const char *s = hv_row_text(r, col);
  return s ? json_string(s) : json_null();
}

static json_t *int_or_null(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_integer(hv_row_int(r, col));
}

static enum hv_qs audit(struct hv_conn *c, const struct hv_principal *by, const char *action,
                        const char *type, int64_t id, const json_t *change) {
  char oid[24];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  char *text = change ? hv_json_dump(change, NULL) : NULL;
  struct hv_audit_event ev = {by->actor, action,           type,
                              oid,       text ? text : "", text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs refuse(struct hv_plan_outcome *o, int status, const char *code, const char *field,
                         const char *message) {
  if (o) {
    o->refusal = message;
    o->status = status;
    o->code = code;
    o->field = field;
  }
  return HV_QS_CONFLICT;
}

static json_t *directive_json(const struct hv_row *r) {
  return json_pack("{s:I, s:o, s:o, s:I, s:o, s:I, s:I, s:I}", "id", (json_int_t)hv_row_int(r, 0),
                   "number", text_or_null(r, 1), "title", text_or_null(r, 2), "due_days",
                   (json_int_t)hv_row_int(r, 3), "issued_on", text_or_null(r, 4), "version",
                   (json_int_t)hv_row_int(r, 5), "created_at", (json_int_t)hv_row_int(r, 6),
                   "updated_at", (json_int_t)hv_row_int(r, 7));
}

static int one_directive(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = directive_json(r);
  return 1;
}

static int many_directives(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, directive_json(r));
  return 0;
}

static int requirement_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls, json_pack("{s:I, s:I, s:o, s:o, s:o, s:b, s:b}", "id", (json_int_t)hv_row_int(r, 0),
                     "position", (json_int_t)hv_row_int(r, 2), "code", text_or_null(r, 3), "title",
                     text_or_null(r, 4), "guidance", text_or_null(r, 5), "asks_percent",
                     hv_row_int(r, 6) != 0, "retired", hv_row_int(r, 7) != 0));
  return 0;
}

static enum hv_qs read_directive(struct hv_conn *c, int64_t id, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id)};
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_dir_get, p, 1, one_directive, out);
  if (qs <= 0 || !*out)
    return qs < 0 ? qs : HV_QS_NONE;
  json_t *reqs = json_array();
  json_object_set_new(*out, "requirements", reqs);
  qs = hv_db_query(c, &q_req_list, p, 1, requirement_row, reqs);
  if (qs < 0) {
    json_decref(*out);
    *out = NULL;
    return qs;
  }
  return HV_QS_ONE;
}

/* --- directives ------------------------------------------------------------- */

struct dir_args {
  const struct hv_principal *by;
  int64_t id, version, due_days, rid;
  const char *number, *title, *code, *guidance, *issued_on;
  int asks_percent, retired;
  const json_t *requirements;
  struct hv_plan_outcome *o;
  json_t *out;
};

static enum hv_qs insert_requirement(struct hv_conn *c, int64_t dir, const char *code,
                                     const char *title, const char *guidance, bool pct,
                                     int64_t *rid) {
  int64_t n = 0;
  struct hv_param pc[] = {HV_P_INT(dir), HV_P_TEXT(code)};
  enum hv_qs qs = hv_db_int(c, &q_req_code_taken, pc, 2, &n);
  if (qs < 0)
    return qs;
  if (n > 0)
    return HV_QS_CONFLICT;
  struct hv_param pn[] = {HV_P_INT(dir)};
  if ((qs = hv_db_int(c, &q_req_count, pn, 1, &n)) < 0)
    return qs;
  if (n >= HV_PLAN_REQ_MAX)
    return HV_QS_CONFLICT;
  struct hv_param p[] = {HV_P_INT(dir),
                         HV_P_INT(dir),
                         HV_P_TEXT(code),
                         HV_P_TEXT(title),
                         HV_P_TEXT(guidance ? guidance : ""),
                         HV_P_INT(pct)};
  return hv_db_int(c, &q_req_insert, p, 6, rid);
}

static enum hv_qs dir_create_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  int64_t now = hv_clock_wall_ms(), taken = 0;
  struct hv_param pt[] = {HV_P_TEXT(a->number), HV_P_INT(0)};
  enum hv_qs qs = hv_db_int(c, &q_dir_number_taken, pt, 2, &taken);
  if (qs < 0)
    return qs;
  if (taken)
    return HV_QS_CONFLICT;
  struct hv_param p[] = {HV_P_TEXT(a->number),  HV_P_TEXT(a->title),
                         HV_P_INT(a->due_days), HV_P_INT(a->by->user_id ? a->by->user_id : 0),
                         HV_P_INT(now),         HV_P_INT(now)};
  if (!a->by->user_id)
    p[3] = HV_P_NULL;
  if ((qs = hv_db_int(c, &q_dir_insert, p, 6, &a->id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  size_t i;
  const json_t *r;
  json_array_foreach(a->requirements, i, r) {
    int64_t rid;
    qs = insert_requirement(c, a->id, json_string_value(json_object_get(r, "code")),
                            json_string_value(json_object_get(r, "title")),
                            json_string_value(json_object_get(r, "guidance")),
                            json_is_true(json_object_get(r, "asks_percent")), &rid);
    if (qs <= 0)
      return qs < 0 ? qs : HV_QS_HARD;
  }
  json_t *ch = json_pack("{s:s, s:s, s:I, s:O}", "number", a->number, "title", a->title, "due_days",
                         (json_int_t)a->due_days, "requirements", a->requirements);
  qs = audit(c, a->by, "plans.directive.create", "plan_directive", a->id, ch);
  json_decref(ch);
  return qs;
}

enum hv_qs hv_directive_create(struct hv_store *s, const struct hv_principal *by,
                               const char *number, const char *title, int64_t due_days,
                               const json_t *requirements, int64_t *id) {
  struct dir_args a = {.by = by,
                       .number = number,
                       .title = title,
                       .due_days = due_days,
                       .requirements = requirements};
  enum hv_qs qs = hv_store_tx(s, true, dir_create_tx, &a);
  if (qs > 0)
    *id = a.id;
  return qs;
}

static enum hv_qs dir_update_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  json_t *d = NULL;
  enum hv_qs qs = read_directive(c, a->id, &d);
  if (qs <= 0)
    return qs;
  int64_t version = json_integer_value(json_object_get(d, "version"));
  a->o->current = version;
  bool issued = !json_is_null(json_object_get(d, "issued_on"));
  const char *number = a->number ? a->number : json_string_value(json_object_get(d, "number"));
  const char *title = a->title ? a->title : json_string_value(json_object_get(d, "title"));
  int64_t days =
      a->due_days >= 0 ? a->due_days : json_integer_value(json_object_get(d, "due_days"));
  int64_t taken = 0;
  if (version != a->version) {
    qs = refuse(a->o, 409, "version_conflict", "version", NULL);
    goto out;
  }
  if (issued && days != json_integer_value(json_object_get(d, "due_days"))) {
    qs = refuse(a->o, 409, "conflict", "due_days",
                "The directive was issued: its plans' due dates are set, so the number of days "
                "no longer changes.");
    goto out;
  }
  struct hv_param pt[] = {HV_P_TEXT(number), HV_P_INT(a->id)};
  if ((qs = hv_db_int(c, &q_dir_number_taken, pt, 2, &taken)) < 0)
    goto out;
  if (taken) {
    qs = refuse(a->o, 409, "conflict", "number", "Another directive has this number.");
    goto out;
  }
  int64_t now = hv_clock_wall_ms();
  struct hv_param p[] = {HV_P_TEXT(number), HV_P_TEXT(title), HV_P_INT(days), HV_P_INT(now),
                         HV_P_INT(a->id)};
  if ((qs = hv_db_exec(c, &q_dir_update, p, 5)) < 0)
    goto out;
  json_t *ch =
      json_pack("{s:s, s:s, s:I}", "number", number, "title", title, "due_days", (json_int_t)days);
  qs = audit(c, a->by, "plans.directive.update", "plan_directive", a->id, ch);
  json_decref(ch);
out:
  json_decref(d);
  return qs;
}

enum hv_qs hv_directive_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                               int64_t version, const char *number, const char *title,
                               int64_t due_days, struct hv_plan_outcome *o) {
  struct dir_args a = {.by = by,
                       .id = id,
                       .version = version,
                       .number = number,
                       .title = title,
                       .due_days = due_days,
                       .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, true, dir_update_tx, &a);
}

static enum hv_qs req_add_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  json_t *d = NULL;
  enum hv_qs qs = read_directive(c, a->id, &d);
  json_decref(d);
  if (qs <= 0)
    return qs;
  if ((qs = insert_requirement(c, a->id, a->code, a->title, a->guidance, a->asks_percent,
                               &a->rid)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  struct hv_param pb[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(a->id)};
  if ((qs = hv_db_exec(c, &q_dir_bump, pb, 2)) < 0)
    return qs;
  json_t *ch = json_pack("{s:I, s:s, s:s, s:s, s:b}", "requirement_id", (json_int_t)a->rid, "code",
                         a->code, "title", a->title, "guidance", a->guidance ? a->guidance : "",
                         "asks_percent", a->asks_percent);
  qs = audit(c, a->by, "plans.requirement.add", "plan_directive", a->id, ch);
  json_decref(ch);
  return qs;
}

enum hv_qs hv_requirement_add(struct hv_store *s, const struct hv_principal *by, int64_t directive,
                              const char *code, const char *title, const char *guidance,
                              bool asks_percent, int64_t *rid) {
  struct dir_args a = {.by = by,
                       .id = directive,
                       .code = code,
                       .title = title,
                       .guidance = guidance,
                       .asks_percent = asks_percent};
  enum hv_qs qs = hv_store_tx(s, true, req_add_tx, &a);
  if (qs > 0)
    *rid = a.rid;
  return qs;
}

struct req_row {
  bool found;
  char title[4 * HV_PLAN_TITLE_MAX + 1];
  char *guidance;
  int asks_percent, retired;
};

static int req_one(void *cls, const struct hv_row *r) {
  struct req_row *q = cls;
  q->found = true;
  snprintf(q->title, sizeof q->title, "%s", hv_row_text(r, 4));
  free(q->guidance);
  q->guidance = strdup(hv_row_text(r, 5) ? hv_row_text(r, 5) : "");
  q->asks_percent = (int)hv_row_int(r, 6);
  q->retired = (int)hv_row_int(r, 7);
  return 1;
}

static enum hv_qs req_update_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  struct req_row q = {false, "", NULL, 0, 0};
  struct hv_param pg[] = {HV_P_INT(a->rid), HV_P_INT(a->id)};
  enum hv_qs qs = hv_db_query(c, &q_req_get, pg, 2, req_one, &q);
  if (qs <= 0 || !q.found) {
    free(q.guidance);
    return qs < 0 ? qs : HV_QS_NONE;
  }
  const char *title = a->title ? a->title : q.title;
  const char *guidance = a->guidance ? a->guidance : q.guidance ? q.guidance : "";
  int pct = a->asks_percent >= 0 ? a->asks_percent : q.asks_percent;
  int retired = a->retired >= 0 ? a->retired : q.retired;
  struct hv_param p[] = {HV_P_TEXT(title),  HV_P_TEXT(guidance), HV_P_INT(pct),
                         HV_P_INT(retired), HV_P_INT(a->rid),    HV_P_INT(a->id)};
  struct hv_param pb[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(a->id)};
  if ((qs = hv_db_exec(c, &q_req_update, p, 6)) >= 0 &&
      (qs = hv_db_exec(c, &q_dir_bump, pb, 2)) >= 0) {
    json_t *ch =
        json_pack("{s:I, s:s, s:s, s:b, s:b}", "requirement_id", (json_int_t)a->rid, "title", title,
                  "guidance", guidance, "asks_percent", pct != 0, "retired", retired != 0);
    qs = audit(c, a->by, "plans.requirement.update", "plan_directive", a->id, ch);
    json_decref(ch);
  }
  free(q.guidance);
  return qs;
}

enum hv_qs hv_requirement_update(struct hv_store *s, const struct hv_principal *by,
                                 int64_t directive, int64_t rid, const char *title,
                                 const char *guidance, int asks_percent, int retired) {
  struct dir_args a = {.by = by,
                       .id = directive,
                       .rid = rid,
                       .title = title,
                       .guidance = guidance,
                       .asks_percent = asks_percent,
                       .retired = retired};
  return hv_store_tx(s, true, req_update_tx, &a);
}

static enum hv_qs dir_get_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  json_decref(a->out);
  a->out = NULL;
  return read_directive(c, a->id, &a->out);
}

enum hv_qs hv_directive_get(struct hv_store *s, int64_t id, json_t **out) {
  struct dir_args a = {.id = id};
  enum hv_qs qs = hv_store_tx(s, false, dir_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs dir_list_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  json_array_clear(a->out);
  enum hv_qs qs = hv_db_query(c, &q_dir_list, NULL, 0, many_directives, a->out);
  if (qs < 0)
    return qs;
  size_t i;
  json_t *d;
  json_array_foreach(a->out, i, d) {
    json_t *reqs = json_array();
    json_object_set_new(d, "requirements", reqs);
    struct hv_param p[] = {HV_P_INT(json_integer_value(json_object_get(d, "id")))};
    if ((qs = hv_db_query(c, &q_req_list, p, 1, requirement_row, reqs)) < 0)
      return qs;
  }
  return HV_QS_ONE;
}

enum hv_qs hv_directives_list(struct hv_store *s, json_t **out) {
  struct dir_args a = {.out = json_array()};
  enum hv_qs qs = hv_store_tx(s, false, dir_list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

struct ids {
  int64_t v[2000];
  size_t n;
};

static int id_row(void *cls, const struct hv_row *r) {
  struct ids *ids = cls;
  if (ids->n < sizeof ids->v / sizeof ids->v[0])
    ids->v[ids->n++] = hv_row_int(r, 0);
  return 0;
}

static enum hv_qs issue_tx(struct hv_conn *c, void *cls) {
  struct dir_args *a = cls;
  json_t *d = NULL;
  struct ids *depts = NULL;
  enum hv_qs qs = read_directive(c, a->id, &d);
  if (qs <= 0)
    return qs;
  char due[11];
  int64_t now = hv_clock_wall_ms();
  if (hv_day_add_text(a->issued_on, json_integer_value(json_object_get(d, "due_days")), due)) {
    qs = HV_QS_HARD;
    goto out;
  }
  struct hv_param pi[] = {HV_P_TEXT(a->issued_on), HV_P_INT(now), HV_P_INT(a->id)};
  if ((qs = hv_db_exec(c, &q_dir_issue, pi, 3)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_CONFLICT; /* issued already */
    goto out;
  }
  depts = calloc(1, sizeof *depts);
  if (!depts) {
    qs = HV_QS_HARD;
    goto out;
  }
  if ((qs = hv_db_query(c, &q_departments, NULL, 0, id_row, depts)) < 0)
    goto out;
  for (size_t i = 0; i < depts->n; i++) {
    int64_t pid = 0;
    struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(depts->v[i]), HV_P_TEXT(due), HV_P_INT(now),
                           HV_P_INT(now)};
    if ((qs = hv_db_int(c, &q_plan_insert, p, 5, &pid)) <= 0) {
      qs = qs < 0 ? qs : HV_QS_HARD;
      goto out;
    }
    json_t *ch = json_pack("{s:I, s:I, s:s}", "directive_id", (json_int_t)a->id, "department_id",
                           (json_int_t)depts->v[i], "due_on", due);
    qs = audit(c, a->by, "plans.plan.open", "plan", pid, ch);
    json_decref(ch);
    if (qs < 0)
      goto out;
  }
  a->rid = (int64_t)depts->n;
  json_t *ch = json_pack("{s:s, s:s, s:I}", "issued_on", a->issued_on, "due_on", due, "plans",
                         (json_int_t)depts->n);
  qs = audit(c, a->by, "plans.directive.issue", "plan_directive", a->id, ch);
  json_decref(ch);
out:
  free(depts);
  json_decref(d);
  return qs;
}

enum hv_qs hv_directive_issue(struct hv_store *s, const struct hv_principal *by, int64_t id,
                              const char *issued_on, int64_t *count) {
  struct dir_args a = {.by = by, .id = id, .issued_on = issued_on};
  enum hv_qs qs = hv_store_tx(s, true, issue_tx, &a);
  if (qs > 0)
    *count = a.rid;
  return qs;
}

/* --- plans: reading ---------------------------------------------------------- */

static json_t *plan_json(const struct hv_row *r) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(hv_row_int(r, 0)));
  json_object_set_new(o, "directive_id", json_integer(hv_row_int(r, 1)));
  json_object_set_new(o, "department_id", json_integer(hv_row_int(r, 2)));
  json_object_set_new(o, "department_code", text_or_null(r, 3));
  json_object_set_new(o, "department_name", text_or_null(r, 4));
  json_object_set_new(o, "due_on", text_or_null(r, 5));
  json_object_set_new(o, "status", text_or_null(r, 6));
  json_object_set_new(o, "version", json_integer(hv_row_int(r, 7)));
  json_object_set_new(o, "submissions", json_integer(hv_row_int(r, 8)));
  json_object_set_new(o, "first_submitted_on", text_or_null(r, 9));
  json_object_set_new(o, "submitted_at", int_or_null(r, 10));
  json_object_set_new(o, "submitted_by", int_or_null(r, 11));
  json_object_set_new(o, "decided_at", int_or_null(r, 12));
  json_object_set_new(o, "decided_by", int_or_null(r, 13));
  json_object_set_new(o, "created_at", json_integer(hv_row_int(r, 14)));
  json_object_set_new(o, "updated_at", json_integer(hv_row_int(r, 15)));
  json_object_set_new(o, "directive_number", text_or_null(r, 16));
  json_object_set_new(o, "directive_title", text_or_null(r, 17));
  json_object_set_new(o, "issued_on", text_or_null(r, 18));
  json_object_set_new(o, "requirements_total", json_integer(hv_row_int(r, 19)));
  json_object_set_new(o, "requirements_done", json_integer(hv_row_int(r, 20)));
  json_object_set_new(o, "requirements_answered", json_integer(hv_row_int(r, 21)));
  return o;
}

static int one_plan(void *cls, const struct hv_row *r) {
  json_t **out = cls;
  json_decref(*out);
  *out = plan_json(r);
  return 1;
}

static int many_plans(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, plan_json(r));
  return 0;
}

static int answer_row(void *cls, const struct hv_row *r) {
  const char *st = hv_row_text(r, 6);
  json_array_append_new(
      cls, json_pack("{s:I, s:o, s:o, s:o, s:b, s:I, s:s, s:s, s:s, s:o, s:o, s:[]}",
                     "requirement_id", (json_int_t)hv_row_int(r, 0), "code", text_or_null(r, 1),
                     "title", text_or_null(r, 2), "guidance", text_or_null(r, 3), "asks_percent",
                     hv_row_int(r, 4) != 0, "position", (json_int_t)hv_row_int(r, 5), "status",
                     st ? st : "todo", "note", hv_row_text(r, 7) ? hv_row_text(r, 7) : "",
                     "na_reason", hv_row_text(r, 8) ? hv_row_text(r, 8) : "", "percent",
                     int_or_null(r, 9), "updated_at", int_or_null(r, 10), "evidence"));
  return 0;
}

static int evidence_row(void *cls, const struct hv_row *r) {
  json_t *answers = cls;
  size_t i;
  json_t *a;
  json_array_foreach(answers, i, a) {
    if (json_integer_value(json_object_get(a, "requirement_id")) != hv_row_int(r, 1))
      continue;
    json_array_append_new(
        json_object_get(a, "evidence"),
        json_pack("{s:I, s:I, s:I, s:o, s:o, s:I, s:o, s:o, s:o, s:I}", "id",
                  (json_int_t)hv_row_int(r, 0), "item", (json_int_t)hv_row_int(r, 2), "version",
                  (json_int_t)hv_row_int(r, 3), "file_name", text_or_null(r, 4), "content_type",
                  text_or_null(r, 5), "size", (json_int_t)hv_row_int(r, 6), "sha256",
                  text_or_null(r, 7), "effective_on", text_or_null(r, 8), "uploaded_by",
                  int_or_null(r, 9), "uploaded_at", (json_int_t)hv_row_int(r, 10)));
    break;
  }
  return 0;
}

/* The plan's current answers with every evidence version (returned). */
static enum hv_qs read_answers(struct hv_conn *c, int64_t plan, int64_t directive, json_t **out) {
  json_t *answers = json_array();
  struct hv_param p[] = {HV_P_INT(plan), HV_P_INT(directive)};
  enum hv_qs qs = hv_db_query(c, &q_answers, p, 2, answer_row, answers);
  if (qs >= 0)
    qs = hv_db_query(c, &q_evidence, p, 1, evidence_row, answers);
  if (qs < 0) {
    json_decref(answers);
    return qs;
  }
  *out = answers;
  return HV_QS_ONE;
}

static int submission_row(void *cls, const struct hv_row *r) {
  json_t *list = cls;
  json_error_t err;
  const char *rv = hv_row_text(r, 6);
  json_t *review = rv ? json_loads(rv, JSON_REJECT_DUPLICATES, &err) : NULL;
  json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "number",
                        (json_int_t)hv_row_int(r, 0), "submitted_at", (json_int_t)hv_row_int(r, 1),
                        "submitted_by", int_or_null(r, 2), "submitted_by_name", text_or_null(r, 3),
                        "decision", text_or_null(r, 4), "decision_comment", text_or_null(r, 5),
                        "review", review ? review : json_array(), "decided_by", int_or_null(r, 7),
                        "decided_by_name", text_or_null(r, 8), "decided_at", int_or_null(r, 9));
  if (json_is_array(list)) {
    json_array_append_new(list, o);
  } else { /* a single version, with its snapshot */
    const char *text = hv_row_text(r, 10);
    json_t *snap = text ? json_loads(text, JSON_REJECT_DUPLICATES, &err) : NULL;
    json_object_set_new(o, "answers", json_is_array(snap) ? json_incref(snap) : json_array());
    json_decref(snap);
    json_object_update(list, o);
    json_decref(o);
  }
  return 0;
}

static enum hv_qs read_plan(struct hv_conn *c, int64_t id, int64_t scope, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id), HV_P_INT(scope), HV_P_INT(scope)};
  *out = NULL;
  enum hv_qs qs = hv_db_query(c, &q_plan_get, p, 3, one_plan, out);
  if (qs <= 0 || !*out)
    return qs < 0 ? qs : HV_QS_NONE;
  return HV_QS_ONE;
}

struct plan_args {
  const struct hv_principal *by;
  int64_t scope, id, version, rid, directive, percent, number;
  int status;
  bool accept;
  const char *note, *na_reason, *today, *comment;
  const json_t *comments;
  struct hv_evidence *ev;
  struct hv_plan_outcome *o;
  json_t *out;
};

static enum hv_qs plan_get_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_decref(a->out);
  a->out = NULL;
  enum hv_qs qs = read_plan(c, a->id, a->scope, &a->out);
  if (qs <= 0)
    return qs;
  json_t *answers = NULL, *subs = json_array();
  json_object_set_new(a->out, "submission_list", subs);
  struct hv_param p[] = {HV_P_INT(a->id)};
  if ((qs = read_answers(c, a->id, json_integer_value(json_object_get(a->out, "directive_id")),
                         &answers)) < 0)
    return qs;
  json_object_set_new(a->out, "requirements", answers);
  if ((qs = hv_db_query(c, &q_subs, p, 1, submission_row, subs)) < 0)
    return qs;
  return HV_QS_ONE;
}

enum hv_qs hv_plan_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out) {
  struct plan_args a = {.id = id, .scope = scope};
  enum hv_qs qs = hv_store_tx(s, false, plan_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs plans_list_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_array_clear(a->out);
  struct hv_param p[] = {HV_P_INT(a->directive), HV_P_INT(a->directive), HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  enum hv_qs qs = hv_db_query(c, &q_plan_list, p, 4, many_plans, a->out);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_plans_list(struct hv_store *s, int64_t directive, int64_t scope, json_t **out) {
  struct plan_args a = {.directive = directive, .scope = scope, .out = json_array()};
  enum hv_qs qs = hv_store_tx(s, false, plans_list_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static enum hv_qs sub_get_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_t *plan = NULL;
  enum hv_qs qs = read_plan(c, a->id, a->scope, &plan);
  json_decref(plan);
  if (qs <= 0)
    return qs;
  json_object_clear(a->out);
  struct hv_param p[] = {HV_P_INT(a->id), HV_P_INT(a->number)};
  return hv_db_query(c, &q_sub_get, p, 2, submission_row, a->out);
}

enum hv_qs hv_plan_version_get(struct hv_store *s, int64_t id, int64_t scope, int64_t number,
                               json_t **out) {
  struct plan_args a = {.id = id, .scope = scope, .number = number, .out = json_object()};
  enum hv_qs qs = hv_store_tx(s, false, sub_get_tx, &a);
  if (qs <= 0) {
    json_decref(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

/* --- plans: writing ---------------------------------------------------------- */

/* Reads the plan for a write and checks scope, version and the edit rule:
 * HV_QS_ONE with *plan set (caller decrefs) when the write may go on. */
static enum hv_qs plan_for_write(struct hv_conn *c, struct plan_args *a, json_t **plan,
                                 bool (*rule)(enum hv_plan_status), const char *why) {
  enum hv_qs qs = read_plan(c, a->id, a->scope, plan);
  if (qs <= 0)
    return qs;
  a->o->current = json_integer_value(json_object_get(*plan, "version"));
  int st = hv_plan_status_parse(json_string_value(json_object_get(*plan, "status")));
  if (a->version && a->o->current != a->version)
    return refuse(a->o, 409, "version_conflict", "version", NULL);
  if (st < 0 || !rule((enum hv_plan_status)st))
    return refuse(a->o, 409, "conflict", "status", why);
  return HV_QS_ONE;
}

static const char *const not_editable =
    "The plan is submitted or accepted: it changes again only if the reviewer asks for changes.";

static enum hv_qs answer_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_t *plan = NULL, *answers = NULL;
  enum hv_qs qs = plan_for_write(c, a, &plan, hv_plan_may_edit, not_editable);
  if (qs <= 0)
    goto out;
  int64_t now = hv_clock_wall_ms();
  if ((qs = read_answers(c, a->id, json_integer_value(json_object_get(plan, "directive_id")),
                         &answers)) < 0)
    goto out;
  const json_t *req = NULL;
  size_t i;
  json_t *x;
  json_array_foreach(answers, i, x) if (json_integer_value(json_object_get(x, "requirement_id")) ==
                                        a->rid) req = x;
  if (!req) {
    qs = refuse(a->o, 404, "not_found", NULL, "The plan has no such requirement.");
    goto out;
  }
  const char *field;
  const char *problem =
      hv_answer_problem(a->status, a->na_reason, a->percent,
                        json_is_true(json_object_get(req, "asks_percent")), &field);
  if (problem) {
    qs = refuse(a->o, 422, "invalid_value", field, problem);
    goto out;
  }
  struct hv_param p[] = {HV_P_INT(a->id),
                         HV_P_INT(a->rid),
                         HV_P_TEXT(hv_answer_status_code((enum hv_answer_status)a->status)),
                         HV_P_TEXT(a->note ? a->note : ""),
                         HV_P_TEXT(a->na_reason ? a->na_reason : ""),
                         a->percent >= 0 ? HV_P_INT(a->percent) : HV_P_NULL,
                         a->by->user_id ? HV_P_INT(a->by->user_id) : HV_P_NULL,
                         HV_P_INT(now)};
  if ((qs = hv_db_exec(c, &q_answer_upsert, p, 8)) < 0)
    goto out;
  int st = hv_plan_status_parse(json_string_value(json_object_get(plan, "status")));
  const char *next =
      hv_plan_status_code(st == HV_PLAN_OPEN ? HV_PLAN_IN_PROGRESS : (enum hv_plan_status)st);
  struct hv_param ps[] = {HV_P_TEXT(next), HV_P_INT(now), HV_P_INT(a->id), HV_P_INT(a->o->current)};
  if ((qs = hv_db_exec(c, &q_plan_set, ps, 4)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_RETRY;
    goto out;
  }
  json_t *ch =
      json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:s}", "requirement_id", (json_int_t)a->rid, "code",
                json_deep_copy(json_object_get(req, "code")), "status",
                hv_answer_status_code((enum hv_answer_status)a->status), "note",
                a->note ? a->note : "", "na_reason", a->na_reason ? a->na_reason : "", "percent",
                a->percent >= 0 ? json_integer(a->percent) : json_null(), "plan_status", next);
  qs = audit(c, a->by, "plans.answer.set", "plan", a->id, ch);
  json_decref(ch);
out:
  json_decref(answers);
  json_decref(plan);
  return qs;
}

enum hv_qs hv_plan_answer(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                          int64_t id, int64_t version, int64_t rid, int status, const char *note,
                          const char *na_reason, int64_t percent, struct hv_plan_outcome *o) {
  struct plan_args a = {.by = by,
                        .scope = scope,
                        .id = id,
                        .version = version,
                        .rid = rid,
                        .status = status,
                        .note = note,
                        .na_reason = na_reason,
                        .percent = percent,
                        .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, true, answer_tx, &a);
}

/* The snapshot of answers kept with a submission: each requirement's
 * answer with the newest version of each evidence item. */
static json_t *snapshot(const json_t *answers) {
  json_t *out = json_array();
  size_t i;
  const json_t *a;
  json_array_foreach(answers, i, a) {
    json_t *ev = json_array(), *s = json_deep_copy(a);
    size_t k;
    const json_t *e;
    json_array_foreach(json_object_get(a, "evidence"), k, e) {
      const json_t *next = json_array_get(json_object_get(a, "evidence"), k + 1);
      if (next && json_integer_value(json_object_get(next, "item")) ==
                      json_integer_value(json_object_get(e, "item")))
        continue; /* a newer version of the same item follows */
      json_array_append_new(
          ev, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(e, "id"), "item",
                        json_object_get(e, "item"), "version", json_object_get(e, "version"),
                        "file_name", json_object_get(e, "file_name"), "sha256",
                        json_object_get(e, "sha256"), "effective_on",
                        json_object_get(e, "effective_on")));
    }
    json_object_set_new(s, "evidence", ev);
    json_object_del(s, "guidance");
    json_object_del(s, "updated_at");
    json_object_del(s, "position");
    json_array_append_new(out, s);
  }
  return out;
}

static enum hv_qs submit_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_t *plan = NULL, *answers = NULL, *snap = NULL;
  char *text = NULL;
  enum hv_qs qs = plan_for_write(c, a, &plan, hv_plan_may_submit,
                                 "The plan is already submitted (or accepted).");
  if (qs <= 0)
    goto out;
  if ((qs = read_answers(c, a->id, json_integer_value(json_object_get(plan, "directive_id")),
                         &answers)) < 0)
    goto out;
  size_t i;
  json_t *x;
  json_array_foreach(answers, i, x) {
    if (!strcmp(json_string_value(json_object_get(x, "status")), "todo")) {
      /* The message and field outlive this transaction's JSON. */
      static _Thread_local char msg[512], code[48];
      snprintf(code, sizeof code, "%s", json_string_value(json_object_get(x, "code")));
      snprintf(msg, sizeof msg,
               "Every requirement needs an answer before the plan is submitted: \"%s\" is still "
               "to do.",
               json_string_value(json_object_get(x, "title")));
      qs = refuse(a->o, 422, "incomplete", code, msg);
      goto out;
    }
  }
  snap = snapshot(answers);
  text = hv_json_dump(snap, NULL);
  int64_t now = hv_clock_wall_ms();
  int64_t number = json_integer_value(json_object_get(plan, "submissions")) + 1;
  struct hv_param pu[] = {
      HV_P_TEXT(a->today), HV_P_INT(now),   a->by->user_id ? HV_P_INT(a->by->user_id) : HV_P_NULL,
      HV_P_INT(now),       HV_P_INT(a->id), HV_P_INT(a->o->current)};
  struct hv_param ps[] = {HV_P_INT(a->id), HV_P_INT(number), HV_P_TEXT(text),
                          a->by->user_id ? HV_P_INT(a->by->user_id) : HV_P_NULL, HV_P_INT(now)};
  if (!text) {
    qs = HV_QS_HARD;
    goto out;
  }
  if ((qs = hv_db_exec(c, &q_plan_submit, pu, 6)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_RETRY;
    goto out;
  }
  if ((qs = hv_db_exec(c, &q_sub_insert, ps, 5)) < 0)
    goto out;
  a->number = number;
  json_t *ch = json_pack("{s:I, s:o}", "number", (json_int_t)number, "answers", json_incref(snap));
  qs = audit(c, a->by, "plans.plan.submit", "plan", a->id, ch);
  json_decref(ch);
out:
  free(text);
  json_decref(snap);
  json_decref(answers);
  json_decref(plan);
  return qs;
}

enum hv_qs hv_plan_submit(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                          int64_t id, int64_t version, const char *today,
                          struct hv_plan_outcome *o) {
  struct plan_args a = {
      .by = by, .scope = scope, .id = id, .version = version, .today = today, .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, true, submit_tx, &a);
}

static enum hv_qs review_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  json_t *plan = NULL, *answers = NULL, *review = json_array();
  char *text = NULL;
  int64_t n1 = 0, n2 = 0;
  enum hv_qs qs = plan_for_write(c, a, &plan, hv_plan_may_review,
                                 "Only a submitted plan is reviewed: this one is not awaiting a "
                                 "decision.");
  if (qs <= 0)
    goto out;
  /* Nobody reviews their own plan: not its department's people, not who
   * submitted it, not who wrote any of its answers or evidence. */
  int64_t uid = a->by->user_id;
  struct hv_param pu[] = {HV_P_INT(a->id), HV_P_INT(uid)};
  if ((qs = hv_db_int(c, &q_edited_by, pu, 2, &n1)) < 0 ||
      (qs = hv_db_int(c, &q_uploaded_by, pu, 2, &n2)) < 0)
    goto out;
  if ((a->by->department_id &&
       a->by->department_id == json_integer_value(json_object_get(plan, "department_id"))) ||
      (uid && uid == json_integer_value(json_object_get(plan, "submitted_by"))) || n1 || n2) {
    qs = refuse(a->o, 403, "own_plan", NULL,
                "You worked on this plan (or it is your department's), so another reviewer "
                "decides on it.");
    goto out;
  }
  if ((qs = read_answers(c, a->id, json_integer_value(json_object_get(plan, "directive_id")),
                         &answers)) < 0)
    goto out;
  size_t i;
  const json_t *x;
  json_array_foreach(a->comments, i, x) {
    json_int_t rid = json_integer_value(json_object_get(x, "requirement_id"));
    const json_t *req = NULL;
    size_t k;
    const json_t *r;
    json_array_foreach(
        answers, k, r) if (json_integer_value(json_object_get(r, "requirement_id")) == rid) req = r;
    if (!req) {
      qs = refuse(a->o, 422, "invalid_value", "requirements",
                  "A comment names a requirement this plan does not have.");
      goto out;
    }
    json_array_append_new(review, json_pack("{s:I, s:O, s:O, s:O}", "requirement_id", rid, "code",
                                            json_object_get(req, "code"), "title",
                                            json_object_get(req, "title"), "comment",
                                            json_object_get(x, "comment")));
  }
  text = hv_json_dump(review, NULL);
  int64_t now = hv_clock_wall_ms();
  const char *decision = a->accept ? "accepted" : "changes_requested";
  int64_t number = json_integer_value(json_object_get(plan, "submissions"));
  struct hv_param pp[] = {HV_P_TEXT(decision), HV_P_INT(now),   uid ? HV_P_INT(uid) : HV_P_NULL,
                          HV_P_INT(now),       HV_P_INT(a->id), HV_P_INT(a->o->current)};
  struct hv_param ps[] = {HV_P_TEXT(decision),
                          HV_P_TEXT(a->comment ? a->comment : ""),
                          HV_P_TEXT(text ? text : "[]"),
                          uid ? HV_P_INT(uid) : HV_P_NULL,
                          HV_P_INT(now),
                          HV_P_INT(a->id),
                          HV_P_INT(number)};
  if ((qs = hv_db_exec(c, &q_plan_decide, pp, 6)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_RETRY;
    goto out;
  }
  if ((qs = hv_db_exec(c, &q_sub_decide, ps, 7)) < 0)
    goto out;
  json_t *ch = json_pack("{s:I, s:s, s:s, s:O}", "number", (json_int_t)number, "decision", decision,
                         "comment", a->comment ? a->comment : "", "review", review);
  qs = audit(c, a->by, a->accept ? "plans.plan.accept" : "plans.plan.request_changes", "plan",
             a->id, ch);
  json_decref(ch);
out:
  free(text);
  json_decref(review);
  json_decref(answers);
  json_decref(plan);
  return qs;
}

enum hv_qs hv_plan_review(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, bool accept, const char *comment, const json_t *comments,
                          struct hv_plan_outcome *o) {
  struct plan_args a = {.by = by,
                        .scope = 0,
                        .id = id,
                        .version = version,
                        .accept = accept,
                        .comment = comment,
                        .comments = comments,
                        .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, true, review_tx, &a);
}

/* --- evidence ------------------------------------------------------------------ */

/* The checks before an evidence file is recorded: the plan in scope and
 * editable, the requirement its own, the item (when given) of the same
 * requirement, room left. */
static enum hv_qs evidence_checks(struct hv_conn *c, struct plan_args *a, json_t **plan) {
  enum hv_qs qs = plan_for_write(c, a, plan, hv_plan_may_edit, not_editable);
  if (qs <= 0)
    return qs;
  json_t *answers = NULL;
  if ((qs = read_answers(c, a->id, json_integer_value(json_object_get(*plan, "directive_id")),
                         &answers)) < 0)
    return qs;
  bool found = false;
  size_t i;
  json_t *x;
  json_array_foreach(answers, i, x) found |=
      json_integer_value(json_object_get(x, "requirement_id")) == a->rid;
  json_decref(answers);
  if (!found)
    return refuse(a->o, 404, "not_found", NULL, "The plan has no such requirement.");
  int64_t n = 0;
  struct hv_param pc[] = {HV_P_INT(a->id)};
  if ((qs = hv_db_int(c, &q_ev_count, pc, 1, &n)) < 0)
    return qs;
  if (n >= EVIDENCE_MAX)
    return refuse(a->o, 409, "conflict", "file", "The plan holds 500 evidence files already.");
  if (a->number > 0) { /* a new version of item `number` */
    int64_t rid = 0;
    struct hv_param pi[] = {HV_P_INT(a->id), HV_P_INT(a->number)};
    if ((qs = hv_db_int(c, &q_ev_item_req, pi, 2, &rid)) < 0)
      return qs;
    if (qs == HV_QS_NONE || rid != a->rid)
      return refuse(a->o, 422, "invalid_value", "item",
                    "There is no such evidence item for this requirement.");
  }
  return HV_QS_ONE;
}

static enum hv_qs ev_may_tx(struct hv_conn *c, void *cls) {
  json_t *plan = NULL;
  enum hv_qs qs = evidence_checks(c, cls, &plan);
  json_decref(plan);
  return qs;
}

enum hv_qs hv_evidence_may_add(struct hv_store *s, int64_t scope, int64_t id, int64_t rid,
                               int64_t item, struct hv_plan_outcome *o) {
  struct plan_args a = {.scope = scope, .id = id, .rid = rid, .number = item, .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, false, ev_may_tx, &a);
}

static enum hv_qs ev_add_tx(struct hv_conn *c, void *cls) {
  struct plan_args *a = cls;
  struct hv_evidence *e = a->ev;
  json_t *plan = NULL;
  enum hv_qs qs = evidence_checks(c, a, &plan);
  if (qs <= 0)
    goto out;
  int64_t now = hv_clock_wall_ms();
  e->item = a->number;
  if (!e->item) {
    struct hv_param pn[] = {HV_P_INT(a->id)};
    if ((qs = hv_db_int(c, &q_ev_next_item, pn, 1, &e->item)) < 0)
      goto out;
  }
  struct hv_param pv[] = {HV_P_INT(a->id), HV_P_INT(e->item)};
  if ((qs = hv_db_int(c, &q_ev_next_version, pv, 2, &e->version)) < 0)
    goto out;
  e->uploaded_at = now;
  e->uploaded_by = a->by->user_id;
  struct hv_param p[] = {HV_P_INT(a->id),
                         HV_P_INT(a->rid),
                         HV_P_INT(e->item),
                         HV_P_INT(e->version),
                         HV_P_TEXT(e->file_name),
                         HV_P_TEXT(e->content_type),
                         HV_P_INT(e->size),
                         HV_P_TEXT(e->sha256),
                         HV_P_TEXT(e->storage_name),
                         HV_P_TEXT(e->effective_on),
                         a->by->user_id ? HV_P_INT(a->by->user_id) : HV_P_NULL,
                         HV_P_INT(now)};
  if ((qs = hv_db_int(c, &q_ev_insert, p, 12, &e->id)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_HARD;
    goto out;
  }
  int st = hv_plan_status_parse(json_string_value(json_object_get(plan, "status")));
  const char *next =
      hv_plan_status_code(st == HV_PLAN_OPEN ? HV_PLAN_IN_PROGRESS : (enum hv_plan_status)st);
  struct hv_param ps[] = {HV_P_TEXT(next), HV_P_INT(now), HV_P_INT(a->id), HV_P_INT(a->o->current)};
  if ((qs = hv_db_exec(c, &q_plan_set, ps, 4)) <= 0) {
    qs = qs < 0 ? qs : HV_QS_RETRY;
    goto out;
  }
  json_t *ch =
      json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:I}", "evidence_id", (json_int_t)e->id,
                "requirement_id", (json_int_t)a->rid, "item", (json_int_t)e->item, "version",
                (json_int_t)e->version, "file_name", e->file_name, "sha256", e->sha256,
                "effective_on", e->effective_on, "size", (json_int_t)e->size);
  qs = audit(c, a->by, "plans.evidence.add", "plan", a->id, ch);
  json_decref(ch);
out:
  json_decref(plan);
  return qs;
}

enum hv_qs hv_evidence_add(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                           int64_t version, struct hv_evidence *e, struct hv_plan_outcome *o) {
  struct plan_args a = {.by = by,
                        .scope = scope,
                        .id = e->plan_id,
                        .version = version,
                        .rid = e->requirement_id,
                        .number = e->item,
                        .ev = e,
                        .o = o};
  memset(o, 0, sizeof *o);
  return hv_store_tx(s, true, ev_add_tx, &a);
}

static int ev_one(void *cls, const struct hv_row *r) {
  struct hv_evidence *e = cls;
  e->id = hv_row_int(r, 0);
  e->plan_id = hv_row_int(r, 1);
  e->requirement_id = hv_row_int(r, 2);
  e->item = hv_row_int(r, 3);
  e->version = hv_row_int(r, 4);
  snprintf(e->file_name, sizeof e->file_name, "%s", hv_row_text(r, 5));
  snprintf(e->content_type, sizeof e->content_type, "%s", hv_row_text(r, 6));
  e->size = hv_row_int(r, 7);
  snprintf(e->sha256, sizeof e->sha256, "%s", hv_row_text(r, 8));
  snprintf(e->storage_name, sizeof e->storage_name, "%s", hv_row_text(r, 9));
  snprintf(e->effective_on, sizeof e->effective_on, "%s", hv_row_text(r, 10));
  e->uploaded_by = hv_row_null(r, 11) ? 0 : hv_row_int(r, 11);
  e->uploaded_at = hv_row_int(r, 12);
  return 1;
}

struct ev_get_args {
  int64_t plan, eid, scope;
  struct hv_evidence *out;
};

static enum hv_qs ev_get_tx(struct hv_conn *c, void *cls) {
  struct ev_get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->eid), HV_P_INT(a->plan), HV_P_INT(a->scope),
                         HV_P_INT(a->scope)};
  return hv_db_query(c, &q_ev_get, p, 4, ev_one, a->out);
}

enum hv_qs hv_evidence_get(struct hv_store *s, int64_t plan, int64_t eid, int64_t scope,
                           struct hv_evidence *out) {
  struct ev_get_args a = {plan, eid, scope, out};
  memset(out, 0, sizeof *out);
  enum hv_qs qs = hv_store_tx(s, false, ev_get_tx, &a);
  return qs < 0 ? qs : qs > 0 ? HV_QS_ONE : HV_QS_NONE;
}
