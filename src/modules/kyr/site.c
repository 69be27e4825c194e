/* The public Know-Your-Rights site: /kyr (choose a language: first guess
 * from Accept-Language, remembered in a cookie holding only the
 * language), /kyr/{lang} (the topics and hotlines), /kyr/{lang}/{slug}
 * (a topic), and the help directories /kyr/{lang}/legal-help (filtered by
 * language spoken and service with a plain GET form) and
 * /kyr/{lang}/city-programs. No sign-in, no JavaScript, no third-party requests. Pages are
 * rendered once per content generation and served from the page cache
 * (src/web/pagecache.c) without touching the database. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/embed.h"
#include "core/log.h"
#include "core/markdown.h"
#include "http/headers.h"
#include "modules/kyr/directory.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/lang.h"
#include "web/api.h"
#include "web/app.h"
#include "web/pagecache.h"

extern const struct hv_embed hv_kyr_data[];

#define LANGS 64
#define PAGE_MAX (1u << 20)

/* --- languages and interface strings, loaded once --------------------------- */

struct language {
  char tag[16], name[64], english[64], dir[4], script[8];
};

static struct {
  pthread_mutex_t mu;
  bool loaded;
  struct language langs[LANGS];
  const char *tags[LANGS];
  size_t n;
  json_t *ui, *hotlines;
} site = {.mu = PTHREAD_MUTEX_INITIALIZER};

static json_t *embedded_json(const char *name) {
  const struct hv_embed *e = hv_embed_find(hv_kyr_data, name);
  return e ? json_loadb((const char *)e->data, e->len, 0, NULL) : NULL;
}

/* Loads the languages (from the database: they are data) and the
 * interface strings (compiled in) on first use. */
static bool site_load(struct hv_app *app) {
  pthread_mutex_lock(&site.mu);
  if (!site.loaded) {
    json_t *items = NULL;
    if (hv_kyr_languages(app->store, &items) > 0) {
      size_t i;
      json_t *l;
      site.n = 0;
      json_array_foreach(items, i, l) {
        if (site.n == LANGS)
          break;
        struct language *g = &site.langs[site.n];
        snprintf(g->tag, sizeof g->tag, "%s", json_string_value(json_object_get(l, "tag")));
        snprintf(g->name, sizeof g->name, "%s", json_string_value(json_object_get(l, "name")));
        snprintf(g->english, sizeof g->english, "%s",
                 json_string_value(json_object_get(l, "english_name")));
        snprintf(g->dir, sizeof g->dir, "%s", json_string_value(json_object_get(l, "dir")));
        snprintf(g->script, sizeof g->script, "%s",
                 json_string_value(json_object_get(l, "script")));
        site.tags[site.n] = g->tag;
        site.n++;
      }
      site.ui = embedded_json("ui.json");
      site.hotlines = embedded_json("hotlines.json");
      site.loaded = site.ui && site.hotlines && site.n > 0;
    }
    json_decref(items);
  }
  bool ok = site.loaded;
  pthread_mutex_unlock(&site.mu);
  return ok;
}

static const struct language *language(const char *tag) {
  for (size_t i = 0; i < site.n; i++)
    if (strcmp(site.langs[i].tag, tag) == 0)
      return &site.langs[i];
  return NULL;
}

/* The interface strings of `tag`, each missing one taken from English. */
static json_t *ui_strings(const char *tag) {
  json_t *en = json_object_get(site.ui, "en"), *own = json_object_get(site.ui, tag);
  json_t *out = json_deep_copy(en);
  if (own)
    json_object_update(out, own);
  return out;
}

json_t *hv_kyr_ui(struct hv_app *app, const char *tag, const char *needed, const char **dir) {
  const struct language *g;
  if (!tag || !site_load(app) || !(g = language(tag)))
    return NULL;
  if (needed && !json_object_get(json_object_get(site.ui, tag), needed))
    return NULL;
  *dir = g->dir;
  return ui_strings(tag);
}

/* --- rendering ---------------------------------------------------------------- */

/* The web font of the language's script, when the assets have one
 * (kyr/fonts/<script>.woff2, made by tools/kyr_fonts.py): the page preloads
 * it so it arrives with the stylesheet rather than after layout. Latin,
 * Cyrillic and CJK pages have none and download no font at all. */
