/* Attachments: the key, sealing and opening, durable files, and the SQL.
 *
 * Order of an upload (attach_http.c drives it): check the caller may add
 * to the report; sniff, strip, seal; write the file under a temporary name,
 * fsync it, rename it into place, fsync the folder; only then commit the
 * row and its audit event. A crash before the commit leaves at most an
 * orphan file nobody refers to (never a row without its file), and a
 * failed commit removes the file again.
 *
 * The associated data binds each sealed file to its storage name and its
 * report, so someone with access to the disk and the database cannot swap
 * files between rows or move a row to another report unnoticed. */
#include "modules/incidents/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "core/keyfile.h"
#include "modules/incidents/incidents.h"

#define NZ(s) ((s) ? (s) : "")
#define PATH_CAP 1200

/* --- key ------------------------------------------------------------------ */

int hv_attach_key_load(const char *data_dir, unsigned char key[HV_ATTACH_KEY_BYTES], char *err,
                       size_t errlen) {
  return hv_keyfile_load(data_dir, HV_ATTACH_KEY_FILE, key, HV_ATTACH_KEY_BYTES, err, errlen);
}

/* --- names and sealing ------------------------------------------------------ */

void hv_attach_new_name(char out[HV_ATTACH_NAME_LEN + 1]) {
  unsigned char r[HV_ATTACH_NAME_LEN / 2];
  randombytes_buf(r, sizeof r);
  sodium_bin2hex(out, HV_ATTACH_NAME_LEN + 1, r, sizeof r);
}

bool hv_attach_name_valid(const char *name) {
  if (!name || strlen(name) != HV_ATTACH_NAME_LEN)
    return false;
  for (size_t i = 0; i < HV_ATTACH_NAME_LEN; i++)
    if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
      return false;
  return true;
}

/* "<kind>:<owner id>:<storage name>", the kind "haven.attachment.v1" for
 * reports' files. */
static size_t assoc(char ad[96], const char *kind, int64_t owner_id, const char *name) {
  int n = snprintf(ad, 96, "%s:%lld:%s", kind, (long long)owner_id, name);
  return n > 0 && n < 96 ? (size_t)n : 0;
}

unsigned char *hv_attach_seal(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *plain, size_t n,
                              size_t *outlen) {
  return hv_attach_seal_as(key, HV_ATTACH_KIND_INCIDENT, incident_id, name, plain, n, outlen);
}

unsigned char *hv_attach_open(const unsigned char key[HV_ATTACH_KEY_BYTES], int64_t incident_id,
                              const char *name, const unsigned char *sealed, size_t n,
                              size_t *outlen) {
  return hv_attach_open_as(key, HV_ATTACH_KIND_INCIDENT, incident_id, name, sealed, n, outlen);
}

unsigned char *hv_attach_seal_as(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                                 int64_t owner_id, const char *name, const unsigned char *plain,
                                 size_t n, size_t *outlen) {
  char ad[96];
  size_t adlen = assoc(ad, kind, owner_id, NZ(name));
  if (!hv_attach_name_valid(name) || !adlen ||
      n > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX || n > SIZE_MAX - HV_ATTACH_OVERHEAD)
    return NULL;
  unsigned char *out = malloc(n + HV_ATTACH_OVERHEAD);
  if (!out)
    return NULL;
  unsigned char *nonce = out;
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                             &clen, plain, n, (const unsigned char *)ad, adlen,
                                             NULL, nonce, key);
  *outlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
  return out;
}

unsigned char *hv_attach_open_as(const unsigned char key[HV_ATTACH_KEY_BYTES], const char *kind,
                                 int64_t owner_id, const char *name, const unsigned char *sealed,
                                 size_t n, size_t *outlen) {
  char ad[96];
  size_t adlen = assoc(ad, kind, owner_id, NZ(name));
  if (!hv_attach_name_valid(name) || !adlen || !sealed || n < HV_ATTACH_OVERHEAD)
    return NULL;
  size_t plen = n - HV_ATTACH_OVERHEAD;
  unsigned char *out = malloc(plen + 1);
  if (!out)
    return NULL;
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out, &mlen, NULL, sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, (const unsigned char *)ad, adlen,
          sealed, key) != 0) {
    free(out);
    return NULL;
  }
  out[mlen] = '\0';
  *outlen = (size_t)mlen;
  return out;
}

/* --- files ---------------------------------------------------------------- */

