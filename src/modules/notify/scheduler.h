/* The scheduler inside `serve`: a thread that wakes every
 * `reminder_interval` seconds and runs each job of a table (a name and a
 * function). Generic on purpose: FOIA deadline reminders are its first job;
 * plan and contract reminders (issue 6) add rows to the table.
 *
 * When several `haven` processes share one PostgreSQL database, each job
 * runs in one of them at a time: before running, a process takes the job's
 * lease (a row of scheduler_leases, taken with a conditional UPDATE in a
 * transaction: free, expired, or already its own) for three intervals and
 * renews it each run; a process that dies lets the lease expire and
 * another takes over. Jobs must still be idempotent (reminders_sent has a
 * UNIQUE key inserted with each outbox row), because a lease can expire
 * under a process that stalled. */
#ifndef HV_SCHEDULER_H
#define HV_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "store/store.h"

struct hv_job_ctx {
  const struct hv_config *cfg; /* borrowed */
  struct hv_store *store;      /* borrowed */
  int64_t now_ms;              /* the wall clock when the run started (hv_clock_wall_ms) */
};

/* A job: returns how many things it did (logged), or -1 on failure. */
struct hv_job {
  const char *name; /* the lease's name, unique */
  int (*run)(struct hv_job_ctx *ctx);
};

/* Takes or renews the lease `name` for `holder` until now + ms. Returns
 * HV_QS_ONE when this holder has it, HV_QS_NONE when another holds it. */
enum hv_qs hv_lease_take(struct hv_store *s, const char *name, const char *holder, int64_t now,
                         int64_t ms);

/* Gives the lease up (on stop) so another process takes over at once. */
enum hv_qs hv_lease_release(struct hv_store *s, const char *name, const char *holder);

/* Runs every job of `jobs` whose lease `holder` gets; returns how many ran. */
int hv_scheduler_run_once(const struct hv_config *cfg, struct hv_store *s,
                          const struct hv_job *jobs, size_t n, const char *holder);

struct hv_scheduler;
struct hv_sender;

/* Starts the thread (serve) with the job table `jobs` (borrowed: `serve`
 * holds it, one row per module's job) and pokes `sender` (may be NULL)
 * when a job did something. NULL when `reminder_interval` is 0 or it could
 * not start. */
struct hv_scheduler *hv_scheduler_start(const struct hv_config *cfg, struct hv_store *s,
                                        const struct hv_job *jobs, size_t n,
                                        struct hv_sender *sender);
/* Stops and joins it, giving up its leases. hv_scheduler_stop(NULL) is a
 * no-op. */
void hv_scheduler_stop(struct hv_scheduler *k);

#endif
