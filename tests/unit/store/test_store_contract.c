/* The store's contract, run against whatever database HAVEN_TEST_DB names
 * (sqlite:PATH or postgresql://...); without it, a temporary SQLite file.
 * tests/run.sh runs this once per backend, so every assertion here is a
 * promise both backends keep. Each run works in its own scratch table, and
 * the "newer schema" case in its own database file or schema, so runs
 * against a shared database do not disturb each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store.h"

static struct hv_store *store;
static char url[1024];
static char tmpdb[128]; /* our own SQLite file when HAVEN_TEST_DB is unset */
static char table[64];  /* scratch table, unique to the run */

/* Statements over the scratch table; their text is made in setup. */
enum {
  Q_CREATE,
  Q_INSERT,
  Q_GET,
  Q_COUNT,
  Q_UPDATE,
  Q_DELETE,
  Q_IDS,
  Q_INDEX,
  Q_DROP,
  Q_BAD,
  Q_COUNT_ALL,
  Q_MAX
};
static char texts[Q_MAX][256];
static struct hv_sql qs_[Q_MAX];

/* Each test uses its own id range so they never see each other's rows. */
#define RANGE(k) ((int64_t)(k)*1000000)

static void unlink_sqlite(const char *path) {
  char p[160];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

/* --- small transaction helpers ---------------------------------------- */

struct exec_ctx {
  struct hv_sql *q;
  struct hv_param p[4];
  size_t n;
};

static enum hv_qs exec_tx(struct hv_conn *c, void *cls) {
  struct exec_ctx *e = cls;
  return hv_db_exec(c, e->q, e->p, e->n);
}

/* Runs one statement in its own write transaction. */
static enum hv_qs exec1(int q, const struct hv_param *p, size_t n) {
  struct exec_ctx e = {&qs_[q], {{0}}, n};
  if (n)
    memcpy(e.p, p, n * sizeof *p);
  return hv_store_tx(store, true, exec_tx, &e);
}

static enum hv_qs insert(int64_t id, const char *s) {
  struct hv_param p[] = {HV_P_INT(id), HV_P_TEXT(s), HV_P_NULL};
  return exec1(Q_INSERT, p, 3);
}

struct int_ctx {
  struct hv_sql *q;
  struct hv_param p[2];
  size_t n;
  int64_t out;
};

static enum hv_qs int_tx(struct hv_conn *c, void *cls) {
  struct int_ctx *x = cls;
  return hv_db_int(c, x->q, x->p, x->n, &x->out);
}

static int64_t count_range(int64_t lo, int64_t hi) {
  struct int_ctx x = {&qs_[Q_COUNT], {HV_P_INT(lo), HV_P_INT(hi)}, 2, -1};
  assert_int_equal(hv_store_tx(store, false, int_tx, &x), HV_QS_ONE);
  return x.out;
}

/* --- setup ------------------------------------------------------------- */

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  (void)cls;
  return hv_db_exec(c, &qs_[Q_CREATE], NULL, 0);
}

