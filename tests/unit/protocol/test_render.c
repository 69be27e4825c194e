/* Unit tests for src/modules/protocol/render.c: Markdown to HTML (headings
 * moved one level down, lists, emphasis, links), what the safe defaults
 * drop (raw HTML, script, javascript: and data: links), invalid UTF-8, the
 * save check (empty, the byte cap), the SHA-256, and the cache: a version is
 * rendered once however often it is shown, and a new version is rendered
 * on its first showing. The cache tests use a store of their own (a
 * temporary SQLite file, or a scratch schema when HAVEN_TEST_DB names a
 * PostgreSQL database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../auth/scratch_store.h"
#include "core/arena.h"
#include "core/str.h"
#include "modules/protocol/protocol.h"

static char *render(const char *md) {
  char *h = hv_markdown_html(md, strlen(md));
  assert_non_null(h);
  return h;
}

static void contains(const char *md, const char *want) {
  char *h = render(md);
  if (!strstr(h, want))
    fail_msg("rendering %s\ngave %s\nwithout %s", md, h, want);
  free(h);
}

static void lacks(const char *md, const char *unwanted) {
  char *h = render(md);
  if (strstr(h, unwanted))
    fail_msg("rendering %s\ngave %s\nwith %s", md, h, unwanted);
  free(h);
}

static void headings_move_down_one_level(void **state) {
  (void)state;
  contains("# Title", "<h2>Title</h2>");
  contains("## Sub", "<h3>Sub</h3>");
  contains("###### Deepest", "<h6>Deepest</h6>");
  lacks("# Title", "<h1>");
}

static void lists_emphasis_and_links(void **state) {
  (void)state;
  contains("1. one\n2. two\n", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>");
  contains("- a\n- b\n", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
  contains("**bold** and *em*", "<p><strong>bold</strong> and <em>em</em></p>");
  contains("[City](https://lacity.gov/)", "<a href=\"https://lacity.gov/\">City</a>");
  contains("[call](tel:+12135551234)", "<a href=\"tel:+12135551234\">call</a>");
  contains("a < b & c", "a &lt; b &amp; c");
}

static void raw_html_and_script_dropped(void **state) {
  (void)state;
  lacks("<script>alert(1)</script>", "<script");
  lacks("text <script>alert(1)</script> more", "<script");
  lacks("<img src=x onerror=\"alert(1)\">", "onerror");
  lacks("<iframe src=\"https://evil.example/\"></iframe>", "<iframe");
  lacks("<b onclick=\"x()\">hi</b>", "onclick");
  contains("<div>raw</div>", "<!-- raw HTML omitted -->");
  /* the text around an inline tag stays */
  contains("before <span>inside</span> after", "before <!-- raw HTML omitted -->inside");
}

static void dangerous_links_not_emitted(void **state) {
  (void)state;
  lacks("[x](javascript:alert(1))", "javascript:");
  lacks("[x](JaVaScRiPt:alert(1))", "alert(1)");
  lacks("[x](vbscript:msgbox(1))", "vbscript:");
  lacks("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:");
  lacks("<javascript:alert(1)>", "href=\"javascript");
  contains("[x](javascript:alert(1))", "<a href=\"\">x</a>");
}

static void invalid_utf8_replaced(void **state) {
  (void)state;
  const char bad[] = "ok \xff\xfe and \xc3 end \xed\xa0\x80";
  char *h = hv_markdown_html(bad, sizeof bad - 1);
  assert_non_null(h);
  assert_true(hv_utf8_valid(h, strlen(h)));
  assert_non_null(strstr(h, "\xef\xbf\xbd")); /* U+FFFD */
  assert_non_null(strstr(h, "end"));
  free(h);
  /* NUL inside the text does not cut it short or leak */
  const char nul[] = "a\0b";
  h = hv_markdown_html(nul, 3);
  assert_non_null(h);
  assert_true(hv_utf8_valid(h, strlen(h)));
  assert_non_null(strstr(h, "b"));
  free(h);
  /* empty input renders to nothing */
  h = hv_markdown_html("", 0);
  assert_non_null(h);
  assert_string_equal(h, "");
  free(h);
}

