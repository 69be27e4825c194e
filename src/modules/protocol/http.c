/* The employee protocol over HTTP: the JSON API (any signed-in staff
 * member reads the current version; administrators list versions and save
 * new ones) and the administration pages (edit with a preview, versions,
 * an old version). Saving names the version the editor started from; when
 * someone saved meanwhile nothing is written and the editor gets the text
 * back with the newer version beside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/log.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "modules/protocol/protocol.h"
#include "web/api.h"
#include "web/app.h"

/* One version for the API: its record and its HTML (from the cache). */
static json_t *version_full(struct hv_request *rq, int64_t version, enum hv_qs *qs) {
  struct hv_app *app = rq->app;
  struct hv_protocol_view v;
  json_t *o;
  *qs = hv_protocol_get(app->store, version, &o);
  if (*qs <= 0)
    return NULL;
  *qs = hv_protocol_view(app->store, json_integer_value(json_object_get(o, "version")), rq->arena,
                         &v);
  if (*qs <= 0) {
    json_decref(o);
    return NULL;
  }
  json_object_set_new(o, "html", json_string(v.html));
  return o;
}

static void reply_version(struct hv_request *rq, int status, int64_t version) {
  enum hv_qs qs;
  json_t *o = version_full(rq, version, &qs);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such protocol version.", NULL);
  else if (qs < 0 || !o)
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  else
    hv_reply_json(rq, status, o);
}

/* --- API ------------------------------------------------------------------ */

static void api_current(struct hv_request *rq) { reply_version(rq, 200, 0); }

static void api_version(struct hv_request *rq) {
  reply_version(rq, 200, hv_param(rq, "version")->num);
}

static void api_versions(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items;
  enum hv_qs qs = hv_protocol_list(app->store, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

struct save_body {
  const char *markdown, *note;
  int64_t expect_version;
};

/* Lengths here are generous (code points); the byte cap and emptiness are
 * checked after, so they answer 422 with the field named. */
static const struct hv_jfield save_spec[] = {
    {"markdown", HV_J_STRING, true, offsetof(struct save_body, markdown), 0, 4 * HV_PROTOCOL_MAX, 0,
     0, NULL},
    {"note", HV_J_STRING, false, offsetof(struct save_body, note), 0, HV_PROTOCOL_NOTE_MAX, 0, 0,
     NULL},
    {"expect_version", HV_J_INT, true, offsetof(struct save_body, expect_version), 0, 0, 0,
     1000000000, NULL},
};

static void api_save(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct save_body b = {NULL, NULL, 0};
  const char *why;
  json_t *j = hv_api_body(rq, save_spec, sizeof save_spec / sizeof save_spec[0], &b);
  if (!j)
    return;
  if ((why = hv_protocol_check(b.markdown, strlen(b.markdown)))) {
    hv_reply_error(rq, 422, "invalid_value", why, "markdown");
    goto out;
  }
  if (b.note && strlen(b.note) > HV_PROTOCOL_NOTE_MAX) {
    hv_reply_error(rq, 422, "invalid_value", "Keep the note under 500 bytes.", "note");
    goto out;
  }
  struct hv_protocol_save w = {rq->principal, b.markdown, b.note, b.expect_version, 0, 0, 0};
  enum hv_qs qs = hv_protocol_save(app->store, &w);
  if (qs == HV_QS_CONFLICT && w.stale) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "Version %lld was saved after version %lld you edited; nothing was saved. Compare "
             "your text with version %lld and send it again with that expect_version.",
             (long long)w.current, (long long)b.expect_version, (long long)w.current);
    hv_reply_json(rq, 409,
                  json_pack("{s:{s:s, s:s, s:s, s:I}}", "error", "code", "stale_version", "message",
                            msg, "field", "expect_version", "current_version",
                            (json_int_t)w.current));
    goto out;
  }
  if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    goto out;
  }
  hv_log(HV_LOG_INFO, "protocol saved", HV_LS("request_id", rq->id), HV_LI("version", w.version));
  reply_version(rq, 201, w.version);
  if (rq->reply.status == 201)
    hv_reply_header(
        rq, "Location",
        hv_arena_printf(rq->arena, "/api/v1/protocol/versions/%lld", (long long)w.version));