static int setup(void **state) {
  (void)state;
  char err[256] = "";
  const char *env = getenv("HAVEN_TEST_DB");
  if (env && *env) {
    snprintf(url, sizeof url, "%s", env);
  } else {
    snprintf(tmpdb, sizeof tmpdb, "/tmp/haven-contract-%ld.db", (long)getpid());
    unlink_sqlite(tmpdb);
    snprintf(url, sizeof url, "sqlite:%s", tmpdb);
  }
  if (hv_store_open(url, 4, &store, err, sizeof err)) {
    print_error("cannot open %s: %s\n", url, err);
    return -1;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(table, sizeof table, "hv_contract_%ld_%ld", (long)getpid(), (long)(ts.tv_nsec / 1000));
  const char *blob = hv_store_dialect(store) == HV_DIALECT_POSTGRES ? "BYTEA" : "BLOB";
  snprintf(texts[Q_CREATE], 256, "CREATE TABLE %s (id BIGINT PRIMARY KEY, s TEXT, b %s)", table,
           blob);
  snprintf(texts[Q_INSERT], 256, "INSERT INTO %s (id, s, b) VALUES (?, ?, ?)", table);
  snprintf(texts[Q_GET], 256, "SELECT id, s, b FROM %s WHERE id = ?", table);
  snprintf(texts[Q_COUNT], 256, "SELECT COUNT(*) FROM %s WHERE id >= ? AND id < ?", table);
  snprintf(texts[Q_UPDATE], 256, "UPDATE %s SET s = ? WHERE id >= ? AND id < ?", table);
  snprintf(texts[Q_DELETE], 256, "DELETE FROM %s WHERE id >= ? AND id < ?", table);
  snprintf(texts[Q_IDS], 256, "SELECT id FROM %s WHERE id >= ? AND id < ? ORDER BY id", table);
  snprintf(texts[Q_INDEX], 256, "CREATE INDEX %s_s ON %s (s)", table, table);
  snprintf(texts[Q_DROP], 256, "DROP TABLE %s", table);
  snprintf(texts[Q_BAD], 256, "SELEC nonsense FROM %s", table);
  snprintf(texts[Q_COUNT_ALL], 256, "SELECT COUNT(*) FROM %s", table);
  for (int i = 0; i < Q_MAX; i++)
    qs_[i] = (struct hv_sql)HV_SQL(texts[i]);
  if (hv_store_tx(store, true, create_tx, NULL) < 0) {
    print_error("cannot create the scratch table %s\n", table);
    return -1;
  }
  return 0;
}

static enum hv_qs drop_tx(struct hv_conn *c, void *cls) {
  (void)cls;
  return hv_db_exec(c, &qs_[Q_DROP], NULL, 0);
}

static int teardown(void **state) {
  (void)state;
  int rc = 0;
  if (hv_store_tx(store, true, drop_tx, NULL) < 0)
    rc = -1;
  hv_store_free(store);
  store = NULL;
  if (tmpdb[0])
    unlink_sqlite(tmpdb);
  return rc;
}

/* --- opening and migrations -------------------------------------------- */

static void open_refuses_bad_urls(void **state) {
  (void)state;
  struct hv_store *s = NULL;
  char err[256] = "";
  assert_int_equal(hv_store_open("mysql://localhost/x", 1, &s, err, sizeof err), -1);
  assert_null(s);
  assert_non_null(strstr(err, "'db'"));
  err[0] = '\0';
  assert_int_equal(hv_store_open("", 1, &s, err, sizeof err), -1);
  assert_non_null(strstr(err, "'db'"));
  err[0] = '\0';
  assert_int_equal(hv_store_open("sqlite:/nonexistent-haven-dir/sub/x.db", 2, &s, err, sizeof err),
                   -1);
  assert_null(s);
  assert_non_null(strstr(err, "/nonexistent-haven-dir/sub/x.db"));
  err[0] = '\0';
  assert_int_equal(hv_store_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=3", 2, &s,
                                 err, sizeof err),
                   -1);
  assert_null(s);
  assert_non_null(strstr(err, "PostgreSQL"));
}

static void migrate_applies_then_is_harmless(void **state) {
  (void)state;
  int from = -1, to = -1;
  char err[256] = "";
  int latest = hv_store_schema_latest();
  assert_true(latest >= 1);
  if (hv_store_migrate(store, &from, &to, err, sizeof err))
    fail_msg("migrate: %s", err);
  assert_true(from >= 0 && from <= latest);
  assert_int_equal(to, latest);
  assert_int_equal(hv_store_schema_version(store), latest);
  from = to = -1;
  assert_int_equal(hv_store_migrate(store, &from, &to, err, sizeof err), 0);
  assert_int_equal(from, latest);
  assert_int_equal(to, latest);
  assert_int_equal(hv_store_schema_version(store), latest);
}

static char scratch_schema[96];

static enum hv_qs schema_tx(struct hv_conn *c, void *cls) {
  return hv_db_exec(c, (struct hv_sql *)cls, NULL, 0);
}

static struct hv_sql q_future = HV_SQL(
    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, '9999_future.sql', 0)");

static enum hv_qs future_tx(struct hv_conn *c, void *cls) {
  struct hv_param p[] = {HV_P_INT(*(int *)cls)};
  return hv_db_exec(c, &q_future, p, 1);
}

