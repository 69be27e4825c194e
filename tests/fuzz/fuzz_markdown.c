/* Fuzz target for the protocol renderer (src/modules/protocol/render.c):
 * the input is an administrator's Markdown. Whatever it holds, the HTML is
 * valid UTF-8 with no NUL, never carries a tag the safe defaults drop
 * (script, iframe, object, an on* event attribute, an <h1>: headings move
 * one level down) or a javascript:/vbscript: URL in an attribute, and rendering is
 * deterministic. The save check agrees with the byte cap. A broken promise
 * abort()s. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "modules/protocol/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *html) {
  fprintf(stderr, "markdown invariant broken: %s\n--- html:\n%s\n", what, html ? html : "(null)");
  abort();
}

/* Case-insensitive search for `needle` (lower case) in `h`. */
static const char *find_nocase(const char *h, const char *needle) {
  size_t n = strlen(needle);
  for (; *h; h++) {
    size_t i = 0;
    while (i < n && h[i] && tolower((unsigned char)h[i]) == needle[i])
      i++;
    if (i == n)
      return h;
  }
  return NULL;
}

/* An event-handler attribute: " on" + letters + "=" inside a tag and
 * outside a quoted value. Text outside tags is escaped (< becomes &lt;) and
 * quotes inside values become &quot;, so both are tracked exactly. */
static int has_event_attribute(const char *h) {
  int in_tag = 0, in_quote = 0;
  for (const char *p = h; *p; p++) {
    if (!in_tag) {
      in_tag = *p == '<';
    } else if (*p == '"') {
      in_quote = !in_quote;
    } else if (in_quote) {
      continue;
    } else if (*p == '>') {
      in_tag = 0;
    } else if ((*p == ' ' || *p == '\t' || *p == '\n') && tolower((unsigned char)p[1]) == 'o' &&
               tolower((unsigned char)p[2]) == 'n') {
      const char *q = p + 3;
      while (isalpha((unsigned char)*q))
        q++;
      if (q > p + 3 && *q == '=')
        return 1;
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 2 * HV_PROTOCOL_MAX)
    return 0;
  char *md = malloc(size ? size : 1); /* exact size: ASan sees any overread */
  if (!md)
    return 0;
  memcpy(md, data, size);
  char *html = hv_markdown_html(md, size);
  if (!html)
    fail("no output", NULL);
  size_t n = strlen(html);
  if (!hv_utf8_valid(html, n))
    fail("output is not valid UTF-8", html);
  static const char *const banned[] = {"<script",        "<iframe",      "<object",
                                       "<embed",         "<style",       "<h1",
                                       "=\"javascript:", "=\"vbscript:", NULL};
  for (int i = 0; banned[i]; i++)
    if (find_nocase(html, banned[i]))
      fail(banned[i], html);
  if (has_event_attribute(html))
    fail("an event attribute", html);
  char *again = hv_markdown_html(md, size);
  if (!again || strcmp(again, html) != 0)
    fail("rendering twice differs", html);
  const char *why = hv_protocol_check(md, size);
  if (size > HV_PROTOCOL_MAX && !why)
    fail("text past the cap accepted", html);
  if (!why && !hv_utf8_valid(md, size))
    fail("invalid text accepted", html);
  free(again);
  free(html);
  free(md);
  return 0;
}
