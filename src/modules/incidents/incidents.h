/* Incident reports: quick alerts from any City staff member, full reports
 * completed by the department's liaison, review and verification by MOIA.
 * model.c: the declared fields and fixed choices (data, not scattered
 * literals), validation, status rules; redact.c: the narrative scanner;
 * store.c: SQL, versions, reference numbers, idempotency; http.c: API and
 * pages. */
#ifndef HV_INCIDENTS_H
#define HV_INCIDENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/config.h"
#include "store/store.h"

extern const struct hv_route hv_incidents_routes[];
extern const size_t hv_incidents_nroutes;
extern const struct hv_route hv_incident_pages[];
extern const size_t hv_incident_npages;

/* The report page (GET /incidents/{id}) with a notice or problems (stolen),
 * for the parts of the module that answer on it (attachments). */
void hv_incident_page(struct hv_request *rq, int status, int64_t id, const char *notice,
                      json_t *problems);

/* --- fixed choices ----------------------------------------------------- */

struct hv_choice {
  const char *code;  /* stored */
  const char *label; /* shown */
};

enum hv_choice_list {
  HV_CH_HAPPENING, /* quick alert: what is happening now */
  HV_CH_AGENCY,
  HV_CH_APPEARANCE,
  HV_CH_DOCUMENT,
  HV_CH_ACCESS,
  HV_CH_BWC,
  HV_CH_NOTIFIED,
  HV_CH_STATUS,
  HV_CH_CONFIDENCE,
  HV_CH_MAX
};

/* NULL-terminated (code NULL) list. */
const struct hv_choice *hv_choices(enum hv_choice_list l);
/* The label of a code, or NULL when the code is not in the list. */
const char *hv_choice_label(enum hv_choice_list l, const char *code);

/* --- statuses ---------------------------------------------------------- */

enum hv_status {
  HV_ST_DRAFT,
  HV_ST_SUBMITTED,
  HV_ST_IN_REVIEW,
  HV_ST_NEEDS_INFO,
  HV_ST_VERIFIED,
  HV_ST_CLOSED,
  HV_ST_MAX
};
const char *hv_status_code(enum hv_status s);
int hv_status_parse(const char *code);

/* --- validation -------------------------------------------------------- */

/* One problem with a report, for the field it names. */
typedef void (*hv_field_problem)(void *cls, const char *field, const char *message);

/* Checks a report's `data` object against the declared fields: unknown
 * fields, types, lengths, counts, choices, times (not in the future, end
 * not before start). With `submitting`, the fields required to submit
 * must be present. `now` is UTC ms. Returns the number of problems. */
int hv_incident_check(const json_t *data, bool submitting, int64_t now, hv_field_problem fn,
                      void *cls);

/* Checks a quick alert. */
int hv_alert_check(const json_t *alert, int64_t now, hv_field_problem fn, void *cls);

/* Parses a city-local "YYYY-MM-DDTHH:MM" (seconds optional) into UTC ms. */
int hv_local_datetime(const char *s, int64_t *ms);

/* Redacts every free-text field of `data` in place (narrative, notes,
 * names shown...). Adds to *found the identifiers replaced and collects
 * flagged status words into `flags` (a JSON array, may be NULL). Returns
 * 0, or -1 on invalid text. */
int hv_incident_redact(json_t *data, size_t *found, json_t *flags);

int hv_alert_redact(json_t *alert, size_t *found, json_t *flags);

/* The page's view of the fields (labels, kinds, values, choices). */
json_t *hv_incident_form(const json_t *data);
json_t *hv_alert_form(const json_t *alert);

/* A report or alert object from a submitted web form, by the declared
 * fields (checked afterwards like any API body). */
struct hv_form;
json_t *hv_incident_from_form(const struct hv_form *f);
json_t *hv_alert_from_form(const struct hv_form *f);

/* Field-by-field differences between two versions' data: an array of
 * {"field", "before", "after"}. */
json_t *hv_incident_diff(const json_t *before, const json_t *after);

