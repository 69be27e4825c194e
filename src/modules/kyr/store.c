/* Know Your Rights SQL. Every change writes its audit event in its own
 * transaction; the workflow's rules come from workflow.c, the SMS budget
 * from sms.c. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/str.h"
#include "modules/kyr/card.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/sms.h"
#include "modules/kyr/smsreply.h"

static const char *const channel_codes[HV_KC_MAX] = {"web", "sms", "phone", "card"};

const char *hv_kyr_channel_code(enum hv_kyr_channel c) {
  return c < HV_KC_MAX ? channel_codes[c] : "unknown";
}

static const char *nz(const char *s) { return s ? s : ""; }

static json_t *int_or_null(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_integer(hv_row_int(r, col));
}

static enum hv_qs audit(struct hv_conn *c, const struct hv_principal *by, const char *action,
                        const char *type, int64_t id, json_t *change) {
  char oid[32];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  char *text = change ? json_dumps(change, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(change);
  struct hv_audit_event ev = {by->actor, action, type, oid, text, text ? strlen(text) : 0};
  enum hv_qs qs = hv_audit_append(c, &ev);
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs refuse(struct hv_kyr_write *w, int status, const char *why, const char *field) {
  w->refusal_status = status;
  w->refusal = why;
  w->refusal_field = field;
  return HV_QS_CONFLICT;
}

/* --- languages and topics ------------------------------------------------- */

static struct hv_sql q_languages = HV_SQL("SELECT tag, name, english_name, dir, script, tier, "
                                          "notice FROM kyr_languages ORDER BY position");
static struct hv_sql q_language =
    HV_SQL("SELECT dir, notice, name FROM kyr_languages WHERE tag = ?");
static struct hv_sql q_topic_insert =
    HV_SQL("INSERT INTO kyr_topics (slug, position, created_at) VALUES (?, ?, ?) RETURNING id");
static struct hv_sql q_topics = HV_SQL(
    "SELECT t.id, t.slug, t.position, (SELECT x.title FROM kyr_texts x WHERE x.topic_id = t.id "
    "AND x.lang = 'en' ORDER BY x.version DESC LIMIT 1) FROM kyr_topics t ORDER BY t.position, "
    "t.id");
static struct hv_sql q_topic_exists = HV_SQL("SELECT id FROM kyr_topics WHERE id = ?");

static int language_row(void *cls, const struct hv_row *r) {
  json_array_append_new(
      cls, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "tag", nz(hv_row_text(r, 0)), "name",
                     nz(hv_row_text(r, 1)), "english_name", nz(hv_row_text(r, 2)), "dir",
                     nz(hv_row_text(r, 3)), "script", nz(hv_row_text(r, 4)), "tier",
                     (json_int_t)hv_row_int(r, 5), "notice", nz(hv_row_text(r, 6))));
  return 0;
}

struct query_args {
  struct hv_sql *q;
  const struct hv_param *p;
  size_t n;
  hv_row_fn fn;
  json_t *into;
};

static enum hv_qs query_tx(struct hv_conn *c, void *cls) {
  struct query_args *a = cls;
  enum hv_qs qs = hv_db_query(c, a->q, a->p, a->n, a->fn, a->into);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs read_all(struct hv_store *s, struct hv_sql *q, hv_row_fn fn, json_t **out) {
  struct query_args a = {q, NULL, 0, fn, json_array()};
  enum hv_qs qs = a.into ? hv_store_tx(s, false, query_tx, &a) : HV_QS_HARD;
  if (qs < 0) {
    json_decref(a.into);
    return qs;
  }
  *out = a.into;
  return HV_QS_ONE;
}

enum hv_qs hv_kyr_languages(struct hv_store *s, json_t **out) {
  return read_all(s, &q_languages, language_row, out);
}

static int topic_row(void *cls, const struct hv_row *r) {
  const char *title = hv_row_text(r, 3);
  json_array_append_new(cls, json_pack("{s:I, s:s, s:I, s:o}", "id", (json_int_t)hv_row_int(r, 0),
                                       "slug", nz(hv_row_text(r, 1)), "position",
                                       (json_int_t)hv_row_int(r, 2), "title",
                                       title ? json_string(title) : json_null()));
  return 0;
}

enum hv_qs hv_kyr_topics(struct hv_store *s, json_t **out) {
  return read_all(s, &q_topics, topic_row, out);
}

struct topic_args {
  const struct hv_principal *by;
  const char *slug;
  int position;
  int64_t id;
};

static enum hv_qs topic_create_tx(struct hv_conn *c, void *cls) {
  struct topic_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->slug), HV_P_INT(a->position), HV_P_INT(hv_clock_wall_ms())};
  enum hv_qs qs = hv_db_int(c, &q_topic_insert, p, 3, &a->id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  return audit(c, a->by, "kyr.topic.create", "kyr_topic", a->id,
               json_pack("{s:s, s:i}", "slug", a->slug, "position", a->position));
}

