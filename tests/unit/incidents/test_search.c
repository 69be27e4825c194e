/* Unit tests for src/modules/incidents/search.c: what people type becomes
 * quoted words for FTS5 and for to_tsquery, whatever operators, quotes,
 * SQL or bytes it holds; every word must match; the last word is a prefix
 * while it is being typed; bounds on words and their length. Also checks
 * that migration 0009 indexes every declared free-text field, on both
 * databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/embed.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/search.h"

static void both(const char *q, int words, const char *fts5, const char *tsq) {
  char out[HV_SEARCH_QUERY_MAX];
  assert_int_equal(hv_search_fts5(q, out, sizeof out), words);
  assert_string_equal(out, fts5);
  assert_int_equal(hv_search_tsquery(q, out, sizeof out), words);
  assert_string_equal(out, tsq);
}

static void words_are_quoted_and_all_required(void **state) {
  (void)state;
  both("lobby", 1, "\"lobby\"*", "'lobby':*");
  both("staff room", 2, "\"staff\" \"room\"*", "'staff' & 'room':*");
  both("  staff   room  ", 2, "\"staff\" \"room\"", "'staff' & 'room'");
  both("rechazó la entrada", 3, "\"rechazó\" \"la\" \"entrada\"*",
       "'rechazó' & 'la' & 'entrada':*");
}

static void references_become_their_parts(void **state) {
  (void)state;
  both("INC-2026-000123", 3, "\"INC\" \"2026\" \"000123\"*", "'INC' & '2026' & '000123':*");
  both("inc-2026-0001", 3, "\"inc\" \"2026\" \"0001\"*", "'inc' & '2026' & '0001':*");
}

static void operators_are_only_text(void **state) {
  (void)state;
  both("lobby NEAR staff", 3, "\"lobby\" \"NEAR\" \"staff\"*", "'lobby' & 'NEAR' & 'staff':*");
  both("a OR b AND NOT c", 6, "\"a\" \"OR\" \"b\" \"AND\" \"NOT\" \"c\"",
       "'a' & 'OR' & 'b' & 'AND' & 'NOT' & 'c'");
  both("\"unbalanced", 1, "\"unbalanced\"*", "'unbalanced':*");
  both("(lobby) -staff +room ^x *", 4, "\"lobby\" \"staff\" \"room\" \"x\"",
       "'lobby' & 'staff' & 'room' & 'x'");
  both("narrative:lobby", 2, "\"narrative\" \"lobby\"*", "'narrative' & 'lobby':*");
  both("x' OR '1'='1'; DROP TABLE incidents; --", 7,
       "\"x\" \"OR\" \"1\" \"1\" \"DROP\" \"TABLE\" \"incidents\"",
       "'x' & 'OR' & '1' & '1' & 'DROP' & 'TABLE' & 'incidents'");
}

static void punctuation_only_is_nothing(void **state) {
  (void)state;
  both("", 0, "", "");
  both("\"()*", 0, "", "");
  both("— ¿? «» …", 0, "", "");
  both(NULL, 0, "", "");
  both("🙂 ★ → ©", 0, "", "");
  both("lobby🙂door", 2, "\"lobby\" \"door\"*", "'lobby' & 'door':*");
  both("Ωμέγα Москва 東京", 3, "\"Ωμέγα\" \"Москва\" \"東京\"*", "'Ωμέγα' & 'Москва' & '東京':*");
}

static void prefix_needs_two_letters(void **state) {
  (void)state;
  both("lobby a", 2, "\"lobby\" \"a\"", "'lobby' & 'a'");
  both("lobby ñu", 2, "\"lobby\" \"ñu\"*", "'lobby' & 'ñu':*");
}

static void invalid_utf8_separates(void **state) {
  (void)state;
  both("lob\xff"
       "by",
       2, "\"lob\" \"by\"*", "'lob' & 'by':*");
  both("\xc3", 0, "", "");
}

static void bounds(void **state) {
  (void)state;
  char q[2048] = "", out[HV_SEARCH_QUERY_MAX];
  for (int i = 0; i < 40; i++)
    strcat(q, "word ");
  assert_int_equal(hv_search_fts5(q, out, sizeof out), HV_SEARCH_MAX_WORDS);
  memset(q, 'a', 300);
  q[300] = '\0';
  assert_int_equal(hv_search_tsquery(q, out, sizeof out), 1);
  assert_int_equal(strlen(out), HV_SEARCH_MAX_WORD + 4); /* 'a...':* */
  /* a long word of two-byte letters is cut at a character boundary */
  q[0] = '\0';
  for (int i = 0; i < 100; i++)
    strcat(q, "é");
  assert_int_equal(hv_search_fts5(q, out, sizeof out), 1);
  assert_int_equal(strlen(out), HV_SEARCH_MAX_WORD + 3);
  /* too small an output buffer makes nothing rather than a cut query */
  assert_int_equal(hv_search_fts5("lobby", out, 10), 0);
  assert_string_equal(out, "");
}

extern const struct hv_embed hv_migrations[];

static void migration_indexes_every_text_field(void **state) {
  (void)state;
  const char *names[32];
  size_t n = hv_incident_text_fields(names, 32);
  assert_true(n >= 8);
  int seen = 0;
  for (const struct hv_embed *e = hv_migrations; e->name; e++) {
    if (strncmp(e->name, "0009_", 5) != 0)
      continue;
    seen++;
    for (size_t i = 0; i < n; i++) {
      char key[64];
      snprintf(key, sizeof key, strstr(e->name, "sqlite") ? "'$.%s'" : "'%s'", names[i]);
      assert_non_null(memmem(e->data, e->len, key, strlen(key)));
    }
  }
  assert_int_equal(seen, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(words_are_quoted_and_all_required),
      cmocka_unit_test(references_become_their_parts),
      cmocka_unit_test(operators_are_only_text),
      cmocka_unit_test(punctuation_only_is_nothing),
      cmocka_unit_test(prefix_needs_two_letters),
      cmocka_unit_test(invalid_utf8_separates),
      cmocka_unit_test(bounds),
      cmocka_unit_test(migration_indexes_every_text_field),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