/* The names of a report's free-text fields (the ones the narrative
 * scanner redacts and full-text search indexes): up to `cap` into `out`;
 * returns how many were written. */
size_t hv_incident_text_fields(const char **out, size_t cap);

/* --- list order ---------------------------------------------------------- */

/* The orders a list can be sorted in: a closed set, each with its own
 * fixed SQL text in store.c. */
enum hv_incident_sort {
  HV_SORT_NEWEST, /* started_at, newest first (the default) */
  HV_SORT_OLDEST,
  HV_SORT_REPORTED_NEWEST, /* reported_at */
  HV_SORT_REPORTED_OLDEST,
  HV_SORT_STATUS,    /* workflow order (draft first), then newest */
  HV_SORT_REFERENCE, /* INC-2025-... before INC-2026-... */
  HV_SORT_MAX
};
/* The sort's name in URLs ("newest", ...) and its label for people. */
const char *hv_incident_sort_name(enum hv_incident_sort s);
const char *hv_incident_sort_label(enum hv_incident_sort s);
/* The sort named `name`, or -1. */
int hv_incident_sort_parse(const char *name);
/* For the pages. Ties `problems` (the {"field", "message"} list, or the
 * scanner's flags) to the view's `fields` from hv_incident_form or
 * hv_alert_form: each problem gets "label" and "anchor" (the id of the
 * field's first control); with `mark` each field gets its first message as
 * "error". Returns the facility's message (borrowed), or NULL. */
const char *hv_form_problems(json_t *fields, json_t *problems, bool mark);
/* What the scanner would replace in a report's free text, by kind: an
 * array of {"label", "placeholder", "count", "many"} (returned). */
json_t *hv_incident_found(const json_t *data);
/* Adds "label", "before_text" and "after_text" to each change of each
 * version in a history from hv_incident_history, for people to read. */
void hv_incident_changes_view(json_t *history);
/* Adds "happening_label" to a stored quick alert, for people to read. */
void hv_alert_view(json_t *alert);

#endif

/* --- store.c ----------------------------------------------------------- */

enum hv_incident_action {
  HV_ACT_SUBMIT,       /* draft | needs_info -> submitted (complete reports only) */
  HV_ACT_REVIEW,       /* submitted -> in_review (MOIA) */
  HV_ACT_REQUEST_INFO, /* submitted | in_review -> needs_info (MOIA, with a note) */
  HV_ACT_VERIFY,       /* submitted | in_review -> verified (MOIA, not the filer; confidence) */
  HV_ACT_CLOSE,        /* any but draft -> closed (MOIA) */
  HV_ACT_REFER,        /* referral flags and a note; no status change (MOIA, legal) */
  HV_ACT_MAX
};

struct hv_incident_write {
  /* in */
  const struct hv_principal *by;
  int64_t scope;               /* hv_policy_department of `by` */
  int64_t id;                  /* for updates and actions */
  int expect_version;          /* for updates and actions: the version the writer saw */
  json_t *data;                /* report fields (borrowed), already checked and redacted */
  json_t *alert;               /* quick alert (borrowed) or NULL */
  const char *idem_key;        /* Idempotency-Key, or NULL */
  const char *idem_hash;       /* hash of the request body */
  const char *route;           /* for the idempotency record */
  const struct hv_config *cfg; /* for notifications (alerts) */
  enum hv_incident_action action;
  const char *confidence;           /* verify */
  const char *note;                 /* request info, verify, close, refer (redacted) */
  int refer_legal, refer_workgroup; /* refer: -1 keeps */
  /* out */
  int64_t new_id;
  char ref[32];
  int version;
  bool replayed;       /* the Idempotency-Key was seen: this is the first answer's record */
  bool queued_mail;    /* notifications were queued: poke the sender */
  const char *refusal; /* why an action was refused (HV_QS_CONFLICT) */
  int refusal_status;  /* 403, 409 or 422 */
};

