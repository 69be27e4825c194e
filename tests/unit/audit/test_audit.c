/* Unit tests for src/audit/audit.c: the event hash, the hash chain built
 * by appends, verification after tampering done behind the program's back
 * with SQL (the append-only triggers dropped first), signed checkpoints,
 * and appends from several threads at once. Each test gets a store of its
 * own (a temporary SQLite file, or a scratch schema of the PostgreSQL
 * database HAVEN_TEST_DB names), since tampering must not touch anyone
 * else's audit log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "../auth/scratch_store.h"

#define MAXEV 128

static struct scratch sc;
static char datadir[64]; /* checkpoints and the signing key */

/* --- reading and writing the table directly ----------------------------- */

struct ev {
  int64_t seq, at;
  char actor[64], action[64], object_type[64], object_id[64], commitment[128], prev_hash[80],
      hash[80];
};

struct evs {
  int n;
  struct ev e[MAXEV];
};

static struct hv_sql q_all =
    HV_SQL("SELECT seq, at, actor, action, object_type, object_id, commitment, prev_hash, hash "
           "FROM audit_events ORDER BY seq");

static int ev_row(void *cls, const struct hv_row *r) {
  struct evs *v = cls;
  if (v->n >= MAXEV)
    return 1;
  struct ev *e = &v->e[v->n++];
  e->seq = hv_row_int(r, 0);
  e->at = hv_row_int(r, 1);
  snprintf(e->actor, sizeof e->actor, "%s", hv_row_text(r, 2));
  snprintf(e->action, sizeof e->action, "%s", hv_row_text(r, 3));
  snprintf(e->object_type, sizeof e->object_type, "%s", hv_row_text(r, 4));
  snprintf(e->object_id, sizeof e->object_id, "%s", hv_row_text(r, 5));
  snprintf(e->commitment, sizeof e->commitment, "%s", hv_row_text(r, 6));
  snprintf(e->prev_hash, sizeof e->prev_hash, "%s", hv_row_text(r, 7));
  snprintf(e->hash, sizeof e->hash, "%s", hv_row_text(r, 8));
  return 0;
}

static enum hv_qs all_tx(struct hv_conn *c, void *cls) {
  ((struct evs *)cls)->n = 0;
  return hv_db_query(c, &q_all, NULL, 0, ev_row, cls);
}

static struct evs *read_all(void) {
  static struct evs v;
  assert_true(hv_store_tx(sc.store, false, all_tx, &v) >= 0);
  return &v;
}

static struct hv_audit_row as_row(const struct ev *e) {
  return (struct hv_audit_row){e->seq,       e->at,         e->actor,     e->action, e->object_type,
                               e->object_id, e->commitment, e->prev_hash, e->hash};
}

/* Runs one statement with up to 2 parameters in a write transaction. */
struct sql_ctx {
  struct hv_sql *q;
  struct hv_param p[2];
  size_t n;
};

static enum hv_qs sql_tx(struct hv_conn *c, void *cls) {
  struct sql_ctx *x = cls;
  return hv_db_exec(c, x->q, x->p, x->n);
}

static enum hv_qs sql2(struct hv_sql *q, struct hv_param a, struct hv_param b) {
  struct sql_ctx x = {q, {a, b}, 2};
  return hv_store_tx(sc.store, true, sql_tx, &x);
}

static enum hv_qs sql1(struct hv_sql *q, struct hv_param a) {
  struct sql_ctx x = {q, {a, HV_P_NULL}, 1};
  return hv_store_tx(sc.store, true, sql_tx, &x);
}

static enum hv_qs sql0(struct hv_sql *q) {
  struct sql_ctx x = {q, {HV_P_NULL, HV_P_NULL}, 0};
  return hv_store_tx(sc.store, true, sql_tx, &x);
}

static struct hv_sql q_drop_update = HV_SQL("DROP TRIGGER audit_events_no_update");
static struct hv_sql q_drop_delete = HV_SQL("DROP TRIGGER audit_events_no_delete");
static struct hv_sql q_disable = HV_SQL("ALTER TABLE audit_events DISABLE TRIGGER USER");

/* What an attacker with the database file does first. */
static void drop_guards(void) {
  if (hv_store_dialect(sc.store) == HV_DIALECT_SQLITE) {
    assert_true(sql0(&q_drop_update) >= 0);
    assert_true(sql0(&q_drop_delete) >= 0);
  } else {
    assert_true(sql0(&q_disable) >= 0);
  }
}

