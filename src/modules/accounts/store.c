/* Accounts: SQL and transactions. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/log.h"
#include "modules/accounts/accounts.h"

bool hv_email_normalise(char *e) {
  size_t n = strlen(e);
  char *at = strchr(e, '@');
  if (n < 6 || n > 254 || !at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
      at[1] == '.' || e[n - 1] == '.')
    return false;
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)e[i] <= 0x20 || e[i] == 0x7f || e[i] == '<' || e[i] == '>' || e[i] == '"' ||
        e[i] == ',' || e[i] == ';')
      return false;
    e[i] = (char)tolower((unsigned char)e[i]);
  }
  return true;
}

static struct hv_sql q_user_by_email = HV_SQL(
    "SELECT id, password_hash, active, must_change_password FROM users WHERE email = ?");
static struct hv_sql q_user_login = HV_SQL("UPDATE users SET last_login_at = ? WHERE id = ?");
static struct hv_sql q_user_rehash = HV_SQL("UPDATE users SET password_hash = ? WHERE id = ?");

struct signin_ctx {
  const char *email, *client;
  struct hv_signin *out;
  /* read phase */
  int64_t user_id, locked_until;
  int active, must_change, found;
  char hash[HV_PASSWORD_HASH_MAX];
  /* write phase */
  bool success;
  const char *new_hash; /* rehash with current parameters, or NULL */
};

static int user_row(void *cls, const struct hv_row *r) {
  struct signin_ctx *x = cls;
  x->found = 1;
  x->user_id = hv_row_int(r, 0);
  snprintf(x->hash, sizeof x->hash, "%s", hv_row_text(r, 1) ? hv_row_text(r, 1) : "");
  x->active = hv_row_int(r, 2) != 0;
  x->must_change = hv_row_int(r, 3) != 0;
  return 1;
}

static enum hv_qs signin_read_tx(struct hv_conn *c, void *cls) {
  struct signin_ctx *x = cls;
  struct hv_param p[] = {HV_P_TEXT(x->email)};
  enum hv_qs qs = hv_throttle_check(c, x->email, x->client, &x->locked_until);
  if (qs < 0)
    return qs;
  x->found = 0;
  return hv_db_query(c, &q_user_by_email, p, 1, user_row, x);
}

