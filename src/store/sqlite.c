/* SQLite backend: WAL with synchronous=FULL (an acknowledged write
 * survives power loss), foreign keys on, a busy timeout, BEGIN IMMEDIATE
 * for writers so they queue instead of deadlocking, and each statement
 * prepared once per connection. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "store/backend.h"

struct sq_conn {
  struct hv_conn base;
  sqlite3 *db;
  sqlite3_stmt *stmts[HV_SQL_MAX_STATEMENTS];
};

static enum hv_qs map_error(struct sq_conn *c, int rc, const char *what) {
  int prim = rc & 0xff;
  if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
    return HV_QS_RETRY;
  if (prim == SQLITE_CONSTRAINT)
    return HV_QS_CONFLICT;
  hv_log(HV_LOG_ERROR, "sqlite error", HV_LS("during", what), HV_LI("code", rc),
         HV_LS("detail", sqlite3_errmsg(c->db)));
  return HV_QS_HARD;
}

static int sq_connect(const char *url, struct hv_conn **out, char *err, size_t errlen) {
  const char *path = url + strlen("sqlite:");
  struct sq_conn *c = calloc(1, sizeof *c);
  char *msg = NULL;
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  c->base.be = &hv_backend_sqlite;
  int rc = sqlite3_open_v2(path, &c->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                               SQLITE_OPEN_EXRESCODE,
                           NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "setting 'db': cannot open SQLite database %s: %s", path,
             c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_busy_timeout(c->db, 5000);
  rc = sqlite3_exec(c->db,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                    "PRAGMA trusted_schema=OFF; PRAGMA secure_delete=ON;",
                    NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "setting 'db': %s is not a usable SQLite database: %s", path,
             msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    goto fail;
  }
  *out = &c->base;
  return 0;
fail:
  sqlite3_close(c->db);
  free(c);
  return -1;
}

static void sq_disconnect(struct hv_conn *hc) {
  struct sq_conn *c = (struct sq_conn *)hc;
  if (!c)
    return;
  for (int i = 0; i < HV_SQL_MAX_STATEMENTS; i++)
    sqlite3_finalize(c->stmts[i]);
  sqlite3_close(c->db);
  free(c);
}

static enum hv_qs sq_script(struct hv_conn *hc, const char *sql) {
  struct sq_conn *c = (struct sq_conn *)hc;
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? HV_QS_NONE : map_error(c, rc, "script");
}

static enum hv_qs sq_begin(struct hv_conn *hc, bool write) {
  return sq_script(hc, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

static enum hv_qs sq_commit(struct hv_conn *hc) { return sq_script(hc, "COMMIT"); }

static void sq_rollback(struct hv_conn *hc) {
  struct sq_conn *c = (struct sq_conn *)hc;
  if (!sqlite3_get_autocommit(c->db))
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static bool sq_null(const struct hv_row *r, int col) {
  return sqlite3_column_type(r->h, col) == SQLITE_NULL;
}
static int64_t sq_int(const struct hv_row *r, int col) { return sqlite3_column_int64(r->h, col); }
static const char *sq_text(const struct hv_row *r, int col) {
  return (const char *)sqlite3_column_text(r->h, col);
}
static const void *sq_blob(const struct hv_row *r, int col, size_t *len) {
  const void *p = sqlite3_column_blob(r->h, col);
  *len = (size_t)sqlite3_column_bytes(r->h, col);
  /* SQLite answers NULL for an empty blob too; only SQL NULL may read as NULL. */
  if (!p && sqlite3_column_type(r->h, col) != SQLITE_NULL)
    p = "";
  return p;
}
static const struct hv_row_ops sq_row_ops = {sq_null, sq_int, sq_text, sq_blob};

