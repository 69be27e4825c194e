/* Unit tests for src/core/arena.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"

static void alloc_aligned_and_distinct(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  char *p = hv_arena_alloc(a, 3);
  char *q = hv_arena_alloc(a, 5);
  assert_non_null(p);
  assert_non_null(q);
  assert_int_equal((uintptr_t)p % 16, 0);
  assert_int_equal((uintptr_t)q % 16, 0);
  assert_true(q >= p + 3 || p >= q + 5);
  hv_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alloc_aligned_and_distinct),
  };
  return cmocka_run_group_tests_name("core/arena", tests, NULL, NULL);
}
