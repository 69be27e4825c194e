/* Unit tests for src/core/arena.c: alignment, the byte limit, big
 * allocations that get a block of their own, overflow refusals and the
 * string helpers. */
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

static void used_counts_rounded_sizes(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  assert_int_equal(hv_arena_used(a), 0);
  assert_non_null(hv_arena_alloc(a, 1));
  assert_int_equal(hv_arena_used(a), 16);
  assert_non_null(hv_arena_alloc(a, 0)); /* zero bytes still gets a unique pointer */
  assert_int_equal(hv_arena_used(a), 32);
  assert_non_null(hv_arena_alloc(a, 17));
  assert_int_equal(hv_arena_used(a), 64);
  hv_arena_free(a);
}

static void many_small_allocations_do_not_overlap(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  unsigned char *ptrs[2000];
  for (int i = 0; i < 2000; i++) {
    ptrs[i] = hv_arena_alloc(a, 24);
    assert_non_null(ptrs[i]);
    memset(ptrs[i], i & 0xff, 24);
  }
  for (int i = 0; i < 2000; i++)
    for (int j = 0; j < 24; j++)
      assert_int_equal(ptrs[i][j], i & 0xff);
  hv_arena_free(a);
}

static void limit_refuses_past_cap(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(64);
  assert_non_null(hv_arena_alloc(a, 32));
  assert_non_null(hv_arena_alloc(a, 32));
  assert_int_equal(hv_arena_used(a), 64);
  assert_null(hv_arena_alloc(a, 1));
  assert_int_equal(hv_arena_used(a), 64); /* a refusal hands nothing out */
  hv_arena_free(a);

  a = hv_arena_new(100);
  assert_null(hv_arena_alloc(a, 101));
  assert_null(hv_arena_alloc(a, SIZE_MAX / 2));
  assert_non_null(hv_arena_alloc(a, 96)); /* 96 rounded is 96 <= 100 */
  assert_null(hv_arena_alloc(a, 1));      /* 96 + 16 > 100 */
  hv_arena_free(a);
}

static void big_allocation_gets_own_block(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  char *small1 = hv_arena_alloc(a, 100);
  char *big = hv_arena_alloc(a, 100000);
  char *small2 = hv_arena_alloc(a, 100);
  assert_non_null(small1);
  assert_non_null(big);
  assert_non_null(small2);
  memset(big, 'x', 100000);
  memset(small2, 'y', 100);
  /* the small block's free space is still used after the big one */
  assert_true(small2 > small1 && small2 < small1 + 8192);
  assert_int_equal(big[0], 'x');
  assert_int_equal(big[99999], 'x');
  assert_int_equal((uintptr_t)big % 16, 0);
  /* a big block first, then small ones */
  struct hv_arena *b = hv_arena_new(0);
  char *first = hv_arena_alloc(b, 50000);
  char *after = hv_arena_alloc(b, 10);
  assert_non_null(first);
  assert_non_null(after);
  memset(first, 1, 50000);
  memset(after, 2, 10);
  assert_int_equal(first[49999], 1);
  hv_arena_free(b);
  hv_arena_free(a);
}

static void sizes_near_size_max_refused(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  /* each of these would wrap the block size computation */
  assert_null(hv_arena_alloc(a, SIZE_MAX));
  assert_null(hv_arena_alloc(a, SIZE_MAX - 15));
  assert_null(hv_arena_alloc(a, SIZE_MAX - 16));
  assert_null(hv_arena_alloc(a, SIZE_MAX - 40));
  assert_int_equal(hv_arena_used(a), 0);
  hv_arena_free(a);
}

static void calloc_zeroes_and_refuses_overflow(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  unsigned char *p = hv_arena_alloc(a, 64);
  memset(p, 0xab, 64);
  int *z = hv_arena_calloc(a, 100, sizeof(int));
  assert_non_null(z);
  for (int i = 0; i < 100; i++)
    assert_int_equal(z[i], 0);
  assert_null(hv_arena_calloc(a, SIZE_MAX / 2 + 1, 2));
  assert_null(hv_arena_calloc(a, SIZE_MAX, SIZE_MAX));
  assert_null(hv_arena_calloc(a, 2, SIZE_MAX / 2 + 1));
  assert_non_null(hv_arena_calloc(a, 0, 8));
  assert_non_null(hv_arena_calloc(a, 8, 0));
  hv_arena_free(a);
}

static void strdup_and_strndup_copy(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  const char src[] = "hello, world";
  char *d = hv_arena_strdup(a, src);
  assert_string_equal(d, src);
  assert_ptr_not_equal(d, src);
  char *n = hv_arena_strndup(a, src, 5);
  assert_string_equal(n, "hello");
  char *e = hv_arena_strdup(a, "");
  assert_non_null(e);
  assert_string_equal(e, "");
  /* strndup copies exactly n bytes, even past a NUL it does not look for */
  char *bin = hv_arena_strndup(a, "ab\0cd", 5);
  assert_memory_equal(bin, "ab\0cd", 6);
  assert_null(hv_arena_strndup(a, src, SIZE_MAX));
  hv_arena_free(a);
}

static void strdup_respects_limit(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(32);
  assert_non_null(hv_arena_strdup(a, "0123456789012345678901234567890")); /* 32 bytes */
  assert_null(hv_arena_strdup(a, "x"));
  hv_arena_free(a);
}

static void printf_formats(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  char *s = hv_arena_printf(a, "%s-%d-%05.1f", "id", 42, 3.14159);
  assert_string_equal(s, "id-42-003.1");
  char *empty = hv_arena_printf(a, "%s", "");
  assert_string_equal(empty, "");
  char big[20000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  char *long_one = hv_arena_printf(a, "<%s>", big);
  assert_non_null(long_one);
  assert_int_equal(strlen(long_one), sizeof big + 1);
  assert_int_equal(long_one[0], '<');
  assert_int_equal(long_one[sizeof big], '>');
  hv_arena_free(a);
}

static void printf_respects_limit(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(16);
  assert_null(hv_arena_printf(a, "%s", "this text is longer than sixteen bytes"));
  assert_int_equal(hv_arena_used(a), 0);
  assert_string_equal(hv_arena_printf(a, "%d", 123456), "123456");
  hv_arena_free(a);
}

static void free_null_is_noop(void **state) {
  (void)state;
  hv_arena_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alloc_aligned_and_distinct),
      cmocka_unit_test(used_counts_rounded_sizes),
      cmocka_unit_test(many_small_allocations_do_not_overlap),
      cmocka_unit_test(limit_refuses_past_cap),
      cmocka_unit_test(big_allocation_gets_own_block),
      cmocka_unit_test(sizes_near_size_max_refused),
      cmocka_unit_test(calloc_zeroes_and_refuses_overflow),
      cmocka_unit_test(strdup_and_strndup_copy),
      cmocka_unit_test(strdup_respects_limit),
      cmocka_unit_test(printf_formats),
      cmocka_unit_test(printf_respects_limit),
      cmocka_unit_test(free_null_is_noop),
  };
  return cmocka_run_group_tests_name("core/arena", tests, NULL, NULL);
}
