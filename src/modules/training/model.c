/* Reading and checking the training files (training.h): the roster and the
 * completions, row by row, before anything is written. Pure: the database
 * checks (departments, employees, courses) are store.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/str.h"
#include "modules/training/training.h"

const char *const hv_training_roster_columns[] = {"employee_number", "department", "unit",
                                                  "active",          "name",       NULL};
const char *const hv_training_completion_columns[] = {"employee_number", "course", "completed_on",
                                                      NULL};

/* Days from civil (H. Hinnant's algorithm), for the proleptic Gregorian
 * calendar. */
static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

int32_t hv_training_day(const char *s) {
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return -1;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return -1;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1)
    return -1;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > mdays[m - 1] + (m == 2 && leap))
    return -1;
  return days_from_civil(y, m, d);
}

void hv_training_date(int32_t day, char out[11]) {
  int32_t z = day + 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t y = yoe + era * 400;
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int32_t mp = (5 * doy + 2) / 153;
  int32_t d = doy - (153 * mp + 2) / 5 + 1;
  int32_t m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  /* m is 1..12 and d 1..31 by construction; the masks tell the compiler */
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m & 0xfu,
           (unsigned)d & 0x1fu);
}

int32_t hv_training_today(void) {
  time_t now = (time_t)(hv_clock_wall_ms() / 1000);
  struct tm tm;
  if (!localtime_r(&now, &tm))
    return 0;
  return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void hv_training_problem(struct hv_training_problems *p, size_t row, const char *column,
                         const char *msg) {
  p->count++;
  if (json_array_size(p->list) >= HV_TRAINING_MAX_ERRORS)
    return;
  json_array_append_new(p->list,
                        json_pack("{s:I, s:o, s:s}", "row", (json_int_t)row, "column",
                                  column ? json_string(column) : json_null(), "message", msg));
}

static void csv_problem(void *cls, size_t row, const char *column, const char *msg) {
  hv_training_problem(cls, row, column, msg);
}

/* Reads the table and maps its header; 0, 1 (problems) or -1 (memory). */
static int read_table(const char *data, size_t len, struct hv_csv_table *t,
                      const char *const *names, int required, int *map,
                      struct hv_training_problems *p) {
  /* the table allocates its row slots up front: as many as the file can
   * hold (line ends bound its rows), not the maximum */
  size_t lines = 1;
  for (const char *q = data, *end = data + len; q < end; q++)
    lines += *q == '\n' || *q == '\r';
  size_t cap = lines < HV_TRAINING_MAX_ROWS ? lines : HV_TRAINING_MAX_ROWS;
  enum hv_csv_read rd = hv_csv_table_read(data, len, cap, HV_TRAINING_MAX_FIELD, t);
  char msg[200];
  switch (rd) {
  case HV_CSV_OK:
    break;
  case HV_CSV_NOMEM:
    return -1;
  case HV_CSV_BAD:
    snprintf(msg, sizeof msg, "The file is not valid CSV here (%s).", t->why);
    hv_training_problem(p, t->rows + 1, NULL, msg);
    return 1;
  case HV_CSV_TOO_BIG:
    snprintf(msg, sizeof msg,
             "The file is too big: at most %d rows, %d columns and %d bytes in a cell.",
             HV_TRAINING_MAX_ROWS, HV_CSV_MAX_COLS, HV_TRAINING_MAX_FIELD);
    hv_training_problem(p, 1, NULL, msg);
    return 1;
  case HV_CSV_NOT_UTF8:
    hv_training_problem(p, 1, NULL, "The file is not UTF-8 text. Save it as CSV UTF-8.");
    return 1;
  }
  if (t->rows == 0) {
    hv_training_problem(p, 1, NULL, "The file is empty: the first row names the columns.");
    return 1;
  }
  if (hv_csv_table_map(t, names, required, map, csv_problem, p))
    return 1;
  if (t->rows == 1) {
    hv_training_problem(p, 2, NULL, "The file has no rows under its header.");
    return 1;
  }
  return 0;
}

static const char *cell(const struct hv_csv_table *t, size_t row, const int *map, int k) {
  return map[k] < 0 ? "" : hv_csv_table_at(t, row, (size_t)map[k]);
}

/* Code points of UTF-8 text (the table checked it is valid). */
static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

/* Employee numbers: 1 to 32 letters, digits and '-'. */
static const char *number_check(const char *s) {
  size_t n = strlen(s);
  if (n == 0)
    return "Enter the employee number.";
  if (n > 32)
    return "An employee number has at most 32 characters.";
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-'))
      return "An employee number is letters, digits and '-' only.";
  }
  return NULL;
}

const char *hv_training_code_check(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0)
    return "Enter the code.";
  if (n > 32)
    return "A code has at most 32 characters.";
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
          c == '_' || c == '.'))
      return "A code is letters, digits, '-', '_' and '.' only.";
  }
  return NULL;
}

