/* Reading and checking the directories' CSV files (directory.h). The whole
 * file is checked before anything is written: every bad cell is reported
 * by row and column with a message saying what to write instead, once per
 * cell. A good file becomes an array of canonical entries (JSON objects,
 * in the shape the API answers), which dirstore.c compares with what is
 * stored, so that re-importing the same file changes nothing. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csvtable.h"
#include "core/str.h"
#include "modules/kyr/directory.h"

static const char *const kind_names[HV_KYR_DIR_MAX] = {"legal", "programs"};

int hv_kyr_dir_parse_kind(const char *s) {
  for (int i = 0; s && i < HV_KYR_DIR_MAX; i++)
    if (strcmp(s, kind_names[i]) == 0)
      return i;
  return -1;
}

const char *hv_kyr_dir_kind_name(enum hv_kyr_dir d) {
  return d < HV_KYR_DIR_MAX ? kind_names[d] : "unknown";
}

const char *const hv_kyr_services[] = {"deportation-defense", "detained-cases",
                                       "affirmative-applications", "consultations", NULL};

bool hv_kyr_service_ok(const char *code) {
  for (int i = 0; code && hv_kyr_services[i]; i++)
    if (strcmp(code, hv_kyr_services[i]) == 0)
      return true;
  return false;
}

/* The columns, required ones first. */
enum legal_col {
  L_ID,
  L_NAME,
  L_SERVICES,
  L_LANGUAGES,
  L_COST,
  L_VERIFIED,
  L_REQUIRED,
  L_SITES = L_REQUIRED,
  L_DOJ,
  L_REPS,
  L_EXPIRES,
  L_PHONE,
  L_WEBSITE,
  L_SAMPLE
};
static const char *const legal_cols[] = {"id",
                                         "name",
                                         "services",
                                         "languages",
                                         "cost",
                                         "last_verified",
                                         "sites",
                                         "doj_recognized",
                                         "accredited_reps",
                                         "accreditation_expires",
                                         "phone",
                                         "website",
                                         "sample",
                                         NULL};

enum program_col {
  P_ID,
  P_NAME,
  P_DEPARTMENT,
  P_OFFERS,
  P_LANGUAGES,
  P_REQUIRED,
  P_ADDRESS = P_REQUIRED,
  P_PHONE,
  P_WEBSITE,
  P_SAMPLE
};
static const char *const program_cols[] = {"id",      "name",  "department", "offers", "languages",
                                           "address", "phone", "website",    "sample", NULL};

static const struct {
  const char *const *cols;
  int required;
} layouts[HV_KYR_DIR_MAX] = {{legal_cols, L_REQUIRED}, {program_cols, P_REQUIRED}};

const char *const *hv_kyr_dir_columns(enum hv_kyr_dir d) {
  return d < HV_KYR_DIR_MAX ? layouts[d].cols : NULL;
}

/* --- cells ------------------------------------------------------------------- */

bool hv_kyr_date_ok(const char *s) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

static size_t code_points(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Text shown on a page: at most `max` characters, no control characters
 * (a line break would not show). */
struct msg {
  char text[96];
};

static const char *text_problem(const char *v, size_t max, struct msg *m) {
  for (const unsigned char *p = (const unsigned char *)v; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return "Write this on one line, without tabs or line breaks.";
  if (code_points(v) > max) {
    snprintf(m->text, sizeof m->text, "Shorten this to at most %zu characters.", max);
    return m->text;
  }
  return NULL;
}

static bool id_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64 || s[0] == '-')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return false;
  return true;
}

static bool phone_ok(const char *s) {
  int digits = 0;
  if (strlen(s) > 32)
    return false;
  for (; *s; s++) {
    if (*s >= '0' && *s <= '9')
      digits++;
    else if (!strchr(" ()+-.", *s))
      return false;
  }
  return digits >= 10 && digits <= 15;
}