static enum hv_qs signin_write_tx(struct hv_conn *c, void *cls) {
  struct signin_ctx *x = cls;
  char oid[32];
  enum hv_qs qs = hv_throttle_record(c, x->email, x->client, x->success);
  if (qs < 0)
    return qs;
  if (!x->success) {
    struct hv_audit_event ev = {"anonymous", x->locked_until ? "signin.locked" : "signin.failure",
                                "user", x->email, x->client, strlen(x->client)};
    qs = hv_audit_append(c, &ev);
    return qs < 0 ? qs : HV_QS_ONE;
  }
  struct hv_signin *o = x->out;
  if ((qs = hv_session_create(c, x->user_id, o->token, o->csrf, &o->session_id)) <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(x->user_id)};
  if ((qs = hv_db_exec(c, &q_user_login, p, 2)) < 0)
    return qs;
  if (x->new_hash) {
    struct hv_param h[] = {HV_P_TEXT(x->new_hash), HV_P_INT(x->user_id)};
    if ((qs = hv_db_exec(c, &q_user_rehash, h, 2)) < 0)
      return qs;
  }
  char actor[32];
  snprintf(actor, sizeof actor, "user:%lld", (long long)x->user_id);
  snprintf(oid, sizeof oid, "%lld", (long long)o->session_id);
  struct hv_audit_event ev = {actor, "signin.success", "session", oid, x->client, strlen(x->client)};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_signin_result hv_accounts_signin(struct hv_store *s, const char *email,
                                         const char *password, const char *client,
                                         struct hv_signin *out) {
  struct signin_ctx x;
  char new_hash[HV_PASSWORD_HASH_MAX];
  memset(&x, 0, sizeof x);
  memset(out, 0, sizeof *out);
  x.email = email;
  x.client = client;
  x.out = out;
  if (hv_store_tx(s, false, signin_read_tx, &x) < 0)
    return HV_SIGNIN_ERROR;
  bool rehash = false;
  /* Verify even for an unknown email (against a fixed hash) so the time
   * taken does not tell which addresses have accounts. */
  bool ok = hv_password_verify(x.found ? x.hash : hv_password_dummy_hash(), password, &rehash) == 0;
  ok = ok && x.found && x.active;
  if (x.locked_until) {
    ok = false; /* a correct password during a lockout is refused too */
    out->locked_until = x.locked_until;
  }
  x.success = ok;
  if (ok && rehash && hv_password_hash(password, new_hash) == 0)
    x.new_hash = new_hash;
  if (hv_store_tx(s, true, signin_write_tx, &x) < 0)
    return HV_SIGNIN_ERROR;
  if (x.locked_until) {
    hv_log(HV_LOG_WARN, "sign-in refused: locked", HV_LS("client", client));
    return HV_SIGNIN_LOCKED;
  }
  if (!ok) {
    hv_log(HV_LOG_WARN, "sign-in failed", HV_LS("client", client));
    return HV_SIGNIN_BAD;
  }
  out->user_id = x.user_id;
  out->must_change_password = x.must_change;
  hv_log(HV_LOG_INFO, "sign-in", HV_LI("user", x.user_id));
  return HV_SIGNIN_OK;
}

struct signout_ctx {
  const struct hv_principal *p;
};

static enum hv_qs signout_tx(struct hv_conn *c, void *cls) {
  const struct hv_principal *p = ((struct signout_ctx *)cls)->p;
  char oid[32];
  enum hv_qs qs = hv_session_end(c, p->session_id);
  if (qs < 0)
    return qs;
  snprintf(oid, sizeof oid, "%lld", (long long)p->session_id);
  struct hv_audit_event ev = {p->actor, "signout", "session", oid, NULL, 0};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_accounts_signout(struct hv_store *s, const struct hv_principal *p) {
  struct signout_ctx x = {p};
  return hv_store_tx(s, true, signout_tx, &x);
}

/* --- password change --------------------------------------------------- */

static struct hv_sql q_user_hash = HV_SQL("SELECT password_hash FROM users WHERE id = ?");
static struct hv_sql q_user_set_password = HV_SQL(
    "UPDATE users SET password_hash = ?, must_change_password = 0, password_changed_at = ? "
    "WHERE id = ?");

struct pw_ctx {
  const struct hv_principal *p;
  char hash[HV_PASSWORD_HASH_MAX];
  const char *new_hash;
  bool end_others;
};

static int hash_row(void *cls, const struct hv_row *r) {
  snprintf(cls, HV_PASSWORD_HASH_MAX, "%s", hv_row_text(r, 0) ? hv_row_text(r, 0) : "");
  return 1;
}

static enum hv_qs pw_read_tx(struct hv_conn *c, void *cls) {
  struct pw_ctx *x = cls;
  struct hv_param p[] = {HV_P_INT(x->p->user_id)};
  return hv_db_query(c, &q_user_hash, p, 1, hash_row, x->hash);
}

static enum hv_qs pw_write_tx(struct hv_conn *c, void *cls) {
  struct pw_ctx *x = cls;
  char oid[32];
  struct hv_param p[] = {HV_P_TEXT(x->new_hash), HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(x->p->user_id)};
  enum hv_qs qs = hv_db_exec(c, &q_user_set_password, p, 3);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  if (x->end_others && (qs = hv_sessions_end_user(c, x->p->user_id, x->p->session_id)) < 0)
    return qs;
  snprintf(oid, sizeof oid, "%lld", (long long)x->p->user_id);
  const char *what = x->end_others ? "password changed; other sessions ended" : "password changed";
  struct hv_audit_event ev = {x->p->actor, "user.password", "user", oid, what, strlen(what)};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_pwchange_result hv_accounts_change_password(struct hv_store *s,
                                                    const struct hv_principal *p,
                                                    const char *current, const char *fresh,
                                                    bool end_others, char *why, size_t whylen) {
  struct pw_ctx x;
  char new_hash[HV_PASSWORD_HASH_MAX];
  struct hv_arena *a = hv_arena_new(0);
  enum hv_pwchange_result res = HV_PWCHANGE_ERROR;
  memset(&x, 0, sizeof x);
  x.p = p;
  x.end_others = end_others;
  if (!a || hv_store_tx(s, false, pw_read_tx, &x) <= 0)
    goto out;
  if (hv_password_verify(x.hash, current, NULL)) {
    snprintf(why, whylen, "The current password is not right.");
    res = HV_PWCHANGE_WRONG_CURRENT;
    goto out;
  }
  const char **ctx = hv_accounts_context_words(s, a, p->email, p->name);
  if (!ctx)
    goto out;
  if (hv_password_check(fresh, ctx, why, whylen)) {
    res = HV_PWCHANGE_POLICY;
    goto out;
  }
  if (strcmp(current, fresh) == 0) {
    snprintf(why, whylen, "The new password must differ from the current one.");
    res = HV_PWCHANGE_POLICY;
    goto out;
  }
  if (hv_password_hash(fresh, new_hash))
    goto out;
  x.new_hash = new_hash;
  if (hv_store_tx(s, true, pw_write_tx, &x) < 0)
    goto out;
  res = HV_PWCHANGE_OK;
out:
  hv_arena_free(a);
  return res;
}

/* --- context words --------------------------------------------------- */

static struct hv_sql q_dept_words = HV_SQL("SELECT code, name FROM departments");

struct words {
  struct hv_arena *a;
  const char **list;
  size_t n, cap;
};

static int add_word(struct words *w, const char *s) {
  if (!s || !*s)
    return 0;
  if (w->n + 2 > w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    const char **nl = hv_arena_alloc(w->a, cap * sizeof *nl);
    if (!nl)
      return -1;
    if (w->n)
      memcpy(nl, w->list, w->n * sizeof *nl);
    w->list = nl;
    w->cap = cap;
  }
  if (!(w->list[w->n] = hv_arena_strdup(w->a, s)))
    return -1;
  w->n++;
  w->list[w->n] = NULL;
  return 0;
}

static int dept_row(void *cls, const struct hv_row *r) {
  struct words *w = cls;
  return add_word(w, hv_row_text(r, 0)) || add_word(w, hv_row_text(r, 1));
}

static enum hv_qs words_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_dept_words, NULL, 0, dept_row, cls);
}

const char **hv_accounts_context_words(struct hv_store *s, struct hv_arena *a, const char *email,
                                       const char *name) {
  struct words w = {a, NULL, 0, 0};
  static const char *const city[] = {"los angeles", "lacity", "angeles", "los", "city hall",
                                     "california", "ca", "mayor", "department", NULL};
  for (const char *const *c = city; *c; c++)
    if (add_word(&w, *c))
      return NULL;
  if (hv_store_tx(s, false, words_tx, &w) < 0)
    return NULL;
  if (email) {
    char local[256];
    snprintf(local, sizeof local, "%s", email);
    char *at = strchr(local, '@');
    if (at) {
      if (add_word(&w, at + 1))
        return NULL;
      *at = '\0';
    }
    if (add_word(&w, local))
      return NULL;
  }
  if (name && add_word(&w, name))
    return NULL;
  return w.list;
}

/* --- users ----------------------------------------------------------- */

static struct hv_sql q_user_insert = HV_SQL(
    "INSERT INTO users (email, display_name, department_id, password_hash, must_change_password, "
    "active, created_at) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id");
static struct hv_sql q_role_insert = HV_SQL("INSERT INTO user_roles (user_id, role) VALUES (?, ?)");

struct create_ctx {
  const char *actor, *email, *name, *hash;
  int64_t department_id;
  unsigned roles;
  bool must_change;
  int64_t id;
};

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  struct create_ctx *x = cls;
  char oid[32], roles[128], change[512];
  struct hv_param p[] = {HV_P_TEXT(x->email),
                         HV_P_TEXT(x->name),
                         x->department_id ? HV_P_INT(x->department_id) : HV_P_NULL,
                         HV_P_TEXT(x->hash),
                         HV_P_INT(x->must_change ? 1 : 0),
                         HV_P_INT(hv_clock_wall_ms())};
  enum hv_qs qs = hv_db_int(c, &q_user_insert, p, 6, &x->id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  for (int r = 0; r < HV_ROLE_MAX; r++) {
    if (!(x->roles & HV_ROLE_BIT(r)))
      continue;
    struct hv_param rp[] = {HV_P_INT(x->id), HV_P_TEXT(hv_role_name((enum hv_role)r))};
    if ((qs = hv_db_exec(c, &q_role_insert, rp, 2)) < 0)
      return qs;
  }
  hv_roles_format(x->roles, roles, sizeof roles);
  snprintf(oid, sizeof oid, "%lld", (long long)x->id);
  int n = snprintf(change, sizeof change, "email=%s roles=%s department=%lld", x->email, roles,
                   (long long)x->department_id);
  struct hv_audit_event ev = {x->actor, "user.create", "user", oid, change, (size_t)n};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_accounts_create_user(struct hv_store *s, const char *actor, const char *email,
                                   const char *name, int64_t department_id, unsigned roles,
                                   const char *password_hash, bool must_change, int64_t *id) {
  struct create_ctx x = {actor, email, name, password_hash, department_id, roles, must_change, 0};
  enum hv_qs qs = hv_store_tx(s, true, create_tx, &x);
  if (qs > 0)
    *id = x.id;
  return qs;
}

/* --- administration -------------------------------------------------- */

#define USERS_LIST(agg)                                                                            \
  "SELECT u.id, u.email, u.display_name, COALESCE(u.department_id, 0), d.code, u.active, "         \
  "u.must_change_password, u.created_at, COALESCE(u.last_login_at, 0), "                           \
  "(SELECT " agg "(role, ',') FROM user_roles r WHERE r.user_id = u.id) "                          \
  "FROM users u LEFT JOIN departments d ON d.id = u.department_id "                                \
  "WHERE ? = 0 OR u.id = ? ORDER BY u.id"
/* The one dialect difference here: SQLite 3.40 names string_agg group_concat. */
static struct hv_sql q_users_list = HV_SQL2(USERS_LIST("group_concat"), USERS_LIST("string_agg"));
static struct hv_sql q_user_id = HV_SQL("SELECT id FROM users WHERE email = ?");
static struct hv_sql q_dept_id = HV_SQL("SELECT id FROM departments WHERE code = ?");
static struct hv_sql q_roles_clear = HV_SQL("DELETE FROM user_roles WHERE user_id = ?");
static struct hv_sql q_user_active = HV_SQL("UPDATE users SET active = ? WHERE id = ?");
static struct hv_sql q_user_dept = HV_SQL("UPDATE users SET department_id = ? WHERE id = ?");
static struct hv_sql q_user_reset = HV_SQL(
    "UPDATE users SET password_hash = ?, must_change_password = 1, password_changed_at = ? "
    "WHERE id = ?");

struct list_ctx {
  hv_user_fn fn;
  void *cls;
};

static int list_row(void *cls, const struct hv_row *r) {
  struct list_ctx *x = cls;
  struct hv_user_info u;
  unsigned roles = 0;
  hv_roles_parse(hv_row_text(r, 9) ? hv_row_text(r, 9) : "", &roles);
  u.id = hv_row_int(r, 0);
  u.email = hv_row_text(r, 1);
  u.name = hv_row_text(r, 2);
  u.department_id = hv_row_int(r, 3);
  u.department_code = hv_row_text(r, 4);
  u.active = hv_row_int(r, 5) != 0;
  u.must_change_password = hv_row_int(r, 6) != 0;
  u.created_at = hv_row_int(r, 7);
  u.last_login_at = hv_row_int(r, 8);
  u.roles = roles;
  return x->fn(x->cls, &u);
}

struct list_args {
  struct list_ctx *x;
  int64_t only;
};

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[] = {HV_P_INT(a->only), HV_P_INT(a->only)};
  return hv_db_query(c, &q_users_list, p, 2, list_row, a->x);
}

enum hv_qs hv_accounts_list_users(struct hv_store *s, int64_t only_id, hv_user_fn fn, void *cls) {
  struct list_ctx x = {fn, cls};
  struct list_args a = {&x, only_id};
  return hv_store_tx(s, false, list_tx, &a);
}

struct id_args {
  struct hv_sql *q;
  const char *key;
  int64_t id;
};

static enum hv_qs id_tx(struct hv_conn *c, void *cls) {
  struct id_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->key)};
  return hv_db_int(c, a->q, p, 1, &a->id);
}

