/* Contractors and their compliance with Ordinance 188441 (issue 6): the
 * vendors (shared reference data: MOIA and administrators edit, liaisons
 * read), the contracts they hold with departments (a liaison sees and edits
 * only their department's), the compliance attestation a contract on City
 * property needs (a signed document, stored like incident attachments) and
 * the ordinance notice sent to the contractor, with coverage per department.
 *
 * model.c: validation and the coverage rule, pure.
 * csv.c: checking an import file, pure.
 * store.c: the SQL (every write audited in its transaction).
 * http.c: the API; pages.c: the staff pages. */
#ifndef HV_CONTRACTORS_H
#define HV_CONTRACTORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_contracts_routes[];
extern const size_t hv_contracts_nroutes;
extern const struct hv_route hv_contracts_pages[];
extern const size_t hv_contracts_npages;

/* The contract page with `problems` (stolen; [{anchor, label, message}])
 * beside its forms and an optional notice (pages.c). */
void hv_contract_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                      const char *notice);
/* The attestation upload, for the API (`api`) or the contract page's form,
 * and the signed document's download (http.c). */
void hv_attestation_upload(struct hv_request *rq, bool api);
void hv_attestation_download(struct hv_request *rq);

/* Bounds: rows one list answers, attestations and notices one contract
 * holds, the most an import file may be. */
#define HV_CONTRACTS_LIST_MAX 1000
#define HV_CONTRACT_CHILDREN_MAX 100
#define HV_CONTRACTS_CSV_MAX_ROWS 5000
#define HV_CONTRACTS_CSV_MAX_FIELD 500
#define HV_CONTRACTS_CSV_MAX_BYTES (4u << 20)
#define HV_CONTRACTS_MAX_ERRORS 200
/* "Expiring" means within this many days unless the caller asks otherwise. */
#define HV_COVERAGE_DAYS_DEFAULT 30
#define HV_COVERAGE_DAYS_MAX 365

/* --- model.c: validation and coverage, pure -------------------------------- */

/* Reports one problem of a record: the field, a message for people. */
typedef void (*hv_contracts_problem_fn)(void *cls, const char *field, const char *msg);

/* A vendor. Strings borrowed; NULL or "" for an optional field left out. */
struct hv_contractor {
  const char *vendor_id, *name, *contact_name, *contact_email, *contact_phone;
};

/* A contract. `on_city_property` is 0 or 1. */
struct hv_contract {
  const char *number, *title, *starts_on, *ends_on;
  int64_t contractor_id, department_id;
  int on_city_property;
  int64_t onsite_personnel;
};

/* How a notice of the ordinance was sent. */
extern const char *const hv_notice_methods[]; /* NULL-terminated: email, letter, portal */

/* Each reports every problem to `fn` and returns how many there were. */
int hv_contractor_problems(const struct hv_contractor *v, hv_contracts_problem_fn fn, void *cls);
int hv_contract_problems(const struct hv_contract *c, hv_contracts_problem_fn fn, void *cls);
/* `today` is the city's date (a document cannot be signed in the future). */
int hv_attestation_problems(const char *signed_on, const char *expires_on, const char *today,
                            hv_contracts_problem_fn fn, void *cls);
/* `ack_on` and `ack_role` may be NULL (not acknowledged yet). */
int hv_notice_problems(const char *sent_on, const char *method, const char *ack_on,
                       const char *ack_role, const char *today, hv_contracts_problem_fn fn,
                       void *cls);

/* True for a real date YYYY-MM-DD in the years 2000 to 2099 (a contract
 * date outside them is a typing mistake). */
bool hv_contracts_date_ok(const char *s);
/* The city's date now (YYYY-MM-DD), by the injectable clock. */
void hv_contracts_today(char out[11]);
/* `day` plus `n` days (n may be negative); `day` must be valid. */
void hv_contracts_add_days(const char *day, int n, char out[11]);
/* Days from `from` to `to` (negative when `to` is earlier). */
int hv_contracts_days_between(const char *from, const char *to);

/* Where a contract on City property stands on `today`. */
enum hv_cov_state {
  HV_COV_NOT_REQUIRED, /* not on City property */
  HV_COV_INACTIVE,     /* on City property, but not running today */
  HV_COV_VALID,        /* a signed attestation that runs past the horizon */
  HV_COV_EXPIRING,     /* valid today, expires on or before the horizon */
  HV_COV_EXPIRED,      /* its latest attestation expired */
  HV_COV_MISSING,      /* no attestation signed yet */
  HV_COV_MAX
};
extern const char *const hv_cov_state_names[HV_COV_MAX];
int hv_cov_state_parse(const char *s); /* -1 when unknown */

/* The state of a contract: `best_expires` is the latest expiry of its
 * attestations signed on or before today (NULL when none); an attestation
 * is valid through its expiry day; `horizon` is today plus the days that
 * count as "expiring". */
enum hv_cov_state hv_coverage_state(bool on_city_property, const char *starts_on,
                                    const char *ends_on, const char *best_expires,
                                    const char *today, const char *horizon);

/* --- csv.c: import files, pure ----------------------------------------------- */

enum hv_contracts_import_kind { HV_CIMPORT_CONTRACTORS, HV_CIMPORT_CONTRACTS, HV_CIMPORT_MAX };
int hv_contracts_import_kind_parse(const char *s);
const char *hv_contracts_import_kind_name(enum hv_contracts_import_kind k);
/* The columns of a file, NULL-terminated, the required ones first. */
const char *const *hv_contracts_import_columns(enum hv_contracts_import_kind k);

/* Checks the cells of a file (not what the database knows: vendors and
 * departments are looked up by store.c). Returns 0 with *rows an array
 * of {"row", column: value...} (canonical: booleans and integers parsed),
 * 1 when the file was refused with problems appended to `errors`
 * ([{row, column, message}]), -1 when out of memory. */
