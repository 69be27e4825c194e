/* Roles, tokens, sessions, throttling and the request hook. */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/form.h"
#include "http/headers.h"
#include "http/multipart.h"
#include "web/app.h"

static const char *const role_names[HV_ROLE_MAX] = {"admin", "moia", "liaison", "legal",
                                                    "agent311", "workgroup", "auditor",
                                                    "staff"};

const char *hv_role_name(enum hv_role r) { return r < HV_ROLE_MAX ? role_names[r] : "?"; }

int hv_role_parse(const char *name) {
  for (int i = 0; i < HV_ROLE_MAX; i++)
    if (strcmp(name, role_names[i]) == 0)
      return i;
  return -1;
}

int hv_roles_parse(const char *list, unsigned *mask) {
  char tmp[256];
  char *save = NULL;
  *mask = 0;
  if (snprintf(tmp, sizeof tmp, "%s", list) >= (int)sizeof tmp)
    return -1;
  for (char *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
    int r = hv_role_parse(t);
    if (r < 0)
      return -1;
    *mask |= HV_ROLE_BIT(r);
  }
  return 0;
}

void hv_roles_format(unsigned mask, char *out, size_t cap) {
  size_t o = 0;
  out[0] = '\0';
  for (int i = 0; i < HV_ROLE_MAX; i++)
    if (mask & HV_ROLE_BIT(i)) {
      int w = snprintf(out + o, cap - o, "%s%s", o ? "," : "", role_names[i]);
      if (w < 0 || (size_t)w >= cap - o) {
        out[o] = '\0'; /* whole names only, never half of one */
        return;
      }
      o += (size_t)w;
    }
}

void hv_token_hash(const char *token, char hash[HV_TOKEN_HASH_LEN + 1]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
  sodium_bin2hex(hash, HV_TOKEN_HASH_LEN + 1, h, sizeof h);
}

void hv_token_new(char token[HV_TOKEN_LEN + 1], char hash[HV_TOKEN_HASH_LEN + 1]) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, HV_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  if (hash)
    hv_token_hash(token, hash);
}

static struct hv_sql q_session_insert = HV_SQL(
    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at) "
    "VALUES (?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_session_end =
    HV_SQL("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL");
static struct hv_sql q_sessions_end_user = HV_SQL(
    "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND id <> ? AND ended_at IS NULL");
static struct hv_sql q_user_roles = HV_SQL("SELECT role FROM user_roles WHERE user_id = ?");

enum hv_qs hv_session_create(struct hv_conn *c, int64_t user_id, char token[HV_TOKEN_LEN + 1],
                             char csrf[HV_TOKEN_LEN + 1], int64_t *session_id) {
  char hash[HV_TOKEN_HASH_LEN + 1];
  int64_t now = hv_clock_wall_ms();
  hv_token_new(token, hash);
  hv_token_new(csrf, NULL);
  struct hv_param p[] = {HV_P_TEXT(hash), HV_P_INT(user_id), HV_P_TEXT(csrf), HV_P_INT(now),
                         HV_P_INT(now)};
  return hv_db_int(c, &q_session_insert, p, 5, session_id);
}

enum hv_qs hv_session_end(struct hv_conn *c, int64_t session_id) {
  struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(session_id)};
  return hv_db_exec(c, &q_session_end, p, 2);
}

enum hv_qs hv_sessions_end_user(struct hv_conn *c, int64_t user_id, int64_t except) {
  struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(user_id), HV_P_INT(except)};
  return hv_db_exec(c, &q_sessions_end_user, p, 3);
}

static int role_row(void *cls, const struct hv_row *r) {
  int role = hv_role_parse(hv_row_text(r, 0) ? hv_row_text(r, 0) : "");
  if (role >= 0)
    *(unsigned *)cls |= HV_ROLE_BIT(role);
  return 0;
}

enum hv_qs hv_user_roles(struct hv_conn *c, int64_t user_id, unsigned *mask) {
  struct hv_param p[] = {HV_P_INT(user_id)};
  *mask = 0;
  return hv_db_query(c, &q_user_roles, p, 1, role_row, mask);
}

/* --- the request hook ------------------------------------------------ */

