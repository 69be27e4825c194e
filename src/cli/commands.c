/* haven init, migrate, demo, backup and version. */
#include <ctype.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/timefmt.h"
#include "http/router.h"
#include "web/app.h"
#include <jansson.h>
#include "modules/accounts/accounts.h"
#include "modules/registry/registry.h"
#include "core/clock.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/str.h"

#ifndef HV_VERSION
#define HV_VERSION "0.0.0"
#endif

extern const struct hv_embed hv_demo_data[];

int hv_cmd_version(int argc, char **argv) {
  if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
    hv_cli_usage("version");
    return 0;
  }
  if (argc > 0) {
    fprintf(stderr, "haven version: unexpected argument '%s'\n", argv[0]);
    return 2;
  }
  printf("haven %s (database schema %d)\n", HV_VERSION, hv_store_schema_latest());
  return 0;
}

static int no_extra(const char *cmd, int nrest, char **rest) {
  if (nrest) {
    fprintf(stderr, "haven %s: unexpected argument '%s' (see haven %s --help)\n", cmd, rest[0], cmd);
    return 2;
  }
  return 0;
}

int hv_cmd_migrate(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  char err[512];
  int from, to;
  int rc = hv_cli_setup("migrate", argc, argv, &cfg, rest, &nrest, &stop);
  struct hv_store *s = NULL;
  if (stop)
    return rc;
  if ((rc = no_extra("migrate", nrest, rest)))
    return rc;
  if (hv_store_open(cfg.db, 1, &s, err, sizeof err)) {
    fprintf(stderr, "haven migrate: %s\n", err);
    return 1;
  }
  rc = 0;
  if (hv_store_migrate(s, &from, &to, err, sizeof err)) {
    fprintf(stderr, "haven migrate: %s\n", err);
    rc = 1;
  } else if (from == to) {
    printf("database schema is up to date (version %d)\n", to);
  } else {
    printf("database schema migrated from version %d to %d\n", from, to);
  }
  hv_store_free(s);
  return rc;
}

/* --- init ---------------------------------------------------------------- */

static struct hv_sql q_user_count = HV_SQL("SELECT COUNT(*) FROM users");
static struct hv_sql q_user_insert = HV_SQL(
    "INSERT INTO users (email, display_name, password_hash, must_change_password, active, "
    "created_at) VALUES (?, ?, ?, 1, 1, ?) RETURNING id");
static struct hv_sql q_role_insert = HV_SQL("INSERT INTO user_roles (user_id, role) VALUES (?, ?)");

struct init_ctx {
  const char *email;
  const char *name;
  const char *hash;
  int exists;
};

static enum hv_qs init_tx(struct hv_conn *c, void *cls) {
  struct init_ctx *ic = cls;
  int64_t n = 0, id = 0;
  enum hv_qs qs = hv_db_int(c, &q_user_count, NULL, 0, &n);
  if (qs < 0)
    return qs;
  if (n > 0) {
    ic->exists = 1;
    return HV_QS_NONE;
  }
  struct hv_param p[] = {HV_P_TEXT(ic->email), HV_P_TEXT(ic->name), HV_P_TEXT(ic->hash),
                         HV_P_INT(hv_clock_wall_ms())};
  qs = hv_db_int(c, &q_user_insert, p, 4, &id);
  if (qs <= 0)
    return qs < 0 ? qs : HV_QS_HARD;
  struct hv_param r[] = {HV_P_INT(id), HV_P_TEXT("admin")};
  if ((qs = hv_db_exec(c, &q_role_insert, r, 2)) < 0)
    return qs;
  char oid[32], change[300];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  int cn = snprintf(change, sizeof change, "email=%s roles=admin (haven init)", ic->email);
  struct hv_audit_event ev = {"cli", "user.create", "user", oid, change, (size_t)cn};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* A plausible address: one @, something on each side, a dot in the domain,
 * no spaces or control characters. Lower-cased in place. */
static int email_ok(char *e) {
  size_t n = strlen(e);
  char *at = strchr(e, '@');
  if (n < 6 || n > 254 || !at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
      at[1] == '.' || e[n - 1] == '.')
    return 0;
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)e[i] <= 0x20 || e[i] == 0x7f || e[i] == '<' || e[i] == '>' || e[i] == '"')
      return 0;
    e[i] = (char)tolower((unsigned char)e[i]);
  }
  return 1;
}

