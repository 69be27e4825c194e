/* Accounts: the JSON API and the pages for signing in and out and
 * changing one's password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "core/log.h"
#include "modules/accounts/accounts.h"
#include "web/api.h"
#include "web/app.h"

#define SIGNIN_FAILED "Email or password is incorrect."

static json_t *roles_json(unsigned mask) {
  json_t *a = json_array();
  for (int r = 0; r < HV_ROLE_MAX; r++)
    if (mask & HV_ROLE_BIT(r))
      json_array_append_new(a, json_string(hv_role_name((enum hv_role)r)));
  return a;
}

static json_t *me_json(const struct hv_principal *p) {
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:b}", "id", (json_int_t)p->user_id, "email",
                   p->email, "name", p->name, "roles", roles_json(p->roles), "department_id",
                   p->department_id ? json_integer(p->department_id) : json_null(),
                   "must_change_password", p->must_change_password);
}

static const char *locked_message(struct hv_request *rq, int64_t until) {
  (void)until;
  return hv_arena_strdup(rq->arena, "Too many sign-in attempts. Wait a while before trying again; "
                                    "if you forgot your password, ask an administrator.");
}

/* --- API ----------------------------------------------------------- */

struct signin_body {
  const char *email, *password;
};

static const struct hv_jfield signin_spec[] = {
    {"email", HV_J_STRING, true, offsetof(struct signin_body, email), 1, 254, 0, 0, NULL},
    {"password", HV_J_STRING, true, offsetof(struct signin_body, password), 1, 1024, 0, 0, NULL},
};