static bool website_ok(const char *s) {
  size_t n = strlen(s);
  const char *host = strncmp(s, "https://", 8) == 0  ? s + 8
                     : strncmp(s, "http://", 7) == 0 ? s + 7
                                                     : NULL;
  if (!host || n > 300 || !*host || *host == '.' || *host == '/')
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("\"'<>\\`", *p))
      return false;
  size_t hl = strcspn(host, "/?#");
  return memchr(host, '.', hl) != NULL;
}

/* yes/no cells: empty is no. 1 yes, 0 no, -1 neither. */
static int yes_no(const char *s) {
  static const char *const yes[] = {"yes", "y", "true", "1", NULL};
  static const char *const no[] = {"", "no", "n", "false", "0", NULL};
  for (int i = 0; yes[i]; i++)
    if (strcasecmp(s, yes[i]) == 0)
      return 1;
  for (int i = 0; no[i]; i++)
    if (strcasecmp(s, no[i]) == 0)
      return 0;
  return -1;
}

/* --- the file ------------------------------------------------------------------ */

struct check {
  const struct hv_csv_table *t;
  const int *map;
  const struct hv_kyr_dir_known *k;
  json_t *errors;
  size_t r;   /* the table's row */
  size_t row; /* as a spreadsheet numbers it */
};

static void problem_at(json_t *errors, size_t row, const char *col, const char *msg) {
  if (json_array_size(errors) >= HV_KYR_DIR_MAX_ERRORS)
    return;
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) { /* one problem per cell */
    const char *c = json_string_value(json_object_get(e, "column"));
    if ((size_t)json_integer_value(json_object_get(e, "row")) == row && c && col &&
        strcmp(c, col) == 0)
      return;
  }
  json_array_append_new(
      errors, json_pack("{s:I, s:s?, s:s}", "row", (json_int_t)row, "column", col, "message", msg));
}

static void header_problem(void *cls, size_t row, const char *col, const char *msg) {
  problem_at(cls, row, col, msg);
}

static void problem(struct check *c, const char *col, const char *msg) {
  problem_at(c->errors, c->row, col, msg);
}

static const char *cell(const struct check *c, int col) {
  return c->map[col] < 0 ? "" : hv_csv_table_at(c->t, c->r, (size_t)c->map[col]);
}

/* A required or optional text cell: the value, or NULL after reporting. */
static json_t *text_cell(struct check *c, const char *const *cols, int col, size_t max,
                         bool required) {
  const char *v = cell(c, col), *why;
  struct msg m;
  if (!*v) {
    if (required) {
      char msg[96];
      snprintf(msg, sizeof msg, "The %s cell is empty: it is required.", cols[col]);
      problem(c, cols[col], msg);
      return NULL;
    }
    return json_null();
  }
  if ((why = text_problem(v, max, &m))) {
    problem(c, cols[col], why);
    return NULL;
  }
  return json_string(v);
}

/* Splits `v` at `sep` into trimmed, non-empty parts (at most `max`);
 * returns how many, or -1 when there are more. `buf` holds the parts. */
static int split(const char *v, char sep, char *buf, size_t cap, char **parts, int max) {
  int n = 0;
  snprintf(buf, cap, "%s", v);
  char *p = buf;
  while (p) {
    char *end = strchr(p, sep);
    if (end)
      *end = '\0';
    while (*p == ' ')
      p++;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == ' ')
      p[--len] = '\0';
    if (*p) {
      if (n == max)
        return -1;
      parts[n++] = p;
    }
    p = end ? end + 1 : NULL;
  }
  return n;
}

