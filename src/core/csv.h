/* Writing CSV for people who open it in a spreadsheet: RFC 4180 cells
 * (quoted when they hold a comma, quote, CR or LF; quotes doubled; rows end
 * with CRLF) with formula neutralisation after the OWASP CSV-injection
 * guidance: a cell that starts with = + - @ tab or carriage return gets a
 * leading apostrophe, so a spreadsheet shows it as text and never runs it.
 * Pure; reading CSV is libcsv's job (registry import). */
#ifndef HV_CSV_H
#define HV_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* True when a spreadsheet could take a cell starting like `s` for a formula. */
bool hv_csv_risky(const char *s, size_t n);

/* Appends one cell (the `n` bytes of `s`, neutralised and quoted as
 * needed) to `b`. The caller writes the commas between cells and
 * hv_csv_row_end after the last. Returns 0, or -1 when `b` is full (its
 * contents are then unspecified past the previous length). */
int hv_csv_cell(struct hv_buf *b, const char *s, size_t n);

/* Appends the CRLF that ends a row. */
int hv_csv_row_end(struct hv_buf *b);

#endif
