/* Accounts: signing in and out, the current user, password changes, and
 * user and API-token administration. Routes in http.c; the SQL, each
 * change with its audit event in one transaction, in store.c. */
#ifndef HV_ACCOUNTS_H
#define HV_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

extern const struct hv_route hv_accounts_routes[];
extern const size_t hv_accounts_nroutes;
extern const struct hv_route hv_admin_routes[];
extern const size_t hv_admin_nroutes;

enum hv_signin_result {
  HV_SIGNIN_OK,
  HV_SIGNIN_BAD,    /* unknown email, wrong password or disabled: one answer for all */
  HV_SIGNIN_LOCKED, /* throttled: even a correct password is refused */
  HV_SIGNIN_ERROR,  /* the database failed */
};

struct hv_signin {
  /* out */
  int64_t user_id, session_id, locked_until;
  bool must_change_password;
  char token[HV_TOKEN_LEN + 1];
  char csrf[HV_TOKEN_LEN + 1];
};

/* Checks the password (outside any transaction: Argon2id is slow on
 * purpose), records the outcome for throttling and the audit log, and on
 * success creates a session. `email` must already be lower-cased. */
enum hv_signin_result hv_accounts_signin(struct hv_store *s, const char *email,
                                         const char *password, const char *client,
                                         struct hv_signin *out);

/* Ends the principal's session (audited). */
enum hv_qs hv_accounts_signout(struct hv_store *s, const struct hv_principal *p);

enum hv_pwchange_result {
  HV_PWCHANGE_OK,
  HV_PWCHANGE_WRONG_CURRENT,
  HV_PWCHANGE_POLICY, /* `why` says which rule */
  HV_PWCHANGE_ERROR,
};

enum hv_pwchange_result hv_accounts_change_password(struct hv_store *s,
                                                    const struct hv_principal *p,
                                                    const char *current, const char *fresh,
                                                    bool end_other_sessions, char *why,
                                                    size_t whylen);

/* Words a password must not be made of: the city's departments' names and
 * codes, plus the given user's email and name. Returns a NULL-terminated
 * array in `a` (arena), or NULL on failure. */
const char **hv_accounts_context_words(struct hv_store *s, struct hv_arena *a, const char *email,
                                       const char *name);

/* Lower-cases `email` in place and checks it is plausible. */
bool hv_email_normalise(char *email);

/* Creates a user with roles (mask) and a department (0: none); audited as
 * `actor`. Answers HV_QS_CONFLICT when the email is taken. */
enum hv_qs hv_accounts_create_user(struct hv_store *s, const char *actor, const char *email,
                                   const char *name, int64_t department_id, unsigned roles,
                                   const char *password_hash, bool must_change, int64_t *id);

#endif

/* Inside a write transaction (the CSV importer): creates the user, or
 * brings an existing one's name, roles and department in line. *changed:
 * 0 unchanged, 1 created, 2 updated. */
enum hv_qs hv_accounts_upsert_user_tx(struct hv_conn *c, const char *actor, const char *email,
                                      const char *name, int64_t department_id, unsigned roles,
                                      const char *password_hash, int *changed);

/* One user, as listed. */
struct hv_user_info {
  int64_t id, department_id, created_at, last_login_at;
  const char *email, *name, *department_code;
  unsigned roles;
  bool active, must_change_password;
};
typedef int (*hv_user_fn)(void *cls, const struct hv_user_info *u);

/* Lists users in id order (all, or one when `only_id` > 0). */
enum hv_qs hv_accounts_list_users(struct hv_store *s, int64_t only_id, hv_user_fn fn, void *cls);

/* Finds a user id by (lower-cased) email; HV_QS_NONE when there is none. */
enum hv_qs hv_accounts_find_user(struct hv_store *s, const char *email, int64_t *id);

/* Each of these is one audited transaction; HV_QS_NONE when no such user. */
enum hv_qs hv_accounts_set_roles(struct hv_store *s, const char *actor, int64_t id, unsigned roles);
enum hv_qs hv_accounts_set_active(struct hv_store *s, const char *actor, int64_t id, bool active);
enum hv_qs hv_accounts_set_department(struct hv_store *s, const char *actor, int64_t id,
                                      int64_t department_id);
/* Sets a one-time password (must change at next sign-in) and ends every
 * session of the user. */
enum hv_qs hv_accounts_reset_password(struct hv_store *s, const char *actor, int64_t id,
                                      const char *password_hash);
/* Ends every session of the user. */
enum hv_qs hv_accounts_end_sessions(struct hv_store *s, const char *actor, int64_t id);

/* A department id by its code; HV_QS_NONE when unknown. */
enum hv_qs hv_department_by_code(struct hv_store *s, const char *code, int64_t *id);

/* API tokens: created by an administrator with a name, a role (and a
 * department for liaison tokens) and an expiry; the token is shown once
 * and only its hash kept. */
enum hv_qs hv_tokens_create(struct hv_store *s, const struct hv_principal *by, const char *name,
                            enum hv_role role, int64_t department_id, int64_t expires_at,
                            char token[HV_TOKEN_LEN + 1], int64_t *id);
enum hv_qs hv_tokens_revoke(struct hv_store *s, const struct hv_principal *by, int64_t id);

struct hv_token_info {
  int64_t id, department_id, created_by, created_at, expires_at, revoked_at, last_used_at;
  const char *name, *role;
};
typedef int (*hv_token_fn)(void *cls, const struct hv_token_info *t);
enum hv_qs hv_tokens_list(struct hv_store *s, hv_token_fn fn, void *cls);
