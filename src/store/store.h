/* The one store interface. Two backends sit behind it, chosen by the
 * database URL: SQLite (sqlite:PATH; WAL, synchronous=FULL, BEGIN
 * IMMEDIATE for writes) and PostgreSQL (postgresql://...; libpq, a
 * connection per worker, prepared statements).
 *
 * SQL is written once with ? placeholders; where the dialects differ a
 * statement carries its PostgreSQL text too (struct hv_sql.pg). Every
 * statement is prepared once per connection and reused.
 *
 * One transaction runner (hv_store_tx) owns BEGIN, COMMIT, ROLLBACK and
 * retries. Calls answer a query status in the GNU Taler manner: hard
 * failure, retryable conflict, constraint violation, no rows, or rows. */
#ifndef HV_STORE_H
#define HV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"

enum hv_qs {
  HV_QS_HARD = -3,       /* the database failed or a bug: answer 5xx */
  HV_QS_CONFLICT = -2,   /* unique or foreign-key violation: usually bad input (409) */
  HV_QS_RETRY = -1,      /* serialization failure, deadlock, busy: the runner retries */
  HV_QS_NONE = 0,        /* no row */
  HV_QS_ONE = 1,         /* one row (or more: the count) */
};

enum hv_dialect { HV_DIALECT_SQLITE, HV_DIALECT_POSTGRES, HV_DIALECT_MAX };

struct hv_store;
struct hv_conn;

/* A statement. Declare it static in the module's store.c; `id` is set on
 * first use and indexes each connection's prepared-statement cache. */
struct hv_sql {
  const char *sql; /* ? placeholders; both dialects unless pg is set */
  const char *pg;  /* PostgreSQL text when it differs, else NULL */
  int id;
};
#define HV_SQL(text) {(text), NULL, 0}
#define HV_SQL2(sqlite_text, pg_text) {(sqlite_text), (pg_text), 0}

enum hv_ptype { HV_PT_NULL, HV_PT_INT, HV_PT_TEXT, HV_PT_BLOB };
struct hv_param {
  enum hv_ptype type;
  int64_t i;
  const void *p;
  size_t n;
};
#define HV_P_NULL ((struct hv_param){HV_PT_NULL, 0, NULL, 0})
#define HV_P_INT(v) ((struct hv_param){HV_PT_INT, (int64_t)(v), NULL, 0})
static inline struct hv_param hv_p_text(const char *s) {
  return s ? (struct hv_param){HV_PT_TEXT, 0, s, strlen(s)} : HV_P_NULL;
}
#define HV_P_TEXT(s) hv_p_text(s)
#define HV_P_BLOB(b, len) ((struct hv_param){HV_PT_BLOB, 0, (b), (len)})

/* A result row, valid only during the row callback. */
struct hv_row;
bool hv_row_null(const struct hv_row *r, int col);
int64_t hv_row_int(const struct hv_row *r, int col);
/* Borrowed text (NUL-terminated), NULL for SQL NULL. */
const char *hv_row_text(const struct hv_row *r, int col);
/* Borrowed bytes, NULL for SQL NULL. */
const void *hv_row_blob(const struct hv_row *r, int col, size_t *len);

/* Called for each row; return 0 to go on, anything else to stop early. */
typedef int (*hv_row_fn)(void *cls, const struct hv_row *r);

/* Opens the store for `url` with `pool` connections (all opened now, so
 * a bad URL fails at start). Returns 0, or -1 with a message. Caller
 * frees with hv_store_free. */
int hv_store_open(const char *url, unsigned pool, struct hv_store **out, char *err, size_t errlen);
void hv_store_free(struct hv_store *s);

enum hv_dialect hv_store_dialect(const struct hv_store *s);

/* Runs `fn` in a transaction on a pooled connection: BEGIN (IMMEDIATE for
 * SQLite writers), fn, COMMIT. A negative result from fn rolls back;
 * HV_QS_RETRY (from fn or from COMMIT) retries up to 5 times with a
 * short backoff. Returns fn's status, or HV_QS_HARD / HV_QS_RETRY when
 * the database itself failed. A write is durable when this returns >= 0. */
typedef enum hv_qs (*hv_tx_fn)(struct hv_conn *c, void *cls);
enum hv_qs hv_store_tx(struct hv_store *s, bool write, hv_tx_fn fn, void *cls);

/* Inside a transaction: runs a statement that returns no rows. Returns
 * the number of rows changed (HV_QS_NONE for none) or a failure. */
enum hv_qs hv_db_exec(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n);

/* Inside a transaction: runs a query, calling `fn` per row. Returns the
 * number of rows seen (HV_QS_NONE for none) or a failure. */
enum hv_qs hv_db_query(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n,
                       hv_row_fn fn, void *cls);

/* Inside a transaction: a query expected to give one int64 (e.g. RETURNING
 * id, or a count). HV_QS_NONE when there is no row. */
enum hv_qs hv_db_int(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n,
                     int64_t *out);

enum hv_dialect hv_conn_dialect(const struct hv_conn *c);

/* A LIKE pattern matching `q` anywhere, lower-cased, with its % _ and \
 * escaped (use with ESCAPE '\'); with `commas`, "%,q,%" for comma lists.
 * Returns a malloc'd string (caller frees) or NULL on OOM. */
char *hv_sql_like(const char *q, bool commas);

/* Applies the numbered migrations compiled into the binary. Sets *from
 * and *to to the schema versions before and after. Returns 0, or -1 with
 * a message (a database newer than this program is refused). */
int hv_store_migrate(struct hv_store *s, int *from, int *to, char *err, size_t errlen);

/* The newest schema version this program knows. */
int hv_store_schema_latest(void);

/* The database's schema version (0 when never migrated), or -1. */
int hv_store_schema_version(struct hv_store *s);

/* SELECT 1 on a pooled connection: 0 when the database answers. */
int hv_store_ping(struct hv_store *s);

/* SQLite only: an online backup to `path`. -1 with a message otherwise. */
int hv_store_backup(struct hv_store *s, const char *path, char *err, size_t errlen);

/* Appends pool gauges in Prometheus text format. */
int hv_store_metrics(struct hv_store *s, struct hv_buf *out);

#endif
