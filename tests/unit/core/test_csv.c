/* Unit tests for src/core/csv.c: RFC 4180 quoting (commas, quotes, CR,
 * LF), formula neutralisation of every risky first character (OWASP CSV
 * injection) and nothing else, bytes kept as given, the buffer cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/csv.h"

static void cell(const char *in, size_t n, const char *want) {
  struct hv_buf b;
  hv_buf_init(&b, 1 << 16);
  assert_int_equal(hv_csv_cell(&b, in, n), 0);
  assert_non_null(b.data);
  assert_int_equal(b.len, strlen(want));
  assert_memory_equal(b.data, want, b.len);
  hv_buf_free(&b);
}
#define CELL(in, want) cell((in), strlen(in), (want))

static void plain_cells_are_unchanged(void **state) {
  (void)state;
  CELL("", "");
  CELL("lobby", "lobby");
  CELL("Los agentes llegaron; el gerente rechazó", "Los agentes llegaron; el gerente rechazó");
  CELL("INC-2026-000123", "INC-2026-000123");
  CELL("a=b+c-d@e", "a=b+c-d@e"); /* only the first character matters */
  CELL(" =1+1", " =1+1");
  CELL("'quoted already", "'quoted already");
}

static void rfc4180_quoting(void **state) {
  (void)state;
  CELL("a,b", "\"a,b\"");
  CELL("say \"no\"", "\"say \"\"no\"\"\"");
  CELL("\"", "\"\"\"\"");
  CELL("line one\nline two", "\"line one\nline two\"");
  CELL("cr\rhere", "\"cr\rhere\"");
  CELL("crlf\r\n", "\"crlf\r\n\"");
}

static void formulas_are_neutralised(void **state) {
  (void)state;
  CELL("=HYPERLINK(\"http://x.test\",\"click\")",
       "\"'=HYPERLINK(\"\"http://x.test\"\",\"\"click\"\")\"");
  CELL("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"");
  CELL("-2+3", "\"'-2+3\"");
  CELL("@SUM(A1:A2)", "\"'@SUM(A1:A2)\"");
  CELL("\t=1", "\"'\t=1\"");
  CELL("\r=1", "\"'\r=1\"");
  CELL("=", "\"'=\"");
  assert_true(hv_csv_risky("=", 1));
  assert_false(hv_csv_risky("", 0));
  assert_false(hv_csv_risky("x=", 2));
  assert_false(hv_csv_risky("\n=", 2));
}

static void bytes_are_kept(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 64);
  assert_int_equal(hv_csv_cell(&b, "a\0b", 3), 0); /* the length is the caller's, not strlen */
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.data, "a\0b", 3);
  hv_buf_free(&b);
  cell("=x", 1, "\"'=\"");
}

static void rows_end_with_crlf(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 1 << 10);
  assert_int_equal(hv_csv_cell(&b, "a", 1), 0);
  assert_int_equal(hv_buf_addc(&b, ','), 0);
  assert_int_equal(hv_csv_cell(&b, "b,c", 3), 0);
  assert_int_equal(hv_csv_row_end(&b), 0);
  assert_string_equal(b.data, "a,\"b,c\"\r\n");
  hv_buf_free(&b);
}

static void a_full_buffer_fails(void **state) {
  (void)state;
  struct hv_buf b;
  hv_buf_init(&b, 8);
  assert_int_equal(hv_csv_cell(&b, "1234567", 7), 0);
  assert_int_equal(hv_csv_cell(&b, "xy", 2), -1);
  hv_buf_reset(&b);
  assert_int_equal(hv_csv_cell(&b, "=123456", 7), -1); /* quotes and apostrophe need 10 */
  hv_buf_reset(&b);
  assert_int_equal(hv_csv_cell(&b, "\"\"\"\"", 4), -1);
  hv_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_cells_are_unchanged), cmocka_unit_test(rfc4180_quoting),
      cmocka_unit_test(formulas_are_neutralised),  cmocka_unit_test(bytes_are_kept),
      cmocka_unit_test(rows_end_with_crlf),        cmocka_unit_test(a_full_buffer_fails),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