static enum hv_qs sq_run(struct hv_conn *hc, struct hv_sql *q, const char *text,
                         const struct hv_param *p, size_t n, hv_row_fn fn, void *cls) {
  struct sq_conn *c = (struct sq_conn *)hc;
  if (q->id <= 0 || q->id >= HV_SQL_MAX_STATEMENTS)
    return HV_QS_HARD;
  sqlite3_stmt *st = c->stmts[q->id];
  int rc;
  if (!st) {
    rc = sqlite3_prepare_v3(c->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
      return map_error(c, rc, "prepare");
    c->stmts[q->id] = st;
  }
  if ((size_t)sqlite3_bind_parameter_count(st) != n) {
    hv_log(HV_LOG_ERROR, "BUG: parameter count", HV_LS("sql", text));
    return HV_QS_HARD;
  }
  for (size_t i = 0; i < n; i++) {
    int k = (int)i + 1;
    switch (p[i].type) {
    case HV_PT_NULL:
      rc = sqlite3_bind_null(st, k);
      break;
    case HV_PT_INT:
      rc = sqlite3_bind_int64(st, k, p[i].i);
      break;
    case HV_PT_TEXT:
      rc = sqlite3_bind_text(st, k, p[i].p, (int)p[i].n, SQLITE_STATIC);
      break;
    case HV_PT_BLOB:
      rc = sqlite3_bind_blob(st, k, p[i].p, (int)p[i].n, SQLITE_STATIC);
      break;
    default:
      rc = SQLITE_MISUSE;
    }
    if (rc != SQLITE_OK) {
      sqlite3_reset(st);
      return map_error(c, rc, "bind");
    }
  }
  enum hv_qs qs = HV_QS_NONE;
  int rows = 0;
  bool stopped = false;
  /* sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so
   * a statement that changes nothing (DDL) would repeat it: compare totals. */
  sqlite3_int64 before = sqlite3_total_changes64(c->db);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    if (fn && !stopped) {
      struct hv_row r = {&sq_row_ops, st, 0, NULL};
      if (fn(cls, &r))
        stopped = true;
    }
    if (stopped)
      break;
  }
  if (rc == SQLITE_DONE || (stopped && rc == SQLITE_ROW))
    qs = fn                                         ? (enum hv_qs)rows
         : sqlite3_total_changes64(c->db) == before ? HV_QS_NONE
                                                    : (enum hv_qs)sqlite3_changes(c->db);
  else
    qs = map_error(c, rc, "step");
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return qs;
}

static int sq_check(struct hv_conn *hc) {
  (void)hc;
  return 0;
}

static int sq_backup(struct hv_conn *hc, const char *path, char *err, size_t errlen) {
  struct sq_conn *c = (struct sq_conn *)hc;
  sqlite3 *dst = NULL;
  int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
    if (b) {
      do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
          sqlite3_sleep(20);
      } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
      sqlite3_backup_finish(b);
    }
    rc = sqlite3_errcode(dst);
  }
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    snprintf(err, errlen, "backup to %s failed: %s", path,
             dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
    sqlite3_close(dst);
    return -1;
  }
  sqlite3_close(dst);
  return 0;
}

/* Group commit: each writer's work in a batch runs inside its own
 * savepoint of the one BEGIN IMMEDIATE ... COMMIT (see store.c). */
static enum hv_qs sq_savepoint(struct hv_conn *hc) { return sq_script(hc, "SAVEPOINT hv_writer"); }
static enum hv_qs sq_release(struct hv_conn *hc) { return sq_script(hc, "RELEASE hv_writer"); }
static enum hv_qs sq_rollback_to(struct hv_conn *hc) {
  return sq_script(hc, "ROLLBACK TO hv_writer; RELEASE hv_writer");
}
static bool sq_in_tx(struct hv_conn *hc) {
  return !sqlite3_get_autocommit(((struct sq_conn *)hc)->db);
}

const struct hv_backend hv_backend_sqlite = {
    "sqlite",  HV_DIALECT_SQLITE, sq_connect,  sq_disconnect,  sq_script,
    sq_begin,  sq_commit,         sq_rollback, sq_run,         sq_check,
    sq_backup, sq_savepoint,      sq_release,  sq_rollback_to, sq_in_tx,
};
