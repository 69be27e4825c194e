/* Know Your Rights phone scripts for the City's phone system: every topic
 * published in a language, as plain text (GET /api/v1/kyr/phone/{lang}.txt)
 * or SSML (.ssml), for staff who give the texts out. A topic whose
 * translation is missing or being updated is read in English, marked as
 * such and preceded by the language's notice. Each script ends with the
 * offer of an interpreter ("press 0") in the caller's language unless the
 * script in that language already says it (a lone digit 0 in its text).
 * Markdown in the scripts becomes plain text (src/core/markdown.c). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/buf.h"
#include "core/markdown.h"
#include "core/str.h"
#include "modules/kyr/card.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/phone.h"
#include "web/api.h"
#include "web/app.h"

#define EXPORT_MAX (8u << 20)

enum format { F_TEXT, F_SSML };

/* Appends `s` without the characters XML 1.0 forbids (controls other than
 * tab and newline), escaped for XML text and attributes when `xml`. */
static void add_clean(struct hv_buf *b, const char *s, bool xml) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 && c != '\n' && c != '\t')
      continue;
    const char *esc = NULL;
    if (xml)
      esc = c == '&'    ? "&amp;"
            : c == '<'  ? "&lt;"
            : c == '>'  ? "&gt;"
            : c == '"'  ? "&quot;"
            : c == '\'' ? "&apos;"
                        : NULL;
    if (esc)
      hv_buf_adds(b, esc);
    else
      hv_buf_addc(b, (char)c);
  }
}

/* Does the script already offer the interpreter: a digit zero (ASCII,
 * Arabic-Indic, Persian or full-width) standing alone, not inside a number
 * such as 800? */
static bool says_press_zero(const char *s) {
  size_t n = strlen(s), i = 0;
  bool prev_digit = false;
  while (i < n) {
    uint32_t cp;
    size_t k = hv_utf8_next((const unsigned char *)s + i, n - i, &cp);
    if (!k) {
      k = 1;
      cp = 0xFFFD;
    }
    bool zero = cp == '0' || cp == 0x0660 || cp == 0x06F0 || cp == 0xFF10;
    bool digit = (cp >= '0' && cp <= '9') || (cp >= 0x0660 && cp <= 0x0669) ||
                 (cp >= 0x06F0 && cp <= 0x06F9) || (cp >= 0xFF10 && cp <= 0xFF19);
    if (zero && !prev_digit) {
      uint32_t next = 0;
      if (i + k < n && !hv_utf8_next((const unsigned char *)s + i + k, n - i - k, &next))
        next = 0xFFFD;
      bool next_digit = (next >= '0' && next <= '9') || (next >= 0x0660 && next <= 0x0669) ||
                        (next >= 0x06F0 && next <= 0x06F9) || (next >= 0xFF10 && next <= 0xFF19);
      if (!next_digit)
        return true;
    }
    prev_digit = digit;
    i += k;
  }
  return false;
}

/* One paragraph: in SSML a <p> (in `xml_lang` when it differs from the
 * document's) with a <s> per line. */
static void add_paragraph(struct hv_buf *b, enum format f, const char *text, const char *xml_lang) {
  if (!*text)
    return;
  if (f == F_TEXT) {
    add_clean(b, text, false);
    hv_buf_adds(b, "\n\n");
    return;
  }
  hv_buf_adds(b, "<p");
  if (xml_lang) {
    hv_buf_adds(b, " xml:lang=\"");
    add_clean(b, xml_lang, true);
    hv_buf_addc(b, '"');
  }
  hv_buf_adds(b, ">");
  const char *line = text;
  while (*line) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (len) {
      char *one = strndup(line, len);
      if (one) {
        hv_buf_adds(b, "<s>");
        add_clean(b, one, true);
        hv_buf_adds(b, "</s>");
        free(one);
      }
    }
    line += len + (end ? 1 : 0);
  }
  hv_buf_adds(b, "</p>\n");
}

/* Appends a block of plain text split into paragraphs at blank lines. */
static void add_paragraphs(struct hv_buf *b, enum format f, const char *text,
                           const char *xml_lang) {
  const char *p = text;
  while (*p) {
    const char *end = strstr(p, "\n\n");
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *one = strndup(p, len);
    if (one)
      add_paragraph(b, f, one, xml_lang);
    free(one);
    p += len;
    while (*p == '\n')
      p++;
  }
}

