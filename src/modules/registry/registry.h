/* The City registry: departments (contacts, liaisons) and facilities
 * (City premises: kind, address, coordinates, named public and non-public
 * areas). model.c validates, store.c holds the SQL (each change audited in
 * its transaction), import.c reads CSV files, http.c serves the API and
 * pages. */
#ifndef HV_REGISTRY_H
#define HV_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"

extern const struct hv_route hv_registry_routes[];
extern const size_t hv_registry_nroutes;

#define HV_AREAS_MAX 50

/* Facility kinds, in the order of hv_facility_kinds. */
extern const char *const hv_facility_kinds[];

struct hv_department {
  int64_t id;
  const char *code, *name, *contact_email, *contact_phone; /* borrowed */
};

struct hv_area {
  const char *name;
  bool is_public;
};

struct hv_facility {
  int64_t id, department_id;
  const char *name, *address, *kind;
  bool has_coords;
  int64_t lat_e6, lon_e6;
  struct hv_area areas[HV_AREAS_MAX];
  size_t nareas;
};

/* --- model.c: validation, pure ---------------------------------------- */

/* Reports every problem of a record to `fn` (field, message for people);
 * returns how many there were. */
typedef void (*hv_problem_fn)(void *cls, const char *field, const char *msg);
int hv_department_problems(const struct hv_department *d, hv_problem_fn fn, void *cls);
int hv_facility_problems(const struct hv_facility *f, hv_problem_fn fn, void *cls);

/* The first problem: NULL when valid, else a message for people; *field
 * names the offending field. */
const char *hv_department_check(const struct hv_department *d, const char **field);
const char *hv_facility_check(const struct hv_facility *f, const char **field);

/* "34.052235" -> 34052235 micro-degrees within [-limit, limit] degrees. */
int hv_coord_parse(const char *s, int limit, int64_t *e6);
/* 34052235 -> "34.052235" */
void hv_coord_format(int64_t e6, char out[16]);

/* "Lobby:public; Staff offices:non-public" -> areas. -1 with a message. */
int hv_areas_parse(char *s, struct hv_facility *f, const char **why);

/* --- store.c ------------------------------------------------------------ */

/* Lists as JSON arrays for the API and pages. `q` filters by code or name
 * (case-insensitive substring, "" for all); paging by offset. */
enum hv_qs hv_departments_list(struct hv_store *s, const char *q, int64_t offset, int64_t limit,
                               json_t **items, int64_t *total);
/* One department with its liaisons and facility count; HV_QS_NONE when absent. */
enum hv_qs hv_department_get(struct hv_store *s, int64_t id, json_t **out);
enum hv_qs hv_department_create(struct hv_store *s, const char *actor, const struct hv_department *d,
                                int64_t *id);
/* HV_QS_NONE when absent. */
enum hv_qs hv_department_update(struct hv_store *s, const char *actor, const struct hv_department *d);
/* Replaces the liaisons: users by email, the second list as backups. */
enum hv_qs hv_department_set_liaisons(struct hv_conn *c, const char *actor, int64_t dept,
                                      const char *primary_email, const char *backup_email,
                                      const char **bad_email);

/* `dept` > 0 limits to one department (a liaison's scope), 0 for all. */
enum hv_qs hv_facilities_list(struct hv_store *s, int64_t dept, const char *q, int64_t offset,
                              int64_t limit, json_t **items, int64_t *total);
/* One facility with its areas, within `scope` (0: any department);
 * HV_QS_NONE when absent or out of scope. */
enum hv_qs hv_facility_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out);
enum hv_qs hv_facility_create(struct hv_store *s, const char *actor, const struct hv_facility *f,
                              int64_t *id);
/* Updates within `scope`; HV_QS_NONE when absent or out of scope. */
enum hv_qs hv_facility_update(struct hv_store *s, const char *actor, const struct hv_facility *f,
                              int64_t scope);

/* Inside a transaction (shared with the importer). */
enum hv_qs hv_department_upsert_tx(struct hv_conn *c, const char *actor,
                                   const struct hv_department *d, int *changed, int64_t *id);
enum hv_qs hv_facility_upsert_tx(struct hv_conn *c, const char *actor, const char *dept_code,
                                 const struct hv_facility *f, int *changed);

/* --- import.c ------------------------------------------------------------ */

enum hv_import_kind { HV_IMPORT_DEPARTMENTS, HV_IMPORT_FACILITIES, HV_IMPORT_USERS, HV_IMPORT_MAX };

struct hv_import_result {
  json_t *errors;    /* [{row, column, message}] when the file was refused */
  json_t *passwords; /* users import: [{email, password}] for new accounts */
  int created, updated, unchanged;
};

/* Validates the whole file first; writes nothing unless every row is
 * good; then applies it in one transaction, audited. Returns 0 when
 * applied, 1 when refused (errors listed), -1 when the database failed. */
int hv_import(struct hv_store *s, const char *actor, enum hv_import_kind kind, const char *data,
              size_t len, struct hv_import_result *out);
void hv_import_result_free(struct hv_import_result *r);
int hv_import_kind_parse(const char *s);

#endif
