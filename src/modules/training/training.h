/* Employee training (ED 12: departments strengthen employee training): the
 * courses, each department's roster of employees imported from CSV, the
 * completions exported by the City's learning system, and coverage per
 * department and unit (who is covered, who is overdue) as of today.
 *
 * model.c reads and checks the CSV files (pure: no database; the fuzz
 * target drives it); store.c applies a checked file in one transaction
 * with its audit event and computes coverage in set-based SQL over
 * training_latest (each employee's latest completion of each course, kept
 * by the import); http.c serves the API and the staff pages.
 *
 * Privacy: an employee is an employee number, a name and a unit, nothing
 * more (docs/training.md). */
#ifndef HV_TRAINING_H
#define HV_TRAINING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/csvtable.h"
#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_training_routes[];
extern const size_t hv_training_nroutes;

#define HV_TRAINING_MAX_ROWS 1000000      /* rows of one file under its header */
#define HV_TRAINING_MAX_FIELD 200         /* bytes of one cell */
#define HV_TRAINING_MAX_BYTES (48u << 20) /* a file's size */
#define HV_TRAINING_MAX_ERRORS 200        /* problems listed (all are counted) */
#define HV_TRAINING_OVERDUE_PAGE 500      /* rows of the overdue list per page */

/* --- model.c --------------------------------------------------------------- */

/* Days since 1970-01-01 of a real calendar date written YYYY-MM-DD between
 * 1970-01-01 and 2199-12-31; -1 otherwise. */
int32_t hv_training_day(const char *s);
/* The date of day number `day`, YYYY-MM-DD. */
void hv_training_date(int32_t day, char out[11]);
/* Today's day number in the City's time zone (the injectable clock). */
int32_t hv_training_today(void);

/* The problems of a file: the first HV_TRAINING_MAX_ERRORS as
 * [{row, column, message}] (rows as a spreadsheet numbers them: the header
 * is row 1), and how many there were in all. */
struct hv_training_problems {
  json_t *list; /* owned */
  size_t count;
};
void hv_training_problem(struct hv_training_problems *p, size_t row, const char *column,
                         const char *msg);

/* One roster row, checked. Strings borrowed from the file's table. */
struct hv_training_person {
  const char *number, *name, *department, *unit;
  bool active;
  size_t row;
};

struct hv_training_roster {
  struct hv_csv_table t;
  struct hv_training_person *rows; /* owned */
  size_t n;
};

/* Reads a roster file (columns employee_number, department, unit, active
 * and the optional name, in any order). Returns 0 when every row is well
 * formed, 1 when problems were added to `p`, -1 when out of memory. `r`
 * must be freed with hv_training_roster_free whatever the result. */
int hv_training_roster_read(const char *data, size_t len, struct hv_training_roster *r,
                            struct hv_training_problems *p);
void hv_training_roster_free(struct hv_training_roster *r);

struct hv_training_completion {
  const char *number, *course, *completed_on;
  int32_t day;
  size_t row;
};

struct hv_training_completions {
  struct hv_csv_table t;
  struct hv_training_completion *rows; /* owned */
  size_t n;
};

/* Reads a completions file (columns employee_number, course, completed_on).
 * A date after `today` (a day number) is a problem. Same results as
 * hv_training_roster_read. */
int hv_training_completions_read(const char *data, size_t len, int32_t today,
                                 struct hv_training_completions *c, struct hv_training_problems *p);
void hv_training_completions_free(struct hv_training_completions *c);

/* The columns of each file, NULL-terminated (the page and docs list them). */
extern const char *const hv_training_roster_columns[];
extern const char *const hv_training_completion_columns[];

/* NULL when `code` can name a course (1 to 32 letters, digits, '-', '_' or
 * '.'), else a message for people. */
const char *hv_training_code_check(const char *code);

/* --- store.c --------------------------------------------------------------- */

struct hv_training_result {
  struct hv_training_problems problems;
  size_t rows;
  int64_t added, updated, unchanged, deactivated;
};
void hv_training_result_free(struct hv_training_result *r);

/* Imports a roster file for `by` (a liaison: rows of their own department
 * only). Each department named in the file gets exactly the file's
 * employees: one of that department's employees missing from the file is
 * marked inactive (never deleted: their completions stay). 0 applied, 1
 * refused (nothing written; r->problems says why), -1 the database failed. */
int hv_training_roster_import(struct hv_store *s, const struct hv_principal *by, const char *data,
                              size_t len, struct hv_training_result *r);

/* Imports completions (a liaison: of their own department's employees). A
 * row already recorded (same employee, course and date) is unchanged. */
int hv_training_completions_import(struct hv_store *s, const struct hv_principal *by,
                                   const char *data, size_t len, struct hv_training_result *r);

/* Courses visible to `by` (citywide ones and their department's), as
 * [{id, code, title, department: code or null, recurrence_days}]. */
enum hv_qs hv_training_courses(struct hv_store *s, const struct hv_principal *by, json_t **out);

struct hv_training_course_new {
  const char *code, *title, *department; /* department code, or NULL: citywide */
  int64_t recurrence_days;               /* 0: once is enough */
  int64_t id;                            /* out */
  const char *problem, *field;           /* out: why it was refused */
};
/* Creates a course with its audit event. HV_QS_CONFLICT with `problem` set
 * when the code is taken, the department unknown or out of `by`'s scope. */
enum hv_qs hv_training_course_create(struct hv_store *s, const struct hv_principal *by,
                                     struct hv_training_course_new *c);

/* Coverage of every department in `by`'s scope as of day `today`:
 * [{department, name, active, courses: [{code, title, recurrence_days,
 * covered, overdue, percent}], covered, required, percent}]. */
enum hv_qs hv_training_coverage_city(struct hv_store *s, const struct hv_principal *by,
                                     int32_t today, json_t **out);

/* Coverage of one department by unit: {department, name, active, courses:
 * [...], units: [{unit, active, courses: [{code, covered, overdue,
 * percent}]}]}. HV_QS_NONE when the department is unknown or out of scope. */
enum hv_qs hv_training_coverage_department(struct hv_store *s, const struct hv_principal *by,
                                           const char *code, int32_t today, json_t **out);

/* Overdue employees of a department (optionally one course and one unit),
 * by unit and number: [{employee_number, name, unit, course, last_completed:
 * date or null, due: date or null}], at most `limit` from `offset`; *total
 * is how many there are. HV_QS_NONE when the department is out of scope. */
enum hv_qs hv_training_overdue(struct hv_store *s, const struct hv_principal *by, const char *code,
                               const char *course, const char *unit, int32_t today, size_t limit,
                               size_t offset, json_t **out, int64_t *total);

/* The department id of `code` if `by` may act on it: HV_QS_NONE otherwise. */
enum hv_qs hv_training_department(struct hv_store *s, const struct hv_principal *by,
                                  const char *code, int64_t *id, char *name, size_t namelen);

#endif
