/* Know Your Rights API: languages, topics, texts and their workflow, the
 * coverage table, what the public sees, and the editor's SMS check
 * (POST /api/v1/kyr/sms-check, open to every signed-in staff role). */
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/json.h"
#include "core/str.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "http/form.h"
#include "modules/kyr/card.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/optout.h"
#include "modules/kyr/sms.h"
#include "modules/kyr/smsq.h"
#include "modules/kyr/smsreply.h"
#include "web/api.h"
#include "web/app.h"

#define SMS_TEXT_MAX HV_KYR_SMS_MAX

struct sms_body {
  const char *text, *lang;
};

static const struct hv_jfield sms_spec[] = {
    {"text", HV_J_STRING, true, offsetof(struct sms_body, text), 0, SMS_TEXT_MAX, 0, 0, NULL},
    {"lang", HV_J_STRING, false, offsetof(struct sms_body, lang), 2, 15, 0, 0, NULL},
};

static json_t *offending_json(const struct hv_sms_info *in) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < in->noffending; i++) {
    char u[4];
    size_t n = hv_utf8_put(in->offending[i], u);
    json_array_append_new(a, json_stringn(u, n));
  }
  return a;
}

static void api_sms_check(struct hv_request *rq) {
  struct sms_body b = {0};
  struct hv_sms_info in;
  char *with = NULL;
  json_t *j = hv_api_body(rq, sms_spec, 2, &b);
  if (!j)
    return;
  json_t *text = json_object_get(j, "text");
  /* With a language, the text is measured as it is sent: with a line break
   * and that language's STOP/HELP footer, as publishing counts it. */
  const char *footer = b.lang && json_string_length(text) ? hv_smsreply_footer(b.lang) : NULL;
  const char *measured = json_string_value(text);
  size_t mlen = json_string_length(text);
  if (footer) {
    size_t n = mlen + 1 + strlen(footer) + 1;
    with = malloc(n);
    if (!with) {
      hv_reply_error(rq, 500, "internal", "Out of memory.", NULL);
      goto out;
    }
    snprintf(with, n, "%s\n%s", measured, footer);
    measured = with;
    mlen = strlen(with);
  }
  if (strlen(json_string_value(text)) != json_string_length(text) ||
      hv_sms_measure(measured, mlen, &in)) {
    hv_reply_error(rq, 400, "invalid_value", "The text holds a character SMS cannot carry.",
                   "text");
    goto out;
  }
  hv_reply_json(rq, 200,
                json_pack("{s:s, s:I, s:I, s:o, s:b, s:i, s:b, s:o}", "encoding",
                          hv_sms_encoding_name(in.encoding), "units", (json_int_t)in.units,
                          "segments", (json_int_t)in.segments, "offending", offending_json(&in),
                          "offending_truncated", in.more_offending, "max_segments",
                          HV_SMS_MAX_SEGMENTS, "within_limit", in.segments <= HV_SMS_MAX_SEGMENTS,
                          "footer", footer ? json_string(footer) : json_null()));
out:
  free(with);
  json_decref(j);
}

/* --- content ---------------------------------------------------------------- */

#define TITLE_MAX HV_KYR_TITLE_MAX
#define WEB_MAX HV_KYR_WEB_MAX
#define PHONE_MAX HV_KYR_PHONE_MAX
#define CARD_MAX HV_KYR_CARD_MAX

/* Replies {"items": [...]} from a read that filled *items, or the error. */
static void reply_list(struct hv_request *rq, enum hv_qs qs, json_t **items) {
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, json_pack("{s:o}", "items", *items));
}

static void api_languages(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_kyr_languages(app->store, &items);
  reply_list(rq, qs, &items);
}

static void api_topics(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_kyr_topics(app->store, &items);
  reply_list(rq, qs, &items);
}

static void api_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_kyr_coverage(app->store, &items);
  reply_list(rq, qs, &items);
}

struct topic_body {
  const char *slug;
  int64_t position;
};

static const struct hv_jfield topic_spec[] = {
    {"slug", HV_J_STRING, true, offsetof(struct topic_body, slug), 1, 64, 0, 0, NULL},
    {"position", HV_J_INT, true, offsetof(struct topic_body, position), 0, 0, 0, 10000, NULL},
};

bool hv_kyr_slug_ok(const char *s) {
  /* the help directories' pages live beside the topics */
  if (!*s || *s == '-' || strcmp(s, "legal-help") == 0 || strcmp(s, "city-programs") == 0)
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return false;
  return true;
}