static json_t *script_font(struct hv_app *app, const struct language *g) {
  char path[64];
  if (!g->script[0] ||
      (size_t)snprintf(path, sizeof path, "kyr/fonts/%s.woff2", g->script) >= sizeof path)
    return json_null();
  return hv_assets_find(app->assets, path) ? json_string(path) : json_null();
}

static json_t *page_values(struct hv_app *app, const struct language *g, const char *title) {
  return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "lang", g->tag, "dir", g->dir, "title", title,
                   "static", app->assets->prefix, "demo", app->demo, "font", script_font(app, g));
}

/* Renders `tpl` with `ctx` (stolen) and answers through the cache; when
 * `key` is NULL, answers `status` without keeping the page (a refused
 * request must not take a place in the cache). */
static void render_status(struct hv_request *rq, int status, const char *key, uint64_t gen,
                          const char *tpl, json_t *ctx, const char *lang,
                          const struct hv_pagecache_header *extra, size_t nextra) {
  struct hv_app *app = rq->app;
  struct hv_buf b;
  hv_buf_init(&b, PAGE_MAX);
  int rc = hv_tpl_render(app->tpl, tpl, ctx, &b);
  json_decref(ctx);
  if (rc) {
    hv_buf_free(&b);
    hv_log(HV_LOG_ERROR, "template failed", HV_LS("template", tpl));
    hv_reply_error(rq, 500, "internal", "The page could not be built.", NULL);
    return;
  }
  if (!key) {
    size_t len;
    char *page = hv_buf_steal(&b, &len);
    hv_reply_header(rq, "Content-Language", lang);
    hv_reply_text(rq, status, "text/html; charset=utf-8", page, len, true);
    return;
  }
  struct hv_pagecache_header h[3] = {{"Content-Language", lang}};
  size_t nh = 1;
  for (size_t i = 0; i < nextra && nh < 3; i++)
    h[nh++] = extra[i];
  hv_pagecache_put(rq, key, gen, "text/html; charset=utf-8", b.data, b.len, h, nh);
  hv_buf_free(&b);
}

static void render(struct hv_request *rq, const char *key, uint64_t gen, const char *tpl,
                   json_t *ctx, const char *lang, const struct hv_pagecache_header *extra,
                   size_t nextra) {
  render_status(rq, 200, key, gen, tpl, ctx, lang, extra, nextra);
}

static void not_found(struct hv_request *rq) {
  hv_reply_error(rq, 404, "not_found", "There is no such page.", NULL);
}

/* GET /kyr: the remembered language, or the chooser in the first guess. */
static void page_choose(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  if (!site_load(app)) {
    hv_reply_error(rq, 503, "unavailable", "The site is starting: try again in a moment.", NULL);
    return;
  }
  char remembered[16];
  if (!hv_query(rq, "choose") &&
      hv_cookie_get(hv_header(rq, "Cookie"), "kyr_lang", remembered, sizeof remembered) > 0 &&
      language(remembered)) {
    char *to = hv_arena_printf(rq->arena, "/kyr/%s", remembered);
    hv_reply_redirect(rq, 303, to);
    return;
  }
  int guess = hv_kyr_accept_language(hv_header(rq, "Accept-Language"), site.tags, site.n);
  const struct language *g = guess >= 0 ? &site.langs[guess] : language("en");
  if (!g)
    g = &site.langs[0];
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/choose/%s", g->tag);
  uint64_t gen = hv_kyr_generation();
  /* The answer depends on the cookie and the header: browsers ask again. */
  static const struct hv_pagecache_header vary[] = {{"Vary", "Accept-Language, Cookie"},
                                                    {"Cache-Control", "no-cache"}};
  if (hv_pagecache_serve(rq, key, gen))
    return;
  json_t *ui = ui_strings(g->tag);
  json_t *langs = json_array();
  for (size_t i = 0; i < site.n; i++) {
    const struct language *l = &site.langs[i];
    json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:s, s:b}", "tag", l->tag, "name",
                                           l->name, "english_name", l->english, "dir", l->dir,
                                           "same", strcmp(l->name, l->english) == 0));
  }
  json_t *ctx = json_pack(
      "{s:o, s:o, s:o, s:o}", "page",
      page_values(app, g, json_string_value(json_object_get(ui, "choose"))), "ui", ui, "languages",
      langs, "guess",
      guess >= 0 ? json_pack("{s:s, s:s, s:s}", "tag", g->tag, "name", g->name, "dir", g->dir)
                 : json_null());
  render(rq, key, gen, "kyr_languages", ctx, g->tag, vary, 2);
}

