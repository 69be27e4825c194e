/* The working group's JSON API (roles admin, moia, workgroup edit; legal
 * and auditor read):
 *
 *   GET/POST   /api/v1/workgroup/members            GET/PATCH .../members/{id}
 *   GET/POST   /api/v1/workgroup/sessions           GET/PATCH .../sessions/{id}
 *   GET/POST   /api/v1/workgroup/sessions/{id}/feedback
 *   GET/PATCH  /api/v1/workgroup/feedback/{id}
 *   GET/POST   /api/v1/workgroup/recommendations    GET/PATCH .../recommendations/{id}
 *   POST       /api/v1/workgroup/recommendations/{id}/status
 *   GET/POST   /api/v1/workgroup/guidelines         GET/PATCH .../guidelines/{id}
 *   POST       /api/v1/workgroup/guidelines/{id}/versions
 *
 * A change sends the version it read and answers 409 when it moved on.
 * Free text (session summaries, feedback, recommendations) goes through the
 * incident narrative redactor on every path, API and pages alike, before it
 * is stored; the answer says how many identifiers were replaced. */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/markdown.h"
#include "modules/incidents/redact.h"
#include "modules/workgroup/workgroup.h"
#include "web/api.h"
#include "web/app.h"

/* --- input specs ------------------------------------------------------------- */

/* hv_json_unpack writes each field into a slot of its own. */
union slot {
  const char *s;
  int64_t i;
  bool b;
  int e;
  const json_t *a;
};
#define SLOT(k) ((k) * sizeof(union slot))

static const char *const kinds[] = {"meeting", "consultation", NULL};
static const char *const session_statuses[] = {"planned", "held", "cancelled", NULL};

static const struct hv_jfield member_spec[] = {
    {"name", HV_J_STRING, false, SLOT(0), 1, 120, 0, 0, NULL},
    {"organisation", HV_J_STRING, false, SLOT(1), 1, 200, 0, 0, NULL},
    {"group_role", HV_J_STRING, false, SLOT(2), 1, 120, 0, 0, NULL},
    {"active", HV_J_BOOL, false, SLOT(3), 0, 0, 0, 0, NULL},
    {"version", HV_J_INT, false, SLOT(4), 0, 0, 1, 1000000000, NULL},
};
static const struct hv_jfield session_spec[] = {
    {"kind", HV_J_ENUM, false, SLOT(0), 0, 0, 0, 0, kinds},
    {"title", HV_J_STRING, false, SLOT(1), 1, 200, 0, 0, NULL},
    {"held_on", HV_J_DATE, false, SLOT(2), 0, 0, 0, 0, NULL},
    {"place", HV_J_STRING, false, SLOT(3), 1, 300, 0, 0, NULL},
    {"languages", HV_J_ARRAY, false, SLOT(4), 0, HV_WG_LANGS_MAX, 0, 0, NULL},
    {"attendance", HV_J_INT, false, SLOT(5), 0, 0, 0, 100000, NULL},
    {"summary", HV_J_STRING, false, SLOT(6), 0, 20000, 0, 0, NULL},
    {"status", HV_J_ENUM, false, SLOT(7), 0, 0, 0, 0, session_statuses},
    {"version", HV_J_INT, false, SLOT(8), 0, 0, 1, 1000000000, NULL},
};
static const struct hv_jfield feedback_spec[] = {
    {"topic", HV_J_STRING, false, SLOT(0), 1, 200, 0, 0, NULL},
    {"summary", HV_J_STRING, false, SLOT(1), 1, 5000, 0, 0, NULL},
    {"source", HV_J_STRING, false, SLOT(2), 0, 200, 0, 0, NULL},
    {"version", HV_J_INT, false, SLOT(3), 0, 0, 1, 1000000000, NULL},
};

struct spec {
  const struct hv_jfield *f;
  size_t n;
  const char *required[4][2]; /* field, message */
  const char *redacted[3];    /* free-text fields scanned */
  const char *none;           /* "There is no such ..." */
};

