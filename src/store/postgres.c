/* PostgreSQL backend through libpq: one connection per pooled slot,
 * statements prepared on first use (as s<id>) and reused, writers run
 * SERIALIZABLE and the runner retries serialization failures (40001) and
 * deadlocks (40P01). A lost connection is reset before the next
 * transaction and its prepared statements are forgotten. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/backend.h"

/* Enough for the training imports' multi-row INSERTs (100 rows of up to 6
 * columns: one round trip per 100 rows); the arrays below are on the stack
 * (about 40 KiB). */
#define HV_PG_MAX_PARAMS 1024

struct pg_conn {
  struct hv_conn base;
  PGconn *pg;
  unsigned char prepared[HV_SQL_MAX_STATEMENTS];
};

static enum hv_qs map_result(struct pg_conn *c, PGresult *r, const char *what) {
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
    return HV_QS_RETRY;
  if (state && strncmp(state, "23", 2) == 0)
    return HV_QS_CONFLICT;
  hv_log(
      HV_LOG_ERROR, "postgresql error", HV_LS("during", what), HV_LS("sqlstate", state),
      HV_LS("detail", r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(c->pg)));
  return HV_QS_HARD;
}

static int pg_connect(const char *url, struct hv_conn **out, char *err, size_t errlen) {
  struct pg_conn *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  c->base.be = &hv_backend_postgres;
  c->pg = PQconnectdb(url);
  if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
    const char *m = c->pg ? PQerrorMessage(c->pg) : "out of memory";
    snprintf(err, errlen, "setting 'db': cannot connect to PostgreSQL: %.*s", (int)strcspn(m, "\n"),
             m);
    PQfinish(c->pg);
    free(c);
    return -1;
  }
  PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  PQclear(r);
  *out = &c->base;
  return 0;
}

static void pg_disconnect(struct hv_conn *hc) {
  struct pg_conn *c = (struct pg_conn *)hc;
  if (!c)
    return;
  PQfinish(c->pg);
  free(c);
}

static enum hv_qs pg_script(struct hv_conn *hc, const char *sql) {
  struct pg_conn *c = (struct pg_conn *)hc;
  PGresult *r = PQexec(c->pg, sql);
  ExecStatusType st = PQresultStatus(r);
  enum hv_qs qs =
      (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? HV_QS_NONE : map_result(c, r, "script");
  PQclear(r);
  return qs;
}

/* Writers take one transaction-scoped advisory lock first, so they run one
 * at a time across every haven instance, as SQLite's BEGIN IMMEDIATE does.
 * Every change appends to the one audit hash chain, which is a total order
 * of writes anyway; serialising here means the chain's head is read fresh
 * (READ COMMITTED takes a new snapshot per statement, after the lock) and
 * writers never fail each other. Deadlocks and serialization failures from
 * anything else are still retried by the runner. */
static enum hv_qs pg_begin(struct hv_conn *hc, bool write) {
  if (!write)
    return pg_script(hc, "BEGIN READ ONLY");
  return pg_script(hc,
                   "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(7340102)");
}

static enum hv_qs pg_commit(struct hv_conn *hc) { return pg_script(hc, "COMMIT"); }

static void pg_rollback(struct hv_conn *hc) {
  struct pg_conn *c = (struct pg_conn *)hc;
  if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
    PGresult *r = PQexec(c->pg, "ROLLBACK");
    PQclear(r);
  }
}

static bool pg_null(const struct hv_row *r, int col) { return PQgetisnull(r->h, r->row, col); }
static int64_t pg_int(const struct hv_row *r, int col) {
  const char *v = PQgetvalue(r->h, r->row, col);
  if (v[0] == 't' && v[1] == '\0')
    return 1; /* boolean */
  return strtoll(v, NULL, 10);
}
static const char *pg_text(const struct hv_row *r, int col) {
  return PQgetisnull(r->h, r->row, col) ? NULL : PQgetvalue(r->h, r->row, col);
}
static const void *pg_blob(const struct hv_row *r, int col, size_t *len) {
  struct hv_row *rw = (struct hv_row *)r;
  if (PQgetisnull(r->h, r->row, col)) {
    *len = 0;
    return NULL;
  }
  if (rw->scratch)
    PQfreemem(rw->scratch);
  rw->scratch = PQunescapeBytea((const unsigned char *)PQgetvalue(r->h, r->row, col), len);
  return rw->scratch;
}
static const struct hv_row_ops pg_row_ops = {pg_null, pg_int, pg_text, pg_blob};

