/* STOP, HELP and START: data/kyr/sms.json, read once, and the folding
 * that makes "Stop", " stop. ", "ARRET" and "Arrêt" the same keyword. The
 * folding uses GLib's Unicode tables (already loaded for Pango). */
#include "modules/kyr/smsreply.h"

#include <glib.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "modules/kyr/sms.h"

extern const struct hv_embed hv_kyr_data[];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *langs; /* the "languages" array */

static void load(void) {
  const struct hv_embed *e = hv_embed_find(hv_kyr_data, "sms.json");
  json_t *doc = e ? json_loadb((const char *)e->data, e->len, 0, NULL) : NULL;
  langs = json_incref(json_object_get(doc, "languages"));
  json_decref(doc);
}

static json_t *entry(const char *lang) {
  pthread_once(&once, load);
  size_t i;
  json_t *v;
  json_array_foreach(langs, i, v) {
    if (lang && strcmp(json_string_value(json_object_get(v, "lang")), lang) == 0)
      return v;
  }
  return json_array_get(langs, 0); /* English comes first */
}

static const char *const list_keys[HV_SMSK_MAX] = {NULL, "stop", "help", "start"};
static const char *const reply_keys[HV_SMSK_MAX] = {NULL, "stop_reply", "help_reply",
                                                    "start_reply"};

size_t hv_smsreply_nlangs(void) {
  pthread_once(&once, load);
  return json_array_size(langs);
}

const char *hv_smsreply_lang(size_t i) {
  pthread_once(&once, load);
  return json_string_value(json_object_get(json_array_get(langs, i), "lang"));
}

size_t hv_smsreply_nkeywords(const char *lang, enum hv_sms_keyword k) {
  return k > HV_SMSK_NONE && k < HV_SMSK_MAX
             ? json_array_size(json_object_get(entry(lang), list_keys[k]))
             : 0;
}

const char *hv_smsreply_keyword_at(const char *lang, enum hv_sms_keyword k, size_t i) {
  if (k <= HV_SMSK_NONE || k >= HV_SMSK_MAX)
    return NULL;
  return json_string_value(json_array_get(json_object_get(entry(lang), list_keys[k]), i));
}

static const char *field(const char *lang, const char *key) {
  const char *s = json_string_value(json_object_get(entry(lang), key));
  if (!s)
    s = json_string_value(json_object_get(entry("en"), key));
  return s ? s : "";
}

const char *hv_smsreply_text(const char *lang, enum hv_sms_keyword k) {
  return k > HV_SMSK_NONE && k < HV_SMSK_MAX ? field(lang, reply_keys[k]) : "";
}

const char *hv_smsreply_footer(const char *lang) { return field(lang, "footer"); }

char *hv_smsreply_compose(const char *text, const char *lang, bool *fits) {
  const char *footer = hv_smsreply_footer(lang);
  size_t n = strlen(text) + 1 + strlen(footer) + 1;
  char *out = malloc(n);
  struct hv_sms_info in;
  if (!out)
    return NULL;
  snprintf(out, n, "%s\n%s", text, footer);
  *fits = hv_sms_measure(out, strlen(out), &in) == 0 && in.segments <= HV_SMS_MAX_SEGMENTS;
  if (!*fits)
    snprintf(out, n, "%s", text);
  return out;
}

/* Whether a mark after `base` is an accent to drop: in the alphabets where
 * marks are accents, not parts of letters. */
static bool accent_base(gunichar base) { return base < 0x0800; }

int hv_smsreply_fold(const char *in, char *out, size_t outlen) {
  int rc = -1;
  size_t o = 0;
  if (!outlen)
    return -1;
  out[0] = '\0';
  if (!g_utf8_validate(in, -1, NULL) || strlen(in) > 4 * outlen) /* far too long for a keyword */
    return -1;
  char *nfkd = g_utf8_normalize(in, -1, G_NORMALIZE_NFKD);
  char *folded = nfkd ? g_utf8_casefold(nfkd, -1) : NULL;
  if (!folded)
    goto out;
  gunichar base = 0;
  bool space = false;
  for (const char *p = folded; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    GUnicodeType t = g_unichar_type(c);
    if (t == G_UNICODE_NON_SPACING_MARK && accent_base(base))
      continue;
    if (g_unichar_isspace(c) || c == 0x200C || c == 0x200D) {
      space = o > 0; /* collapsed, and dropped at the start */
      continue;
    }
    /* Cherokee folds to its capitals (CaseFolding.txt); GLib's table
     * folds them to the small letters and back again, so a folded word
     * would not fold to itself. */
    if (c >= 0xAB70 && c <= 0xABBF)
      c = c - 0xAB70 + 0x13A0;
    else if (c >= 0x13F8 && c <= 0x13FD)
      c -= 8;
    else if (c == 0x064A)
      c = 0x06CC; /* Arabic yeh as Persian yeh */
    else if (c == 0x0643)
      c = 0x06A9; /* Arabic kaf as Persian keheh */
    char u[6];
    int n = g_unichar_to_utf8(c, u);
    if (o + (space ? 1 : 0) + (size_t)n >= outlen)
      goto out;
    if (space)
      out[o++] = ' ';
    space = false;
    memcpy(out + o, u, (size_t)n);
    o += (size_t)n;
    if (t != G_UNICODE_NON_SPACING_MARK)
      base = c;
  }
  out[o] = '\0';
  /* Punctuation at either end ("Stop.", "¡Alto!", "「停止」"), with the
   * marks that sit on it ("∌" is "∋" and a combining stroke): a mark left
   * without its base would vanish when the text is folded again. */
  size_t start = 0;
  while (out[start]) {
    gunichar c = g_utf8_get_char(out + start);
    if (!g_unichar_ispunct(c) && !g_unichar_isspace(c) && !g_unichar_ismark(c))
      break;
    start = (size_t)(g_utf8_next_char(out + start) - out);
  }
  size_t end = o;
  while (end > start) {
    const char *b = g_utf8_find_prev_char(out, out + end);
    while (b > out + start && g_unichar_ismark(g_utf8_get_char(b)))
      b = g_utf8_find_prev_char(out, b);
    gunichar c = g_utf8_get_char(b);
    if (!g_unichar_ispunct(c) && !g_unichar_isspace(c))
      break;
    end = (size_t)(b - out);
  }
  memmove(out, out + start, end - start);
  out[end - start] = '\0';
  rc = 0;
out:
  if (rc)
    out[0] = '\0';
  g_free(nfkd);
  g_free(folded);
  return rc;
}

enum hv_sms_keyword hv_smsreply_keyword(const char *body, const char **lang) {
  char want[HV_SMSREPLY_FOLD_MAX], kw[HV_SMSREPLY_FOLD_MAX];
  *lang = NULL;
  if (hv_smsreply_fold(body, want, sizeof want) || !want[0])
    return HV_SMSK_NONE;
  pthread_once(&once, load);
  size_t i;
  json_t *v;
  json_array_foreach(langs, i, v) {
    for (int k = HV_SMSK_STOP; k < HV_SMSK_MAX; k++) {
      size_t j;
      json_t *w;
      json_array_foreach(json_object_get(v, list_keys[k]), j, w) {
        if (hv_smsreply_fold(json_string_value(w), kw, sizeof kw) == 0 && strcmp(kw, want) == 0) {
          *lang = json_string_value(json_object_get(v, "lang"));
          return (enum hv_sms_keyword)k;
        }
      }
    }
  }
  return HV_SMSK_NONE;
}