static const struct spec specs[HV_WGE_MAX] = {
    [HV_WGE_MEMBER] = {member_spec,
                       sizeof member_spec / sizeof member_spec[0],
                       {{"name", "Enter the member's name."},
                        {"organisation", "Enter the organisation the member represents."},
                        {"group_role", "Enter the member's role in the group (chair, say)."}},
                       {NULL},
                       "There is no such member."},
    [HV_WGE_SESSION] = {session_spec,
                        sizeof session_spec / sizeof session_spec[0],
                        {{"kind", "Say whether this is a meeting or a consultation."},
                         {"title", "Give the session a short title."},
                         {"held_on", "Enter the date, as YYYY-MM-DD."},
                         {"place", "Enter the place (a venue and its address)."}},
                        {"summary"},
                        "There is no such session."},
    [HV_WGE_FEEDBACK] = {feedback_spec,
                         sizeof feedback_spec / sizeof feedback_spec[0],
                         {{"topic", "Enter the topic of the feedback."},
                          {"summary", "Summarise what was said."}},
                         {"topic", "summary", "source"},
                         "There is no such feedback item."},
};

static void set_err(struct hv_wg_error *e, int status, const char *code, const char *message,
                    const char *field) {
  e->status = status;
  e->code = code;
  e->message = message;
  e->field = field;
}

const char *hv_wg_redact(struct hv_request *rq, const char *field, const char *text,
                         struct hv_wg_scan *scan) {
  struct hv_buf b;
  struct hv_redaction r;
  const char *out = NULL;
  hv_buf_init(&b, 256 * 1024);
  if (hv_redact(text, strlen(text), &b, &r) == 0) {
    out = hv_arena_strdup(rq->arena, b.data ? b.data : "");
    for (int k = 0; k < HV_PII_MAX; k++)
      scan->redacted += r.found[k];
    for (size_t w = 0; scan->flags && w < r.nwords; w++)
      json_array_append_new(scan->flags,
                            json_pack("{s:s, s:s}", "field", field, "word", r.words[w]));
  }
  hv_buf_free(&b);
  return out;
}

int hv_wg_check(struct hv_request *rq, enum hv_wg_entity e, json_t *fields, bool create,
                const json_t *current, struct hv_wg_scan *scan, struct hv_wg_error *err) {
  const struct spec *sp = &specs[e];
  union slot sc[16];
  struct hv_jerr je;
  memset(sc, 0, sizeof sc);
  if (hv_json_unpack(fields, sp->f, sp->n, sc, &je)) {
    set_err(err, 400, hv_arena_strdup(rq->arena, je.code), hv_arena_strdup(rq->arena, je.message),
            je.field[0] ? hv_arena_strdup(rq->arena, je.field) : NULL);
    return -1;
  }
  if (create && json_object_get(fields, "version")) {
    set_err(err, 400, "unknown_field", "A new record has no version yet.", "version");
    return -1;
  }
  if (!create && !json_object_get(fields, "version")) {
    set_err(err, 400, "missing_field",
            "Send the version you read, so a change made meanwhile is not overwritten.", "version");
    return -1;
  }
  for (size_t i = 0; create && i < 4 && sp->required[i][0]; i++)
    if (!json_object_get(fields, sp->required[i][0])) {
      set_err(err, 400, "missing_field", sp->required[i][1], sp->required[i][0]);
      return -1;
    }
  if (e == HV_WGE_SESSION) {
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(fields, "languages"), i, l) {
      size_t len = json_string_length(l);
      if (!json_is_string(l) || len == 0 || len > HV_WG_LANG_NAME_MAX) {
        set_err(err, 400, "invalid_value",
                "Name each language interpreted in 1 to 40 characters (Spanish, Korean, ASL).",
                "languages");
        return -1;
      }
    }
    /* attendance is a count of people who came: only for a session held */
    json_t *st = json_object_get(fields, "status"), *att = json_object_get(fields, "attendance");
    if (!st && current)
      st = json_object_get(current, "status");
    if (!att && current)
      att = json_object_get(current, "attendance");
    const char *status = json_is_string(st) ? json_string_value(st) : "planned";
    if (json_is_integer(att) && strcmp(status, "held") != 0) {
      set_err(err, 422, "invalid_value",
              "Record the attendance once the session has been held (set its status to held).",
              "attendance");
      return -1;
    }
    if (create && !st)
      json_object_set_new(fields, "status", json_string("planned"));
    if (create && !json_object_get(fields, "languages"))
      json_object_set_new(fields, "languages", json_array());
  }
  if (e == HV_WGE_MEMBER && create && !json_object_get(fields, "active"))
    json_object_set_new(fields, "active", json_true());
  for (size_t i = 0; i < 3 && sp->redacted[i]; i++) {
    const char *k = sp->redacted[i];
    json_t *v = json_object_get(fields, k);
    if (!json_is_string(v))
      continue;
    const char *r = hv_wg_redact(rq, k, json_string_value(v), scan);
    if (!r) {
      set_err(err, 400, "invalid_value", "The text is not valid.", k);
      return -1;
    }
    json_object_set_new(fields, k, json_string(r));
  }
  return 0;
}

