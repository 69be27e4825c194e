/* The tamper-evident audit log. Every state change appends one event in
 * the same transaction as the change. Each event's hash covers the
 * previous event's hash and its own fields (a hash chain, BLAKE2b-256), so
 * verify finds any changed, removed, inserted or reordered event. Signed
 * checkpoints (Ed25519, key in the data folder, outside the database) pin
 * the chain's head so even a rewrite of the whole table is caught. */
#ifndef HV_AUDIT_H
#define HV_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_audit_routes[];
extern const size_t hv_audit_nroutes;

#define HV_HASH_HEX 65 /* 32 bytes as hex, with NUL */

struct hv_audit_event {
  const char *actor;       /* "user:12", "token:3", "system", "anonymous" */
  const char *action;      /* "session.create", "user.disable", ... */
  const char *object_type; /* "user", "session", "department", ... */
  const char *object_id;
  const void *change; /* what changed (committed to, never stored) */
  size_t change_len;
};

/* Appends `ev` inside the caller's write transaction. A concurrent append
 * answers HV_QS_RETRY so the runner redoes the whole transaction. */
enum hv_qs hv_audit_append(struct hv_conn *c, const struct hv_audit_event *ev);

/* The fields as stored, for hashing and verification. */
struct hv_audit_row {
  int64_t seq, at;
  const char *actor, *action, *object_type, *object_id, *commitment, *prev_hash, *hash;
};

/* The newest sequence number (0 for an empty log), or -1 on failure. */
int hv_audit_head(struct hv_store *s);

/* hash = BLAKE2b-256 over the length-prefixed fields and prev_hash. */
void hv_audit_hash(const struct hv_audit_row *r, char out[HV_HASH_HEX]);

/* Verifies the chain in `s` and each checkpoint file given. Writes
 * findings to `report`. Returns 0 when all is well; otherwise -1 and
 * *bad_seq is the first bad sequence number (0 when the fault is in a
 * checkpoint file itself). */
int hv_audit_verify(struct hv_store *s, const char *const *checkpoints, size_t n,
                    const char *want_key, FILE *report, int64_t *bad_seq);

/* The installation's checkpoint public key (hex) from `data_dir`; -1 when
 * no key has been made yet. */
int hv_audit_public_key(const char *data_dir, char out[65]);

/* Signs the current head with the key in `data_dir` (created on first
 * use) and writes a checkpoint file into data_dir/checkpoints/. The path
 * written goes to `path`. Returns 0, or -1 with a message in `err`. */
int hv_audit_checkpoint(struct hv_store *s, const char *data_dir, char *path, size_t pathlen,
                        char *err, size_t errlen);

#endif