static void api_topic_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct topic_body b = {0};
  int64_t id = 0;
  json_t *j = hv_api_body(rq, topic_spec, 2, &b);
  if (!j)
    return;
  if (!hv_kyr_slug_ok(b.slug)) {
    hv_reply_error(rq, 400, "invalid_value",
                   "A slug is lower-case letters, digits and hyphens, e.g. at-the-door.", "slug");
    goto out;
  }
  enum hv_qs qs = hv_kyr_topic_create(app->store, rq->principal, b.slug, (int)b.position, &id);
  if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "conflict", "A topic with this slug exists.", "slug");
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 201,
                  json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "slug", b.slug, "position",
                            (json_int_t)b.position));
out:
  json_decref(j);
}

static void api_texts(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  enum hv_qs qs = hv_kyr_texts(app->store, hv_param(rq, "id")->num, hv_query(rq, "lang"), &items);
  reply_list(rq, qs, &items);
}

static void reply_refusal(struct hv_request *rq, enum hv_qs qs, struct hv_kyr_write *w) {
  if (qs == HV_QS_CONFLICT && w->refusal) {
    static const char *const codes[] = {
        [403] = "forbidden", [404] = "not_found", [409] = "conflict", [422] = "invalid_value"};
    int st = w->refusal_status;
    const char *code = st >= 0 && st <= 422 && codes[st] ? codes[st] : "refused";
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", code, "message", w->refusal, "field",
                          w->refusal_field ? json_string(w->refusal_field) : json_null());
    if (w->detail)
      json_object_set(e, "detail", w->detail);
    hv_reply_json(rq, st, json_pack("{s:o}", "error", e));
  } else {
    hv_reply_store_error(rq, qs);
  }
  json_decref(w->detail);
  w->detail = NULL;
}

static void reply_text(struct hv_request *rq, int status, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *t = NULL;
  enum hv_qs qs = hv_kyr_text_get(app->store, id, &t);
  if (qs <= 0)
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
  else
    hv_reply_json(rq, status, t);
}

struct text_body {
  const char *lang, *title, *web, *sms, *phone, *card;
  int64_t source_id, expect_updated;
};

#define TEXT_FIELDS                                                                                \
  {"title", HV_J_STRING, true, offsetof(struct text_body, title), 1, TITLE_MAX, 0, 0, NULL},       \
      {"web", HV_J_STRING, true, offsetof(struct text_body, web), 1, WEB_MAX, 0, 0, NULL},         \
      {"sms", HV_J_STRING, false, offsetof(struct text_body, sms), 0, SMS_TEXT_MAX, 0, 0, NULL},   \
      {"phone", HV_J_STRING, false, offsetof(struct text_body, phone), 0, PHONE_MAX, 0, 0, NULL},  \
  {                                                                                                \
    "card", HV_J_STRING, false, offsetof(struct text_body, card), 0, CARD_MAX, 0, 0, NULL          \
  }

static const struct hv_jfield text_create_spec[] = {
    {"lang", HV_J_STRING, true, offsetof(struct text_body, lang), 2, 15, 0, 0, NULL},
    {"source_id", HV_J_INT, false, offsetof(struct text_body, source_id), 0, 0, 1, INT64_MAX, NULL},
    TEXT_FIELDS,
};

static const struct hv_jfield text_update_spec[] = {
    {"expect_updated", HV_J_INT, true, offsetof(struct text_body, expect_updated), 0, 0, 1,
     INT64_MAX, NULL},
    TEXT_FIELDS,
};

static void fields_from(struct hv_kyr_fields *f, const struct text_body *b) {
  f->title = b->title;
  f->web = b->web;
  f->sms = b->sms ? b->sms : "";
  f->phone = b->phone ? b->phone : "";
  f->card = b->card ? b->card : "";
}

/* The SMS rendition must at least be text SMS can carry. */
static bool sms_ok(struct hv_request *rq, const char *sms) {
  struct hv_sms_info in;
  if (hv_sms_measure(sms, strlen(sms), &in) == 0)
    return true;
  hv_reply_error(rq, 400, "invalid_value", "The SMS text holds a character SMS cannot carry.",
                 "sms");
  return false;
}

