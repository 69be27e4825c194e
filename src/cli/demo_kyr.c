/* The demo city's sample Know-Your-Rights content: data/kyr/topics/<slug>.json,
 * one file a topic, compiled into the binary (meson.build, hv_kyr_sample).
 * The project wrote it; it awaits the City Attorney's review, and every
 * text is stored with sample = 1. Each text goes through the same store
 * calls as the API, so every step is checked by the workflow and audited:
 * written by the MOIA demo user, submitted, approved by the legal demo user,
 * published by MOIA; translations follow, made from the published English
 * version. Anything refused is a bug in our data: the demo stops and says
 * which topic, language and step, and why. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/embed.h"
#include "modules/accounts/accounts.h"
#include "modules/kyr/directory.h"
#include "modules/kyr/kyr.h"

extern const struct hv_embed hv_kyr_sample[];
extern const struct hv_embed hv_kyr_data[];

#define FIELD_MAX 32768 /* bytes of one rendition once its lines are joined */

/* The demo user acting for one role. */
static int actor(struct hv_store *s, const char *email, const char *role, struct hv_principal *p) {
  memset(p, 0, sizeof *p);
  if (hv_accounts_find_user(s, email, &p->user_id) <= 0 || hv_roles_parse(role, &p->roles)) {
    fprintf(stderr, "haven demo: sample content: the demo user %s is missing\n", email);
    return -1;
  }
  snprintf(p->email, sizeof p->email, "%s", email);
  snprintf(p->actor, sizeof p->actor, "user:%lld", (long long)p->user_id);
  return 0;
}

/* A rendition is a string, or an array of lines (easier to edit Markdown
 * in JSON) joined with newlines. Returns a string the caller frees, or
 * NULL when the value is neither. */
static char *rendition(json_t *v) {
  if (json_is_string(v))
    return strdup(json_string_value(v));
  if (!json_is_array(v) || json_array_size(v) == 0)
    return NULL;
  char *out = calloc(1, FIELD_MAX);
  size_t len = 0, i;
  json_t *line;
  json_array_foreach(v, i, line) {
    const char *l = json_string_value(line);
    size_t n = l ? strlen(l) : 0;
    if (!out || !l || len + n + 2 > FIELD_MAX) {
      free(out);
      return NULL;
    }
    memcpy(out + len, l, n);
    len += n;
    if (i + 1 < json_array_size(v))
      out[len++] = '\n';
  }
  return out;
}

struct sample_text {
  char *title, *web, *sms, *phone, *card;
};

static void sample_text_free(struct sample_text *t) {
  free(t->title);
  free(t->web);
  free(t->sms);
  free(t->phone);
  free(t->card);
}

/* Reads one language's renditions; every one is required and not empty. */
static int read_text(const char *file, const char *lang, json_t *o, struct sample_text *t) {
  json_t *title, *web, *sms, *phone, *card;
  json_error_t err;
  memset(t, 0, sizeof *t);
  if (json_unpack_ex(o, &err, JSON_STRICT, "{s:o, s:o, s:o, s:o, s:o}", "title", &title, "web",
                     &web, "sms", &sms, "phone", &phone, "card", &card)) {
    fprintf(stderr, "haven demo: data/kyr/topics/%s: %s: %s\n", file, lang, err.text);
    return -1;
  }
  t->title = rendition(title);
  t->web = rendition(web);
  t->sms = rendition(sms);
  t->phone = rendition(phone);
  t->card = rendition(card);
  if (!t->title || !t->web || !t->sms || !t->phone || !t->card || !*t->title || !*t->web ||
      !*t->sms || !*t->phone || !*t->card) {
    fprintf(stderr,
            "haven demo: data/kyr/topics/%s: %s: title, web, sms, phone and card are each a "
            "non-empty string or array of lines\n",
            file, lang);
    sample_text_free(t);
    return -1;
  }
  return 0;
}

/* Says why a step was refused, with the SMS measure when there is one. */
static void say_refused(const char *slug, const char *lang, const char *step, enum hv_qs qs,
                        struct hv_kyr_write *w) {
  char *detail = w->detail ? json_dumps(w->detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  if (qs == HV_QS_CONFLICT && w->refusal)
    fprintf(stderr, "haven demo: sample content %s (%s): %s refused: %s%s%s\n", slug, lang, step,
            w->refusal, detail ? " " : "", detail ? detail : "");
  else
    fprintf(stderr, "haven demo: sample content %s (%s): %s failed: database error\n", slug, lang,
            step);
  free(detail);
  json_decref(w->detail);
  w->detail = NULL;
}

/* Writes one text and takes it to publication; *id is its id. */
static int publish_text(struct hv_store *s, const struct hv_principal *moia,
                        const struct hv_principal *legal, const char *slug, int64_t topic,
                        const char *lang, int64_t source, const struct sample_text *t,
                        int64_t *id) {
  struct hv_kyr_write w = {.by = moia,
                           .topic_id = topic,
                           .lang = lang,
                           .source_id = source,
                           .f = {t->title, t->web, t->sms, t->phone, t->card},
                           .sample = true};
  enum hv_qs qs = hv_kyr_text_create(s, &w);
  if (qs <= 0) {
    say_refused(slug, lang, "writing the draft", qs, &w);
    return -1;
  }
  *id = w.new_id;
  static const struct {
    enum hv_kyr_action action;
    bool legal;
    const char *step;
  } steps[] = {{HV_KA_SUBMIT, false, "submitting"},
               {HV_KA_APPROVE, true, "approving"},
               {HV_KA_PUBLISH, false, "publishing"}};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    struct hv_kyr_write a = {
        .by = steps[i].legal ? legal : moia, .id = *id, .action = steps[i].action};
    qs = hv_kyr_text_act(s, &a);
    if (qs <= 0) {
      say_refused(slug, lang, steps[i].step, qs, &a);
      return -1;
    }
  }
  return 0;
}