enum col {
  C_AT,
  C_ACTOR,
  C_ACTION,
  C_OBJECT_TYPE,
  C_OBJECT_ID,
  C_COMMITMENT,
  C_PREV,
  C_HASH,
  C_MAX
};
static struct hv_sql q_set[C_MAX] = {
    HV_SQL("UPDATE audit_events SET at = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET actor = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET action = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET object_type = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET object_id = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET commitment = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET prev_hash = ? WHERE seq = ?"),
    HV_SQL("UPDATE audit_events SET hash = ? WHERE seq = ?"),
};
static struct hv_sql q_set_seq = HV_SQL("UPDATE audit_events SET seq = ? WHERE seq = ?");
static struct hv_sql q_delete = HV_SQL("DELETE FROM audit_events WHERE seq = ?");
static struct hv_sql q_delete_from = HV_SQL("DELETE FROM audit_events WHERE seq >= ?");

static void set_text(enum col c, int64_t seq, const char *v) {
  assert_int_equal(sql2(&q_set[c], HV_P_TEXT(v), HV_P_INT(seq)), HV_QS_ONE);
}

/* --- appending ----------------------------------------------------------- */

struct append_ctx {
  const char *actor;
  int first, n; /* object ids first .. first+n-1 */
  bool fail;    /* roll the transaction back after appending */
};

static enum hv_qs append_tx(struct hv_conn *c, void *cls) {
  struct append_ctx *a = cls;
  char id[32], change[64];
  for (int i = 0; i < a->n; i++) {
    snprintf(id, sizeof id, "%d", a->first + i);
    snprintf(change, sizeof change, "{\"status\":\"closed\",\"n\":%d}", a->first + i);
    struct hv_audit_event ev = {a->actor, "report.update", "report", id, change, strlen(change)};
    enum hv_qs qs = hv_audit_append(c, &ev);
    if (qs < 0)
      return qs;
  }
  return a->fail ? HV_QS_HARD : HV_QS_ONE;
}

/* `n` events, `per_tx` to a transaction. */
static void append_n(int n, int per_tx) {
  for (int i = 0; i < n; i += per_tx) {
    struct append_ctx a = {"user:7", i + 1, i + per_tx <= n ? per_tx : n - i, false};
    assert_int_equal(hv_store_tx(sc.store, true, append_tx, &a), HV_QS_ONE);
  }
}

static int verify(const char *const *cps, size_t ncp, const char *key, int64_t *bad, char *report,
                  size_t cap) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  *bad = -1;
  int rc = hv_audit_verify(sc.store, cps, ncp, key, f, bad);
  fclose(f);
  snprintf(report, cap, "%s", buf ? buf : "");
  free(buf);
  return rc;
}

static void assert_verifies(void) {
  int64_t bad;
  char report[1024];
  int rc = verify(NULL, 0, NULL, &bad, report, sizeof report);
  if (rc != 0)
    fail_msg("verify failed: %s", report);
  assert_int_equal(bad, 0);
}

static void assert_bad(int64_t want) {
  int64_t bad;
  char report[1024], needle[64];
  assert_int_equal(verify(NULL, 0, NULL, &bad, report, sizeof report), -1);
  assert_int_equal(bad, want);
  char needle2[64];
  snprintf(needle, sizeof needle, "event %lld:", (long long)want);
  snprintf(needle2, sizeof needle2, "expected sequence %lld ", (long long)want);
  if (!strstr(report, needle) && !strstr(report, needle2))
    fail_msg("report does not name event %lld: %s", (long long)want, report);
}

/* --- the hash ------------------------------------------------------------ */

static void assert_hash_differs(const struct hv_audit_row *r, const char *base) {
  char h[HV_HASH_HEX];
  hv_audit_hash(r, h);
  assert_string_not_equal(h, base);
}

