/* Notifications: written into the outbox inside the transaction of the
 * record they are about (so none is lost and none is sent for a change that
 * rolled back), then sent by one background sender with retries. Bodies
 * carry a reference, a facility and a sign-in link: never report contents. */
#ifndef HV_NOTIFY_H
#define HV_NOTIFY_H

#include <stdint.h>

#include "core/config.h"
#include "store/store.h"

/* Inside a write transaction: queues one message per address in `to` (a
 * comma-separated list; empty entries are skipped). */
enum hv_qs hv_notify_queue_tx(struct hv_conn *c, const char *to, const char *subject,
                              const char *body);

/* Inside a transaction: appends the addresses of `department_id`'s active
 * liaisons, then its backups, to the comma-separated list in `list` (`n`
 * bytes with its NUL; addresses that would not fit are left out). */
enum hv_qs hv_notify_liaisons_tx(struct hv_conn *c, int64_t department_id, char *list, size_t n);

/* Inside a write transaction: queues the quick-alert notice to the
 * department's liaisons and MOIA's on-call list. */
enum hv_qs hv_notify_alert_tx(struct hv_conn *c, const struct hv_config *cfg, int64_t department_id,
                              int64_t incident_id, const char *ref, const char *facility);

struct hv_sender;

/* Starts the sender thread (serve). NULL when it could not start. */
struct hv_sender *hv_sender_start(const struct hv_config *cfg, struct hv_store *s);
/* Wakes it to send now (after a commit that queued mail). */
void hv_sender_poke(struct hv_sender *k);
/* Stops and joins it. hv_sender_stop(NULL) is a no-op. */
void hv_sender_stop(struct hv_sender *k);

/* Sends what is due now; returns how many were sent (tests and the thread). */
int hv_sender_run_once(const struct hv_config *cfg, struct hv_store *s);

#endif
