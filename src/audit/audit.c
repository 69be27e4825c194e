/* Audit log: append, hash chain, checkpoints, verification. */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

static const char zero_hash[HV_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void put_field(crypto_generichash_state *st, const void *p, size_t n) {
  unsigned char len[8];
  for (int i = 0; i < 8; i++)
    len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
  crypto_generichash_update(st, len, sizeof len);
  crypto_generichash_update(st, p, n);
}

static void put_str(crypto_generichash_state *st, const char *s) { put_field(st, s, strlen(s)); }

static void put_i64(crypto_generichash_state *st, int64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
  put_field(st, b, sizeof b);
}

void hv_audit_hash(const struct hv_audit_row *r, char out[HV_HASH_HEX]) {
  crypto_generichash_state st;
  unsigned char h[32];
  crypto_generichash_init(&st, NULL, 0, sizeof h);
  put_str(&st, "haven-audit-v1");
  put_str(&st, r->prev_hash);
  put_i64(&st, r->seq);
  put_i64(&st, r->at);
  put_str(&st, r->actor);
  put_str(&st, r->action);
  put_str(&st, r->object_type);
  put_str(&st, r->object_id);
  put_str(&st, r->commitment);
  crypto_generichash_final(&st, h, sizeof h);
  sodium_bin2hex(out, HV_HASH_HEX, h, sizeof h);
}

static struct hv_sql q_head =
    HV_SQL("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, commitment, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

struct head {
  int64_t seq;
  char hash[HV_HASH_HEX];
};

static int head_row(void *cls, const struct hv_row *r) {
  struct head *h = cls;
  h->seq = hv_row_int(r, 0);
  snprintf(h->hash, sizeof h->hash, "%s", hv_row_text(r, 1) ? hv_row_text(r, 1) : "");
  return 1;
}

enum hv_qs hv_audit_append(struct hv_conn *c, const struct hv_audit_event *ev) {
  struct head h = {0, ""};
  memcpy(h.hash, zero_hash, sizeof zero_hash);
  enum hv_qs qs = hv_db_query(c, &q_head, NULL, 0, head_row, &h);
  if (qs < 0)
    return qs;
  /* commitment = hex(salt) ":" hex(BLAKE2b(salt, change)): binds the event
   * to what changed without storing it; the salt stops guessing short
   * contents from the hash alone. */
  unsigned char salt[16], ch[32];
  char commitment[16 * 2 + 1 + 64 + 1];
  randombytes_buf(salt, sizeof salt);
  crypto_generichash(ch, sizeof ch, ev->change ? ev->change : (const void *)"", ev->change_len, salt,
                     sizeof salt);
  sodium_bin2hex(commitment, 33, salt, sizeof salt);
  commitment[32] = ':';
  sodium_bin2hex(commitment + 33, 65, ch, sizeof ch);
  struct hv_audit_row row = {h.seq + 1,        hv_clock_wall_ms(), ev->actor,  ev->action,
                             ev->object_type,  ev->object_id,      commitment, h.hash,
                             NULL};
  char hash[HV_HASH_HEX];
  hv_audit_hash(&row, hash);
  struct hv_param p[] = {HV_P_INT(row.seq),        HV_P_INT(row.at),          HV_P_TEXT(row.actor),
                         HV_P_TEXT(row.action),    HV_P_TEXT(row.object_type), HV_P_TEXT(row.object_id),
                         HV_P_TEXT(row.commitment), HV_P_TEXT(row.prev_hash), HV_P_TEXT(hash)};
  qs = hv_db_exec(c, &q_insert, p, 9);
  if (qs == HV_QS_CONFLICT)
    return HV_QS_RETRY; /* another transaction took this sequence number first */
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs head_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_head, NULL, 0, head_row, cls);
}

int hv_audit_head(struct hv_store *s) {
  struct head h = {0, ""};
  return hv_store_tx(s, false, head_tx, &h) < 0 ? -1 : (int)h.seq;
}

/* --- verification ---------------------------------------------------- */

static struct hv_sql q_all = HV_SQL(
    "SELECT seq, at, actor, action, object_type, object_id, commitment, prev_hash, hash "
    "FROM audit_events ORDER BY seq");

struct verify {
  FILE *report;
  int64_t expect;
  char prev[HV_HASH_HEX];
  int64_t bad;
  /* hashes at checkpoint sequences, filled as the chain is walked */
  const int64_t *cp_seq;
  char (*cp_hash)[HV_HASH_HEX];
  size_t ncp;
};

static int verify_row(void *cls, const struct hv_row *r) {
  struct verify *v = cls;
  struct hv_audit_row row = {hv_row_int(r, 0),  hv_row_int(r, 1),  hv_row_text(r, 2),
                             hv_row_text(r, 3), hv_row_text(r, 4), hv_row_text(r, 5),
                             hv_row_text(r, 6), hv_row_text(r, 7), hv_row_text(r, 8)};
  char hash[HV_HASH_HEX];
  if (!row.actor || !row.action || !row.object_type || !row.object_id || !row.commitment ||
      !row.prev_hash || !row.hash) {
    fprintf(v->report, "event %lld: a field is missing\n", (long long)row.seq);
    v->bad = row.seq;
    return 1;
  }
  if (row.seq != v->expect) {
    fprintf(v->report, "event %lld: expected sequence %lld (an event was removed or inserted)\n",
            (long long)row.seq, (long long)v->expect);
    v->bad = v->expect;
    return 1;
  }
  if (strcmp(row.prev_hash, v->prev) != 0) {
    fprintf(v->report, "event %lld: does not follow the previous event (reordered or replaced)\n",
            (long long)row.seq);
    v->bad = row.seq;
    return 1;
  }
  hv_audit_hash(&row, hash);
  if (strcmp(hash, row.hash) != 0) {
    fprintf(v->report, "event %lld: its contents were changed after it was written\n",
            (long long)row.seq);
    v->bad = row.seq;
    return 1;
  }
  for (size_t i = 0; i < v->ncp; i++)
    if (v->cp_seq[i] == row.seq)
      memcpy(v->cp_hash[i], row.hash, HV_HASH_HEX);
  memcpy(v->prev, row.hash, HV_HASH_HEX);
  v->expect++;
  return 0;
}

static enum hv_qs verify_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_all, NULL, 0, verify_row, cls);
}

