/* The help directories' API and staff page: GET /api/v1/kyr/directory/
 * {legal|programs} (public JSON, filtered by ?lang= and ?service=), POST of
 * a CSV file (text/csv) by administrators and MOIA, and /kyr-admin/directory
 * with an upload form per directory (multipart, CSRF, no JavaScript) that
 * lists a refused file's problems by row and column. The checking and the
 * writing are dirmodel.c's and dirstore.c's; the public pages are site.c's. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/policy.h"
#include "http/multipart.h"
#include "modules/kyr/directory.h"
#include "modules/kyr/kyr.h"
#include "web/api.h"
#include "web/app.h"

/* True when `tag` is one of the site's languages. */
static int language_known(struct hv_store *s, const char *tag) {
  json_t *langs = NULL;
  if (hv_kyr_languages(s, &langs) < 0)
    return -1;
  size_t i;
  json_t *l;
  int found = 0;
  json_array_foreach(langs, i, l) found |=
      strcmp(json_string_value(json_object_get(l, "tag")), tag) == 0;
  json_decref(langs);
  return found;
}

static int kind_of(struct hv_request *rq) {
  int d = hv_kyr_dir_parse_kind(hv_param(rq, "kind")->str);
  if (d < 0)
    hv_reply_error(rq, 404, "not_found", "The directories are legal and programs.", NULL);
  return d;
}

static void api_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int d = kind_of(rq);
  if (d < 0)
    return;
  const char *lang = hv_query(rq, "lang"), *service = hv_query(rq, "service");
  if (lang && *lang) {
    int known = language_known(app->store, lang);
    if (known < 0) {
      hv_reply_store_error(rq, HV_QS_HARD);
      return;
    }
    if (!known) {
      hv_reply_error(rq, 400, "invalid_value", "Give the tag of one of the site's languages.",
                     "lang");
      return;
    }
  }
  if (service && *service && (d != HV_KYR_DIR_LEGAL || !hv_kyr_service_ok(service))) {
    hv_reply_error(rq, 400, "invalid_value",
                   d == HV_KYR_DIR_LEGAL ? "The services are deportation-defense, detained-cases, "
                                           "affirmative-applications and consultations."
                                         : "City programs are not filtered by service.",
                   "service");
    return;
  }
  char today[11];
  json_t *items = NULL;
  hv_kyr_today(today);
  enum hv_qs qs = hv_kyr_dir_list(app->store, (enum hv_kyr_dir)d, lang, service, today, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200,
                  json_pack("{s:s, s:s, s:o}", "directory", hv_kyr_dir_kind_name(d), "today", today,
                            "items", items));
}

static json_t *counts(const struct hv_kyr_dir_result *r, int d) {
  return json_pack("{s:s, s:i, s:i, s:i, s:i}", "directory", hv_kyr_dir_kind_name(d), "created",
                   r->created, "updated", r->updated, "unchanged", r->unchanged, "removed",
                   r->removed);
}

static void api_import(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int d = kind_of(rq);
  if (d < 0)
    return;
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
    hv_reply_error(rq, 415, "unsupported_media_type",
                   "Send the file as text/csv (UTF-8, the first row naming the columns).", NULL);
    return;
  }
  if (!rq->body || rq->body_len == 0) {
    hv_reply_error(rq, 400, "missing_field", "The file is empty.", NULL);
    return;
  }
  struct hv_kyr_dir_result r;
  int rc = hv_kyr_dir_import(app->store, rq->principal->actor, (enum hv_kyr_dir)d, rq->body,
                             rq->body_len, &r);
  if (rc < 0) {
    hv_reply_store_error(rq, HV_QS_HARD);
  } else if (rc > 0) {
    char msg[160];
    snprintf(msg, sizeof msg,
             "The file was refused and nothing was saved: %zu problem%s, listed by row and "
             "column in rows.",
             json_array_size(r.errors), json_array_size(r.errors) == 1 ? "" : "s");
    hv_reply_json(rq, 422,
                  json_pack("{s:{s:s, s:s, s:n, s:O}}", "error", "code", "invalid_file", "message",
                            msg, "field", "rows", r.errors));
  } else {
    hv_reply_json(rq, 200, counts(&r, d));
  }
  hv_kyr_dir_result_free(&r);
}

/* --- the staff page ---------------------------------------------------------------- */

static json_t *columns_json(enum hv_kyr_dir d) {
  json_t *a = json_array();
  for (const char *const *c = hv_kyr_dir_columns(d); *c; c++)
    json_array_append_new(a, json_string(*c));
  return a;
}