int hv_cmd_init(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  char email[256] = "", name[128] = "Administrator";
  int rc = hv_cli_setup("init", argc, argv, &cfg, rest, &nrest, &stop);
  struct hv_store *s = NULL;
  if (stop)
    return rc;
  for (int i = 0; i < nrest; i++) {
    const char *a = rest[i];
    if ((strcmp(a, "--admin-email") == 0 || strcmp(a, "--admin-name") == 0) && i + 1 < nrest) {
      char *dst = a[8] == 'e' ? email : name;
      size_t cap = a[8] == 'e' ? sizeof email : sizeof name;
      if (hv_strlcpy(dst, rest[++i], cap) >= cap) {
        fprintf(stderr, "haven init: %s is too long\n", a);
        return 2;
      }
    } else {
      fprintf(stderr, "haven init: unexpected argument '%s' (see haven init --help)\n", a);
      return 2;
    }
  }
  if (!email[0]) {
    fprintf(stderr, "haven init: --admin-email EMAIL is required\n");
    return 2;
  }
  if (!email_ok(email)) {
    fprintf(stderr, "haven init: --admin-email: '%s' is not an email address\n", email);
    return 2;
  }
  if (!name[0] || !hv_utf8_valid(name, strlen(name))) {
    fprintf(stderr, "haven init: --admin-name must be non-empty UTF-8 text\n");
    return 2;
  }
  /* 20 characters from 32 unambiguous ones: 100 bits. */
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789-";
  char password[24];
  for (int i = 0; i < 20; i++)
    password[i] = alphabet[randombytes_uniform(32)];
  password[20] = '\0';
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)) {
    fprintf(stderr, "haven init: out of memory hashing the password\n");
    return 1;
  }
  if (hv_cli_open_store(&cfg, 1, &s))
    return 1;
  struct init_ctx ic = {email, name, hash, 0};
  enum hv_qs qs = hv_store_tx(s, true, init_tx, &ic);
  rc = 1;
  if (qs < 0) {
    fprintf(stderr, "haven init: the database refused the administrator (%s)\n",
            qs == HV_QS_CONFLICT ? "that email is taken" : "database error");
  } else if (ic.exists) {
    fprintf(stderr, "haven init: this database already has users; use 'haven user add' instead\n");
  } else {
    printf("administrator: %s\npassword: %s\n"
           "This password works once: you must choose a new one at first sign-in.\n",
           email, password);
    hv_log(HV_LOG_INFO, "administrator created");
    rc = 0;
  }
  sodium_memzero(password, sizeof password);
  hv_store_free(s);
  return rc;
}

/* --- demo ---------------------------------------------------------------- */

static struct hv_sql q_dept_count = HV_SQL("SELECT COUNT(*) FROM departments");
static struct hv_sql q_meta_set = HV_SQL2(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");

struct demo_ctx {
  int loaded;
  int departments, facilities;
};

/* Splits one tab-separated line of our own data file into up to `max`
 * fields, in place. */
static int split_tabs(char *line, char **f, int max) {
  int n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == '\t') {
      *p = '\0';
      f[n++] = p + 1;
    }
  return n;
}

/* Loads one of our demo files through the registry (so every row is
 * validated and audited like any other change). A bad line is a bug in
 * our data: the transaction fails. */
