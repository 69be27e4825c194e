/* Unit tests for src/auth/auth.c: role names, tokens (only a hash is
 * stored), sessions and sign-in throttling against a real store: a
 * temporary SQLite file, or a scratch schema of the PostgreSQL database
 * HAVEN_TEST_DB names. Time moves with hv_clock_set_offset, never sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "scratch_store.h"

#define MINUTE_MS ((int64_t)60 * 1000)
#define LOCK_MS (15 * MINUTE_MS)

static struct scratch sc;

/* --- roles --------------------------------------------------------------- */

static void role_names_round_trip(void **state) {
  (void)state;
  static const char *const names[] = {"admin",    "moia",      "liaison", "legal",
                                      "agent311", "workgroup", "auditor", "staff"};
  assert_int_equal(sizeof names / sizeof *names, HV_ROLE_MAX);
  for (int r = 0; r < HV_ROLE_MAX; r++) {
    assert_string_equal(hv_role_name((enum hv_role)r), names[r]);
    assert_int_equal(hv_role_parse(names[r]), r);
  }
  assert_string_equal(hv_role_name(HV_ROLE_MAX), "?");
  assert_int_equal(hv_role_parse(""), -1);
  assert_int_equal(hv_role_parse("Admin"), -1); /* exact names only */
  assert_int_equal(hv_role_parse("admin "), -1);
  assert_int_equal(hv_role_parse("root"), -1);
}

static void role_lists_round_trip(void **state) {
  (void)state;
  unsigned mask = 99;
  char out[128];
  assert_int_equal(hv_roles_parse("admin,moia", &mask), 0);
  assert_int_equal(mask, HV_ROLE_BIT(HV_ROLE_ADMIN) | HV_ROLE_BIT(HV_ROLE_MOIA));
  hv_roles_format(mask, out, sizeof out);
  assert_string_equal(out, "admin,moia");
  /* spaces allowed, order and repeats do not matter, output in table order */
  assert_int_equal(hv_roles_parse("auditor, liaison ,liaison", &mask), 0);
  hv_roles_format(mask, out, sizeof out);
  assert_string_equal(out, "liaison,auditor");
  assert_int_equal(hv_roles_parse("", &mask), 0);
  assert_int_equal(mask, 0);
  hv_roles_format(0, out, sizeof out);
  assert_string_equal(out, "");
  hv_roles_format(HV_ROLES_ALL, out, sizeof out);
  assert_string_equal(out, "admin,moia,liaison,legal,agent311,workgroup,auditor,staff");
  assert_int_equal(hv_roles_parse(out, &mask), 0);
  assert_int_equal(mask, HV_ROLES_ALL);
  /* every single role and pair survives format then parse */
  for (unsigned m = 0; m <= HV_ROLES_ALL; m++) {
    unsigned back = 0;
    hv_roles_format(m, out, sizeof out);
    assert_int_equal(hv_roles_parse(out, &back), 0);
    assert_int_equal(back, m);
  }
  /* an unknown name refuses the whole list */
  assert_int_equal(hv_roles_parse("admin,root", &mask), -1);
  assert_int_equal(hv_roles_parse("superuser", &mask), -1);
  assert_int_equal(hv_roles_parse("admin;moia", &mask), -1);
  char longlist[400];
  memset(longlist, 'a', sizeof longlist - 1);
  longlist[sizeof longlist - 1] = '\0';
  assert_int_equal(hv_roles_parse(longlist, &mask), -1); /* longer than the buffer */
}

static void role_format_truncates_at_a_name(void **state) {
  (void)state;
  char out[10];
  memset(out, '#', sizeof out);
  hv_roles_format(HV_ROLES_ALL, out, sizeof out);
  assert_true(strlen(out) < sizeof out);
  /* never half a name: whatever fits is a list that parses */
  unsigned mask;
  assert_int_equal(hv_roles_parse(out, &mask), 0);
  assert_string_equal(out, "admin");
}

/* --- tokens -------------------------------------------------------------- */

static bool is_base64url(const char *s) {
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
          *s == '-' || *s == '_'))
      return false;
  return true;
}