static void api_text_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct text_body b = {0};
  json_t *j =
      hv_api_body(rq, text_create_spec, sizeof text_create_spec / sizeof text_create_spec[0], &b);
  if (!j)
    return;
  struct hv_kyr_write w = {.by = rq->principal,
                           .topic_id = hv_param(rq, "id")->num,
                           .lang = b.lang,
                           .source_id = b.source_id};
  fields_from(&w.f, &b);
  if (!sms_ok(rq, w.f.sms))
    goto out;
  enum hv_qs qs = hv_kyr_text_create(app->store, &w);
  if (qs < 0)
    reply_refusal(rq, qs, &w);
  else
    reply_text(rq, 201, w.new_id);
out:
  json_decref(j);
}

static void api_text(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *t = NULL;
  enum hv_qs qs = hv_kyr_text_get(app->store, hv_param(rq, "id")->num, &t);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "No such text.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, t);
}

static void api_text_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct text_body b = {0};
  json_t *j =
      hv_api_body(rq, text_update_spec, sizeof text_update_spec / sizeof text_update_spec[0], &b);
  if (!j)
    return;
  struct hv_kyr_write w = {
      .by = rq->principal, .id = hv_param(rq, "id")->num, .expect_updated = b.expect_updated};
  fields_from(&w.f, &b);
  if (!sms_ok(rq, w.f.sms))
    goto out;
  enum hv_qs qs = hv_kyr_text_update(app->store, &w);
  if (qs < 0)
    reply_refusal(rq, qs, &w);
  else
    reply_text(rq, 200, w.id);
out:
  json_decref(j);
}

struct action_body {
  int action;
  const char *note;
};

static const char *const action_names[] = {"submit",  "return",  "approve",
                                           "publish", "retract", NULL};

static const struct hv_jfield action_spec[] = {
    {"action", HV_J_ENUM, true, offsetof(struct action_body, action), 0, 0, 0, 0, action_names},
    {"note", HV_J_STRING, false, offsetof(struct action_body, note), 0, 2000, 0, 0, NULL},
};

static void api_text_act(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct action_body b = {0};
  json_t *j = hv_api_body(rq, action_spec, 2, &b);
  if (!j)
    return;
  struct hv_kyr_write w = {.by = rq->principal,
                           .id = hv_param(rq, "id")->num,
                           .action =
                               (enum hv_kyr_action)hv_kyr_action_parse(action_names[b.action]),
                           .note = b.note};
  if (w.action == HV_KA_RETURN && (!b.note || !*b.note)) {
    hv_reply_error(rq, 400, "missing_field", "Say what must change when returning a text.", "note");
    goto out;
  }
  enum hv_qs qs = hv_kyr_text_act(app->store, &w);
  if (qs < 0)
    reply_refusal(rq, qs, &w);
  else
    reply_text(rq, 200, w.id);
out:
  json_decref(j);
}

static void api_public(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *v = NULL;
  enum hv_qs qs =
      hv_kyr_public(app->store, hv_param(rq, "lang")->str, hv_param(rq, "slug")->str, &v);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "Nothing is published for this topic in this language.",
                   NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, v);
}

/* --- 311: sending and counting ------------------------------------------------ */

static const char *const channel_names[] = {"web", "sms", "phone", "card", "email", NULL};

struct send_body {
  const char *topic, *lang, *to;
};

static const struct hv_jfield send_spec[] = {
    {"topic", HV_J_STRING, true, offsetof(struct send_body, topic), 1, 64, 0, 0, NULL},
    {"lang", HV_J_STRING, true, offsetof(struct send_body, lang), 2, 15, 0, 0, NULL},
    {"to", HV_J_STRING, true, offsetof(struct send_body, to), 1, 32, 0, 0, NULL},
};

static const struct hv_jfield email_spec[] = {
    {"topic", HV_J_STRING, true, offsetof(struct send_body, topic), 1, 64, 0, 0, NULL},
    {"lang", HV_J_STRING, true, offsetof(struct send_body, lang), 2, 15, 0, 0, NULL},
    {"to", HV_J_STRING, true, offsetof(struct send_body, to), 3, HV_SMSQ_ADDR_MAX + 16, 0, 0,
     NULL},
};

/* Sends the topic's SMS text in the caller's language to a number the
 * agent typed (the API and the console page both come here). The number is
 * used for this one send: it is never written to the database or the log,
 * and the normalised copy is wiped before returning. */
