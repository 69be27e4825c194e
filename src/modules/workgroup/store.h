/* The working group in the store (migration 0017): members, sessions,
 * feedback items, recommendations with their status history, guideline
 * documents with their versions. Reads answer JSON the API sends as it is
 * (and the pages render); every write checks the version it was given in
 * its own transaction and appends its audit event in that transaction.
 * Free text arrives here already redacted (http.c). */
#ifndef HV_WORKGROUP_STORE_H
#define HV_WORKGROUP_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "modules/workgroup/model.h"
#include "store/store.h"

/* The most rows one list answers, links one record holds, versions one
 * guideline holds. */
#define HV_WG_LIST_MAX 500
#define HV_WG_LINKS_MAX 50
#define HV_WG_VERSIONS_MAX 200

/* Moves on with every committed write in this process (the public page's
 * cache generation). */
uint64_t hv_wg_generation(void);

/* The records kept as plain fields (store.c's tables say which). */
enum hv_wg_entity { HV_WGE_MEMBER, HV_WGE_SESSION, HV_WGE_FEEDBACK, HV_WGE_MAX };

/* Creates a record from `fields` (borrowed; every column of the entity:
 * strings, integers, null, true/false, and for a session's "languages" an
 * array of strings); `parent` is the session of a feedback item (0
 * otherwise): HV_QS_NONE when there is no such session. *id receives the
 * new id. */
enum hv_qs hv_wg_create(struct hv_store *s, const struct hv_principal *by, enum hv_wg_entity e,
                        int64_t parent, const json_t *fields, int64_t *id);

/* Sets the columns `fields` names (borrowed) on record `id` if its version
 * is still `version`: HV_QS_NONE when there is none, HV_QS_CONFLICT when
 * the version moved on (*current receives it). The audit event holds what
 * changed. */
enum hv_qs hv_wg_update(struct hv_store *s, const struct hv_principal *by, enum hv_wg_entity e,
                        int64_t id, int64_t version, const json_t *fields, int64_t *current);

/* Record `id` as {"id", columns..., "version", "created_at", "updated_at"}
 * (a session also with its "feedback" items), returned in *out (caller
 * decrefs). HV_QS_NONE when there is none. */
enum hv_qs hv_wg_get(struct hv_store *s, enum hv_wg_entity e, int64_t id, json_t **out);

/* The records (feedback of session `parent` only when parent > 0),
 * sessions by date, others newest first; at most HV_WG_LIST_MAX. */
enum hv_qs hv_wg_list(struct hv_store *s, enum hv_wg_entity e, int64_t parent, json_t **out);

/* What went wrong in a write beyond the version: the id of a linked record
 * that does not exist, or a status move the machine refuses. */
struct hv_wg_refusal {
  const char *field; /* "feedback_ids", "recommendation_ids", "status" or NULL */
  int64_t missing;   /* the linked id not found */
  int from;          /* the status the recommendation was in */
};

/* Creates a recommendation (status proposed) linked to the feedback items
 * `feedback_ids` (borrowed array of integers, may be NULL): HV_QS_CONFLICT
 * with r->field set when one does not exist. */
enum hv_qs hv_wg_rec_create(struct hv_store *s, const struct hv_principal *by, const char *title,
                            const char *body, const json_t *feedback_ids, struct hv_wg_refusal *r,
                            int64_t *id);

/* Changes the title, the text and/or the feedback links (NULL keeps
 * each) if the version is still `version` (else HV_QS_CONFLICT, *current
 * set, r->field NULL). */
enum hv_qs hv_wg_rec_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                            int64_t version, const char *title, const char *body,
                            const json_t *feedback_ids, struct hv_wg_refusal *r, int64_t *current);

/* Moves recommendation `id` to status `to` (with `reason`, required by the
 * caller for a decline) if its version is still `version` and the machine
 * allows it (hv_wg_rec_can_move): HV_QS_CONFLICT with r->field "status"
 * and r->from when it does not. The move is kept in the history and
 * audited. */
enum hv_qs hv_wg_rec_move(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, enum hv_wg_rec_status to, const char *reason,
                          struct hv_wg_refusal *r, int64_t *current);

/* Recommendation `id` with "feedback" (the linked items: id, session_id,
 * topic, summary), "history" and "guidelines" (id, title). */
enum hv_qs hv_wg_rec_get(struct hv_store *s, int64_t id, json_t **out);

/* The recommendations, newest first, each with "feedback_ids". */
enum hv_qs hv_wg_rec_list(struct hv_store *s, json_t **out);

/* Creates a guideline document with its first version (`text` Markdown,
 * `note` what it is), linked to the recommendations it implements. */
enum hv_qs hv_wg_guideline_create(struct hv_store *s, const struct hv_principal *by,
                                  const char *title, const char *text, const char *note,
                                  const json_t *recommendation_ids, struct hv_wg_refusal *r,
                                  int64_t *id);

/* Changes the title and/or the links (NULL keeps each), version checked. */
enum hv_qs hv_wg_guideline_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                  int64_t version, const char *title,
                                  const json_t *recommendation_ids, struct hv_wg_refusal *r,
                                  int64_t *current);

/* Adds the next version of the text, version checked; *number receives
 * its number. HV_QS_CONFLICT with r->field "text" when the document holds
 * HV_WG_VERSIONS_MAX versions. */
enum hv_qs hv_wg_guideline_add_version(struct hv_store *s, const struct hv_principal *by,
                                       int64_t id, int64_t version, const char *text,
                                       const char *note, struct hv_wg_refusal *r, int64_t *current,
                                       int64_t *number);

/* Guideline `id` with "versions" (number, note, text, created_at; newest
 * first) and "recommendations" (id, title, status). */
enum hv_qs hv_wg_guideline_get(struct hv_store *s, int64_t id, json_t **out);

/* The guidelines with their "current_version" number, newest first. */
enum hv_qs hv_wg_guideline_list(struct hv_store *s, json_t **out);

#endif