static bool is_hex(const char *s) {
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

static void tokens_are_random_and_hashed(void **state) {
  (void)state;
  char t[8][HV_TOKEN_LEN + 1], h[HV_TOKEN_HASH_LEN + 1], again[HV_TOKEN_HASH_LEN + 1];
  for (int i = 0; i < 8; i++) {
    hv_token_new(t[i], h);
    assert_int_equal(strlen(t[i]), HV_TOKEN_LEN);
    assert_true(is_base64url(t[i]));
    assert_int_equal(strlen(h), HV_TOKEN_HASH_LEN);
    assert_true(is_hex(h));
    hv_token_hash(t[i], again);
    assert_string_equal(h, again);
    assert_null(strstr(h, t[i]));
    for (int j = 0; j < i; j++)
      assert_string_not_equal(t[i], t[j]);
  }
  /* the hash may be skipped */
  char only[HV_TOKEN_LEN + 1];
  hv_token_new(only, NULL);
  assert_int_equal(strlen(only), HV_TOKEN_LEN);
  /* BLAKE2b-256 of the token text: fixed for a fixed input, different
   * for a one-character change */
  char a[HV_TOKEN_HASH_LEN + 1], b[HV_TOKEN_HASH_LEN + 1];
  hv_token_hash("abc", a);
  hv_token_hash("abc", b);
  assert_string_equal(a, b);
  assert_string_equal(a, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  hv_token_hash("abd", b);
  assert_string_not_equal(a, b);
}

/* --- sessions ------------------------------------------------------------ */

static struct hv_sql q_user =
    HV_SQL("INSERT INTO users (email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?) "
           "RETURNING id");
static struct hv_sql q_session_row =
    HV_SQL("SELECT token_hash, user_id, csrf, created_at, last_seen_at, ended_at FROM sessions "
           "WHERE id = ?");
static struct hv_sql q_session_count =
    HV_SQL("SELECT COUNT(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL");

struct user_ctx {
  const char *email;
  int64_t id;
};

static enum hv_qs user_tx(struct hv_conn *c, void *cls) {
  struct user_ctx *u = cls;
  struct hv_param p[] = {HV_P_TEXT(u->email), HV_P_TEXT("Test User"), HV_P_TEXT("$argon2id$x"),
                         HV_P_INT(hv_clock_wall_ms())};
  return hv_db_int(c, &q_user, p, 4, &u->id);
}

static int64_t make_user(const char *email) {
  struct user_ctx u = {email, 0};
  assert_int_equal(hv_store_tx(sc.store, true, user_tx, &u), HV_QS_ONE);
  assert_true(u.id > 0);
  return u.id;
}

struct session_ctx {
  int64_t user_id;
  char token[HV_TOKEN_LEN + 1], csrf[HV_TOKEN_LEN + 1];
  int64_t id;
};

static enum hv_qs session_create_tx(struct hv_conn *c, void *cls) {
  struct session_ctx *s = cls;
  return hv_session_create(c, s->user_id, s->token, s->csrf, &s->id);
}

static void new_session(int64_t user_id, struct session_ctx *s) {
  memset(s, 0, sizeof *s);
  s->user_id = user_id;
  assert_int_equal(hv_store_tx(sc.store, true, session_create_tx, s), HV_QS_ONE);
  assert_true(s->id > 0);
}

struct session_row {
  int found;
  char token_hash[128], csrf[128];
  int64_t user_id, created_at, last_seen_at, ended_at;
  bool ended_null;
};

static int session_row_fn(void *cls, const struct hv_row *r) {
  struct session_row *s = cls;
  s->found++;
  snprintf(s->token_hash, sizeof s->token_hash, "%s", hv_row_text(r, 0));
  s->user_id = hv_row_int(r, 1);
  snprintf(s->csrf, sizeof s->csrf, "%s", hv_row_text(r, 2));
  s->created_at = hv_row_int(r, 3);
  s->last_seen_at = hv_row_int(r, 4);
  s->ended_null = hv_row_null(r, 5);
  s->ended_at = s->ended_null ? 0 : hv_row_int(r, 5);
  return 0;
}

struct get_ctx {
  int64_t id;
  struct session_row row;
};

static enum hv_qs session_get_tx(struct hv_conn *c, void *cls) {
  struct get_ctx *g = cls;
  struct hv_param p[] = {HV_P_INT(g->id)};
  return hv_db_query(c, &q_session_row, p, 1, session_row_fn, &g->row);
}

static struct session_row get_session(int64_t id) {
  struct get_ctx g = {id, {0}};
  assert_int_equal(hv_store_tx(sc.store, false, session_get_tx, &g), HV_QS_ONE);
  assert_int_equal(g.row.found, 1);
  return g.row;
}

struct count_ctx {
  int64_t user_id, n;
};

static enum hv_qs count_tx(struct hv_conn *c, void *cls) {
  struct count_ctx *x = cls;
  struct hv_param p[] = {HV_P_INT(x->user_id)};
  return hv_db_int(c, &q_session_count, p, 1, &x->n);
}

static int64_t open_sessions(int64_t user_id) {
  struct count_ctx x = {user_id, -1};
  assert_int_equal(hv_store_tx(sc.store, false, count_tx, &x), HV_QS_ONE);
  return x.n;
}

struct end_ctx {
  int64_t id, user_id, except;
  bool all;
};

static enum hv_qs end_tx(struct hv_conn *c, void *cls) {
  struct end_ctx *e = cls;
  return e->all ? hv_sessions_end_user(c, e->user_id, e->except) : hv_session_end(c, e->id);
}

static enum hv_qs end_one(int64_t id) {
  struct end_ctx e = {id, 0, 0, false};
  return hv_store_tx(sc.store, true, end_tx, &e);
}

static enum hv_qs end_user(int64_t user_id, int64_t except) {
  struct end_ctx e = {0, user_id, except, true};
  return hv_store_tx(sc.store, true, end_tx, &e);
}

static void session_create_stores_only_a_hash(void **state) {
  (void)state;
  int64_t uid = make_user("create@example.org");
  int64_t before = hv_clock_wall_ms();
  struct session_ctx s;
  new_session(uid, &s);
  int64_t after = hv_clock_wall_ms();
  assert_int_equal(strlen(s.token), HV_TOKEN_LEN);
  assert_int_equal(strlen(s.csrf), HV_TOKEN_LEN);
  assert_string_not_equal(s.token, s.csrf);
  struct session_row r = get_session(s.id);
  char want[HV_TOKEN_HASH_LEN + 1];
  hv_token_hash(s.token, want);
  assert_string_equal(r.token_hash, want);
  assert_null(strstr(r.token_hash, s.token));
  assert_string_equal(r.csrf, s.csrf);
  assert_int_equal(r.user_id, uid);
  assert_true(r.created_at >= before && r.created_at <= after);
  assert_int_equal(r.last_seen_at, r.created_at);
  assert_true(r.ended_null);
  /* a second session is another token */
  struct session_ctx s2;
  new_session(uid, &s2);
  assert_true(s2.id != s.id);
  assert_string_not_equal(s2.token, s.token);
  assert_string_not_equal(s2.csrf, s.csrf);
  assert_int_equal(open_sessions(uid), 2);
}

static void session_end_ends_one(void **state) {
  (void)state;
  int64_t uid = make_user("end@example.org");
  struct session_ctx a, b;
  new_session(uid, &a);
  new_session(uid, &b);
  int64_t before = hv_clock_wall_ms();
  assert_int_equal(end_one(a.id), HV_QS_ONE);
  struct session_row r = get_session(a.id);
  assert_false(r.ended_null);
  assert_true(r.ended_at >= before && r.ended_at <= hv_clock_wall_ms());
  assert_true(get_session(b.id).ended_null);
  /* ending again changes nothing (the first end time stays) */
  assert_int_equal(end_one(a.id), HV_QS_NONE);
  assert_int_equal(get_session(a.id).ended_at, r.ended_at);
  assert_int_equal(end_one(999999999), HV_QS_NONE);
  assert_int_equal(open_sessions(uid), 1);
}

static void sessions_end_user_but_one(void **state) {
  (void)state;
  int64_t uid = make_user("all@example.org");
  int64_t other = make_user("other@example.org");
  struct session_ctx s[3], o;
  for (int i = 0; i < 3; i++)
    new_session(uid, &s[i]);
  new_session(other, &o);
  /* "end my other sessions": keep s[1] */
  assert_int_equal(end_user(uid, s[1].id), 2);
  assert_false(get_session(s[0].id).ended_null);
  assert_true(get_session(s[1].id).ended_null);
  assert_false(get_session(s[2].id).ended_null);
  assert_true(get_session(o.id).ended_null); /* another user's session is untouched */
  assert_int_equal(open_sessions(uid), 1);
  /* except = 0: all of them (disabling a user, an admin's revoke) */
  assert_int_equal(end_user(uid, 0), 1);
  assert_int_equal(open_sessions(uid), 0);
  assert_int_equal(end_user(uid, 0), HV_QS_NONE);
  assert_int_equal(open_sessions(other), 1);
}

static void session_needs_a_user(void **state) {
  (void)state;
  struct session_ctx s;
  memset(&s, 0, sizeof s);
  s.user_id = 987654321; /* no such user: the foreign key refuses it */
  assert_int_equal(hv_store_tx(sc.store, true, session_create_tx, &s), HV_QS_CONFLICT);
}

/* --- throttling ---------------------------------------------------------- */

struct throttle_ctx {
  const char *account, *address;
  bool success;
  int64_t until;
};

static enum hv_qs throttle_record_tx(struct hv_conn *c, void *cls) {
  struct throttle_ctx *t = cls;
  return hv_throttle_record(c, t->account, t->address, t->success);
}

static enum hv_qs throttle_check_tx(struct hv_conn *c, void *cls) {
  struct throttle_ctx *t = cls;
  return hv_throttle_check(c, t->account, t->address, &t->until);
}

static void record(const char *account, const char *address, bool success) {
  struct throttle_ctx t = {account, address, success, 0};
  assert_true(hv_store_tx(sc.store, true, throttle_record_tx, &t) >= 0);
}

static void fail_n(const char *account, const char *address, int n) {
  for (int i = 0; i < n; i++)
    record(account, address, false);
}

/* 0 when neither key is locked, else the end of the lock (ms). */
static int64_t locked_until(const char *account, const char *address) {
  struct throttle_ctx t = {account, address, false, -1};
  assert_int_equal(hv_store_tx(sc.store, false, throttle_check_tx, &t), HV_QS_ONE);
  return t.until;
}

static void assert_lock(int64_t until, int64_t now, int64_t ms) {
  /* recorded at `now` or a moment later, within a few seconds */
  if (until < now + ms || until > now + ms + 5000)
    fail_msg("locked until %lld, want %lld + %lld (off by %lld ms)", (long long)until,
             (long long)now, (long long)ms, (long long)(until - now - ms));
}

static struct hv_sql q_throttle_count = HV_SQL("SELECT COUNT(*) FROM login_throttle WHERE key = ?");

struct key_ctx {
  const char *key;
  int64_t n;
};

static enum hv_qs key_tx(struct hv_conn *c, void *cls) {
  struct key_ctx *k = cls;
  struct hv_param p[] = {HV_P_TEXT(k->key)};
  return hv_db_int(c, &q_throttle_count, p, 1, &k->n);
}

static int64_t key_rows(const char *key) {
  struct key_ctx k = {key, -1};
  assert_int_equal(hv_store_tx(sc.store, false, key_tx, &k), HV_QS_ONE);
  return k.n;
}

static void throttle_unknown_keys_are_free(void **state) {
  (void)state;
  assert_int_equal(locked_until("nobody@example.org", "192.0.2.1"), 0);
}

static void throttle_locks_account_on_fifth_failure(void **state) {
  (void)state;
  const char *acct = "five@example.org", *addr = "192.0.2.5";
  fail_n(acct, addr, 4);
  assert_int_equal(locked_until(acct, addr), 0);
  assert_int_equal(locked_until(acct, "198.51.100.7"), 0);
  int64_t now = hv_clock_wall_ms();
  fail_n(acct, addr, 1);
  int64_t until = locked_until(acct, addr);
  assert_lock(until, now, LOCK_MS);
  /* the account is locked from any address */
  assert_int_equal(locked_until(acct, "198.51.100.7"), until);
  /* another account from the same address is not (5 failures < 20) */
  assert_int_equal(locked_until("someone@example.org", addr), 0);
  /* the lock ends by itself */
  hv_clock_set_offset(LOCK_MS + 1000);
  assert_int_equal(locked_until(acct, addr), 0);
}

static void throttle_success_clears_account(void **state) {
  (void)state;
  const char *acct = "clear@example.org", *addr = "192.0.2.6";
  fail_n(acct, addr, 4);
  assert_int_equal(key_rows("account:clear@example.org"), 1);
  record(acct, addr, true);
  assert_int_equal(key_rows("account:clear@example.org"), 0);
  assert_int_equal(key_rows("address:192.0.2.6"), 1); /* the address still counts */
  /* counting starts again: four more failures do not lock */
  fail_n(acct, addr, 4);
  assert_int_equal(locked_until(acct, addr), 0);
  /* and a success lifts a lock already in place */
  fail_n(acct, addr, 1);
  assert_true(locked_until(acct, addr) > 0);
  record(acct, addr, true);
  assert_int_equal(locked_until(acct, addr), 0);
}

static void throttle_locks_address(void **state) {
  (void)state;
  const char *addr = "203.0.113.20";
  char acct[64];
  for (int i = 0; i < 19; i++) {
    snprintf(acct, sizeof acct, "spray%d@example.org", i);
    record(acct, addr, false);
  }
  assert_int_equal(locked_until("fresh@example.org", addr), 0);
  int64_t now = hv_clock_wall_ms();
  record("spray19@example.org", addr, false);
  int64_t until = locked_until("fresh@example.org", addr);
  assert_lock(until, now, LOCK_MS);
  /* only the address: those accounts are free from elsewhere */
  assert_int_equal(locked_until("spray3@example.org", "203.0.113.21"), 0);
  /* a success for one account does not lift the address's lock */
  record("spray3@example.org", addr, true);
  assert_int_equal(locked_until("fresh@example.org", addr), until);
}

static void throttle_later_locks_double(void **state) {
  (void)state;
  const char *acct = "double@example.org";
  char addr[32];
  int64_t offset = 0, want = LOCK_MS;
  for (int round = 0; round < 4; round++) {
    snprintf(addr, sizeof addr, "192.0.2.%d", 100 + round); /* addresses stay below 20 */
    fail_n(acct, addr, 4);
    assert_int_equal(locked_until(acct, addr), 0);
    int64_t now = hv_clock_wall_ms();
    fail_n(acct, addr, 1);
    int64_t until = locked_until(acct, addr);
    assert_lock(until, now, want); /* 15 min, 30 min, 1 h, 2 h */
    /* still locked a minute before the end, free a second after */
    offset += want - MINUTE_MS;
    hv_clock_set_offset(offset);
    assert_int_equal(locked_until(acct, addr), until);
    offset += MINUTE_MS + 1000;
    hv_clock_set_offset(offset);
    assert_int_equal(locked_until(acct, addr), 0);
    want *= 2;
  }
  /* a day after the first failure the count starts over: 15 min again */
  offset += 24 * 60 * MINUTE_MS;
  hv_clock_set_offset(offset);
  int64_t now = hv_clock_wall_ms();
  fail_n(acct, "192.0.2.200", 5);
  assert_lock(locked_until(acct, "192.0.2.200"), now, LOCK_MS);
}

static void throttle_lock_is_capped_at_a_day(void **state) {
  (void)state;
  const char *acct = "cap@example.org";
  char addr[32];
  /* failures while locked still count (the caller should not even try);
   * the 8th lock would be 32 h and is cut to 24 h */
  for (int i = 0; i < 8; i++) {
    snprintf(addr, sizeof addr, "198.51.100.%d", i);
    fail_n(acct, addr, 5);
  }
  int64_t now = hv_clock_wall_ms();
  int64_t until = locked_until(acct, "198.51.100.99");
  assert_true(until <= now + 24 * 60 * MINUTE_MS);
  assert_true(until >= now + 24 * 60 * MINUTE_MS - 5000);
}

/* --- fixtures ------------------------------------------------------------ */

static int reset_clock(void **state) {
  (void)state;
  hv_clock_set_offset(0);
  return 0;
}

static int setup(void **state) {
  (void)state;
  if (sodium_init() < 0)
    return -1;
  return scratch_open(&sc, "authtest", 2);
}

static int teardown(void **state) {
  (void)state;
  hv_clock_set_offset(0);
  scratch_close(&sc);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(role_names_round_trip),
      cmocka_unit_test(role_lists_round_trip),
      cmocka_unit_test(role_format_truncates_at_a_name),
      cmocka_unit_test(tokens_are_random_and_hashed),
      cmocka_unit_test(session_create_stores_only_a_hash),
      cmocka_unit_test(session_end_ends_one),
      cmocka_unit_test(sessions_end_user_but_one),
      cmocka_unit_test(session_needs_a_user),
      cmocka_unit_test_teardown(throttle_unknown_keys_are_free, reset_clock),
      cmocka_unit_test_teardown(throttle_locks_account_on_fifth_failure, reset_clock),
      cmocka_unit_test_teardown(throttle_success_clears_account, reset_clock),
      cmocka_unit_test_teardown(throttle_locks_address, reset_clock),
      cmocka_unit_test_teardown(throttle_later_locks_double, reset_clock),
      cmocka_unit_test_teardown(throttle_lock_is_capped_at_a_day, reset_clock),
  };
  return cmocka_run_group_tests_name("auth/auth", tests, setup, teardown);
}
