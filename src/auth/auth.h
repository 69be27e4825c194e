/* Who is asking, and may they: roles, sessions (only a hash of the token
 * is stored), API tokens, CSRF tokens, sign-in throttling, and the hook
 * the HTTP server calls before every handler. */
#ifndef HV_AUTH_H
#define HV_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "store/store.h"

#define HV_SESSION_COOKIE "__Host-haven"
#define HV_TOKEN_LEN 43    /* 32 random bytes, base64url without padding */
#define HV_TOKEN_HASH_LEN 64

struct hv_principal {
  int64_t user_id;  /* for API tokens: the token's creator */
  int64_t token_id; /* > 0 when authenticated by an API token */
  int64_t session_id;
  int64_t department_id; /* 0 when none */
  unsigned roles;
  bool must_change_password;
  char email[256];
  char name[128];
  char csrf[HV_TOKEN_LEN + 1];
  char actor[32]; /* "user:12" or "token:3", for the audit log */
};

/* Role names: admin, moia, liaison, legal, agent311, workgroup, auditor. */
const char *hv_role_name(enum hv_role r);
int hv_role_parse(const char *name); /* -1 when unknown */
/* Parses "admin,moia" into a mask; -1 when a name is unknown. */
int hv_roles_parse(const char *list, unsigned *mask);
/* Writes "admin,moia" for a mask. */
void hv_roles_format(unsigned mask, char *out, size_t cap);

/* A new random token and the hex hash that is stored in its place. */
void hv_token_new(char token[HV_TOKEN_LEN + 1], char hash[HV_TOKEN_HASH_LEN + 1]);
void hv_token_hash(const char *token, char hash[HV_TOKEN_HASH_LEN + 1]);

/* Inside a write transaction: a new session for `user_id`. */
enum hv_qs hv_session_create(struct hv_conn *c, int64_t user_id, char token[HV_TOKEN_LEN + 1],
                             char csrf[HV_TOKEN_LEN + 1], int64_t *session_id);
/* Ends one session, or every session of a user but `except` (0: all). */
enum hv_qs hv_session_end(struct hv_conn *c, int64_t session_id);
enum hv_qs hv_sessions_end_user(struct hv_conn *c, int64_t user_id, int64_t except);

/* Loads a user's roles as a mask. */
enum hv_qs hv_user_roles(struct hv_conn *c, int64_t user_id, unsigned *mask);

/* The server hook (hv_auth_fn): reads the session cookie or the Bearer
 * token, checks timeouts and the user's active flag, fills rq->principal,
 * and sets *csrf_ok when the request carries the session's CSRF token (the
 * X-CSRF-Token header or a "csrf" form field). Returns the roles. */
unsigned hv_auth_request(struct hv_request *rq, int *csrf_ok);

/* The webhook hook (hv_webhook_auth_fn): true when the request's
 * Authorization carries the gateway's shared secret (the setting
 * sms_inbound_token) as the password of Basic authentication (any user
 * name: the form Twilio-style webhook URLs use) or as a Bearer token,
 * compared in constant time. Always false when the setting is empty. */
bool hv_auth_webhook(struct hv_request *rq);

/* Set-Cookie values for a new session and for signing out. */
const char *hv_session_cookie(struct hv_request *rq, const char *token);
const char *hv_session_cookie_clear(void);

/* Sign-in throttling, per account and per client address. */
struct hv_throttle {
  int64_t locked_until; /* ms; 0 when not locked */
};
/* Inside a transaction: is either key locked now? Sets *until (ms). */
enum hv_qs hv_throttle_check(struct hv_conn *c, const char *account, const char *address,
                             int64_t *until);
/* Inside a write transaction: counts a failure (locking when due) or, on
 * success, clears the account's failures. */
enum hv_qs hv_throttle_record(struct hv_conn *c, const char *account, const char *address,
                              bool success);

#endif
