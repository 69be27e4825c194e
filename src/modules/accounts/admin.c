/* Administrators' pages: users (create, roles and department, disable,
 * end sessions, one-time password), API tokens, and CSV imports. The
 * JSON API for the same lives in http.c; both call store.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "http/multipart.h"
#include "modules/accounts/accounts.h"
#include "modules/registry/registry.h"
#include "web/api.h"
#include "web/app.h"

static json_t *departments_options(struct hv_app *app, int64_t selected) {
  json_t *items = NULL;
  int64_t total;
  if (hv_departments_list(app->store, "", 0, 200, &items, &total) < 0)
    return json_array();
  size_t i;
  json_t *d;
  json_array_foreach(items, i, d) json_object_set_new(
      d, "selected", json_boolean(json_integer_value(json_object_get(d, "id")) == selected));
  return items;
}

static json_t *role_options(unsigned mask) {
  json_t *a = json_array();
  for (int r = 0; r < HV_ROLE_MAX; r++)
    json_array_append_new(a, json_pack("{s:s, s:b}", "name", hv_role_name((enum hv_role)r),
                                       "checked", (mask & HV_ROLE_BIT(r)) != 0));
  return a;
}

static int user_row(void *cls, const struct hv_user_info *u) {
  char roles[128], when[64] = "never";
  hv_roles_format(u->roles, roles, sizeof roles);
  if (u->last_login_at)
    hv_time_format(u->last_login_at, when, sizeof when);
  json_array_append_new(cls, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s}", "id",
                                       (json_int_t)u->id, "email", u->email, "name", u->name,
                                       "roles", roles, "department",
                                       u->department_code ? u->department_code : "—", "active",
                                       u->active, "last_login", when));
  return 0;
}

/* Roles from the checkboxes named "role". */
static unsigned form_roles(const struct hv_form *f) {
  unsigned mask = 0;
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->fields[i].name, "role") == 0) {
      int r = hv_role_parse(f->fields[i].value);
      if (r >= 0)
        mask |= HV_ROLE_BIT(r);
    }
  return mask;
}