static void api_signin(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct signin_body b = {0};
  struct hv_signin si;
  json_t *j = hv_api_body(rq, signin_spec, 2, &b);
  if (!j)
    return;
  char *email = hv_arena_strdup(rq->arena, b.email);
  enum hv_signin_result r = HV_SIGNIN_BAD;
  if (email && hv_email_normalise(email))
    r = hv_accounts_signin(app->store, email, b.password, rq->client, &si);
  json_decref(j);
  switch (r) {
  case HV_SIGNIN_OK:
    break;
  case HV_SIGNIN_BAD:
    hv_reply_error(rq, 401, "signin_failed", SIGNIN_FAILED, NULL);
    return;
  case HV_SIGNIN_LOCKED:
    hv_reply_error(rq, 429, "too_many_attempts", locked_message(rq, si.locked_until), NULL);
    hv_reply_header(rq, "Retry-After", "900");
    return;
  case HV_SIGNIN_ERROR:
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  hv_reply_json(rq, 200,
                json_pack("{s:s, s:b}", "csrf", si.csrf, "must_change_password",
                          si.must_change_password));
  hv_reply_header(rq, "Set-Cookie", hv_session_cookie(rq, si.token));
}

static void api_signout(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  if (rq->via_token) {
    hv_reply_error(rq, 400, "not_a_session", "API tokens are revoked, not signed out.", NULL);
    return;
  }
  enum hv_qs qs = hv_accounts_signout(app->store, rq->principal);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_text(rq, 204, NULL, "", 0, false);
  hv_reply_header(rq, "Set-Cookie", hv_session_cookie_clear());
}

static void api_me(struct hv_request *rq) { hv_reply_json(rq, 200, me_json(rq->principal)); }

struct password_body {
  const char *current, *fresh;
  bool end_others;
};

static const struct hv_jfield password_spec[] = {
    {"current", HV_J_STRING, true, offsetof(struct password_body, current), 1, 1024, 0, 0, NULL},
    {"new", HV_J_STRING, true, offsetof(struct password_body, fresh), 1, 1024, 0, 0, NULL},
    {"end_other_sessions", HV_J_BOOL, false, offsetof(struct password_body, end_others), 0, 0, 0,
     0, NULL},
};

static void api_password(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct password_body b = {NULL, NULL, false};
  char why[256];
  if (rq->via_token) {
    hv_reply_error(rq, 403, "forbidden", "API tokens have no password.", NULL);
    return;
  }
  json_t *j = hv_api_body(rq, password_spec, 3, &b);
  if (!j)
    return;
  enum hv_pwchange_result r =
      hv_accounts_change_password(app->store, rq->principal, b.current, b.fresh, b.end_others, why,
                                  sizeof why);
  json_decref(j);
  switch (r) {
  case HV_PWCHANGE_OK:
    hv_reply_text(rq, 204, NULL, "", 0, false);
    return;
  case HV_PWCHANGE_WRONG_CURRENT:
    hv_reply_error(rq, 400, "wrong_password", why, "current");
    return;
  case HV_PWCHANGE_POLICY:
    hv_reply_error(rq, 400, "weak_password", hv_arena_strdup(rq->arena, why), "new");
    return;
  case HV_PWCHANGE_ERROR:
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
}

/* --- pages --------------------------------------------------------- */

static void signin_form(struct hv_request *rq, int status, const char *email, const char *error) {
  hv_page(rq, status, "signin", "Sign in — Haven",
          json_pack("{s:s, s:s?}", "email", email ? email : "", "error", error));
}

static void page_signin(struct hv_request *rq) {
  if (rq->principal) {
    hv_reply_redirect(rq, 303, "/");
    return;
  }
  signin_form(rq, 200, NULL, NULL);
}

static void page_signin_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  struct hv_signin si;
  if (hv_form_body(rq, &f))
    return;
  const char *email_in = hv_form_get(&f, "email");
  const char *password = hv_form_get(&f, "password");
  if (!email_in || !*email_in || !password || !*password) {
    signin_form(rq, 400, email_in, "Enter your email and your password.");
    return;
  }
  char *email = hv_arena_strdup(rq->arena, email_in);
  enum hv_signin_result r = HV_SIGNIN_BAD;
  if (strlen(email) <= 254 && strlen(password) <= 1024 && hv_email_normalise(email))
    r = hv_accounts_signin(app->store, email, password, rq->client, &si);
  switch (r) {
  case HV_SIGNIN_OK:
    hv_reply_redirect(rq, 303, si.must_change_password ? "/account/password" : "/");
    hv_reply_header(rq, "Set-Cookie", hv_session_cookie(rq, si.token));
    return;
  case HV_SIGNIN_BAD:
    signin_form(rq, 401, email_in, SIGNIN_FAILED);
    return;
  case HV_SIGNIN_LOCKED:
    signin_form(rq, 429, email_in, locked_message(rq, si.locked_until));
    return;
  case HV_SIGNIN_ERROR:
    signin_form(rq, 503, email_in, "The database did not answer. Please try again.");
    return;
  }
}

static void page_signout(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_qs qs = hv_accounts_signout(app->store, rq->principal);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_redirect(rq, 303, "/signin");
  hv_reply_header(rq, "Set-Cookie", hv_session_cookie_clear());
}

static void password_form(struct hv_request *rq, int status, const char *error, const char *field,
                          bool done) {
  json_t *ctx = json_pack("{s:b, s:s?, s:b, s:b, s:b}", "must_change",
                          rq->principal->must_change_password, "error", error, "error_current",
                          field && strcmp(field, "current") == 0, "error_new",
                          field && strcmp(field, "new") == 0, "done", done);
  hv_page(rq, status, "account_password", "Change your password — Haven", ctx);
}

static void page_password(struct hv_request *rq) { password_form(rq, 200, NULL, NULL, false); }

static void page_password_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  char why[256];
  if (hv_form_body(rq, &f))
    return;
  const char *current = hv_form_get(&f, "current");
  const char *fresh = hv_form_get(&f, "new");
  const char *again = hv_form_get(&f, "confirm");
  const char *end = hv_form_get(&f, "end_other_sessions");
  if (!current || !fresh || !again || !*current) {
    password_form(rq, 400, "Fill in every field.", "current", false);
    return;
  }
  if (strcmp(fresh, again) != 0) {
    password_form(rq, 400, "The two new passwords are not the same.", "new", false);
    return;
  }
  enum hv_pwchange_result r = hv_accounts_change_password(
      app->store, rq->principal, current, fresh, end && strcmp(end, "yes") == 0, why, sizeof why);
  switch (r) {
  case HV_PWCHANGE_OK:
    rq->principal->must_change_password = false;
    password_form(rq, 200, NULL, NULL, true);
    return;
  case HV_PWCHANGE_WRONG_CURRENT:
    password_form(rq, 400, hv_arena_strdup(rq->arena, why), "current", false);
    return;
  case HV_PWCHANGE_POLICY:
    password_form(rq, 400, hv_arena_strdup(rq->arena, why), "new", false);
    return;
  case HV_PWCHANGE_ERROR:
    password_form(rq, 503, "The database did not answer. Nothing was changed.", NULL, false);
    return;
  }
}