static void hash_is_deterministic_and_covers_every_field(void **state) {
  (void)state;
  char base[HV_HASH_HEX], again[HV_HASH_HEX];
  const char *prev = "0000000000000000000000000000000000000000000000000000000000000000";
  struct hv_audit_row r = {7,       1700000000123, "user:12", "user.disable", "user", "42",
                           "00:11", prev,          NULL};
  hv_audit_hash(&r, base);
  assert_int_equal(strlen(base), 64);
  hv_audit_hash(&r, again);
  assert_string_equal(base, again);
  /* the stored hash is not an input */
  r.hash = "ffff";
  hv_audit_hash(&r, again);
  assert_string_equal(base, again);
  /* each field in turn */
  struct hv_audit_row m;
  m = r, m.seq = 8;
  assert_hash_differs(&m, base);
  m = r, m.seq = -7;
  assert_hash_differs(&m, base);
  m = r, m.at = 1700000000124;
  assert_hash_differs(&m, base);
  m = r, m.actor = "user:13";
  assert_hash_differs(&m, base);
  m = r, m.action = "user.enable";
  assert_hash_differs(&m, base);
  m = r, m.object_type = "users";
  assert_hash_differs(&m, base);
  m = r, m.object_id = "43";
  assert_hash_differs(&m, base);
  m = r, m.commitment = "00:12";
  assert_hash_differs(&m, base);
  m = r, m.prev_hash = "1000000000000000000000000000000000000000000000000000000000000000";
  assert_hash_differs(&m, base);
  /* fields are length-prefixed: moving a boundary changes the hash */
  m = r, m.action = "user.disableuse", m.object_type = "r";
  assert_hash_differs(&m, base);
  m = r, m.actor = "", m.action = "user:12user.disable";
  assert_hash_differs(&m, base);
}

/* --- the chain ----------------------------------------------------------- */

static void empty_log_verifies(void **state) {
  (void)state;
  assert_int_equal(read_all()->n, 0);
  assert_verifies();
}

static void appends_build_a_chain(void **state) {
  (void)state;
  append_n(3, 1); /* one event per transaction */
  append_n(6, 3); /* several in one transaction */
  struct evs *v = read_all();
  assert_int_equal(v->n, 9);
  const char *prev = "0000000000000000000000000000000000000000000000000000000000000000";
  for (int i = 0; i < v->n; i++) {
    struct ev *e = &v->e[i];
    char h[HV_HASH_HEX];
    assert_int_equal(e->seq, i + 1);
    assert_string_equal(e->prev_hash, prev);
    struct hv_audit_row r = as_row(e);
    hv_audit_hash(&r, h);
    assert_string_equal(e->hash, h);
    assert_string_equal(e->actor, "user:7");
    assert_string_equal(e->action, "report.update");
    assert_string_equal(e->object_type, "report");
    assert_true(e->at > 0);
    if (i)
      assert_true(e->at >= v->e[i - 1].at);
    prev = e->hash;
  }
  assert_verifies();
}

static void commitment_binds_without_storing(void **state) {
  (void)state;
  append_n(2, 1);
  struct evs *v = read_all();
  for (int i = 0; i < 2; i++) {
    struct ev *e = &v->e[i];
    /* hex(16-byte salt) ":" hex(BLAKE2b-256 keyed with the salt) */
    assert_int_equal(strlen(e->commitment), 32 + 1 + 64);
    assert_int_equal(e->commitment[32], ':');
    assert_null(strstr(e->commitment, "closed"));
    unsigned char salt[16], ch[32];
    char want[65], change[64];
    assert_int_equal(sodium_hex2bin(salt, sizeof salt, e->commitment, 32, NULL, NULL, NULL), 0);
    snprintf(change, sizeof change, "{\"status\":\"closed\",\"n\":%d}", i + 1);
    crypto_generichash(ch, sizeof ch, (const unsigned char *)change, strlen(change), salt,
                       sizeof salt);
    sodium_bin2hex(want, sizeof want, ch, sizeof ch);
    assert_string_equal(e->commitment + 33, want);
  }
  /* salted: two commitments never repeat */
  assert_string_not_equal(v->e[0].commitment, v->e[1].commitment);
}

static void rolled_back_appends_leave_no_trace(void **state) {
  (void)state;
  append_n(2, 1);
  struct append_ctx a = {"user:9", 100, 2, true};
  assert_int_equal(hv_store_tx(sc.store, true, append_tx, &a), HV_QS_HARD);
  append_n(1, 1);
  struct evs *v = read_all();
  assert_int_equal(v->n, 3);
  assert_int_equal(v->e[2].seq, 3);
  assert_string_equal(v->e[2].actor, "user:7");
  assert_verifies();
}

static void triggers_refuse_changes(void **state) {
  (void)state;
  append_n(2, 1);
  assert_true(sql2(&q_set[C_ACTOR], HV_P_TEXT("mallory"), HV_P_INT(1)) < 0);
  assert_true(sql1(&q_delete, HV_P_INT(2)) < 0);
  struct evs *v = read_all();
  assert_int_equal(v->n, 2);
  assert_string_equal(v->e[0].actor, "user:7");
  assert_verifies();
}

