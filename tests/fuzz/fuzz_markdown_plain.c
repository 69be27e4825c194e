/* Fuzz target for the Markdown-to-text walk (src/core/markdown.c:
 * hv_markdown_plain for phone and SMS exports, hv_markdown_pango for the
 * printed flyer). Whatever the input, the text is valid UTF-8 without NUL,
 * the syntax never leaks: '<', '*' and '#' appear no more often than the
 * input writes them literally (each may also come from an entity, which
 * starts with '&'), the Pango form parses as markup in the walk's own
 * terms (tags balanced, only <b> and <i>), and both are deterministic. A
 * broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/markdown.h"
#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text) {
  fprintf(stderr, "markdown text invariant broken: %s\n--- text:\n%s\n", what,
          text ? text : "(null)");
  abort();
}

static size_t count(const char *s, size_t n, char c) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += s[i] == c;
  return k;
}

/* The Pango form: text with & < > escaped, and only <b> </b> <i> </i>,
 * properly nested. */
static void check_pango(const char *p) {
  char stack[4096];
  size_t depth = 0;
  for (const char *s = p; *s; s++) {
    if (*s == '>')
      fail("a bare '>' in the Pango form", p);
    if (*s == '&') {
      if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4))
        fail("a bare '&' in the Pango form", p);
      continue;
    }
    if (*s != '<')
      continue;
    bool close = s[1] == '/';
    char t = s[close ? 2 : 1];
    if ((t != 'b' && t != 'i') || s[close ? 3 : 2] != '>')
      fail("an unexpected tag in the Pango form", p);
    if (close) {
      if (!depth || stack[--depth] != t)
        fail("unbalanced tags in the Pango form", p);
    } else {
      if (depth == sizeof stack)
        return; /* deeper than we track: the rest is unchecked */
      stack[depth++] = t;
    }
    s += close ? 3 : 2;
  }
  if (depth)
    fail("an unclosed tag in the Pango form", p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536)
    return 0;
  char *md = malloc(size ? size : 1); /* exact size: ASan sees any overread */
  if (!md)
    return 0;
  memcpy(md, data, size);
  char *text = hv_markdown_plain(md, size);
  if (!text)
    fail("no output", NULL);
  size_t n = strlen(text);
  if (!hv_utf8_valid(text, n))
    fail("output is not valid UTF-8", text);
  size_t amps = count(md, size, '&');
  static const char marks[] = {'<', '*', '#'};
  for (size_t i = 0; i < sizeof marks; i++)
    if (count(text, n, marks[i]) > count(md, size, marks[i]) + amps)
      fail("markup syntax leaked into the text", text);
  char *again = hv_markdown_plain(md, size);
  if (!again || strcmp(again, text) != 0)
    fail("converting twice differs", text);
  char *pango = hv_markdown_pango(md, size);
  if (!pango || !hv_utf8_valid(pango, strlen(pango)))
    fail("the Pango form is missing or not UTF-8", pango);
  check_pango(pango);
  char *pango2 = hv_markdown_pango(md, size);
  if (!pango2 || strcmp(pango, pango2) != 0)
    fail("the Pango form differs on a second run", pango);
  free(pango2);
  free(pango);
  free(again);
  free(text);
  free(md);
  return 0;
}
