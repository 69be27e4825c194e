/* A migrated store of the test's own, for the auth and audit unit tests.
 * When HAVEN_TEST_DB names a PostgreSQL database, each scratch store is a
 * fresh schema in it (reached through search_path and dropped at the end);
 * otherwise it is a fresh temporary SQLite file, even when HAVEN_TEST_DB
 * names a SQLite file, because these tests tamper with tables (the audit
 * triggers) that a shared database must keep. */
#ifndef HV_TEST_SCRATCH_STORE_H
#define HV_TEST_SCRATCH_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

struct scratch {
  struct hv_store *store;
  struct hv_store *admin; /* PostgreSQL: the connection that made the schema */
  char path[160];         /* SQLite: our file */
  char schema[96];        /* PostgreSQL: our schema */
  char url[1400];
  /* one-off statements: distinct objects, so no prepared-statement id is
   * ever shared by two texts */
  char create_text[160], drop_text[160];
  struct hv_sql q_create, q_drop;
};

static enum hv_qs scratch_exec_tx(struct hv_conn *c, void *cls) {
  return hv_db_exec(c, (struct hv_sql *)cls, NULL, 0);
}

static void scratch_unlink(const char *path) {
  char p[200];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

/* Opens and migrates a store with `pool` connections. 0, or -1 with a
 * message on stderr. */
static int scratch_open(struct scratch *sc, const char *tag, unsigned pool) {
  static int counter;
  char err[256] = "";
  const char *env = getenv("HAVEN_TEST_DB");
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  memset(sc, 0, sizeof *sc);
  counter++;
  if (env && strncmp(env, "postgres", 8) == 0) {
    if (hv_store_open(env, 1, &sc->admin, err, sizeof err)) {
      fprintf(stderr, "cannot open %s: %s\n", env, err);
      return -1;
    }
    snprintf(sc->schema, sizeof sc->schema, "hv_%s_%ld_%ld_%d", tag, (long)getpid(),
             (long)(ts.tv_nsec / 1000), counter);
    snprintf(sc->create_text, sizeof sc->create_text, "CREATE SCHEMA %s", sc->schema);
    snprintf(sc->drop_text, sizeof sc->drop_text, "DROP SCHEMA %s CASCADE", sc->schema);
    sc->q_create = (struct hv_sql)HV_SQL(sc->create_text);
    sc->q_drop = (struct hv_sql)HV_SQL(sc->drop_text);
    if (hv_store_tx(sc->admin, true, scratch_exec_tx, &sc->q_create) < 0) {
      fprintf(stderr, "cannot create schema %s\n", sc->schema);
      hv_store_free(sc->admin);
      sc->admin = NULL;
      return -1;
    }
    snprintf(sc->url, sizeof sc->url, "%s%soptions=-c%%20search_path%%3D%s", env,
             strchr(env, '?') ? "&" : "?", sc->schema);
  } else {
    snprintf(sc->path, sizeof sc->path, "/tmp/haven-%s-%ld-%d.db", tag, (long)getpid(), counter);
    scratch_unlink(sc->path);
    snprintf(sc->url, sizeof sc->url, "sqlite:%s", sc->path);
  }
  int from, to;
  if (hv_store_open(sc->url, pool, &sc->store, err, sizeof err) ||
      hv_store_migrate(sc->store, &from, &to, err, sizeof err)) {
    fprintf(stderr, "cannot open and migrate %s: %s\n", sc->url, err);
    return -1;
  }
  return 0;
}

static void scratch_close(struct scratch *sc) {
  hv_store_free(sc->store);
  sc->store = NULL;
  if (sc->path[0])
    scratch_unlink(sc->path);
  if (sc->admin) {
    if (hv_store_tx(sc->admin, true, scratch_exec_tx, &sc->q_drop) < 0)
      fprintf(stderr, "cannot drop schema %s\n", sc->schema);
    hv_store_free(sc->admin);
    sc->admin = NULL;
  }
}

#endif