/* --- tampering ----------------------------------------------------------- */

static void changed_fields_are_found(void **state) {
  (void)state;
  append_n(6, 2);
  struct evs orig = *read_all();
  drop_guards();
  static const char *forged[C_MAX] = {NULL, "user:1", "report.delete", "users", "99", "00:00",
                                      NULL, NULL};
  int64_t seqs[] = {1, 3, 6};
  for (size_t s = 0; s < sizeof seqs / sizeof *seqs; s++) {
    int64_t seq = seqs[s];
    const struct ev *e = &orig.e[seq - 1];
    for (int c = 0; c < C_MAX; c++) {
      /* change one field of one event: verify names that event */
      if (c == C_AT)
        assert_int_equal(sql2(&q_set[c], HV_P_INT(e->at + 1), HV_P_INT(seq)), HV_QS_ONE);
      else if (c == C_PREV || c == C_HASH)
        set_text(c, seq, "1111111111111111111111111111111111111111111111111111111111111111");
      else
        set_text(c, seq, forged[c]);
      assert_bad(seq);
      /* put it back: the chain verifies again */
      const char *orig_text[C_MAX] = {NULL,         e->actor,      e->action,    e->object_type,
                                      e->object_id, e->commitment, e->prev_hash, e->hash};
      if (c == C_AT)
        assert_int_equal(sql2(&q_set[c], HV_P_INT(e->at), HV_P_INT(seq)), HV_QS_ONE);
      else
        set_text(c, seq, orig_text[c]);
      assert_verifies();
    }
  }
}

static void deleted_rows_are_found(void **state) {
  (void)state;
  append_n(6, 1);
  drop_guards();
  assert_int_equal(sql1(&q_delete, HV_P_INT(4)), HV_QS_ONE);
  assert_bad(4);
  assert_int_equal(sql1(&q_delete, HV_P_INT(2)), HV_QS_ONE);
  assert_bad(2); /* the first bad one */
  assert_int_equal(sql1(&q_delete, HV_P_INT(1)), HV_QS_ONE);
  assert_bad(1);
}

static void swapped_rows_are_found(void **state) {
  (void)state;
  append_n(5, 1);
  drop_guards();
  /* events 2 and 3 trade places */
  assert_int_equal(sql2(&q_set_seq, HV_P_INT(-3), HV_P_INT(3)), HV_QS_ONE);
  assert_int_equal(sql2(&q_set_seq, HV_P_INT(3), HV_P_INT(2)), HV_QS_ONE);
  assert_int_equal(sql2(&q_set_seq, HV_P_INT(2), HV_P_INT(-3)), HV_QS_ONE);
  assert_bad(2);
}

static void renumbered_rows_are_found(void **state) {
  (void)state;
  append_n(4, 1);
  drop_guards();
  /* an event removed and the rest renumbered to hide the gap */
  assert_int_equal(sql1(&q_delete, HV_P_INT(2)), HV_QS_ONE);
  assert_int_equal(sql2(&q_set_seq, HV_P_INT(2), HV_P_INT(3)), HV_QS_ONE);
  assert_int_equal(sql2(&q_set_seq, HV_P_INT(3), HV_P_INT(4)), HV_QS_ONE);
  assert_bad(2);
}

/* --- checkpoints --------------------------------------------------------- */

static int checkpoint(char *path, size_t cap, char *err, size_t errlen) {
  err[0] = '\0';
  return hv_audit_checkpoint(sc.store, datadir, path, cap, err, errlen);
}

static json_t *load_json(const char *path) {
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  if (!j)
    fail_msg("cannot read %s: %s", path, je.text);
  return j;
}

static void write_json(json_t *j, const char *path) {
  assert_int_equal(json_dump_file(j, path, JSON_INDENT(2)), 0);
}

