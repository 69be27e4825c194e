/* The working group's closed lists and the recommendation status machine,
 * as tables: one place to read them. Pure: no I/O. The store, the API and
 * the pages read codes through these. */
#ifndef HV_WORKGROUP_MODEL_H
#define HV_WORKGROUP_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* A code as stored and sent, and its label for people. */
struct hv_wg_choice {
  const char *code;
  const char *label;
};

/* A working-group meeting, or a community consultation (the public page
 * lists consultations only). */
enum hv_wg_kind { HV_WGK_MEETING, HV_WGK_CONSULTATION, HV_WGK_MAX };

/* A session is planned, then held (with its attendance) or cancelled. */
enum hv_wg_session_status { HV_WGS_PLANNED, HV_WGS_HELD, HV_WGS_CANCELLED, HV_WGS_MAX };

/* A recommendation's status (issue 7). */
enum hv_wg_rec_status {
  HV_WGR_PROPOSED,
  HV_WGR_UNDER_REVIEW,
  HV_WGR_ADOPTED,
  HV_WGR_IMPLEMENTED,
  HV_WGR_DECLINED,
  HV_WGR_MAX
};

extern const struct hv_wg_choice hv_wg_kinds[HV_WGK_MAX];
extern const struct hv_wg_choice hv_wg_session_statuses[HV_WGS_MAX];
extern const struct hv_wg_choice hv_wg_rec_statuses[HV_WGR_MAX];

/* The index of `code` in `table` (n entries), or -1 (also for NULL). */
int hv_wg_find(const struct hv_wg_choice *table, size_t n, const char *code);

/* The label of `code` in `table`, or `code` itself when it is not there. */
const char *hv_wg_label(const struct hv_wg_choice *table, size_t n, const char *code);

/* True when a recommendation may go from `from` to `to`:
 *   proposed     -> under_review, declined
 *   under_review -> proposed, adopted, declined
 *   adopted      -> implemented, declined
 *   declined     -> under_review (reconsidered)
 *   implemented  -> nothing (it is in the guidelines)
 * A change to the same status is not a change. */
bool hv_wg_rec_can_move(enum hv_wg_rec_status from, enum hv_wg_rec_status to);

/* The statuses `from` may move to, written for a message ("under_review or
 * declined"; "none" when there is none) into `out` (cap bytes). */
void hv_wg_rec_next_text(enum hv_wg_rec_status from, char *out, size_t cap);

/* The most languages one session lists, and the longest name of one. */
#define HV_WG_LANGS_MAX 16
#define HV_WG_LANG_NAME_MAX 40

/* Splits `text` at commas into trimmed language names, dropping empty
 * ones and repeats (case-sensitive); writes up to HV_WG_LANGS_MAX
 * pointers into `names`, each a NUL-terminated copy in `store` (cap
 * bytes). Returns the count, or -1 when there are too many names, one is
 * longer than HV_WG_LANG_NAME_MAX bytes, one holds a control character, or
 * `store` is too small. */
int hv_wg_split_languages(const char *text, char *store, size_t cap,
                          const char *names[HV_WG_LANGS_MAX]);

#endif