int hv_kyr_send_sms(struct hv_store *s, struct hv_smsq *q, const struct hv_config *cfg,
                    struct hv_kyr_send *x) {
  json_t *v = NULL;
  char *body = NULL;
  char to[HV_SMSQ_TO_MAX + 1] = "";
  x->status = 0;
  x->why = x->field = NULL;
  x->english = false;
  x->id[0] = '\0';
  if (hv_smsq_number(x->typed, to)) {
    x->status = 400;
    x->why = "Enter a 10-digit US number, or an international number starting with +.";
    x->field = "to";
    goto out;
  }
  /* A number that answered STOP gets nothing more (optout.h). */
  char hash[HV_KYR_OPTOUT_HASH_HEX];
  enum hv_qs qs = hv_kyr_optout_hash(cfg->data, to, hash) ? HV_QS_HARD : hv_kyr_optout_has(s, hash);
  if (qs == HV_QS_ONE) {
    x->status = 422;
    x->why = "This number has asked not to receive texts (it answered STOP). Nothing was sent.";
    x->field = "to";
    goto out;
  }
  if (qs < 0) {
    x->status = 503;
    x->why = "The opt-out list could not be checked. Nothing was sent; please try again.";
    goto out;
  }
  qs = hv_kyr_public(s, x->lang, x->topic, &v);
  if (qs == HV_QS_NONE) {
    x->status = 404;
    x->why = "Nothing is published for this topic in this language.";
    x->field = "topic";
    goto out;
  }
  if (qs < 0) {
    x->status = 503;
    x->why = "The database did not answer. Nothing was sent; please try again.";
    goto out;
  }
  json_t *text = json_object_get(v, "text");
  const char *sms = json_string_value(json_object_get(text, "sms"));
  if (!sms || !*sms) {
    x->status = 422;
    x->why = "This topic has no SMS text yet.";
    x->field = "topic";
    goto out;
  }
  x->english = strcmp(json_string_value(json_object_get(v, "show")), "english") == 0;
  /* The footer is in the language of the text sent (the English fallback
   * gets the English footer): publishing counted it in that text's budget. */
  bool fits;
  body = hv_smsreply_compose(sms, x->english ? "en" : x->lang, &fits);
  if (!body) {
    x->status = 503;
    x->why = "Out of memory. Nothing was sent; please try again.";
    goto out;
  }
  struct hv_smsq_job job = {to,      body, json_integer_value(json_object_get(text, "topic_id")),
                            x->agent_id, x->lang, HV_SMSQ_SMS, NULL};
  if (hv_smsq_submit(q, &job, x->id)) {
    x->status = 503;
    x->why = cfg->sms_url[0] ? "Too many messages are waiting: try again in a minute."
                             : "SMS sending is not configured on this server.";
  }
out:
  sodium_memzero(to, sizeof to);
  free(body);
  json_decref(v);
  return x->status;
}

/* The email of a page link: the title, the link to the page in the
 * caller's language, and one line from ui.json; nothing else (no images,
 * no tracking, no links but the one). The subject is ui.json's too. */
int hv_kyr_send_email(struct hv_store *s, struct hv_smsq *q, const struct hv_config *cfg,
                      struct hv_kyr_send *x) {
  json_t *v = NULL;
  char to[HV_SMSQ_ADDR_MAX + 1] = "";
  char *body = NULL;
  x->status = 0;
  x->why = x->field = NULL;
  x->english = false;
  x->id[0] = '\0';
  if (hv_smsq_email(x->typed, to)) {
    x->status = 400;
    x->why = "Enter an email address like name@example.com.";
    x->field = "to";
    goto out;
  }
  enum hv_qs qs = hv_kyr_public(s, x->lang, x->topic, &v);
  if (qs == HV_QS_NONE) {
    x->status = 404;
    x->why = "Nothing is published for this topic in this language.";
    x->field = "topic";
    goto out;
  }
  if (qs < 0) {
    x->status = 503;
    x->why = "The database did not answer. Nothing was sent; please try again.";
    goto out;
  }
  json_t *text = json_object_get(v, "text");
  x->english = strcmp(json_string_value(json_object_get(v, "show")), "english") == 0;
  const char *title = json_string_value(json_object_get(text, "title"));
  size_t n = strlen(title) + strlen(cfg->base_url) + strlen(x->lang) + strlen(x->topic) + 1024;
  body = malloc(n);
  if (!body) {
    x->status = 503;
    x->why = "Out of memory. Nothing was sent; please try again.";
    goto out;
  }
  /* The page in the caller's language: it shows the English text with a
   * notice in that language when the translation is missing or stale. */
  snprintf(body, n, "%s\n%s/kyr/%s/%s\n\n%s\n", title, cfg->base_url, x->lang, x->topic,
           hv_kyr_ui_string(x->lang, "email_line"));
  struct hv_smsq_job job = {to,          body,    json_integer_value(json_object_get(text, "topic_id")),
                            x->agent_id, x->lang, HV_SMSQ_EMAIL,
                            hv_kyr_ui_string(x->lang, "email_subject")};
  if (hv_smsq_submit(q, &job, x->id)) {
    x->status = 503;
    x->why = cfg->smtp_url[0] ? "Too many messages are waiting: try again in a minute."
                              : "Email sending is not configured on this server.";
  }
out:
  sodium_memzero(to, sizeof to);
  free(body);
  json_decref(v);
  return x->status;
}