bool hv_wg_has_raw_html(const char *md) {
  cmark_node *doc = cmark_parse_document(md ? md : "", md ? strlen(md) : 0, 0);
  bool found = false;
  if (!doc)
    return true; /* out of memory: refuse rather than pass unchecked */
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while (it && !found && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node_type t = cmark_node_get_type(cmark_iter_get_node(it));
    found = ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE);
  }
  if (!it)
    found = true;
  cmark_iter_free(it);
  cmark_node_free(doc);
  return found;
}

void hv_wg_render_versions(json_t *g) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(g, "versions"), i, v) {
    const char *md = json_string_value(json_object_get(v, "text"));
    char *html = hv_markdown_html(md ? md : "", md ? strlen(md) : 0);
    json_object_set_new(v, "html", json_string(html ? html : ""));
    free(html);
  }
}

void hv_wg_write_error(struct hv_request *rq, enum hv_qs qs, const struct hv_wg_refusal *r,
                       int64_t current, const char *none, struct hv_wg_error *err) {
  if (qs == HV_QS_NONE) {
    set_err(err, 404, "not_found", none, NULL);
  } else if (qs == HV_QS_CONFLICT && r && r->field && !strcmp(r->field, "status")) {
    char next[128];
    const char *from = r->from >= 0 ? hv_wg_rec_statuses[r->from].code : "unknown";
    hv_wg_rec_next_text((enum hv_wg_rec_status)r->from, next, sizeof next);
    set_err(err, 422, "invalid_transition",
            hv_arena_printf(rq->arena,
                            "A recommendation that is %s can move to %s, not to this status.", from,
                            next),
            "status");
  } else if (qs == HV_QS_CONFLICT && r && r->field && !strcmp(r->field, "text")) {
    set_err(err, 409, "conflict", "The document holds as many versions as it may (200).", "text");
  } else if (qs == HV_QS_CONFLICT && r && r->field) {
    set_err(
        err, 422, "invalid_value",
        hv_arena_printf(rq->arena, "There is no record %lld to link to.", (long long)r->missing),
        r->field);
  } else if (qs == HV_QS_CONFLICT) {
    set_err(err, 409, "version_conflict",
            hv_arena_printf(rq->arena,
                            "Someone changed this record meanwhile (it is at version %lld now): "
                            "read it again and make the change there.",
                            (long long)current),
            "version");
  } else {
    set_err(err, 503, "unavailable",
            "The database did not answer. Nothing was saved; please try again.", NULL);
  }
}

/* --- the plain records ---------------------------------------------------------- */

static void reply_err(struct hv_request *rq, const struct hv_wg_error *e) {
  hv_reply_error(rq, e->status, e->code, e->message, e->field);
}

static void reply_entity(struct hv_request *rq, int status, enum hv_wg_entity e, int64_t id,
                         struct hv_wg_scan *scan) {
  struct hv_app *app = rq->app;
  json_t *o = NULL;
  enum hv_qs qs = hv_wg_get(app->store, e, id, &o);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", specs[e].none, NULL);
  } else if (qs < 0) {
    hv_reply_store_error(rq, qs);
  } else {
    if (scan) {
      json_object_set_new(o, "redacted", json_integer((json_int_t)scan->redacted));
      json_object_set_new(o, "flags", json_incref(scan->flags));
    }
    hv_reply_json(rq, status, o);
  }
}

static void entity_create(struct hv_request *rq, enum hv_wg_entity e, int64_t parent) {
  struct hv_app *app = rq->app;
  union slot sc[16];
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, json_array()};
  int64_t id = 0;
  json_t *j = hv_api_body(rq, specs[e].f, specs[e].n, sc);
  if (!j)
    goto out;
  if (hv_wg_check(rq, e, j, true, NULL, &scan, &err)) {
    reply_err(rq, &err);
    goto out;
  }
  enum hv_qs qs = hv_wg_create(app->store, rq->principal, e, parent, j, &id);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, NULL, 0, "There is no such session.", &err);
    reply_err(rq, &err);
  } else {
    reply_entity(rq, 201, e, id, &scan);
  }
