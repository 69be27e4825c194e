/* Department preparedness plans (issue 6, first part): directives with
 * their requirements (data an administrator edits), a campaign of one plan
 * per department opened by issuing a directive, the liaison's answers and
 * evidence, submission, MOIA's review requirement by requirement, every
 * submitted version kept and comparable, and MOIA's board (JSON, page,
 * CSV, XLSX).
 *
 *   model.c     codes, the status machine, due dates and lateness, the
 *               comparison of two versions, the board's order (pure)
 *   store.c     the SQL: every write checks the plan's version and appends
 *               its audit event in the same transaction
 *   http.c      the JSON API and its route table
 *   evidence.c  evidence files (the incident attachment machinery: sniffed,
 *               stripped, encrypted at rest, SHA-256 of the original)
 *   export.c    the board as CSV (formulas neutralised) and XLSX
 *   pages.c     the staff pages
 *
 * Who: liaisons work on their own department's plan (another department's
 * answers 404); MOIA and administrators work on every plan and review;
 * auditors read. Nobody reviews a plan they submitted, nor their own
 * department's. */
#ifndef HV_PLANS_H
#define HV_PLANS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "http/http.h"
#include "store/store.h"

extern const struct hv_route hv_plans_routes[];
extern const size_t hv_plans_nroutes;
extern const struct hv_route hv_plans_pages[];
extern const size_t hv_plans_npages;

/* --- model (model.c, pure) ------------------------------------------------- */

enum hv_plan_status {
  HV_PLAN_OPEN, /* not started */
  HV_PLAN_IN_PROGRESS,
  HV_PLAN_SUBMITTED,
  HV_PLAN_CHANGES_REQUESTED,
  HV_PLAN_ACCEPTED,
  HV_PLAN_STATUS_MAX
};

enum hv_answer_status {
  HV_ANS_TODO,
  HV_ANS_IN_PROGRESS,
  HV_ANS_DONE,
  HV_ANS_NOT_APPLICABLE,
  HV_ANS_STATUS_MAX
};

/* Codes ("open", "changes_requested", ...) and labels for people. */
const char *hv_plan_status_code(enum hv_plan_status s);
const char *hv_plan_status_label(enum hv_plan_status s);
int hv_plan_status_parse(const char *code); /* -1 when unknown */
const char *hv_answer_status_code(enum hv_answer_status s);
const char *hv_answer_status_label(enum hv_answer_status s);
int hv_answer_status_parse(const char *code); /* -1 when unknown */

/* The status machine. Answers and evidence change while the plan is open,
 * in progress or sent back; it is submitted from those states; a reviewer
 * decides only on a submitted plan. */
bool hv_plan_may_edit(enum hv_plan_status s);
bool hv_plan_may_submit(enum hv_plan_status s);
bool hv_plan_may_review(enum hv_plan_status s);

/* The longest texts, in code points. */
#define HV_PLAN_NOTE_MAX 4000
#define HV_PLAN_REASON_MAX 1000
#define HV_PLAN_COMMENT_MAX 2000
#define HV_PLAN_TITLE_MAX 300
#define HV_PLAN_REQ_MAX 60 /* requirements one directive holds */
#define HV_PLAN_DUE_DAYS_MAX 365

/* Checks one answer as written: NULL when fine, else a message for people
 * with the field in *field. `percent` is -1 when not given. */
const char *hv_answer_problem(int status, const char *na_reason, int64_t percent, bool asks_percent,
                              const char **field);

/* Timing of a plan against its due day, all days as YYYY-MM-DD in the
 * city's zone. `first_submitted` is NULL while never submitted. */
struct hv_plan_timing {
  bool valid;        /* false when a day could not be read */
  bool delivered;    /* submitted at least once */
  bool late;         /* delivered after the due day, or not delivered and past it */
  int64_t days_left; /* not delivered: due - today (negative when overdue) */
  int64_t days_late; /* days past due: today - due if not delivered, else submitted - due; >= 0 */
};
void hv_plan_timing(const char *due_on, const char *today, const char *first_submitted,
                    struct hv_plan_timing *out);

/* `day` + `n` calendar days into out[11]; -1 when `day` is not a date. */
int hv_day_add_text(const char *day, int64_t n, char out[11]);