/* --- administration API (admin only) -------------------------------- */

static const char *const role_choices[] = {"admin",    "moia",      "liaison", "legal",
                                           "agent311", "workgroup", "auditor", "staff", NULL};

/* Parses a JSON array of role names into a mask; replies 400 and returns
 * -1 when a name is unknown or the list is empty. */
static int roles_from_json(struct hv_request *rq, const json_t *arr, unsigned *mask) {
  size_t i;
  const json_t *v;
  *mask = 0;
  json_array_foreach(arr, i, v) {
    int r = json_is_string(v) ? hv_role_parse(json_string_value(v)) : -1;
    if (r < 0) {
      hv_reply_error(rq, 400, "invalid_value", "Unknown role.", "roles");
      return -1;
    }
    *mask |= HV_ROLE_BIT(r);
  }
  if (!*mask) {
    hv_reply_error(rq, 400, "invalid_value", "Give at least one role.", "roles");
    return -1;
  }
  return 0;
}

static int user_json_row(void *cls, const struct hv_user_info *u) {
  json_t *arr = cls;
  json_array_append_new(
      arr, json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:b, s:I, s:o}", "id", (json_int_t)u->id,
                     "email", u->email, "name", u->name, "roles", roles_json(u->roles),
                     "department_id", u->department_id ? json_integer(u->department_id) : json_null(),
                     "active", u->active, "must_change_password", u->must_change_password,
                     "created_at", (json_int_t)u->created_at, "last_login_at",
                     u->last_login_at ? json_integer(u->last_login_at) : json_null()));
  return 0;
}

static void api_users_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *arr = json_array();
  enum hv_qs qs = hv_accounts_list_users(app->store, 0, user_json_row, arr);
  if (qs < 0) {
    json_decref(arr);
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_json(rq, 200, json_pack("{s:o}", "users", arr));
}

struct user_body {
  const char *email, *name;
  const json_t *roles;
  int64_t department_id;
  bool active;
};

static const struct hv_jfield user_create_spec[] = {
    {"email", HV_J_STRING, true, offsetof(struct user_body, email), 6, 254, 0, 0, NULL},
    {"name", HV_J_STRING, true, offsetof(struct user_body, name), 1, 120, 0, 0, NULL},
    {"roles", HV_J_ARRAY, true, offsetof(struct user_body, roles), 1, HV_ROLE_MAX, 0, 0, NULL},
    {"department_id", HV_J_INT, false, offsetof(struct user_body, department_id), 0, 0, 1,
     INT64_MAX, NULL},
};

static void api_users_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct user_body b = {0};
  unsigned roles;
  char pw[24], hash[HV_PASSWORD_HASH_MAX];
  int64_t id = 0;
  json_t *j = hv_api_body(rq, user_create_spec, 4, &b);
  if (!j)
    return;
  char *email = hv_arena_strdup(rq->arena, b.email);
  char *name = hv_arena_strdup(rq->arena, b.name);
  if (roles_from_json(rq, b.roles, &roles))
    goto out;
  if (!hv_email_normalise(email)) {
    hv_reply_error(rq, 400, "invalid_value", "This is not an email address.", "email");
    goto out;
  }
  if ((roles & HV_DEPARTMENTAL) && !b.department_id) {
    hv_reply_error(rq, 400, "missing_field", "A liaison or staff member needs a department.", "department_id");
    goto out;
  }
  hv_password_random(pw, 20);
  if (hv_password_hash(pw, hash)) {
    hv_reply_store_error(rq, HV_QS_HARD);
    goto out;
  }
  enum hv_qs qs = hv_accounts_create_user(app->store, rq->principal->actor, email, name,
                                          b.department_id, roles, hash, true, &id);
  if (qs == HV_QS_CONFLICT) {
    hv_reply_error(rq, 409, "conflict",
                   "That email already has an account, or the department does not exist.", "email");
    goto out;
  }
  if (qs <= 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  hv_reply_json(rq, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "email", email,
                                   "one_time_password", pw));