/* ? -> $n, outside quoted strings and identifiers. */
static char *convert(const char *sql) {
  struct hv_buf b;
  hv_buf_init(&b, 1u << 20);
  int n = 0;
  char quote = 0;
  for (const char *p = sql; *p; p++) {
    if (quote) {
      if (*p == quote)
        quote = 0;
      hv_buf_addc(&b, *p);
    } else if (*p == '\'' || *p == '"') {
      quote = *p;
      hv_buf_addc(&b, *p);
    } else if (*p == '?') {
      hv_buf_printf(&b, "$%d", ++n);
    } else {
      hv_buf_addc(&b, *p);
    }
  }
  return hv_buf_steal(&b, NULL);
}

static enum hv_qs pg_run(struct hv_conn *hc, struct hv_sql *q, const char *text,
                         const struct hv_param *p, size_t n, hv_row_fn fn, void *cls) {
  struct pg_conn *c = (struct pg_conn *)hc;
  char name[16];
  char ints[HV_PG_MAX_PARAMS][24];
  const char *values[HV_PG_MAX_PARAMS];
  int lengths[HV_PG_MAX_PARAMS], formats[HV_PG_MAX_PARAMS];
  PGresult *r;
  if (q->id <= 0 || q->id >= HV_SQL_MAX_STATEMENTS || n > HV_PG_MAX_PARAMS) {
    hv_log(HV_LOG_ERROR, "BUG: statement id or parameter count out of range", HV_LS("sql", text));
    return HV_QS_HARD;
  }
  snprintf(name, sizeof name, "s%d", q->id);
  if (!c->prepared[q->id]) {
    char *pgsql = convert(text);
    if (!pgsql)
      return HV_QS_HARD;
    r = PQprepare(c->pg, name, pgsql, 0, NULL);
    free(pgsql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      enum hv_qs qs = map_result(c, r, "prepare");
      PQclear(r);
      return qs;
    }
    PQclear(r);
    c->prepared[q->id] = 1;
  }
  for (size_t i = 0; i < n; i++) {
    formats[i] = 0;
    lengths[i] = 0;
    switch (p[i].type) {
    case HV_PT_NULL:
      values[i] = NULL;
      break;
    case HV_PT_INT:
      snprintf(ints[i], sizeof ints[i], "%lld", (long long)p[i].i);
      values[i] = ints[i];
      break;
    case HV_PT_TEXT:
      values[i] = p[i].p; /* NUL-terminated (HV_P_TEXT uses strlen) */
      break;
    case HV_PT_BLOB:
      values[i] = p[i].p;
      lengths[i] = (int)p[i].n;
      formats[i] = 1;
      break;
    }
  }
  r = PQexecPrepared(c->pg, name, (int)n, values, lengths, formats, 0);
  ExecStatusType st = PQresultStatus(r);
  enum hv_qs qs;
  if (st == PGRES_TUPLES_OK) {
    int rows = PQntuples(r);
    if (fn) {
      struct hv_row row = {&pg_row_ops, r, 0, NULL};
      for (int i = 0; i < rows; i++) {
        row.row = i;
        int stop = fn(cls, &row);
        if (row.scratch) {
          PQfreemem(row.scratch);
          row.scratch = NULL;
        }
        if (stop) {
          rows = i + 1; /* rows seen, as SQLite counts them */
          break;
        }
      }
    }
    qs = (enum hv_qs)rows;
  } else if (st == PGRES_COMMAND_OK) {
    const char *t = PQcmdTuples(r);
    qs = (enum hv_qs)(t && *t ? atoi(t) : 0);
  } else {
    qs = map_result(c, r, "query");
  }
  PQclear(r);
  return qs;
}

static int pg_check(struct hv_conn *hc) {
  struct pg_conn *c = (struct pg_conn *)hc;
  if (PQstatus(c->pg) == CONNECTION_OK)
    return 0;
  PQreset(c->pg);
  memset(c->prepared, 0, sizeof c->prepared);
  if (PQstatus(c->pg) != CONNECTION_OK) {
    hv_log(HV_LOG_ERROR, "postgresql connection lost", HV_LS("detail", PQerrorMessage(c->pg)));
    return -1;
  }
  PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  PQclear(r);
  return 0;
}

const struct hv_backend hv_backend_postgres = {
    "postgres", HV_DIALECT_POSTGRES,
    pg_connect, pg_disconnect,
    pg_script,  pg_begin,
    pg_commit,  pg_rollback,
    pg_run,     pg_check,
    NULL,       NULL,
    NULL,       NULL,
    NULL,
};