static void checkpoint_signs_the_head(void **state) {
  (void)state;
  char path[1200], err[256], key[65], key2[65], keypath[128];
  struct stat st;
  snprintf(keypath, sizeof keypath, "%s/audit-signing.key", datadir);
  assert_int_equal(hv_audit_public_key(datadir, key), -1); /* none yet */
  append_n(5, 1);
  if (checkpoint(path, sizeof path, err, sizeof err))
    fail_msg("checkpoint: %s", err);
  /* the key: made on first use, readable by its owner only */
  assert_int_equal(stat(keypath, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, crypto_sign_SECRETKEYBYTES);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  assert_int_equal(strlen(key), 64);
  /* the file: in data/checkpoints, pinning event 5 */
  char want[1200];
  snprintf(want, sizeof want, "%s/checkpoints/checkpoint-000000000005.json", datadir);
  assert_string_equal(path, want);
  json_t *j = load_json(path);
  assert_int_equal(json_integer_value(json_object_get(j, "seq")), 5);
  assert_string_equal(json_string_value(json_object_get(j, "hash")), read_all()->e[4].hash);
  assert_string_equal(json_string_value(json_object_get(j, "public_key")), key);
  assert_string_equal(json_string_value(json_object_get(j, "format")), "haven-audit-checkpoint-v1");
  json_decref(j);
  /* verify with it, with and without pinning the key */
  int64_t bad;
  char report[1024];
  const char *one[] = {path};
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), 0);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(report, "5 events, 1 checkpoint"));
  assert_int_equal(verify(one, 1, NULL, &bad, report, sizeof report), 0);
  /* the log grows; the old checkpoint still holds, a new one uses the same key */
  append_n(3, 3);
  char path2[1200];
  if (checkpoint(path2, sizeof path2, err, sizeof err))
    fail_msg("checkpoint: %s", err);
  assert_string_not_equal(path, path2);
  assert_int_equal(hv_audit_public_key(datadir, key2), 0);
  assert_string_equal(key, key2);
  const char *two[] = {path, path2};
  assert_int_equal(verify(two, 2, key, &bad, report, sizeof report), 0);
  assert_non_null(strstr(report, "8 events, 2 checkpoints"));
}

static void checkpoint_of_empty_log(void **state) {
  (void)state;
  char path[1200], err[256], key[65];
  if (checkpoint(path, sizeof path, err, sizeof err))
    fail_msg("checkpoint: %s", err);
  json_t *j = load_json(path);
  assert_int_equal(json_integer_value(json_object_get(j, "seq")), 0);
  json_decref(j);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  int64_t bad;
  char report[1024];
  const char *one[] = {path};
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), 0);
  append_n(2, 1); /* a later log still agrees with it */
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), 0);
}

static void edited_checkpoint_fails(void **state) {
  (void)state;
  char path[1200], err[256], key[65], forged[1200];
  int64_t bad;
  char report[1024];
  append_n(5, 1);
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), 0);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  snprintf(forged, sizeof forged, "%s/forged.json", datadir);
  const char *one[] = {forged};
  /* a smaller seq (as if the log had been shorter when signed) */
  json_t *j = load_json(path);
  json_object_set_new(j, "seq", json_integer(4));
  write_json(j, forged);
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), -1);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(report, "signature"));
  /* another hash, with the seq and signature as they were */
  json_object_set_new(j, "seq", json_integer(5));
  json_object_set_new(j, "hash", json_string(read_all()->e[3].hash));
  write_json(j, forged);
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), -1);
  assert_non_null(strstr(report, "signature"));
  json_decref(j);
  /* a file that is not a checkpoint */
  FILE *f = fopen(forged, "w");
  assert_non_null(f);
  fputs("{\"seq\": 5}", f);
  fclose(f);
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), -1);
  assert_int_equal(bad, 0);
  snprintf(forged, sizeof forged, "%s/missing.json", datadir);
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), -1);
  /* the genuine one is still fine */
  const char *real[] = {path};
  assert_int_equal(verify(real, 1, key, &bad, report, sizeof report), 0);
}