static void newer_schema_refused(void **state) {
  (void)state;
  char iso_url[1200];
  char path[128] = "";
  static char create_text[128], drop_text[128];
  static struct hv_sql q_create_schema, q_drop_schema;
  char err[256] = "";
  /* a database of our own: a fresh file, or a fresh PostgreSQL schema */
  if (hv_store_dialect(store) == HV_DIALECT_SQLITE) {
    snprintf(path, sizeof path, "/tmp/haven-contract-newer-%ld.db", (long)getpid());
    unlink_sqlite(path);
    snprintf(iso_url, sizeof iso_url, "sqlite:%s", path);
  } else {
    snprintf(scratch_schema, sizeof scratch_schema, "%s_schema", table);
    snprintf(create_text, sizeof create_text, "CREATE SCHEMA %s", scratch_schema);
    snprintf(drop_text, sizeof drop_text, "DROP SCHEMA %s CASCADE", scratch_schema);
    q_create_schema = (struct hv_sql)HV_SQL(create_text);
    q_drop_schema = (struct hv_sql)HV_SQL(drop_text);
    assert_true(hv_store_tx(store, true, schema_tx, &q_create_schema) >= 0);
    snprintf(iso_url, sizeof iso_url, "%s%soptions=-c%%20search_path%%3D%s", url,
             strchr(url, '?') ? "&" : "?", scratch_schema);
  }
  struct hv_store *s = NULL;
  if (hv_store_open(iso_url, 2, &s, err, sizeof err))
    fail_msg("open %s: %s", iso_url, err);
  assert_int_equal(hv_store_schema_version(s), 0); /* never migrated */
  int from = -1, to = -1, latest = hv_store_schema_latest();
  assert_int_equal(hv_store_migrate(s, &from, &to, err, sizeof err), 0);
  assert_int_equal(from, 0);
  assert_int_equal(to, latest);
  int future = latest + 1;
  struct hv_store *keep = store;
  store = s;
  assert_true(hv_store_tx(s, true, future_tx, &future) >= 0);
  store = keep;
  assert_int_equal(hv_store_schema_version(s), future);
  err[0] = '\0';
  from = to = -7;
  assert_int_equal(hv_store_migrate(s, &from, &to, err, sizeof err), -1);
  assert_non_null(strstr(err, "newer"));
  assert_int_equal(from, -7);                           /* left alone on failure */
  assert_int_equal(hv_store_schema_version(s), future); /* nothing changed */
  hv_store_free(s);
  if (path[0])
    unlink_sqlite(path);
  else
    assert_true(hv_store_tx(store, true, schema_tx, &q_drop_schema) >= 0);
}

/* --- values ------------------------------------------------------------ */

struct rowcopy {
  int calls;
  int64_t id;
  bool s_null, b_null;
  char s[256];
  unsigned char b[64];
  size_t blen;
  bool b_ptr;
};

static int copy_row(void *cls, const struct hv_row *r) {
  struct rowcopy *rc = cls;
  rc->calls++;
  rc->id = hv_row_int(r, 0);
  rc->s_null = hv_row_null(r, 1);
  const char *s = hv_row_text(r, 1);
  snprintf(rc->s, sizeof rc->s, "%s", s ? s : "(NULL)");
  rc->b_null = hv_row_null(r, 2);
  size_t len = 999;
  const void *b = hv_row_blob(r, 2, &len);
  rc->b_ptr = b != NULL;
  rc->blen = len;
  if (b && len <= sizeof rc->b)
    memcpy(rc->b, b, len);
  return 0;
}

struct get_ctx {
  int64_t id;
  struct rowcopy row;
  enum hv_qs qs;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_ctx *g = cls;
  struct hv_param p[] = {HV_P_INT(g->id)};
  g->qs = hv_db_query(c, &qs_[Q_GET], p, 1, copy_row, &g->row);
  return g->qs;
}

static struct rowcopy get(int64_t id) {
  struct get_ctx g;
  memset(&g, 0, sizeof g);
  g.id = id;
  assert_int_equal(hv_store_tx(store, false, get_tx, &g), HV_QS_ONE);
  assert_int_equal(g.row.calls, 1);
  assert_true(g.row.id == id);
  return g.row;
}

