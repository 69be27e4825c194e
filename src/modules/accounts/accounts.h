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