/* GET /kyr/choose/{lang}: remembers the language (only the language) and
 * goes to its topics. */
static void page_remember(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *tag = hv_param(rq, "lang")->str;
  if (!site_load(app) || !language(tag)) {
    not_found(rq);
    return;
  }
  bool https = strncmp(app->cfg->base_url, "https://", 8) == 0;
  char *cookie = hv_arena_printf(rq->arena,
                                 "kyr_lang=%s; Path=/kyr; Max-Age=31536000; "
                                 "SameSite=Lax; HttpOnly%s",
                                 tag, https ? "; Secure" : "");
  hv_reply_header(rq, "Set-Cookie", cookie);
  hv_reply_redirect(rq, 303, hv_arena_printf(rq->arena, "/kyr/%s", tag));
}

/* GET /kyr/{lang}: the topics in that language, with the hotlines. */
static void page_topics(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *tag = hv_param(rq, "lang")->str;
  const struct language *g;
  if (!site_load(app) || !(g = language(tag))) {
    not_found(rq);
    return;
  }
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/%s", g->tag);
  uint64_t gen = hv_kyr_generation();
  if (hv_pagecache_serve(rq, key, gen))
    return;
  json_t *topics = NULL, *list = json_array();
  enum hv_qs qs = hv_kyr_topics(app->store, &topics);
  size_t i;
  json_t *t;
  json_array_foreach(qs > 0 ? topics : NULL, i, t) {
    const char *slug = json_string_value(json_object_get(t, "slug"));
    json_t *v = NULL;
    if (hv_kyr_public(app->store, g->tag, slug, &v) <= 0)
      continue;
    json_t *text = json_object_get(v, "text");
    json_array_append_new(
        list, json_pack("{s:s, s:O, s:b}", "slug", slug, "title", json_object_get(text, "title"),
                        "english",
                        strcmp(json_string_value(json_object_get(v, "show")), "text") != 0 &&
                            strcmp(g->tag, "en") != 0));
    json_decref(v);
  }
  json_decref(topics);
  if (qs < 0) {
    json_decref(list);
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *lines = json_array(), *h;
  json_array_foreach(site.hotlines, i, h) {
    json_t *name = json_object_get(json_object_get(h, "name"), g->tag);
    json_t *hours = json_object_get(json_object_get(h, "hours"), g->tag);
    json_array_append_new(
        lines, json_pack("{s:O, s:b, s:O, s:b, s:O, s:O}", "name",
                         name ? name : json_object_get(json_object_get(h, "name"), "en"), "name_en",
                         !name && strcmp(g->tag, "en") != 0, "hours",
                         hours ? hours : json_object_get(json_object_get(h, "hours"), "en"),
                         "hours_en", !hours && strcmp(g->tag, "en") != 0, "phone",
                         json_object_get(h, "phone"), "tel", json_object_get(h, "tel")));
  }
  json_t *ui = ui_strings(g->tag);
  json_t *ctx = json_pack("{s:o, s:o, s:o, s:o}", "page",
                          page_values(app, g, json_string_value(json_object_get(ui, "site"))), "ui",
                          ui, "topics", list, "hotlines", lines);
  render(rq, key, gen, "kyr_topics", ctx, g->tag, NULL, 0);
}

/* GET /kyr/{lang}/{slug}: one topic: the language's current text, or the
 * current English text with the notice while the translation is missing or
 * being updated. */
static void page_topic(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *tag = hv_param(rq, "lang")->str, *slug = hv_param(rq, "slug")->str;
  const struct language *g;
  if (!site_load(app) || !(g = language(tag))) {
    not_found(rq);
    return;
  }
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/%s/%s", g->tag, slug);
  uint64_t gen = hv_kyr_generation();
  if (hv_pagecache_serve(rq, key, gen))
    return;
  json_t *v = NULL;
  enum hv_qs qs = hv_kyr_public(app->store, g->tag, slug, &v);
  if (qs <= 0) {
    if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      not_found(rq);
    return;
  }
  json_t *text = json_object_get(v, "text");
  const char *md = json_string_value(json_object_get(text, "web"));
  char *html = hv_markdown_html(md, strlen(md));
  const char *text_lang = json_string_value(json_object_get(text, "lang"));
  const struct language *tl = language(text_lang);
  char day[16] = "", iso[32] = "";
  time_t at = (time_t)(json_integer_value(json_object_get(text, "published_at")) / 1000);
  struct tm tm;
  if (localtime_r(&at, &tm)) {
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S%z", &tm);
  }
  json_t *ui = ui_strings(g->tag);
  json_t *ctx = json_pack("{s:o, s:o, s:O, s:O, s:s, s:s, s:s, s:s}", "page",
                          page_values(app, g, json_string_value(json_object_get(text, "title"))),
                          "ui", ui, "text", text, "notice",
                          json_object_get(v, "notice") ? json_object_get(v, "notice") : json_null(),
                          "html", html ? html : "", "text_dir", tl ? tl->dir : "ltr",
                          "published_day", day, "published_iso", iso);
  free(html);
  json_decref(v);
  render(rq, key, gen, "kyr_topic", ctx, g->tag, NULL, 0);
}

/* --- the help directories ------------------------------------------------------ */

/* The data (names, addresses, hours, what a program offers) is in English;
 * the labels around it are in the page's language. */

/* A new reference to interface string `key` (the key itself if missing). */
static json_t *ui_get(json_t *ui, const char *key) {
  json_t *v = json_object_get(ui, key);
  return v ? json_incref(v) : json_string(key);
}

/* The label of service `code` in the page's language ("service_" and the
 * code with underscores for hyphens). */
static json_t *service_label(json_t *ui, const char *code) {
  char key[64];
  snprintf(key, sizeof key, "service_%s", code);
  for (char *p = key; *p; p++)
    if (*p == '-')
      *p = '_';
  json_t *v = json_object_get(ui, key);
  return v ? json_incref(v) : json_string(code);
}

/* [{tag, name, dir}] for a list of tags, each name in its own script. */
static json_t *language_names(json_t *tags) {
  json_t *out = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(tags, i, t) {
    const struct language *l = language(json_string_value(t));
    if (l)
      json_array_append_new(out,
                            json_pack("{s:s, s:s, s:s}", "tag", l->tag, "name", l->name, "dir",
                                      l->dir));
  }
  return out;
}

/* A dialable form of a phone number: its digits and a leading +. */
static json_t *tel_of(json_t *phone) {
  const char *p = json_string_value(phone);
  char tel[40];
  size_t n = 0;
  if (!p)
    return json_null();
  for (; *p && n + 1 < sizeof tel; p++)
    if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
      tel[n++] = *p;
  tel[n] = '\0';
  return json_string(tel);
}

/* Adds what every entry's page needs: language names, the dialable phone. */
static void entry_common(json_t *e) {
  json_object_set_new(e, "language_names", language_names(json_object_get(e, "languages")));
  json_object_set_new(e, "tel", tel_of(json_object_get(e, "phone")));
}

/* GET /kyr/{lang}/legal-help?language=&service=: the legal service
 * providers, filtered by a language spoken and a service. Only the site's
 * language tags and the four service codes make distinct pages in the
 * cache (at most 21 x 5 a language); any other value answers 400 with the
 * whole list and a notice, and is not cached. */
static void page_legal_help(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *tag = hv_param(rq, "lang")->str;
  const struct language *g;
  if (!site_load(app) || !(g = language(tag))) {
    not_found(rq);
    return;
  }
  const char *fl = hv_query(rq, "language"), *fs = hv_query(rq, "service");
  const struct language *fg = NULL;
  fl = fl ? fl : "";
  fs = fs ? fs : "";
  bool bad = (*fl && !(fg = language(fl))) || (*fs && !hv_kyr_service_ok(fs));
  if (bad) {
    fg = NULL;
    fs = "";
  }
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/%s/legal-help?language=%s&service=%s", g->tag,
           fg ? fg->tag : "", fs);
  uint64_t gen = hv_kyr_generation();
  if (!bad && hv_pagecache_serve(rq, key, gen))
    return;
  char today[11];
  json_t *items = NULL;
  hv_kyr_today(today);
  enum hv_qs qs =
      hv_kyr_dir_list(app->store, HV_KYR_DIR_LEGAL, fg ? fg->tag : NULL, fs, today, &items);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *ui = ui_strings(g->tag);
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) {
    json_t *labels = json_array(), *code;
    size_t j;
    json_array_foreach(json_object_get(e, "services"), j, code)
        json_array_append_new(labels, service_label(ui, json_string_value(code)));
    json_object_set_new(e, "service_labels", labels);
    json_object_set_new(e, "cost_label",
                    ui_get(ui, strcmp(json_string_value(json_object_get(e, "cost")), "free") == 0
                                   ? "cost_free"
                                   : "cost_low"));
    json_object_set_new(e, "has_reps",
                        json_boolean(json_integer_value(json_object_get(e, "accredited_reps")) > 0));
    json_object_set_new(e, "has_sites", json_boolean(json_array_size(json_object_get(e, "sites"))));
    entry_common(e);
  }
  json_t *langs = json_array(), *services = json_array();
  for (size_t k = 0; k < site.n; k++)
    json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:b}", "tag", site.langs[k].tag,
                                           "name", site.langs[k].name, "dir", site.langs[k].dir,
                                           "selected", fg == &site.langs[k]));
  for (int k = 0; hv_kyr_services[k]; k++)
    json_array_append_new(services,
                          json_pack("{s:s, s:o, s:b}", "code", hv_kyr_services[k], "label",
                                    service_label(ui, hv_kyr_services[k]), "selected",
                                    strcmp(fs, hv_kyr_services[k]) == 0));
  json_t *ctx = json_pack(
      "{s:o, s:o, s:o, s:b, s:o, s:o, s:b, s:b}", "page",
      page_values(app, g, json_string_value(json_object_get(ui, "legal_help"))), "ui", ui,
      "items", items, "has_items", json_array_size(items) > 0, "languages", langs, "services",
      services, "filtered", fg || *fs, "bad_filter", bad);
  render_status(rq, bad ? 400 : 200, bad ? NULL : key, gen, "kyr_legal_help", ctx, g->tag, NULL,
                0);
}