/* The exact bytes a checkpoint signature covers. */
static void checkpoint_message(char *out, size_t cap, int64_t seq, const char *hash, int64_t at) {
  snprintf(out, cap, "haven-audit-checkpoint-v1\n%lld\n%s\n%lld\n", (long long)seq, hash,
           (long long)at);
}

struct checkpoint {
  int64_t seq, at;
  char hash[HV_HASH_HEX];
};

static int read_checkpoint(const char *path, const char *want_key, struct checkpoint *cp,
                           FILE *report) {
  json_error_t je;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  int rc = -1;
  const char *hash, *key, *sig;
  json_int_t seq, at;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sg[crypto_sign_BYTES];
  char msg[256];
  if (!j || json_unpack(j, "{s:I, s:I, s:s, s:s, s:s}", "seq", &seq, "at", &at, "hash", &hash,
                        "public_key", &key, "signature", &sig)) {
    fprintf(report, "checkpoint %s: unreadable\n", path);
    goto out;
  }
  if (strlen(hash) != 64 || sodium_hex2bin(pk, sizeof pk, key, strlen(key), NULL, NULL, NULL) ||
      sodium_hex2bin(sg, sizeof sg, sig, strlen(sig), NULL, NULL, NULL)) {
    fprintf(report, "checkpoint %s: malformed\n", path);
    goto out;
  }
  if (want_key && strcmp(want_key, key) != 0) {
    fprintf(report, "checkpoint %s: signed by another key than this installation's\n", path);
    goto out;
  }
  checkpoint_message(msg, sizeof msg, seq, hash, at);
  if (crypto_sign_verify_detached(sg, (const unsigned char *)msg, strlen(msg), pk)) {
    fprintf(report, "checkpoint %s: the signature does not match\n", path);
    goto out;
  }
  cp->seq = seq;
  cp->at = at;
  memcpy(cp->hash, hash, HV_HASH_HEX);
  rc = 0;
out:
  json_decref(j);
  return rc;
}

