/* The directories' SQL (directory.h): a checked file is applied in one
 * transaction with one audit event, and entries are compared with what is
 * stored so that re-importing the same file changes nothing; reads filter
 * by language spoken and service in SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "modules/kyr/directory.h"
#include "modules/kyr/kyr.h"

static const char *nz(const char *s) { return s ? s : ""; }

static json_t *text_or_null(const struct hv_row *r, int col) {
  return hv_row_null(r, col) ? json_null() : json_string(nz(hv_row_text(r, col)));
}

void hv_kyr_today(char out[11]) {
  time_t now = (time_t)(hv_clock_wall_ms() / 1000);
  struct tm tm;
  if (!localtime_r(&now, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
    snprintf(out, 11, "1970-01-01");
}

/* --- reads ---------------------------------------------------------------------- */

static struct hv_sql q_legal = HV_SQL(
    "SELECT p.id, p.name, p.sites, p.cost, p.doj_recognized, p.accredited_reps, "
    "p.accreditation_expires, p.last_verified, p.phone, p.website, p.sample "
    "FROM kyr_legal_providers p WHERE (? = '' OR EXISTS (SELECT 1 FROM "
    "kyr_legal_provider_languages l WHERE l.provider_id = p.id AND l.lang = ?)) AND (? = '' OR "
    "EXISTS (SELECT 1 FROM kyr_legal_provider_services v WHERE v.provider_id = p.id AND "
    "v.service = ?)) ORDER BY lower(p.name), p.id");
static struct hv_sql q_legal_services =
    HV_SQL("SELECT v.provider_id, v.service FROM kyr_legal_provider_services v JOIN "
           "kyr_legal_services s ON s.code = v.service ORDER BY s.position");
static struct hv_sql q_legal_languages =
    HV_SQL("SELECT l.provider_id, l.lang FROM kyr_legal_provider_languages l JOIN kyr_languages "
           "g ON g.tag = l.lang ORDER BY g.position");
static struct hv_sql q_programs =
    HV_SQL("SELECT p.id, p.name, p.department, p.offers, p.address, p.phone, p.website, "
           "p.sample FROM kyr_city_programs p WHERE (? = '' OR EXISTS (SELECT 1 FROM "
           "kyr_city_program_languages l WHERE l.program_id = p.id AND l.lang = ?)) ORDER BY "
           "lower(p.name), p.id");
static struct hv_sql q_program_languages =
    HV_SQL("SELECT l.program_id, l.lang FROM kyr_city_program_languages l JOIN kyr_languages g "
           "ON g.tag = l.lang ORDER BY g.position");

/* {id: [values]} from (id, value) rows. */
static int pair_row(void *cls, const struct hv_row *r) {
  json_t *map = cls, *list = json_object_get(map, nz(hv_row_text(r, 0)));
  if (!list) {
    list = json_array();
    json_object_set_new(map, nz(hv_row_text(r, 0)), list);
  }
  json_array_append_new(list, json_string(nz(hv_row_text(r, 1))));
  return 0;
}

static int legal_row(void *cls, const struct hv_row *r) {
  json_t *sites = json_loads(nz(hv_row_text(r, 2)), JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_array(sites)) {
    json_decref(sites);
    sites = json_array();
  }
  json_array_append_new(cls, json_pack("{s:s, s:s, s:o, s:s, s:b, s:I, s:o, s:s, s:o, s:o, s:b}",
                                       "id", nz(hv_row_text(r, 0)), "name", nz(hv_row_text(r, 1)),
                                       "sites", sites, "cost", nz(hv_row_text(r, 3)),
                                       "doj_recognized", hv_row_int(r, 4) != 0, "accredited_reps",
                                       (json_int_t)hv_row_int(r, 5), "accreditation_expires",
                                       text_or_null(r, 6), "last_verified", nz(hv_row_text(r, 7)),
                                       "phone", text_or_null(r, 8), "website", text_or_null(r, 9),
                                       "sample", hv_row_int(r, 10) != 0));
  return 0;
}

static int program_row(void *cls, const struct hv_row *r) {
  json_array_append_new(cls, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id",
                                       nz(hv_row_text(r, 0)), "name", nz(hv_row_text(r, 1)),
                                       "department", nz(hv_row_text(r, 2)), "offers",
                                       nz(hv_row_text(r, 3)), "address", text_or_null(r, 4),
                                       "phone", text_or_null(r, 5), "website", text_or_null(r, 6),
                                       "sample", hv_row_int(r, 7) != 0));
  return 0;
}