static struct hv_sql q_session_lookup = HV_SQL(
    "SELECT s.id, s.user_id, s.csrf, s.created_at, s.last_seen_at, u.email, u.display_name, "
    "COALESCE(u.department_id, 0), u.must_change_password, u.active "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = ? AND s.ended_at IS NULL");
static struct hv_sql q_session_touch = HV_SQL("UPDATE sessions SET last_seen_at = ? WHERE id = ?");
static struct hv_sql q_token_lookup = HV_SQL(
    "SELECT t.id, t.created_by, t.role, COALESCE(t.department_id, 0), t.expires_at, t.name, "
    "t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.created_by "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1");
static struct hv_sql q_token_touch = HV_SQL("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");

struct lookup {
  const struct hv_app *app;
  const char *hash;
  struct hv_principal *p;
  int64_t created, last_seen, expires, last_used;
  int active;
  int found;
  int expired;
};

static int session_row(void *cls, const struct hv_row *r) {
  struct lookup *l = cls;
  l->found = 1;
  l->p->session_id = hv_row_int(r, 0);
  l->p->user_id = hv_row_int(r, 1);
  snprintf(l->p->csrf, sizeof l->p->csrf, "%s", hv_row_text(r, 2) ? hv_row_text(r, 2) : "");
  l->created = hv_row_int(r, 3);
  l->last_seen = hv_row_int(r, 4);
  snprintf(l->p->email, sizeof l->p->email, "%s", hv_row_text(r, 5) ? hv_row_text(r, 5) : "");
  snprintf(l->p->name, sizeof l->p->name, "%s", hv_row_text(r, 6) ? hv_row_text(r, 6) : "");
  l->p->department_id = hv_row_int(r, 7);
  l->p->must_change_password = hv_row_int(r, 8) != 0;
  l->active = hv_row_int(r, 9) != 0;
  return 1;
}

/* Read-only: most requests end here, so authenticated traffic never
 * queues behind SQLite's single writer. */
static enum hv_qs session_tx(struct hv_conn *c, void *cls) {
  struct lookup *l = cls;
  struct hv_param p[] = {HV_P_TEXT(l->hash)};
  int64_t now = hv_clock_wall_ms();
  enum hv_qs qs = hv_db_query(c, &q_session_lookup, p, 1, session_row, l);
  if (qs <= 0)
    return qs;
  const struct hv_config *cfg = l->app->cfg;
  if (!l->active || now - l->last_seen > (int64_t)cfg->session_idle * 1000 ||
      now - l->created > (int64_t)cfg->session_absolute * 1000) {
    l->expired = 1;
    return HV_QS_ONE;
  }
  return hv_user_roles(c, l->p->user_id, &l->p->roles);
}

/* The rare write: end an expired session, or note activity once a minute. */
static enum hv_qs session_write_tx(struct hv_conn *c, void *cls) {
  struct lookup *l = cls;
  if (l->expired)
    return hv_session_end(c, l->p->session_id);
  struct hv_param t[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(l->p->session_id)};
  return hv_db_exec(c, &q_session_touch, t, 2);
}

static int token_row(void *cls, const struct hv_row *r) {
  struct lookup *l = cls;
  l->found = 1;
  l->p->token_id = hv_row_int(r, 0);
  l->p->user_id = hv_row_int(r, 1);
  int role = hv_role_parse(hv_row_text(r, 2) ? hv_row_text(r, 2) : "");
  l->p->roles = role >= 0 ? HV_ROLE_BIT(role) : 0;
  l->p->department_id = hv_row_int(r, 3);
  l->expires = hv_row_int(r, 4);
  snprintf(l->p->name, sizeof l->p->name, "%s", hv_row_text(r, 5) ? hv_row_text(r, 5) : "");
  l->last_used = hv_row_null(r, 6) ? 0 : hv_row_int(r, 6);
  return 1;
}

static enum hv_qs token_tx(struct hv_conn *c, void *cls) {
  struct lookup *l = cls;
  struct hv_param p[] = {HV_P_TEXT(l->hash)};
  enum hv_qs qs = hv_db_query(c, &q_token_lookup, p, 1, token_row, l);
  if (qs > 0 && hv_clock_wall_ms() >= l->expires)
    l->expired = 1;
  return qs;
}

static enum hv_qs token_write_tx(struct hv_conn *c, void *cls) {
  struct lookup *l = cls;
  struct hv_param t[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(l->p->token_id)};
  return hv_db_exec(c, &q_token_touch, t, 2);
}

static bool csrf_matches(struct hv_request *rq, const char *want) {
  const char *got = hv_header(rq, "X-CSRF-Token");
  if (!got && rq->body && rq->body_len) {
    const char *ct = hv_header(rq, "Content-Type");
    struct hv_form f;
    /* Values as long as the body the route accepted (its cap already
     * bounds them): a form with one long field, such as the protocol
     * editor's text, still has its token read. */
    struct hv_form_limits lim = hv_form_default_limits;
    if (lim.max_value < rq->body_len)
      lim.max_value = rq->body_len;
    if (ct && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
        hv_form_parse(rq->arena, rq->body, rq->body_len, &lim, &f) == HV_FORM_OK)
      got = hv_form_get(&f, "csrf");
    struct hv_part parts[HV_MULTIPART_MAX_PARTS];
    int n;
    if (!got && ct && strncmp(ct, "multipart/form-data", 19) == 0 &&
        (n = hv_multipart_parse(rq->arena, ct, rq->body, rq->body_len, parts,
                                HV_MULTIPART_MAX_PARTS)) > 0) {
      const struct hv_part *p = hv_multipart_get(parts, n, "csrf");
      if (p)
        got = hv_arena_strndup(rq->arena, p->data, p->len);
    }
  }
  size_t n = strlen(want);
  return got && n == HV_TOKEN_LEN && strlen(got) == n && sodium_memcmp(got, want, n) == 0;
}

unsigned hv_auth_request(struct hv_request *rq, int *csrf_ok) {
  struct hv_app *app = rq->app;
  char token[128];
  char hash[HV_TOKEN_HASH_LEN + 1];
  struct hv_principal *p;
  struct lookup l;
  *csrf_ok = 0;
  const char *authz = hv_header(rq, "Authorization");
  bool bearer = authz && strncmp(authz, "Bearer ", 7) == 0;
  if (bearer) {
    if (strlen(authz + 7) != HV_TOKEN_LEN)
      return 0;
    snprintf(token, sizeof token, "%s", authz + 7);
  } else if (hv_cookie_get(hv_header(rq, "Cookie"), HV_SESSION_COOKIE, token, sizeof token) !=
             HV_TOKEN_LEN) {
    return 0;
  }
  p = hv_arena_calloc(rq->arena, 1, sizeof *p);
  if (!p)
    return 0;
  hv_token_hash(token, hash);
  memset(&l, 0, sizeof l);
  l.app = app;
  l.hash = hash;
  l.p = p;
  enum hv_qs qs = hv_store_tx(app->store, false, bearer ? token_tx : session_tx, &l);
  if (qs < 0 || !l.found)
    return 0;
  int64_t now = hv_clock_wall_ms();
  if (!bearer && (l.expired || now - l.last_seen > 60 * 1000))
    (void)hv_store_tx(app->store, true, session_write_tx, &l);
  else if (bearer && !l.expired && now - l.last_used > 60 * 1000)
    (void)hv_store_tx(app->store, true, token_write_tx, &l);
  if (l.expired)
    return 0;
  if (bearer) {
    snprintf(p->actor, sizeof p->actor, "token:%lld", (long long)p->token_id);
    rq->via_token = true;
    *csrf_ok = 1; /* no ambient credential: nothing for a forged request to ride on */
  } else {
    snprintf(p->actor, sizeof p->actor, "user:%lld", (long long)p->user_id);
    *csrf_ok = csrf_matches(rq, p->csrf);
    rq->must_change_password = p->must_change_password;
  }
  rq->principal = p;
  return p->roles;
}

/* Equal in time that depends on neither value nor length: both sides are
 * hashed to 32 bytes first. */
static bool secret_equal(const char *got, size_t got_len, const char *want) {
  unsigned char a[32], b[32];
  crypto_generichash(a, sizeof a, (const unsigned char *)got, got_len, NULL, 0);
  crypto_generichash(b, sizeof b, (const unsigned char *)want, strlen(want), NULL, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

bool hv_auth_webhook(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *want = app->cfg->sms_inbound_token;
  const char *authz = hv_header(rq, "Authorization");
  if (!want[0] || !authz)
    return false;
  if (strncmp(authz, "Bearer ", 7) == 0)
    return secret_equal(authz + 7, strlen(authz + 7), want);
  if (strncmp(authz, "Basic ", 6) != 0)
    return false;
  unsigned char raw[512];
  size_t n = 0;
  const char *b64 = authz + 6;
  if (sodium_base642bin(raw, sizeof raw - 1, b64, strlen(b64), NULL, &n, NULL,
                        sodium_base64_VARIANT_ORIGINAL))
    return false;
  raw[n] = '\0';
  const char *colon = memchr(raw, ':', n);
  bool ok = colon && secret_equal(colon + 1, n - (size_t)((const unsigned char *)colon + 1 - raw),
                                  want);
  sodium_memzero(raw, sizeof raw);
  return ok;
}

const char *hv_session_cookie(struct hv_request *rq, const char *token) {
  return hv_arena_printf(rq->arena, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict",
                         HV_SESSION_COOKIE, token);
}

const char *hv_session_cookie_clear(void) {
  return HV_SESSION_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

/* --- throttling ------------------------------------------------------ */

#define HV_ACCOUNT_FAILURES 5  /* then locked */
#define HV_ADDRESS_FAILURES 20
#define HV_LOCK_MS (15 * 60 * 1000)
#define HV_WINDOW_MS (24 * 60 * 60 * 1000)

static struct hv_sql q_throttle_get =
    HV_SQL("SELECT failures, first_at, locked_until FROM login_throttle WHERE key = ?");
static struct hv_sql q_throttle_put = HV_SQL2(
    "INSERT INTO login_throttle (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, "
    "locked_until = excluded.locked_until",
    "INSERT INTO login_throttle (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, first_at = EXCLUDED.first_at, "
    "locked_until = EXCLUDED.locked_until");
static struct hv_sql q_throttle_clear = HV_SQL("DELETE FROM login_throttle WHERE key = ?");

struct trow {
  int64_t failures, first_at, locked_until;
};

static int throttle_row(void *cls, const struct hv_row *r) {
  struct trow *t = cls;
  t->failures = hv_row_int(r, 0);
  t->first_at = hv_row_int(r, 1);
  t->locked_until = hv_row_int(r, 2);
  return 1;
}

static enum hv_qs get_row(struct hv_conn *c, const char *key, struct trow *t) {
  struct hv_param p[] = {HV_P_TEXT(key)};
  memset(t, 0, sizeof *t);
  return hv_db_query(c, &q_throttle_get, p, 1, throttle_row, t);
}

enum hv_qs hv_throttle_check(struct hv_conn *c, const char *account, const char *address,
                             int64_t *until) {
  struct trow t;
  int64_t now = hv_clock_wall_ms();
  char key[320];
  enum hv_qs qs;
  *until = 0;
  const char *keys[2] = {account, address};
  const char *prefix[2] = {"account:", "address:"};
  for (int i = 0; i < 2; i++) {
    snprintf(key, sizeof key, "%s%s", prefix[i], keys[i]);
    if ((qs = get_row(c, key, &t)) < 0)
      return qs;
    if (t.locked_until > now && t.locked_until > *until)
      *until = t.locked_until;
  }
  return HV_QS_ONE;
}

static enum hv_qs bump(struct hv_conn *c, const char *key, int limit) {
  struct trow t;
  int64_t now = hv_clock_wall_ms();
  enum hv_qs qs = get_row(c, key, &t);
  if (qs < 0)
    return qs;
  if (qs == HV_QS_NONE || now - t.first_at > HV_WINDOW_MS) {
    t.failures = 0;
    t.first_at = now;
    t.locked_until = 0;
  }
  t.failures++;
  if (t.failures % limit == 0) {
    /* each further lock lasts twice as long: 15 min, 30 min, 1 h, ... 24 h */
    int64_t n = t.failures / limit - 1;
    int64_t ms = HV_LOCK_MS;
    while (n-- > 0 && ms < HV_WINDOW_MS)
      ms *= 2;
    t.locked_until = now + (ms < HV_WINDOW_MS ? ms : HV_WINDOW_MS);
  }
  struct hv_param p[] = {HV_P_TEXT(key), HV_P_INT(t.failures), HV_P_INT(t.first_at),
                         HV_P_INT(t.locked_until)};
  return hv_db_exec(c, &q_throttle_put, p, 4);
}

enum hv_qs hv_throttle_record(struct hv_conn *c, const char *account, const char *address,
                              bool success) {
  char akey[320], ikey[128];
  snprintf(akey, sizeof akey, "account:%s", account);
  snprintf(ikey, sizeof ikey, "address:%s", address);
  if (success) {
    struct hv_param p[] = {HV_P_TEXT(akey)};
    return hv_db_exec(c, &q_throttle_clear, p, 1);
  }
  enum hv_qs qs = bump(c, akey, HV_ACCOUNT_FAILURES);
  if (qs < 0)
    return qs;
  return bump(c, ikey, HV_ADDRESS_FAILURES);
}