out:
  json_decref(scan.flags);
  json_decref(j);
}

static void entity_update(struct hv_request *rq, enum hv_wg_entity e) {
  struct hv_app *app = rq->app;
  union slot sc[16];
  struct hv_wg_error err;
  struct hv_wg_scan scan = {0, json_array()};
  int64_t id = hv_param(rq, "id")->num, current = 0;
  json_t *cur = NULL, *j = hv_api_body(rq, specs[e].f, specs[e].n, sc);
  if (!j)
    goto out;
  enum hv_qs qs = hv_wg_get(app->store, e, id, &cur);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, NULL, 0, specs[e].none, &err);
    reply_err(rq, &err);
    goto out;
  }
  if (hv_wg_check(rq, e, j, false, cur, &scan, &err)) {
    reply_err(rq, &err);
    goto out;
  }
  int64_t version = json_integer_value(json_object_get(j, "version"));
  json_object_del(j, "version");
  qs = hv_wg_update(app->store, rq->principal, e, id, version, j, &current);
  if (qs <= 0) {
    hv_wg_write_error(rq, qs, NULL, current, specs[e].none, &err);
    reply_err(rq, &err);
  } else {
    reply_entity(rq, 200, e, id, &scan);
  }
out:
  json_decref(cur);
  json_decref(scan.flags);
  json_decref(j);
}

static void entity_list(struct hv_request *rq, enum hv_wg_entity e, int64_t parent) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_wg_list(app->store, e, parent, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static void api_members(struct hv_request *rq) { entity_list(rq, HV_WGE_MEMBER, 0); }
static void api_member_add(struct hv_request *rq) { entity_create(rq, HV_WGE_MEMBER, 0); }
static void api_member(struct hv_request *rq) {
  reply_entity(rq, 200, HV_WGE_MEMBER, hv_param(rq, "id")->num, NULL);
}
static void api_member_update(struct hv_request *rq) { entity_update(rq, HV_WGE_MEMBER); }
static void api_sessions(struct hv_request *rq) { entity_list(rq, HV_WGE_SESSION, 0); }
static void api_session_add(struct hv_request *rq) { entity_create(rq, HV_WGE_SESSION, 0); }
static void api_session(struct hv_request *rq) {
  reply_entity(rq, 200, HV_WGE_SESSION, hv_param(rq, "id")->num, NULL);
}
static void api_session_update(struct hv_request *rq) { entity_update(rq, HV_WGE_SESSION); }
static void api_feedback_list(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *s = NULL;
  int64_t id = hv_param(rq, "id")->num;
  enum hv_qs qs = hv_wg_get(app->store, HV_WGE_SESSION, id, &s);
  json_decref(s);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", specs[HV_WGE_SESSION].none, NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    entity_list(rq, HV_WGE_FEEDBACK, id);
}
static void api_feedback_add(struct hv_request *rq) {
  entity_create(rq, HV_WGE_FEEDBACK, hv_param(rq, "id")->num);
}
static void api_feedback(struct hv_request *rq) {
  reply_entity(rq, 200, HV_WGE_FEEDBACK, hv_param(rq, "id")->num, NULL);
}
static void api_feedback_update(struct hv_request *rq) { entity_update(rq, HV_WGE_FEEDBACK); }

/* --- recommendations -------------------------------------------------------------- */

struct rec_body {
  const char *title, *text, *status, *reason;
  const json_t *feedback_ids;
  int64_t version;
};
#define RB(f) offsetof(struct rec_body, f)
static const struct hv_jfield rec_spec[] = {
    {"title", HV_J_STRING, false, RB(title), 1, 200, 0, 0, NULL},
    {"text", HV_J_STRING, false, RB(text), 1, 20000, 0, 0, NULL},
    {"feedback_ids", HV_J_ARRAY, false, RB(feedback_ids), 0, HV_WG_LINKS_MAX, 0, 0, NULL},
    {"version", HV_J_INT, false, RB(version), 0, 0, 1, 1000000000, NULL},
};
static const struct hv_jfield move_spec[] = {
    {"status", HV_J_STRING, true, RB(status), 1, 40, 0, 0, NULL},
    {"reason", HV_J_STRING, false, RB(reason), 0, 2000, 0, 0, NULL},
    {"version", HV_J_INT, true, RB(version), 0, 0, 1, 1000000000, NULL},
};

/* Checks that every item of `ids` is a positive integer. */
static bool ids_ok(const json_t *ids) {
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) if (!json_is_integer(v) || json_integer_value(v) <= 0) return false;
  return true;
}