static void users_page(struct hv_request *rq, int status, const char *error, json_t *created) {
  struct hv_app *app = rq->app;
  json_t *users = json_array();
  if (hv_accounts_list_users(app->store, 0, user_row, users) < 0) {
    json_decref(users);
    json_decref(created);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  hv_page(rq, status, "admin_users", "Users — Haven",
          json_pack("{s:o, s:o, s:o, s:s?, s:o}", "users", users, "roles", role_options(0),
                    "departments", departments_options(app, 0), "error", error, "created",
                    created ? created : json_null()));
}

static void page_users(struct hv_request *rq) { users_page(rq, 200, NULL, NULL); }

static void page_users_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  char pw[24], hash[HV_PASSWORD_HASH_MAX];
  int64_t dept = 0, id = 0;
  if (hv_form_body(rq, &f))
    return;
  const char *email_in = hv_form_get(&f, "email"), *name = hv_form_get(&f, "name");
  const char *d = hv_form_get(&f, "department_id");
  unsigned roles = form_roles(&f);
  char *email = hv_arena_strdup(rq->arena, email_in ? email_in : "");
  if (!hv_email_normalise(email)) {
    users_page(rq, 400, "Enter the person's work email address.", NULL);
    return;
  }
  if (!name || !*name || strlen(name) > 120 || !hv_utf8_valid(name, strlen(name))) {
    users_page(rq, 400, "Enter the person's name (up to 120 characters).", NULL);
    return;
  }
  if (!roles) {
    users_page(rq, 400, "Choose at least one role.", NULL);
    return;
  }
  if (d && *d && hv_parse_i64(d, 1, INT64_MAX, &dept)) {
    users_page(rq, 400, "Choose a department from the list.", NULL);
    return;
  }
  if ((roles & HV_DEPARTMENTAL) && !dept) {
    users_page(rq, 400, "A liaison or staff member needs a department.", NULL);
    return;
  }
  hv_password_random(pw, 20);
  if (hv_password_hash(pw, hash)) {
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  enum hv_qs qs = hv_accounts_create_user(app->store, rq->principal->actor, email, name, dept, roles,
                                          hash, true, &id);
  if (qs == HV_QS_CONFLICT) {
    users_page(rq, 409, "That email already has an account.", NULL);
    return;
  }
  if (qs <= 0) {
    users_page(rq, 503, "The database did not answer. Nothing was saved.", NULL);
    return;
  }
  users_page(rq, 201, NULL, json_pack("{s:s, s:s}", "email", email, "password", pw));
}

static void user_page(struct hv_request *rq, int status, int64_t id, const char *notice,
                      const char *password) {
  struct hv_app *app = rq->app;
  json_t *arr = json_array();
  if (hv_accounts_list_users(app->store, id, user_row, arr) < 0 || json_array_size(arr) == 0) {
    json_decref(arr);
    hv_reply_error(rq, 404, "not_found", "There is no such user.", NULL);
    return;
  }
  /* the role mask and department again, for the form */
  unsigned mask = 0;
  hv_roles_parse(json_string_value(json_object_get(json_array_get(arr, 0), "roles")), &mask);
  int64_t dept_id = 0;
  const char *code = json_string_value(json_object_get(json_array_get(arr, 0), "department"));
  if (code && strcmp(code, "—") != 0)
    hv_department_by_code(app->store, code, &dept_id);
  json_t *u = json_incref(json_array_get(arr, 0));
  json_decref(arr);
  char *title = hv_arena_printf(rq->arena, "%s — Haven", json_string_value(json_object_get(u, "name")));
  hv_page(rq, status, "admin_user", title,
          json_pack("{s:o, s:o, s:o, s:s?, s:s?, s:b}", "user", u, "roles", role_options(mask),
                    "departments", departments_options(app, dept_id), "notice", notice, "password",
                    password, "self", id == rq->principal->user_id));
}

static void page_user(struct hv_request *rq) {
  user_page(rq, 200, hv_param(rq, "id")->num, NULL, NULL);
}

static void page_user_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  int64_t id = hv_param(rq, "id")->num;
  const char *actor = rq->principal->actor;
  char pw[24], hash[HV_PASSWORD_HASH_MAX];
  enum hv_qs qs = HV_QS_HARD;
  const char *notice = NULL, *shown = NULL;
  if (hv_form_body(rq, &f))
    return;
  const char *action = hv_form_get(&f, "action");
  if (!action) {
    hv_reply_error(rq, 400, "invalid_form", "No action was chosen.", NULL);
    return;
  }
  if (strcmp(action, "roles") == 0) {
    unsigned roles = form_roles(&f);
    int64_t dept = 0;
    const char *d = hv_form_get(&f, "department_id");
    if (!roles) {
      user_page(rq, 400, id, "Choose at least one role; nothing was changed.", NULL);
      return;
    }
    if (d && *d && hv_parse_i64(d, 1, INT64_MAX, &dept)) {
      user_page(rq, 400, id, "Choose a department from the list.", NULL);
      return;
    }
    qs = hv_accounts_set_roles(app->store, actor, id, roles);
    if (qs > 0)
      qs = hv_accounts_set_department(app->store, actor, id, dept);
    notice = "Roles and department saved.";
  } else if (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0) {
    bool on = action[0] == 'e';
    if (!on && id == rq->principal->user_id) {
      user_page(rq, 400, id, "You cannot disable your own account.", NULL);
      return;
    }
    qs = hv_accounts_set_active(app->store, actor, id, on);
    notice = on ? "The account is enabled." : "The account is disabled and its sessions ended.";
  } else if (strcmp(action, "end_sessions") == 0) {
    qs = hv_accounts_end_sessions(app->store, actor, id);
    notice = "Every session of this user was ended.";
  } else if (strcmp(action, "reset_password") == 0) {
    hv_password_random(pw, 20);
    if (hv_password_hash(pw, hash) == 0)
      qs = hv_accounts_reset_password(app->store, actor, id, hash);
    notice = "A one-time password was set and every session ended. Give it to the person "
             "privately; it must be changed at first sign-in.";
    shown = pw;
  } else {
    hv_reply_error(rq, 400, "invalid_form", "Unknown action.", NULL);
    return;
  }
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such user.", NULL);
    return;
  }
  if (qs < 0) {
    user_page(rq, 503, id, "The database did not answer. Nothing was changed.", NULL);
    return;
  }
  user_page(rq, 200, id, notice, shown);
}