/* The languages cell: the kyr languages' tags, case as the table has them. */
static json_t *languages_cell(struct check *c, int col) {
  const char *v = cell(c, col), *name = layouts[0].cols[L_LANGUAGES];
  char buf[HV_KYR_DIR_MAX_FIELD + 1], msg[200];
  char *parts[64];
  int n = split(v, ';', buf, sizeof buf, parts, 64);
  if (n == 0) {
    problem(c, name,
            "The languages are missing: list the tags of the languages spoken, "
            "separated by ; (for example en; es; ko).");
    return NULL;
  }
  if (n < 0) {
    problem(c, name, "List at most 64 languages.");
    return NULL;
  }
  bool have[64] = {false};
  size_t nlangs = c->k->nlangs < 64 ? c->k->nlangs : 64;
  for (int i = 0; i < n; i++) {
    size_t found = nlangs;
    for (size_t j = 0; j < nlangs; j++)
      if (strcasecmp(parts[i], c->k->langs[j]) == 0)
        found = j;
    if (found == nlangs) {
      int pl = (int)strlen(parts[i]);
      if (pl > 40) {
        pl = 40;
        while (pl > 0 && ((unsigned char)parts[i][pl] & 0xc0) == 0x80)
          pl--;
      }
      snprintf(msg, sizeof msg,
               "Unknown language '%.*s'. Use the tags of the site's languages (en, es, ko, "
               "zh-Hant, fa, ...), separated by ;.",
               pl, parts[i]);
      problem(c, name, msg);
      return NULL;
    }
    have[found] = true;
  }
  /* in the site's order, as the store gives them back */
  json_t *out = json_array();
  for (size_t j = 0; j < nlangs; j++)
    if (have[j])
      json_array_append_new(out, json_string(c->k->langs[j]));
  return out;
}

static json_t *services_cell(struct check *c) {
  const char *v = cell(c, L_SERVICES);
  char buf[HV_KYR_DIR_MAX_FIELD + 1];
  char *parts[16];
  static const char *const help =
      "Services are deportation-defense, detained-cases, affirmative-applications and "
      "consultations, separated by ;.";
  int n = split(v, ';', buf, sizeof buf, parts, 16);
  if (n == 0) {
    problem(c, "services",
            "The services are missing. Services are deportation-defense, "
            "detained-cases, affirmative-applications and consultations, "
            "separated by ;.");
    return NULL;
  }
  if (n < 0) {
    problem(c, "services", help);
    return NULL;
  }
  bool have[8] = {false};
  for (int i = 0; i < n; i++) {
    int found = -1;
    for (int s = 0; hv_kyr_services[s]; s++)
      if (strcasecmp(parts[i], hv_kyr_services[s]) == 0)
        found = s;
    if (found < 0) {
      problem(c, "services", help);
      return NULL;
    }
    have[found] = true;
  }
  json_t *out = json_array(); /* in the set's order */
  for (int s = 0; hv_kyr_services[s]; s++)
    if (have[s])
      json_array_append_new(out, json_string(hv_kyr_services[s]));
  return out;
}

static json_t *sites_cell(struct check *c) {
  const char *v = cell(c, L_SITES);
  char buf[HV_KYR_DIR_MAX_FIELD + 1];
  char *sites[HV_KYR_DIR_MAX_SITES];
  static const char *const help =
      "Write each site as neighbourhood; address; hours, and separate sites with | (for "
      "example: Boyle Heights; 100 N Main St, Los Angeles, CA 90012; Mon-Fri 9am-5pm).";
  int n = split(v, '|', buf, sizeof buf, sites, HV_KYR_DIR_MAX_SITES);
  if (n < 0) {
    problem(c, "sites", "List at most 8 sites.");
    return NULL;
  }
  json_t *out = json_array();
  for (int i = 0; i < n; i++) {
    char part[HV_KYR_DIR_MAX_FIELD + 1];
    struct msg m;
    char *f[3];
    const char *why;
    if (split(sites[i], ';', part, sizeof part, f, 3) != 3) {
      problem(c, "sites", help);
      json_decref(out);
      return NULL;
    }
    for (int j = 0; j < 3; j++)
      if ((why = text_problem(f[j], 200, &m))) {
        problem(c, "sites", why);
        json_decref(out);
        return NULL;
      }
    json_array_append_new(
        out, json_pack("{s:s, s:s, s:s}", "neighbourhood", f[0], "address", f[1], "hours", f[2]));
  }
  return out;
}

