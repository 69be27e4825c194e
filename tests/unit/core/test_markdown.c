/* Unit tests for the Markdown-to-text walk of src/core/markdown.c
 * (hv_markdown_plain for phone and SMS exports, hv_markdown_pango for the
 * printed flyer): paragraphs, headings, lists (bullets and numbers,
 * nested), emphasis, code, links and images as their text, raw HTML
 * dropped, hard and soft breaks, invalid UTF-8, the empty text, and Pango
 * escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/markdown.h"
#include "core/str.h"

static void plain_is(const char *md, const char *want) {
  char *p = hv_markdown_plain(md, strlen(md));
  assert_non_null(p);
  assert_string_equal(p, want);
  free(p);
}

static void pango_is(const char *md, const char *want) {
  char *p = hv_markdown_pango(md, strlen(md));
  assert_non_null(p);
  assert_string_equal(p, want);
  free(p);
}

static void paragraphs_and_headings(void **state) {
  (void)state;
  plain_is("# Stay calm\n\nDo not open the door.\nAsk for a warrant.\n\nCall 311.",
           "Stay calm\n\nDo not open the door. Ask for a warrant.\n\nCall 311.");
  plain_is("Setext\n======\ntext", "Setext\n\ntext");
  plain_is("line one  \nline two", "line one\nline two");
  plain_is("a\n\n---\n\nb", "a\n\nb");
}

static void lists_as_lines(void **state) {
  (void)state;
  plain_is("Your rights:\n\n- Stay silent.\n- Do not sign.\n* Ask for a lawyer.\n\nAfter.",
           "Your rights:\n\nStay silent.\nDo not sign.\n\nAsk for a lawyer.\n\nAfter.");
  plain_is("3. three\n4. four", "3. three\n4. four");
  plain_is("- outer\n  - inner\n  - inner two\n- outer two", "outer\ninner\ninner two\nouter two");
  plain_is("- loose one\n\n- loose two", "loose one\nloose two");
}

static void markup_removed(void **state) {
  (void)state;
  plain_is("**Do not** _open_ the `door`.", "Do not open the door.");
  plain_is("See [our page](https://example.org/kyr) or ![a map](map.png).",
           "See our page or a map.");
  plain_is("<script>alert(1)</script>\n\nSafe <b>text</b>.", "Safe text.");
  plain_is("> quoted **words**", "quoted words");
  plain_is("```\ncode *stays*\n```\n\nafter", "code *stays*\n\nafter");
  plain_is("literal \\* star and \\# hash", "literal * star and # hash");
  char *p = hv_markdown_plain("## A *b* __c__ <i>d</i> #", 25);
  assert_null(strpbrk(p, "<*#_"));
  free(p);
}

static void odd_input(void **state) {
  (void)state;
  plain_is("", "");
  plain_is("\n\n   \n", "");
  char *p = hv_markdown_plain(NULL, 0);
  assert_string_equal(p, "");
  free(p);
  static const char bad[] = "caf\xc3 \xff ok";
  p = hv_markdown_plain(bad, sizeof bad - 1);
  assert_true(hv_utf8_valid(p, strlen(p)));
  assert_non_null(strstr(p, "ok"));
  free(p);
  static const char nul[] = "a\0b";
  p = hv_markdown_plain(nul, 3);
  assert_true(hv_utf8_valid(p, strlen(p)));
  free(p);
  plain_is("فارسی **متن**\n\n- 한국어\n- 中文", "فارسی متن\n\n한국어\n中文");
}

static void pango_markup(void **state) {
  (void)state;
  pango_is("# Title\n\n**bold** & _it_ <x> a<b\n\n- one\n- two\n\n1. first",
           "<b>Title</b>\n\n<b>bold</b> &amp; <i>it</i>  a&lt;b\n\n\u2022 one\n\u2022 two\n\n1. "
           "first");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(paragraphs_and_headings),
      cmocka_unit_test(lists_as_lines),
      cmocka_unit_test(markup_removed),
      cmocka_unit_test(odd_input),
      cmocka_unit_test(pango_markup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
