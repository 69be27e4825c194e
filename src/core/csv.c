/* CSV cells: RFC 4180 quoting and spreadsheet formula neutralisation. */
#include "core/csv.h"

#include <string.h>

bool hv_csv_risky(const char *s, size_t n) {
  return n > 0 &&
         (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

int hv_csv_cell(struct hv_buf *b, const char *s, size_t n) {
  bool risky = hv_csv_risky(s, n);
  /* A neutralised cell is quoted too (OWASP), so nothing after the
   * apostrophe can end the cell early in a lenient reader. */
  bool quote =
      risky || memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\r', n) || memchr(s, '\n', n);
  if (quote && hv_buf_addc(b, '"'))
    return -1;
  if (risky && hv_buf_addc(b, '\''))
    return -1;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '"')
      continue;
    if (hv_buf_add(b, s + start, i + 1 - start) || hv_buf_addc(b, '"'))
      return -1;
    start = i + 1;
  }
  if (hv_buf_add(b, s + start, n - start))
    return -1;
  return quote ? hv_buf_addc(b, '"') : 0;
}

int hv_csv_row_end(struct hv_buf *b) { return hv_buf_add(b, "\r\n", 2); }