static void api_email_send(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct send_body b = {0};
  json_t *j = hv_api_body(rq, email_spec, 3, &b);
  if (!j)
    goto wipe;
  struct hv_kyr_send x = {
      .topic = b.topic, .lang = b.lang, .typed = b.to, .agent_id = rq->principal->user_id};
  static const char *const codes[] = {
      [400] = "invalid_value", [404] = "not_found", [503] = "unavailable"};
  if (hv_kyr_send_email(app->store, app->smsq, app->cfg, &x))
    hv_reply_error(rq, x.status, codes[x.status], x.why, x.field);
  else
    hv_reply_json(rq, 202,
                  json_pack("{s:s, s:s, s:s, s:s}", "id", x.id, "status", "queued", "show",
                            x.english ? "english" : "text", "text_lang",
                            x.english ? "en" : b.lang));
  json_t *t = json_object_get(j, "to");
  if (json_is_string(t))
    sodium_memzero((char *)json_string_value(t), json_string_length(t));
  json_decref(j);
wipe:
  if (rq->body)
    sodium_memzero(rq->body, rq->body_len);
}

static void api_sms_send(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct send_body b = {0};
  json_t *j = hv_api_body(rq, send_spec, 3, &b);
  if (!j)
    return;
  struct hv_kyr_send x = {
      .topic = b.topic, .lang = b.lang, .typed = b.to, .agent_id = rq->principal->user_id};
  static const char *const codes[] = {
      [400] = "invalid_value", [404] = "not_found", [422] = "invalid_value", [503] = "unavailable"};
  if (hv_kyr_send_sms(app->store, app->smsq, app->cfg, &x))
    hv_reply_error(rq, x.status, codes[x.status], x.why, x.field);
  else
    hv_reply_json(rq, 202,
                  json_pack("{s:s, s:s, s:s, s:s}", "id", x.id, "status", "queued", "show",
                            x.english ? "english" : "text", "text_lang",
                            x.english ? "en" : b.lang));
  json_decref(j);
}

static void api_sms_state(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  char why[128];
  const char *id = hv_param(rq, "id")->str;
  enum hv_smsq_state st = hv_smsq_state(app->smsq, id, rq->principal->user_id, why, sizeof why);
  if (st == HV_SMSQ_UNKNOWN) {
    hv_reply_error(rq, 404, "not_found", "No such message (states are kept for an hour).", NULL);
    return;
  }
  hv_reply_json(rq, 200,
                json_pack("{s:s, s:s, s:o}", "id", id, "status", hv_smsq_state_code(st), "reason",
                          why[0] ? json_string(why) : json_null()));
}

/* --- the SMS gateway's webhook ---------------------------------------------------- */

static void xml_text(struct hv_buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&': hv_buf_adds(b, "&amp;"); break;
    case '<': hv_buf_adds(b, "&lt;"); break;
    case '>': hv_buf_adds(b, "&gt;"); break;
    case '"': hv_buf_adds(b, "&quot;"); break;
    case '\'': hv_buf_adds(b, "&apos;"); break;
    default: hv_buf_addc(b, *s);
    }
  }
}

/* TwiML, which the common gateways read: a <Message> answers the sender;
 * an empty <Response/> sends nothing. */
static void reply_twiml(struct hv_request *rq, const char *message) {
  struct hv_buf b;
  hv_buf_init(&b, 16384);
  hv_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  if (message) {
    hv_buf_adds(&b, "<Response><Message>");
    xml_text(&b, message);
    hv_buf_adds(&b, "</Message></Response>\n");
  } else {
    hv_buf_adds(&b, "<Response/>\n");
  }
  size_t len;
  char *out = hv_buf_steal(&b, &len);
  if (!out) {
    hv_reply_error(rq, 500, "internal", "Out of memory.", NULL);
    return;
  }
  hv_reply_text(rq, 200, "application/xml; charset=utf-8", out, len, true);
}

