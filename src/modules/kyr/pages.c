/* The Know-Your-Rights staff pages, server-rendered and usable without
 * JavaScript: the content editor (/kyr-admin: topics, a topic's versions and
 * the form for a new version or translation, one version with its preview,
 * edit form and workflow buttons), the coverage table, the 311 agent console
 * (/console: language and topic, the phone script, send the SMS, record the
 * script read) and the distribution dashboard (/console/counts).
 *
 * Every change goes through the store functions of kyr.h and smsq.h (which
 * check the workflow's rules and write the audit event); this file only
 * reads forms, shows what the rules allow and shows refusals beside the
 * field they are about. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/policy.h"
#include "core/markdown.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "modules/accounts/accounts.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/sms.h"
#include "modules/kyr/smsq.h"
#include "web/api.h"
#include "web/app.h"

/* Text forms may carry more than the default 64 KiB value so that an
 * over-long text comes back with a message beside its field. */
static const struct hv_form_limits text_limits = {16, 64, 4 * HV_KYR_WEB_MAX};
#define TEXT_FORM_MAX (8 * 4 * HV_KYR_WEB_MAX)

/* --- small helpers ----------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static json_int_t jint(const json_t *o, const char *k) {
  return json_integer_value(json_object_get(o, k));
}

static size_t code_points(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* A form's text with CR LF (as browsers send a textarea) made LF, in the
 * arena; "" when absent. */
static const char *form_text(struct hv_request *rq, const struct hv_form *f, const char *name) {
  const char *v = hv_form_get(f, name);
  if (!v)
    return "";
  char *out = hv_arena_strdup(rq->arena, v), *o = out;
  if (!out)
    return "";
  for (const char *p = v; *p; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      *o++ = *p;
  *o = '\0';
  return out;
}

static void add_when(json_t *o, const char *key, const char *as) {
  json_int_t ms = jint(o, key);
  char when[64] = "";
  if (ms > 0)
    hv_time_format(ms, when, sizeof when);
  json_object_set_new(o, as, ms > 0 ? json_string(when) : json_null());
}

static int user_name_row(void *cls, const struct hv_user_info *u) {
  json_object_set_new(cls, "name", json_string(u->name && *u->name ? u->name : u->email));
  return 0;
}

/* The display name of user `id` (looked up once per page in `cache`). */
static json_t *user_name(struct hv_request *rq, json_t *cache, json_int_t id) {
  struct hv_app *app = rq->app;
  if (id <= 0)
    return json_null();
  char key[24];
  snprintf(key, sizeof key, "%lld", (long long)id);
  json_t *n = json_object_get(cache, key);
  if (!n) {
    json_t *o = json_object();
    hv_accounts_list_users(app->store, id, user_name_row, o);
    n = json_object_get(o, "name");
    json_object_set_new(cache, key, n ? json_incref(n) : json_string("(unknown user)"));
    json_decref(o);
    n = json_object_get(cache, key);
  }
  return json_incref(n);
}

static const char *status_label(const char *status, bool translation) {
  static const struct {
    const char *code, *label, *tr;
  } labels[] = {
      {"draft", "Draft", "Draft"},
      {"review", "In legal review", "In bilingual review"},
      {"approved", "Approved", "Approved"},
      {"published", "Published", "Published"},
      {"superseded", "Superseded", "Superseded"},
      {"retracted", "Retracted", "Retracted"},
  };
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (strcmp(labels[i].code, status) == 0)
      return translation ? labels[i].tr : labels[i].label;
  return status;
}

/* The SMS measure a person reads: encoding, units, segments and the
 * characters that forced UCS-2. */
static json_t *sms_measure(const char *sms) {
  struct hv_sms_info in;
  if (hv_sms_measure(sms, strlen(sms), &in))
    return json_pack("{s:b}", "invalid", 1);
  json_t *off = json_array();
  for (size_t i = 0; i < in.noffending; i++) {
    char u[5] = {0};
    hv_utf8_put(in.offending[i], u);
    json_array_append_new(off, json_pack("{s:s}", "char", u));
  }
  bool gsm = in.encoding == HV_SMS_GSM7;
  return json_pack(
      "{s:s, s:I, s:s, s:I, s:b, s:b, s:o, s:b, s:b, s:i}", "encoding", gsm ? "GSM-7" : "UCS-2",
      "units", (json_int_t)in.units, "unit_name", gsm ? "characters (septets)" : "UTF-16 units",
      "segments", (json_int_t)in.segments, "one", in.segments == 1, "forced", in.noffending > 0,
      "offending", json_array_size(off) ? off : (json_decref(off), json_null()), "more",
      in.more_offending, "over", in.segments > HV_SMS_MAX_SEGMENTS, "max", HV_SMS_MAX_SEGMENTS);
}

/* The languages (tag, name in its own script, English name, dir), each
 * marked selected when its tag is `selected`. */
static json_t *languages(struct hv_request *rq, const char *selected) {
  struct hv_app *app = rq->app;
  json_t *items = NULL;
  if (hv_kyr_languages(app->store, &items) < 0)
    return NULL;
  size_t i;
  json_t *l;
  json_array_foreach(items, i, l) json_object_set_new(
      l, "selected", json_boolean(selected && strcmp(selected, jstr(l, "tag")) == 0));
  return items;
}

static json_t *language_of(json_t *langs, const char *tag) {
  size_t i;
  json_t *l;
  json_array_foreach(langs, i, l) if (strcmp(jstr(l, "tag"), tag) == 0) return l;
  return NULL;
}

/* Problems for the page: a summary list (each linking to its field) and
 * the message beside each field. */
struct problems {
  json_t *list;   /* [{field, message}] */
  json_t *fields; /* {field: message} */
};

static void problem(struct problems *p, const char *field, const char *message) {
  if (!p->list)
    p->list = json_array(), p->fields = json_object();
  json_array_append_new(p->list, json_pack("{s:s?, s:s}", "field", field, "message", message));
  if (field && !json_object_get(p->fields, field))
    json_object_set_new(p->fields, field, json_string(message));
}

static void problems_into(json_t *ctx, struct problems *p) {
  json_object_set_new(ctx, "problems",
                      p->list ? json_pack("{s:o}", "items", p->list) : json_null());
  p->list = NULL;
  json_decref(p->fields);
  p->fields = NULL;
}

/* --- the text form: title, web, SMS, phone, card ---------------------------- */

struct text_form {
  const char *title, *web, *sms, *phone, *card;
};

static const struct {
  const char *name, *label, *hint;
  int rows;
  bool required;
} text_fields[] = {
    {"title", "Title", NULL, 0, true},
    {"web", "Web text (Markdown)",
     "Headings with ##, lists with -, **bold**. HTML is not shown. This is the full text of the "
     "topic's public page.",
     14, true},
    {"sms", "SMS text",
     "A pointer, not the full text: two or three rights, a hotline and the link. At most three "
     "segments (459 GSM-7 characters, or 201 UCS-2 units when a character outside GSM-7 is used).",
     4, false},
    {"phone", "Phone script", "What a voice reads on the phone line: about 45 seconds.", 6, false},
    {"card", "Card text", "What the printed card (3.5 x 2 inches) says.", 4, false},
};

static const char *text_form_value(const struct text_form *f, size_t i) {
  const char *v[] = {f->title, f->web, f->sms, f->phone, f->card};
  return v[i] ? v[i] : "";
}

/* The fields for the form partial, with errors, the SMS measure, and the
 * text's language and direction on the inputs. */
static json_t *text_fields_json(const struct text_form *f, json_t *errors, const char *lang,
                                const char *dir) {
  json_t *a = json_array();
  for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
    const char *name = text_fields[i].name;
    const char *err = json_string_value(json_object_get(errors, name));
    bool sms = strcmp(name, "sms") == 0;
    char described[96] = "";
    size_t n = 0;
    if (text_fields[i].hint)
      n += (size_t)snprintf(described + n, sizeof described - n, "%s-hint ", name);
    if (sms)
      n += (size_t)snprintf(described + n, sizeof described - n, "sms-measure ");
    if (err)
      n += (size_t)snprintf(described + n, sizeof described - n, "%s-error ", name);
    if (n)
      described[n - 1] = '\0';
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:b, s:b, s:i, s:s, s:s?, s:s?}", "name",
                          name, "label", text_fields[i].label, "hint", text_fields[i].hint, "value",
                          text_form_value(f, i), "error", err, "required", text_fields[i].required,
                          "textarea", text_fields[i].rows > 0, "rows", text_fields[i].rows,
                          "describedby", described, "lang", lang, "dir", dir);
    if (sms)
      json_object_set_new(o, "measure", sms_measure(text_form_value(f, i)));
    json_array_append_new(a, o);
  }
  return a;
}

