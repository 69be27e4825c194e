/* The help directories of the public Know-Your-Rights site: legal service
 * providers and City programs open to everyone regardless of status. They
 * describe organisations, never residents.
 *
 * dirmodel.c reads and checks a CSV file (pure: the languages and today's
 * date are given); dirstore.c applies a checked file in one transaction and
 * reads the directories back; directory.c serves the API and the staff
 * import page; the public pages are in site.c. */
#ifndef HV_KYR_DIRECTORY_H
#define HV_KYR_DIRECTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"
#include "store/store.h"

enum hv_kyr_dir { HV_KYR_DIR_LEGAL, HV_KYR_DIR_PROGRAMS, HV_KYR_DIR_MAX };

#define HV_KYR_DIR_MAX_ROWS 2000
#define HV_KYR_DIR_MAX_FIELD 2000
#define HV_KYR_DIR_MAX_ERRORS 200
#define HV_KYR_DIR_MAX_SITES 8
#define HV_KYR_DIR_MAX_BYTES (2u << 20) /* a file's size */

/* "legal" or "programs" (URLs, the API); -1 when neither. */
int hv_kyr_dir_parse_kind(const char *s);
const char *hv_kyr_dir_kind_name(enum hv_kyr_dir d);

/* The closed set of legal services (migration 0012 holds the same codes
 * with their English names), NULL-terminated. */
extern const char *const hv_kyr_services[];
bool hv_kyr_service_ok(const char *code);

/* What a file is checked against. */
struct hv_kyr_dir_known {
  const char *const *langs; /* the BCP 47 tags of kyr_languages (borrowed) */
  size_t nlangs;
  const char *today; /* YYYY-MM-DD in the city's time zone */
};

/* Reads and checks a whole CSV file of directory `d`. Returns 0 with
 * *entries (the caller's) an array of canonical entries, one a row, in
 * file order; 1 when refused, every problem appended to `errors` as
 * {"row", "column", "message"} (rows as a spreadsheet numbers them: the
 * header is row 1); -1 when out of memory. The columns and formats are in
 * docs/kyr.md. */
int hv_kyr_dir_check(enum hv_kyr_dir d, const char *data, size_t len,
                     const struct hv_kyr_dir_known *k, json_t **entries, json_t *errors);

/* The columns of a directory's file, NULL-terminated (for the page and the
 * fuzz target). */
const char *const *hv_kyr_dir_columns(enum hv_kyr_dir d);

/* A calendar date written YYYY-MM-DD. */
bool hv_kyr_date_ok(const char *s);

/* --- dirstore.c ------------------------------------------------------------ */

struct hv_kyr_dir_result {
  json_t *errors; /* [{row, column, message}], owned: hv_kyr_dir_result_free */
  int created, updated, unchanged, removed;
};

/* Checks the file and, when every row is good, makes the directory what
 * the file says in one transaction with one audit event by `actor`
 * (entries absent from the file are removed). 0 applied, 1 refused
 * (nothing written; r->errors lists why), -1 the database failed. */
int hv_kyr_dir_import(struct hv_store *s, const char *actor, enum hv_kyr_dir d, const char *data,
                      size_t len, struct hv_kyr_dir_result *r);
void hv_kyr_dir_result_free(struct hv_kyr_dir_result *r);

/* The entries of a directory, by name, optionally only those speaking
 * `lang` and (legal providers) offering `service` (NULL or "": any). Each
 * legal provider carries "accreditation_expired" as of `today`. */
enum hv_qs hv_kyr_dir_list(struct hv_store *s, enum hv_kyr_dir d, const char *lang,
                           const char *service, const char *today, json_t **out);

/* Today's date in the city's time zone, YYYY-MM-DD. */
void hv_kyr_today(char out[11]);

/* --- directory.c ----------------------------------------------------------- */

extern const struct hv_route hv_kyr_directory_routes[];
extern const size_t hv_kyr_directory_nroutes;

#endif
