/* Fuzz target for the CSV importer (src/modules/registry/import.c) on a
 * real SQLite store. The first byte picks the kind (byte % 2: departments
 * or facilities; users are left to the unit tests, since each new user
 * costs an Argon2id hash of 64 MiB), the rest is the CSV file.
 *
 * Checked: hv_import returns 0 or 1 (-1, "the database failed", cannot
 * happen on a healthy local database, so it means validation let through
 * a row the database refused); a refusal lists at least one error, each
 * with a row >= 0 and a message; an applied file lists no errors, counts
 * at least one row and, when its header line holds no quotes, names only
 * known columns (an unknown one must be refused); importing an applied
 * file again creates and updates nothing (the importer's promise:
 * "re-importing the same file changes nothing"). A broken promise abort()s.
 *
 * The store lives in /dev/shm when it exists (else /tmp), one file per
 * process, and is recreated every RECREATE_EVERY runs so it cannot grow
 * without bound; it is deleted at exit, and the next start deletes those
 * of crashed runs. Rows earlier inputs imported stay until it is
 * recreated, so an input may behave differently on replay: a reproducer
 * replayed alone runs on a fresh store holding only the seed departments.
 * Set HAVEN_FUZZ_VERBOSE=1 to print each result. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "modules/registry/registry.h"
#include "store/store.h"

#define RECREATE_EVERY 2000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char seed_departments[] =
    "code,name,contact_email,contact_phone\n"
    "PARKS,Parks and Recreation,parks@city.example,+1 555 010 0100\n"
    "LIB,Public Library,library@city.example,555-010-0200\n"
    "DOT,Transportation,,\n"
    "PORT1,Port Authority,port@city.example,(555) 010 0300\n";

/* The columns of each kind, as import.c names them. */
static const char *const columns[2][8] = {
    {"code", "name", "contact_email", "contact_phone", "liaison_email", "backup_liaison_email",
     NULL},
    {"department_code", "name", "address", "kind", "latitude", "longitude", "areas", NULL},
};

static char db_path[256];
static struct hv_store *store;
static unsigned long runs;

static void fail(const char *what) {
  fprintf(stderr, "csv import invariant broken: %s\n", what);
  abort();
}

static void remove_db(void) {
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  char p[300];
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
    unlink(p);
  }
}

static void close_db(void) {
  hv_store_free(store);
  store = NULL;
  remove_db();
}

static void open_db(void) {
  char url[300], err[256] = "";
  int from, to;
  remove_db();
  snprintf(url, sizeof url, "sqlite:%s", db_path);
  if (hv_store_open(url, 1, &store, err, sizeof err) ||
      hv_store_migrate(store, &from, &to, err, sizeof err)) {
    fprintf(stderr, "fuzz_csv_import: cannot open and migrate %s: %s\n", url, err);
    exit(1);
  }
  struct hv_import_result r;
  int rc = hv_import(store, "fuzz", HV_IMPORT_DEPARTMENTS, seed_departments,
                     sizeof seed_departments - 1, &r);
  if (rc != 0) {
    char *e = json_dumps(r.errors, 0);
    fprintf(stderr, "fuzz_csv_import: the seed departments were refused (%d): %s\n", rc,
            e ? e : "?");
    exit(1);
  }
  hv_import_result_free(&r);
}