static void checkpoint_by_another_key_fails(void **state) {
  (void)state;
  char path[1200], err[256], key[65], other[65];
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  int64_t bad;
  char report[1024];
  append_n(3, 1);
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), 0);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  crypto_sign_keypair(pk, sk);
  sodium_bin2hex(other, sizeof other, pk, sizeof pk);
  const char *one[] = {path};
  assert_int_equal(verify(one, 1, other, &bad, report, sizeof report), -1);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(report, "another key"));
  /* a checkpoint re-signed by someone else's key, claiming to be ours */
  json_t *j = load_json(path);
  char msg[256], sighex[2 * crypto_sign_BYTES + 1], forged[1200];
  unsigned char sig[crypto_sign_BYTES];
  snprintf(msg, sizeof msg, "haven-audit-checkpoint-v1\n%lld\n%s\n%lld\n",
           (long long)json_integer_value(json_object_get(j, "seq")),
           json_string_value(json_object_get(j, "hash")),
           (long long)json_integer_value(json_object_get(j, "at")));
  crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk);
  sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
  json_object_set_new(j, "signature", json_string(sighex));
  snprintf(forged, sizeof forged, "%s/resigned.json", datadir);
  write_json(j, forged);
  const char *f1[] = {forged};
  assert_int_equal(verify(f1, 1, key, &bad, report, sizeof report), -1); /* bad signature */
  json_object_set_new(j, "public_key", json_string(other));
  write_json(j, forged);
  /* without a pinned key only the file's own consistency can be checked */
  assert_int_equal(verify(f1, 1, NULL, &bad, report, sizeof report), 0);
  assert_int_equal(verify(f1, 1, key, &bad, report, sizeof report), -1); /* but not ours */
  assert_non_null(strstr(report, "another key"));
  json_decref(j);
}

static void cut_tail_is_found_by_checkpoint(void **state) {
  (void)state;
  char early[1200], path[1200], err[256], key[65];
  int64_t bad;
  char report[1024];
  append_n(4, 1);
  assert_int_equal(checkpoint(early, sizeof early, err, sizeof err), 0);
  append_n(4, 2);
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), 0);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  drop_guards();
  assert_int_equal(sql1(&q_delete_from, HV_P_INT(7)), 2); /* events 7 and 8 */
  /* the chain alone cannot tell a cut tail from a shorter log ... */
  assert_verifies();
  const char *e1[] = {early};
  assert_int_equal(verify(e1, 1, key, &bad, report, sizeof report), 0);
  /* ... the checkpoint of event 8 can */
  const char *both[] = {early, path};
  assert_int_equal(verify(both, 2, key, &bad, report, sizeof report), -1);
  assert_int_equal(bad, 7);
  assert_non_null(strstr(report, "cut short"));
}

static void rewritten_chain_is_found_by_checkpoint(void **state) {
  (void)state;
  char path[1200], err[256], key[65];
  int64_t bad;
  char report[1024];
  append_n(5, 1);
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), 0);
  assert_int_equal(hv_audit_public_key(datadir, key), 0);
  drop_guards();
  /* an attacker who knows the algorithm changes event 2 and recomputes
   * every hash after it: the chain is consistent again */
  struct evs v = *read_all();
  snprintf(v.e[1].actor, sizeof v.e[1].actor, "user:1");
  for (int i = 1; i < v.n; i++) {
    char h[HV_HASH_HEX];
    memcpy(v.e[i].prev_hash, v.e[i - 1].hash, sizeof v.e[i].prev_hash); /* same size */
    struct hv_audit_row r = as_row(&v.e[i]);
    hv_audit_hash(&r, h);
    snprintf(v.e[i].hash, sizeof v.e[i].hash, "%s", h);
    set_text(C_ACTOR, v.e[i].seq, v.e[i].actor);
    set_text(C_PREV, v.e[i].seq, v.e[i].prev_hash);
    set_text(C_HASH, v.e[i].seq, v.e[i].hash);
  }
  assert_verifies();
  /* but the signed head no longer matches */
  const char *one[] = {path};
  assert_int_equal(verify(one, 1, key, &bad, report, sizeof report), -1);
  assert_int_equal(bad, 5);
  assert_non_null(strstr(report, "differs"));
}

static void checkpoint_refuses_broken_chain(void **state) {
  (void)state;
  char path[1200], err[256];
  append_n(3, 1);
  drop_guards();
  set_text(C_ACTOR, 2, "user:1");
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), -1);
  assert_non_null(strstr(err, "does not verify"));
  assert_non_null(strstr(err, "2"));
  char checkpoints[128];
  snprintf(checkpoints, sizeof checkpoints, "%s/checkpoints", datadir);
  struct stat st;
  assert_int_equal(stat(checkpoints, &st), -1); /* nothing written */
}

static void damaged_key_refused(void **state) {
  (void)state;
  char path[1200], err[256], key[65], keypath[128];
  append_n(1, 1);
  snprintf(keypath, sizeof keypath, "%s/audit-signing.key", datadir);
  FILE *f = fopen(keypath, "w");
  assert_non_null(f);
  fputs("short", f);
  fclose(f);
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), -1);
  assert_non_null(strstr(err, "damaged"));
  assert_int_equal(hv_audit_public_key(datadir, key), -1);
}

