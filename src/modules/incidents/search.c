/* Search-box text to safe full-text queries (see search.h). */
#include "modules/incidents/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"

/* Non-ASCII code points that make words: the blocks of letters (Latin
 * with accents, Greek, Cyrillic, Hebrew, Arabic, the Indic scripts...,
 * CJK, Hangul, full-width letters and digits). Everything else outside
 * ASCII separates words like punctuation does: Latin-1 signs (¡ « » ¿ ×
 * ÷), general punctuation, symbols, arrows, emoji, private use. A word
 * made only of symbols would give the index nothing to match, and an
 * FTS5 phrase with no tokens makes the whole query match nothing. */
static bool letter(uint32_t c) {
  return (c >= 0xC0 && c <= 0x1FFF && c != 0xD7 && c != 0xF7) || (c >= 0x2C00 && c <= 0x2DFF) ||
         (c >= 0x3040 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xD7FF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF10 && c <= 0xFF19) ||
         (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

static uint32_t decode(const unsigned char *s, size_t len) {
  if (len == 2)
    return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
  if (len == 3)
    return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
         ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

struct words {
  size_t n;
  bool last_open; /* the last word runs to the end of the text: still being typed */
  char w[HV_SEARCH_MAX_WORDS][HV_SEARCH_MAX_WORD + 1];
};

/* Splits `q` into words of letters and digits. Invalid UTF-8 separates. */
static void split(const char *q, struct words *ws) {
  const unsigned char *s = (const unsigned char *)(q ? q : "");
  size_t n = strlen((const char *)s), i = 0, len = 0;
  bool in = false;
  ws->n = 0;
  ws->last_open = false;
  while (i < n) {
    size_t step = 1;
    bool word;
    if (s[i] < 0x80) {
      word = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
             (s[i] >= 'A' && s[i] <= 'Z');
    } else {
      step = hv_utf8_seq(s + i, n - i);
      word = step > 0 && letter(decode(s + i, step));
      if (!step)
        step = 1;
    }
    if (word) {
      if (!in) {
        if (ws->n == HV_SEARCH_MAX_WORDS)
          break;
        in = true;
        len = 0;
        ws->n++;
      }
      if (len + step <= HV_SEARCH_MAX_WORD) {
        memcpy(ws->w[ws->n - 1] + len, s + i, step);
        len += step;
      }
      ws->w[ws->n - 1][len] = '\0';
    } else {
      in = false;
    }
    i += step;
  }
  ws->last_open = in;
}

/* Prefix matching needs two characters, so one letter does not expand to
 * half the index. */
static bool prefix_ok(const struct words *ws) {
  if (!ws->n || !ws->last_open)
    return false;
  const char *w = ws->w[ws->n - 1];
  size_t chars = 0;
  for (; *w; w++)
    chars += ((unsigned char)*w & 0xC0) != 0x80;
  return chars >= 2;
}

static int build(const char *q, char *out, size_t cap, bool pg) {
  struct words ws;
  split(q, &ws);
  if (cap < HV_SEARCH_QUERY_MAX) {
    if (cap)
      out[0] = '\0';
    return 0;
  }
  size_t len = 0;
  out[0] = '\0';
  for (size_t k = 0; k < ws.n; k++) {
    bool last = k + 1 == ws.n;
    const char *suffix = last && prefix_ok(&ws) ? (pg ? ":*" : "*") : "";
    /* words hold no ASCII punctuation, so no quote needs escaping */
    int m = pg ? snprintf(out + len, cap - len, "%s'%s'%s", k ? " & " : "", ws.w[k], suffix)
               : snprintf(out + len, cap - len, "%s\"%s\"%s", k ? " " : "", ws.w[k], suffix);
    if (m < 0 || (size_t)m >= cap - len) { /* cannot happen with cap >= HV_SEARCH_QUERY_MAX */
      out[0] = '\0';
      return 0;
    }
    len += (size_t)m;
  }
  return (int)ws.n;
}

int hv_search_fts5(const char *q, char *out, size_t cap) { return build(q, out, cap, false); }
int hv_search_tsquery(const char *q, char *out, size_t cap) { return build(q, out, cap, true); }
