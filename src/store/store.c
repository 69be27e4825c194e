/* The store: a connection pool, the transaction runner, and the
 * backend-independent half of every call. */
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "store/backend.h"

#define HV_TX_ATTEMPTS 5
#define HV_GROUP_MAX 256 /* writers committed together at most */

/* A writer waiting for the group commit. */
struct group_item {
  hv_tx_fn fn;
  void *cls;
  enum hv_qs qs;
  bool settled; /* qs is final before the COMMIT (its work was rolled back) */
  bool done;    /* the caller may return qs (under gmu) */
  struct group_item *next;
};

struct hv_store {
  const struct hv_backend *be;
  struct hv_conn **conns;
  struct hv_conn **free_list;
  unsigned size;
  unsigned nfree;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  _Atomic uint64_t waits;
  _Atomic uint64_t retries;
  _Atomic uint64_t failures;
  /* group commit (backends with savepoints): writers queue here; one of
   * them, the leader, runs a batch in one transaction for all */
  bool group;
  pthread_mutex_t gmu;
  pthread_cond_t gcv;
  struct group_item *queue, **queue_tail;
  bool leading;
  _Atomic uint64_t batches;
  _Atomic uint64_t batched;
};

static _Atomic int next_sql_id = 1;

int hv_sql_id(struct hv_sql *q) {
  int id = __atomic_load_n(&q->id, __ATOMIC_ACQUIRE);
  if (id)
    return id;
  int fresh = atomic_fetch_add(&next_sql_id, 1);
  int expected = 0;
  if (!__atomic_compare_exchange_n(&q->id, &expected, fresh, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE))
    return expected; /* another thread won; its id stands (ours is wasted) */
  return fresh;
}

bool hv_row_null(const struct hv_row *r, int col) { return r->ops->is_null(r, col); }
int64_t hv_row_int(const struct hv_row *r, int col) { return r->ops->get_int(r, col); }
const char *hv_row_text(const struct hv_row *r, int col) { return r->ops->get_text(r, col); }
const void *hv_row_blob(const struct hv_row *r, int col, size_t *len) {
  return r->ops->get_blob(r, col, len);
}

enum hv_dialect hv_store_dialect(const struct hv_store *s) { return s->be->dialect; }
enum hv_dialect hv_conn_dialect(const struct hv_conn *c) { return c->be->dialect; }

int hv_store_open(const char *url, unsigned pool, struct hv_store **out, char *err, size_t errlen) {
  const struct hv_backend *be;
  if (strncmp(url, "sqlite:", 7) == 0) {
    be = &hv_backend_sqlite;
  } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
    be = &hv_backend_postgres;
  } else {
    snprintf(err, errlen, "setting 'db': expected sqlite:PATH or postgresql://...");
    return -1;
  }
  if (pool == 0)
    pool = 1;
  struct hv_store *s = calloc(1, sizeof *s);
  if (!s)
    goto nomem;
  s->be = be;
  s->conns = calloc(pool, sizeof *s->conns);
  s->free_list = calloc(pool, sizeof *s->free_list);
  if (!s->conns || !s->free_list)
    goto nomem;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  s->group = be->savepoint && be->release && be->rollback_to && be->in_tx;
  pthread_mutex_init(&s->gmu, NULL);
  pthread_cond_init(&s->gcv, NULL);
  s->queue_tail = &s->queue;
  for (unsigned i = 0; i < pool; i++) {
    if (be->connect(url, &s->conns[i], err, errlen)) {
      hv_store_free(s);
      return -1;
    }
    s->conns[i]->store = s;
    s->size++;
    s->free_list[s->nfree++] = s->conns[i];
  }
  *out = s;
  return 0;
nomem:
  if (s) {
    free(s->conns);
    free(s->free_list);
    free(s);
  }
  snprintf(err, errlen, "out of memory");
  return -1;
}

void hv_store_free(struct hv_store *s) {
  if (!s)
    return;
  for (unsigned i = 0; i < s->size; i++)
    s->be->disconnect(s->conns[i]);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->gmu);
  pthread_cond_destroy(&s->gcv);
  free(s->conns);
  free(s->free_list);
  free(s);
}