out:
  json_decref(j);
}

static const struct hv_jfield user_patch_spec[] = {
    {"roles", HV_J_ARRAY, false, offsetof(struct user_body, roles), 1, HV_ROLE_MAX, 0, 0, NULL},
    {"department_id", HV_J_INT, false, offsetof(struct user_body, department_id), 0, 0, 0,
     INT64_MAX, NULL},
    {"active", HV_J_BOOL, false, offsetof(struct user_body, active), 0, 0, 0, 0, NULL},
};

static void api_users_patch(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct user_body b = {NULL, NULL, NULL, -1, true};
  int64_t id = hv_param(rq, "id")->num;
  unsigned roles = 0;
  enum hv_qs qs = HV_QS_ONE;
  json_t *j = hv_api_body(rq, user_patch_spec, 3, &b);
  if (!j)
    return;
  const char *actor = rq->principal->actor;
  bool has_active = json_object_get(j, "active") != NULL;
  if (b.roles && roles_from_json(rq, b.roles, &roles))
    goto out;
  if (id == rq->principal->user_id && has_active && !b.active) {
    hv_reply_error(rq, 400, "invalid_value", "You cannot disable your own account.", "active");
    goto out;
  }
  if (b.roles)
    qs = hv_accounts_set_roles(app->store, actor, id, roles);
  if (qs > 0 && b.department_id >= 0)
    qs = hv_accounts_set_department(app->store, actor, id, b.department_id);
  if (qs > 0 && has_active)
    qs = hv_accounts_set_active(app->store, actor, id, b.active);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such user.", NULL);
    goto out;
  }
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    goto out;
  }
  json_t *arr = json_array();
  if (hv_accounts_list_users(app->store, id, user_json_row, arr) < 0 || !json_array_size(arr)) {
    json_decref(arr);
    hv_reply_store_error(rq, HV_QS_HARD);
    goto out;
  }
  hv_reply_json(rq, 200, json_incref(json_array_get(arr, 0)));
  json_decref(arr);
out:
  json_decref(j);
}

static void api_users_end_sessions(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_qs qs = hv_accounts_end_sessions(app->store, rq->principal->actor, hv_param(rq, "id")->num);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such user.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_text(rq, 204, NULL, "", 0, false);
}

struct token_body {
  const char *name;
  int role;
  int64_t department_id, days;
};

static const struct hv_jfield token_spec[] = {
    {"name", HV_J_STRING, true, offsetof(struct token_body, name), 1, 100, 0, 0, NULL},
    {"role", HV_J_ENUM, true, offsetof(struct token_body, role), 0, 0, 0, 0, role_choices},
    {"department_id", HV_J_INT, false, offsetof(struct token_body, department_id), 0, 0, 1,
     INT64_MAX, NULL},
    {"expires_in_days", HV_J_INT, true, offsetof(struct token_body, days), 0, 0, 1, 366, NULL},
};

static void api_tokens_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct token_body b = {NULL, 0, 0, 0};
  char token[HV_TOKEN_LEN + 1];
  int64_t id = 0;
  json_t *j = hv_api_body(rq, token_spec, 4, &b);
  if (!j)
    return;
  if (b.role == HV_ROLE_ADMIN) {
    hv_reply_error(rq, 400, "invalid_value", "API tokens cannot be administrators.", "role");
    goto out;
  }
  if (b.role == HV_ROLE_LIAISON && !b.department_id) {
    hv_reply_error(rq, 400, "missing_field", "A liaison token needs a department.", "department_id");
    goto out;
  }
  int64_t expires = hv_clock_wall_ms() + b.days * 86400 * 1000;
  enum hv_qs qs = hv_tokens_create(app->store, rq->principal, b.name, (enum hv_role)b.role,
                                   b.department_id, expires, token, &id);
  if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    goto out;
  }
  hv_reply_json(rq, 201, json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "token", token,
                                   "expires_at", (json_int_t)expires));