static void reply_rec(struct hv_request *rq, int status, int64_t id, struct hv_wg_scan *scan) {
  struct hv_app *app = rq->app;
  json_t *o = NULL;
  enum hv_qs qs = hv_wg_rec_get(app->store, id, &o);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such recommendation.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else {
    if (scan) {
      json_object_set_new(o, "redacted", json_integer((json_int_t)scan->redacted));
      json_object_set_new(o, "flags", json_incref(scan->flags));
    }
    hv_reply_json(rq, status, o);
  }
}

/* Reads and checks a recommendation body, redacting its text. 0, or -1
 * after replying. */
static int read_rec(struct hv_request *rq, struct rec_body *b, json_t **j, bool create,
                    struct hv_wg_scan *scan) {
  memset(b, 0, sizeof *b);
  *j = hv_api_body(rq, rec_spec, sizeof rec_spec / sizeof rec_spec[0], b);
  if (!*j)
    return -1;
  if (create && json_object_get(*j, "version")) {
    hv_reply_error(rq, 400, "unknown_field", "A new recommendation has no version yet.", "version");
    return -1;
  }
  if (!create && !json_object_get(*j, "version")) {
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
    return -1;
  }
  if (create && !b->title) {
    hv_reply_error(rq, 400, "missing_field", "Give the recommendation a short title.", "title");
    return -1;
  }
  if (create && !b->text) {
    hv_reply_error(rq, 400, "missing_field", "Write the recommendation.", "text");
    return -1;
  }
  if (b->feedback_ids && !ids_ok(b->feedback_ids)) {
    hv_reply_error(rq, 400, "invalid_value", "List the feedback items by their ids (numbers).",
                   "feedback_ids");
    return -1;
  }
  if ((b->title && !(b->title = hv_wg_redact(rq, "title", b->title, scan))) ||
      (b->text && !(b->text = hv_wg_redact(rq, "text", b->text, scan)))) {
    hv_reply_error(rq, 400, "invalid_value", "The text is not valid.", "text");
    return -1;
  }
  return 0;
}

static void api_recs(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_wg_rec_list(app->store, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static void api_rec(struct hv_request *rq) { reply_rec(rq, 200, hv_param(rq, "id")->num, NULL); }

static void api_rec_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct rec_body b;
  struct hv_wg_scan scan = {0, json_array()};
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  json_t *j = NULL;
  int64_t id = 0;
  if (read_rec(rq, &b, &j, true, &scan) == 0) {
    enum hv_qs qs =
        hv_wg_rec_create(app->store, rq->principal, b.title, b.text, b.feedback_ids, &r, &id);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, 0, "There is no such recommendation.", &err);
      reply_err(rq, &err);
    } else {
      reply_rec(rq, 201, id, &scan);
    }
  }
  json_decref(scan.flags);
  json_decref(j);
}

static void api_rec_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct rec_body b;
  struct hv_wg_scan scan = {0, json_array()};
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  json_t *j = NULL;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  if (read_rec(rq, &b, &j, false, &scan) == 0) {
    enum hv_qs qs = hv_wg_rec_update(app->store, rq->principal, id, b.version, b.title, b.text,
                                     b.feedback_ids, &r, &current);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, current, "There is no such recommendation.", &err);
      reply_err(rq, &err);
    } else {
      reply_rec(rq, 200, id, &scan);
    }
  }
  json_decref(scan.flags);
  json_decref(j);
}