static void text_round_trip(void **state) {
  (void)state;
  static const char *texts_in[] = {
      "plain",
      "مرحبا بالعالم — Los Ángeles",
      "日本語のテキスト、中文",
      "emoji 😀 🏳️‍🌈",
      "quotes ' \" and ? placeholders ?",
      "",
      "tab\tnew\nline",
  };
  int64_t base = RANGE(1);
  for (size_t i = 0; i < sizeof texts_in / sizeof texts_in[0]; i++)
    assert_int_equal(insert(base + (int64_t)i, texts_in[i]), HV_QS_ONE);
  for (size_t i = 0; i < sizeof texts_in / sizeof texts_in[0]; i++) {
    struct rowcopy r = get(base + (int64_t)i);
    assert_false(r.s_null);
    assert_string_equal(r.s, texts_in[i]);
  }
  assert_int_equal(insert(base + 100, NULL), HV_QS_ONE);
  struct rowcopy r = get(base + 100);
  assert_true(r.s_null);
  assert_string_equal(r.s, "(NULL)"); /* hv_row_text gave NULL */
  assert_true(r.b_null);
  assert_false(r.b_ptr);
}

static void int64_round_trip(void **state) {
  (void)state;
  static const int64_t ids[] = {INT64_MAX,  INT64_MIN,    -1,
                                -RANGE(50), 4294967296LL, (int64_t)1 << 53 | 1};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    assert_int_equal(insert(ids[i], "n"), HV_QS_ONE);
    struct rowcopy r = get(ids[i]);
    assert_true(r.id == ids[i]);
  }
}

static void blob_round_trip(void **state) {
  (void)state;
  static const unsigned char bytes[] = {'a', 0, 'b', 0, 0xff, 0x80, '\\', 'x', '\'', 0};
  int64_t id = RANGE(2);
  struct hv_param p[] = {HV_P_INT(id), HV_P_TEXT("blob"), HV_P_BLOB(bytes, sizeof bytes)};
  assert_int_equal(exec1(Q_INSERT, p, 3), HV_QS_ONE);
  struct rowcopy r = get(id);
  assert_false(r.b_null);
  assert_true(r.b_ptr);
  assert_int_equal(r.blen, sizeof bytes);
  assert_memory_equal(r.b, bytes, sizeof bytes);
  /* an empty blob is not NULL */
  struct hv_param e[] = {HV_P_INT(id + 1), HV_P_TEXT("empty"), HV_P_BLOB("", 0)};
  assert_int_equal(exec1(Q_INSERT, e, 3), HV_QS_ONE);
  r = get(id + 1);
  assert_false(r.b_null);
  assert_true(r.b_ptr);
  assert_int_equal(r.blen, 0);
  /* and NULL is NULL, with length 0 */
  struct hv_param n[] = {HV_P_INT(id + 2), HV_P_TEXT("null"), HV_P_NULL};
  assert_int_equal(exec1(Q_INSERT, n, 3), HV_QS_ONE);
  r = get(id + 2);
  assert_true(r.b_null);
  assert_false(r.b_ptr);
  assert_int_equal(r.blen, 0);
}

/* --- statuses ------------------------------------------------------------ */

static void exec_returns_changed_rows(void **state) {
  (void)state;
  int64_t lo = RANGE(3), hi = RANGE(4);
  for (int i = 0; i < 3; i++)
    assert_int_equal(insert(lo + i, "x"), HV_QS_ONE);
  struct hv_param up[] = {HV_P_TEXT("y"), HV_P_INT(lo), HV_P_INT(hi)};
  assert_int_equal(exec1(Q_UPDATE, up, 3), 3);
  struct hv_param none[] = {HV_P_TEXT("y"), HV_P_INT(hi), HV_P_INT(hi + 10)};
  assert_int_equal(exec1(Q_UPDATE, none, 3), HV_QS_NONE);
  /* a statement that changes no rows says so, even right after one that did */
  assert_int_equal(insert(lo + 10, "x"), HV_QS_ONE);
  assert_int_equal(exec1(Q_INDEX, NULL, 0), HV_QS_NONE);
  struct hv_param del[] = {HV_P_INT(lo), HV_P_INT(hi)};
  assert_int_equal(exec1(Q_DELETE, del, 2), 4);
  assert_int_equal(count_range(lo, hi), 0);
  assert_int_equal(exec1(Q_DELETE, del, 2), HV_QS_NONE);
}