/* Compares two snapshots (each {"answers": [{"requirement_id", "code",
 * "title", "status", "note", "na_reason", "percent", "evidence":
 * [{"item", "version", "file_name", "sha256", "effective_on"}]}]}) as
 * [{"requirement_id", "code", "title", "changed": bool, "changes": [{"field",
 * "from", "to"}]}] in the order of `to` then requirements only in `from`
 * (returned, caller decrefs). Tolerates any JSON: what is not the expected
 * shape reads as absent, and a requirement listed twice counts once (the
 * first). */
json_t *hv_plan_compare(const json_t *from, const json_t *to);

/* The board's sort keys. */
enum hv_board_sort {
  HV_BSORT_DEPARTMENT,
  HV_BSORT_STATUS,
  HV_BSORT_DUE, /* days left, overdue first */
  HV_BSORT_DONE,
  HV_BSORT_MAX
};
const char *hv_board_sort_code(enum hv_board_sort s);
int hv_board_sort_parse(const char *code); /* -1 when unknown */
/* Sorts the board's rows (an array of objects made by the store) in place. */
void hv_board_sort(json_t *rows, enum hv_board_sort by, bool desc);

/* --- store (store.c) -------------------------------------------------------- */

/* A write's common outcome: why it was refused (HV_QS_CONFLICT with a
 * message for people, the HTTP status and the field), and the version the
 * plan is at now. */
struct hv_plan_outcome {
  const char *refusal;
  int status;
  const char *field;
  const char *code;
  int64_t current;
};

/* A new directive with its requirements ([{"code", "title", "guidance",
 * "asks_percent"}], checked by the caller). *id receives its id;
 * HV_QS_CONFLICT when the number or a requirement code is taken. */
enum hv_qs hv_directive_create(struct hv_store *s, const struct hv_principal *by,
                               const char *number, const char *title, int64_t due_days,
                               const json_t *requirements, int64_t *id);

/* Changes a directive if it is still at `version`: NULL/-1 keep a value.
 * The due days change only before it is issued. */
enum hv_qs hv_directive_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                               int64_t version, const char *number, const char *title,
                               int64_t due_days, struct hv_plan_outcome *o);

/* Adds a requirement at the end (also after issue: open plans get it as
 * "to do"). */
enum hv_qs hv_requirement_add(struct hv_store *s, const struct hv_principal *by, int64_t directive,
                              const char *code, const char *title, const char *guidance,
                              bool asks_percent, int64_t *rid);

/* Edits a requirement: NULL/-1 keep a value; `retired` 1 takes it out of
 * new answers and the board's count (answers already given are kept). */
enum hv_qs hv_requirement_update(struct hv_store *s, const struct hv_principal *by,
                                 int64_t directive, int64_t rid, const char *title,
                                 const char *guidance, int asks_percent, int retired);

/* Directive `id` with "requirements" (returned); the list when id is 0
 * ({"items": [...]}). */
enum hv_qs hv_directive_get(struct hv_store *s, int64_t id, json_t **out);
enum hv_qs hv_directives_list(struct hv_store *s, json_t **out);

/* Issues a directive on `issued_on`: one plan per department, due
 * `due_days` calendar days later, each with its audit event. *count
 * receives the number of plans. HV_QS_CONFLICT when already issued. */
enum hv_qs hv_directive_issue(struct hv_store *s, const struct hv_principal *by, int64_t id,
                              const char *issued_on, int64_t *count);

/* Plan `id` within `scope` (hv_policy_department) with its department,
 * directive, "requirements" (each with its answer and evidence), and
 * "submissions" (number, submitted_at, decision, review) (returned).
 * HV_QS_NONE when absent or out of scope. */
enum hv_qs hv_plan_get(struct hv_store *s, int64_t id, int64_t scope, json_t **out);

/* The plans in `scope` (of directive `directive`, or every one when 0),
 * each with its department and counts of requirements and of those done
 * or not applicable (returned array). */
enum hv_qs hv_plans_list(struct hv_store *s, int64_t directive, int64_t scope, json_t **out);

/* Sets the answer to requirement `rid` of plan `id` (version check). An
 * open plan moves to in progress. `percent` -1 for none. */
enum hv_qs hv_plan_answer(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                          int64_t id, int64_t version, int64_t rid, int status, const char *note,
                          const char *na_reason, int64_t percent, struct hv_plan_outcome *o);

/* Submits the plan (version check): every requirement answered (none "to
 * do"), the answers and evidence snapshotted as submission N+1. `today`
 * is the city's date, kept as the first submission day. */
enum hv_qs hv_plan_submit(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                          int64_t id, int64_t version, const char *today,
                          struct hv_plan_outcome *o);

