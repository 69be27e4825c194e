/* FOIA requests in the store (migration 0015): the request, its tracking
 * numbers and its timeline. Reads answer JSON the API sends as it is (and
 * the pages render); every write appends its audit event in the same
 * transaction. Deadlines are not stored: see deadline.h. */
#ifndef HV_FOIA_REQUESTS_H
#define HV_FOIA_REQUESTS_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "modules/foia/model.h"
#include "store/store.h"

/* The most requests one list answers, tracking numbers one request holds. */
#define HV_FOIA_LIST_MAX 500
#define HV_FOIA_TRACKING_MAX 50
/* The most events one timeline holds (the clock reads at most this many). */
#define HV_FOIA_EVENTS_ROWS 200

/* A request's fields as written. Strings are borrowed; NULL keeps the
 * current value on update (none on create). The yes/no fields are 0 or 1,
 * HV_FOIA_KEEP to keep, and the "granted" ones HV_FOIA_UNDECIDED for not
 * decided yet. `status` is an enum hv_foia_status, or HV_FOIA_KEEP. */
#define HV_FOIA_KEEP (-2)
#define HV_FOIA_UNDECIDED (-1)
struct hv_foia_fields {
  const char *agency, *component, *subject, *records_sought;
  const char *submitted_on, *received_on, *expedited_decided_on;
  int fee_waiver_asked, fee_waiver_granted, expedited_asked, expedited_granted;
  int status;
};

/* Every field HV_FOIA_KEEP / NULL. */
void hv_foia_fields_init(struct hv_foia_fields *f);

/* Creates a request (version 1); *id receives its id. */
enum hv_qs hv_foia_create(struct hv_store *s, const struct hv_principal *by,
                          const struct hv_foia_fields *f, int64_t *id);

/* Updates request `id` if its version is still `version`: HV_QS_NONE when
 * there is no such request, HV_QS_CONFLICT when the version moved on
 * (*current receives it). */
enum hv_qs hv_foia_update(struct hv_store *s, const struct hv_principal *by, int64_t id,
                          int64_t version, const struct hv_foia_fields *f, int64_t *current);

/* Adds a dated event and moves the status as the event says
 * (hv_foia_status_after); the version goes up by one. HV_QS_NONE when there
 * is no such request; HV_QS_CONFLICT when the timeline is full. */
enum hv_qs hv_foia_event_add(struct hv_store *s, const struct hv_principal *by, int64_t id,
                             enum hv_foia_event_type type, const char *day, const char *note,
                             int64_t *event_id);

/* Adds a tracking number; HV_QS_NONE when there is no such request,
 * HV_QS_CONFLICT when the request already has it (or 50 of them). */
enum hv_qs hv_foia_tracking_add(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                const char *number, enum hv_foia_reason reason,
                                const char *assigned_on);

/* The request `id` as {"id", "agency", ..., "version", "tracking_numbers":
 * [{"number", "reason", "assigned_on"}], "events": [{"id", "type", "date",
 * "note", "created_at"}]} (events by date), returned in *out (caller
 * decrefs). HV_QS_NONE when there is none. */
enum hv_qs hv_foia_get(struct hv_store *s, int64_t id, json_t **out);

/* The requests (open ones only when `open_only`), newest first, each with
 * its "events" and "tracking_numbers"; at most HV_FOIA_LIST_MAX. */
enum hv_qs hv_foia_list(struct hv_store *s, bool open_only, json_t **out);

#endif