/* Creates a report (from a quick alert when `alert` is set: the report
 * starts as a draft the liaison completes). HV_QS_NONE when the facility is
 * not in the writer's scope. */
enum hv_qs hv_incident_create(struct hv_store *s, struct hv_incident_write *w);
/* Saves new data as a new version. HV_QS_NONE when absent or out of scope;
 * HV_QS_CONFLICT with w->refusal when the version moved on or the status
 * does not allow edits. */
enum hv_qs hv_incident_update(struct hv_store *s, struct hv_incident_write *w);
/* Status changes and referrals, with the same version check. */
enum hv_qs hv_incident_act(struct hv_store *s, struct hv_incident_write *w);

/* One report with its data, within `scope`. */
enum hv_qs hv_incident_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out);
/* Its versions with field-by-field changes. */
enum hv_qs hv_incident_history(struct hv_store *s, int64_t id, int64_t scope, json_t **out);

struct hv_incident_filter {
  int64_t department_id, facility_id, from, to, offset, limit;
  const char *status, *agency, *document, *access, *confidence;
  const char *q; /* search-box text as typed: words, never query syntax (search.h) */
  enum hv_incident_sort sort;
};
/* Writes a report's entry in SQLite's full-text index (migration 0009) in
 * the caller's transaction: `ref` given, a new report; NULL, an edit of
 * report `id`'s text. Nothing on PostgreSQL (a generated column). The
 * store calls it on every write; bench/gen.c on its bulk inserts. */
struct hv_conn;
enum hv_qs hv_incident_search_index(struct hv_conn *c, int64_t id, const char *ref,
                                    const json_t *data, const json_t *alert);
/* Lists count matching reports only up to a cap: counting every one of a
 * million rows costs more than the page itself. *total is exact up to
 * HV_INCIDENTS_COUNT_CAP; HV_INCIDENTS_COUNT_CAP + 1 means "more than that". */
#define HV_INCIDENTS_COUNT_CAP 10000
enum hv_qs hv_incidents_list(struct hv_store *s, int64_t scope, const struct hv_incident_filter *f,
                             json_t **items, int64_t *total);

/* Exports: called with each report (full, as hv_incident_get gives it,
 * plus "verification_note"), borrowed for the call. Return 0 to go on. */
typedef int (*hv_incident_each)(void *cls, const json_t *incident);

/* Counts the reports `f` selects within `scope` (offset and limit
 * ignored) into *total, up to max_rows + 1 (meaning "more than max_rows");
 * when it is at most `max_rows`, calls `fn` for each
 * in the filter's order, in the same read transaction. */
enum hv_qs hv_incidents_export(struct hv_store *s, int64_t scope,
                               const struct hv_incident_filter *f, int64_t max_rows, int64_t *total,
                               hv_incident_each fn, void *cls);

/* Records an export in the audit log, in its own write transaction:
 * `summary` (format, row count, filters; shown in the log) as the object
 * id, `detail` committed to. */
enum hv_qs hv_incidents_export_audit(struct hv_store *s, const char *actor, const char *summary,
                                     const char *detail);

/* --- export.c ------------------------------------------------------------ */

enum hv_export_format { HV_EXPORT_CSV, HV_EXPORT_JSON, HV_EXPORT_FORMAT_MAX };

/* Writes exports into a bounded buffer: the columns are a declared table
 * (export.c), each naming the roles that may see it, so a role's export
 * holds only its columns. */
struct hv_export {
  enum hv_export_format format;
  unsigned roles;
  size_t rows;
  struct hv_buf *out;
};
/* Header row (CSV, after a UTF-8 byte order mark for spreadsheets) or "[". */
int hv_export_begin(struct hv_export *x, enum hv_export_format format, unsigned roles,
                    struct hv_buf *out);
int hv_export_row(struct hv_export *x, const json_t *incident);
int hv_export_end(struct hv_export *x);
/* The column names `roles` may see, as a JSON array (for docs and tests). */
json_t *hv_export_columns(unsigned roles);