static void text_form_read(struct hv_request *rq, const struct hv_form *form, struct text_form *f) {
  f->title = form_text(rq, form, "title");
  f->web = form_text(rq, form, "web");
  f->sms = form_text(rq, form, "sms");
  f->phone = form_text(rq, form, "phone");
  f->card = form_text(rq, form, "card");
}

/* The limits of the API (kyr.h), checked with a message beside each field. */
static void text_form_check(const struct text_form *f, struct problems *p) {
  struct hv_sms_info in;
  if (!*f->title)
    problem(p, "title", "Enter a title.");
  else if (code_points(f->title) > HV_KYR_TITLE_MAX)
    problem(p, "title", "Keep the title under 200 characters.");
  if (!*f->web)
    problem(p, "web", "Enter the web text.");
  else if (code_points(f->web) > HV_KYR_WEB_MAX)
    problem(p, "web", "The web text is too long (at most 32,768 characters).");
  if (code_points(f->sms) > HV_KYR_SMS_MAX || hv_sms_measure(f->sms, strlen(f->sms), &in))
    problem(p, "sms", "The SMS text is too long or holds a character SMS cannot carry.");
  if (code_points(f->phone) > HV_KYR_PHONE_MAX)
    problem(p, "phone", "The phone script is too long (at most 8,000 characters).");
  if (code_points(f->card) > HV_KYR_CARD_MAX)
    problem(p, "card", "The card text is too long (at most 1,000 characters).");
}

static int parse_form(struct hv_request *rq, struct hv_form *form) {
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    hv_reply_error(rq, 415, "unsupported_media_type", "Send the form as a web form.", NULL);
    return -1;
  }
  enum hv_form_status st =
      hv_form_parse(rq->arena, rq->body ? rq->body : "", rq->body_len, &text_limits, form);
  if (st != HV_FORM_OK) {
    hv_reply_error(rq, 400, "invalid_form", hv_form_strerror(st), NULL);
    return -1;
  }
  return 0;
}

/* --- /kyr-admin: the topics ---------------------------------------------------- */