static void attach(json_t *items, const char *key, json_t *map) {
  size_t i;
  json_t *e;
  json_array_foreach(items, i, e) {
    json_t *l = json_object_get(map, json_string_value(json_object_get(e, "id")));
    json_object_set_new(e, key, l ? json_incref(l) : json_array());
  }
}

/* The entries of a directory, in the shape dirmodel.c makes (the caller
 * owns *out). */
static enum hv_qs list_tx(struct hv_conn *c, enum hv_kyr_dir d, const char *lang,
                          const char *service, json_t **out) {
  json_t *items = json_array(), *langs = json_object(), *services = json_object();
  enum hv_qs qs;
  lang = lang ? lang : "";
  service = service ? service : "";
  if (d == HV_KYR_DIR_LEGAL) {
    struct hv_param p[] = {HV_P_TEXT(lang), HV_P_TEXT(lang), HV_P_TEXT(service),
                           HV_P_TEXT(service)};
    if ((qs = hv_db_query(c, &q_legal, p, 4, legal_row, items)) >= 0 &&
        (qs = hv_db_query(c, &q_legal_services, NULL, 0, pair_row, services)) >= 0)
      qs = hv_db_query(c, &q_legal_languages, NULL, 0, pair_row, langs);
  } else {
    struct hv_param p[] = {HV_P_TEXT(lang), HV_P_TEXT(lang)};
    if ((qs = hv_db_query(c, &q_programs, p, 2, program_row, items)) >= 0)
      qs = hv_db_query(c, &q_program_languages, NULL, 0, pair_row, langs);
  }
  if (qs >= 0) {
    if (d == HV_KYR_DIR_LEGAL)
      attach(items, "services", services);
    attach(items, "languages", langs);
    *out = items;
    items = NULL;
    qs = HV_QS_ONE;
  }
  json_decref(items);
  json_decref(langs);
  json_decref(services);
  return qs;
}

struct list_args {
  enum hv_kyr_dir d;
  const char *lang, *service;
  json_t *out;
};

static enum hv_qs list_read_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  json_decref(a->out);
  a->out = NULL;
  return list_tx(c, a->d, a->lang, a->service, &a->out);
}

enum hv_qs hv_kyr_dir_list(struct hv_store *s, enum hv_kyr_dir d, const char *lang,
                           const char *service, const char *today, json_t **out) {
  struct list_args a = {d, lang, service, NULL};
  enum hv_qs qs = hv_store_tx(s, false, list_read_tx, &a);
  if (qs < 0) {
    json_decref(a.out);
    return qs;
  }
  size_t i;
  json_t *e;
  json_array_foreach(a.out, i, e) {
    if (d != HV_KYR_DIR_LEGAL)
      continue;
    const char *exp = json_string_value(json_object_get(e, "accreditation_expires"));
    json_object_set_new(e, "accreditation_expired", json_boolean(exp && strcmp(exp, today) < 0));
  }
  *out = a.out;
  return HV_QS_ONE;
}

/* --- import ---------------------------------------------------------------------- */

static struct hv_sql q_legal_insert = HV_SQL(
    "INSERT INTO kyr_legal_providers (name, sites, cost, doj_recognized, accredited_reps, "
    "accreditation_expires, last_verified, phone, website, sample, updated_at, id) VALUES (?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
static struct hv_sql q_legal_update = HV_SQL(
    "UPDATE kyr_legal_providers SET name = ?, sites = ?, cost = ?, doj_recognized = ?, "
    "accredited_reps = ?, accreditation_expires = ?, last_verified = ?, phone = ?, website = ?, "
    "sample = ?, updated_at = ? WHERE id = ?");
static struct hv_sql q_legal_delete = HV_SQL("DELETE FROM kyr_legal_providers WHERE id = ?");
static struct hv_sql q_legal_services_delete =
    HV_SQL("DELETE FROM kyr_legal_provider_services WHERE provider_id = ?");
static struct hv_sql q_legal_languages_delete =
    HV_SQL("DELETE FROM kyr_legal_provider_languages WHERE provider_id = ?");
static struct hv_sql q_legal_service_insert =
    HV_SQL("INSERT INTO kyr_legal_provider_services (provider_id, service) VALUES (?, ?)");
static struct hv_sql q_legal_language_insert =
    HV_SQL("INSERT INTO kyr_legal_provider_languages (provider_id, lang) VALUES (?, ?)");
static struct hv_sql q_program_insert =
    HV_SQL("INSERT INTO kyr_city_programs (name, department, offers, address, phone, website, "
           "sample, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
static struct hv_sql q_program_update =
    HV_SQL("UPDATE kyr_city_programs SET name = ?, department = ?, offers = ?, address = ?, "
           "phone = ?, website = ?, sample = ?, updated_at = ? WHERE id = ?");
static struct hv_sql q_program_delete = HV_SQL("DELETE FROM kyr_city_programs WHERE id = ?");
static struct hv_sql q_program_languages_delete =
    HV_SQL("DELETE FROM kyr_city_program_languages WHERE program_id = ?");
static struct hv_sql q_program_language_insert =
    HV_SQL("INSERT INTO kyr_city_program_languages (program_id, lang) VALUES (?, ?)");

static const char *jstr(const json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k)); /* NULL for null */
}