static void unique_violation_is_conflict(void **state) {
  (void)state;
  int64_t id = RANGE(5);
  assert_int_equal(insert(id, "first"), HV_QS_ONE);
  assert_int_equal(insert(id, "second"), HV_QS_CONFLICT);
  assert_string_equal(get(id).s, "first");
  /* the connection is still good afterwards */
  assert_int_equal(insert(id + 1, "next"), HV_QS_ONE);
  assert_int_equal(count_range(id, id + 10), 2);
}

struct fail_ctx {
  int64_t base;
  enum hv_qs give;
  int attempts;
  int succeed_on; /* attempt number that succeeds, 0: never */
};

static enum hv_qs insert_then_fail_tx(struct hv_conn *c, void *cls) {
  struct fail_ctx *f = cls;
  f->attempts++;
  for (int i = 0; i < 3; i++) {
    struct hv_param p[] = {HV_P_INT(f->base + i), HV_P_TEXT("tx"), HV_P_NULL};
    enum hv_qs qs = hv_db_exec(c, &qs_[Q_INSERT], p, 3);
    if (qs != HV_QS_ONE)
      return HV_QS_HARD; /* the rows must be gone after a rollback */
  }
  if (f->succeed_on && f->attempts >= f->succeed_on)
    return HV_QS_ONE;
  return f->give;
}

static void failed_tx_rolls_back(void **state) {
  (void)state;
  int64_t base = RANGE(6);
  struct fail_ctx f = {base, HV_QS_HARD, 0, 0};
  assert_int_equal(hv_store_tx(store, true, insert_then_fail_tx, &f), HV_QS_HARD);
  assert_int_equal(f.attempts, 1); /* hard failures are not retried */
  assert_int_equal(count_range(base, base + 100), 0);
  f = (struct fail_ctx){base, HV_QS_CONFLICT, 0, 0};
  assert_int_equal(hv_store_tx(store, true, insert_then_fail_tx, &f), HV_QS_CONFLICT);
  assert_int_equal(f.attempts, 1);
  assert_int_equal(count_range(base, base + 100), 0);
  /* the same rows can then be written for real */
  f = (struct fail_ctx){base, HV_QS_HARD, 0, 1};
  assert_int_equal(hv_store_tx(store, true, insert_then_fail_tx, &f), HV_QS_ONE);
  assert_int_equal(count_range(base, base + 100), 3);
}

static void retry_is_retried_then_given_up(void **state) {
  (void)state;
  int64_t base = RANGE(7);
  struct fail_ctx f = {base, HV_QS_RETRY, 0, 0};
  assert_int_equal(hv_store_tx(store, true, insert_then_fail_tx, &f), HV_QS_RETRY);
  assert_int_equal(f.attempts, 5);
  assert_int_equal(count_range(base, base + 100), 0);
  /* succeeding on the third attempt: each failed attempt was rolled back, so
   * the same ids insert cleanly and exactly one set remains */
  f = (struct fail_ctx){base, HV_QS_RETRY, 0, 3};
  assert_int_equal(hv_store_tx(store, true, insert_then_fail_tx, &f), HV_QS_ONE);
  assert_int_equal(f.attempts, 3);
  assert_int_equal(count_range(base, base + 100), 3);
}

struct ids_ctx {
  int stop_after; /* 0: never */
  int calls;
  int64_t seen[32];
  enum hv_qs qs;
  int64_t lo, hi;
};

static int collect(void *cls, const struct hv_row *r) {
  struct ids_ctx *x = cls;
  if (x->calls < 32)
    x->seen[x->calls] = hv_row_int(r, 0);
  x->calls++;
  return x->stop_after && x->calls >= x->stop_after;
}

static enum hv_qs ids_tx(struct hv_conn *c, void *cls) {
  struct ids_ctx *x = cls;
  struct hv_param p[] = {HV_P_INT(x->lo), HV_P_INT(x->hi)};
  x->qs = hv_db_query(c, &qs_[Q_IDS], p, 2, collect, x);
  return x->qs < 0 ? x->qs : HV_QS_ONE;
}