static void topics_page(struct hv_request *rq, int status, struct problems *p, const char *slug,
                        const char *position, const char *notice) {
  struct hv_app *app = rq->app;
  json_t *cov = NULL, *langs = languages(rq, NULL);
  if (!langs || hv_kyr_coverage(app->store, &cov) < 0) {
    json_decref(langs);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  size_t i;
  json_t *t;
  json_array_foreach(cov, i, t) {
    json_t *pub = json_array(), *stale = json_array();
    int missing = 0;
    size_t li;
    json_t *l;
    json_array_foreach(langs, li, l) {
      const char *tag = jstr(l, "tag");
      const char *web = jstr(json_object_get(json_object_get(t, "languages"), tag), "web");
      json_t *item =
          json_pack("{s:s, s:s, s:s}", "tag", tag, "name", jstr(l, "name"), "dir", jstr(l, "dir"));
      if (strcmp(web, "published") == 0)
        json_array_append_new(pub, item);
      else if (strcmp(web, "stale") == 0)
        json_array_append_new(stale, item);
      else
        missing++, json_decref(item);
    }
    json_object_set_new(t, "published", pub);
    json_object_set_new(t, "npublished", json_integer((json_int_t)json_array_size(pub)));
    json_object_set_new(t, "stale", json_array_size(stale) ? stale : json_null());
    if (!json_array_size(stale))
      json_decref(stale);
    json_object_set_new(t, "missing", json_integer(missing));
    json_object_del(t, "languages");
  }
  json_t *ctx =
      json_pack("{s:o, s:s, s:s, s:s?, s:b}", "topics", cov, "slug", slug ? slug : "", "position",
                position ? position : "", "notice", notice, "has_topics", json_array_size(cov) > 0);
  json_object_set_new(ctx, "errors", p && p->fields ? json_incref(p->fields) : json_object());
  if (p)
    problems_into(ctx, p);
  json_decref(langs);
  hv_page(rq, status, "kyr_admin", "Know Your Rights content — Haven", ctx);
}

static void page_topics(struct hv_request *rq) {
  topics_page(rq, 200, NULL, NULL, NULL,
              hv_query(rq, "created") ? "The topic was added. Write its English text next." : NULL);
}

static void page_topic_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  if (hv_form_body(rq, &form))
    return;
  const char *slug = form_text(rq, &form, "slug"), *pos = form_text(rq, &form, "position");
  int64_t position = 0, id = 0;
  if (!hv_kyr_slug_ok(slug) || strlen(slug) > 64)
    problem(&p, "slug",
            "Write the address name in lower-case letters, digits and hyphens, for "
            "example at-the-door.");
  if (*pos && hv_parse_i64(pos, 0, 10000, &position))
    problem(&p, "position", "The position is a number from 0 to 10000.");
  if (!p.list) {
    enum hv_qs qs = hv_kyr_topic_create(app->store, rq->principal, slug, (int)position, &id);
    if (qs == HV_QS_CONFLICT)
      problem(&p, "slug", "A topic with this address name exists already.");
    else if (qs < 0)
      problem(&p, NULL, "The database did not answer. Nothing was saved; please try again.");
  }
  if (p.list) {
    topics_page(rq, 422, &p, slug, pos, NULL);
    return;
  }
  hv_reply_redirect(
      rq, 303,
      hv_arena_printf(rq->arena, "/kyr-admin/topics/%lld?lang=en&created=1", (long long)id));
}

/* --- /kyr-admin/topics/{id}: versions and the new-version form -------------- */

static json_t *find_topic(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *topics = NULL, *t, *found = NULL;
  size_t i;
  if (hv_kyr_topics(app->store, &topics) < 0)
    return NULL;
  json_array_foreach(topics, i, t) if (jint(t, "id") == id) found = json_incref(t);
  json_decref(topics);
  return found;
}

struct new_form {
  const char *lang;
  int64_t source_id; /* 0: the default */
  struct text_form f;
  bool filled; /* f holds what was typed */
};

static void topic_page(struct hv_request *rq, int status, int64_t id, struct new_form *nf,
                       struct problems *p, const char *notice) {
  struct hv_app *app = rq->app;
  json_t *topic = find_topic(rq, id), *texts = NULL;
  if (!topic) {
    hv_reply_error(rq, 404, "not_found", "There is no such topic.", NULL);
    return;
  }
  json_t *langs = languages(rq, nf->lang);
  if (!langs || hv_kyr_texts(app->store, id, NULL, &texts) < 0) {
    json_decref(topic);
    json_decref(langs);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  json_t *names = json_object(), *groups = json_array(), *sources = json_array();
  json_t *group = NULL, *newest = NULL;
  int64_t published_en = 0;
  size_t i;
  json_t *x;
  json_array_foreach(texts, i, x) {
    const char *lang = jstr(x, "lang"), *st = jstr(x, "status");
    bool tr = strcmp(lang, "en") != 0;
    if (!group || strcmp(jstr(group, "tag"), lang) != 0) {
      json_t *l = language_of(langs, lang);
      group = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "tag", lang, "name", jstr(l, "name"),
                        "english_name", jstr(l, "english_name"), "dir", jstr(l, "dir"), "versions");
      json_array_append_new(groups, group);
    }
    json_t *v = json_pack("{s:O, s:O, s:s, s:s, s:O, s:O, s:o}", "id", json_object_get(x, "id"),
                          "version", json_object_get(x, "version"), "status", st, "status_label",
                          status_label(st, tr), "title", json_object_get(x, "title"),
                          "source_version", json_object_get(x, "source_version"), "by",
                          user_name(rq, names, jint(x, "created_by")));
    json_object_set(v, "updated_at", json_object_get(x, "updated_at"));
    add_when(v, "updated_at", "when");
    json_array_append_new(json_object_get(group, "versions"), v);
    if (!tr && (strcmp(st, "published") == 0 || strcmp(st, "approved") == 0)) {
      if (strcmp(st, "published") == 0)
        published_en = jint(x, "id");
      json_array_append_new(sources, json_pack("{s:O, s:O, s:s}", "id", json_object_get(x, "id"),
                                               "version", json_object_get(x, "version"),
                                               "status_label", status_label(st, false)));
    }
    if (nf->lang && strcmp(lang, nf->lang) == 0 && !newest)
      newest = x; /* texts come newest first within a language */
  }
  /* Prefill: the newest version in the chosen language, or for a first
   * translation the English text it will be made from. */
  int64_t source = nf->source_id  ? nf->source_id
                   : published_en ? published_en
                   : json_array_size(sources)
                       ? jint(json_array_get(sources, json_array_size(sources) - 1), "id")
                       : 0;
  if (!nf->filled) {
    json_t *from = newest;
    if (!from && source)
      json_array_foreach(texts, i, x) if (jint(x, "id") == source) from = x;
    if (from) {
      nf->f.title = hv_arena_strdup(rq->arena, jstr(from, "title"));
      nf->f.web = hv_arena_strdup(rq->arena, jstr(from, "web"));
      nf->f.sms = hv_arena_strdup(rq->arena, jstr(from, "sms"));
      nf->f.phone = hv_arena_strdup(rq->arena, jstr(from, "phone"));
      nf->f.card = hv_arena_strdup(rq->arena, jstr(from, "card"));
    }
  }
  json_array_foreach(sources, i, x)
      json_object_set_new(x, "selected", json_boolean(jint(x, "id") == source));
  json_t *chosen = nf->lang ? language_of(langs, nf->lang) : NULL;
  json_t *errors = p && p->fields ? json_incref(p->fields) : json_object();
  bool is_en = !nf->lang || strcmp(nf->lang, "en") == 0;
  json_t *ctx =
      json_pack("{s:o, s:o, s:o, s:o, s:O, s:b, s:b, s:s?, s:O?, s:o, s:b, s:s?}", "topic", topic,
                "languages", groups, "choices", json_deep_copy(langs), "sources", sources, "errors",
                errors, "has_sources", json_array_size(sources) > 0, "is_english",
                is_en && nf->lang, "lang", nf->lang, "chosen", chosen, "fields",
                text_fields_json(&nf->f, errors, chosen ? nf->lang : NULL,
                                 chosen ? jstr(chosen, "dir") : NULL),
                "has_versions", json_array_size(groups) > 0, "notice", notice);
  json_decref(errors);
  if (p)
    problems_into(ctx, p);
  const char *title =
      hv_arena_printf(rq->arena, "%s — Know Your Rights content — Haven",
                      *jstr(topic, "title") ? jstr(topic, "title") : jstr(topic, "slug"));
  json_decref(texts);
  json_decref(names);
  json_decref(langs);
  hv_page(rq, status, "kyr_admin_topic", title, ctx);
}