static enum hv_qs load_tsv(struct hv_conn *c, const char *file, int kind, int *count) {
  const struct hv_embed *e = hv_embed_find(hv_demo_data, file);
  if (!e)
    return HV_QS_HARD;
  char *text = strndup((const char *)e->data, e->len);
  enum hv_qs qs = HV_QS_NONE;
  if (!text)
    return HV_QS_HARD;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[8];
    const char *field, *why = NULL;
    int changed = 0;
    int64_t id;
    if (line[0] == '#' || !line[0])
      continue;
    int n = split_tabs(line, f, 8);
    if (kind == 0 && n == 2) {
      struct hv_department d = {0, f[0], f[1], NULL, NULL};
      if ((why = hv_department_check(&d, &field)))
        qs = HV_QS_HARD;
      else
        qs = hv_department_upsert_tx(c, "cli", &d, &changed, &id);
    } else if (kind == 1 && n == 7) {
      struct hv_facility fac;
      memset(&fac, 0, sizeof fac);
      fac.name = f[1];
      fac.address = f[2];
      fac.kind = f[3];
      fac.has_coords = hv_coord_parse(f[4], 90, &fac.lat_e6) == 0 &&
                       hv_coord_parse(f[5], 180, &fac.lon_e6) == 0;
      if (!fac.has_coords || hv_areas_parse(f[6], &fac, &why) || (why = hv_facility_check(&fac, &field)))
        qs = HV_QS_HARD;
      else
        qs = hv_facility_upsert_tx(c, "cli", f[0], &fac, &changed);
    } else {
      qs = HV_QS_HARD;
    }
    if (qs < 0) {
      fprintf(stderr, "haven demo: %s: bad line '%.60s'%s%s\n", file, f[0], why ? ": " : "", why ? why : "");
      break;
    }
    (*count)++;
  }
  free(text);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs demo_tx(struct hv_conn *c, void *cls) {
  struct demo_ctx *d = cls;
  int64_t n = 0;
  d->departments = d->facilities = 0;
  enum hv_qs qs = hv_db_int(c, &q_dept_count, NULL, 0, &n);
  if (qs < 0)
    return qs;
  if (n > 0) {
    d->loaded = 1;
    return HV_QS_NONE;
  }
  if ((qs = load_tsv(c, "departments.tsv", 0, &d->departments)) < 0)
    return qs;
  if ((qs = load_tsv(c, "facilities.tsv", 1, &d->facilities)) < 0)
    return qs;
  struct hv_param p[] = {HV_P_TEXT("demo"), HV_P_TEXT("1")};
  qs = hv_db_exec(c, &q_meta_set, p, 2);
  return qs < 0 ? qs : HV_QS_ONE;
}

/* One demo user per role (and a second liaison in another department, to
 * show that liaisons see only their own department). Passwords are random,
 * kept in DATA/demo-logins.txt (mode 0600) and printed by every `make run`. */
static const struct {
  const char *email, *name, *roles, *dept;
} demo_people[] = {
    {"admin@demo.lacity.org", "Ada Admin (demo)", "admin", NULL},
    {"moia@demo.lacity.org", "Maria Ortega (demo)", "moia", "MOIA"},
    {"liaison.library@demo.lacity.org", "Lee Park (demo)", "liaison", "LAPL"},
    {"liaison.parks@demo.lacity.org", "Rosa Díaz (demo)", "liaison", "RAP"},
    {"legal@demo.lacity.org", "Leo Grant (demo)", "legal", NULL},
    {"agent311@demo.lacity.org", "Ana Reyes (demo)", "agent311", NULL},
    {"workgroup@demo.lacity.org", "Will Young (demo)", "workgroup", "LAPD"},
    {"auditor@demo.lacity.org", "Aud Itor (demo)", "auditor", NULL},
    {"staff.library@demo.lacity.org", "Sam Lopez (demo)", "staff", "LAPL"},
};

static struct hv_sql q_dept_codes = HV_SQL("SELECT id, code FROM departments ORDER BY code");

struct dept_list {
  int64_t ids[128];
  char codes[128][24];
  int n;
};

static int dept_code_row(void *cls, const struct hv_row *r) {
  struct dept_list *l = cls;
  if (l->n == 128)
    return 1;
  l->ids[l->n] = hv_row_int(r, 0);
  snprintf(l->codes[l->n], sizeof l->codes[0], "%s", hv_row_text(r, 1) ? hv_row_text(r, 1) : "");
  l->n++;
  return 0;
}

static enum hv_qs dept_codes_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_dept_codes, NULL, 0, dept_code_row, cls);
}

struct liaison_args {
  struct dept_list *l;
  char (*emails)[80];
};