static const struct hv_form_limits inbound_limits = {64, 64, 4096};

/* POST /api/v1/kyr/sms/inbound: a resident's text to Haven's number, as
 * the gateway posts it (From, Body and the provider's other fields, which
 * are ignored). STOP, HELP and START in any served language are answered
 * in the keyword's language; STOP records an opt-out and START removes it,
 * by the keyed hash of the number only. Any other text gets no answer.
 * Neither the number nor the message is logged or kept: both are wiped
 * from the request's memory before returning. */
static void api_sms_inbound(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form f = {0};
  char to[HV_SMSQ_TO_MAX + 1] = "", hash[HV_KYR_OPTOUT_HASH_HEX] = "";
  enum hv_form_status fs =
      hv_form_parse(rq->arena, rq->body ? rq->body : "", rq->body_len, &inbound_limits, &f);
  if (fs != HV_FORM_OK) {
    hv_reply_error(rq, 400, "invalid_value", hv_form_strerror(fs), NULL);
    goto out;
  }
  const char *from = hv_form_get(&f, "From"), *body = hv_form_get(&f, "Body");
  if (!from || !body) {
    hv_reply_error(rq, 400, "missing_field", "The gateway must post From and Body.",
                   from ? "Body" : "From");
    goto out;
  }
  const char *lang = NULL;
  enum hv_sms_keyword k = hv_smsreply_keyword(body, &lang);
  if (k == HV_SMSK_NONE) {
    reply_twiml(rq, NULL);
    goto out;
  }
  if (k == HV_SMSK_STOP || k == HV_SMSK_START) {
    /* A sender that is not a phone number (a short code, a name) cannot be
     * texted by an agent anyway: answered, nothing recorded. */
    if (hv_smsq_number(from, to) == 0) {
      enum hv_qs qs = hv_kyr_optout_hash(app->cfg->data, to, hash)
                          ? HV_QS_HARD
                          : hv_kyr_optout_set(app->store, hash, k == HV_SMSK_STOP);
      if (qs < 0) { /* the gateway retries a 5xx */
        hv_reply_store_error(rq, qs);
        goto out;
      }
    }
  }
  static const char *const names[HV_SMSK_MAX] = {"none", "stop", "help", "start"};
  hv_log(HV_LOG_INFO, "sms keyword answered", HV_LS("keyword", names[k]), HV_LS("lang", lang));
  reply_twiml(rq, hv_smsreply_text(lang, k));
out:
  for (size_t i = 0; i < f.n; i++)
    sodium_memzero((char *)f.fields[i].value, f.fields[i].value_len);
  if (rq->body)
    sodium_memzero(rq->body, rq->body_len);
  sodium_memzero(to, sizeof to);
  sodium_memzero(hash, sizeof hash);
}

struct count_body {
  const char *topic, *lang;
  int channel;
};

static const struct hv_jfield count_spec[] = {
    {"topic", HV_J_STRING, true, offsetof(struct count_body, topic), 1, 64, 0, 0, NULL},
    {"lang", HV_J_STRING, true, offsetof(struct count_body, lang), 2, 15, 0, 0, NULL},
    {"channel", HV_J_ENUM, true, offsetof(struct count_body, channel), 0, 0, 0, 0, channel_names},
};

/* Records that an agent gave a topic by a channel (read the phone script,
 * printed the card, emailed or showed the page): 0, or 404 / 503. */
int hv_kyr_record(struct hv_store *s, const char *topic, const char *lang, const char *channel,
                  int64_t agent_id) {
  json_t *v = NULL;
  enum hv_qs qs = hv_kyr_public(s, lang, topic, &v);
  if (qs == HV_QS_NONE)
    return 404;
  if (qs > 0)
    qs =
        hv_kyr_count(s, json_integer_value(json_object_get(json_object_get(v, "text"), "topic_id")),
                     lang, channel, agent_id);
  json_decref(v);
  return qs < 0 ? 503 : 0;
}