static struct hv_conn *acquire(struct hv_store *s) {
  pthread_mutex_lock(&s->mu);
  if (s->nfree == 0)
    atomic_fetch_add(&s->waits, 1);
  while (s->nfree == 0)
    pthread_cond_wait(&s->cv, &s->mu);
  struct hv_conn *c = s->free_list[--s->nfree];
  pthread_mutex_unlock(&s->mu);
  return c;
}

static void release(struct hv_store *s, struct hv_conn *c) {
  pthread_mutex_lock(&s->mu);
  s->free_list[s->nfree++] = c;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static void backoff(int attempt) {
  /* 2, 4, 8, 16 ms, each plus a random share of itself, so two losers do
   * not collide again at the same moment */
  long base = 2L << attempt;
  long ms = base + (long)randombytes_uniform((uint32_t)base + 1);
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static enum hv_qs single_tx(struct hv_store *s, bool write, hv_tx_fn fn, void *cls) {
  struct hv_conn *c = acquire(s);
  enum hv_qs qs = HV_QS_HARD;
  for (int attempt = 0; attempt < HV_TX_ATTEMPTS; attempt++) {
    if (attempt)
      atomic_fetch_add(&s->retries, 1);
    if (s->be->check(c)) {
      qs = HV_QS_HARD;
      break;
    }
    qs = s->be->begin(c, write);
    if (qs == HV_QS_RETRY) {
      backoff(attempt);
      continue;
    }
    if (qs < 0)
      break;
    qs = fn(c, cls);
    if (qs < 0) {
      s->be->rollback(c);
      if (qs == HV_QS_RETRY) {
        backoff(attempt);
        continue;
      }
      break;
    }
    enum hv_qs cq = s->be->commit(c);
    if (cq == HV_QS_RETRY) {
      s->be->rollback(c);
      qs = cq;
      backoff(attempt);
      continue;
    }
    if (cq < 0) {
      s->be->rollback(c);
      qs = cq;
    }
    break;
  }
  if (qs == HV_QS_HARD || qs == HV_QS_RETRY)
    atomic_fetch_add(&s->failures, 1);
  release(s, c);
  return qs;
}

/* --- group commit ------------------------------------------------------
 *
 * SQLite has one writer at a time and a durable COMMIT costs a flush of
 * the disk, so writers that arrive together are committed together: each
 * writer queues its function; the first to find no leader becomes the
 * leader, takes everything queued, and runs it in one BEGIN IMMEDIATE ...
 * COMMIT, each function inside its own SAVEPOINT. A function that fails is
 * rolled back to its savepoint and answers its own status; the others go
 * on. Every caller is woken only after the COMMIT returned (or failed, and
 * then all of them answer that failure), so hv_store_tx's contract holds:
 * a write is durable when it returns >= 0. Writers that arrive while a
 * batch commits queue up and form the next batch. The audit chain stays
 * sequential: the functions run one after another on one connection, each
 * reading the head its predecessor wrote. */

/* Runs one function in its savepoint, retrying it on HV_QS_RETRY (which
 * inside the batch only comes from the function itself). Returns its
 * status; sets *lost when the whole transaction was lost. */
static enum hv_qs group_run_one(struct hv_store *s, struct hv_conn *c, struct group_item *it,
                                bool *lost) {
  enum hv_qs qs = HV_QS_HARD;
  for (int attempt = 0; attempt < HV_TX_ATTEMPTS; attempt++) {
    if (attempt)
      atomic_fetch_add(&s->retries, 1);
    if (s->be->savepoint(c) < 0) {
      *lost = true;
      return HV_QS_HARD;
    }
    qs = it->fn(c, it->cls);
    if (qs >= 0) {
      if (s->be->release(c) < 0)
        *lost = true;
      return qs;
    }
    if (!s->be->in_tx(c) || s->be->rollback_to(c) < 0) {
      *lost = true;
      return qs;
    }
    if (qs != HV_QS_RETRY)
      return qs;
  }
  return qs;
}

/* The leader's work: the batch `items` (n of them) in one transaction. */
static void group_commit(struct hv_store *s, struct group_item **items, size_t n) {
  if (n == 1) { /* alone: no savepoint needed */
    items[0]->qs = single_tx(s, true, items[0]->fn, items[0]->cls);
    return;
  }
  struct hv_conn *c = acquire(s);
  enum hv_qs qs = HV_QS_HARD;
  atomic_fetch_add(&s->batches, 1);
  atomic_fetch_add(&s->batched, n);
  for (int attempt = 0; attempt < HV_TX_ATTEMPTS; attempt++) {
    if (attempt) {
      atomic_fetch_add(&s->retries, 1);
      backoff(attempt - 1);
    }
    qs = s->be->check(c) ? HV_QS_HARD : s->be->begin(c, true);
    if (qs == HV_QS_RETRY)
      continue;
    if (qs < 0)
      break;
    bool lost = false;
    for (size_t i = 0; i < n && !lost; i++) {
      if (items[i]->settled)
        continue;
      items[i]->qs = group_run_one(s, c, items[i], &lost);
      /* its work is rolled back: its answer stands whatever the others do
       * (when the transaction was lost with it, it is retried with them) */
      items[i]->settled = items[i]->qs < 0 && !lost;
    }
    if (lost) { /* the database rolled the transaction back: go round */
      s->be->rollback(c);
      qs = HV_QS_RETRY;
      continue;
    }
    qs = s->be->commit(c);
    if (qs < 0)
      s->be->rollback(c);
    if (qs != HV_QS_RETRY)
      break;
  }
  for (size_t i = 0; i < n; i++) {
    if (!items[i]->settled && qs < 0)
      items[i]->qs = qs; /* not committed: the batch's failure is everyone's */
    if (items[i]->qs == HV_QS_HARD || items[i]->qs == HV_QS_RETRY)
      atomic_fetch_add(&s->failures, 1);
  }
  release(s, c);
}

static enum hv_qs group_tx(struct hv_store *s, hv_tx_fn fn, void *cls) {
  struct group_item me = {fn, cls, HV_QS_HARD, false, false, NULL};
  struct group_item *batch[HV_GROUP_MAX];
  pthread_mutex_lock(&s->gmu);
  *s->queue_tail = &me;
  s->queue_tail = &me.next;
  while (!me.done) {
    if (s->leading) {
      pthread_cond_wait(&s->gcv, &s->gmu);
      continue;
    }
    s->leading = true;
    size_t n = 0;
    while (s->queue && n < HV_GROUP_MAX) {
      batch[n++] = s->queue;
      s->queue = s->queue->next;
    }
    if (!s->queue)
      s->queue_tail = &s->queue;
    pthread_mutex_unlock(&s->gmu);
    group_commit(s, batch, n);
    pthread_mutex_lock(&s->gmu);
    for (size_t i = 0; i < n; i++)
      batch[i]->done = true;
    s->leading = false;
    pthread_cond_broadcast(&s->gcv); /* the answered return; one of the rest leads next */
  }
  pthread_mutex_unlock(&s->gmu);
  return me.qs;
}

enum hv_qs hv_store_tx(struct hv_store *s, bool write, hv_tx_fn fn, void *cls) {
  if (write && s->group)
    return group_tx(s, fn, cls);
  return single_tx(s, write, fn, cls);
}

static const char *text_for(struct hv_conn *c, const struct hv_sql *q) {
  return (c->be->dialect == HV_DIALECT_POSTGRES && q->pg) ? q->pg : q->sql;
}

enum hv_qs hv_db_exec(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n) {
  hv_sql_id(q);
  return c->be->run(c, q, text_for(c, q), p, n, NULL, NULL);
}

enum hv_qs hv_db_query(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n,
                       hv_row_fn fn, void *cls) {
  hv_sql_id(q);
  return c->be->run(c, q, text_for(c, q), p, n, fn, cls);
}

static int one_int(void *cls, const struct hv_row *r) {
  *(int64_t *)cls = hv_row_int(r, 0);
  return 1;
}

enum hv_qs hv_db_int(struct hv_conn *c, struct hv_sql *q, const struct hv_param *p, size_t n,
                     int64_t *out) {
  enum hv_qs qs = hv_db_query(c, q, p, n, one_int, out);
  return qs > 0 ? HV_QS_ONE : qs;
}

char *hv_sql_like(const char *q, bool commas) {
  struct hv_buf b;
  hv_buf_init(&b, 1024);
  hv_buf_adds(&b, commas ? "%," : "%");
  for (const char *p = q; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\')
      hv_buf_addc(&b, '\\');
    hv_buf_addc(&b, (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p);
  }
  hv_buf_adds(&b, commas ? ",%" : "%");
  return hv_buf_steal(&b, NULL);
}

static struct hv_sql q_ping = HV_SQL("SELECT 1");

static enum hv_qs ping_tx(struct hv_conn *c, void *cls) {
  int64_t v = 0;
  (void)cls;
  enum hv_qs qs = hv_db_int(c, &q_ping, NULL, 0, &v);
  return qs == HV_QS_ONE && v == 1 ? HV_QS_ONE : HV_QS_HARD;
}

int hv_store_ping(struct hv_store *s) {
  return hv_store_tx(s, false, ping_tx, NULL) == HV_QS_ONE ? 0 : -1;
}

int hv_store_backup(struct hv_store *s, const char *path, char *err, size_t errlen) {
  if (!s->be->backup) {
    snprintf(
        err, errlen,
        "backup: this database is PostgreSQL; back it up with pg_dump (see docs/operations.md)");
    return -1;
  }
  struct hv_conn *c = acquire(s);
  int rc = s->be->backup(c, path, err, errlen);
  release(s, c);
  return rc;
}

int hv_store_metrics(struct hv_store *s, struct hv_buf *out) {
  pthread_mutex_lock(&s->mu);
  unsigned nfree = s->nfree;
  pthread_mutex_unlock(&s->mu);
  return hv_buf_printf(
      out,
      "# HELP haven_db_pool_connections Database connections in the pool.\n"
      "# TYPE haven_db_pool_connections gauge\nhaven_db_pool_connections{backend=\"%s\"} %u\n"
      "# HELP haven_db_pool_in_use Database connections in use now.\n"
      "# TYPE haven_db_pool_in_use gauge\nhaven_db_pool_in_use %u\n"
      "# HELP haven_db_pool_waits_total Times a request waited for a free connection.\n"
      "# TYPE haven_db_pool_waits_total counter\nhaven_db_pool_waits_total %llu\n"
      "# HELP haven_db_tx_retries_total Transactions retried after a conflict.\n"
      "# TYPE haven_db_tx_retries_total counter\nhaven_db_tx_retries_total %llu\n"
      "# HELP haven_db_tx_failures_total Transactions that failed in the database.\n"
      "# TYPE haven_db_tx_failures_total counter\nhaven_db_tx_failures_total %llu\n"
      "# HELP haven_db_group_commits_total Write transactions committed for a group of writers.\n"
      "# TYPE haven_db_group_commits_total counter\nhaven_db_group_commits_total %llu\n"
      "# HELP haven_db_group_writes_total Writes committed through group commits.\n"
      "# TYPE haven_db_group_writes_total counter\nhaven_db_group_writes_total %llu\n",
      s->be->name, s->size, s->size - nfree, (unsigned long long)atomic_load(&s->waits),
      (unsigned long long)atomic_load(&s->retries), (unsigned long long)atomic_load(&s->failures),
      (unsigned long long)atomic_load(&s->batches), (unsigned long long)atomic_load(&s->batched));
}

/* --- migrations ------------------------------------------------------- */

#include "core/embed.h"
#include "core/clock.h"

extern const struct hv_embed hv_migrations[];

/* Named dialect differences in migration text: @TOKEN@ expands per backend. */
static const struct {
  const char *token;
  const char *text[HV_DIALECT_MAX];
} tokens[] = {
    {"@ID@", {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"}},
    {"@BLOB@", {"BLOB", "BYTEA"}},
};

static char *expand(const char *src, size_t len, enum hv_dialect d) {
  struct hv_buf b;
  hv_buf_init(&b, 1u << 22);
  size_t i = 0;
  while (i < len) {
    size_t k;
    for (k = 0; k < sizeof tokens / sizeof tokens[0]; k++) {
      size_t tl = strlen(tokens[k].token);
      if (i + tl <= len && memcmp(src + i, tokens[k].token, tl) == 0) {
        hv_buf_adds(&b, tokens[k].text[d]);
        i += tl;
        break;
      }
    }
    if (k == sizeof tokens / sizeof tokens[0])
      hv_buf_addc(&b, src[i++]);
  }
  return hv_buf_steal(&b, NULL);
}

/* "0003_name.sql" (both), "0003_name.sqlite.sql", "0003_name.postgres.sql". */
static int migration_version(const char *name, enum hv_dialect d, int *applies) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    if (name[i] < '0' || name[i] > '9')
      return -1;
    v = v * 10 + (name[i] - '0');
  }
  if (name[4] != '_')
    return -1;
  if (strstr(name, ".sqlite.sql"))
    *applies = d == HV_DIALECT_SQLITE;
  else if (strstr(name, ".postgres.sql"))
    *applies = d == HV_DIALECT_POSTGRES;
  else
    *applies = 1;
  return v;
}

int hv_store_schema_latest(void) {
  int latest = 0, applies = 0;
  for (const struct hv_embed *e = hv_migrations; e->name; e++) {
    int v = migration_version(e->name, HV_DIALECT_SQLITE, &applies);
    if (v > latest)
      latest = v;
  }
  return latest;
}

static struct hv_sql q_version = HV_SQL("SELECT COALESCE(MAX(version), 0) FROM schema_version");
static struct hv_sql q_add_version =
    HV_SQL("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)");
static struct hv_sql q_lock =
    HV_SQL2("SELECT 1", "SELECT 1 FROM (SELECT pg_advisory_xact_lock(7340101)) AS l");

struct migrate_ctx {
  int from, to;
  char *err;
  size_t errlen;
};

static enum hv_qs migrate_tx(struct hv_conn *c, void *cls) {
  struct migrate_ctx *m = cls;
  int64_t cur = 0, one = 0;
  enum hv_dialect d = hv_conn_dialect(c);
  enum hv_qs qs = hv_db_int(c, &q_lock, NULL, 0, &one);
  if (qs < 0)
    return qs;
  qs = c->be->script(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                        "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  if (qs < 0)
    return qs;
  qs = hv_db_int(c, &q_version, NULL, 0, &cur);
  if (qs < 0)
    return qs;
  m->from = m->to = (int)cur;
  int latest = hv_store_schema_latest();
  if (cur > latest) {
    snprintf(m->err, m->errlen,
             "the database's schema version %d is newer than this haven knows (%d): "
             "run a newer haven, or restore a backup made for this version",
             (int)cur, latest);
    return HV_QS_HARD;
  }
  for (int v = (int)cur + 1; v <= latest; v++) {
    for (const struct hv_embed *e = hv_migrations; e->name; e++) {
      int applies = 0;
      if (migration_version(e->name, d, &applies) != v || !applies)
        continue;
      char *sql = expand((const char *)e->data, e->len, d);
      if (!sql) {
        snprintf(m->err, m->errlen, "out of memory");
        return HV_QS_HARD;
      }
      qs = c->be->script(c, sql);
      free(sql);
      if (qs < 0) {
        snprintf(m->err, m->errlen, "migration %s failed", e->name);
        return qs;
      }
      struct hv_param p[] = {HV_P_INT(v), HV_P_TEXT(e->name), HV_P_INT(hv_clock_wall_ms())};
      qs = hv_db_exec(c, &q_add_version, p, 3);
      if (qs < 0) {
        if (qs != HV_QS_RETRY)
          snprintf(m->err, m->errlen, "recording migration %s failed", e->name);
        return qs;
      }
      m->to = v;
    }
  }
  return HV_QS_ONE;
}

int hv_store_migrate(struct hv_store *s, int *from, int *to, char *err, size_t errlen) {
  struct migrate_ctx m = {0, 0, err, errlen};
  err[0] = '\0';
  enum hv_qs qs = hv_store_tx(s, true, migrate_tx, &m);
  if (qs < 0) {
    if (!err[0])
      snprintf(err, errlen, "migration failed: the database did not answer");
    return -1;
  }
  *from = m.from;
  *to = m.to;
  return 0;
}

static enum hv_qs version_tx(struct hv_conn *c, void *cls) {
  static struct hv_sql q_has =
      HV_SQL2("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
              "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_version' "
              "AND table_schema = current_schema()");
  int64_t has = 0;
  enum hv_qs qs = hv_db_int(c, &q_has, NULL, 0, &has);
  if (qs < 0)
    return qs;
  if (!has) {
    *(int64_t *)cls = 0;
    return HV_QS_ONE;
  }
  return hv_db_int(c, &q_version, NULL, 0, cls);
}

int hv_store_schema_version(struct hv_store *s) {
  int64_t v = -1;
  if (hv_store_tx(s, false, version_tx, &v) < 0)
    return -1;
  return (int)v;
}
