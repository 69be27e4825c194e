/* Unit tests for src/modules/kyr/workflow.c: every action from every
 * status, the roles that may take it, the rule that nobody approves their
 * own draft, translations published only on the current English master,
 * and which text the public sees (never a stale translation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/policy.h"
#include "modules/kyr/workflow.h"

#define LEGAL HV_PB(LEGAL)
#define MOIA HV_PB(MOIA)

static struct hv_kyr_verdict try(enum hv_kyr_action a, enum hv_kyr_status from, unsigned roles,
                                 bool author, bool translation, bool current) {
  struct hv_kyr_attempt at = {a, from, roles, author, translation, current};
  return hv_kyr_decide(&at);
}

static void only_one_status_allows_each_action(void **state) {
  (void)state;
  static const enum hv_kyr_status from[HV_KA_MAX] = {
      [HV_KA_SUBMIT] = HV_KS_DRAFT,      [HV_KA_RETURN] = HV_KS_REVIEW,
      [HV_KA_APPROVE] = HV_KS_REVIEW,    [HV_KA_PUBLISH] = HV_KS_APPROVED,
      [HV_KA_RETRACT] = HV_KS_PUBLISHED,
  };
  static const enum hv_kyr_status to[HV_KA_MAX] = {
      [HV_KA_SUBMIT] = HV_KS_REVIEW,     [HV_KA_RETURN] = HV_KS_DRAFT,
      [HV_KA_APPROVE] = HV_KS_APPROVED,  [HV_KA_PUBLISH] = HV_KS_PUBLISHED,
      [HV_KA_RETRACT] = HV_KS_RETRACTED,
  };
  for (int a = 0; a < HV_KA_MAX; a++)
    for (int s = 0; s < HV_KS_MAX; s++) {
      struct hv_kyr_verdict v = try(a, s, LEGAL, false, false, false);
      if ((enum hv_kyr_status)s == from[a]) {
        assert_int_equal(v.status, 0);
        assert_int_equal(v.to, to[a]);
      } else {
        assert_int_equal(v.status, 409);
        assert_non_null(v.why);
      }
    }
  /* Superseded and retracted texts are final. */
  for (int a = 0; a < HV_KA_MAX; a++) {
    assert_int_not_equal(try(a, HV_KS_SUPERSEDED, LEGAL | MOIA, false, false, true).status, 0);
    assert_int_not_equal(try(a, HV_KS_RETRACTED, LEGAL | MOIA, false, false, true).status, 0);
  }
}

static void only_legal_approves(void **state) {
  (void)state;
  for (int r = 0; r < HV_ROLE_MAX; r++) {
    unsigned roles = HV_ROLE_BIT(r);
    struct hv_kyr_verdict v = try(HV_KA_APPROVE, HV_KS_REVIEW, roles, false, false, false);
    assert_int_equal(v.status, r == HV_ROLE_LEGAL ? 0 : 403);
    v = try(HV_KA_RETURN, HV_KS_REVIEW, roles, false, false, false);
    assert_int_equal(v.status, r == HV_ROLE_LEGAL ? 0 : 403);
  }
  /* An administrator cannot approve legal content either. */
  assert_int_equal(
      try(HV_KA_APPROVE, HV_KS_REVIEW, HV_PB(ADMIN) | MOIA, false, false, false).status, 403);
}

static void nobody_approves_their_own_draft(void **state) {
  (void)state;
  struct hv_kyr_verdict v = try(HV_KA_APPROVE, HV_KS_REVIEW, LEGAL, true, false, false);
  assert_int_equal(v.status, 422);
  assert_non_null(strstr(v.why, "own"));
  /* The author may still submit and publish what another approved. */
  assert_int_equal(try(HV_KA_SUBMIT, HV_KS_DRAFT, LEGAL, true, false, false).status, 0);
  assert_int_equal(try(HV_KA_PUBLISH, HV_KS_APPROVED, LEGAL, true, false, false).status, 0);
}

static void who_edits_publishes_and_retracts(void **state) {
  (void)state;
  for (int r = 0; r < HV_ROLE_MAX; r++) {
    unsigned roles = HV_ROLE_BIT(r);
    bool editor = r == HV_ROLE_ADMIN || r == HV_ROLE_MOIA || r == HV_ROLE_LEGAL;
    bool publisher = r == HV_ROLE_MOIA || r == HV_ROLE_LEGAL;
    assert_int_equal(hv_kyr_may_edit(roles), editor);
    assert_int_equal(try(HV_KA_SUBMIT, HV_KS_DRAFT, roles, false, false, false).status,
                     editor ? 0 : 403);
    assert_int_equal(try(HV_KA_PUBLISH, HV_KS_APPROVED, roles, false, false, false).status,
                     publisher ? 0 : 403);
    assert_int_equal(try(HV_KA_RETRACT, HV_KS_PUBLISHED, roles, false, false, false).status,
                     publisher ? 0 : 403);
  }
}

static void translations_publish_only_on_the_current_master(void **state) {
  (void)state;
  struct hv_kyr_verdict v = try(HV_KA_PUBLISH, HV_KS_APPROVED, MOIA, false, true, false);
  assert_int_equal(v.status, 409);
  assert_non_null(strstr(v.why, "English"));
  assert_int_equal(try(HV_KA_PUBLISH, HV_KS_APPROVED, MOIA, false, true, true).status, 0);
  /* The English master itself has no source to be current with. */
  assert_int_equal(try(HV_KA_PUBLISH, HV_KS_APPROVED, MOIA, false, false, false).status, 0);
  /* Retracting a translation does not depend on its master. */
  assert_int_equal(try(HV_KA_RETRACT, HV_KS_PUBLISHED, MOIA, false, true, false).status, 0);
}

static void the_public_never_sees_a_stale_translation(void **state) {
  (void)state;
  assert_int_equal(hv_kyr_choose(7, 7), HV_SHOW_TEXT);     /* current translation (or English) */
  assert_int_equal(hv_kyr_choose(9, 7), HV_SHOW_ENGLISH);  /* made from an older master: stale */
  assert_int_equal(hv_kyr_choose(9, -1), HV_SHOW_ENGLISH); /* no translation yet */
  assert_int_equal(hv_kyr_choose(0, 7), HV_SHOW_NOTHING);  /* master retracted: gone everywhere */
  assert_int_equal(hv_kyr_choose(0, -1), HV_SHOW_NOTHING);
}

static void codes_round_trip(void **state) {
  (void)state;
  for (int s = 0; s < HV_KS_MAX; s++)
    assert_int_equal(hv_kyr_status_parse(hv_kyr_status_code(s)), s);
  for (int a = 0; a < HV_KA_MAX; a++)
    assert_int_equal(hv_kyr_action_parse(hv_kyr_action_code(a)), a);
  assert_int_equal(hv_kyr_status_parse("published "), -1);
  assert_int_equal(hv_kyr_action_parse(NULL), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(only_one_status_allows_each_action),
      cmocka_unit_test(only_legal_approves),
      cmocka_unit_test(nobody_approves_their_own_draft),
      cmocka_unit_test(who_edits_publishes_and_retracts),
      cmocka_unit_test(translations_publish_only_on_the_current_master),
      cmocka_unit_test(the_public_never_sees_a_stale_translation),
      cmocka_unit_test(codes_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