out:
  json_decref(j);
}

/* --- pages ---------------------------------------------------------------- */

static void add_when(json_t *o) {
  char when[64];
  hv_time_format(json_integer_value(json_object_get(o, "created_at")), when, sizeof when);
  json_object_set_new(o, "when", json_string(when));
  if (json_is_null(json_object_get(o, "created_by")))
    json_object_set_new(o, "created_by", json_string("Haven (installed text)"));
}

/* What the editor page shows. Text fields are borrowed. */
struct editor {
  const char *text, *note; /* NULL: the current version's text, no note */
  int64_t expect;          /* -1: the current version */
  const char *error, *error_field, *notice;
  const char *preview;       /* HTML of the submitted text, or NULL */
  const char *preview_label; /* heading above the preview */
};

static void editor_page(struct hv_request *rq, int status, const struct editor *e) {
  struct hv_app *app = rq->app;
  json_t *cur, *versions;
  enum hv_qs qs = hv_protocol_get(app->store, 0, &cur);
  if (qs < 0 || hv_protocol_list(app->store, &versions) < 0) {
    if (qs > 0)
      json_decref(cur);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  if (qs == HV_QS_NONE)
    cur = json_pack("{s:i, s:s}", "version", 0, "markdown", "");
  else
    add_when(cur);
  size_t i;
  json_t *v;
  json_array_foreach(versions, i, v) add_when(v);
  int64_t cv = json_integer_value(json_object_get(cur, "version"));
  const char *preview = e->preview, *label = e->preview_label;
  if (!preview && cv > 0) {
    struct hv_protocol_view pv;
    if (hv_protocol_view(app->store, cv, rq->arena, &pv) > 0)
      preview = pv.html;
    label = "How the alert page shows it now";
  }
  const char *text = e->text ? e->text : json_string_value(json_object_get(cur, "markdown"));
  json_t *ctx =
      json_pack("{s:o, s:o, s:s, s:s, s:I, s:s?, s:s?, s:s?, s:s?, s:b, s:b}", "current", cur,
                "versions", versions, "text", text ? text : "", "note", e->note ? e->note : "",
                "expect_version", (json_int_t)(e->expect >= 0 ? e->expect : cv), "error", e->error,
                "notice", e->notice, "preview", preview, "preview_label", label, "error_markdown",
                e->error_field && strcmp(e->error_field, "markdown") == 0, "error_note",
                e->error_field && strcmp(e->error_field, "note") == 0);
  hv_page(rq, status, "admin_protocol", "Employee protocol — Haven", ctx);
}

static void page_editor(struct hv_request *rq) {
  struct editor e = {NULL, NULL, -1, NULL, NULL, NULL, NULL, NULL};
  const char *saved = hv_query(rq, "saved");
  int64_t n;
  if (saved && hv_parse_i64(saved, 1, 1000000000, &n) == 0)
    e.notice = hv_arena_printf(rq->arena, "Version %lld saved. The quick alert page shows it now.",
                               (long long)n);
  editor_page(rq, 200, &e);
}

/* The form may carry more than the 64 KiB cap so that an over-long text
 * comes back with a message beside the field rather than a bare 400. */
static const struct hv_form_limits editor_limits = {16, 64, 4 * HV_PROTOCOL_MAX};

static void page_save(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    hv_reply_error(rq, 415, "unsupported_media_type", "Send the form as a web form.", NULL);
    return;
  }
  enum hv_form_status st =
      hv_form_parse(rq->arena, rq->body ? rq->body : "", rq->body_len, &editor_limits, &form);
  if (st != HV_FORM_OK) {
    hv_reply_error(rq, 400, "invalid_form", hv_form_strerror(st), NULL);
    return;
  }
  const char *md = hv_form_get(&form, "markdown"), *note = hv_form_get(&form, "note");
  const char *ev = hv_form_get(&form, "expect_version"), *action = hv_form_get(&form, "action");
  int64_t expect;
  if (!md || !ev || hv_parse_i64(ev, 0, 1000000000, &expect)) {
    hv_reply_error(rq, 400, "invalid_form", "The form is missing its text or version.", NULL);
    return;
  }
  struct editor e = {md, note, expect, NULL, NULL, NULL, NULL, NULL};
  if ((e.error = hv_protocol_check(md, strlen(md)))) {
    e.error_field = "markdown";
    editor_page(rq, 422, &e);
    return;
  }
  if (note && strlen(note) > HV_PROTOCOL_NOTE_MAX) {
    e.error = "Keep the note under 500 characters.";
    e.error_field = "note";
    editor_page(rq, 422, &e);
    return;
  }
  if (action && strcmp(action, "preview") == 0) {
    char *html = hv_markdown_html(md, strlen(md));
    e.preview = html ? hv_arena_strdup(rq->arena, html) : NULL;
    free(html);
    e.preview_label = "Preview of your text";
    e.notice = "This is a preview: nothing is saved until you save a new version.";
    editor_page(rq, 200, &e);
    return;
  }
  struct hv_protocol_save w = {rq->principal, md, note, expect, 0, 0, 0};
  enum hv_qs qs = hv_protocol_save(app->store, &w);
  if (qs == HV_QS_CONFLICT && w.stale) {
    struct hv_protocol_view cur;
    e.expect = w.current;
    e.error = hv_arena_printf(
        rq->arena,
        "Someone saved version %lld while you were editing version %lld, so your text was not "
        "saved. It is still in the box below; the version saved meanwhile is shown beside it. "
        "Merge what you need, then save again.",
        (long long)w.current, (long long)expect);
    e.error_field = "markdown";
    if (hv_protocol_view(app->store, w.current, rq->arena, &cur) > 0) {
      e.preview = cur.html;
      e.preview_label =
          hv_arena_printf(rq->arena, "Version %lld, saved meanwhile by %s", (long long)w.current,
                          cur.created_by[0] ? cur.created_by : "Haven");
    }
    editor_page(rq, 409, &e);
    return;
  }
  if (qs <= 0) {
    e.error = "The database did not answer. Nothing was saved; your text is below.";
    editor_page(rq, 503, &e);
    return;
  }
  hv_log(HV_LOG_INFO, "protocol saved", HV_LS("request_id", rq->id), HV_LI("version", w.version));
  hv_reply_redirect(rq, 303,
                    hv_arena_printf(rq->arena, "/admin/protocol?saved=%lld", (long long)w.version));
}