/* One topic's script. `v` is what the public sees (hv_kyr_public). */
static void add_topic(struct hv_buf *b, enum format f, const char *lang, const char *slug,
                      json_t *v) {
  json_t *text = json_object_get(v, "text");
  bool english =
      strcmp(json_string_value(json_object_get(v, "show")), "text") != 0 && strcmp(lang, "en") != 0;
  const char *script = json_string_value(json_object_get(text, "phone"));
  bool from_web = !script || !*script;
  if (from_web)
    script = json_string_value(json_object_get(text, "web"));
  char *plain = hv_markdown_plain(script ? script : "", script ? strlen(script) : 0);
  const char *title = json_string_value(json_object_get(text, "title"));
  char stamp[48];
  hv_kyr_stamp(text, stamp, sizeof stamp);
  const char *en = english ? "en" : NULL;
  if (f == F_TEXT) {
    hv_buf_printf(b, "[%s] %s%s%s\n", slug, stamp, from_web ? " · from the web text" : "",
                  english ? " · in English: the translation is being updated" : "");
  } else {
    hv_buf_adds(b, "<mark name=\"");
    add_clean(b, slug, true);
    hv_buf_adds(b, "\"/>\n");
  }
  if (english)
    add_paragraph(b, f, json_string_value(json_object_get(v, "notice")), NULL);
  add_paragraph(b, f, title ? title : "", en);
  add_paragraphs(b, f, plain ? plain : "", en);
  if (english || !says_press_zero(plain ? plain : ""))
    add_paragraph(b, f, hv_kyr_ui_string(lang, "phone_interpreter"), NULL);
  if (f == F_SSML)
    hv_buf_adds(b, "<break time=\"1500ms\"/>\n");
  else
    hv_buf_adds(b, "\n");
  free(plain);
}

/* The language row of `tag` in the languages list, or NULL. */
static json_t *find_language(json_t *langs, const char *tag) {
  size_t i;
  json_t *l;
  json_array_foreach(langs, i, l) {
    if (strcmp(json_string_value(json_object_get(l, "tag")), tag) == 0)
      return l;
  }
  return NULL;
}

static void api_phone(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  const char *file = hv_param(rq, "file")->str;
  const char *dot = strrchr(file, '.');
  enum format f = F_TEXT;
  if (dot && strcmp(dot, ".txt") == 0)
    f = F_TEXT;
  else if (dot && strcmp(dot, ".ssml") == 0)
    f = F_SSML;
  else
    dot = NULL;
  char lang[16];
  if (!dot || (size_t)(dot - file) >= sizeof lang) {
    hv_reply_error(rq, 404, "not_found", "Ask for {lang}.txt or {lang}.ssml.", NULL);
    return;
  }
  snprintf(lang, sizeof lang, "%.*s", (int)(dot - file), file);
  json_t *langs = NULL, *topics = NULL;
  enum hv_qs qs = hv_kyr_languages(app->store, &langs);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  json_t *l = find_language(langs, lang);
  if (!l) {
    json_decref(langs);
    hv_reply_error(rq, 404, "not_found", "Unknown language: use one of /api/v1/kyr/languages.",
                   NULL);
    return;
  }
  if ((qs = hv_kyr_topics(app->store, &topics)) < 0) {
    json_decref(langs);
    hv_reply_store_error(rq, qs);
    return;
  }
  struct hv_buf b;
  hv_buf_init(&b, EXPORT_MAX);
  if (f == F_SSML) {
    hv_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<speak version=\"1.1\" "
                    "xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"");
    add_clean(&b, lang, true);
    hv_buf_adds(&b, "\">\n");
  } else {
    hv_buf_printf(&b, "Know your rights: phone scripts in %s (%s)\n\n",
                  json_string_value(json_object_get(l, "english_name")), lang);
  }
  size_t i;
  json_t *t;
  json_array_foreach(topics, i, t) {
    const char *slug = json_string_value(json_object_get(t, "slug"));
    json_t *v = NULL;
    qs = hv_kyr_public(app->store, lang, slug, &v);
    if (qs < 0)
      break;
    if (qs > 0)
      add_topic(&b, f, lang, slug, v);
    json_decref(v);
  }
  json_decref(topics);
  json_decref(langs);
  if (f == F_SSML)
    hv_buf_adds(&b, "</speak>\n");
  if (qs < 0) {
    hv_buf_free(&b);
    hv_reply_store_error(rq, qs);
    return;
  }
  /* A buffer that hit its cap would be cut short: refuse rather than send
   * a truncated script (the cap is far beyond any real set of scripts). */
  if (b.len + 64 >= EXPORT_MAX) {
    hv_buf_free(&b);
    hv_reply_error(rq, 500, "internal", "The export is too large.", NULL);
    return;
  }
  hv_reply_header(rq, "Content-Disposition",
                  hv_arena_printf(rq->arena, "inline; filename=\"kyr-phone-%s.%s\"", lang,
                                  f == F_SSML ? "ssml" : "txt"));
  hv_reply_header(rq, "Content-Language", lang);
  size_t len;
  char *body = hv_buf_steal(&b, &len);
  hv_reply_text(rq, 200,
                f == F_SSML ? "application/ssml+xml; charset=utf-8" : "text/plain; charset=utf-8",
                body ? body : "", body ? len : 0, body != NULL);
}

const struct hv_route hv_kyr_phone_routes[] = {
    {HV_GET, "/api/v1/kyr/phone/{file:str}", HV_PERM_KYR_DISTRIBUTE | HV_PERM_KYR_EDIT, HV_R_API, 0,
     api_phone},
};
const size_t hv_kyr_phone_nroutes = sizeof hv_kyr_phone_routes / sizeof hv_kyr_phone_routes[0];