static void api_rec_move(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct rec_body b;
  struct hv_wg_scan scan = {0, json_array()};
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, move_spec, sizeof move_spec / sizeof move_spec[0], &b);
  if (!j)
    goto out;
  int to = hv_wg_find(hv_wg_rec_statuses, HV_WGR_MAX, b.status);
  const char *reason = b.reason && *b.reason ? hv_wg_redact(rq, "reason", b.reason, &scan) : NULL;
  if (to < 0) {
    hv_reply_error(rq, 400, "invalid_value",
                   "Choose a status: proposed, under_review, adopted, implemented or declined.",
                   "status");
  } else if (to == HV_WGR_DECLINED && !reason) {
    hv_reply_error(rq, 400, "missing_field", "Say why the recommendation is declined.", "reason");
  } else {
    enum hv_qs qs = hv_wg_rec_move(app->store, rq->principal, id, b.version,
                                   (enum hv_wg_rec_status)to, reason, &r, &current);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, current, "There is no such recommendation.", &err);
      reply_err(rq, &err);
    } else {
      reply_rec(rq, 200, id, &scan);
    }
  }
out:
  json_decref(scan.flags);
  json_decref(j);
}

/* --- guidelines ---------------------------------------------------------------------- */

struct gl_body {
  const char *title, *text, *note;
  const json_t *recommendation_ids;
  int64_t version;
};
#define GB(f) offsetof(struct gl_body, f)
#define HV_WG_TEXT_MAX 100000
static const struct hv_jfield gl_spec[] = {
    {"title", HV_J_STRING, false, GB(title), 1, 200, 0, 0, NULL},
    {"text", HV_J_STRING, false, GB(text), 1, HV_WG_TEXT_MAX, 0, 0, NULL},
    {"note", HV_J_STRING, false, GB(note), 0, 500, 0, 0, NULL},
    {"recommendation_ids", HV_J_ARRAY, false, GB(recommendation_ids), 0, HV_WG_LINKS_MAX, 0, 0,
     NULL},
    {"version", HV_J_INT, false, GB(version), 0, 0, 1, 1000000000, NULL},
};
static const struct hv_jfield glv_spec[] = {
    {"text", HV_J_STRING, true, GB(text), 1, HV_WG_TEXT_MAX, 0, 0, NULL},
    {"note", HV_J_STRING, false, GB(note), 0, 500, 0, 0, NULL},
    {"version", HV_J_INT, true, GB(version), 0, 0, 1, 1000000000, NULL},
};

static void reply_gl(struct hv_request *rq, int status, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *o = NULL;
  enum hv_qs qs = hv_wg_guideline_get(app->store, id, &o);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such guideline document.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else {
    hv_wg_render_versions(o);
    hv_reply_json(rq, status, o);
  }
}

static const char *const RAW_HTML =
    "Write the text in Markdown without HTML tags: raw HTML is not accepted.";

static void api_gls(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_wg_guideline_list(app->store, &items);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static void api_gl(struct hv_request *rq) { reply_gl(rq, 200, hv_param(rq, "id")->num); }

static void api_gl_add(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct gl_body b;
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = 0;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, gl_spec, sizeof gl_spec / sizeof gl_spec[0], &b);
  if (!j)
    return;
  if (json_object_get(j, "version"))
    hv_reply_error(rq, 400, "unknown_field", "A new document has no version yet.", "version");
  else if (!b.title)
    hv_reply_error(rq, 400, "missing_field", "Give the document a title.", "title");
  else if (!b.text)
    hv_reply_error(rq, 400, "missing_field", "Write the document's first text (Markdown).", "text");
  else if (hv_wg_has_raw_html(b.text))
    hv_reply_error(rq, 422, "invalid_value", RAW_HTML, "text");
  else if (b.recommendation_ids && !ids_ok(b.recommendation_ids))
    hv_reply_error(rq, 400, "invalid_value", "List the recommendations by their ids (numbers).",
                   "recommendation_ids");
  else {
    enum hv_qs qs = hv_wg_guideline_create(app->store, rq->principal, b.title, b.text, b.note,
                                           b.recommendation_ids, &r, &id);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, 0, "There is no such guideline document.", &err);
      reply_err(rq, &err);
    } else {
      reply_gl(rq, 201, id);
    }
  }
  json_decref(j);
}