/* --- tokens ------------------------------------------------------------ */

static int token_row(void *cls, const struct hv_token_info *t) {
  char expires[64], used[64] = "never";
  hv_time_format(t->expires_at, expires, sizeof expires);
  if (t->last_used_at)
    hv_time_format(t->last_used_at, used, sizeof used);
  bool live = !t->revoked_at && t->expires_at > hv_clock_wall_ms();
  json_array_append_new(cls, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)t->id,
                                       "name", t->name, "role", t->role, "expires", expires,
                                       "last_used", used, "live", live, "revoked",
                                       t->revoked_at != 0));
  return 0;
}

static void tokens_page(struct hv_request *rq, int status, const char *error, json_t *created) {
  struct hv_app *app = rq->app;
  json_t *tokens = json_array();
  if (hv_tokens_list(app->store, token_row, tokens) < 0) {
    json_decref(tokens);
    json_decref(created);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  json_t *roles = role_options(0);
  json_array_remove(roles, 0); /* tokens are never administrators */
  hv_page(rq, status, "admin_tokens", "API tokens — Haven",
          json_pack("{s:o, s:o, s:o, s:s?, s:o}", "tokens", tokens, "roles", roles, "departments",
                    departments_options(app, 0), "error", error, "created",
                    created ? created : json_null()));
}

static void page_tokens(struct hv_request *rq) { tokens_page(rq, 200, NULL, NULL); }

static void page_tokens_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f;
  char token[HV_TOKEN_LEN + 1];
  int64_t days = 0, dept = 0, id = 0;
  if (hv_form_body(rq, &f))
    return;
  const char *name = hv_form_get(&f, "name"), *role = hv_form_get(&f, "role");
  const char *d = hv_form_get(&f, "department_id"), *dd = hv_form_get(&f, "days");
  int r = role ? hv_role_parse(role) : -1;
  if (!name || !*name || strlen(name) > 100 || !hv_utf8_valid(name, strlen(name))) {
    tokens_page(rq, 400, "Name the token after the system that will use it.", NULL);
    return;
  }
  if (r <= HV_ROLE_ADMIN) {
    tokens_page(rq, 400, "Choose a role (tokens cannot be administrators).", NULL);
    return;
  }
  if (!dd || hv_parse_i64(dd, 1, 366, &days)) {
    tokens_page(rq, 400, "The token must expire in 1 to 366 days.", NULL);
    return;
  }
  if (d && *d && hv_parse_i64(d, 1, INT64_MAX, &dept)) {
    tokens_page(rq, 400, "Choose a department from the list.", NULL);
    return;
  }
  if (r == HV_ROLE_LIAISON && !dept) {
    tokens_page(rq, 400, "A liaison token needs a department.", NULL);
    return;
  }
  enum hv_qs qs = hv_tokens_create(app->store, rq->principal, name, (enum hv_role)r, dept,
                                   hv_clock_wall_ms() + days * 86400 * 1000, token, &id);
  if (qs <= 0) {
    tokens_page(rq, 503, "The database did not answer. No token was made.", NULL);
    return;
  }
  tokens_page(rq, 201, NULL, json_pack("{s:s, s:s}", "name", name, "token", token));
}

static void page_token_revoke(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_qs qs = hv_tokens_revoke(app->store, rq->principal, hv_param(rq, "id")->num);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such active token.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_redirect(rq, 303, "/admin/tokens");
}

/* --- imports ------------------------------------------------------------ */