/* The contact cells shared by both directories. */
static void contact_cells(struct check *c, json_t *e, const char *const *cols, int phone,
                          int website) {
  const char *p = cell(c, phone), *w = cell(c, website);
  if (*p && !phone_ok(p))
    problem(c, cols[phone], "Write a phone number of 10 to 15 digits, e.g. (213) 555-0100.");
  if (*w && !website_ok(w))
    problem(c, cols[website], "Write the website's full address, starting https://.");
  json_object_set_new(e, "phone", *p ? json_string(p) : json_null());
  json_object_set_new(e, "website", *w ? json_string(w) : json_null());
}

static bool sample_cell(struct check *c, const char *const *cols, int col) {
  int s = yes_no(cell(c, col));
  if (s < 0)
    problem(c, cols[col], "Write yes or no (empty is no).");
  return s == 1;
}

/* Sets `key` from a checked cell, or remembers that the row is bad. */
static void put(json_t *e, const char *key, json_t *v, bool *bad) {
  if (v)
    json_object_set_new(e, key, v);
  else
    *bad = true;
}

static json_t *legal_row(struct check *c) {
  const char *const *cols = legal_cols;
  json_t *e = json_object();
  bool bad = false;
  put(e, "id", text_cell(c, cols, L_ID, 64, true), &bad);
  put(e, "name", text_cell(c, cols, L_NAME, 200, true), &bad);
  put(e, "sites", sites_cell(c), &bad);
  put(e, "services", services_cell(c), &bad);
  put(e, "languages", languages_cell(c, L_LANGUAGES), &bad);
  const char *cost = cell(c, L_COST);
  if (strcasecmp(cost, "free") == 0)
    json_object_set_new(e, "cost", json_string("free"));
  else if (strcasecmp(cost, "low-cost") == 0 || strcasecmp(cost, "low cost") == 0)
    json_object_set_new(e, "cost", json_string("low-cost"));
  else
    problem(c, "cost", "The cost is free or low-cost."), bad = true;
  int doj = yes_no(cell(c, L_DOJ));
  if (doj < 0)
    problem(c, "doj_recognized", "Write yes or no (empty is no)."), bad = true;
  json_object_set_new(e, "doj_recognized", json_boolean(doj == 1));
  const char *reps = cell(c, L_REPS), *expires = cell(c, L_EXPIRES);
  int64_t n = 0;
  if (*reps && hv_parse_i64(reps, 0, 500, &n)) {
    problem(c, "accredited_reps", "Write the number of accredited representatives, 0 to 500.");
    bad = true;
  }
  json_object_set_new(e, "accredited_reps", json_integer(n));
  if (n > 0 && doj == 0) {
    problem(c, "doj_recognized",
            "Accredited representatives work for a DOJ-recognized organisation: write yes.");
    bad = true;
  }
  if (n > 0 && !*expires) {
    problem(c, "accreditation_expires",
            "Give the date the representatives' accreditation expires (YYYY-MM-DD).");
    bad = true;
  } else if (*expires && !hv_kyr_date_ok(expires)) {
    problem(c, "accreditation_expires", "Write the date as YYYY-MM-DD, e.g. 2027-06-30.");
    bad = true;
  } else if (*expires && n == 0) {
    problem(c, "accreditation_expires",
            "There are no accredited representatives: leave the expiry empty, or give their "
            "number in accredited_reps.");
    bad = true;
  }
  json_object_set_new(e, "accreditation_expires", *expires ? json_string(expires) : json_null());
  const char *verified = cell(c, L_VERIFIED);
  if (!*verified)
    problem(c, "last_verified", "The last_verified date is missing (YYYY-MM-DD)."), bad = true;
  else if (!hv_kyr_date_ok(verified))
    problem(c, "last_verified", "Write the date as YYYY-MM-DD, e.g. 2026-11-02."), bad = true;
  else if (strcmp(verified, c->k->today) > 0)
    problem(c, "last_verified", "The date it was last verified cannot be after today."), bad = true;
  else
    json_object_set_new(e, "last_verified", json_string(verified));
  contact_cells(c, e, cols, L_PHONE, L_WEBSITE);
  json_object_set_new(e, "sample", json_boolean(sample_cell(c, cols, L_SAMPLE)));
  if (bad) {
    json_decref(e);
    return NULL;
  }
  return e;
}