static void page_topic(struct hv_request *rq) {
  struct new_form nf = {0};
  const char *lang = hv_query(rq, "lang");
  nf.lang = lang && *lang && strlen(lang) <= 15 ? lang : NULL;
  topic_page(rq, 200, hv_param(rq, "id")->num, &nf, NULL,
             hv_query(rq, "created") ? "The topic was added. Write its English text below." : NULL);
}

static void page_text_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  struct new_form nf = {0};
  int64_t topic = hv_param(rq, "id")->num;
  if (parse_form(rq, &form))
    return;
  nf.lang = form_text(rq, &form, "lang");
  nf.filled = true;
  text_form_read(rq, &form, &nf.f);
  const char *src = form_text(rq, &form, "source_id"), *action = hv_form_get(&form, "action");
  if (*src && hv_parse_i64(src, 1, INT64_MAX, &nf.source_id))
    problem(&p, "source_id", "Choose the English version this translation is made from.");
  if (!*nf.lang)
    problem(&p, "lang", "Choose the language.");
  text_form_check(&nf.f, &p);
  if (action && strcmp(action, "check") == 0 && !p.list) {
    topic_page(rq, 200, topic, &nf, NULL,
               "Checked: the SMS measure is shown below the SMS text. Nothing is saved yet.");
    return;
  }
  if (p.list) {
    topic_page(rq, 422, topic, &nf, &p, NULL);
    return;
  }
  struct hv_kyr_write w = {.by = rq->principal,
                           .topic_id = topic,
                           .lang = nf.lang,
                           .source_id = strcmp(nf.lang, "en") == 0 ? 0 : nf.source_id,
                           .f = {nf.f.title, nf.f.web, nf.f.sms, nf.f.phone, nf.f.card}};
  enum hv_qs qs = hv_kyr_text_create(app->store, &w);
  json_decref(w.detail);
  if (qs == HV_QS_CONFLICT && w.refusal_status == 404) {
    hv_reply_error(rq, 404, "not_found", "There is no such topic.", NULL);
    return;
  }
  if (qs < 0) {
    problem(&p, w.refusal ? w.refusal_field : NULL,
            w.refusal ? w.refusal : "The database did not answer. Nothing was saved.");
    topic_page(rq, w.refusal ? w.refusal_status : 503, topic, &nf, &p, NULL);
    return;
  }
  hv_reply_redirect(
      rq, 303, hv_arena_printf(rq->arena, "/kyr-admin/texts/%lld?created=1", (long long)w.new_id));
}

/* --- /kyr-admin/texts/{id}: one version --------------------------------------- */

struct text_view {
  const struct text_form *typed; /* the edit form's text after a refusal */
  int64_t expect;                /* the edit form's updated_at (0: the text's) */
  struct problems *p;
  const char *notice;
  json_t *detail; /* a refusal's SMS measure (borrowed) */
};

/* What one person may do to a text: the buttons shown are the actions the
 * workflow's rules allow (the store checks again when one is pressed). */
static bool may(const struct hv_principal *by, enum hv_kyr_action a, const char *status,
                bool author, bool translation) {
  struct hv_kyr_attempt at = {
      a, (enum hv_kyr_status)hv_kyr_status_parse(status), by->roles, author, translation, true};
  return hv_kyr_decide(&at).status == 0;
}