static void row_callback_can_stop_early(void **state) {
  (void)state;
  int64_t lo = RANGE(8);
  for (int i = 0; i < 10; i++)
    assert_int_equal(insert(lo + i, "r"), HV_QS_ONE);
  struct ids_ctx x = {0, 0, {0}, 0, lo, lo + 100};
  assert_int_equal(hv_store_tx(store, false, ids_tx, &x), HV_QS_ONE);
  assert_int_equal(x.calls, 10);
  assert_int_equal(x.qs, 10);
  for (int i = 0; i < 10; i++)
    assert_true(x.seen[i] == lo + i);
  x = (struct ids_ctx){3, 0, {0}, 0, lo, lo + 100};
  assert_int_equal(hv_store_tx(store, false, ids_tx, &x), HV_QS_ONE);
  assert_int_equal(x.calls, 3);
  assert_int_equal(x.qs, 3); /* rows seen */
  assert_true(x.seen[2] == lo + 2);
  x = (struct ids_ctx){0, 0, {0}, 0, lo + 100, lo + 200};
  assert_int_equal(hv_store_tx(store, false, ids_tx, &x), HV_QS_ONE);
  assert_int_equal(x.calls, 0);
  assert_int_equal(x.qs, HV_QS_NONE);
}

static void db_int_one_or_none(void **state) {
  (void)state;
  int64_t lo = RANGE(9);
  assert_int_equal(count_range(lo, lo + 10), 0);
  assert_int_equal(insert(lo, "a"), HV_QS_ONE);
  assert_int_equal(insert(lo + 1, "b"), HV_QS_ONE);
  assert_int_equal(count_range(lo, lo + 10), 2);
  /* no row: HV_QS_NONE and the output untouched */
  struct int_ctx x = {&qs_[Q_IDS], {HV_P_INT(lo + 5), HV_P_INT(lo + 10)}, 2, 77};
  assert_int_equal(hv_store_tx(store, false, int_tx, &x), HV_QS_NONE);
  assert_int_equal(x.out, 77);
}

static void bad_statements_are_hard_failures(void **state) {
  (void)state;
  int devnull = open("/dev/null", O_WRONLY);
  hv_log_set_fd(devnull); /* the store logs these; keep the TAP output clean */
  assert_int_equal(exec1(Q_BAD, NULL, 0), HV_QS_HARD);
  struct hv_param one[] = {HV_P_INT(1)};
  assert_int_equal(exec1(Q_INSERT, one, 1), HV_QS_HARD); /* wrong parameter count */
  hv_log_set_fd(2);
  close(devnull);
  assert_int_equal(hv_store_ping(store), 0); /* and the pool is fine after */
}

/* --- concurrency ------------------------------------------------------- */

#define THREADS 8
#define PER_THREAD 50

struct worker {
  int n;
  int ok;
  enum hv_qs last_bad;
};

static enum hv_qs worker_tx(struct hv_conn *c, void *cls) {
  int64_t id = *(int64_t *)cls;
  struct hv_param p[] = {HV_P_INT(id), HV_P_TEXT("thread"), HV_P_NULL};
  return hv_db_exec(c, &qs_[Q_INSERT], p, 3);
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < PER_THREAD; i++) {
    int64_t id = RANGE(10) + w->n * 1000 + i;
    enum hv_qs qs = hv_store_tx(store, true, worker_tx, &id);
    if (qs == HV_QS_ONE)
      w->ok++;
    else
      w->last_bad = qs;
  }
  return NULL;
}

static void many_threads_all_commit(void **state) {
  (void)state;
  pthread_t th[THREADS];
  struct worker w[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct worker){i, 0, HV_QS_ONE};
    assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < THREADS; i++)
    if (w[i].ok != PER_THREAD)
      fail_msg("thread %d: %d of %d committed (last status %d)", i, w[i].ok, PER_THREAD,
               w[i].last_bad);
  assert_int_equal(count_range(RANGE(10), RANGE(11)), THREADS * PER_THREAD);
}

/* Writers that arrive together: on SQLite they are committed together
 * (group commit, one BEGIN IMMEDIATE ... COMMIT with a savepoint each). The
 * first writer holds its transaction open a moment so that the others
 * queue behind it and form batches; every write answers for itself. */

#define GROUP_THREADS 16
#define GROUP_PER_THREAD 40

