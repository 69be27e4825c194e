/* FOIA request tracking and its working-day calendars (issue 7). So far:
 * the holiday calendars (calendar.c), the days closed by hand on them
 * (store.c) and the working-day calculator, as an API and a public page
 * (http.c). */
#ifndef HV_FOIA_H
#define HV_FOIA_H

#include <jansson.h>

#include "auth/auth.h"
#include "modules/foia/calendar.h"
#include "store/store.h"

extern const struct hv_route hv_foia_routes[];
extern const size_t hv_foia_nroutes;
/* The request tracker's API (requests_http.c). */
extern const struct hv_route hv_foia_request_routes[];
extern const size_t hv_foia_request_nroutes;
/* The tracker's pages (pages.c). */
extern const struct hv_route hv_foia_pages[];
extern const size_t hv_foia_npages;

/* Documents received (documents_http.c) and the full record (record.c). */
extern const struct hv_route hv_foia_document_routes[];
extern const size_t hv_foia_document_nroutes;
extern const struct hv_route hv_foia_record_routes[];
extern const size_t hv_foia_record_nroutes;

/* The request page (pages.c) answered with `status`, the problems (stolen;
 * [{"anchor", "label", "message"}] or NULL) beside its forms and a notice. */
void hv_foia_request_page(struct hv_request *rq, int status, int64_t id, json_t *problems,
                          const char *notice);

/* Adds the words people read beside a deadline (pages.c). */
void hv_foia_decorate_deadline(json_t *d);

struct hv_foia_deadlines;
struct hv_closures;
/* Computes the deadlines of request `r` (JSON as hv_foia_get or
 * hv_foia_list answer it, with its "events") on the federal calendar with
 * its closures `cl`, "today" being `now`. */
void hv_foia_compute(const json_t *r, const struct hv_closures *cl, hv_day now,
                     struct hv_foia_deadlines *out);

/* The city's date now (the clock's wall time, in the city's zone). */
hv_day hv_foia_today(void);

/* Request `id` with tracking numbers, events and computed "deadlines"
 * (returned), or NULL after replying 404 or 503. */
json_t *hv_foia_request_view(struct hv_request *rq, int64_t id);
/* The open requests (every one with `all`), each with "next_deadline",
 * overdue first then by due date (returned), or NULL after replying. */
json_t *hv_foia_board_view(struct hv_request *rq, bool all);
/* Checks an event as typed: NULL when fine, else a message for people with
 * the field in *field; *type receives the event type. */
const char *hv_foia_event_problem(const char *type, const char *date, int *t, const char **field);

/* The most closures one calendar holds (a check on a runaway script). */
#define HV_CLOSURES_MAX 500
/* The longest closure name, in characters. */
#define HV_CLOSURE_NAME_MAX 80

/* A calendar's closures, read in one transaction: `items` (n of them,
 * sorted by day) with their names in `names`; free with
 * hv_closures_free. */
struct hv_closures {
  struct hv_closure items[HV_CLOSURES_MAX];
  char names[HV_CLOSURES_MAX][4 * HV_CLOSURE_NAME_MAX + 1];
  size_t n;
};

/* Reads the closures of calendar `c` into *out (caller frees with free()). */
enum hv_qs hv_closures_load(struct hv_store *s, enum hv_calendar c, struct hv_closures **out);

/* Lists the closures of `c` as [{"date", "name", "created_at"}] (returned). */
enum hv_qs hv_closures_list(struct hv_store *s, enum hv_calendar c, json_t **items);

/* Adds a closure; HV_QS_CONFLICT when the day is already closed by hand.
 * The audit event is in the same transaction. */
enum hv_qs hv_closure_add(struct hv_store *s, const struct hv_principal *by, enum hv_calendar c,
                          const char *date, const char *name);

/* Removes a closure; HV_QS_NONE when there is none that day. Audited. */
enum hv_qs hv_closure_remove(struct hv_store *s, const struct hv_principal *by,
                             enum hv_calendar c, const char *date);

#endif