int hv_contracts_csv_check(enum hv_contracts_import_kind k, const char *data, size_t len,
                           json_t **rows, json_t *errors);
/* Appends a problem (one per cell, at most HV_CONTRACTS_MAX_ERRORS). */
void hv_contracts_problem_at(json_t *errors, size_t row, const char *column, const char *msg);

/* --- store.c ------------------------------------------------------------------- */

/* Vendors as [{"id", "vendor_id", "name", "contact_*", "version", "contracts"}];
 * `q` filters by vendor id or name ("" for all). */
enum hv_qs hv_contractors_list(struct hv_store *s, const char *q, json_t **out);
enum hv_qs hv_contractor_get(struct hv_store *s, int64_t id, json_t **out);
/* HV_QS_CONFLICT when the vendor id is taken (or, on update, *current !=
 * version: then *current holds the version now). */
enum hv_qs hv_contractor_create(struct hv_store *s, const struct hv_principal *by,
                                const struct hv_contractor *v, int64_t *id);
enum hv_qs hv_contractor_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                int64_t version, const struct hv_contractor *v, int64_t *current);

/* List filters. `scope` is hv_policy_department of the caller (0: all). */
struct hv_contract_filter {
  int64_t scope, department_id; /* 0: any */
  const char *q;                /* number, title or vendor; NULL for all */
  int state;                    /* an hv_cov_state, or -1 */
  const char *today, *horizon;
};
/* Contracts as JSON with "contractor", "department" and "compliance"
 * ({"state", "expires_on", "days_left"}). */
enum hv_qs hv_contracts_list(struct hv_store *s, const struct hv_contract_filter *f, json_t **out);
/* One contract in scope with its "attestations" and "notices";
 * HV_QS_NONE when absent or out of scope. */
enum hv_qs hv_contract_get(struct hv_store *s, int64_t id, int64_t scope, const char *today,
                           const char *horizon, json_t **out);
/* HV_QS_NONE when the vendor or department is unknown (*field names it);
 * HV_QS_CONFLICT when the number is taken or the version moved on. */
enum hv_qs hv_contract_create(struct hv_store *s, const struct hv_principal *by,
                              const struct hv_contract *c, int64_t *id, const char **field);
/* Within `scope`: HV_QS_NONE when the contract is absent or out of it. On
 * HV_QS_CONFLICT *field is "version" (stale: *current holds the version
 * now), "number" (taken), or "contractor_id"/"department_id" (unknown). */
enum hv_qs hv_contract_update(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                              int64_t id, int64_t version, const struct hv_contract *c,
                              int64_t *current, const char **field);

/* A signed attestation whose file is already durably written. */
struct hv_attestation_write {
  const struct hv_principal *by;
  int64_t scope, contract_id;
  const char *signed_on, *expires_on, *storage_name, *file_name, *content_type, *sha256;
  int64_t size;
  /* out */
  int64_t id;
  bool replayed; /* the same document and dates were recorded already */
};
/* HV_QS_NONE when the contract is absent or out of scope; HV_QS_CONFLICT
 * when it holds HV_CONTRACT_CHILDREN_MAX attestations. */
enum hv_qs hv_attestation_add(struct hv_store *s, struct hv_attestation_write *w);
/* Checks the contract exists in scope (before an upload is processed). */
enum hv_qs hv_contract_in_scope(struct hv_store *s, int64_t id, int64_t scope);

struct hv_attestation_file {
  int64_t id, contract_id, size;
  char storage_name[40], file_name[64], content_type[32], sha256[65];
};
enum hv_qs hv_attestation_get(struct hv_store *s, int64_t contract_id, int64_t id, int64_t scope,
                              struct hv_attestation_file *out);

/* Notices. `ack_on`/`ack_role` NULL when not acknowledged. A notice sent
 * the same day the same way is recorded already (a retry): *replayed is
 * set and *id is that notice's. */
enum hv_qs hv_notice_add(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                         int64_t contract_id, const char *sent_on, const char *method,
                         const char *ack_on, const char *ack_role, int64_t *id, bool *replayed);
/* Records (or corrects) the acknowledgement: HV_QS_NONE when the notice
 * is absent or out of scope, HV_QS_CONFLICT when the version moved on. */
enum hv_qs hv_notice_update(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                            int64_t contract_id, int64_t id, int64_t version, const char *ack_on,
                            const char *ack_role, int64_t *current);
/* One notice as {"id", "sent_on", ..., "version"}; HV_QS_NONE when absent. */
enum hv_qs hv_notice_get(struct hv_store *s, int64_t scope, int64_t contract_id, int64_t id,
                         json_t **out);

/* Coverage within `scope` on `today`, "expiring" up to `horizon` (`days`
 * after today): {"today", "expiring_within_days", "totals", "departments":
 * [{"department", counts..., "gaps": {...}}]}. */
enum hv_qs hv_coverage(struct hv_store *s, int64_t scope, const char *today, int days,
                       json_t **out);

/* Imports a file: checked whole first (cells, then vendors, departments and
 * scope against the database), nothing written unless every row is good,
 * then applied in one transaction with an audit event per changed row.
 * Returns 0 when applied (counts set), 1 when refused (errors set), -1 when
 * the database failed. */
struct hv_contracts_import_result {
  json_t *errors; /* [{row, column, message}] */
  int added, updated, unchanged;
};
int hv_contracts_import(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                        enum hv_contracts_import_kind kind, const char *data, size_t len,
                        struct hv_contracts_import_result *out);
void hv_contracts_import_result_free(struct hv_contracts_import_result *r);

#endif