static void import_page(struct hv_request *rq, int status, const char *kind, const char *error,
                        struct hv_import_result *r, bool applied) {
  json_t *ctx = json_pack("{s:s, s:s?, s:b}", "kind", kind ? kind : "", "error", error, "applied",
                          applied);
  if (r) {
    json_object_set(ctx, "errors", json_array_size(r->errors) ? r->errors : json_null());
    json_object_set(ctx, "passwords", json_array_size(r->passwords) ? r->passwords : json_null());
    json_object_set_new(ctx, "has_errors", json_boolean(json_array_size(r->errors) > 0));
    json_object_set_new(ctx, "has_passwords", json_boolean(json_array_size(r->passwords) > 0));
    json_object_set_new(ctx, "created", json_integer(r->created));
    json_object_set_new(ctx, "updated", json_integer(r->updated));
    json_object_set_new(ctx, "unchanged", json_integer(r->unchanged));
  }
  json_object_set_new(ctx, "is_departments", json_boolean(kind && strcmp(kind, "departments") == 0));
  json_object_set_new(ctx, "is_facilities", json_boolean(kind && strcmp(kind, "facilities") == 0));
  json_object_set_new(ctx, "is_users", json_boolean(kind && strcmp(kind, "users") == 0));
  hv_page(rq, status, "admin_import", "Import — Haven", ctx);
}

static void page_import(struct hv_request *rq) { import_page(rq, 200, NULL, NULL, NULL, false); }

static void page_import_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  struct hv_import_result r;
  int n = hv_multipart_parse(rq->arena, hv_header(rq, "Content-Type"), rq->body ? rq->body : "",
                             rq->body_len, parts, HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    import_page(rq, 400, NULL, "The upload could not be read. Choose the file again.", NULL, false);
    return;
  }
  /* CSRF: multipart bodies carry the token as a part */
  const struct hv_part *kind_p = hv_multipart_get(parts, n, "kind");
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  char kind[16] = "";
  if (kind_p && kind_p->len < sizeof kind)
    memcpy(kind, kind_p->data, kind_p->len), kind[kind_p->len] = '\0';
  int k = hv_import_kind_parse(kind);
  if (k < 0) {
    import_page(rq, 400, NULL, "Choose what the file holds.", NULL, false);
    return;
  }
  if (!file || file->len == 0) {
    import_page(rq, 400, kind, "Choose a CSV file to import.", NULL, false);
    return;
  }
  int res = hv_import(app->store, rq->principal->actor, (enum hv_import_kind)k, file->data, file->len, &r);
  if (res < 0)
    import_page(rq, 503, kind, "The database did not answer. Nothing was saved.", NULL, false);
  else if (res > 0)
    import_page(rq, 422, kind, "The file was refused and nothing was saved. Fix these rows and upload it again.", &r, false);
  else
    import_page(rq, 200, kind, NULL, &r, true);
  hv_import_result_free(&r);
}

#define ADMIN HV_PERM_USERS_ADMIN

const struct hv_route hv_admin_routes[] = {
    {HV_GET, "/admin/users", ADMIN, 0, 0, page_users},
    {HV_POST, "/admin/users", ADMIN, HV_R_CSRF, 8192, page_users_create},
    {HV_GET, "/admin/users/{id:int}", ADMIN, 0, 0, page_user},
    {HV_POST, "/admin/users/{id:int}", ADMIN, HV_R_CSRF, 8192, page_user_post},
    {HV_GET, "/admin/tokens", ADMIN, 0, 0, page_tokens},
    {HV_POST, "/admin/tokens", ADMIN, HV_R_CSRF, 8192, page_tokens_create},
    {HV_POST, "/admin/tokens/{id:int}/revoke", ADMIN, HV_R_CSRF, 1024, page_token_revoke},
    {HV_GET, "/admin/import", HV_PERM_IMPORT, 0, 0, page_import},
    {HV_POST, "/admin/import", HV_PERM_IMPORT, HV_R_CSRF, 4u << 20, page_import_post},
};
const size_t hv_admin_nroutes = sizeof hv_admin_routes / sizeof hv_admin_routes[0];