static void page_version(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  enum hv_qs qs;
  json_t *o = version_full(rq, hv_param(rq, "version")->num, &qs);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such protocol version.", NULL);
    return;
  }
  if (qs < 0 || !o) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    return;
  }
  struct hv_protocol_head head;
  add_when(o);
  bool current = hv_protocol_head(app->store, 0, &head) > 0 &&
                 head.version == json_integer_value(json_object_get(o, "version"));
  const char *title = hv_arena_printf(rq->arena, "Protocol version %lld — Haven",
                                      (long long)json_integer_value(json_object_get(o, "version")));
  hv_page(rq, 200, "admin_protocol_version", title,
          json_pack("{s:o, s:b}", "version", o, "is_current", current));
}

#define STAFF HV_PERM_STAFF
#define CONTENT HV_PERM_CONTENT_ADMIN

const struct hv_route hv_protocol_routes[] = {
    {HV_GET, "/api/v1/protocol", STAFF, HV_R_API, 0, api_current},
    {HV_PUT, "/api/v1/protocol", CONTENT, HV_R_API | HV_R_CSRF, 8 * HV_PROTOCOL_MAX, api_save},
    {HV_GET, "/api/v1/protocol/versions", CONTENT, HV_R_API, 0, api_versions},
    {HV_GET, "/api/v1/protocol/versions/{version:int}", CONTENT, HV_R_API, 0, api_version},
    {HV_GET, "/admin/protocol", CONTENT, 0, 0, page_editor},
    {HV_POST, "/admin/protocol", CONTENT, HV_R_CSRF, 12 * HV_PROTOCOL_MAX, page_save},
    {HV_GET, "/admin/protocol/versions/{version:int}", CONTENT, 0, 0, page_version},
};
const size_t hv_protocol_nroutes = sizeof hv_protocol_routes / sizeof hv_protocol_routes[0];