static void save_check(void **state) {
  (void)state;
  assert_null(hv_protocol_check("# Hi", 4));
  assert_non_null(hv_protocol_check("", 0));
  assert_non_null(hv_protocol_check(" \t\r\n", 4));
  assert_non_null(hv_protocol_check("a\xff", 2));
  assert_non_null(hv_protocol_check("a\0b", 3));
  char *big = malloc(HV_PROTOCOL_MAX + 1);
  assert_non_null(big);
  memset(big, 'x', HV_PROTOCOL_MAX + 1);
  assert_null(hv_protocol_check(big, HV_PROTOCOL_MAX));
  assert_non_null(hv_protocol_check(big, HV_PROTOCOL_MAX + 1));
  free(big);
}

static void sha256_known_vector(void **state) {
  (void)state;
  char h[65];
  hv_protocol_sha256("abc", 3, h);
  assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* --- the cache over a real store ------------------------------------------ */

static struct hv_sql q_user =
    HV_SQL("INSERT INTO users (email, display_name, password_hash, created_at) "
           "VALUES ('ed@lacity.org', 'Ed Itor', 'x', 0) RETURNING id");

static enum hv_qs user_tx(struct hv_conn *c, void *cls) {
  return hv_db_int(c, &q_user, NULL, 0, cls);
}

static void cache_renders_each_version_once(void **state) {
  (void)state;
  struct scratch sc;
  assert_int_equal(scratch_open(&sc, "protocol", 2), 0);
  struct hv_arena *a = hv_arena_new(1u << 20);
  struct hv_protocol_view v;
  unsigned long before = hv_protocol_renders();
  assert_int_equal(hv_protocol_view(sc.store, 0, a, &v), HV_QS_ONE);
  assert_int_equal(v.version, 1);
  assert_non_null(strstr(v.html, "<h2>What to do right now</h2>"));
  assert_string_equal(v.created_by, "");
  for (int i = 0; i < 5; i++) {
    assert_int_equal(hv_protocol_view(sc.store, 0, a, &v), HV_QS_ONE);
    assert_non_null(strstr(v.html, "judicial warrant"));
  }
  assert_int_equal(hv_protocol_renders(), before + 1);

  struct hv_principal p;
  memset(&p, 0, sizeof p);
  assert_int_equal(hv_store_tx(sc.store, true, user_tx, &p.user_id), HV_QS_ONE);
  snprintf(p.actor, sizeof p.actor, "user:%lld", (long long)p.user_id);
  struct hv_protocol_save w = {&p, "# Second\n\nNew text.", "why", 1, 0, 0, 0};
  assert_int_equal(hv_protocol_save(sc.store, &w), HV_QS_ONE);
  assert_int_equal(w.version, 2);
  /* a stale editor writes nothing */
  struct hv_protocol_save stale = {&p, "# Stale", NULL, 1, 0, 0, 0};
  assert_int_equal(hv_protocol_save(sc.store, &stale), HV_QS_CONFLICT);
  assert_int_equal(stale.stale, 1);
  assert_int_equal(stale.current, 2);

  assert_int_equal(hv_protocol_view(sc.store, 0, a, &v), HV_QS_ONE);
  assert_int_equal(v.version, 2);
  assert_string_equal(v.html, "<h2>Second</h2>\n<p>New text.</p>\n");
  assert_string_equal(v.created_by, "Ed Itor");
  assert_int_equal(hv_protocol_view(sc.store, 0, a, &v), HV_QS_ONE);
  assert_int_equal(hv_protocol_renders(), before + 2);
  /* the old version is still cached and still served as it was */
  assert_int_equal(hv_protocol_view(sc.store, 1, a, &v), HV_QS_ONE);
  assert_non_null(strstr(v.html, "judicial warrant"));
  assert_int_equal(hv_protocol_renders(), before + 2);
  assert_int_equal(hv_protocol_view(sc.store, 3, a, &v), HV_QS_NONE);

  hv_arena_free(a);
  scratch_close(&sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(headings_move_down_one_level),
      cmocka_unit_test(lists_emphasis_and_links),
      cmocka_unit_test(raw_html_and_script_dropped),
      cmocka_unit_test(dangerous_links_not_emitted),
      cmocka_unit_test(invalid_utf8_replaced),
      cmocka_unit_test(save_check),
      cmocka_unit_test(sha256_known_vector),
      cmocka_unit_test(cache_renders_each_version_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