static void text_page(struct hv_request *rq, int status, int64_t id, struct text_view *tv) {
  struct hv_app *app = rq->app;
  json_t *t = NULL, *en = NULL;
  enum hv_qs qs = hv_kyr_text_get(app->store, id, &t);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such text.", NULL);
    return;
  }
  json_t *langs = qs > 0 ? languages(rq, NULL) : NULL;
  if (qs < 0 || !langs || hv_kyr_texts(app->store, jint(t, "topic_id"), "en", &en) < 0) {
    json_decref(t);
    json_decref(langs);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  const char *lang = jstr(t, "lang"), *st = jstr(t, "status");
  bool tr = strcmp(lang, "en") != 0;
  bool author = jint(t, "created_by") == rq->principal->user_id;
  json_t *l = language_of(langs, lang), *names = json_object();
  /* A translation made from an English version that is not the published one. */
  json_t *published_en = NULL, *x;
  size_t i;
  json_array_foreach(en, i, x) if (strcmp(jstr(x, "status"), "published") == 0) published_en = x;
  bool stale = tr && (!published_en || jint(published_en, "id") != jint(t, "source_id")) &&
               strcmp(st, "superseded") != 0 && strcmp(st, "retracted") != 0;
  char *html = hv_markdown_html(jstr(t, "web"), strlen(jstr(t, "web")));
  struct text_form saved = {jstr(t, "title"), jstr(t, "web"), jstr(t, "sms"), jstr(t, "phone"),
                            jstr(t, "card")};
  json_t *errors = tv->p && tv->p->fields ? json_incref(tv->p->fields) : json_object();
  bool can_edit = strcmp(st, "draft") == 0 && hv_kyr_may_edit(rq->principal->roles);
  const struct hv_principal *by = rq->principal;
  json_t *ctx = json_pack(
      "{s:O, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:s?, s:o, s:I, s:b, s:o}", "text",
      t, "lang_name", jstr(l, "name"), "english_name", jstr(l, "english_name"), "dir",
      jstr(l, "dir"), "status_label", status_label(st, tr), "status", st, "translation", tr, "by",
      user_name(rq, names, jint(t, "created_by")), "approver",
      user_name(rq, names, jint(t, "approved_by")), "publisher",
      user_name(rq, names, jint(t, "published_by")), "html", json_string(html ? html : ""),
      "notice", tv->notice, "measure", sms_measure(jstr(t, "sms")), "expect_updated",
      (json_int_t)(tv->expect ? tv->expect : jint(t, "updated_at")), "can_edit", can_edit, "fields",
      text_fields_json(tv->typed ? tv->typed : &saved, errors, lang, jstr(l, "dir")));
  free(html);
  add_when(json_object_get(ctx, "text"), "created_at", "created_when");
  add_when(json_object_get(ctx, "text"), "approved_at", "approved_when");
  add_when(json_object_get(ctx, "text"), "published_at", "published_when");
  add_when(json_object_get(ctx, "text"), "ended_at", "ended_when");
  json_t *acts = json_pack(
      "{s:b, s:b, s:b, s:b, s:b}", "submit", may(by, HV_KA_SUBMIT, st, author, tr), "return",
      may(by, HV_KA_RETURN, st, author, tr), "approve", may(by, HV_KA_APPROVE, st, author, tr),
      "publish", may(by, HV_KA_PUBLISH, st, author, tr), "retract",
      may(by, HV_KA_RETRACT, st, author, tr));
  bool any = false;
  const char *k;
  json_t *v;
  json_object_foreach(acts, k, v) any |= json_is_true(v);
  json_object_set_new(ctx, "can", acts);
  json_object_set_new(ctx, "any_action", json_boolean(any));
  /* why someone who may act on other texts sees no approve button here */
  json_object_set_new(
      ctx, "own_review",
      json_boolean(author && strcmp(st, "review") == 0 && (by->roles & HV_PERM_KYR_APPROVE)));
  json_object_set_new(ctx, "stale", json_boolean(stale));
  if (stale && published_en)
    json_object_set(ctx, "published_en_version", json_object_get(published_en, "version"));
  json_object_set_new(ctx, "errors", errors);
  json_object_set_new(ctx, "public", json_boolean(strcmp(st, "published") == 0));
  if (tv->detail) {
    json_t *d = json_deep_copy(tv->detail), *off = json_object_get(d, "offending");
    json_t *chars = json_array();
    json_array_foreach(off, i, x) json_array_append_new(chars, json_pack("{s:O}", "char", x));
    json_object_set_new(d, "forced", json_boolean(json_array_size(chars) > 0));
    json_object_set_new(d, "encoding",
                        json_string(strcmp(jstr(d, "encoding"), "gsm7") == 0 ? "GSM-7" : "UCS-2"));
    json_object_set_new(d, "offending", json_array_size(chars) ? chars : json_null());
    if (!json_array_size(chars))
      json_decref(chars);
    json_object_set_new(ctx, "detail", d);
  }
  if (tv->p)
    problems_into(ctx, tv->p);
  const char *title = hv_arena_printf(rq->arena, "%s, %s version %lld — Haven", jstr(t, "title"),
                                      jstr(l, "english_name"), (long long)jint(t, "version"));
  json_decref(t);
  json_decref(en);
  json_decref(names);
  json_decref(langs);
  hv_page(rq, status, "kyr_admin_text", title, ctx);
}

static void page_text(struct hv_request *rq) {
  static const struct {
    const char *q, *notice;
  } notices[] = {
      {"created", "The draft was saved. Submit it for review when it is ready."},
      {"saved", "Your changes were saved."},
      {"submit", "Submitted for review."},
      {"return", "Returned to the author with your note."},
      {"approve", "Approved. It can now be published."},
      {"publish", "Published: the public site and the 311 console show it now."},
      {"retract", "Retracted: it is off every channel now."},
  };
  struct text_view tv = {0};
  const char *done = hv_query(rq, "done");
  for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++)
    if (hv_query(rq, notices[i].q) || (done && strcmp(done, notices[i].q) == 0))
      tv.notice = notices[i].notice;
  text_page(rq, 200, hv_param(rq, "id")->num, &tv);
}

static void page_text_save(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  struct text_form f;
  int64_t id = hv_param(rq, "id")->num, expect = 0;
  if (parse_form(rq, &form))
    return;
  const char *ev = hv_form_get(&form, "expect_updated"), *action = hv_form_get(&form, "action");
  if (!ev || hv_parse_i64(ev, 1, INT64_MAX, &expect)) {
    hv_reply_error(rq, 400, "invalid_form", "The form is missing its version check.", NULL);
    return;
  }
  text_form_read(rq, &form, &f);
  text_form_check(&f, &p);
  struct text_view tv = {&f, expect, &p, NULL, NULL};
  if (p.list) {
    text_page(rq, 422, id, &tv);
    return;
  }
  if (action && strcmp(action, "check") == 0) {
    tv.notice = "Checked: the SMS measure is shown below the SMS text. Nothing is saved yet.";
    text_page(rq, 200, id, &tv);
    return;
  }
  struct hv_kyr_write w = {.by = rq->principal,
                           .id = id,
                           .expect_updated = expect,
                           .f = {f.title, f.web, f.sms, f.phone, f.card}};
  enum hv_qs qs = hv_kyr_text_update(app->store, &w);
  json_decref(w.detail);
  if (qs >= 0) {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/kyr-admin/texts/%lld?saved=1", (long long)id));
    return;
  }
  if (w.refusal_status == 404) {
    hv_reply_error(rq, 404, "not_found", "There is no such text.", NULL);
    return;
  }
  if (w.refusal && strstr(w.refusal, "Someone saved")) {
    /* Keep the typed text; show the saved one above it; the next save
     * knowingly replaces it. */
    json_t *cur = NULL;
    if (hv_kyr_text_get(app->store, id, &cur) > 0) {
      tv.expect = jint(cur, "updated_at");
      json_decref(cur);
    }
    problem(&p, "title",
            "Someone saved this draft after you opened it, so your changes were not saved. Your "
            "text is kept in the form below; the text saved meanwhile is shown above it. Merge "
            "what you need, then save again.");
  } else {
    problem(&p, w.refusal_field,
            w.refusal ? w.refusal : "The database did not answer. Nothing was saved.");
  }
  text_page(rq, w.refusal ? w.refusal_status : 503, id, &tv);
}