enum hv_qs hv_kyr_topic_create(struct hv_store *s, const struct hv_principal *by, const char *slug,
                               int position, int64_t *id) {
  struct topic_args a = {by, slug, position, 0};
  enum hv_qs qs = hv_store_tx(s, true, topic_create_tx, &a);
  if (qs > 0)
    *id = a.id;
  return qs;
}

/* --- texts ---------------------------------------------------------------- */

#define TEXT_COLS                                                                                  \
  "x.id, x.topic_id, t.slug, x.lang, x.version, x.source_id, "                                     \
  "(SELECT m.version FROM kyr_texts m WHERE m.id = x.source_id), x.status, x.title, x.web, "       \
  "x.sms, x.phone, x.card, x.sample, x.note, x.created_by, x.created_at, x.updated_at, "           \
  "x.approved_by, x.approved_at, x.published_by, x.published_at, x.ended_at "
#define TEXT_FROM "FROM kyr_texts x JOIN kyr_topics t ON t.id = x.topic_id "

static struct hv_sql q_text_get = HV_SQL("SELECT " TEXT_COLS TEXT_FROM "WHERE x.id = ?");
static struct hv_sql q_texts =
    HV_SQL("SELECT " TEXT_COLS TEXT_FROM "WHERE x.topic_id = ? AND (? = '' OR x.lang = ?) "
           "ORDER BY x.lang, x.version DESC");
static struct hv_sql q_next_version =
    HV_SQL("SELECT COALESCE(MAX(version), 0) + 1 FROM kyr_texts WHERE topic_id = ? AND lang = ?");
static struct hv_sql q_source_status =
    HV_SQL("SELECT status FROM kyr_texts WHERE id = ? AND topic_id = ? AND lang = 'en'");
