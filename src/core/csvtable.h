/* Reading a CSV file into a table of cells, for the importers (registry
 * departments, facilities and users; the Know-Your-Rights directories).
 * libcsv does the RFC 4180 parsing (quotes, doubled quotes, CR LF inside
 * quoted cells); this adds the limits, the UTF-8 check, the trimming of the
 * spaces spreadsheets leave around cells, and the header naming the
 * columns in any order. Pure: no database, no HTTP. */
#ifndef HV_CSVTABLE_H
#define HV_CSVTABLE_H

#include <stdbool.h>
#include <stddef.h>

#define HV_CSV_MAX_COLS 16

enum hv_csv_read {
  HV_CSV_OK,
  HV_CSV_BAD,      /* not valid CSV: `t->rows + 1` is the row where it broke */
  HV_CSV_TOO_BIG,  /* more than max_rows rows under the header, HV_CSV_MAX_COLS columns or
                      max_field bytes in a cell */
  HV_CSV_NOT_UTF8, /* a cell is not UTF-8 text or holds a NUL */
  HV_CSV_NOMEM,
};

struct hv_csv_table {
  char **cells; /* (max_rows + 1) * HV_CSV_MAX_COLS, row 0 the header; NULL past a row's end */
  size_t rows;  /* rows read, the header included */
  size_t col, max_rows, max_field;
  bool too_big, bad_text;
  char why[96]; /* libcsv's reason when HV_CSV_BAD */
};

/* Reads `len` bytes of `data` (borrowed; a leading UTF-8 byte-order mark
 * is skipped) into `t`, which must be freed with hv_csv_table_free whatever
 * the result. Blank lines are skipped. */
enum hv_csv_read hv_csv_table_read(const char *data, size_t len, size_t max_rows, size_t max_field,
                                   struct hv_csv_table *t);
void hv_csv_table_free(struct hv_csv_table *t);

/* Cell `col` (an index into the header) of row `row`; "" when absent.
 * Borrowed from the table. */
const char *hv_csv_table_at(const struct hv_csv_table *t, size_t row, size_t col);

/* Reports one problem of the file: its row as a spreadsheet numbers it
 * (the header is row 1), the column's name or NULL, a message. */
typedef void (*hv_csv_problem_fn)(void *cls, size_t row, const char *column, const char *msg);

/* Maps the header (row 0) onto `names` (NULL-terminated, at most
 * HV_CSV_MAX_COLS, the first `required` of them required): map[k] is the
 * table column of names[k], or -1 when the file lacks it. Names match
 * without regard to case. Unknown, repeated and missing required columns
 * are reported on row 1; returns how many problems were reported. */
int hv_csv_table_map(const struct hv_csv_table *t, const char *const *names, int required, int *map,
                     hv_csv_problem_fn problem, void *cls);

#endif