static void page_text_act(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  int64_t id = hv_param(rq, "id")->num;
  if (hv_form_body(rq, &form))
    return;
  const char *a = hv_form_get(&form, "action"), *note = form_text(rq, &form, "note");
  int act = hv_kyr_action_parse(a);
  if (act < 0) {
    hv_reply_error(rq, 400, "invalid_form", "Unknown action.", NULL);
    return;
  }
  const char *field = act == HV_KA_RETURN ? "note-return" : "note-retract";
  if ((act == HV_KA_RETURN || act == HV_KA_RETRACT) && !*note)
    problem(&p, field,
            act == HV_KA_RETURN ? "Say what must change before the text can be approved."
                                : "Say why the text is retracted.");
  else if (code_points(note) > 2000)
    problem(&p, field, "Keep the note under 2,000 characters.");
  struct text_view tv = {NULL, 0, &p, NULL, NULL};
  if (p.list) {
    text_page(rq, 422, id, &tv);
    return;
  }
  struct hv_kyr_write w = {.by = rq->principal,
                           .id = id,
                           .action = (enum hv_kyr_action)act,
                           .note = *note ? note : NULL};
  enum hv_qs qs = hv_kyr_text_act(app->store, &w);
  if (qs >= 0) {
    json_decref(w.detail);
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/kyr-admin/texts/%lld?done=%s", (long long)id,
                                      hv_kyr_action_code(w.action)));
    return;
  }
  if (w.refusal_status == 404) {
    json_decref(w.detail);
    hv_reply_error(rq, 404, "not_found", "There is no such text.", NULL);
    return;
  }
  /* an action has no field to point at: the refusal and its detail say it all */
  problem(&p, NULL, w.refusal ? w.refusal : "The database did not answer. Nothing changed.");
  tv.detail = w.detail;
  text_page(rq, w.refusal ? w.refusal_status : 503, id, &tv);
  json_decref(w.detail);
}

/* --- /kyr-admin/coverage ------------------------------------------------------ */

static void page_coverage(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *only = hv_query(rq, "lang");
  if (only && !*only)
    only = NULL;
  json_t *cov = NULL, *langs = languages(rq, only);
  if (!langs || hv_kyr_coverage(app->store, &cov) < 0) {
    json_decref(langs);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  static const char *const channels[] = {"web", "sms", "phone", "card"};
  static const struct {
    const char *code, *label;
  } states[] = {{"published", "Published"}, {"stale", "Stale"}, {"missing", "Missing"}};
  size_t i, li;
  json_t *t, *l;
  json_array_foreach(cov, i, t) {
    json_t *rows = json_array();
    json_array_foreach(langs, li, l) {
      const char *tag = jstr(l, "tag");
      if (only && strcmp(only, tag) != 0)
        continue;
      json_t *ch = json_object_get(json_object_get(t, "languages"), tag), *cells = json_array();
      for (size_t c = 0; c < 4; c++) {
        const char *s = jstr(ch, channels[c]), *label = s;
        for (size_t k = 0; k < 3; k++)
          if (strcmp(states[k].code, s) == 0)
            label = states[k].label;
        json_array_append_new(cells, json_pack("{s:s, s:s}", "state", s, "label", label));
      }
      json_array_append_new(rows,
                            json_pack("{s:s, s:s, s:s, s:s, s:o}", "tag", tag, "name",
                                      jstr(l, "name"), "english_name", jstr(l, "english_name"),
                                      "dir", jstr(l, "dir"), "cells", cells));
    }
    json_object_set_new(t, "rows", rows);
    json_object_del(t, "languages");
  }
  hv_page(rq, 200, "kyr_admin_coverage", "Know Your Rights coverage — Haven",
          json_pack("{s:o, s:o, s:b}", "topics", cov, "choices", langs, "has_topics",
                    json_array_size(cov) > 0));
}

/* --- /console: the 311 agent console -------------------------------------------- */

struct console {
  const char *lang, *topic, *q;
  const char *notice, *sms_job;
  struct problems *p;
};

static bool contains_nocase(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++) {
    size_t i = 0;
    while (i < n && hay[i] && (hay[i] | 32) == (needle[i] | 32))
      i++;
    if (i == n)
      return true;
  }
  return n == 0;
}