enum hv_qs hv_accounts_find_user(struct hv_store *s, const char *email, int64_t *id) {
  struct id_args a = {&q_user_id, email, 0};
  enum hv_qs qs = hv_store_tx(s, false, id_tx, &a);
  *id = a.id;
  return qs;
}

enum hv_qs hv_department_by_code(struct hv_store *s, const char *code, int64_t *id) {
  struct id_args a = {&q_dept_id, code, 0};
  enum hv_qs qs = hv_store_tx(s, false, id_tx, &a);
  *id = a.id;
  return qs;
}

/* One administrative change of a user, with its audit event. */
struct admin_ctx {
  const char *actor;
  const char *action;
  int64_t id;
  unsigned roles;
  int64_t value;
  const char *hash;
};

static enum hv_qs audit_user(struct hv_conn *c, struct admin_ctx *x, const char *change) {
  char oid[32];
  snprintf(oid, sizeof oid, "%lld", (long long)x->id);
  struct hv_audit_event ev = {x->actor, x->action, "user", oid, change, strlen(change)};
  enum hv_qs qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs roles_tx(struct hv_conn *c, void *cls) {
  struct admin_ctx *x = cls;
  char roles[128];
  int64_t exists = 0;
  struct hv_param id[] = {HV_P_INT(x->id)};
  static struct hv_sql q_exists = HV_SQL("SELECT COUNT(*) FROM users WHERE id = ?");
  enum hv_qs qs = hv_db_int(c, &q_exists, id, 1, &exists);
  if (qs < 0 || !exists)
    return qs < 0 ? qs : HV_QS_NONE;
  if ((qs = hv_db_exec(c, &q_roles_clear, id, 1)) < 0)
    return qs;
  for (int r = 0; r < HV_ROLE_MAX; r++) {
    if (!(x->roles & HV_ROLE_BIT(r)))
      continue;
    struct hv_param rp[] = {HV_P_INT(x->id), HV_P_TEXT(hv_role_name((enum hv_role)r))};
    if ((qs = hv_db_exec(c, &q_role_insert, rp, 2)) < 0)
      return qs;
  }
  hv_roles_format(x->roles, roles, sizeof roles);
  return audit_user(c, x, roles);
}

static enum hv_qs active_tx(struct hv_conn *c, void *cls) {
  struct admin_ctx *x = cls;
  struct hv_param p[] = {HV_P_INT(x->value), HV_P_INT(x->id)};
  enum hv_qs qs = hv_db_exec(c, &q_user_active, p, 2);
  if (qs <= 0)
    return qs;
  if (!x->value && (qs = hv_sessions_end_user(c, x->id, 0)) < 0)
    return qs;
  return audit_user(c, x, x->value ? "active" : "disabled; sessions ended");
}

static enum hv_qs dept_tx(struct hv_conn *c, void *cls) {
  struct admin_ctx *x = cls;
  char change[64];
  struct hv_param p[] = {x->value ? HV_P_INT(x->value) : HV_P_NULL, HV_P_INT(x->id)};
  enum hv_qs qs = hv_db_exec(c, &q_user_dept, p, 2);
  if (qs <= 0)
    return qs;
  snprintf(change, sizeof change, "department=%lld", (long long)x->value);
  return audit_user(c, x, change);
}

static enum hv_qs reset_tx(struct hv_conn *c, void *cls) {
  struct admin_ctx *x = cls;
  struct hv_param p[] = {HV_P_TEXT(x->hash), HV_P_INT(hv_clock_wall_ms()), HV_P_INT(x->id)};
  enum hv_qs qs = hv_db_exec(c, &q_user_reset, p, 3);
  if (qs <= 0)
    return qs;
  if ((qs = hv_sessions_end_user(c, x->id, 0)) < 0)
    return qs;
  return audit_user(c, x, "one-time password set; sessions ended");
}

static enum hv_qs end_tx(struct hv_conn *c, void *cls) {
  struct admin_ctx *x = cls;
  int64_t exists = 0;
  struct hv_param id[] = {HV_P_INT(x->id)};
  static struct hv_sql q_exists = HV_SQL("SELECT COUNT(*) FROM users WHERE id = ?");
  enum hv_qs qs = hv_db_int(c, &q_exists, id, 1, &exists);
  if (qs < 0 || !exists)
    return qs < 0 ? qs : HV_QS_NONE;
  if ((qs = hv_sessions_end_user(c, x->id, 0)) < 0)
    return qs;
  return audit_user(c, x, "all sessions ended");
}

enum hv_qs hv_accounts_set_roles(struct hv_store *s, const char *actor, int64_t id, unsigned roles) {
  struct admin_ctx x = {actor, "user.roles", id, roles, 0, NULL};
  return hv_store_tx(s, true, roles_tx, &x);
}

enum hv_qs hv_accounts_set_active(struct hv_store *s, const char *actor, int64_t id, bool active) {
  struct admin_ctx x = {actor, active ? "user.enable" : "user.disable", id, 0, active, NULL};
  return hv_store_tx(s, true, active_tx, &x);
}

enum hv_qs hv_accounts_set_department(struct hv_store *s, const char *actor, int64_t id,
                                      int64_t department_id) {
  struct admin_ctx x = {actor, "user.department", id, 0, department_id, NULL};
  return hv_store_tx(s, true, dept_tx, &x);
}

enum hv_qs hv_accounts_reset_password(struct hv_store *s, const char *actor, int64_t id,
                                      const char *password_hash) {
  struct admin_ctx x = {actor, "user.password_reset", id, 0, 0, password_hash};
  return hv_store_tx(s, true, reset_tx, &x);
}

enum hv_qs hv_accounts_end_sessions(struct hv_store *s, const char *actor, int64_t id) {
  struct admin_ctx x = {actor, "user.sessions_end", id, 0, 0, NULL};
  return hv_store_tx(s, true, end_tx, &x);
}

/* --- API tokens ------------------------------------------------------ */

static struct hv_sql q_token_insert = HV_SQL(
    "INSERT INTO api_tokens (name, token_hash, role, department_id, created_by, created_at, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_token_revoke =
    HV_SQL("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
static struct hv_sql q_tokens_list = HV_SQL(
    "SELECT id, name, role, COALESCE(department_id, 0), created_by, created_at, expires_at, "
    "COALESCE(revoked_at, 0), COALESCE(last_used_at, 0) FROM api_tokens ORDER BY id");

struct token_ctx {
  const struct hv_principal *by;
  const char *name;
  enum hv_role role;
  int64_t department_id, expires_at, id;
  char *token;
};

static enum hv_qs token_create_tx(struct hv_conn *c, void *cls) {
  struct token_ctx *x = cls;
  char hash[HV_TOKEN_HASH_LEN + 1], oid[32], change[256];
  hv_token_new(x->token, hash);
  struct hv_param p[] = {HV_P_TEXT(x->name),
                         HV_P_TEXT(hash),
                         HV_P_TEXT(hv_role_name(x->role)),
                         x->department_id ? HV_P_INT(x->department_id) : HV_P_NULL,
                         HV_P_INT(x->by->user_id),
                         HV_P_INT(hv_clock_wall_ms()),
                         HV_P_INT(x->expires_at)};
  enum hv_qs qs = hv_db_int(c, &q_token_insert, p, 7, &x->id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  snprintf(oid, sizeof oid, "%lld", (long long)x->id);
  int n = snprintf(change, sizeof change, "name=%s role=%s expires=%lld", x->name,
                   hv_role_name(x->role), (long long)x->expires_at);
  struct hv_audit_event ev = {x->by->actor, "token.create", "api_token", oid, change, (size_t)n};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_tokens_create(struct hv_store *s, const struct hv_principal *by, const char *name,
                            enum hv_role role, int64_t department_id, int64_t expires_at,
                            char token[HV_TOKEN_LEN + 1], int64_t *id) {
  struct token_ctx x = {by, name, role, department_id, expires_at, 0, token};
  enum hv_qs qs = hv_store_tx(s, true, token_create_tx, &x);
  *id = x.id;
  return qs;
}

static enum hv_qs token_revoke_tx(struct hv_conn *c, void *cls) {
  struct token_ctx *x = cls;
  char oid[32];
  struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(x->id)};
  enum hv_qs qs = hv_db_exec(c, &q_token_revoke, p, 2);
  if (qs <= 0)
    return qs;
  snprintf(oid, sizeof oid, "%lld", (long long)x->id);
  struct hv_audit_event ev = {x->by->actor, "token.revoke", "api_token", oid, NULL, 0};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_tokens_revoke(struct hv_store *s, const struct hv_principal *by, int64_t id) {
  struct token_ctx x = {by, NULL, HV_ROLE_ADMIN, 0, 0, id, NULL};
  return hv_store_tx(s, true, token_revoke_tx, &x);
}

struct tlist {
  hv_token_fn fn;
  void *cls;
};

static int token_list_row(void *cls, const struct hv_row *r) {
  struct tlist *x = cls;
  struct hv_token_info t = {hv_row_int(r, 0), hv_row_int(r, 3), hv_row_int(r, 4), hv_row_int(r, 5),
                            hv_row_int(r, 6), hv_row_int(r, 7), hv_row_int(r, 8),
                            hv_row_text(r, 1), hv_row_text(r, 2)};
  return x->fn(x->cls, &t);
}

static enum hv_qs token_list_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_tokens_list, NULL, 0, token_list_row, cls);
}

enum hv_qs hv_tokens_list(struct hv_store *s, hv_token_fn fn, void *cls) {
  struct tlist x = {fn, cls};
  return hv_store_tx(s, false, token_list_tx, &x);
}

static struct hv_sql q_user_existing = HV_SQL(
    "SELECT id, display_name, COALESCE(department_id, 0) FROM users WHERE email = ?");
static struct hv_sql q_user_name_dept =
    HV_SQL("UPDATE users SET display_name = ?, department_id = ? WHERE id = ?");

struct existing_user {
  int found;
  int64_t id, dept;
  char name[256];
};

static int existing_user_row(void *cls, const struct hv_row *r) {
  struct existing_user *e = cls;
  e->found = 1;
  e->id = hv_row_int(r, 0);
  snprintf(e->name, sizeof e->name, "%s", hv_row_text(r, 1) ? hv_row_text(r, 1) : "");
  e->dept = hv_row_int(r, 2);
  return 1;
}

enum hv_qs hv_accounts_upsert_user_tx(struct hv_conn *c, const char *actor, const char *email,
                                      const char *name, int64_t department_id, unsigned roles,
                                      const char *password_hash, int *changed) {
  struct existing_user e;
  unsigned have = 0;
  memset(&e, 0, sizeof e);
  struct hv_param k[] = {HV_P_TEXT(email)};
  enum hv_qs qs = hv_db_query(c, &q_user_existing, k, 1, existing_user_row, &e);
  if (qs < 0)
    return qs;
  if (!e.found) {
    struct create_ctx x = {actor, email, name, password_hash, department_id, roles, true, 0};
    *changed = 1;
    return create_tx(c, &x);
  }
  if ((qs = hv_user_roles(c, e.id, &have)) < 0)
    return qs;
  if (have == roles && e.dept == department_id && strcmp(e.name, name) == 0) {
    *changed = 0;
    return HV_QS_ONE;
  }
  *changed = 2;
  struct hv_param u[] = {HV_P_TEXT(name), department_id ? HV_P_INT(department_id) : HV_P_NULL,
                         HV_P_INT(e.id)};
  if ((qs = hv_db_exec(c, &q_user_name_dept, u, 3)) < 0)
    return qs;
  struct admin_ctx x = {actor, "user.update", e.id, roles, 0, NULL};
  return roles_tx(c, &x);
}