static void directory_page(struct hv_request *rq, int status, int kind, const char *error,
                           struct hv_kyr_dir_result *r, bool applied) {
  struct hv_app *app = rq->app;
  char today[11];
  hv_kyr_today(today);
  json_t *ctx = json_pack("{s:s?, s:b, s:o, s:o, s:s}", "error", error, "applied", applied,
                          "legal_columns", columns_json(HV_KYR_DIR_LEGAL), "program_columns",
                          columns_json(HV_KYR_DIR_PROGRAMS), "kind",
                          kind >= 0 ? hv_kyr_dir_kind_name(kind) : "");
  json_object_set_new(ctx, "is_legal", json_boolean(kind == HV_KYR_DIR_LEGAL));
  json_object_set_new(ctx, "is_programs", json_boolean(kind == HV_KYR_DIR_PROGRAMS));
  if (r) {
    json_object_set_new(ctx, "has_errors", json_boolean(json_array_size(r->errors) > 0));
    json_object_set(ctx, "errors", r->errors);
    json_object_set_new(ctx, "result", counts(r, kind));
  }
  for (int d = 0; d < HV_KYR_DIR_MAX; d++) {
    json_t *items = NULL;
    char key[32];
    snprintf(key, sizeof key, "n_%s", hv_kyr_dir_kind_name(d));
    if (hv_kyr_dir_list(app->store, (enum hv_kyr_dir)d, NULL, NULL, today, &items) > 0)
      json_object_set_new(ctx, key, json_integer((json_int_t)json_array_size(items)));
    json_decref(items);
  }
  hv_page(rq, status, "kyr_directory_admin", "Help directories — Haven", ctx);
}

static void page_directory(struct hv_request *rq) {
  directory_page(rq, 200, -1, NULL, NULL, false);
}

static void page_directory_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_part parts[HV_MULTIPART_MAX_PARTS];
  int n = hv_multipart_parse(rq->arena, hv_header(rq, "Content-Type"), rq->body ? rq->body : "",
                             rq->body_len, parts, HV_MULTIPART_MAX_PARTS);
  if (n < 0) {
    directory_page(rq, 400, -1, "The upload could not be read. Choose the file again.", NULL,
                   false);
    return;
  }
  const struct hv_part *kind_p = hv_multipart_get(parts, n, "kind");
  const struct hv_part *file = hv_multipart_get(parts, n, "file");
  char kind[16] = "";
  if (kind_p && kind_p->len < sizeof kind) {
    memcpy(kind, kind_p->data, kind_p->len);
    kind[kind_p->len] = '\0';
  }
  int d = hv_kyr_dir_parse_kind(kind);
  if (d < 0) {
    directory_page(rq, 400, -1, "Choose which directory the file holds.", NULL, false);
    return;
  }
  if (!file || file->len == 0) {
    directory_page(rq, 400, d, "Choose a CSV file to import.", NULL, false);
    return;
  }
  struct hv_kyr_dir_result r;
  int rc = hv_kyr_dir_import(app->store, rq->principal->actor, (enum hv_kyr_dir)d, file->data,
                             file->len, &r);
  if (rc < 0)
    directory_page(rq, 503, d, "The database did not answer. Nothing was saved.", NULL, false);
  else if (rc > 0)
    directory_page(rq, 422, d,
                   "The file was refused and nothing was saved. Fix these rows and upload it "
                   "again.",
                   &r, false);
  else
    directory_page(rq, 200, d, NULL, &r, true);
  hv_kyr_dir_result_free(&r);
}

#define DIRECTORY HV_PERM_KYR_DIRECTORY
#define FILE_MAX HV_KYR_DIR_MAX_BYTES

const struct hv_route hv_kyr_directory_routes[] = {
    {HV_GET, "/api/v1/kyr/directory/{kind:slug}", 0, HV_R_API | HV_R_PUBLIC, 0, api_list},
    {HV_POST, "/api/v1/kyr/directory/{kind:slug}", DIRECTORY, HV_R_API | HV_R_CSRF, FILE_MAX,
     api_import},
    {HV_GET, "/kyr-admin/directory", DIRECTORY, 0, 0, page_directory},
    {HV_POST, "/kyr-admin/directory", DIRECTORY, HV_R_CSRF, FILE_MAX + (64u << 10),
     page_directory_post},
};
const size_t hv_kyr_directory_nroutes =
    sizeof hv_kyr_directory_routes / sizeof hv_kyr_directory_routes[0];
