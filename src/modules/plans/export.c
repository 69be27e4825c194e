/* MOIA's board as files: CSV (RFC 4180, formulas neutralised by
 * core/csv.c) and XLSX (libxlsxwriter; every text is written as a string
 * cell, never a formula, and counts as numbers). One column table serves
 * the page, the CSV and the XLSX, so the three always agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "modules/plans/plans.h"

const struct hv_board_column hv_board_columns[] = {
    {"department_code", "Department code"},
    {"department_name", "Department"},
    {"status", "Plan status"},
    {"due_on", "Due on"},
    {"days_left", "Days left"},
    {"days_late", "Days overdue"},
    {"first_submitted_on", "First submitted on"},
    {"submissions", "Versions submitted"},
    {"requirements_done", "Requirements done"},
    {"requirements_total", "Requirements"},
    {"training_reached", "Training reached"},
    {"contractor_coverage", "Contractor coverage"},
};
const size_t hv_board_ncolumns = sizeof hv_board_columns / sizeof hv_board_columns[0];

const char *hv_board_cell(const json_t *row, const char *key, char *buf, size_t cap) {
  const json_t *v = json_object_get(row, key);
  if (!strcmp(key, "status"))
    v = json_object_get(row, "status_label");
  if (!strcmp(key, "training_reached") || !strcmp(key, "contractor_coverage"))
    return json_is_null(v) || !v ? "—" : json_string_value(v);
  if (json_is_string(v))
    return json_string_value(v);
  if (json_is_integer(v)) {
    snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    return buf;
  }
  return "";
}

int hv_board_csv(const json_t *board, struct hv_buf *b) {
  char tmp[32];
  for (size_t c = 0; c < hv_board_ncolumns; c++) {
    const char *h = hv_board_columns[c].header;
    if ((c && hv_buf_addc(b, ',')) || hv_csv_cell(b, h, strlen(h)))
      return -1;
  }
  if (hv_csv_row_end(b))
    return -1;
  size_t i;
  const json_t *r;
  json_array_foreach(json_object_get(board, "rows"), i, r) {
    for (size_t c = 0; c < hv_board_ncolumns; c++) {
      const char *s = hv_board_cell(r, hv_board_columns[c].key, tmp, sizeof tmp);
      if ((c && hv_buf_addc(b, ',')) || hv_csv_cell(b, s, strlen(s)))
        return -1;
    }
    if (hv_csv_row_end(b))
      return -1;
  }
  return 0;
}

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  unsigned char *p = NULL;
  struct stat st;
  if (!f)
    return NULL;
  if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20) &&
      (p = malloc((size_t)st.st_size)) && fread(p, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
    *len = (size_t)st.st_size;
  else {
    free(p);
    p = NULL;
  }
  fclose(f);
  return p;
}

int hv_board_xlsx(const json_t *board, const char *tmpdir, unsigned char **out, size_t *len) {
  char path[4096];
  int rc = -1;
  snprintf(path, sizeof path, "%s/.board-XXXXXX", tmpdir);
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  close(fd);
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
  lxw_workbook *wb = workbook_new_opt(path, &opt);
  if (!wb)
    goto out;
  const json_t *d = json_object_get(board, "directive");
  char sheet[32];
  snprintf(sheet, sizeof sheet, "%.24s plans", json_string_value(json_object_get(d, "number")));
  for (char *c = sheet; *c; c++) /* characters a sheet name may not hold */
    if (strchr("[]:*?/\\", *c))
      *c = '-';
  lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
  lxw_format *bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_row_t row = 0;
  char title[512];
  snprintf(title, sizeof title, "%s: %s (board of %s)",
           json_string_value(json_object_get(d, "number")),
           json_string_value(json_object_get(d, "title")),
           json_string_value(json_object_get(board, "today")));
  worksheet_write_string(ws, row++, 0, title, bold);
  worksheet_write_string(ws, row++, 0, json_string_value(json_object_get(board, "coverage_note")),
                         NULL);
  row++;
  lxw_row_t header = row;
  for (size_t c = 0; c < hv_board_ncolumns; c++)
    worksheet_write_string(ws, row, (lxw_col_t)c, hv_board_columns[c].header, bold);
  row++;
  size_t i;
  const json_t *r;
  char tmp[32];
  json_array_foreach(json_object_get(board, "rows"), i, r) {
    for (size_t c = 0; c < hv_board_ncolumns; c++) {
      const json_t *v = json_object_get(r, hv_board_columns[c].key);
      if (json_is_integer(v) && strcmp(hv_board_columns[c].key, "status") != 0)
        worksheet_write_number(ws, row, (lxw_col_t)c, (double)json_integer_value(v), NULL);
      else
        worksheet_write_string(ws, row, (lxw_col_t)c,
                               hv_board_cell(r, hv_board_columns[c].key, tmp, sizeof tmp), NULL);
    }
    row++;
  }
  worksheet_set_column(ws, 0, 0, 16, NULL);
  worksheet_set_column(ws, 1, 1, 40, NULL);
  worksheet_set_column(ws, 2, (lxw_col_t)(hv_board_ncolumns - 1), 18, NULL);
  (void)header;
  if (workbook_close(wb) != LXW_NO_ERROR)
    goto out;
  *out = read_all(path, len);
  rc = *out ? 0 : -1;
out:
  unlink(path);
  return rc;
}