static struct hv_sql q_text_insert = HV_SQL(
    "INSERT INTO kyr_texts (topic_id, lang, version, source_id, status, title, web, sms, phone, "
    "card, sample, created_by, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
static struct hv_sql q_text_state =
    HV_SQL("SELECT status, created_by, lang, source_id, topic_id, updated_at, sms, version, card "
           "FROM kyr_texts WHERE id = ?");
static struct hv_sql q_text_update =
    HV_SQL("UPDATE kyr_texts SET title = ?, web = ?, sms = ?, phone = ?, card = ?, "
           "updated_at = CASE WHEN ? > updated_at THEN ? ELSE updated_at + 1 END "
           "WHERE id = ? AND status = 'draft' AND updated_at = ?");
static struct hv_sql q_published_en =
    HV_SQL("SELECT id FROM kyr_texts WHERE topic_id = ? AND lang = 'en' AND status = 'published'");
static struct hv_sql q_set_status =
    HV_SQL("UPDATE kyr_texts SET status = ?, note = ?, "
           "updated_at = CASE WHEN ? > updated_at THEN ? ELSE updated_at + 1 END, "
           "approved_by = CASE WHEN ? = 'approved' THEN ? ELSE approved_by END, "
           "approved_at = CASE WHEN ? = 'approved' THEN ? ELSE approved_at END, "
           "published_by = CASE WHEN ? = 'published' THEN ? ELSE published_by END, "
           "published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END, "
           "ended_at = CASE WHEN ? = 'retracted' THEN ? ELSE ended_at END "
           "WHERE id = ? AND status = ?");
static struct hv_sql q_supersede =
    HV_SQL("UPDATE kyr_texts SET status = 'superseded', ended_at = ?, updated_at = ? "
           "WHERE topic_id = ? AND lang = ? AND status = 'published' AND id <> ?");

static int text_row(void *cls, const struct hv_row *r) {
  json_t *t = json_pack(
      "{s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:I, s:I, "
      "s:I, s:o, s:o, s:o, s:o, s:o}",
      "id", (json_int_t)hv_row_int(r, 0), "topic_id", (json_int_t)hv_row_int(r, 1), "topic",
      nz(hv_row_text(r, 2)), "lang", nz(hv_row_text(r, 3)), "version", (json_int_t)hv_row_int(r, 4),
      "source_id", int_or_null(r, 5), "source_version", int_or_null(r, 6), "status",
      nz(hv_row_text(r, 7)), "title", nz(hv_row_text(r, 8)), "web", nz(hv_row_text(r, 9)), "sms",
      nz(hv_row_text(r, 10)), "phone", nz(hv_row_text(r, 11)), "card", nz(hv_row_text(r, 12)),
      "sample", hv_row_int(r, 13) != 0, "note",
      hv_row_null(r, 14) ? json_null() : json_string(hv_row_text(r, 14)), "created_by",
      (json_int_t)hv_row_int(r, 15), "created_at", (json_int_t)hv_row_int(r, 16), "updated_at",
      (json_int_t)hv_row_int(r, 17), "approved_by", int_or_null(r, 18), "approved_at",
      int_or_null(r, 19), "published_by", int_or_null(r, 20), "published_at", int_or_null(r, 21),
      "ended_at", int_or_null(r, 22));
  if (!t)
    return 1;
  if (json_is_array((json_t *)cls))
    json_array_append_new(cls, t);
  else
    json_object_update(cls, t), json_decref(t);
  return 0;
}

enum hv_qs hv_kyr_text_get(struct hv_store *s, int64_t id, json_t **out) {
  struct hv_param p[] = {HV_P_INT(id)};
  struct query_args a = {&q_text_get, p, 1, text_row, json_object()};
  enum hv_qs qs = hv_store_tx(s, false, query_tx, &a);
  if (qs < 0 || json_object_size(a.into) == 0) {
    json_decref(a.into);
    return qs < 0 ? qs : HV_QS_NONE;
  }
  *out = a.into;
  return HV_QS_ONE;
}

enum hv_qs hv_kyr_texts(struct hv_store *s, int64_t topic_id, const char *lang, json_t **out) {
  struct hv_param p[] = {HV_P_INT(topic_id), HV_P_TEXT(nz(lang)), HV_P_TEXT(nz(lang))};
  struct query_args a = {&q_texts, p, 3, text_row, json_array()};
  enum hv_qs qs = hv_store_tx(s, false, query_tx, &a);
  if (qs < 0) {
    json_decref(a.into);
    return qs;
  }
  *out = a.into;
  return HV_QS_ONE;
}

struct text_state {
  char status[16], lang[16];
  int64_t created_by, source_id, topic_id, updated_at;
  int version;
  char *sms, *card;
};

static int state_row(void *cls, const struct hv_row *r) {
  struct text_state *st = cls;
  snprintf(st->status, sizeof st->status, "%s", nz(hv_row_text(r, 0)));
  st->created_by = hv_row_int(r, 1);
  snprintf(st->lang, sizeof st->lang, "%s", nz(hv_row_text(r, 2)));
  st->source_id = hv_row_null(r, 3) ? 0 : hv_row_int(r, 3);
  st->topic_id = hv_row_int(r, 4);
  st->updated_at = hv_row_int(r, 5);
  free(st->sms);
  st->sms = strdup(nz(hv_row_text(r, 6)));
  st->version = (int)hv_row_int(r, 7);
  free(st->card);
  st->card = strdup(nz(hv_row_text(r, 8)));
  return st->sms && st->card ? 0 : 1;
}

/* Copies the first column into a 16-byte buffer. */
static int copy_text(void *cls, const struct hv_row *r) {
  snprintf(cls, 16, "%s", nz(hv_row_text(r, 0)));
  return 0;
}

static json_t *fields_json(const struct hv_kyr_fields *f) {
  return json_pack("{s:s, s:I, s:I, s:I, s:I}", "title", f->title, "web_bytes",
                   (json_int_t)strlen(f->web), "sms", f->sms, "phone_bytes",
                   (json_int_t)strlen(f->phone), "card", f->card);
}

static enum hv_qs create_tx(struct hv_conn *c, void *cls) {
  struct hv_kyr_write *w = cls;
  int64_t v, now = hv_clock_wall_ms();
  struct hv_param tp[] = {HV_P_INT(w->topic_id)};
  enum hv_qs qs = hv_db_int(c, &q_topic_exists, tp, 1, &v);
  if (qs <= 0)
    return qs < 0 ? qs : refuse(w, 404, "No such topic.", NULL);
  char dir[16] = "";
  struct hv_param lp[] = {HV_P_TEXT(w->lang)};
  qs = hv_db_query(c, &q_language, lp, 1, copy_text, dir);
  if (qs <= 0)
    return qs < 0 ? qs
                  : refuse(w, 422, "Unknown language: use one of /api/v1/kyr/languages.", "lang");
  bool english = strcmp(w->lang, "en") == 0;
  if (english && w->source_id)
    return refuse(w, 422, "The English master is not a translation: leave out source_id.",
                  "source_id");
  if (!english) {
    if (!w->source_id)
      return refuse(w, 422, "A translation names the English version it translates (source_id).",
                    "source_id");
    char status[16] = "";
    struct hv_param sp[] = {HV_P_INT(w->source_id), HV_P_INT(w->topic_id)};
    qs = hv_db_query(c, &q_source_status, sp, 2, copy_text, status);
    if (qs < 0)
      return qs;
    if (strcmp(status, "approved") != 0 && strcmp(status, "published") != 0)
      return refuse(w, 422,
                    "A translation is made from an approved or published English version of the "
                    "same topic.",
                    "source_id");
  }
  struct hv_param vp[] = {HV_P_INT(w->topic_id), HV_P_TEXT(w->lang)};
  qs = hv_db_int(c, &q_next_version, vp, 2, &v);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  w->version = (int)v;
  struct hv_param p[] = {HV_P_INT(w->topic_id),
                         HV_P_TEXT(w->lang),
                         HV_P_INT(v),
                         w->source_id ? HV_P_INT(w->source_id) : HV_P_NULL,
                         HV_P_TEXT(w->f.title),
                         HV_P_TEXT(w->f.web),
                         HV_P_TEXT(w->f.sms),
                         HV_P_TEXT(w->f.phone),
                         HV_P_TEXT(w->f.card),
                         HV_P_INT(w->sample),
                         HV_P_INT(w->by->user_id),
                         HV_P_INT(now),
                         HV_P_INT(now)};
  qs = hv_db_int(c, &q_text_insert, p, 13, &w->new_id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  json_t *ch = fields_json(&w->f);
  json_object_set_new(ch, "lang", json_string(w->lang));
  json_object_set_new(ch, "version", json_integer(v));
  json_object_set_new(ch, "topic_id", json_integer(w->topic_id));
  if (w->source_id)
    json_object_set_new(ch, "source_id", json_integer(w->source_id));
  return audit(c, w->by, "kyr.text.create", "kyr_text", w->new_id, ch);
}

enum hv_qs hv_kyr_text_create(struct hv_store *s, struct hv_kyr_write *w) {
  return hv_store_tx(s, true, create_tx, w);
}

static enum hv_qs load_state(struct hv_conn *c, struct hv_kyr_write *w, struct text_state *st) {
  struct hv_param p[] = {HV_P_INT(w->id)};
  enum hv_qs qs = hv_db_query(c, &q_text_state, p, 1, state_row, st);
  if (qs < 0)
    return qs;
  return qs == 0 ? refuse(w, 404, "No such text.", NULL) : HV_QS_ONE;
}

static enum hv_qs update_tx(struct hv_conn *c, void *cls) {
  struct hv_kyr_write *w = cls;
  struct text_state st = {0};
  int64_t now = hv_clock_wall_ms();
  enum hv_qs qs = load_state(c, w, &st);
  if (qs <= 0)
    goto out;
  if (strcmp(st.status, "draft") != 0) {
    qs = refuse(w, 409, "Only a draft can be edited: write a new version instead.", NULL);
    goto out;
  }
  if (w->expect_updated && w->expect_updated != st.updated_at) {
    qs = refuse(w, 409,
                "Someone saved this draft after you opened it: reload to see their changes.", NULL);
    goto out;
  }
  struct hv_param p[] = {HV_P_TEXT(w->f.title), HV_P_TEXT(w->f.web),  HV_P_TEXT(w->f.sms),
                         HV_P_TEXT(w->f.phone), HV_P_TEXT(w->f.card), HV_P_INT(now),
                         HV_P_INT(now),         HV_P_INT(w->id),      HV_P_INT(st.updated_at)};
  qs = hv_db_exec(c, &q_text_update, p, 9);
  if (qs == 0)
    qs = HV_QS_RETRY; /* changed between our read and write: the runner tries again */
  if (qs < 0)
    goto out;
  w->version = st.version;
  qs = audit(c, w->by, "kyr.text.update", "kyr_text", w->id, fields_json(&w->f));
out:
  free(st.sms);
  free(st.card);
  return qs;
}

enum hv_qs hv_kyr_text_update(struct hv_store *s, struct hv_kyr_write *w) {
  return hv_store_tx(s, true, update_tx, w);
}

/* Publishing refuses an SMS rendition beyond the budget, saying why. The
 * budget counts the text as it is sent: with its line break and the STOP /
 * HELP footer in the text's language (smsreply.c), so that every published
 * text always goes out with its footer. */
static enum hv_qs check_sms(struct hv_kyr_write *w, const char *sms, const char *lang) {
  struct hv_sms_info in;
  if (hv_sms_measure(sms, strlen(sms), &in))
    return refuse(w, 422, "The SMS text holds a character SMS cannot carry.", "sms");
  if (!*sms)
    return HV_QS_ONE;
  bool fits = false;
  char *sent = hv_smsreply_compose(sms, lang, &fits);
  if (!sent)
    return HV_QS_HARD;
  if (fits) {
    free(sent);
    return HV_QS_ONE;
  }
  /* Measure what it would be with the footer, for the editor. */
  const char *footer = hv_smsreply_footer(lang);
  size_t n = strlen(sms) + 1 + strlen(footer) + 1;
  char *with = realloc(sent, n);
  if (!with) {
    free(sent);
    return HV_QS_HARD;
  }
  snprintf(with, n, "%s\n%s", sms, footer);
  if (hv_sms_measure(with, strlen(with), &in)) {
    free(with);
    return refuse(w, 422, "The SMS text holds a character SMS cannot carry.", "sms");
  }
  free(with);
  json_t *off = json_array();
  for (size_t i = 0; i < in.noffending; i++) {
    char u[4];
    size_t k = hv_utf8_put(in.offending[i], u);
    json_array_append_new(off, json_stringn(u, k));
  }
  json_decref(w->detail);
  w->detail = json_pack("{s:s, s:I, s:I, s:i, s:o, s:s}", "encoding",
                        hv_sms_encoding_name(in.encoding), "units", (json_int_t)in.units,
                        "segments", (json_int_t)in.segments, "max_segments", HV_SMS_MAX_SEGMENTS,
                        "offending", off, "footer", footer);
  return refuse(w, 422,
                in.encoding == HV_SMS_UCS2
                    ? "The SMS text with its STOP/HELP footer needs more than three segments "
                      "(UCS-2: 67 units each; see the characters that forced UCS-2)."
                    : "The SMS text with its STOP/HELP footer needs more than three segments "
                      "(GSM-7: 153 characters each).",
                "sms");
}

/* Publishing refuses a card text that does not fit the printed card
 * (card.c lays it out at the smallest size in the language's direction). */
static enum hv_qs check_card(struct hv_conn *c, struct hv_kyr_write *w,
                             const struct text_state *st) {
  char dir[16] = "", why[256];
  struct hv_param lp[] = {HV_P_TEXT(st->lang)};
  enum hv_qs qs = hv_db_query(c, &q_language, lp, 1, copy_text, dir);
  if (qs < 0)
    return qs;
  int fits = hv_kyr_card_fits(st->card, st->lang, dir, why, sizeof why);
  if (fits < 0)
    return HV_QS_HARD;
  if (fits)
    return HV_QS_ONE;
  json_decref(w->detail);
  w->detail = json_pack("{s:s, s:f}", "reason", why, "min_pt", HV_KYR_CARD_MIN_PT);
  const char *msg = json_string_value(json_object_get(w->detail, "reason")); /* lives with detail */
  return refuse(w, 422, msg ? msg : "The card text does not fit the printed card.", "card");
}

static enum hv_qs act_tx(struct hv_conn *c, void *cls) {
  struct hv_kyr_write *w = cls;
  struct text_state st = {0};
  int64_t now = hv_clock_wall_ms(), english = 0;
  enum hv_qs qs = load_state(c, w, &st);
  if (qs <= 0)
    goto out;
  bool translation = strcmp(st.lang, "en") != 0;
  if (translation) {
    struct hv_param ep[] = {HV_P_INT(st.topic_id)};
    qs = hv_db_int(c, &q_published_en, ep, 1, &english);
    if (qs < 0)
      goto out;
  }
  struct hv_kyr_attempt at = {w->action,    (enum hv_kyr_status)hv_kyr_status_parse(st.status),
                              w->by->roles, st.created_by == w->by->user_id,
                              translation,  translation && english && english == st.source_id};
  struct hv_kyr_verdict v = hv_kyr_decide(&at);
  if (v.status) {
    qs = refuse(w, v.status, v.why, NULL);
    goto out;
  }
  if (w->action == HV_KA_PUBLISH &&
      ((qs = check_sms(w, st.sms, st.lang)) <= 0 || (qs = check_card(c, w, &st)) <= 0))
    goto out;
  const char *to = hv_kyr_status_code(v.to);
  if (w->action == HV_KA_PUBLISH) {
    struct hv_param sp[] = {HV_P_INT(now), HV_P_INT(now), HV_P_INT(st.topic_id), HV_P_TEXT(st.lang),
                            HV_P_INT(w->id)};
    if ((qs = hv_db_exec(c, &q_supersede, sp, 5)) < 0)
      goto out;
  }
  int64_t uid = w->by->user_id;
  struct hv_param p[] = {HV_P_TEXT(to),   w->note ? HV_P_TEXT(w->note) : HV_P_NULL,
                         HV_P_INT(now),   HV_P_INT(now),
                         HV_P_TEXT(to),   HV_P_INT(uid),
                         HV_P_TEXT(to),   HV_P_INT(now),
                         HV_P_TEXT(to),   HV_P_INT(uid),
                         HV_P_TEXT(to),   HV_P_INT(now),
                         HV_P_TEXT(to),   HV_P_INT(now),
                         HV_P_INT(w->id), HV_P_TEXT(st.status)};
  qs = hv_db_exec(c, &q_set_status, p, 16);
  if (qs == 0)
    qs = HV_QS_RETRY;
  if (qs < 0)
    goto out;
  w->version = st.version;
  char action[32];
  snprintf(action, sizeof action, "kyr.text.%s", hv_kyr_action_code(w->action));
  qs = audit(c, w->by, action, "kyr_text", w->id,
             json_pack("{s:s, s:s, s:s, s:i, s:s?}", "from", st.status, "to", to, "lang", st.lang,
                       "version", st.version, "note", w->note));
out:
  free(st.sms);
  free(st.card);
  return qs;
}

static atomic_uint_fast64_t generation = 1;

uint64_t hv_kyr_generation(void) { return atomic_load(&generation); }

void hv_kyr_generation_bump(void) { atomic_fetch_add(&generation, 1); }

enum hv_qs hv_kyr_text_act(struct hv_store *s, struct hv_kyr_write *w) {
  enum hv_qs qs = hv_store_tx(s, true, act_tx, w);
  if (qs > 0 && (w->action == HV_KA_PUBLISH || w->action == HV_KA_RETRACT))
    atomic_fetch_add(&generation, 1);
  return qs;
}

/* --- coverage and the public view ------------------------------------------ */

static struct hv_sql q_published =
    HV_SQL("SELECT x.topic_id, x.lang, x.id, x.source_id, x.web, x.sms, x.phone, x.card "
           "FROM kyr_texts x WHERE x.status = 'published'");

struct coverage {
  json_t *langs, *topics, *pub; /* pub: {"topic_id/lang": row} */
};

static int published_row(void *cls, const struct hv_row *r) {
  char key[48];
  snprintf(key, sizeof key, "%lld/%s", (long long)hv_row_int(r, 0), nz(hv_row_text(r, 1)));
  json_object_set_new(
      cls, key,
      json_pack("{s:I, s:I, s:b, s:b, s:b, s:b}", "id", (json_int_t)hv_row_int(r, 2), "source",
                (json_int_t)(hv_row_null(r, 3) ? 0 : hv_row_int(r, 3)), "web",
                *nz(hv_row_text(r, 4)) != 0, "sms", *nz(hv_row_text(r, 5)) != 0, "phone",
                *nz(hv_row_text(r, 6)) != 0, "card", *nz(hv_row_text(r, 7)) != 0));
  return 0;
}

static enum hv_qs coverage_tx(struct hv_conn *c, void *cls) {
  struct coverage *cv = cls;
  if (hv_db_query(c, &q_languages, NULL, 0, language_row, cv->langs) < 0 ||
      hv_db_query(c, &q_topics, NULL, 0, topic_row, cv->topics) < 0 ||
      hv_db_query(c, &q_published, NULL, 0, published_row, cv->pub) < 0)
    return HV_QS_HARD;
  return HV_QS_ONE;
}

static json_int_t get_int(const json_t *o, const char *k) {
  return json_integer_value(json_object_get(o, k));
}

enum hv_qs hv_kyr_coverage(struct hv_store *s, json_t **out) {
  struct coverage cv = {json_array(), json_array(), json_object()};
  enum hv_qs qs = hv_store_tx(s, false, coverage_tx, &cv);
  json_t *rows = json_array();
  size_t ti, li;
  json_t *t, *l;
  json_array_foreach(cv.topics, ti, t) {
    char key[48];
    snprintf(key, sizeof key, "%lld/en", (long long)get_int(t, "id"));
    json_t *en = json_object_get(cv.pub, key);
    json_t *langs = json_object();
    json_array_foreach(cv.langs, li, l) {
      const char *tag = json_string_value(json_object_get(l, "tag"));
      snprintf(key, sizeof key, "%lld/%s", (long long)get_int(t, "id"), tag);
      json_t *row = json_object_get(cv.pub, key), *ch = json_object();
      enum hv_kyr_show show = hv_kyr_choose(
          en ? get_int(en, "id") : 0,
          row ? (strcmp(tag, "en") == 0 ? get_int(row, "id") : get_int(row, "source")) : -1);
      for (int k = 0; k < HV_KC_MAX; k++) {
        const char *state;
        if (show == HV_SHOW_TEXT)
          state = json_is_true(json_object_get(row, channel_codes[k])) ? "published" : "missing";
        else if (row && en)
          state = "stale";
        else
          state = "missing";
        json_object_set_new(ch, channel_codes[k], json_string(state));
      }
      json_object_set_new(langs, tag, ch);
    }
    json_array_append_new(rows, json_pack("{s:I, s:O, s:O, s:o}", "topic_id", get_int(t, "id"),
                                          "slug", json_object_get(t, "slug"), "title",
                                          json_object_get(t, "title"), "languages", langs));
  }
  json_decref(cv.langs);
  json_decref(cv.topics);
  json_decref(cv.pub);
  if (qs < 0) {
    json_decref(rows);
    return qs;
  }
  *out = rows;
  return HV_QS_ONE;
}

static struct hv_sql q_public_text = HV_SQL(
    "SELECT " TEXT_COLS TEXT_FROM "WHERE t.slug = ? AND x.lang = ? AND x.status = 'published'");

struct public_args {
  const char *lang, *slug;
  json_t *lang_row, *en, *own;
};

static int lang_one(void *cls, const struct hv_row *r) {
  json_object_set_new(cls, "dir", json_string(nz(hv_row_text(r, 0))));
  json_object_set_new(cls, "notice", json_string(nz(hv_row_text(r, 1))));
  json_object_set_new(cls, "name", json_string(nz(hv_row_text(r, 2))));
  return 0;
}

static enum hv_qs public_tx(struct hv_conn *c, void *cls) {
  struct public_args *a = cls;
  struct hv_param lp[] = {HV_P_TEXT(a->lang)};
  struct hv_param ep[] = {HV_P_TEXT(a->slug), HV_P_TEXT("en")};
  struct hv_param op[] = {HV_P_TEXT(a->slug), HV_P_TEXT(a->lang)};
  enum hv_qs qs = hv_db_query(c, &q_language, lp, 1, lang_one, a->lang_row);
  if (qs <= 0)
    return qs;
  if (hv_db_query(c, &q_public_text, ep, 2, text_row, a->en) < 0 ||
      hv_db_query(c, &q_public_text, op, 2, text_row, a->own) < 0)
    return HV_QS_HARD;
  return HV_QS_ONE;
}

enum hv_qs hv_kyr_public(struct hv_store *s, const char *lang, const char *slug, json_t **out) {
  struct public_args a = {lang, slug, json_object(), json_object(), json_object()};
  enum hv_qs qs = hv_store_tx(s, false, public_tx, &a);
  if (qs > 0) {
    json_int_t en = get_int(a.en, "id");
    json_int_t src = strcmp(lang, "en") == 0 ? get_int(a.own, "id") : get_int(a.own, "source_id");
    switch (hv_kyr_choose(en, json_object_size(a.own) ? src : -1)) {
    case HV_SHOW_TEXT:
      *out = json_pack("{s:s, s:s, s:O, s:O}", "show", "text", "lang", lang, "dir",
                       json_object_get(a.lang_row, "dir"), "text", a.own);
      break;
    case HV_SHOW_ENGLISH:
      *out = json_pack("{s:s, s:s, s:O, s:O, s:O}", "show", "english", "lang", lang, "dir",
                       json_object_get(a.lang_row, "dir"), "notice",
                       json_object_get(a.lang_row, "notice"), "text", a.en);
      break;
    default:
      qs = HV_QS_NONE;
    }
  }
  json_decref(a.lang_row);
  json_decref(a.en);
  json_decref(a.own);
  return qs;
}

/* --- distribution counts --------------------------------------------------- */

static struct hv_sql q_counts =
    HV_SQL("SELECT d.day, t.slug, d.lang, d.channel, SUM(d.count) FROM kyr_distributions d "
           "JOIN kyr_topics t ON t.id = d.topic_id WHERE d.day >= ? AND d.day <= ? "
           "GROUP BY d.day, t.slug, d.lang, d.channel ORDER BY d.day, t.slug, d.lang, d.channel");

struct counts {
  json_t *rows, *lang, *topic, *channel, *day;
  json_int_t total;
};

static void bump(json_t *o, const char *k, json_int_t n) {
  json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + n));
}