static enum hv_qs liaisons_tx(struct hv_conn *c, void *cls) {
  struct liaison_args *a = cls;
  for (int i = 0; i < a->l->n; i++) {
    const char *bad = NULL;
    enum hv_qs qs = hv_department_set_liaisons(c, "cli", a->l->ids[i], a->emails[i], NULL, &bad);
    if (qs < 0)
      return qs;
  }
  return HV_QS_ONE;
}

static int demo_user(struct hv_store *s, FILE *f, const char *email, const char *name,
                     const char *role_names, int64_t dept, bool print) {
  char pw[24], hash[HV_PASSWORD_HASH_MAX];
  unsigned roles = 0;
  int64_t id = 0;
  hv_password_random(pw, 20);
  if (hv_roles_parse(role_names, &roles) || hv_password_hash(pw, hash))
    return -1;
  if (hv_accounts_create_user(s, "cli", email, name, dept, roles, hash, false, &id) <= 0)
    return -1;
  fprintf(f, "%s %-10s %-40s %s\n", print ? " " : "+", role_names, email, pw);
  return 0;
}

static int demo_users(struct hv_store *s, const char *data) {
  char path[HV_PATH_MAX + 32];
  struct dept_list l;
  char emails[128][80];
  int rc = -1;
  memset(&l, 0, sizeof l);
  snprintf(path, sizeof path, "%s/demo-logins.txt", data);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fchmod(fileno(f), 0600);
  fprintf(f, "Demo logins (sample data only; passwords made when the demo city was loaded):\n");
  for (size_t i = 0; i < sizeof demo_people / sizeof demo_people[0]; i++) {
    int64_t dept = 0;
    if (demo_people[i].dept && hv_department_by_code(s, demo_people[i].dept, &dept) <= 0)
      goto out;
    if (demo_user(s, f, demo_people[i].email, demo_people[i].name, demo_people[i].roles, dept, true))
      goto out;
  }
  /* every other department gets its own liaison too */
  if (hv_store_tx(s, false, dept_codes_tx, &l) < 0)
    goto out;
  for (int i = 0; i < l.n; i++) {
    char lower[24], name[80];
    size_t k = 0;
    for (; l.codes[i][k] && k + 1 < sizeof lower; k++)
      lower[k] = (char)tolower((unsigned char)l.codes[i][k]);
    lower[k] = '\0';
    if (strcmp(l.codes[i], "LAPL") == 0 || strcmp(l.codes[i], "RAP") == 0) {
      snprintf(emails[i], sizeof emails[i], "liaison.%s@demo.lacity.org",
               strcmp(l.codes[i], "LAPL") == 0 ? "library" : "parks");
      continue;
    }
    snprintf(emails[i], sizeof emails[i], "liaison.%s@demo.lacity.org", lower);
    snprintf(name, sizeof name, "%s Liaison (demo)", l.codes[i]);
    if (demo_user(s, f, emails[i], name, "liaison", l.ids[i], false))
      goto out;
  }
  struct liaison_args la = {&l, emails};
  if (hv_store_tx(s, true, liaisons_tx, &la) < 0)
    goto out;
  rc = 0;
out:
  if (fclose(f))
    rc = -1;
  return rc;
}

/* Prints the main demo logins; the other departments' liaisons (lines
 * marked +) stay in the file. */
static void print_demo_logins(const char *data) {
  char path[HV_PATH_MAX + 32], line[256];
  int more = 0;
  snprintf(path, sizeof path, "%s/demo-logins.txt", data);
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '+')
      more++;
    else
      fputs(line, stdout);
  }
  fclose(f);
  if (more)
    printf("  ... and a liaison for each of %d more departments: see %s\n", more, path);
}