static void console_page(struct hv_request *rq, int status, struct console *c) {
  struct hv_app *app = rq->app;
  json_t *langs = languages(rq, c->lang), *topics = NULL;
  if (!langs || hv_kyr_topics(app->store, &topics) < 0) {
    json_decref(langs);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  json_t *shown = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(topics, i, t) {
    const char *title = *jstr(t, "title") ? jstr(t, "title") : jstr(t, "slug");
    bool sel = c->topic && strcmp(c->topic, jstr(t, "slug")) == 0;
    if (!sel && c->q && !contains_nocase(title, c->q) && !contains_nocase(jstr(t, "slug"), c->q))
      continue;
    json_array_append_new(shown, json_pack("{s:s, s:s, s:b}", "slug", jstr(t, "slug"), "title",
                                           title, "selected", sel));
  }
  json_t *ctx =
      json_pack("{s:o, s:o, s:s, s:b, s:s?}", "choices", langs, "topics", shown, "q",
                c->q ? c->q : "", "no_topics", json_array_size(shown) == 0, "notice", c->notice);
  json_object_set_new(ctx, "sms_configured", json_boolean(app->cfg->sms_url[0] != 0));
  json_t *l = c->lang ? language_of(langs, c->lang) : NULL;
  if (l && c->topic) {
    json_t *v = NULL;
    enum hv_qs qs = hv_kyr_public(app->store, c->lang, c->topic, &v);
    if (qs < 0) {
      json_decref(ctx);
      json_decref(topics);
      hv_reply_store_error(rq, qs);
      return;
    }
    if (qs == HV_QS_NONE) {
      json_object_set_new(ctx, "nothing", json_true());
    } else {
      json_t *x = json_object_get(v, "text");
      bool english = strcmp(jstr(v, "show"), "english") == 0;
      char *html =
          *jstr(x, "phone") ? NULL : hv_markdown_html(jstr(x, "web"), strlen(jstr(x, "web")));
      json_t *sel = json_pack(
          "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:s, s:s, s:O, s:s, s:s}",
          "lang", c->lang, "lang_name", jstr(l, "name"), "english_name", jstr(l, "english_name"),
          "topic", c->topic, "title", jstr(x, "title"), "text_lang", jstr(x, "lang"), "text_dir",
          english ? "ltr" : jstr(v, "dir"), "english", english, "phone", jstr(x, "phone"), "sms",
          jstr(x, "sms"), "measure", sms_measure(jstr(x, "sms")), "web_html", html ? html : "",
          "public", hv_arena_printf(rq->arena, "/kyr/%s/%s", c->lang, c->topic), "version",
          json_object_get(x, "version"), "lang_dir", jstr(l, "dir"), "published", "");
      free(html);
      add_when(x, "published_at", "published_when");
      json_object_set(sel, "published", json_object_get(x, "published_when"));
      json_object_set_new(ctx, "shown", sel);
    }
    json_decref(v);
  }
  if (c->sms_job) {
    char why[128] = "";
    enum hv_smsq_state st =
        hv_smsq_state(app->smsq, c->sms_job, rq->principal->user_id, why, sizeof why);
    static const char *const says[] = {
        [HV_SMSQ_QUEUED] = ("The text message is waiting to be sent. Reload this page to see "
                            "whether it went."),
        [HV_SMSQ_SENT] = "The text message was sent.",
        [HV_SMSQ_FAILED] = "The text message could not be sent.",
        [HV_SMSQ_UNKNOWN] = "There is no record of this message (states are kept for an hour).",
    };
    json_object_set_new(ctx, "job",
                        json_pack("{s:s, s:s, s:s, s:s?, s:b, s:b}", "id", c->sms_job, "state",
                                  hv_smsq_state_code(st), "says", says[st], "why",
                                  why[0] ? why : NULL, "queued", st == HV_SMSQ_QUEUED, "failed",
                                  st == HV_SMSQ_FAILED));
  }
  json_object_set_new(ctx, "errors",
                      c->p && c->p->fields ? json_incref(c->p->fields) : json_object());
  if (c->p)
    problems_into(ctx, c->p);
  json_decref(topics);
  hv_page(rq, status, "kyr_console", "311 Know Your Rights console — Haven", ctx);
}

static const char *short_query(struct hv_request *rq, const char *name, size_t max) {
  const char *v = hv_query(rq, name);
  return v && *v && strlen(v) <= max ? v : NULL;
}

static void page_console(struct hv_request *rq) {
  struct console c = {short_query(rq, "lang", 15),
                      short_query(rq, "topic", 64),
                      short_query(rq, "q", 100),
                      NULL,
                      NULL,
                      NULL};
  const char *job = short_query(rq, "sms", HV_SMSQ_ID_LEN);
  if (hv_query(rq, "read"))
    c.notice = "Recorded: you read the phone script to the caller.";
  if (job && strlen(job) == HV_SMSQ_ID_LEN)
    c.sms_job = job;
  console_page(rq, 200, &c);
}

/* The number is used once: the form's copy and the raw body are wiped as
 * soon as the message is queued or refused, and it never reaches a URL,
 * a page or a log line. */
static void page_console_sms(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  if (hv_form_body(rq, &form))
    goto wipe;
  const char *lang = form_text(rq, &form, "lang"), *topic = form_text(rq, &form, "topic");
  const char *to = hv_form_get(&form, "to");
  struct hv_kyr_send x = {
      .topic = topic, .lang = lang, .typed = to ? to : "", .agent_id = rq->principal->user_id};
  int st = strlen(lang) > 15 || strlen(topic) > 64
               ? 404
               : hv_kyr_send_sms(app->store, app->smsq, app->cfg, &x);
  if (to)
    sodium_memzero((char *)to, strlen(to));
  if (st == 0) {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/console?lang=%s&topic=%s&sms=%s#sms-result",
                                      hv_url_encode(rq->arena, lang),
                                      hv_url_encode(rq->arena, topic), x.id));
    goto wipe;
  }
  problem(&p, x.field && strcmp(x.field, "to") == 0 ? "to" : NULL,
          x.why ? x.why : "Nothing is published for this topic in this language.");
  struct console c = {*lang ? lang : NULL, *topic ? topic : NULL, NULL, NULL, NULL, &p};
  console_page(rq, st, &c);
wipe:
  if (rq->body)
    sodium_memzero(rq->body, rq->body_len);
}