static void api_count(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct count_body b = {0};
  json_t *j = hv_api_body(rq, count_spec, 3, &b);
  if (!j)
    return;
  int st =
      hv_kyr_record(app->store, b.topic, b.lang, channel_names[b.channel], rq->principal->user_id);
  if (st == 404)
    hv_reply_error(rq, 404, "not_found", "Nothing is published for this topic in this language.",
                   "topic");
  else if (st)
    hv_reply_store_error(rq, HV_QS_HARD);
  else
    hv_reply_json(rq, 201,
                  json_pack("{s:s, s:s, s:s}", "topic", b.topic, "lang", b.lang, "channel",
                            channel_names[b.channel]));
  json_decref(j);
}

static bool day_ok(const char *s) {
  int64_t ms;
  return s && strlen(s) == 10 && hv_time_local_day_start(s, &ms) == 0;
}

static void api_counts(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *from = hv_query(rq, "from"), *to = hv_query(rq, "to");
  if ((from && !day_ok(from)) || (to && !day_ok(to))) {
    hv_reply_error(rq, 400, "invalid_value", "Dates are written YYYY-MM-DD.",
                   from && !day_ok(from) ? "from" : "to");
    return;
  }
  json_t *out = NULL;
  enum hv_qs qs =
      hv_kyr_counts(app->store, from ? from : "0000-00-00", to ? to : "9999-99-99", &out);
  if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, out);
}

#define EDIT HV_PERM_KYR_EDIT
#define ACT (HV_PERM_KYR_EDIT | HV_PERM_KYR_APPROVE | HV_PERM_KYR_PUBLISH)

const struct hv_route hv_kyr_routes[] = {
    {HV_POST, "/api/v1/kyr/sms-check", HV_PERM_STAFF, HV_R_API | HV_R_CSRF, 16384, api_sms_check},
    {HV_GET, "/api/v1/kyr/languages", HV_PERM_STAFF, HV_R_API, 0, api_languages},
    {HV_GET, "/api/v1/kyr/topics", HV_PERM_STAFF, HV_R_API, 0, api_topics},
    {HV_POST, "/api/v1/kyr/topics", EDIT, HV_R_API | HV_R_CSRF, 4096, api_topic_create},
    {HV_GET, "/api/v1/kyr/topics/{id:int}/texts", HV_PERM_STAFF, HV_R_API, 0, api_texts},
    {HV_POST, "/api/v1/kyr/topics/{id:int}/texts", EDIT, HV_R_API | HV_R_CSRF, 65536,
     api_text_create},
    {HV_GET, "/api/v1/kyr/texts/{id:int}", HV_PERM_STAFF, HV_R_API, 0, api_text},
    {HV_PATCH, "/api/v1/kyr/texts/{id:int}", EDIT, HV_R_API | HV_R_CSRF, 65536, api_text_update},
    {HV_POST, "/api/v1/kyr/texts/{id:int}/actions", ACT, HV_R_API | HV_R_CSRF, 8192, api_text_act},
    {HV_GET, "/api/v1/kyr/coverage", HV_PERM_STAFF, HV_R_API, 0, api_coverage},
    {HV_GET, "/api/v1/kyr/public/{lang:str}/{slug:slug}", 0, HV_R_API | HV_R_PUBLIC, 0, api_public},
    {HV_POST, "/api/v1/kyr/sms", HV_PERM_KYR_DISTRIBUTE, HV_R_API | HV_R_CSRF, 4096, api_sms_send},
    {HV_GET, "/api/v1/kyr/sms/{id:str}", HV_PERM_KYR_DISTRIBUTE, HV_R_API, 0, api_sms_state},
    {HV_POST, "/api/v1/kyr/email", HV_PERM_KYR_DISTRIBUTE, HV_R_API | HV_R_CSRF, 4096,
     api_email_send},
    {HV_GET, "/api/v1/kyr/email/{id:str}", HV_PERM_KYR_DISTRIBUTE, HV_R_API, 0, api_sms_state},
    {HV_POST, "/api/v1/kyr/sms/inbound", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_WEBHOOK | HV_R_API,
     16384, api_sms_inbound},
    {HV_POST, "/api/v1/kyr/distributions", HV_PERM_KYR_DISTRIBUTE, HV_R_API | HV_R_CSRF, 4096,
     api_count},
    {HV_GET, "/api/v1/kyr/distributions", HV_PERM_KYR_DASHBOARD, HV_R_API, 0, api_counts},
};
const size_t hv_kyr_nroutes = sizeof hv_kyr_routes / sizeof hv_kyr_routes[0];
