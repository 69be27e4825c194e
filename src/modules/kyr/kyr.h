/* Know Your Rights: the public multilingual site, the 311 agent console and
 * the content workflow. sms.c: how a text travels as SMS; workflow.c: the
 * content rules; store.c: SQL; http.c: the API. */
#ifndef HV_KYR_H
#define HV_KYR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "http/http.h"
#include "modules/kyr/workflow.h"
#include "store/store.h"

extern const struct hv_route hv_kyr_routes[];
extern const size_t hv_kyr_nroutes;
/* The public site (site.c). */
extern const struct hv_route hv_kyr_pages[];
extern const size_t hv_kyr_npages;

/* The staff pages (pages.c): the content editor, coverage, the 311
 * console and the distribution dashboard. */
extern const struct hv_route hv_kyr_staff_pages[];
extern const size_t hv_kyr_nstaff_pages;

/* Limits of a text's fields, in code points (the API and the pages). */
#define HV_KYR_TITLE_MAX 200
#define HV_KYR_WEB_MAX 32768
#define HV_KYR_SMS_MAX 2000 /* far beyond three segments */
#define HV_KYR_PHONE_MAX 8000
#define HV_KYR_CARD_MAX 1000

/* A topic's slug, a stable public id in URLs: lower-case letters, digits
 * and hyphens, not starting with a hyphen; not "legal-help" or
 * "city-programs" (the help directories' pages). */
bool hv_kyr_slug_ok(const char *s);

/* The content generation: moves on whenever what the public sees may have
 * changed (a publication or retraction in this process). */
uint64_t hv_kyr_generation(void);
/* Moves the generation on (a directory import changed what is shown). */
void hv_kyr_generation_bump(void);

/* The public site's interface strings in language `tag` (each missing one
 * taken from English; returned, caller decrefs), with the language's
 * direction ("ltr" or "rtl", static) in *dir. NULL when the language is not
 * on the site or its own strings lack `needed` (a page offered only in the
 * languages translated for it). */
struct hv_app;
json_t *hv_kyr_ui(struct hv_app *app, const char *tag, const char *needed, const char **dir);

/* The channels a text has renditions for. */
enum hv_kyr_channel { HV_KC_WEB, HV_KC_SMS, HV_KC_PHONE, HV_KC_CARD, HV_KC_MAX };
const char *hv_kyr_channel_code(enum hv_kyr_channel c);

/* A text's fields as written by an editor (borrowed strings). */
struct hv_kyr_fields {
  const char *title, *web, *sms, *phone, *card;
};

struct hv_kyr_write {
  /* in */
  const struct hv_principal *by;
  int64_t topic_id;          /* create */
  const char *lang;          /* create */
  int64_t source_id;         /* create, a translation: the English master version */
  int64_t id;                /* update, act */
  int64_t expect_updated;    /* update: the updated_at the editor saw (0: do not check) */
  struct hv_kyr_fields f;    /* create, update */
  bool sample;               /* create: sample text awaiting the City Attorney */
  enum hv_kyr_action action; /* act */
  const char *note;          /* act */
  /* out */
  int64_t new_id;
  int version;
  int refusal_status; /* when refused: 403, 404, 409, 422 */
  const char *refusal;
  const char *refusal_field;
  json_t *detail; /* a refusal's details (e.g. the SMS measure), owned by the caller */
};

/* HV_QS_ONE on success; HV_QS_CONFLICT with w->refusal* when refused. */
enum hv_qs hv_kyr_topic_create(struct hv_store *s, const struct hv_principal *by, const char *slug,
                               int position, int64_t *id);
enum hv_qs hv_kyr_text_create(struct hv_store *s, struct hv_kyr_write *w);
enum hv_qs hv_kyr_text_update(struct hv_store *s, struct hv_kyr_write *w);
enum hv_qs hv_kyr_text_act(struct hv_store *s, struct hv_kyr_write *w);

/* Reads (JSON the caller owns). */
enum hv_qs hv_kyr_languages(struct hv_store *s, json_t **out);
enum hv_qs hv_kyr_topics(struct hv_store *s, json_t **out);
enum hv_qs hv_kyr_text_get(struct hv_store *s, int64_t id, json_t **out);
/* Every version of a topic (all languages, or one when lang is set). */
enum hv_qs hv_kyr_texts(struct hv_store *s, int64_t topic_id, const char *lang, json_t **out);
/* For each topic x language x channel: "published", "stale", "fallback"
 * (English shown), or "missing". */
enum hv_qs hv_kyr_coverage(struct hv_store *s, json_t **out);
/* What the public sees for a topic (by slug) in a language: {"show":
 * "text"|"english", "lang", "dir", "notice"?, "text": {...}}; HV_QS_NONE
 * when nothing is published. */
enum hv_qs hv_kyr_public(struct hv_store *s, const char *lang, const char *slug, json_t **out);

/* Distribution counts for days from..to (YYYY-MM-DD, inclusive): totals by
 * language, topic, channel and day, and the rows. */
enum hv_qs hv_kyr_counts(struct hv_store *s, const char *from, const char *to, json_t **out);

#endif