int hv_cmd_demo(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  int rc = hv_cli_setup("demo", argc, argv, &cfg, rest, &nrest, &stop);
  struct hv_store *s = NULL;
  if (stop)
    return rc;
  if ((rc = no_extra("demo", nrest, rest)))
    return rc;
  hv_time_init(cfg.timezone); /* "today" for the sample plans is the city's date */
  if (hv_cli_open_store(&cfg, 1, &s))
    return 1;
  struct demo_ctx d = {0, 0, 0};
  enum hv_qs qs = hv_store_tx(s, true, demo_tx, &d);
  rc = 0;
  if (qs < 0) {
    fprintf(stderr, "haven demo: loading the sample city failed; nothing was saved\n");
    rc = 1;
  } else if (d.loaded) {
    printf("the database already holds a city; the demo was not loaded again\n");
    print_demo_logins(cfg.data);
  } else {
    printf("demo city loaded: %d departments, %d facilities\n", d.departments, d.facilities);
    int topics = 0, texts = 0, legal = 0, programs = 0, plans = 0, vendors = 0, contracts = 0;
    if (demo_users(s, cfg.data)) {
      fprintf(stderr, "haven demo: creating the demo users failed\n");
      rc = 1;
    } else if (hv_demo_kyr(s, &topics, &texts)) {
      fprintf(stderr, "haven demo: loading the sample Know-Your-Rights content failed\n");
      rc = 1;
    } else if (hv_demo_kyr_directories(s, &legal, &programs)) {
      fprintf(stderr, "haven demo: loading the sample help directories failed\n");
      rc = 1;
    } else if (hv_demo_foia(s)) {
      rc = 1;
    } else if (hv_demo_workgroup(s)) {
      rc = 1;
    } else if (hv_demo_plans(s, &plans)) {
      rc = 1;
    } else if (hv_demo_contractors(s, cfg.data, &vendors, &contracts)) {
      rc = 1;
    } else if (hv_demo_training(s)) {
      rc = 1;
    } else {
      printf("sample contractors: %d vendors, %d contracts in every coverage state\n", vendors,
             contracts);
      printf("directives ED 12 and ED 17 recorded; ED 12 issued: %d department plans, a few "
             "filled in\n",
             plans);
      printf("the directive's FOIA request to ICE recorded (sample dates and tracking number)\n");
      printf("the LAPD working group's sample consultations and recommendations recorded\n");
      printf("sample Know-Your-Rights content published: %d topics, %d texts (awaiting the City "
             "Attorney's review)\n",
             topics, texts);
      printf("sample help directories: %d legal service providers, %d City programs (not "
             "verified)\n",
             legal, programs);
      print_demo_logins(cfg.data);
    }
  }
  hv_store_free(s);
  return rc;
}

/* --- backup -------------------------------------------------------------- */

int hv_cmd_backup(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  char err[512];
  int rc = hv_cli_setup("backup", argc, argv, &cfg, rest, &nrest, &stop);
  struct hv_store *s = NULL;
  if (stop)
    return rc;
  if (nrest != 1 || rest[0][0] == '-') {
    fprintf(stderr, "haven backup: give exactly one FILE to write (see haven backup --help)\n");
    return 2;
  }
  if (strncmp(cfg.db, "sqlite:", 7) != 0) {
    fprintf(stderr, "haven backup: the database is PostgreSQL; back it up with pg_dump "
                    "(pg_dump --format=custom --file=FILE DBNAME; see docs/operations.md)\n");
    return 1;
  }
  if (hv_store_open(cfg.db, 1, &s, err, sizeof err)) {
    fprintf(stderr, "haven backup: %s\n", err);
    return 1;
  }
  FILE *probe = fopen(rest[0], "rb");
  if (probe) {
    fclose(probe);
    fprintf(stderr, "haven backup: %s already exists; choose a new file name\n", rest[0]);
    hv_store_free(s);
    return 1;
  }
  if (hv_store_backup(s, rest[0], err, sizeof err)) {
    fprintf(stderr, "haven backup: %s\n", err);
    rc = 1;
  } else {
    printf("backup written to %s\n", rest[0]);
  }
  hv_store_free(s);
  return rc;
}

/* --- routes -------------------------------------------------------------- */

/* Prints the route table as JSON lines: the generated route x role matrix
 * in the API tests reads it, so no route can escape the test. */
