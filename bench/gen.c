/* haven-bench-gen: scales a demo city up to a city at full size for the
 * benchmarks (bench/incidents.sh): 40 departments, 1,000 facilities, a
 * liaison per department, and N incident reports (default 1,000,000) spread
 * over Y years (default 5), each with its version rows and audit events.
 *
 * It runs on a data folder where `haven demo` has loaded the sample city.
 * Departments, facilities, users, liaisons, the bench's API tokens and
 * session go through the same store functions Haven uses (validated and
 * audited one by one). Reports are bulk-inserted on one connection in large
 * transactions (REPORTS_PER_TX per COMMIT) with prepared statements,
 * bypassing HTTP but not the model: each report's data is built as a JSON
 * object, checked with hv_incident_check (submitted ones as complete),
 * redacted with hv_incident_redact and serialised exactly as the incidents
 * store does (compact, sorted keys); the filter columns are copied out the
 * same way. Each report gets the version rows and audit events Haven would
 * have written for its history (create or alert, edit, submit, review,
 * request_info, verify, close), through hv_audit_append, so `haven audit
 * verify` passes; the audit events carry the actor "cli" and the time of
 * the load (the log records when rows were written, not when the
 * incidents happened). Reference numbers are INC-YEAR-NNNNNN by the year
 * of filing, in filing order, and incident_counters ends at each year's
 * last number, so reports filed afterwards continue the sequence.
 *
 * Not installed: a developer tool, built beside haven by meson. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "modules/accounts/accounts.h"
#include "modules/incidents/incidents.h"
#include "modules/registry/registry.h"
#include "store/store.h"

#define REPORTS_PER_TX 20000
#define TARGET_DEPARTMENTS 40
#define TARGET_FACILITIES 1000
#define MAX_DEPTS 64

/* --- a small, seeded, fast random source (xorshift64*) ---------------- */

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static int64_t rnd_range(int64_t lo, int64_t hi) { /* [lo, hi] */
  return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
static int chance(int percent) { return (int)(rnd() % 100) < percent; }

struct weighted {
  const char *code;
  int weight;
};
static const char *pick(const struct weighted *w) {
  int total = 0;
  for (const struct weighted *p = w; p->code; p++)
    total += p->weight;
  int r = (int)(rnd() % (uint64_t)total);
  for (const struct weighted *p = w; p->code; p++) {
    if (r < p->weight)
      return p->code;
    r -= p->weight;
  }
  return w->code;
}

/* --- the city's additions ---------------------------------------------- */

static const char *const extra_departments[][2] = {
    {"CTR", "Office of the Controller"},
    {"ATTY", "Office of the City Attorney"},
    {"ZOO", "Los Angeles Zoo"},
    {"ELP", "El Pueblo de Los Angeles Historical Monument"},
    {"CTD", "Convention and Tourism Development"},
    {"FIN", "Office of Finance"},
    {"BPW", "Board of Public Works"},
    {"COUNCIL", "City Council"},
    {"LACERS", "Los Angeles City Employees' Retirement System"},
    {"LAFPP", "Fire and Police Pensions"},
    {"CANNABIS", "Department of Cannabis Regulation"},
    {"HCID", "Community Investment for Families"},
};

static const char *const streets[] = {
    "Spring St",          "Main St",       "Broadway",       "Figueroa St",
    "Vermont Ave",        "Western Ave",   "Sunset Blvd",    "Pico Blvd",
    "Olympic Blvd",       "Central Ave",   "Sepulveda Blvd", "Van Nuys Blvd",
    "Cesar E Chavez Ave", "Whittier Blvd", "Crenshaw Blvd",  "Lankershim Blvd"};
static const char *const neighbourhoods[] = {
    "Boyle Heights", "Van Nuys",    "Watts",       "Highland Park", "Pacoima",
    "Wilmington",    "Koreatown",   "Westlake",    "Sylmar",        "San Pedro",
    "Echo Park",     "Canoga Park", "Harbor City", "Eagle Rock",    "Lincoln Heights",
    "Reseda",        "Sun Valley",  "Venice",      "Hollywood",     "Chinatown"};

struct dept {
  int64_t id;
  char code[24];
  int64_t liaison;        /* user id of the liaison who files */
  int64_t facilities[64]; /* ids */
  int nfac;
};

struct city {
  struct dept d[MAX_DEPTS];
  int n;
  int64_t admin, moia, moia2;
};

static struct hv_sql q_depts = HV_SQL("SELECT id, code FROM departments ORDER BY id");
static struct hv_sql q_fac_count = HV_SQL("SELECT COUNT(*) FROM facilities");
static struct hv_sql q_facs = HV_SQL("SELECT id, department_id FROM facilities ORDER BY id");
static struct hv_sql q_user_by_email = HV_SQL("SELECT id FROM users WHERE email = ?");
static struct hv_sql q_incident_count = HV_SQL("SELECT COUNT(*) FROM incidents");

static int dept_row(void *cls, const struct hv_row *r) {
  struct city *c = cls;
  if (c->n == MAX_DEPTS)
    return 1;
  struct dept *d = &c->d[c->n++];
  memset(d, 0, sizeof *d);
  d->id = hv_row_int(r, 0);
  snprintf(d->code, sizeof d->code, "%s", hv_row_text(r, 1));
  return 0;
}

static int fac_row(void *cls, const struct hv_row *r) {
  struct city *c = cls;
  int64_t id = hv_row_int(r, 0), dept = hv_row_int(r, 1);
  for (int i = 0; i < c->n; i++)
    if (c->d[i].id == dept && c->d[i].nfac < 64)
      c->d[i].facilities[c->d[i].nfac++] = id;
  return 0;
}

static const char *kind_for(const char *code) {
  if (!strcmp(code, "LAPL"))
    return "library";
  if (!strcmp(code, "RAP"))
    return chance(50) ? "park" : "recreation_center";
  if (!strcmp(code, "LAFD") || !strcmp(code, "LAPD"))
    return "station";
  if (!strcmp(code, "LAWA"))
    return "airport";
  if (!strcmp(code, "POLA"))
    return "port";
  if (!strcmp(code, "LASAN") || !strcmp(code, "LADWP"))
    return "plant";
  if (!strcmp(code, "StreetsLA") || !strcmp(code, "GSD") || !strcmp(code, "LADOT"))
    return "yard";
  if (!strcmp(code, "ANIMAL"))
    return "shelter";
  return "office";
}

static const char *kind_label(const char *kind) {
  static const char *const k[][2] = {{"library", "Branch Library"},
                                     {"park", "Park"},
                                     {"recreation_center", "Recreation Center"},
                                     {"station", "Station"},
                                     {"airport", "Terminal"},
                                     {"port", "Berth"},
                                     {"plant", "Plant"},
                                     {"yard", "Yard"},
                                     {"shelter", "Animal Care Center"},
                                     {"office", "Service Center"}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    if (!strcmp(k[i][0], kind))
      return k[i][1];
  return "Site";
}

struct registry_args {
  struct city *c;
  const char *pw_hash;
  int added_depts, added_facs, added_users;
};

static enum hv_qs registry_tx(struct hv_conn *conn, void *cls) {
  struct registry_args *a = cls;
  struct city *c = a->c;
  enum hv_qs qs;
  const char *field, *why;
  int changed;
  int64_t id, nfac = 0;
  a->added_depts = a->added_facs = a->added_users = 0;
  c->n = 0;
  if ((qs = hv_db_query(conn, &q_depts, NULL, 0, dept_row, c)) < 0)
    return qs;
  for (size_t i = 0;
       c->n < TARGET_DEPARTMENTS && i < sizeof extra_departments / sizeof extra_departments[0];
       i++) {
    struct hv_department d = {0, extra_departments[i][0], extra_departments[i][1], NULL, NULL};
    if ((why = hv_department_check(&d, &field))) {
      fprintf(stderr, "haven-bench-gen: department %s: %s\n", d.code, why);
      return HV_QS_HARD;
    }
    if ((qs = hv_department_upsert_tx(conn, "cli", &d, &changed, &id)) < 0)
      return qs;
    if (changed == 1) {
      a->added_depts++;
      c->n = 0;
      if ((qs = hv_db_query(conn, &q_depts, NULL, 0, dept_row, c)) < 0)
        return qs;
    }
  }
  if ((qs = hv_db_int(conn, &q_fac_count, NULL, 0, &nfac)) < 0)
    return qs;
  /* facilities: round-robin over departments, bigger ones more often */
  for (int64_t k = nfac; k < TARGET_FACILITIES; k++) {
    struct dept *d = &c->d[k % 3 == 0 ? (int)(k / 3 % c->n) : (int)(rnd() % (uint64_t)c->n)];
    const char *kind = kind_for(d->code);
    char name[160], addr[160], lat[24], lon[24], areas[200];
    snprintf(name, sizeof name, "%s %s %s %lld", neighbourhoods[k % 20], d->code, kind_label(kind),
             (long long)k + 1);
    snprintf(addr, sizeof addr, "%lld %s, Los Angeles, CA 900%02lld",
             (long long)rnd_range(100, 19999), streets[rnd() % 16], (long long)rnd_range(1, 99));
    snprintf(lat, sizeof lat, "%.6f", 33.75 + (double)rnd_range(0, 550000) / 1e6);
    snprintf(lon, sizeof lon, "%.6f", -118.65 + (double)rnd_range(0, 500000) / 1e6);
    snprintf(areas, sizeof areas,
             "Public lobby:public; Service counter:public; Parking lot:public; "
             "Staff offices:non-public; Storage:non-public");
    struct hv_facility f;
    memset(&f, 0, sizeof f);
    f.name = name;
    f.address = addr;
    f.kind = kind;
    f.has_coords =
        hv_coord_parse(lat, 90, &f.lat_e6) == 0 && hv_coord_parse(lon, 180, &f.lon_e6) == 0;
    if (!f.has_coords || hv_areas_parse(areas, &f, &why) || (why = hv_facility_check(&f, &field))) {
      fprintf(stderr, "haven-bench-gen: facility %s: %s\n", name, why ? why : "bad coordinates");
      return HV_QS_HARD;
    }
    if ((qs = hv_facility_upsert_tx(conn, "cli", d->code, &f, &changed)) < 0)
      return qs;
    a->added_facs++;
  }
  if ((qs = hv_db_query(conn, &q_facs, NULL, 0, fac_row, c)) < 0)
    return qs;
  /* a liaison for every department that has none yet (the demo made one
   * for each of its own departments) */
  for (int i = 0; i < c->n; i++) {
    char email[96], name[96], lower[24];
    size_t k = 0;
    for (; c->d[i].code[k] && k + 1 < sizeof lower; k++)
      lower[k] = (char)((c->d[i].code[k] >= 'A' && c->d[i].code[k] <= 'Z') ? c->d[i].code[k] + 32
                                                                           : c->d[i].code[k]);
    lower[k] = '\0';
    if (!strcmp(c->d[i].code, "LAPL"))
      snprintf(lower, sizeof lower, "library");
    else if (!strcmp(c->d[i].code, "RAP"))
      snprintf(lower, sizeof lower, "parks");
    snprintf(email, sizeof email, "liaison.%s@demo.lacity.org", lower);
    struct hv_param p[] = {HV_P_TEXT(email)};
    int64_t uid = 0;
    if ((qs = hv_db_int(conn, &q_user_by_email, p, 1, &uid)) < 0)
      return qs;
    if (qs == HV_QS_NONE) {
      unsigned roles = 0;
      snprintf(name, sizeof name, "%s Liaison (bench)", c->d[i].code);
      hv_roles_parse("liaison", &roles);
      if ((qs = hv_accounts_upsert_user_tx(conn, "cli", email, name, c->d[i].id, roles, a->pw_hash,
                                           &changed)) < 0)
        return qs;
      if ((qs = hv_db_int(conn, &q_user_by_email, p, 1, &uid)) <= 0)
        return HV_QS_HARD;
      const char *bad = NULL;
      if ((qs = hv_department_set_liaisons(conn, "cli", c->d[i].id, email, NULL, &bad)) < 0)
        return qs;
      a->added_users++;
    }
    c->d[i].liaison = uid;
  }
  const char *who[] = {"admin@demo.lacity.org", "moia@demo.lacity.org"};
  int64_t *dst[] = {&c->admin, &c->moia};
  for (int i = 0; i < 2; i++) {
    struct hv_param p[] = {HV_P_TEXT(who[i])};
    if ((qs = hv_db_int(conn, &q_user_by_email, p, 1, dst[i])) <= 0) {
      fprintf(stderr, "haven-bench-gen: %s is missing: load the demo city first\n", who[i]);
      return HV_QS_HARD;
    }
  }
  /* a second MOIA reviewer, so the verifier is never the filer */
  struct hv_param p2[] = {HV_P_TEXT("moia.reviewer@demo.lacity.org")};
  if ((qs = hv_db_int(conn, &q_user_by_email, p2, 1, &c->moia2)) < 0)
    return qs;
  if (qs == HV_QS_NONE) {
    unsigned roles = 0;
    hv_roles_parse("moia", &roles);
    if ((qs = hv_accounts_upsert_user_tx(conn, "cli", "moia.reviewer@demo.lacity.org",
                                         "MOIA Reviewer (bench)", 0, roles, a->pw_hash, &changed)) <
        0)
      return qs;
    if (hv_db_int(conn, &q_user_by_email, p2, 1, &c->moia2) <= 0)
      return HV_QS_HARD;
    a->added_users++;
  }
  return HV_QS_ONE;
}

/* --- reports -------------------------------------------------------------- */

static const struct weighted w_agency[] = {
    {"ice_ero", 50},      {"ice_hsi", 12}, {"cbp", 14}, {"border_patrol", 10},
    {"other_federal", 6}, {"unknown", 8},  {NULL, 0}};
static const struct weighted w_appearance[] = {
    {"uniform_marked", 30}, {"plain_clothes", 25}, {"tactical", 20}, {"face_covered", 15},
    {"id_visible", 5},      {"no_id", 5},          {NULL, 0}};
static const struct weighted w_document[] = {
    {"none", 45},      {"judicial_warrant", 6}, {"admin_i200", 14},
    {"admin_i205", 8}, {"subpoena", 4},         {"notice_of_inspection", 3},
    {"other", 5},      {"unknown", 15},         {NULL, 0}};
static const struct weighted w_access[] = {{"not_requested", 55},
                                           {"refused", 30},
                                           {"granted", 7},
                                           {"entered_without_consent", 8},
                                           {NULL, 0}};
static const struct weighted w_happening[] = {{"agents_present", 45},
                                              {"entry_requested", 15},
                                              {"detention", 15},
                                              {"staging", 15},
                                              {"agents_left", 5},
                                              {"other", 5},
                                              {NULL, 0}};
static const struct weighted w_confidence[] = {
    {"confirmed", 50}, {"probable", 35}, {"unverified", 15}, {NULL, 0}};
static const struct weighted w_notified[] = {
    {"supervisor", 30}, {"liaison", 30}, {"moia", 25}, {"city_attorney", 5},
    {"lapd", 5},        {"other", 5},    {NULL, 0}};

/* Narrative sentences: events, never people (the privacy rule). Words
 * worth searching for: parking, lobby, warrant, vehicles, unmarked,
 * courtyard, loading dock, playground, checkpoint, interpreter... */
static const char *const s_open[] = {
    "Agents arrived at the %s and spoke with the security guard.",
    "A group of federal agents gathered near the %s shortly after opening.",
    "Staff saw agents walking through the %s without stopping at the front desk.",
    "Several unmarked vehicles parked beside the %s and agents stepped out.",
    "Agents waited in the %s for about half an hour before approaching staff.",
    "A patron told the front desk that agents were standing outside the %s.",
};
static const char *const s_places[] = {"main entrance",   "parking lot",  "public lobby",
                                       "courtyard",       "loading dock", "playground",
                                       "service counter", "bus stop",     "side gate"};
static const char *const s_middle[] = {
    "They asked to enter the staff offices and the manager asked to see a judicial warrant.",
    "They showed a paper that staff could not read closely; no copy was left.",
    ("The supervisor explained that non-public areas are closed without a warrant signed by a "
     "judge."),
    "Staff kept services running and moved the queue to the other counter.",
    "Agents questioned people waiting in line and then left through the parking lot.",
    "An interpreter on duty helped staff explain the posted Know Your Rights notice.",
    "Agents set up what looked like a checkpoint near the driveway for some time.",
    "The branch closed the meeting room early so the program could continue elsewhere.",
    "Staff called the department liaison and followed the posted protocol.",
    "Security asked the agents to stay in the public area and they did so.",
};
static const char *const s_close[] = {
    "The agents left without entering any non-public area.",
    "Everyone inside was safe and services resumed soon after.",
    "Staff wrote down the vehicle descriptions and the time the agents left.",
    "The liaison was informed and MOIA was told within the hour.",
    "No one was taken from the premises as far as staff could see.",
};

static void narrative(char *out, size_t cap) {
  int n = snprintf(out, cap, s_open[rnd() % 6], s_places[rnd() % 9]);
  int m = (int)rnd_range(1, 3);
  for (int i = 0; i < m && n > 0 && (size_t)n < cap; i++)
    n += snprintf(out + n, cap - (size_t)n, " %s", s_middle[rnd() % 10]);
  if (n > 0 && (size_t)n < cap)
    snprintf(out + n, cap - (size_t)n, " %s", s_close[rnd() % 5]);
}

static void local_minute(int64_t ms, char out[20]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(out, 20, "%Y-%m-%dT%H:%M", &tm);
}

static json_t *choices(const struct weighted *w, int lo, int hi) {
  json_t *a = json_array();
  int n = (int)rnd_range(lo, hi);
  for (int tries = 0; (int)json_array_size(a) < n && tries < 20; tries++) {
    const char *code = pick(w);
    size_t i;
    json_t *v;
    int dup = 0;
    json_array_foreach(a, i, v) dup |= !strcmp(json_string_value(v), code);
    if (!dup)
      json_array_append_new(a, json_string(code));
  }
  return a;
}

static struct hv_sql q_ins = HV_SQL(
    "INSERT INTO incidents (id, ref, department_id, facility_id, status, version, from_alert, "
    "started_at, ended_at, reported_at, submitted_at, filed_by, agencies, document_type, "
    "access_outcome, confidence, verified_by, verified_at, refer_legal, refer_workgroup, alert, "
    "data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, "
    "?, ?, ?, ?, ?)");
static struct hv_sql q_ver = HV_SQL(
    "INSERT INTO incident_versions (incident_id, version, status, changed_by, changed_at, action, "
    "note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static struct hv_sql q_counter = HV_SQL(
    "INSERT INTO incident_counters (year, last) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET "
    "last = CASE WHEN excluded.last > incident_counters.last THEN excluded.last ELSE "
    "incident_counters.last END");
static struct hv_sql q_max_id = HV_SQL("SELECT COALESCE(MAX(id), 0) FROM incidents");
static struct hv_sql q_cache = HV_SQL("PRAGMA cache_size = -262144");

struct gen {
  struct city *city;
  const int64_t *starts; /* sorted */
  int64_t n, done, now, next_id;
  int64_t last[200]; /* last reference number given in 1970 + i */
  int64_t problems, redacted, versions;
  int64_t status_count[HV_ST_MAX];
};

static void problem(void *cls, const char *field, const char *message) {
  struct gen *g = cls;
  if (g->problems++ < 5)
    fprintf(stderr, "haven-bench-gen: generated report invalid: %s: %s\n", field ? field : "-",
            message);
}

static enum hv_qs version(struct hv_conn *c, struct gen *g, int64_t id, const char *ref, int v,
                          const char *status, int64_t by, int64_t at, const char *action,
                          const char *note, const char *data) {
  struct hv_param p[] = {HV_P_INT(id), HV_P_INT(v),       HV_P_TEXT(status), HV_P_INT(by),
                         HV_P_INT(at), HV_P_TEXT(action), HV_P_TEXT(note),   HV_P_TEXT(data)};
  enum hv_qs qs = hv_db_exec(c, &q_ver, p, 8);
  if (qs < 0)
    return qs;
  char oid[32], act[40];
  snprintf(oid, sizeof oid, "%lld", (long long)id);
  snprintf(act, sizeof act, "incident.%s", action);
  struct hv_audit_event ev = {"cli", act, "incident", oid, ref, strlen(ref)};
  g->versions++;
  return hv_audit_append(c, &ev);
}

static enum hv_qs counter_flush(struct hv_conn *c, struct gen *g) {
  enum hv_qs qs = HV_QS_NONE;
  for (int y = 0; y < 200 && qs >= 0; y++)
    if (g->last[y]) {
      struct hv_param p[] = {HV_P_INT(1970 + y), HV_P_INT(g->last[y])};
      qs = hv_db_exec(c, &q_counter, p, 2);
    }
  return qs;
}

static enum hv_qs one_report(struct hv_conn *c, struct gen *g, int64_t started_ms) {
  struct city *city = g->city;
  /* departments are unequal: a few see most activity */
  int di = chance(60) ? (int)(rnd() % 8) : (int)(rnd() % (uint64_t)city->n);
  struct dept *d = &city->d[di];
  if (!d->nfac)
    d = &city->d[0];
  int64_t facility = d->facilities[rnd() % (uint64_t)d->nfac];
  int64_t filer = d->liaison;
  char started[20], ended[20], at1[20], at2[20], text[1400];
  local_minute(started_ms, started);
  int64_t start = 0;
  hv_local_datetime(started, &start);
  int64_t now = g->now;
  int64_t age_days = (now - start) / 86400000;
  bool from_alert = chance(20);
  int64_t alert_at = start + rnd_range(2, 20) * 60000;
  int64_t reported = start + rnd_range(from_alert ? 25 : 30, 900) * 60000;
  if (reported > now)
    reported = now;
  if (alert_at > reported)
    alert_at = reported;

  /* the status it has reached: old reports are settled */
  const char *status;
  int r = (int)(rnd() % 100);
  if (age_days > 90)
    status = r < 55   ? "closed"
             : r < 95 ? "verified"
             : r < 97 ? "submitted"
             : r < 98 ? "in_review"
                      : "needs_info";
  else if (age_days > 14)
    status = r < 20   ? "closed"
             : r < 60 ? "verified"
             : r < 75 ? "submitted"
             : r < 87 ? "in_review"
             : r < 94 ? "needs_info"
                      : "draft";
  else
    status = r < 15   ? "draft"
             : r < 50 ? "submitted"
             : r < 70 ? "in_review"
             : r < 80 ? "needs_info"
                      : "verified";
  int st = hv_status_parse(status);
  bool complete = st != HV_ST_DRAFT || chance(50);

  json_t *data = json_object();
  json_object_set_new(data, "facility_id", json_integer(facility));
  json_object_set_new(data, "started_at", json_string(started));
  json_object_set_new(data, "agencies", choices(w_agency, 1, 3));
  if (complete || chance(50)) {
    json_object_set_new(data, "agents_count", json_integer(rnd_range(1, 24)));
    json_object_set_new(data, "document_type", json_string(pick(w_document)));
    const char *acc = pick(w_access);
    json_object_set_new(data, "access", json_string(acc));
    if (strcmp(acc, "not_requested") != 0) {
      json_object_set_new(data, "access_area",
                          json_string(chance(50) ? "Staff offices" : "Storage"));
      json_object_set_new(data, "access_decided_by",
                          json_string(chance(60) ? "Facility manager" : "Security supervisor"));
    }
    narrative(text, sizeof text);
    json_object_set_new(data, "narrative", json_string(text));
  }
  if (chance(60))
    json_object_set_new(data, "area", json_string(chance(50) ? "Public lobby" : "Parking lot"));
  int64_t end_ms = start + rnd_range(10, 240) * 60000;
  int64_t end_parsed = 0;
  if (chance(80) && end_ms <= now) {
    local_minute(end_ms, ended);
    /* across the autumn clock change a local time can read as before the
     * start: such a report just has no end time */
    if (!hv_local_datetime(ended, &end_parsed) && end_parsed >= start)
      json_object_set_new(data, "ended_at", json_string(ended));
  }
  if (chance(70))
    json_object_set_new(data, "vehicles_count", json_integer(rnd_range(0, 8)));
  if (chance(70))
    json_object_set_new(data, "appearance", choices(w_appearance, 1, 3));
  if (chance(15))
    json_object_set_new(data, "names_badges",
                        json_string("Badge numbers were covered; one vest read POLICE."));
  json_object_set_new(data, "document_copy", json_boolean(chance(30)));
  bool staging = chance(15);
  json_object_set_new(data, "staging", json_boolean(staging));
  if (staging)
    json_object_set_new(data, "staging_note",
                        json_string("Vehicles used the staff parking area as a meeting point."));
  if (chance(25))
    json_object_set_new(data, "detained_count", json_integer(rnd_range(0, 3)));
  if (chance(40))
    json_object_set_new(data, "questioned_count", json_integer(rnd_range(0, 12)));
  bool disrupted = chance(25);
  json_object_set_new(data, "services_disrupted", json_boolean(disrupted));
  if (disrupted)
    json_object_set_new(data, "disruption_minutes", json_integer(rnd_range(5, 180)));
  bool lapd = chance(12);
  json_object_set_new(data, "lapd_present", json_boolean(lapd));
  if (lapd)
    json_object_set_new(data, "lapd_bwc", json_string(chance(70) ? "yes" : "unknown"));
  if (chance(4)) {
    json_object_set_new(data, "contractor_involved", json_true());
    json_object_set_new(data, "contractor_note",
                        json_string("Contract security staff opened a side gate."));
  }
  int64_t t1 = start + rnd_range(5, 20) * 60000, t2 = t1 + rnd_range(5, 60) * 60000;
  if (t2 <= now) {
    json_t *nots = json_array();
    local_minute(t1, at1);
    local_minute(t2, at2);
    json_array_append_new(nots, json_pack("{s:s, s:s}", "who", pick(w_notified), "at", at1));
    json_array_append_new(nots, json_pack("{s:s, s:s}", "who", "moia", "at", at2));
    json_object_set_new(data, "notifications", nots);
  }

  json_t *alert = NULL;
  if (from_alert) {
    alert = json_pack("{s:I, s:s, s:O, s:b}", "facility_id", (json_int_t)facility, "happening",
                      pick(w_happening), "agencies", json_object_get(data, "agencies"),
                      "entry_requested", chance(30));
    if (chance(40))
      json_object_set_new(alert, "note", json_string("Agents near the entrance, staff are calm."));
  }

  size_t found = 0;
  int bad = hv_incident_check(data, st != HV_ST_DRAFT, now, problem, g);
  if (alert)
    bad += hv_alert_check(alert, now, problem, g);
  if (hv_incident_redact(data, &found, NULL) || (alert && hv_alert_redact(alert, &found, NULL)))
    bad++;
  g->redacted += (int64_t)found;
  if (bad) {
    json_decref(data);
    json_decref(alert);
    return HV_QS_HARD;
  }

  /* the filter columns, as the incidents store copies them out */
  char agencies[128] = "";
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(data, "agencies"), i, a) {
    size_t n = strlen(agencies);
    snprintf(agencies + n, sizeof agencies - n, ",%s", json_string_value(a));
  }
  if (agencies[0])
    strncat(agencies, ",", sizeof agencies - strlen(agencies) - 1);
  int64_t ended_col = 0;
  const char *es = json_string_value(json_object_get(data, "ended_at"));
  if (es)
    hv_local_datetime(es, &ended_col);
  char doc[40], acc[40]; /* copies: `data` is freed before the insert */
  snprintf(doc, sizeof doc, "%s",
           json_string_value(json_object_get(data, "document_type"))
               ? json_string_value(json_object_get(data, "document_type"))
               : "");
  snprintf(acc, sizeof acc, "%s",
           json_string_value(json_object_get(data, "access"))
               ? json_string_value(json_object_get(data, "access"))
               : "");

  /* its reference number: by the year it was filed, in filing order */
  int64_t filed = from_alert ? alert_at : reported;
  time_t ft = (time_t)(filed / 1000);
  struct tm tm;
  localtime_r(&ft, &tm);
  int yi = tm.tm_year - 70 < 0 ? 0 : tm.tm_year - 70 >= 200 ? 199 : tm.tm_year - 70;
  char ref[48];
  snprintf(ref, sizeof ref, "INC-%04d-%06lld", 1970 + yi, (long long)++g->last[yi]);

  char *js = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
  char *als = alert ? json_dumps(alert, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  char *first = NULL;
  if (alert) { /* the report an alert starts: its facility and agencies */
    json_t *fd = json_pack("{s:O}", "facility_id", json_object_get(alert, "facility_id"));
    json_object_set(fd, "agencies", json_object_get(alert, "agencies"));
    first = json_dumps(fd, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(fd);
  }

  /* its history, as Haven's writes would have made it (rows written
   * after the report's own row: the versions refer to it) */
  struct ver {
    const char *status, *action, *note, *data;
    int64_t by, at;
  } vs[8];
  int v = 0;
  int64_t id = g->next_id++;
  int64_t at = filed, submitted = 0, verified_at = 0, verifier = 0;
  const char *confidence = NULL;
  enum hv_qs qs;
#define VER(st_, by_, action_, note_, data_)                                                       \
  (vs[v++] = (struct ver){st_, action_, note_, data_, by_, at})
  if (from_alert) {
    VER("draft", filer, "alert", NULL, first);
    at = reported;
    VER("draft", filer, "edit", NULL, js);
  } else {
    VER("draft", filer, "create", NULL, js);
  }
  if (st != HV_ST_DRAFT) {
    at += rnd_range(10, 600) * 60000;
    submitted = at;
    VER("submitted", filer, "submit", NULL, js);
  }
  if (st == HV_ST_IN_REVIEW || (st >= HV_ST_VERIFIED && chance(50))) {
    at += rnd_range(60, 2880) * 60000;
    VER("in_review", city->moia, "review", NULL, js);
  }
  if (st == HV_ST_NEEDS_INFO) {
    at += rnd_range(60, 2880) * 60000;
    VER("needs_info", city->moia, "request_info",
        "Please add when the agents left and whether a document was shown.", js);
  }
  if (st >= HV_ST_VERIFIED) {
    at += rnd_range(60, 4320) * 60000;
    confidence = pick(w_confidence);
    verifier = filer == city->moia ? city->moia2 : city->moia;
    verified_at = at;
    VER("verified", verifier, "verify", confidence, js);
  }
  if (st == HV_ST_CLOSED) {
    at += rnd_range(1440, 20160) * 60000;
    VER("closed", city->moia, "close", NULL, js);
  }
#undef VER
  /* settled in the past: nothing is dated after the load */
  for (int k = 0; k < v; k++)
    if (vs[k].at > now)
      vs[k].at = now;
  if (verified_at > now)
    verified_at = now;
  if (submitted > now)
    submitted = now;
  {
    struct hv_param p[] = {HV_P_INT(id),
                           HV_P_TEXT(ref),
                           HV_P_INT(d->id),
                           HV_P_INT(facility),
                           HV_P_TEXT(status),
                           HV_P_INT(v),
                           HV_P_INT(from_alert ? 1 : 0),
                           HV_P_INT(start),
                           ended_col ? HV_P_INT(ended_col) : HV_P_NULL,
                           HV_P_INT(filed),
                           submitted ? HV_P_INT(submitted) : HV_P_NULL,
                           HV_P_INT(filer),
                           HV_P_TEXT(agencies),
                           HV_P_TEXT(doc),
                           HV_P_TEXT(acc),
                           HV_P_TEXT(confidence),
                           verifier ? HV_P_INT(verifier) : HV_P_NULL,
                           verified_at ? HV_P_INT(verified_at) : HV_P_NULL,
                           HV_P_INT(0),
                           HV_P_INT(0),
                           HV_P_TEXT(als),
                           HV_P_TEXT(js),
                           HV_P_INT(filed),
                           HV_P_INT(vs[v - 1].at)};
    qs = hv_db_exec(c, &q_ins, p, 24);
  }
  if (qs >= 0) /* SQLite's full-text index, as Haven writes it */
    qs = hv_incident_search_index(c, id, ref, data, alert);
  json_decref(data);
  json_decref(alert);
  for (int k = 0; k < v && qs >= 0; k++)
    qs = version(c, g, id, ref, k + 1, vs[k].status, vs[k].by, vs[k].at, vs[k].action, vs[k].note,
                 vs[k].data);
  if (qs >= 0)
    g->status_count[st]++;
  free(js);
  free(als);
  free(first);
  return qs;
}

static enum hv_qs reports_tx(struct hv_conn *c, void *cls) {
  struct gen *g = cls;
  enum hv_qs qs = hv_db_exec(c, &q_cache, NULL, 0);
  if (qs < 0)
    return qs;
  int64_t end = g->done + REPORTS_PER_TX < g->n ? g->done + REPORTS_PER_TX : g->n;
  for (int64_t k = g->done; k < end; k++)
    if ((qs = one_report(c, g, g->starts[k])) < 0)
      return qs;
  if ((qs = counter_flush(c, g)) < 0)
    return qs;
  g->done = end;
  return HV_QS_ONE;
}

static enum hv_qs count_tx(struct hv_conn *c, void *cls) {
  return hv_db_int(c, &q_incident_count, NULL, 0, cls);
}

static enum hv_qs max_id_tx(struct hv_conn *c, void *cls) {
  return hv_db_int(c, &q_max_id, NULL, 0, cls);
}

/* --- what the benchmark scripts need ------------------------------------- */

struct session_args {
  int64_t user;
  char token[HV_TOKEN_LEN + 1], csrf[HV_TOKEN_LEN + 1];
};

static enum hv_qs session_tx(struct hv_conn *c, void *cls) {
  struct session_args *a = cls;
  int64_t sid = 0;
  return hv_session_create(c, a->user, a->token, a->csrf, &sid);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static double secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void) {
  fprintf(stderr,
          "usage: haven-bench-gen --data DIR [--reports N] [--years Y] [--seed S]\n"
          "  scales the demo city in DIR (run `haven demo --data DIR` first) to 40 departments,\n"
          "  1,000 facilities and N reports (default 1000000) over Y years (default 5);\n"
          "  writes DIR/bench.env with API tokens, a session cookie and facility ids.\n");
  return 2;
}

int main(int argc, char **argv) {
  struct hv_config cfg;
  char err[512], *rest[64];
  int nrest = 0;
  int64_t nreports = 1000000, years = 5;
  uint64_t seed = 12;
  if (argc > 64)
    return usage();
  hv_config_defaults(&cfg);
  if (hv_config_load(&cfg, argc - 1, argv + 1, rest, &nrest, err, sizeof err)) {
    fprintf(stderr, "haven-bench-gen: %s\n", err);
    return 2;
  }
  for (int i = 0; i < nrest; i++) {
    if (i + 1 < nrest && !strcmp(rest[i], "--reports"))
      nreports = strtoll(rest[++i], NULL, 10);
    else if (i + 1 < nrest && !strcmp(rest[i], "--years"))
      years = strtoll(rest[++i], NULL, 10);
    else if (i + 1 < nrest && !strcmp(rest[i], "--seed"))
      seed = strtoull(rest[++i], NULL, 10);
    else
      return usage();
  }
  if (nreports < 0 || years < 1 || years > 50)
    return usage();
  rng_state ^= seed * 0x9E3779B97F4A7C15ULL;
  hv_time_init(cfg.timezone);
  hv_log_set_level(HV_LOG_WARN);

  struct hv_store *s = NULL;
  if (hv_store_open(cfg.db, 1, &s, err, sizeof err)) {
    fprintf(stderr, "haven-bench-gen: %s\n", err);
    return 1;
  }
  int from, to;
  if (hv_store_migrate(s, &from, &to, err, sizeof err)) {
    fprintf(stderr, "haven-bench-gen: %s\n", err);
    return 1;
  }
  int rc = 1;
  double t0 = secs();
  int64_t existing = 0;
  if (hv_store_tx(s, false, count_tx, &existing) < 0)
    goto out;
  if (existing > 0) {
    fprintf(stderr, "haven-bench-gen: %s already holds %lld reports; use a fresh demo folder\n",
            cfg.data, (long long)existing);
    goto out;
  }

  static struct city city;
  char pw[24], pw_hash[HV_PASSWORD_HASH_MAX];
  hv_password_random(pw, 20); /* nobody signs in as the bench liaisons */
  if (hv_password_hash(pw, pw_hash))
    goto out;
  struct registry_args ra = {&city, pw_hash, 0, 0, 0};
  if (hv_store_tx(s, true, registry_tx, &ra) < 0) {
    fprintf(stderr, "haven-bench-gen: scaling the registry failed (is the demo city loaded?)\n");
    goto out;
  }
  printf("registry: %d departments (+%d), facilities +%d, users +%d\n", city.n, ra.added_depts,
         ra.added_facs, ra.added_users);

  /* the benchmark's credentials: a liaison token that files in one
   * department, a MOIA token and a MOIA session that read citywide */
  struct dept *lapl = &city.d[0];
  for (int i = 0; i < city.n; i++)
    if (!strcmp(city.d[i].code, "LAPL"))
      lapl = &city.d[i];
  struct hv_principal admin;
  memset(&admin, 0, sizeof admin);
  admin.user_id = city.admin;
  snprintf(admin.actor, sizeof admin.actor, "cli");
  char file_token[HV_TOKEN_LEN + 1], read_token[HV_TOKEN_LEN + 1];
  int64_t tid;
  int64_t expires = hv_clock_wall_ms() + 30LL * 86400 * 1000;
  if (hv_tokens_create(s, &admin, "bench filing", HV_ROLE_LIAISON, lapl->id, expires, file_token,
                       &tid) <= 0 ||
      hv_tokens_create(s, &admin, "bench reading", HV_ROLE_MOIA, 0, expires, read_token, &tid) <= 0)
    goto out;
  struct session_args sa = {city.moia, "", ""};
  if (hv_store_tx(s, true, session_tx, &sa) < 0)
    goto out;

  /* the reports, in filing order */
  struct gen g;
  memset(&g, 0, sizeof g);
  g.city = &city;
  g.n = nreports;
  g.now = hv_clock_wall_ms();
  int64_t span = years * 365LL * 86400 * 1000;
  int64_t *starts = malloc(sizeof *starts * (size_t)(nreports ? nreports : 1));
  if (!starts)
    goto out;
  for (int64_t k = 0; k < nreports; k++)
    starts[k] = g.now - 3600 * 1000 - (int64_t)(rnd() % (uint64_t)span);
  qsort(starts, (size_t)nreports, sizeof *starts, cmp_i64);
  g.starts = starts;
  int64_t max_id = 0;
  if (hv_store_tx(s, false, max_id_tx, &max_id) < 0)
    goto out;
  g.next_id = max_id + 1;
  double t1 = secs();
  while (g.done < g.n) {
    int64_t before = g.done;
    if (hv_store_tx(s, true, reports_tx, &g) < 0) {
      fprintf(stderr, "haven-bench-gen: writing reports failed after %lld (%lld invalid)\n",
              (long long)g.done, (long long)g.problems);
      free(starts);
      goto out;
    }
    if (g.done / 100000 != before / 100000 || g.done == g.n)
      fprintf(stderr, "haven-bench-gen: %lld reports, %.0f/s\n", (long long)g.done,
              (double)g.done / (secs() - t1));
  }
  free(starts);
  printf("reports: %lld in %.1f s (%lld versions and audit events; %lld identifiers redacted)\n",
         (long long)g.n, secs() - t1, (long long)g.versions, (long long)g.redacted);
  printf("statuses:");
  for (int k = 0; k < HV_ST_MAX; k++)
    printf(" %s %lld", hv_status_code((enum hv_status)k), (long long)g.status_count[k]);
  printf("\n");

  char path[HV_PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/bench.env", cfg.data);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "haven-bench-gen: %s: %s\n", path, strerror(errno));
    goto out;
  }
  fprintf(f, "# Written by haven-bench-gen: credentials and ids for bench/incidents.sh\n");
  fprintf(f, "HAVEN_BENCH_FILE_TOKEN=%s\nHAVEN_BENCH_READ_TOKEN=%s\nHAVEN_BENCH_SESSION=%s\n",
          file_token, read_token, sa.token);
  fprintf(f, "HAVEN_BENCH_DEPT=%lld\nHAVEN_BENCH_FACILITIES=", (long long)lapl->id);
  for (int k = 0; k < lapl->nfac; k++)
    fprintf(f, "%s%lld", k ? "," : "", (long long)lapl->facilities[k]);
  fprintf(f, "\nHAVEN_BENCH_DEPTS=");
  for (int k = 0; k < city.n; k++)
    fprintf(f, "%s%lld", k ? "," : "", (long long)city.d[k].id);
  fprintf(f, "\nHAVEN_BENCH_REPORTS=%lld\n", (long long)g.n);
  if (fclose(f))
    goto out;
  printf("wrote %s in %.1f s in all\n", path, secs() - t0);
  rc = 0;
out:
  hv_store_free(s);
  return rc;
}