struct gwriter {
  int n;
  int64_t base;
  bool with_failures; /* every third write fails: duplicate id or its own hard failure */
  int acked;
  int64_t acked_ids[GROUP_PER_THREAD];
  int failed_conflict, failed_hard, wrong;
};

struct gwrite {
  int64_t id;
  int kind; /* 0: insert; 1: insert twice (CONFLICT); 2: insert, then fail (HARD) */
  bool linger;
};

static enum hv_qs gwrite_tx(struct hv_conn *c, void *cls) {
  struct gwrite *w = cls;
  struct hv_param p[] = {HV_P_INT(w->id), HV_P_TEXT("group"), HV_P_NULL};
  enum hv_qs qs = hv_db_exec(c, &qs_[Q_INSERT], p, 3);
  if (w->linger) { /* let the other threads queue up behind this transaction */
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    w->linger = false;
  }
  if (qs < 0 || w->kind == 0)
    return qs;
  if (w->kind == 1)
    return hv_db_exec(c, &qs_[Q_INSERT], p, 3); /* the same id again */
  return HV_QS_HARD;
}

static void *gwriter_main(void *arg) {
  struct gwriter *g = arg;
  for (int i = 0; i < GROUP_PER_THREAD; i++) {
    struct gwrite w = {g->base + g->n * 1000 + i,
                       g->with_failures && i % 3 == 1 ? 1 + (i / 3) % 2 : 0, g->n == 0 && i == 0};
    enum hv_qs qs = hv_store_tx(store, true, gwrite_tx, &w);
    if (qs == HV_QS_ONE && w.kind == 0)
      g->acked_ids[g->acked++] = w.id;
    else if (qs == HV_QS_CONFLICT && w.kind == 1)
      g->failed_conflict++;
    else if (qs == HV_QS_HARD && w.kind == 2)
      g->failed_hard++;
    else
      g->wrong++;
  }
  return NULL;
}

static uint64_t metric(const char *name) {
  struct hv_buf b;
  char want[96];
  uint64_t v = 0;
  hv_buf_init(&b, 1 << 16);
  assert_int_equal(hv_store_metrics(store, &b), 0);
  snprintf(want, sizeof want, "\n%s ", name);
  const char *p = strstr(b.data, want);
  if (p)
    v = strtoull(p + strlen(want), NULL, 10);
  hv_buf_free(&b);
  return v;
}

static void run_group(struct gwriter *g, int64_t base, bool with_failures) {
  pthread_t th[GROUP_THREADS];
  for (int i = 0; i < GROUP_THREADS; i++) {
    memset(&g[i], 0, sizeof g[i]);
    g[i].n = i;
    g[i].base = base;
    g[i].with_failures = with_failures;
    assert_int_equal(pthread_create(&th[i], NULL, gwriter_main, &g[i]), 0);
  }
  for (int i = 0; i < GROUP_THREADS; i++)
    pthread_join(th[i], NULL);
}

/* Closes the store and opens it again: what was acknowledged is on disk. */
static void reopen(void) {
  char err[256] = "";
  hv_store_free(store);
  store = NULL;
  if (hv_store_open(url, 4, &store, err, sizeof err))
    fail_msg("reopen %s: %s", url, err);
}

static void group_commit_keeps_every_acknowledged_write(void **state) {
  (void)state;
  static struct gwriter g[GROUP_THREADS];
  int64_t base = RANGE(13);
  uint64_t batches = metric("haven_db_group_commits_total");
  run_group(g, base, false);
  int acked = 0;
  for (int i = 0; i < GROUP_THREADS; i++) {
    if (g[i].wrong)
      fail_msg("thread %d: %d writes answered wrongly", i, g[i].wrong);
    acked += g[i].acked;
  }
  assert_int_equal(acked, GROUP_THREADS * GROUP_PER_THREAD);
  if (hv_store_dialect(store) == HV_DIALECT_SQLITE)
    assert_true(metric("haven_db_group_commits_total") > batches); /* they were grouped */
  reopen();
  assert_int_equal(count_range(base, base + RANGE(1)), acked);
  for (int i = 0; i < GROUP_THREADS; i++)
    for (int k = 0; k < g[i].acked; k++)
      assert_string_equal(get(g[i].acked_ids[k]).s, "group");
}