static void page_console_read(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct problems p = {0};
  if (hv_form_body(rq, &form))
    return;
  const char *lang = form_text(rq, &form, "lang"), *topic = form_text(rq, &form, "topic");
  int st = strlen(lang) > 15 || strlen(topic) > 64
               ? 404
               : hv_kyr_record(app->store, topic, lang, "phone", rq->principal->user_id);
  if (st == 0) {
    hv_reply_redirect(rq, 303,
                      hv_arena_printf(rq->arena, "/console?lang=%s&topic=%s&read=1#script",
                                      hv_url_encode(rq->arena, lang),
                                      hv_url_encode(rq->arena, topic)));
    return;
  }
  problem(&p, NULL,
          st == 404 ? "Nothing is published for this topic in this language."
                    : "The database did not answer. Nothing was recorded; please try again.");
  struct console c = {*lang ? lang : NULL, *topic ? topic : NULL, NULL, NULL, NULL, &p};
  console_page(rq, st, &c);
}

/* --- /console/counts: the distribution dashboard ------------------------------ */

static bool day_ok(const char *s) {
  int64_t ms;
  return strlen(s) == 10 && hv_time_local_day_start(s, &ms) == 0;
}

static json_t *count_table(json_t *by, json_t *labels, const char *label_key) {
  json_t *rows = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(by, k, v) {
    json_t *l = labels ? json_object_get(labels, k) : NULL;
    json_t *row = json_pack("{s:s, s:O}", "key", k, "count", v);
    if (l && label_key)
      json_object_update(row, l);
    json_array_append_new(rows, row);
  }
  return rows;
}

static void page_counts(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct problems p = {0};
  char today[11], start[11];
  time_t now = time(NULL), then = now - 29 * 86400;
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(today, sizeof today, "%Y-%m-%d", &tm);
  localtime_r(&then, &tm);
  strftime(start, sizeof start, "%Y-%m-%d", &tm);
  const char *from = hv_query(rq, "from"), *to = hv_query(rq, "to");
  if (!from || !*from)
    from = start;
  if (!to || !*to)
    to = today;
  if (!day_ok(from))
    problem(&p, "from", "Write the first day as YYYY-MM-DD, for example 2026-01-31.");
  if (!day_ok(to))
    problem(&p, "to", "Write the last day as YYYY-MM-DD, for example 2026-01-31.");
  if (!p.list && strcmp(from, to) > 0)
    problem(&p, "to", "The last day comes before the first day.");
  json_t *ctx = json_pack("{s:s, s:s}", "from", from, "to", to);
  json_object_set_new(ctx, "errors", p.fields ? json_incref(p.fields) : json_object());
  int status = p.list ? 400 : 200;
  if (!p.list) {
    json_t *out = NULL, *langs = languages(rq, NULL), *topics = NULL;
    if (!langs || hv_kyr_topics(app->store, &topics) < 0 ||
        hv_kyr_counts(app->store, from, to, &out) < 0) {
      json_decref(langs);
      json_decref(topics);
      json_decref(ctx);
      hv_reply_store_error(rq, HV_QS_HARD);
      return;
    }
    json_t *lnames = json_object(), *tnames = json_object();
    size_t i;
    json_t *x;
    json_array_foreach(langs, i, x)
        json_object_set_new(lnames, jstr(x, "tag"),
                            json_pack("{s:s, s:s, s:s}", "name", jstr(x, "name"), "english_name",
                                      jstr(x, "english_name"), "dir", jstr(x, "dir")));
    json_array_foreach(topics, i, x) json_object_set_new(
        tnames, jstr(x, "slug"),
        json_pack("{s:s}", "name", *jstr(x, "title") ? jstr(x, "title") : jstr(x, "slug")));
    json_object_set_new(ctx, "by_language",
                        count_table(json_object_get(out, "by_language"), lnames, "name"));
    json_object_set_new(ctx, "by_topic",
                        count_table(json_object_get(out, "by_topic"), tnames, "name"));
    json_object_set_new(ctx, "by_channel",
                        count_table(json_object_get(out, "by_channel"), NULL, NULL));
    json_object_set_new(ctx, "by_day", count_table(json_object_get(out, "by_day"), NULL, NULL));
    json_object_set(ctx, "total", json_object_get(out, "total"));
    json_object_set_new(ctx, "results", json_true());
    json_decref(out);
    json_decref(langs);
    json_decref(topics);
    json_decref(lnames);
    json_decref(tnames);
  }
  problems_into(ctx, &p);
  hv_page(rq, status, "kyr_counts", "Know Your Rights distribution — Haven", ctx);
}

#define EDIT HV_PERM_KYR_EDIT
#define ACT (HV_PERM_KYR_EDIT | HV_PERM_KYR_APPROVE | HV_PERM_KYR_PUBLISH)
#define GIVE HV_PERM_KYR_DISTRIBUTE

const struct hv_route hv_kyr_staff_pages[] = {
    {HV_GET, "/kyr-admin", EDIT, 0, 0, page_topics},
    {HV_POST, "/kyr-admin/topics", EDIT, HV_R_CSRF, 4096, page_topic_create},
    {HV_GET, "/kyr-admin/coverage", EDIT | HV_PERM_KYR_DASHBOARD, 0, 0, page_coverage},
    {HV_GET, "/kyr-admin/topics/{id:int}", EDIT, 0, 0, page_topic},
    {HV_POST, "/kyr-admin/topics/{id:int}", EDIT, HV_R_CSRF, TEXT_FORM_MAX, page_text_create},
    {HV_GET, "/kyr-admin/texts/{id:int}", EDIT, 0, 0, page_text},
    {HV_POST, "/kyr-admin/texts/{id:int}", EDIT, HV_R_CSRF, TEXT_FORM_MAX, page_text_save},
    {HV_POST, "/kyr-admin/texts/{id:int}/actions", ACT, HV_R_CSRF, 16384, page_text_act},
    {HV_GET, "/console", GIVE, 0, 0, page_console},
    {HV_POST, "/console/sms", GIVE, HV_R_CSRF, 4096, page_console_sms},
    {HV_POST, "/console/read", GIVE, HV_R_CSRF, 4096, page_console_read},
    {HV_GET, "/console/counts", HV_PERM_KYR_DASHBOARD, 0, 0, page_counts},
};
const size_t hv_kyr_nstaff_pages = sizeof hv_kyr_staff_pages / sizeof hv_kyr_staff_pages[0];