out:
  json_decref(j);
}

static int token_json_row(void *cls, const struct hv_token_info *t) {
  json_array_append_new(
      cls, json_pack("{s:I, s:s, s:s, s:o, s:I, s:I, s:o, s:o}", "id", (json_int_t)t->id, "name",
                     t->name, "role", t->role, "department_id",
                     t->department_id ? json_integer(t->department_id) : json_null(), "created_at",
                     (json_int_t)t->created_at, "expires_at", (json_int_t)t->expires_at,
                     "revoked_at", t->revoked_at ? json_integer(t->revoked_at) : json_null(),
                     "last_used_at", t->last_used_at ? json_integer(t->last_used_at) : json_null()));
  return 0;
}

static void api_tokens_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *arr = json_array();
  enum hv_qs qs = hv_tokens_list(app->store, token_json_row, arr);
  if (qs < 0) {
    json_decref(arr);
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_json(rq, 200, json_pack("{s:o}", "tokens", arr));
}

static void api_tokens_revoke(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_qs qs = hv_tokens_revoke(app->store, rq->principal, hv_param(rq, "id")->num);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such active token.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_text(rq, 204, NULL, "", 0, false);
}

#define ALL HV_ROLES_ALL
#define ADMIN HV_ROLE_BIT(HV_ROLE_ADMIN)

const struct hv_route hv_accounts_routes[] = {
    {HV_POST, "/api/v1/session", 0, HV_R_PUBLIC | HV_R_API | HV_R_ORIGIN, 4096, api_signin},
    {HV_DELETE, "/api/v1/session", ALL, HV_R_API | HV_R_CSRF | HV_R_PWCHANGE, 0, api_signout},
    {HV_GET, "/api/v1/me", ALL, HV_R_API | HV_R_PWCHANGE, 0, api_me},
    {HV_POST, "/api/v1/me/password", ALL, HV_R_API | HV_R_CSRF | HV_R_PWCHANGE, 4096, api_password},
    {HV_GET, "/signin", 0, HV_R_PUBLIC, 0, page_signin},
    {HV_POST, "/signin", 0, HV_R_PUBLIC | HV_R_ORIGIN, 4096, page_signin_post},
    {HV_POST, "/signout", ALL, HV_R_CSRF | HV_R_PWCHANGE, 1024, page_signout},
    {HV_GET, "/account/password", ALL, HV_R_PWCHANGE, 0, page_password},
    {HV_POST, "/account/password", ALL, HV_R_CSRF | HV_R_PWCHANGE, 8192, page_password_post},
    {HV_GET, "/api/v1/users", ADMIN, HV_R_API, 0, api_users_list},
    {HV_POST, "/api/v1/users", ADMIN, HV_R_API | HV_R_CSRF, 4096, api_users_create},
    {HV_PATCH, "/api/v1/users/{id:int}", ADMIN, HV_R_API | HV_R_CSRF, 4096, api_users_patch},
    {HV_DELETE, "/api/v1/users/{id:int}/sessions", ADMIN, HV_R_API | HV_R_CSRF, 0,
     api_users_end_sessions},
    {HV_GET, "/api/v1/tokens", ADMIN, HV_R_API, 0, api_tokens_list},
    {HV_POST, "/api/v1/tokens", ADMIN, HV_R_API | HV_R_CSRF, 4096, api_tokens_create},
    {HV_DELETE, "/api/v1/tokens/{id:int}", ADMIN, HV_R_API | HV_R_CSRF, 0, api_tokens_revoke},
};
const size_t hv_accounts_nroutes = sizeof hv_accounts_routes / sizeof hv_accounts_routes[0];