int hv_cmd_routes(int argc, char **argv) {
  char err[256];
  (void)argv;
  if (argc > 0) {
    printf("usage: haven routes\nPrints every route with its roles, one JSON object a line.\n");
    return strcmp(argv[0], "--help") == 0 ? 0 : 2;
  }
  struct hv_router *r = hv_router_new();
  if (!r || hv_app_routes(r, err, sizeof err)) {
    fprintf(stderr, "haven routes: %s\n", r ? err : "out of memory");
    hv_router_free(r);
    return 1;
  }
  for (size_t i = 0; i < hv_router_count(r); i++) {
    const struct hv_route *rt = hv_router_at(r, i);
    char roles[128];
    hv_roles_format(rt->roles, roles, sizeof roles);
    json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:b, s:b, s:b, s:I, s:b}", "method",
                          hv_method_name(rt->method), "pattern", rt->pattern, "public",
                          (rt->flags & HV_R_PUBLIC) != 0, "roles", roles, "csrf",
                          (rt->flags & HV_R_CSRF) != 0, "loopback", (rt->flags & HV_R_LOOPBACK) != 0,
                          "api", (rt->flags & HV_R_API) != 0, "body_max", (json_int_t)rt->body_max,
                          "webhook", (rt->flags & HV_R_WEBHOOK) != 0);
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    puts(s ? s : "{}");
    free(s);
    json_decref(j);
  }
  hv_router_free(r);
  return 0;
}

/* --- import -------------------------------------------------------------- */

int hv_cmd_import(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  struct hv_store *s = NULL;
  struct hv_import_result r;
  char *data = NULL;
  int rc = hv_cli_setup("import", argc, argv, &cfg, rest, &nrest, &stop);
  if (stop)
    return rc;
  int kind = nrest == 2 ? hv_import_kind_parse(rest[0]) : -1;
  if (kind < 0) {
    fprintf(stderr, "usage: haven import departments|facilities|users FILE.csv\n"
                    "Columns (first row):\n"
                    "  departments: code, name, contact_email, contact_phone, liaison_email, "
                    "backup_liaison_email\n"
                    "  facilities:  department_code, name, address, kind, latitude, longitude, areas\n"
                    "  users:       email, name, roles (separated by ;), department_code\n");
    return 2;
  }
  FILE *f = fopen(rest[1], "rb");
  if (!f) {
    fprintf(stderr, "haven import: cannot open %s\n", rest[1]);
    return 1;
  }
  data = malloc(4u << 20);
  size_t len = data ? fread(data, 1, 4u << 20, f) : 0;
  bool too_big = data && !feof(f);
  fclose(f);
  if (!data || too_big) {
    fprintf(stderr, "haven import: %s is larger than 4 MiB\n", rest[1]);
    free(data);
    return 1;
  }
  if (hv_cli_open_store(&cfg, 1, &s)) {
    free(data);
    return 1;
  }
  int res = hv_import(s, "cli", (enum hv_import_kind)kind, data, len, &r);
  if (res < 0) {
    fprintf(stderr, "haven import: the database failed; nothing was saved\n");
    rc = 1;
  } else if (res > 0) {
    size_t i;
    json_t *e;
    fprintf(stderr, "haven import: %s was refused; nothing was saved:\n", rest[1]);
    json_array_foreach(r.errors, i, e) {
      const char *col = json_string_value(json_object_get(e, "column"));
      fprintf(stderr, "  row %lld%s%s: %s\n", (long long)json_integer_value(json_object_get(e, "row")),
              col ? ", column " : "", col ? col : "",
              json_string_value(json_object_get(e, "message")));
    }
    rc = 1;
  } else {
    printf("%s: %d created, %d updated, %d unchanged\n", rest[0], r.created, r.updated, r.unchanged);
    size_t i;
    json_t *p;
    json_array_foreach(r.passwords, i, p) {
      if (i == 0)
        printf("one-time passwords for the new accounts (each must be changed at first sign-in):\n");
      printf("  %-40s %s\n", json_string_value(json_object_get(p, "email")),
             json_string_value(json_object_get(p, "password")));
    }
    rc = 0;
  }
  hv_import_result_free(&r);
  free(data);
  hv_store_free(s);
  return rc;
}
