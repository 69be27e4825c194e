/* What a store backend provides (private to src/store/). Each connection
 * is used by one thread at a time: the pool hands it out and takes it
 * back. */
#ifndef HV_STORE_BACKEND_H
#define HV_STORE_BACKEND_H

#include "store/store.h"

#define HV_SQL_MAX_STATEMENTS 1024

struct hv_row_ops {
  bool (*is_null)(const struct hv_row *r, int col);
  int64_t (*get_int)(const struct hv_row *r, int col);
  const char *(*get_text)(const struct hv_row *r, int col);
  const void *(*get_blob)(const struct hv_row *r, int col, size_t *len);
};

struct hv_row {
  const struct hv_row_ops *ops;
  void *h;       /* backend handle: sqlite3_stmt* or PGresult* */
  int row;       /* PostgreSQL: row number */
  void *scratch; /* freed after the callback (decoded bytea) */
};

struct hv_backend {
  const char *name;
  enum hv_dialect dialect;
  int (*connect)(const char *url, struct hv_conn **out, char *err, size_t errlen);
  void (*disconnect)(struct hv_conn *c);
  /* Runs several statements without parameters (migrations). */
  enum hv_qs (*script)(struct hv_conn *c, const char *sql);
  enum hv_qs (*begin)(struct hv_conn *c, bool write);
  enum hv_qs (*commit)(struct hv_conn *c);
  void (*rollback)(struct hv_conn *c);
  /* Runs q; calls fn per row when fn is set; returns rows seen or changed. */
  enum hv_qs (*run)(struct hv_conn *c, struct hv_sql *q, const char *text, const struct hv_param *p,
                    size_t n, hv_row_fn fn, void *cls);
  /* 0 when the connection is usable (reconnecting if it was lost). */
  int (*check)(struct hv_conn *c);
  int (*backup)(struct hv_conn *c, const char *path, char *err, size_t errlen);
  /* Group commit (NULL when the backend does not group its writers): a
   * savepoint around each writer's work inside the shared transaction;
   * rollback_to undoes one writer's work and keeps the transaction;
   * in_tx tells whether the transaction is still open (SQLite rolls it
   * back by itself after some errors: disk full, I/O). */
  enum hv_qs (*savepoint)(struct hv_conn *c);
  enum hv_qs (*release)(struct hv_conn *c);
  enum hv_qs (*rollback_to)(struct hv_conn *c);
  bool (*in_tx)(struct hv_conn *c);
};

/* Every backend connection starts with this header. */
struct hv_conn {
  const struct hv_backend *be;
  struct hv_store *store;
};

extern const struct hv_backend hv_backend_sqlite;
extern const struct hv_backend hv_backend_postgres;

/* Assigns q->id on first use (thread-safe). */
int hv_sql_id(struct hv_sql *q);

#endif
