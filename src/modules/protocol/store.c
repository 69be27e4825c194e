/* Protocol SQL. A save reads the current version, refuses a stale editor,
 * inserts the next version and appends its audit event, all in one write
 * transaction (SQLite BEGIN IMMEDIATE; PostgreSQL writers serialised), so
 * two administrators saving at once cannot both become version N+1. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "modules/protocol/protocol.h"

static const char *nz(const char *s) { return s ? s : ""; }

#define COLS                                                                                       \
  "p.version, p.sha256, p.note, p.created_at, u.display_name, length(p.markdown), p.markdown "
#define FROM " FROM protocol_versions p LEFT JOIN users u ON u.id = p.created_by "

static struct hv_sql q_one = HV_SQL("SELECT " COLS FROM "WHERE p.version = ?");
static struct hv_sql q_current = HV_SQL("SELECT " COLS FROM "ORDER BY p.version DESC LIMIT 1");
static struct hv_sql q_head =
    HV_SQL("SELECT p.version, p.sha256, p.created_at, u.display_name" FROM "WHERE p.version = ?");
static struct hv_sql q_head_current =
    HV_SQL("SELECT p.version, p.sha256, p.created_at, u.display_name" FROM
           "ORDER BY p.version DESC LIMIT 1");
static struct hv_sql q_list =
    HV_SQL("SELECT p.version, p.sha256, p.note, p.created_at, "
           "u.display_name, length(p.markdown)" FROM "ORDER BY p.version DESC LIMIT 1000");
static struct hv_sql q_max = HV_SQL("SELECT COALESCE(MAX(version), 0) FROM protocol_versions");
static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO protocol_versions (version, markdown, sha256, note, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)");

/* length() counts characters on both databases. */
static json_t *version_json(const struct hv_row *r, bool with_text) {
  const char *by = hv_row_text(r, 4);
  json_t *o =
      json_pack("{s:I, s:s, s:s, s:I, s:o, s:I}", "version", (json_int_t)hv_row_int(r, 0), "sha256",
                nz(hv_row_text(r, 1)), "note", nz(hv_row_text(r, 2)), "created_at",
                (json_int_t)hv_row_int(r, 3), "created_by", by ? json_string(by) : json_null(),
                "characters", (json_int_t)hv_row_int(r, 5));
  if (o && with_text)
    json_object_set_new(o, "markdown", json_string(nz(hv_row_text(r, 6))));
  return o;
}

static int one_row(void *cls, const struct hv_row *r) {
  *(json_t **)cls = version_json(r, true);
  return 1;
}

static int list_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, version_json(r, false));
  return 0;
}

struct get_args {
  int64_t version;
  json_t *out;
  struct hv_protocol_head *head;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->version)};
  return a->version ? hv_db_query(c, &q_one, p, 1, one_row, &a->out)
                    : hv_db_query(c, &q_current, NULL, 0, one_row, &a->out);
}

enum hv_qs hv_protocol_get(struct hv_store *s, int64_t version, json_t **out) {
  struct get_args a = {version, NULL, NULL};
  enum hv_qs qs = hv_store_tx(s, false, get_tx, &a);
  if (qs <= 0 || !a.out) {
    json_decref(a.out);
    return qs < 0 ? qs : qs == HV_QS_NONE ? HV_QS_NONE : HV_QS_HARD;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static int head_row(void *cls, const struct hv_row *r) {
  struct hv_protocol_head *h = cls;
  h->version = hv_row_int(r, 0);
  snprintf(h->sha256, sizeof h->sha256, "%s", nz(hv_row_text(r, 1)));
  h->created_at = hv_row_int(r, 2);
  snprintf(h->created_by, sizeof h->created_by, "%s", nz(hv_row_text(r, 3)));
  return 1;
}

static enum hv_qs head_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->version)};
  return a->version ? hv_db_query(c, &q_head, p, 1, head_row, a->head)
                    : hv_db_query(c, &q_head_current, NULL, 0, head_row, a->head);
}

enum hv_qs hv_protocol_head(struct hv_store *s, int64_t version, struct hv_protocol_head *h) {
  struct get_args a = {version, NULL, h};
  memset(h, 0, sizeof *h);
  enum hv_qs qs = hv_store_tx(s, false, head_tx, &a);
  return qs < 0 ? qs : qs == HV_QS_NONE ? HV_QS_NONE : HV_QS_ONE;
}

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_list, NULL, 0, list_row, cls);
}

enum hv_qs hv_protocol_list(struct hv_store *s, json_t **items) {
  json_t *a = json_array();
  enum hv_qs qs = a ? hv_store_tx(s, false, list_tx, a) : HV_QS_HARD;
  if (qs < 0) {
    json_decref(a);
    return qs;
  }
  *items = a;
  return HV_QS_ONE;
}

static enum hv_qs save_tx(struct hv_conn *c, void *cls) {
  struct hv_protocol_save *w = cls;
  int64_t cur = 0;
  w->stale = 0;
  enum hv_qs qs = hv_db_int(c, &q_max, NULL, 0, &cur);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  if (cur != w->expect_version) {
    w->stale = 1;
    w->current = cur;
    return HV_QS_CONFLICT;
  }
  char sha[65];
  size_t len = strlen(w->markdown);
  hv_protocol_sha256(w->markdown, len, sha);
  w->version = cur + 1;
  struct hv_param p[] = {HV_P_INT(w->version),     HV_P_TEXT(w->markdown),
                         HV_P_TEXT(sha),           HV_P_TEXT(nz(w->note)),
                         HV_P_INT(w->by->user_id), HV_P_INT(hv_clock_wall_ms())};
  qs = hv_db_exec(c, &q_insert, p, 6);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  /* The event commits to the version, the text's hash and size and the
   * note's hash: enough to prove later which text was published when,
   * recomputable from the stored row. */
  char oid[24], change[256], note_sha[65];
  hv_protocol_sha256(nz(w->note), strlen(nz(w->note)), note_sha);
  snprintf(oid, sizeof oid, "%lld", (long long)w->version);
  snprintf(change, sizeof change, "version=%lld sha256=%s bytes=%zu note_sha256=%s",
           (long long)w->version, sha, len, note_sha);
  struct hv_audit_event ev = {w->by->actor, "protocol.publish", "protocol", oid,
                              change,       strlen(change)};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_protocol_save(struct hv_store *s, struct hv_protocol_save *w) {
  return hv_store_tx(s, true, save_tx, w);
}