/* GET /kyr/{lang}/city-programs: City programs open to everyone
 * regardless of status. The query is not read: one page a language. */
static void page_city_programs(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *tag = hv_param(rq, "lang")->str;
  const struct language *g;
  if (!site_load(app) || !(g = language(tag))) {
    not_found(rq);
    return;
  }
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/%s/city-programs", g->tag);
  uint64_t gen = hv_kyr_generation();
  if (hv_pagecache_serve(rq, key, gen))
    return;
  char today[11];
  json_t *items = NULL;
  hv_kyr_today(today);
  enum hv_qs qs = hv_kyr_dir_list(app->store, HV_KYR_DIR_PROGRAMS, NULL, NULL, today, &items);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) entry_common(e);
  json_t *ui = ui_strings(g->tag);
  json_t *ctx = json_pack("{s:o, s:o, s:o, s:b}", "page",
                          page_values(app, g, json_string_value(json_object_get(ui, "city_programs"))),
                          "ui", ui, "items", items, "has_items", json_array_size(items) > 0);
  render(rq, key, gen, "kyr_city_programs", ctx, g->tag, NULL, 0);
}

#define PUBLIC (HV_R_PUBLIC | HV_R_ANON | HV_R_CACHED)

const struct hv_route hv_kyr_pages[] = {
    {HV_GET, "/kyr", 0, PUBLIC, 0, page_choose},
    {HV_GET, "/kyr/choose/{lang:str}", 0, HV_R_PUBLIC | HV_R_ANON, 0, page_remember},
    {HV_GET, "/kyr/{lang:str}", 0, PUBLIC, 0, page_topics},
    /* before the topics: these two slugs are reserved (hv_kyr_slug_ok) */
    {HV_GET, "/kyr/{lang:str}/legal-help", 0, PUBLIC, 0, page_legal_help},
    {HV_GET, "/kyr/{lang:str}/city-programs", 0, PUBLIC, 0, page_city_programs},
    {HV_GET, "/kyr/{lang:str}/{slug:slug}", 0, PUBLIC, 0, page_topic},
};
const size_t hv_kyr_npages = sizeof hv_kyr_pages / sizeof hv_kyr_pages[0];