/* Decides on a submitted plan (version check): `accept`, or changes
 * requested with `comments` ([{"requirement_id", "comment"}], at least
 * one). Refused when `by` submitted it or belongs to its department. */
enum hv_qs hv_plan_review(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, bool accept, const char *comment, const json_t *comments,
                          struct hv_plan_outcome *o);

/* Submission `number` of plan `id` within `scope`: {"number",
 * "submitted_at", "submitted_by", "answers", "decision", ...}
 * (returned). */
enum hv_qs hv_plan_version_get(struct hv_store *s, int64_t id, int64_t scope, int64_t number,
                               json_t **out);

/* An evidence file's row. */
struct hv_evidence {
  int64_t id, plan_id, requirement_id, item, version, size, uploaded_by, uploaded_at;
  char file_name[128];
  char content_type[32];
  char sha256[65];
  char storage_name[40];
  char effective_on[11];
};

/* Records an evidence file already durably written (version check on the
 * plan, edit rule of the plan): `e` in (plan, requirement, file fields,
 * item 0 for a new item), out (id, item, version, uploaded_at). */
enum hv_qs hv_evidence_add(struct hv_store *s, const struct hv_principal *by, int64_t scope,
                           int64_t version, struct hv_evidence *e, struct hv_plan_outcome *o);

/* May evidence be added to plan `id`'s requirement `rid` now (the same
 * checks, before the upload is processed)? */
enum hv_qs hv_evidence_may_add(struct hv_store *s, int64_t scope, int64_t id, int64_t rid,
                               int64_t item, struct hv_plan_outcome *o);

enum hv_qs hv_evidence_get(struct hv_store *s, int64_t plan, int64_t eid, int64_t scope,
                           struct hv_evidence *out);

/* --- views (http.c) ------------------------------------------------------- */

/* The city's date now (the injectable clock), as YYYY-MM-DD. */
void hv_plans_today(char out[11]);

/* Adds the computed timing ("days_left", "days_late", "late",
 * "delivered") to a plan object (with "due_on", "first_submitted_on"). */
void hv_plan_add_timing(json_t *plan, const char *today);

/* The board of directive `id`: {"directive", "today", "rows": [...]}
 * sorted as asked (returned), or NULL after replying. */
json_t *hv_plans_board_view(struct hv_request *rq, int64_t directive, enum hv_board_sort by,
                            bool desc);

/* Plan `id` in the caller's scope with its timing and "today" (returned),
 * or NULL after replying 404 or 503. */
json_t *hv_plans_view(struct hv_request *rq, int64_t id);

/* The comparison of submitted versions `from` and `to` (query text) of
 * plan `id`: {"from", "to", "changed", "requirements": [...]} (returned),
 * or NULL after replying. */
json_t *hv_plans_compare_view(struct hv_request *rq, int64_t id, const char *from, const char *to);

/* Checks a review's comments ([{"requirement_id", "comment"}]) against the
 * decision: NULL when fine, else a message with the field in *field. */
const char *hv_plans_review_problem(bool accept, const json_t *comments, const char **field);

/* --- pages (pages.c) -------------------------------------------------------- */

/* Renders plan `id`'s page with `problems` (stolen; [{"anchor", "label",
 * "message"}] or NULL) and a notice, answering `status`. */
void hv_plans_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                   const char *notice);

/* --- evidence (evidence.c) ------------------------------------------------ */

/* Upload handlers (multipart: "file", "effective_on", "version", and
 * "item" for a new version of an item) for the API and the plan page, and
 * the download handler both use. */
void hv_plans_evidence_api_upload(struct hv_request *rq);
void hv_plans_evidence_page_upload(struct hv_request *rq);
void hv_plans_evidence_download(struct hv_request *rq);

/* --- export (export.c) ---------------------------------------------------- */

/* The board's rows as CSV into `b` (formulas neutralised). 0 or -1 (full). */
int hv_board_csv(const json_t *board, struct hv_buf *b);
/* The board as an XLSX workbook into *out (malloc'd, caller frees), using
 * `tmpdir` for libxlsxwriter's file. 0, or -1. */
int hv_board_xlsx(const json_t *board, const char *tmpdir, unsigned char **out, size_t *len);

/* The board's columns, for the page, CSV and XLSX alike. */
struct hv_board_column {
  const char *key, *header;
};
extern const struct hv_board_column hv_board_columns[];
extern const size_t hv_board_ncolumns;
/* A row's cell as text (into `buf`, or a constant). */
const char *hv_board_cell(const json_t *row, const char *key, char *buf, size_t cap);

#endif