static int file_path(char *out, size_t cap, const char *data_dir, const char *prefix,
                     const char *name) {
  if (!hv_attach_name_valid(name))
    return -1;
  int n = snprintf(out, cap, "%s/%s/%s%s", data_dir, HV_ATTACH_DIR, prefix, name);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

int hv_attach_file_write(const char *data_dir, const char *name, const unsigned char *p, size_t n,
                         char *err, size_t errlen) {
  char dir[PATH_CAP], tmp[PATH_CAP], path[PATH_CAP];
  snprintf(dir, sizeof dir, "%s/%s", data_dir, HV_ATTACH_DIR);
  if (file_path(path, sizeof path, data_dir, "", name) ||
      file_path(tmp, sizeof tmp, data_dir, ".tmp-", name)) {
    snprintf(err, errlen, "bad attachment name or data folder path too long");
    return -1;
  }
  if (mkdir(dir, 0700) == 0) {
    if (hv_keyfile_fsync_dir(data_dir)) {
      snprintf(err, errlen, "cannot sync %s: %s", data_dir, strerror(errno));
      return -1;
    }
  } else if (errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    return -1;
  }
  if (hv_keyfile_write_new(tmp, p, n)) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    return -1;
  }
  if (rename(tmp, path)) {
    snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
    unlink(tmp);
    return -1;
  }
  if (hv_keyfile_fsync_dir(dir)) {
    snprintf(err, errlen, "cannot sync %s: %s", dir, strerror(errno));
    unlink(path);
    return -1;
  }
  return 0;
}

unsigned char *hv_attach_file_read(const char *data_dir, const char *name, size_t max,
                                   size_t *outlen) {
  char path[PATH_CAP];
  if (file_path(path, sizeof path, data_dir, "", name))
    return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return NULL;
  struct stat st;
  unsigned char *buf = NULL;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size > max)
    goto fail;
  size_t size = (size_t)st.st_size, off = 0;
  buf = malloc(size ? size : 1);
  if (!buf)
    goto fail;
  while (off < size) {
    ssize_t r = read(fd, buf + off, size - off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      goto fail;
    off += (size_t)r;
  }
  close(fd);
  *outlen = size;
  return buf;
fail:
  free(buf);
  close(fd);
  return NULL;
}