/* --- concurrency --------------------------------------------------------- */

#define THREADS 4
#define TX_PER_THREAD 25

struct worker {
  pthread_t t;
  int id;
  int ok;
  int gave_up; /* transactions the runner gave up on (retried here) */
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  char actor[32];
  snprintf(actor, sizeof actor, "user:%d", w->id);
  for (int i = 0; i < TX_PER_THREAD; i++) {
    struct append_ctx a = {actor, i, 1, false};
    /* The runner retries conflicts a few times, then gives up with
     * HV_QS_RETRY (the server answers 503). Under SERIALIZABLE every
     * concurrent append conflicts, so a transaction can lose that many
     * rounds; a client tries again. What must never happen is a gap, a
     * fork or an event committed twice. */
    enum hv_qs qs;
    int tries = 0;
    do
      qs = hv_store_tx(sc.store, true, append_tx, &a);
    while (qs == HV_QS_RETRY && ++tries < 20);
    w->gave_up += tries;
    if (qs == HV_QS_ONE)
      w->ok++;
  }
  return NULL;
}

static void concurrent_appends_form_one_chain(void **state) {
  (void)state;
  struct worker w[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct worker){0, i + 1, 0, 0};
    assert_int_equal(pthread_create(&w[i].t, NULL, worker_main, &w[i]), 0);
  }
  int gave_up = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(w[i].t, NULL);
    assert_int_equal(w[i].ok, TX_PER_THREAD);
    gave_up += w[i].gave_up;
  }
  if (gave_up)
    print_message("# %d of %d transactions were given up by the runner and tried again\n", gave_up,
                  THREADS * TX_PER_THREAD);
  struct evs *v = read_all();
  assert_int_equal(v->n, THREADS * TX_PER_THREAD);
  int seen[THREADS][TX_PER_THREAD] = {{0}};
  for (int i = 0; i < v->n; i++) {
    assert_int_equal(v->e[i].seq, i + 1); /* no gaps, no repeats */
    int who = atoi(v->e[i].actor + 5), obj = atoi(v->e[i].object_id);
    assert_true(who >= 1 && who <= THREADS && obj >= 0 && obj < TX_PER_THREAD);
    seen[who - 1][obj]++;
  }
  for (int i = 0; i < THREADS; i++)
    for (int j = 0; j < TX_PER_THREAD; j++)
      assert_int_equal(seen[i][j], 1);
  assert_verifies();
  char path[1200], err[256];
  assert_int_equal(checkpoint(path, sizeof path, err, sizeof err), 0);
  int64_t bad;
  char report[1024];
  const char *one[] = {path};
  assert_int_equal(verify(one, 1, NULL, &bad, report, sizeof report), 0);
}

/* --- fixtures ------------------------------------------------------------ */

static void remove_tree(const char *dir) {
  char p[1200];
  DIR *d = opendir(dir);
  struct dirent *de;
  if (!d)
    return;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      remove_tree(p);
    else
      unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static int fresh(void **state) {
  (void)state;
  snprintf(datadir, sizeof datadir, "/tmp/haven-audit-XXXXXX");
  if (!mkdtemp(datadir))
    return -1;
  return scratch_open(&sc, "audittest", THREADS);
}

static int done(void **state) {
  (void)state;
  scratch_close(&sc);
  remove_tree(datadir);
  return 0;
}

static int setup(void **state) {
  (void)state;
  return sodium_init() < 0 ? -1 : 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, done)

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hash_is_deterministic_and_covers_every_field),
      T(empty_log_verifies),
      T(appends_build_a_chain),
      T(commitment_binds_without_storing),
      T(rolled_back_appends_leave_no_trace),
      T(triggers_refuse_changes),
      T(changed_fields_are_found),
      T(deleted_rows_are_found),
      T(swapped_rows_are_found),
      T(renumbered_rows_are_found),
      T(checkpoint_signs_the_head),
      T(checkpoint_of_empty_log),
      T(edited_checkpoint_fails),
      T(checkpoint_by_another_key_fails),
      T(cut_tail_is_found_by_checkpoint),
      T(rewritten_chain_is_found_by_checkpoint),
      T(checkpoint_refuses_broken_chain),
      T(damaged_key_refused),
      T(concurrent_appends_form_one_chain),
  };
  return cmocka_run_group_tests_name("audit/audit", tests, setup, NULL);
}