static void api_gl_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct gl_body b;
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, gl_spec, sizeof gl_spec / sizeof gl_spec[0], &b);
  if (!j)
    return;
  if (!json_object_get(j, "version"))
    hv_reply_error(rq, 400, "missing_field",
                   "Send the version you read, so a change made meanwhile is not overwritten.",
                   "version");
  else if (b.text || b.note)
    hv_reply_error(rq, 400, "unknown_field",
                   "A new text is a new version: post it to .../versions.",
                   b.text ? "text" : "note");
  else if (b.recommendation_ids && !ids_ok(b.recommendation_ids))
    hv_reply_error(rq, 400, "invalid_value", "List the recommendations by their ids (numbers).",
                   "recommendation_ids");
  else {
    enum hv_qs qs = hv_wg_guideline_update(app->store, rq->principal, id, b.version, b.title,
                                           b.recommendation_ids, &r, &current);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, current, "There is no such guideline document.", &err);
      reply_err(rq, &err);
    } else {
      reply_gl(rq, 200, id);
    }
  }
  json_decref(j);
}

static void api_gl_version(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct gl_body b;
  struct hv_wg_refusal r;
  struct hv_wg_error err;
  int64_t id = hv_param(rq, "id")->num, current = 0;
  memset(&b, 0, sizeof b);
  json_t *j = hv_api_body(rq, glv_spec, sizeof glv_spec / sizeof glv_spec[0], &b);
  if (!j)
    return;
  if (hv_wg_has_raw_html(b.text)) {
    hv_reply_error(rq, 422, "invalid_value", RAW_HTML, "text");
  } else {
    enum hv_qs qs = hv_wg_guideline_add_version(app->store, rq->principal, id, b.version, b.text,
                                                b.note, &r, &current, NULL);
    if (qs <= 0) {
      hv_wg_write_error(rq, qs, &r, current, "There is no such guideline document.", &err);
      reply_err(rq, &err);
    } else {
      reply_gl(rq, 201, id);
    }
  }
  json_decref(j);
}

#define READ HV_PERM_WORKGROUP_READ
#define EDIT HV_PERM_WORKGROUP
#define W (HV_R_API | HV_R_CSRF)
#define P "/api/v1/workgroup"

const struct hv_route hv_workgroup_routes[] = {
    {HV_GET, P "/members", READ, HV_R_API, 0, api_members},
    {HV_POST, P "/members", EDIT, W, 8192, api_member_add},
    {HV_GET, P "/members/{id:int}", READ, HV_R_API, 0, api_member},
    {HV_PATCH, P "/members/{id:int}", EDIT, W, 8192, api_member_update},
    {HV_GET, P "/sessions", READ, HV_R_API, 0, api_sessions},
    {HV_POST, P "/sessions", EDIT, W, 128 * 1024, api_session_add},
    {HV_GET, P "/sessions/{id:int}", READ, HV_R_API, 0, api_session},
    {HV_PATCH, P "/sessions/{id:int}", EDIT, W, 128 * 1024, api_session_update},
    {HV_GET, P "/sessions/{id:int}/feedback", READ, HV_R_API, 0, api_feedback_list},
    {HV_POST, P "/sessions/{id:int}/feedback", EDIT, W, 32 * 1024, api_feedback_add},
    {HV_GET, P "/feedback/{id:int}", READ, HV_R_API, 0, api_feedback},
    {HV_PATCH, P "/feedback/{id:int}", EDIT, W, 32 * 1024, api_feedback_update},
    {HV_GET, P "/recommendations", READ, HV_R_API, 0, api_recs},
    {HV_POST, P "/recommendations", EDIT, W, 128 * 1024, api_rec_add},
    {HV_GET, P "/recommendations/{id:int}", READ, HV_R_API, 0, api_rec},
    {HV_PATCH, P "/recommendations/{id:int}", EDIT, W, 128 * 1024, api_rec_update},
    {HV_POST, P "/recommendations/{id:int}/status", EDIT, W, 16 * 1024, api_rec_move},
    {HV_GET, P "/guidelines", READ, HV_R_API, 0, api_gls},
    {HV_POST, P "/guidelines", EDIT, W, 512 * 1024, api_gl_add},
    {HV_GET, P "/guidelines/{id:int}", READ, HV_R_API, 0, api_gl},
    {HV_PATCH, P "/guidelines/{id:int}", EDIT, W, 16 * 1024, api_gl_update},
    {HV_POST, P "/guidelines/{id:int}/versions", EDIT, W, 512 * 1024, api_gl_version},
};
const size_t hv_workgroup_nroutes = sizeof hv_workgroup_routes / sizeof hv_workgroup_routes[0];