int hv_attach_file_remove(const char *data_dir, const char *name) {
  char path[PATH_CAP];
  if (file_path(path, sizeof path, data_dir, "", name))
    return -1;
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

const char *hv_attach_ext(const char *mime) {
  if (!mime)
    return NULL;
  if (strcmp(mime, "image/jpeg") == 0)
    return "jpg";
  if (strcmp(mime, "image/png") == 0)
    return "png";
  if (strcmp(mime, "application/pdf") == 0)
    return "pdf";
  return NULL;
}

/* --- store ------------------------------------------------------------------ */

static struct hv_sql q_report =
    HV_SQL("SELECT status, ref FROM incidents WHERE id = ? AND (? = 0 OR department_id = ?)");
static struct hv_sql q_count =
    HV_SQL("SELECT COUNT(*) FROM incident_attachments WHERE incident_id = ?");
static struct hv_sql q_insert = HV_SQL(
    "INSERT INTO incident_attachments (incident_id, storage_name, file_name, content_type, size, "
    "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
#define ATT_COLS                                                                                   \
  "a.id, a.incident_id, a.storage_name, a.file_name, a.content_type, a.size, a.uploaded_by, "      \
  "a.uploaded_at, u.display_name "
#define ATT_FROM                                                                                   \
  "FROM incident_attachments a JOIN incidents i ON i.id = a.incident_id "                          \
  "JOIN users u ON u.id = a.uploaded_by "
static struct hv_sql q_get =
    HV_SQL("SELECT " ATT_COLS ATT_FROM "WHERE a.incident_id = ? AND a.id = ? AND "
           "(? = 0 OR i.department_id = ?)");
static struct hv_sql q_list =
    HV_SQL("SELECT " ATT_COLS ATT_FROM "WHERE a.incident_id = ? ORDER BY a.id LIMIT 500");
static struct hv_sql q_idem_get =
    HV_SQL("SELECT request_hash, body FROM idempotency_keys WHERE user_id = ? AND key = ?");
static struct hv_sql q_idem_put = HV_SQL(
    "INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body, created_at) "
    "VALUES (?, ?, 'attachments', ?, 201, ?, ?)");

struct report_state {
  int found;
  char status[16], ref[32];
};

static int report_row(void *cls, const struct hv_row *r) {
  struct report_state *x = cls;
  x->found = 1;
  snprintf(x->status, sizeof x->status, "%s", NZ(hv_row_text(r, 0)));
  snprintf(x->ref, sizeof x->ref, "%s", NZ(hv_row_text(r, 1)));
  return 1;
}

/* The edit rule of incidents/store.c (update_tx), applied to attachments. */
static enum hv_qs check_may_add(struct hv_conn *c, struct hv_attachment_write *w,
                                struct report_state *x) {
  struct hv_param p[] = {HV_P_INT(w->incident_id), HV_P_INT(w->scope), HV_P_INT(w->scope)};
  memset(x, 0, sizeof *x);
  w->refusal = NULL;
  if (w->scope < 0)
    return HV_QS_NONE;
  enum hv_qs qs = hv_db_query(c, &q_report, p, 3, report_row, x);
  if (qs <= 0)
    return qs;
  int st = hv_status_parse(x->status);
  bool citywide = (w->by->roles & HV_CITYWIDE) != 0;
  bool writer = (w->by->roles & HV_PERM_INCIDENT_WRITE) != 0;
  bool open = st == HV_ST_DRAFT || st == HV_ST_NEEDS_INFO ||
              ((st == HV_ST_SUBMITTED || st == HV_ST_IN_REVIEW) && citywide);
  if (!writer || !open) {
    w->refusal = "Files are added while a report is a draft or needs information (MOIA also "
                 "while it is submitted or in review), never once it is verified or closed.";
    w->refusal_status = 409;
    return HV_QS_CONFLICT;
  }
  return HV_QS_ONE;
}

static enum hv_qs may_add_tx(struct hv_conn *c, void *cls) {
  struct report_state x;
  return check_may_add(c, cls, &x);
}

enum hv_qs hv_attachment_may_add(struct hv_store *s, struct hv_attachment_write *w) {
  return hv_store_tx(s, false, may_add_tx, w);
}

static int att_row(void *cls, const struct hv_row *r) {
  struct hv_attachment *a = cls;
  a->id = hv_row_int(r, 0);
  a->incident_id = hv_row_int(r, 1);
  snprintf(a->storage_name, sizeof a->storage_name, "%s", NZ(hv_row_text(r, 2)));
  snprintf(a->file_name, sizeof a->file_name, "%s", NZ(hv_row_text(r, 3)));
  snprintf(a->content_type, sizeof a->content_type, "%s", NZ(hv_row_text(r, 4)));
  a->size = hv_row_int(r, 5);
  a->uploaded_by = hv_row_int(r, 6);
  a->uploaded_at = hv_row_int(r, 7);
  return 1;
}

struct idem {
  int found;
  char hash[80], body[128];
};

static int idem_row(void *cls, const struct hv_row *r) {
  struct idem *x = cls;
  x->found = 1;
  snprintf(x->hash, sizeof x->hash, "%s", NZ(hv_row_text(r, 0)));
  snprintf(x->body, sizeof x->body, "%s", NZ(hv_row_text(r, 1)));
  return 1;
}

static enum hv_qs get_row(struct hv_conn *c, int64_t incident_id, int64_t id, int64_t scope,
                          struct hv_attachment *out) {
  struct hv_param p[] = {HV_P_INT(incident_id), HV_P_INT(id), HV_P_INT(scope), HV_P_INT(scope)};
  memset(out, 0, sizeof *out);
  if (scope < 0)
    return HV_QS_NONE;
  return hv_db_query(c, &q_get, p, 4, att_row, out);
}

static enum hv_qs add_tx(struct hv_conn *c, void *cls) {
  struct hv_attachment_write *w = cls;
  struct report_state x;
  int64_t now = hv_clock_wall_ms(), count = 0, id = 0;
  w->replayed = false;
  enum hv_qs qs = check_may_add(c, w, &x);
  if (qs <= 0)
    return qs;
  if (w->idem_key) {
    struct idem k = {0, "", ""};
    struct hv_param kp[] = {HV_P_INT(w->by->user_id), HV_P_TEXT(w->idem_key)};
    if ((qs = hv_db_query(c, &q_idem_get, kp, 2, idem_row, &k)) < 0)
      return qs;
    if (k.found) {
      json_t *b = json_loads(k.body, 0, NULL);
      int64_t prev = json_integer_value(json_object_get(b, "attachment_id"));
      json_decref(b);
      if (strcmp(k.hash, NZ(w->idem_hash)) != 0 || !prev) {
        w->refusal = "This Idempotency-Key was already used for a different request.";
        w->refusal_status = 422;
        return HV_QS_CONFLICT;
      }
      w->replayed = true;
      return get_row(c, w->incident_id, prev, w->scope, &w->row);
    }
  }
  struct hv_param cp[] = {HV_P_INT(w->incident_id)};
  if ((qs = hv_db_int(c, &q_count, cp, 1, &count)) < 0)
    return qs;
  const char *ext = hv_attach_ext(w->content_type);
  if (!ext)
    return HV_QS_HARD; /* BUG: the handler sniffed something we do not store */
  char file_name[64];
  snprintf(file_name, sizeof file_name, "%s-%lld.%s", x.ref, (long long)count + 1, ext);
  struct hv_param p[] = {HV_P_INT(w->incident_id),
                         HV_P_TEXT(w->storage_name),
                         HV_P_TEXT(file_name),
                         HV_P_TEXT(w->content_type),
                         HV_P_INT(w->size),
                         HV_P_INT(w->by->user_id),
                         HV_P_INT(now)};
  if ((qs = hv_db_int(c, &q_insert, p, 7, &id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  if (w->idem_key) {
    char body[64];
    snprintf(body, sizeof body, "{\"attachment_id\":%lld}", (long long)id);
    struct hv_param kp[] = {HV_P_INT(w->by->user_id), HV_P_TEXT(w->idem_key),
                            HV_P_TEXT(w->idem_hash), HV_P_TEXT(body), HV_P_INT(now)};
    qs = hv_db_exec(c, &q_idem_put, kp, 5);
    if (qs == HV_QS_CONFLICT)
      return HV_QS_RETRY; /* a twin committed first: go round and answer as it did */
    if (qs < 0)
      return qs;
  }
  /* The audit event commits to what was added, never to the content. */
  char oid[32], change[200];
  snprintf(oid, sizeof oid, "%lld", (long long)w->incident_id);
  int cn = snprintf(change, sizeof change, "ref=%s attachment=%lld type=%s size=%lld", x.ref,
                    (long long)id, w->content_type, (long long)w->size);
  struct hv_audit_event ev = {w->by->actor, "incident.attach",      "incident", oid,
                              change,       cn > 0 ? (size_t)cn : 0};
  if ((qs = hv_audit_append(c, &ev)) < 0)
    return qs;
  return get_row(c, w->incident_id, id, 0, &w->row);
}

enum hv_qs hv_attachment_add(struct hv_store *s, struct hv_attachment_write *w) {
  return hv_store_tx(s, true, add_tx, w);
}

struct get_args {
  int64_t incident_id, id, scope;
  struct hv_attachment *out;
};

static enum hv_qs get_tx(struct hv_conn *c, void *cls) {
  struct get_args *a = cls;
  return get_row(c, a->incident_id, a->id, a->scope, a->out);
}

enum hv_qs hv_attachment_get(struct hv_store *s, int64_t incident_id, int64_t id, int64_t scope,
                             struct hv_attachment *out) {
  struct get_args a = {incident_id, id, scope, out};
  return hv_store_tx(s, false, get_tx, &a);
}

static int list_row(void *cls, const struct hv_row *r) {
  struct hv_attachment a;
  att_row(&a, r);
  json_array_append_new(
      cls, json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I}", "id", (json_int_t)a.id,
                     "incident_id", (json_int_t)a.incident_id, "file_name", a.file_name,
                     "content_type", a.content_type, "size", (json_int_t)a.size, "uploaded_by",
                     (json_int_t)a.uploaded_by, "uploaded_by_name", NZ(hv_row_text(r, 8)),
                     "uploaded_at", (json_int_t)a.uploaded_at));
  return 0;
}

struct list_args {
  int64_t incident_id, scope;
  json_t *list;
};

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct report_state x = {0, "", ""};
  struct hv_param p[] = {HV_P_INT(a->incident_id), HV_P_INT(a->scope), HV_P_INT(a->scope)};
  if (a->scope < 0)
    return HV_QS_NONE;
  enum hv_qs qs = hv_db_query(c, &q_report, p, 3, report_row, &x);
  if (qs <= 0)
    return qs;
  json_array_clear(a->list); /* a retried transaction starts again */
  struct hv_param l[] = {HV_P_INT(a->incident_id)};
  return hv_db_query(c, &q_list, l, 1, list_row, a->list) < 0 ? HV_QS_HARD : HV_QS_ONE;
}

enum hv_qs hv_attachments_list(struct hv_store *s, int64_t incident_id, int64_t scope,
                               json_t **out) {
  struct list_args a = {incident_id, scope, json_array()};
  if (!a.list)
    return HV_QS_HARD;
  enum hv_qs qs = hv_store_tx(s, false, list_tx, &a);
  if (qs > 0)
    *out = a.list;
  else
    json_decref(a.list);
  return qs;
}