/* Slugs are stable public ids in URLs: lower-case letters, digits, hyphens;
 * the file is named after its topic. */
static bool slug_matches(const char *slug, const char *file) {
  size_t n = strlen(slug);
  if (!n || slug[0] == '-' || strncmp(file, slug, n) != 0 || strcmp(file + n, ".json") != 0)
    return false;
  for (const char *p = slug; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static int load_topic(struct hv_store *s, const struct hv_principal *moia,
                      const struct hv_principal *legal, const struct hv_embed *e, int *ntexts) {
  json_error_t err;
  json_t *root = json_loadb((const char *)e->data, e->len, JSON_REJECT_DUPLICATES, &err);
  json_t *texts = NULL;
  const char *slug, *lang;
  int position, rc = -1;
  int64_t topic = 0, english = 0;
  struct sample_text t;
  if (!root) {
    fprintf(stderr, "haven demo: data/kyr/topics/%s: line %d: %s\n", e->name, err.line, err.text);
    return -1;
  }
  if (json_unpack_ex(root, &err, JSON_STRICT, "{s:s, s:i, s:o}", "slug", &slug, "position",
                     &position, "texts", &texts) ||
      !json_is_object(texts)) {
    fprintf(stderr, "haven demo: data/kyr/topics/%s: %s\n", e->name,
            texts ? "\"texts\" maps language tags to texts" : err.text);
    goto out;
  }
  if (!slug_matches(slug, e->name)) {
    fprintf(stderr, "haven demo: data/kyr/topics/%s: the slug '%s' must name the file (a-z, 0-9, -)\n",
            e->name, slug);
    goto out;
  }
  json_t *en = json_object_get(texts, "en"), *o;
  if (!en) {
    fprintf(stderr, "haven demo: data/kyr/topics/%s: the English master (\"en\") is missing\n", e->name);
    goto out;
  }
  enum hv_qs qs = hv_kyr_topic_create(s, moia, slug, position, &topic);
  if (qs <= 0) {
    fprintf(stderr, "haven demo: sample content %s: creating the topic failed (%s)\n", slug,
            qs == HV_QS_CONFLICT ? "the slug exists" : "database error");
    goto out;
  }
  if (read_text(e->name, "en", en, &t))
    goto out;
  int r = publish_text(s, moia, legal, slug, topic, "en", 0, &t, &english);
  sample_text_free(&t);
  if (r)
    goto out;
  (*ntexts)++;
  json_object_foreach(texts, lang, o) {
    int64_t id;
    if (strcmp(lang, "en") == 0)
      continue;
    if (read_text(e->name, lang, o, &t))
      goto out;
    r = publish_text(s, moia, legal, slug, topic, lang, english, &t, &id);
    sample_text_free(&t);
    if (r)
      goto out;
    (*ntexts)++;
  }
  rc = 0;
out:
  json_decref(root);
  return rc;
}

int hv_demo_kyr(struct hv_store *s, int *ntopics, int *ntexts) {
  struct hv_principal moia, legal;
  *ntopics = *ntexts = 0;
  if (actor(s, "moia@demo.lacity.org", "moia", &moia) ||
      actor(s, "legal@demo.lacity.org", "legal", &legal))
    return -1;
  for (const struct hv_embed *e = hv_kyr_sample; e->name; e++) {
    if (load_topic(s, &moia, &legal, e, ntexts))
      return -1;
    (*ntopics)++;
  }
  return 0;
}

/* The sample help directories (data/kyr/legal_providers.csv and
 * city_programs.csv: every entry marked sample, "Sample entry - not
 * verified" on the page), imported by the MOIA demo user as staff would. */
int hv_demo_kyr_directories(struct hv_store *s, int *nlegal, int *nprograms) {
  static const char *const files[HV_KYR_DIR_MAX] = {"legal_providers.csv", "city_programs.csv"};
  struct hv_principal moia;
  int *counts[HV_KYR_DIR_MAX] = {nlegal, nprograms};
  if (actor(s, "moia@demo.lacity.org", "moia", &moia))
    return -1;
  for (int d = 0; d < HV_KYR_DIR_MAX; d++) {
    const struct hv_embed *e = hv_embed_find(hv_kyr_data, files[d]);
    struct hv_kyr_dir_result r;
    if (!e) {
      fprintf(stderr, "haven demo: %s is not compiled in\n", files[d]);
      return -1;
    }
    int rc = hv_kyr_dir_import(s, moia.actor, (enum hv_kyr_dir)d, (const char *)e->data, e->len,
                               &r);
    if (rc) {
      char *why = json_dumps(r.errors, JSON_COMPACT);
      fprintf(stderr, "haven demo: %s was refused: %s\n", files[d], why ? why : "?");
      free(why);
    }
    *counts[d] = r.created + r.updated + r.unchanged;
    hv_kyr_dir_result_free(&r);
    if (rc)
      return -1;
  }
  return 0;
}