/* Inserts the values of a list into a (id, value) table. */
static enum hv_qs insert_list(struct hv_conn *c, struct hv_sql *q, const char *id, json_t *list) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    struct hv_param p[] = {HV_P_TEXT(id), HV_P_TEXT(json_string_value(v))};
    enum hv_qs qs = hv_db_exec(c, q, p, 2);
    if (qs < 0)
      return qs;
  }
  return HV_QS_ONE;
}

/* Writes entry `e`: a new one (fresh) or a changed one. */
static enum hv_qs write_entry(struct hv_conn *c, enum hv_kyr_dir d, json_t *e, bool fresh,
                              int64_t now) {
  const char *id = jstr(e, "id");
  enum hv_qs qs;
  struct hv_param idp[] = {HV_P_TEXT(id)};
  if (d == HV_KYR_DIR_LEGAL) {
    char *sites = json_dumps(json_object_get(e, "sites"), JSON_COMPACT);
    if (!sites)
      return HV_QS_HARD;
    struct hv_param p[] = {HV_P_TEXT(jstr(e, "name")),
                           HV_P_TEXT(sites),
                           HV_P_TEXT(jstr(e, "cost")),
                           HV_P_INT(json_is_true(json_object_get(e, "doj_recognized"))),
                           HV_P_INT(json_integer_value(json_object_get(e, "accredited_reps"))),
                           HV_P_TEXT(jstr(e, "accreditation_expires")),
                           HV_P_TEXT(jstr(e, "last_verified")),
                           HV_P_TEXT(jstr(e, "phone")),
                           HV_P_TEXT(jstr(e, "website")),
                           HV_P_INT(json_is_true(json_object_get(e, "sample"))),
                           HV_P_INT(now),
                           HV_P_TEXT(id)};
    qs = hv_db_exec(c, fresh ? &q_legal_insert : &q_legal_update, p, 12);
    free(sites);
    if (qs >= 0 && !fresh && (qs = hv_db_exec(c, &q_legal_services_delete, idp, 1)) >= 0)
      qs = hv_db_exec(c, &q_legal_languages_delete, idp, 1);
    if (qs >= 0 &&
        (qs = insert_list(c, &q_legal_service_insert, id, json_object_get(e, "services"))) >= 0)
      qs = insert_list(c, &q_legal_language_insert, id, json_object_get(e, "languages"));
  } else {
    struct hv_param p[] = {HV_P_TEXT(jstr(e, "name")),
                           HV_P_TEXT(jstr(e, "department")),
                           HV_P_TEXT(jstr(e, "offers")),
                           HV_P_TEXT(jstr(e, "address")),
                           HV_P_TEXT(jstr(e, "phone")),
                           HV_P_TEXT(jstr(e, "website")),
                           HV_P_INT(json_is_true(json_object_get(e, "sample"))),
                           HV_P_INT(now),
                           HV_P_TEXT(id)};
    qs = hv_db_exec(c, fresh ? &q_program_insert : &q_program_update, p, 9);
    if (qs >= 0 && !fresh)
      qs = hv_db_exec(c, &q_program_languages_delete, idp, 1);
    if (qs >= 0)
      qs = insert_list(c, &q_program_language_insert, id, json_object_get(e, "languages"));
  }
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs remove_entry(struct hv_conn *c, enum hv_kyr_dir d, const char *id) {
  struct hv_param p[] = {HV_P_TEXT(id)};
  enum hv_qs qs;
  if (d == HV_KYR_DIR_LEGAL) {
    if ((qs = hv_db_exec(c, &q_legal_services_delete, p, 1)) >= 0 &&
        (qs = hv_db_exec(c, &q_legal_languages_delete, p, 1)) >= 0)
      qs = hv_db_exec(c, &q_legal_delete, p, 1);
  } else {
    if ((qs = hv_db_exec(c, &q_program_languages_delete, p, 1)) >= 0)
      qs = hv_db_exec(c, &q_program_delete, p, 1);
  }
  return qs;
}

struct apply_args {
  const char *actor;
  enum hv_kyr_dir d;
  json_t *entries;
  struct hv_kyr_dir_result *r;
};

static enum hv_qs apply_tx(struct hv_conn *c, void *cls) {
  struct apply_args *a = cls;
  struct hv_kyr_dir_result *r = a->r;
  json_t *stored = NULL, *by_id = json_object(), *seen = json_object();
  int64_t now = hv_clock_wall_ms();
  size_t i;
  json_t *e;
  enum hv_qs qs = list_tx(c, a->d, NULL, NULL, &stored);
  r->created = r->updated = r->unchanged = r->removed = 0;
  if (qs < 0)
    goto out;
  json_array_foreach(stored, i, e) json_object_set(by_id, jstr(e, "id"), e);
  json_array_foreach(a->entries, i, e) {
    json_t *old = json_object_get(by_id, jstr(e, "id"));
    json_object_set(seen, jstr(e, "id"), json_true());
    if (old && json_equal(old, e)) {
      r->unchanged++;
      continue;
    }
    if ((qs = write_entry(c, a->d, e, !old, now)) < 0)
      goto out;
    if (old)
      r->updated++;
    else
      r->created++;
  }
  json_array_foreach(stored, i, e) {
    if (json_object_get(seen, jstr(e, "id")))
      continue;
    if ((qs = remove_entry(c, a->d, jstr(e, "id"))) < 0)
      goto out;
    r->removed++;
  }
  char summary[160];
  int n = snprintf(summary, sizeof summary,
                   "{\"directory\":\"%s\",\"created\":%d,\"updated\":%d,\"unchanged\":%d,"
                   "\"removed\":%d}",
                   hv_kyr_dir_kind_name(a->d), r->created, r->updated, r->unchanged, r->removed);
  struct hv_audit_event ev = {a->actor,        "kyr.directory.import",
                              "kyr_directory", hv_kyr_dir_kind_name(a->d),
                              summary,         (size_t)n};
  qs = hv_audit_append(c, &ev);
  if (qs >= 0)
    qs = HV_QS_ONE;
out:
  json_decref(stored);
  json_decref(by_id);
  json_decref(seen);
  return qs;
}

void hv_kyr_dir_result_free(struct hv_kyr_dir_result *r) {
  json_decref(r->errors);
  r->errors = NULL;
}

int hv_kyr_dir_import(struct hv_store *s, const char *actor, enum hv_kyr_dir d, const char *data,
                      size_t len, struct hv_kyr_dir_result *r) {
  json_t *langs = NULL, *entries = NULL;
  const char *tags[64];
  char today[11];
  int rc = -1;
  memset(r, 0, sizeof *r);
  if (!(r->errors = json_array()) || hv_kyr_languages(s, &langs) < 0)
    goto out;
  size_t n = 0, i;
  json_t *l;
  json_array_foreach(langs, i, l) if (n < 64) tags[n++] =
      json_string_value(json_object_get(l, "tag"));
  hv_kyr_today(today);
  struct hv_kyr_dir_known k = {tags, n, today};
  rc = hv_kyr_dir_check(d, data, len, &k, &entries, r->errors);
  if (rc != 0)
    goto out;
  struct apply_args a = {actor, d, entries, r};
  rc = hv_store_tx(s, true, apply_tx, &a) < 0 ? -1 : 0;
  if (rc == 0 && r->created + r->updated + r->removed > 0)
    hv_kyr_generation_bump(); /* the cached public pages refresh */
out:
  json_decref(entries);
  json_decref(langs);
  return rc;
}
