/* Accounts: the JSON API and the pages for signing in and out and
 * changing one's password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
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

#define ALL HV_ROLES_ALL

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
};
const size_t hv_accounts_nroutes = sizeof hv_accounts_routes / sizeof hv_accounts_routes[0];