static int count_row(void *cls, const struct hv_row *r) {
  struct counts *c = cls;
  const char *day = nz(hv_row_text(r, 0)), *slug = nz(hv_row_text(r, 1)),
             *lang = nz(hv_row_text(r, 2)), *channel = nz(hv_row_text(r, 3));
  json_int_t n = hv_row_int(r, 4);
  json_array_append_new(c->rows, json_pack("{s:s, s:s, s:s, s:s, s:I}", "day", day, "topic", slug,
                                           "lang", lang, "channel", channel, "count", n));
  bump(c->lang, lang, n);
  bump(c->topic, slug, n);
  bump(c->channel, channel, n);
  bump(c->day, day, n);
  c->total += n;
  return 0;
}

struct counts_args {
  const char *from, *to;
  struct counts c;
};

static enum hv_qs counts_tx(struct hv_conn *c, void *cls) {
  struct counts_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->from), HV_P_TEXT(a->to)};
  enum hv_qs qs = hv_db_query(c, &q_counts, p, 2, count_row, &a->c);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_kyr_counts(struct hv_store *s, const char *from, const char *to, json_t **out) {
  struct counts_args a = {
      from, to, {json_array(), json_object(), json_object(), json_object(), json_object(), 0}};
  enum hv_qs qs = hv_store_tx(s, false, counts_tx, &a);
  json_t *v = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "rows", a.c.rows, "by_language", a.c.lang,
                        "by_topic", a.c.topic, "by_channel", a.c.channel, "by_day", a.c.day,
                        "total", a.c.total);
  if (qs < 0 || !v) {
    json_decref(v);
    return qs < 0 ? qs : HV_QS_HARD;
  }
  *out = v;
  return HV_QS_ONE;
}
