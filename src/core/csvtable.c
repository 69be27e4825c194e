/* CSV files into tables of trimmed UTF-8 cells (see csvtable.h). */
#include "core/csvtable.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

static void on_field(void *s, size_t n, void *cls) {
  struct hv_csv_table *t = cls;
  if (t->too_big)
    return;
  if (t->rows >= t->max_rows + 1 || t->col >= HV_CSV_MAX_COLS || n > t->max_field) {
    t->too_big = true;
    return;
  }
  char *v = strndup(s ? s : "", n);
  if (!v || !hv_utf8_valid(v, strlen(v)) || strlen(v) != n)
    t->bad_text = true;
  /* trim surrounding spaces: spreadsheets leave them */
  if (v) {
    size_t len = strlen(v), a = 0;
    while (a < len && (v[a] == ' ' || v[a] == '\t'))
      a++;
    while (len > a && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
      len--;
    memmove(v, v + a, len - a);
    v[len - a] = '\0';
  }
  t->cells[t->rows * HV_CSV_MAX_COLS + t->col++] = v;
}

static void on_row(int c, void *cls) {
  struct hv_csv_table *t = cls;
  (void)c;
  if (t->too_big)
    return;
  if (t->col > 0)
    t->rows++;
  t->col = 0;
}

enum hv_csv_read hv_csv_table_read(const char *data, size_t len, size_t max_rows, size_t max_field,
                                   struct hv_csv_table *t) {
  struct csv_parser p;
  memset(t, 0, sizeof *t);
  t->max_rows = max_rows;
  t->max_field = max_field;
  t->cells = calloc((max_rows + 1) * HV_CSV_MAX_COLS, sizeof(char *));
  if (!t->cells || csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0)
    return HV_CSV_NOMEM;
  /* a UTF-8 byte-order mark from a spreadsheet is not part of the header */
  if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
    data += 3;
    len -= 3;
  }
  size_t used = csv_parse(&p, data, len, on_field, on_row, t);
  int fin = csv_fini(&p, on_field, on_row, t);
  int perr = csv_error(&p);
  csv_free(&p);
  if (used != len || fin != 0) {
    snprintf(t->why, sizeof t->why, "%s", csv_strerror(perr));
    return HV_CSV_BAD;
  }
  if (t->too_big)
    return HV_CSV_TOO_BIG;
  if (t->bad_text)
    return HV_CSV_NOT_UTF8;
  return HV_CSV_OK;
}

void hv_csv_table_free(struct hv_csv_table *t) {
  if (!t->cells)
    return;
  for (size_t i = 0; i < (t->max_rows + 1) * HV_CSV_MAX_COLS; i++)
    free(t->cells[i]);
  free(t->cells);
  t->cells = NULL;
}

const char *hv_csv_table_at(const struct hv_csv_table *t, size_t row, size_t col) {
  if (row >= t->rows || col >= HV_CSV_MAX_COLS)
    return "";
  const char *v = t->cells[row * HV_CSV_MAX_COLS + col];
  return v ? v : "";
}

int hv_csv_table_map(const struct hv_csv_table *t, const char *const *names, int required, int *map,
                     hv_csv_problem_fn problem, void *cls) {
  int n = 0;
  for (int c = 0; c < HV_CSV_MAX_COLS; c++)
    map[c] = -1;
  for (size_t c = 0; c < HV_CSV_MAX_COLS && t->rows > 0 && t->cells[c]; c++) {
    const char *h = t->cells[c];
    int found = -1;
    for (int k = 0; names[k]; k++)
      if (strcasecmp(h, names[k]) == 0)
        found = k;
    if (found < 0) {
      char msg[200];
      /* at most 60 bytes of the name, cut between characters: a cut
       * character is not UTF-8, and JSON would refuse the message */
      int hl = (int)strlen(h);
      if (hl > 60) {
        hl = 60;
        while (hl > 0 && ((unsigned char)h[hl] & 0xc0) == 0x80)
          hl--;
      }
      snprintf(msg, sizeof msg, "Unknown column '%.*s'. The columns are listed in the import page.",
               hl, h);
      problem(cls, 1, h, msg);
      n++;
    } else if (map[found] >= 0) {
      problem(cls, 1, h, "This column appears twice.");
      n++;
    } else {
      map[found] = (int)c;
    }
  }
  for (int k = 0; k < required; k++)
    if (map[k] < 0) {
      char msg[120];
      snprintf(msg, sizeof msg, "The required column '%s' is missing.", names[k]);
      problem(cls, 1, names[k], msg);
      n++;
    }
  return n;
}