static json_t *program_row(struct check *c) {
  const char *const *cols = program_cols;
  json_t *e = json_object();
  bool bad = false;
  put(e, "id", text_cell(c, cols, P_ID, 64, true), &bad);
  put(e, "name", text_cell(c, cols, P_NAME, 200, true), &bad);
  put(e, "department", text_cell(c, cols, P_DEPARTMENT, 200, true), &bad);
  put(e, "offers", text_cell(c, cols, P_OFFERS, 1000, true), &bad);
  put(e, "languages", languages_cell(c, P_LANGUAGES), &bad);
  put(e, "address", text_cell(c, cols, P_ADDRESS, 300, false), &bad);
  contact_cells(c, e, cols, P_PHONE, P_WEBSITE);
  json_object_set_new(e, "sample", json_boolean(sample_cell(c, cols, P_SAMPLE)));
  if (bad) {
    json_decref(e);
    return NULL;
  }
  return e;
}

int hv_kyr_dir_check(enum hv_kyr_dir d, const char *data, size_t len,
                     const struct hv_kyr_dir_known *k, json_t **entries, json_t *errors) {
  struct hv_csv_table t;
  int map[HV_CSV_MAX_COLS];
  int rc = 1;
  json_t *out = json_array();
  *entries = NULL;
  enum hv_csv_read rd = hv_csv_table_read(data, len, HV_KYR_DIR_MAX_ROWS, HV_KYR_DIR_MAX_FIELD, &t);
  if (rd == HV_CSV_NOMEM || !out || d >= HV_KYR_DIR_MAX) {
    rc = -1;
    goto out;
  }
  if (rd == HV_CSV_BAD) {
    char msg[160];
    snprintf(msg, sizeof msg, "The file is not valid CSV: %s.", t.why);
    problem_at(errors, t.rows + 1, NULL, msg);
    goto out;
  }
  if (rd == HV_CSV_TOO_BIG) {
    problem_at(errors, t.rows + 1, NULL,
               "The file is too large (at most 2,000 rows, 16 columns, 2,000 characters a cell).");
    goto out;
  }
  if (rd == HV_CSV_NOT_UTF8) {
    problem_at(errors, 0, NULL,
               "The file is not UTF-8 text (save it from the spreadsheet as CSV UTF-8).");
    goto out;
  }
  if (t.rows < 2) {
    problem_at(errors, 1, NULL, "The file has no rows under its header.");
    goto out;
  }
  if (hv_csv_table_map(&t, layouts[d].cols, layouts[d].required, map, header_problem, errors))
    goto out;
  for (size_t r = 1; r < t.rows; r++) {
    struct check c = {&t, map, k, errors, r, r + 1};
    json_t *e = d == HV_KYR_DIR_LEGAL ? legal_row(&c) : program_row(&c);
    if (!e)
      continue;
    const char *id = json_string_value(json_object_get(e, "id"));
    if (!id_ok(id)) {
      problem(&c, "id",
              "An id is lower-case letters, digits and hyphens (at most 64), e.g. "
              "legal-aid-boyle-heights; keep it the same in every file.");
    } else {
      size_t i;
      json_t *x;
      json_array_foreach(out, i,
                         x) if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "This id appears twice in the file (also on row %lld).",
                 (long long)json_integer_value(json_object_get(x, "row")));
        problem(&c, "id", msg);
        break;
      }
    }
    json_object_set_new(e, "row", json_integer((json_int_t)c.row));
    json_array_append_new(out, e);
  }
  if (json_array_size(errors))
    goto out;
  size_t i;
  json_t *x;
  json_array_foreach(out, i, x) json_object_del(x, "row");
  *entries = out;
  out = NULL;
  rc = 0;
out:
  json_decref(out);
  hv_csv_table_free(&t);
  return rc;
}