/* Deletes the stores of fuzzers that crashed (their process is gone). */
static void remove_stale(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *de;
  if (!d)
    return;
  while ((de = readdir(d))) {
    long pid = 0;
    int end = 0;
    if (sscanf(de->d_name, "haven-fuzz-%ld.db%n", &pid, &end) != 1 || end == 0 || pid <= 0 ||
        pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    unlink(p);
  }
  closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (sodium_init() < 0) {
    fprintf(stderr, "fuzz_csv_import: sodium_init failed\n");
    exit(1);
  }
  const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  remove_stale(dir);
  snprintf(db_path, sizeof db_path, "%s/haven-fuzz-%ld.db", dir, (long)getpid());
  open_db();
  atexit(close_db);
  return 0;
}

static void check_result(int rc, const struct hv_import_result *r) {
  if (getenv("HAVEN_FUZZ_VERBOSE")) { /* for replaying an input by hand */
    char *e = json_dumps(r->errors, JSON_COMPACT);
    fprintf(stderr, "hv_import: %d, created %d, updated %d, unchanged %d, errors %s\n", rc,
            r->created, r->updated, r->unchanged, e ? e : "?");
    free(e);
  }
  if (rc == -1)
    fail("-1 (database failed): validation let through a row the database refused");
  if (rc != 0 && rc != 1)
    fail("result other than 0, 1 or -1");
  if (!json_is_array(r->errors) || !json_is_array(r->passwords))
    fail("errors or passwords is not an array");
  if (json_array_size(r->passwords))
    fail("passwords listed for a departments or facilities import");
  if (rc == 1) {
    size_t i;
    json_t *e;
    if (!json_array_size(r->errors))
      fail("refused without an error");
    json_array_foreach(r->errors, i, e) {
      json_t *row = json_object_get(e, "row"), *msg = json_object_get(e, "message");
      json_t *col = json_object_get(e, "column");
      if (!json_is_integer(row) || json_integer_value(row) < 0)
        fail("error without a row number >= 0");
      if (!json_is_string(msg) || !*json_string_value(msg))
        fail("error without a message");
      if (col && !json_is_string(col) && !json_is_null(col))
        fail("error column is neither a string nor null");
    }
  } else {
    if (json_array_size(r->errors))
      fail("applied with errors listed");
    if (r->created < 0 || r->updated < 0 || r->unchanged < 0 ||
        r->created + r->updated + r->unchanged < 1)
      fail("applied without counting a row");
  }
}

/* An applied file names only known columns. Checked when the header (the
 * first non-empty line) holds no quote, so splitting at commas is exact. */
static void check_header(int kind, const char *csv, size_t len) {
  const char *p = csv, *end = csv + len;
  if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  while (p < end && (*p == '\r' || *p == '\n'))
    p++;
  const char *eol = p;
  while (eol < end && *eol != '\r' && *eol != '\n')
    eol++;
  if (memchr(p, '"', (size_t)(eol - p)))
    return;
  while (p <= eol) {
    const char *comma = memchr(p, ',', (size_t)(eol - p));
    const char *e = comma ? comma : eol;
    const char *a = p;
    while (a < e && (*a == ' ' || *a == '\t'))
      a++;
    while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
      e--;
    bool known = false;
    for (int k = 0; columns[kind][k]; k++)
      known |= strlen(columns[kind][k]) == (size_t)(e - a) &&
               strncasecmp(columns[kind][k], a, (size_t)(e - a)) == 0;
    if (!known)
      fail("applied a file with an unknown column");
    if (!comma)
      break;
    p = comma + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  if (++runs % RECREATE_EVERY == 0) {
    close_db();
    open_db();
  }
  enum hv_import_kind kind = data[0] % 2 ? HV_IMPORT_FACILITIES : HV_IMPORT_DEPARTMENTS;
  size_t len = size - 1;
  /* an exact-size copy so ASan sees any read past the end */
  char *csv = malloc(len ? len : 1);
  if (!csv)
    return 0;
  memcpy(csv, data + 1, len);
  struct hv_import_result r;
  int rc = hv_import(store, "fuzz", kind, csv, len, &r);
  check_result(rc, &r);
  if (rc == 0)
    check_header(data[0] % 2, csv, len);
  if (rc == 0) {
    int rows = r.created + r.updated + r.unchanged;
    hv_import_result_free(&r);
    rc = hv_import(store, "fuzz", kind, csv, len, &r);
    check_result(rc, &r);
    if (rc != 0)
      fail("an applied file is refused the second time");
    if (r.created != 0)
      fail("re-importing an applied file creates records");
    if (r.updated != 0)
      fail("re-importing an applied file updates records");
    if (r.unchanged != rows)
      fail("re-importing an applied file counts a different number of rows");
  }
  hv_import_result_free(&r);
  free(csv);
  return 0;
}