int hv_audit_verify(struct hv_store *s, const char *const *paths, size_t n, const char *want_key,
                    FILE *report, int64_t *bad_seq) {
  struct checkpoint *cps = calloc(n ? n : 1, sizeof *cps);
  int64_t *cp_seq = calloc(n ? n : 1, sizeof *cp_seq);
  char(*cp_hash)[HV_HASH_HEX] = calloc(n ? n : 1, HV_HASH_HEX);
  int rc = -1;
  *bad_seq = 0;
  if (!cps || !cp_seq || !cp_hash)
    goto out;
  for (size_t i = 0; i < n; i++) {
    if (read_checkpoint(paths[i], want_key, &cps[i], report))
      goto out;
    cp_seq[i] = cps[i].seq;
    if (cps[i].seq == 0) /* a checkpoint of the empty log */
      memcpy(cp_hash[i], zero_hash, HV_HASH_HEX);
  }
  struct verify v = {report, 1, "", 0, cp_seq, cp_hash, n};
  memcpy(v.prev, zero_hash, sizeof zero_hash);
  enum hv_qs qs = hv_store_tx(s, false, verify_tx, &v);
  if (qs < 0) {
    fprintf(report, "the database could not be read\n");
    goto out;
  }
  if (v.bad) {
    *bad_seq = v.bad;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (cps[i].seq >= v.expect) {
      fprintf(report, "checkpoint %s: event %lld is missing (the log was cut short)\n", paths[i],
              (long long)cps[i].seq);
      *bad_seq = v.expect;
      goto out;
    }
    if (strcmp(cp_hash[i], cps[i].hash) != 0) {
      fprintf(report, "checkpoint %s: event %lld differs from the signed checkpoint\n", paths[i],
              (long long)cps[i].seq);
      *bad_seq = cps[i].seq;
      goto out;
    }
  }
  fprintf(report, "audit log verified: %lld events, %zu checkpoint%s\n", (long long)(v.expect - 1),
          n, n == 1 ? "" : "s");
  rc = 0;
out:
  free(cps);
  free(cp_seq);
  free(cp_hash);
  return rc;
}

/* --- checkpoints ----------------------------------------------------- */

int hv_audit_public_key(const char *data_dir, char out[65]) {
  char path[1100];
  unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
  snprintf(path, sizeof path, "%s/audit-signing.key", data_dir);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, sk, sizeof sk);
  close(fd);
  if (n != (ssize_t)sizeof sk)
    return -1;
  crypto_sign_ed25519_sk_to_pk(pk, sk);
  sodium_memzero(sk, sizeof sk);
  sodium_bin2hex(out, 65, pk, sizeof pk);
  return 0;
}

static int load_or_create_key(const char *data_dir, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                              unsigned char sk[crypto_sign_SECRETKEYBYTES], char *err,
                              size_t errlen) {
  char path[1100];
  snprintf(path, sizeof path, "%s/audit-signing.key", data_dir);
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, sk, crypto_sign_SECRETKEYBYTES);
    close(fd);
    if (n != crypto_sign_SECRETKEYBYTES) {
      snprintf(err, errlen, "%s is damaged", path);
      return -1;
    }
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    return 0;
  }
  if (errno != ENOENT) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  crypto_sign_keypair(pk, sk);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 || write(fd, sk, crypto_sign_SECRETKEYBYTES) != crypto_sign_SECRETKEYBYTES ||
      fsync(fd)) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

int hv_audit_checkpoint(struct hv_store *s, const char *data_dir, char *path, size_t pathlen,
                        char *err, size_t errlen) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
  char msg[256], pkhex[2 * sizeof pk + 1], sighex[2 * sizeof sig + 1], dir[1100];
  int rc = -1;
  json_t *j = NULL;
  FILE *devnull = fopen("/dev/null", "w");
  /* One walk both checks the chain (never sign one that does not verify)
   * and finds its head. */
  struct verify walk = {devnull ? devnull : stderr, 1, "", 0, NULL, NULL, 0};
  memcpy(walk.prev, zero_hash, sizeof zero_hash);
  if (hv_store_tx(s, false, verify_tx, &walk) < 0) {
    snprintf(err, errlen, "the database could not be read");
    goto out;
  }
  if (walk.bad) {
    snprintf(err, errlen, "the audit log does not verify (first bad event %lld); not signing it",
             (long long)walk.bad);
    goto out;
  }
  if (load_or_create_key(data_dir, pk, sk, err, errlen))
    goto out;
  int64_t seq = walk.expect - 1;
  int64_t at = hv_clock_wall_ms();
  checkpoint_message(msg, sizeof msg, seq, walk.prev, at);
  crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk);
  sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
  sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
  snprintf(dir, sizeof dir, "%s/checkpoints", data_dir);
  if (mkdir(dir, 0700) && errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    goto out;
  }
  snprintf(path, pathlen, "%s/checkpoint-%012lld.json", dir, (long long)seq);
  j = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "format", "haven-audit-checkpoint-v1", "seq",
                (json_int_t)seq, "at", (json_int_t)at, "hash", walk.prev, "public_key", pkhex,
                "signature", sighex);
  if (!j || json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
    snprintf(err, errlen, "cannot write %s", path);
    goto out;
  }
  rc = 0;
out:
  sodium_memzero(sk, sizeof sk);
  json_decref(j);
  if (devnull)
    fclose(devnull);
  return rc;
}