static void group_commit_failure_loses_no_other_write(void **state) {
  (void)state;
  static struct gwriter g[GROUP_THREADS];
  int64_t base = RANGE(14);
  run_group(g, base, true);
  int acked = 0, conflicts = 0, hard = 0;
  for (int i = 0; i < GROUP_THREADS; i++) {
    if (g[i].wrong)
      fail_msg("thread %d: %d writes answered wrongly", i, g[i].wrong);
    acked += g[i].acked;
    conflicts += g[i].failed_conflict;
    hard += g[i].failed_hard;
  }
  /* i % 3 == 1 fails: 13 of 40 per thread, alternately conflict and hard */
  assert_int_equal(acked, GROUP_THREADS * (GROUP_PER_THREAD - 13));
  assert_int_equal(conflicts + hard, GROUP_THREADS * 13);
  assert_true(conflicts > 0 && hard > 0);
  reopen();
  /* the failed writes left nothing; every acknowledged one is there */
  assert_int_equal(count_range(base, base + RANGE(1)), acked);
  for (int i = 0; i < GROUP_THREADS; i++)
    for (int k = 0; k < g[i].acked; k++)
      assert_string_equal(get(g[i].acked_ids[k]).s, "group");
}

/* --- the rest of the interface ----------------------------------------- */

static void ping_and_metrics(void **state) {
  (void)state;
  assert_int_equal(hv_store_ping(store), 0);
  struct hv_buf b;
  hv_buf_init(&b, 1 << 16);
  assert_int_equal(hv_store_metrics(store, &b), 0);
  const char *backend = hv_store_dialect(store) == HV_DIALECT_POSTGRES ? "postgres" : "sqlite";
  char want[128];
  snprintf(want, sizeof want, "haven_db_pool_connections{backend=\"%s\"} 4\n", backend);
  assert_non_null(strstr(b.data, want));
  assert_non_null(strstr(b.data, "haven_db_pool_in_use 0\n")); /* all given back */
  assert_non_null(strstr(b.data, "haven_db_tx_retries_total "));
  hv_buf_free(&b);
}

static void backup_by_dialect(void **state) {
  (void)state;
  char err[256] = "";
  char path[128];
  snprintf(path, sizeof path, "/tmp/haven-contract-backup-%ld.db", (long)getpid());
  unlink(path);
  if (hv_store_dialect(store) == HV_DIALECT_POSTGRES) {
    assert_int_equal(hv_store_backup(store, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "pg_dump"));
    return;
  }
  assert_int_equal(insert(RANGE(12), "backed up"), HV_QS_ONE);
  if (hv_store_backup(store, path, err, sizeof err))
    fail_msg("backup: %s", err);
  char burl[160];
  snprintf(burl, sizeof burl, "sqlite:%s", path);
  struct hv_store *s = NULL;
  assert_int_equal(hv_store_open(burl, 1, &s, err, sizeof err), 0);
  struct hv_store *keep = store;
  store = s;
  struct rowcopy r = get(RANGE(12));
  store = keep;
  assert_string_equal(r.s, "backed up");
  hv_store_free(s);
  unlink_sqlite(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(open_refuses_bad_urls),
      cmocka_unit_test(migrate_applies_then_is_harmless),
      cmocka_unit_test(newer_schema_refused),
      cmocka_unit_test(text_round_trip),
      cmocka_unit_test(int64_round_trip),
      cmocka_unit_test(blob_round_trip),
      cmocka_unit_test(exec_returns_changed_rows),
      cmocka_unit_test(unique_violation_is_conflict),
      cmocka_unit_test(failed_tx_rolls_back),
      cmocka_unit_test(retry_is_retried_then_given_up),
      cmocka_unit_test(row_callback_can_stop_early),
      cmocka_unit_test(db_int_one_or_none),
      cmocka_unit_test(bad_statements_are_hard_failures),
      cmocka_unit_test(many_threads_all_commit),
      cmocka_unit_test(group_commit_keeps_every_acknowledged_write),
      cmocka_unit_test(group_commit_failure_loses_no_other_write),
      cmocka_unit_test(ping_and_metrics),
      cmocka_unit_test(backup_by_dialect),
  };
  return cmocka_run_group_tests_name("store/contract", tests, setup, teardown);
}
