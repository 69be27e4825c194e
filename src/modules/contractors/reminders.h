/* Attestation expiry reminders: a job of serve's scheduler
 * (src/modules/notify/scheduler.h). For each contract on City property
 * that runs today, the department's liaisons and backups are emailed
 * `contract_reminder_days` calendar days before its latest attestation
 * expires (default 30, 7 and 1), and once when it has expired, unless the
 * contract ends first. Each reminder is a row of reminders_sent written in
 * the same transaction as its outbox rows, so it is queued once even with
 * several servers. A contract that ends on or before the day its
 * attestation expires is covered to its end and not reminded. The mail names the contract number,
 * the expiry day and a sign-in link: nothing of the vendor's documents. */
#ifndef HV_CONTRACTORS_REMINDERS_H
#define HV_CONTRACTORS_REMINDERS_H

#include <stdint.h>

#include "modules/notify/scheduler.h"

/* The offset an attestation's reminder is for today: the smallest
 * configured offset not below `left` (days until it expires; 0 on its last
 * valid day), -1 once it has expired, or -1000 for none. `days` lists the
 * offsets largest first. */
int hv_contract_reminder_offset(int64_t left, const int *days, int ndays);

/* The job: returns how many reminders it queued, or -1. */
int hv_contracts_reminders_run(struct hv_job_ctx *ctx);

#endif