/* "yes" forms and "no" forms of the active column; -1 otherwise. */
static int yes_no(const char *s) {
  static const char *const yes[] = {"yes", "y", "true", "1", "active", NULL};
  static const char *const no[] = {"no", "n", "false", "0", "inactive", NULL};
  for (int i = 0; yes[i]; i++)
    if (strcasecmp(s, yes[i]) == 0)
      return 1;
  for (int i = 0; no[i]; i++)
    if (strcasecmp(s, no[i]) == 0)
      return 0;
  return -1;
}

/* Employee numbers compared as the store compares them (exactly). */
static int cmp_person(const void *a, const void *b) {
  const struct hv_training_person *x = a, *y = b;
  int c = strcmp(x->number, y->number);
  return c ? c : (x->row > y->row) - (x->row < y->row);
}

int hv_training_roster_read(const char *data, size_t len, struct hv_training_roster *r,
                            struct hv_training_problems *p) {
  int map[HV_CSV_MAX_COLS];
  memset(r, 0, sizeof *r);
  int rc = read_table(data, len, &r->t, hv_training_roster_columns, 4, map, p);
  if (rc)
    return rc;
  r->rows = calloc(r->t.rows, sizeof *r->rows);
  if (!r->rows)
    return -1;
  size_t before = p->count;
  for (size_t i = 1; i < r->t.rows; i++) {
    struct hv_training_person *e = &r->rows[r->n];
    const char *why;
    size_t row = i + 1;
    e->number = cell(&r->t, i, map, 0);
    e->department = cell(&r->t, i, map, 1);
    e->unit = cell(&r->t, i, map, 2);
    e->name = cell(&r->t, i, map, 4);
    e->row = row;
    int active = yes_no(cell(&r->t, i, map, 3));
    bool ok = true;
    if ((why = number_check(e->number))) {
      hv_training_problem(p, row, "employee_number", why);
      ok = false;
    }
    if (!*e->department) {
      hv_training_problem(p, row, "department", "Enter the department's code (for example LAPL).");
      ok = false;
    }
    if (!*e->unit) {
      hv_training_problem(p, row, "unit", "Enter the unit (the team or section).");
      ok = false;
    } else if (chars(e->unit) > 100) {
      hv_training_problem(p, row, "unit", "A unit has at most 100 characters.");
      ok = false;
    }
    if (chars(e->name) > 100) {
      hv_training_problem(p, row, "name", "A name has at most 100 characters.");
      ok = false;
    }
    if (active < 0) {
      hv_training_problem(p, row, "active", "Write yes or no.");
      ok = false;
    }
    e->active = active == 1;
    if (ok)
      r->n++;
  }
  /* one row per employee: a number twice is a problem on the later row */
  qsort(r->rows, r->n, sizeof *r->rows, cmp_person);
  for (size_t i = 1; i < r->n; i++)
    if (strcmp(r->rows[i].number, r->rows[i - 1].number) == 0) {
      char msg[120];
      snprintf(msg, sizeof msg, "This employee number is also on row %zu.", r->rows[i - 1].row);
      hv_training_problem(p, r->rows[i].row, "employee_number", msg);
    }
  return p->count > before ? 1 : 0;
}

void hv_training_roster_free(struct hv_training_roster *r) {
  hv_csv_table_free(&r->t);
  free(r->rows);
  r->rows = NULL;
  r->n = 0;
}

int hv_training_completions_read(const char *data, size_t len, int32_t today,
                                 struct hv_training_completions *c,
                                 struct hv_training_problems *p) {
  int map[HV_CSV_MAX_COLS];
  memset(c, 0, sizeof *c);
  int rc = read_table(data, len, &c->t, hv_training_completion_columns, 3, map, p);
  if (rc)
    return rc;
  c->rows = calloc(c->t.rows, sizeof *c->rows);
  if (!c->rows)
    return -1;
  size_t before = p->count;
  for (size_t i = 1; i < c->t.rows; i++) {
    struct hv_training_completion *e = &c->rows[c->n];
    const char *why;
    size_t row = i + 1;
    e->number = cell(&c->t, i, map, 0);
    e->course = cell(&c->t, i, map, 1);
    e->completed_on = cell(&c->t, i, map, 2);
    e->row = row;
    e->day = hv_training_day(e->completed_on);
    bool ok = true;
    if ((why = number_check(e->number))) {
      hv_training_problem(p, row, "employee_number", why);
      ok = false;
    }
    if ((why = hv_training_code_check(e->course))) {
      hv_training_problem(p, row, "course", why);
      ok = false;
    }
    if (e->day < 0) {
      hv_training_problem(p, row, "completed_on",
                          "Write the date as YYYY-MM-DD (a real date from 1970 on).");
      ok = false;
    } else if (e->day > today) {
      hv_training_problem(p, row, "completed_on", "This date is in the future.");
      ok = false;
    }
    if (ok)
      c->n++;
  }
  return p->count > before ? 1 : 0;
}

void hv_training_completions_free(struct hv_training_completions *c) {
  hv_csv_table_free(&c->t);
  free(c->rows);
  c->rows = NULL;
  c->n = 0;
}
