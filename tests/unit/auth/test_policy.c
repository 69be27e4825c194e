/* Unit tests for src/auth/policy.{h,c}: the role x permission table the
 * route tables use, and department scoping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/policy.h"

#define B(x) HV_ROLE_BIT(HV_ROLE_##x)

static struct hv_principal who(unsigned roles, int64_t dept) {
  struct hv_principal p;
  memset(&p, 0, sizeof p);
  p.roles = roles;
  p.department_id = dept;
  return p;
}

/* The whole table, cell by cell: a change to policy.h must change this. */
static void permission_table(void **state) {
  (void)state;
  struct {
    unsigned perm;
    unsigned want;
  } rows[] = {
      {HV_PERM_STAFF, HV_ROLES_ALL},
      {HV_PERM_REGISTRY_READ, HV_ROLES_ALL},
      {HV_PERM_DEPARTMENTS_EDIT, B(ADMIN) | B(MOIA)},
      {HV_PERM_FACILITIES_EDIT, B(ADMIN) | B(MOIA) | B(LIAISON)},
      {HV_PERM_IMPORT, B(ADMIN)},
      {HV_PERM_USERS_ADMIN, B(ADMIN)},
      {HV_PERM_AUDIT_READ, B(ADMIN) | B(AUDITOR)},
      {HV_PERM_KYR_DIRECTORY, B(ADMIN) | B(MOIA)},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    for (int r = 0; r < HV_ROLE_MAX; r++)
      assert_int_equal((rows[i].perm >> r) & 1u, (rows[i].want >> r) & 1u);
}

static void liaison_is_confined_to_their_department(void **state) {
  (void)state;
  struct hv_principal l = who(B(LIAISON), 7);
  assert_int_equal(hv_policy_department(&l), 7);
  assert_true(hv_policy_in_scope(&l, 7));
  assert_false(hv_policy_in_scope(&l, 8));
}

static void liaison_without_department_sees_nothing(void **state) {
  (void)state;
  struct hv_principal l = who(B(LIAISON), 0);
  assert_int_equal(hv_policy_department(&l), -1);
  assert_false(hv_policy_in_scope(&l, 1));
  assert_false(hv_policy_in_scope(&l, 0));
}

static void citywide_roles_see_every_department(void **state) {
  (void)state;
  unsigned citywide[] = {B(ADMIN), B(MOIA), B(LEGAL), B(AGENT311), B(WORKGROUP), B(AUDITOR)};
  for (size_t i = 0; i < sizeof citywide / sizeof citywide[0]; i++) {
    struct hv_principal p = who(citywide[i], 3);
    assert_int_equal(hv_policy_department(&p), 0);
    assert_true(hv_policy_in_scope(&p, 99));
  }
  /* a liaison who is also MOIA staff works citywide */
  struct hv_principal both = who(B(LIAISON) | B(MOIA), 3);
  assert_int_equal(hv_policy_department(&both), 0);
}

static void nobody_is_in_no_scope(void **state) {
  (void)state;
  assert_int_equal(hv_policy_department(NULL), -1);
  struct hv_principal none = who(0, 5);
  assert_int_equal(hv_policy_department(&none), 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(permission_table),
      cmocka_unit_test(liaison_is_confined_to_their_department),
      cmocka_unit_test(liaison_without_department_sees_nothing),
      cmocka_unit_test(citywide_roles_see_every_department),
      cmocka_unit_test(nobody_is_in_no_scope),
  };
  return cmocka_run_group_tests_name("auth/policy", tests, NULL, NULL);
}
