/* Preparedness plan reminders: a job of serve's scheduler
 * (src/modules/notify/scheduler.h). For each plan not yet submitted, the
 * department's liaisons and backups are emailed `plan_reminder_days`
 * calendar days before its due day (default 7, 3 and 1) and every
 * `plan_reminder_overdue` days once it is overdue (default every day).
 * Each reminder is recorded in reminders_sent in the same transaction as
 * its outbox rows, so it is queued once even with several servers. The
 * mail holds the directive, the department, the due day and a sign-in
 * link: never the plan's answers. */
#ifndef HV_PLANS_REMINDERS_H
#define HV_PLANS_REMINDERS_H

#include "modules/notify/scheduler.h"

/* The offset a plan's reminder is for today: the smallest configured
 * offset not below `left` (days until due, > 0 or 0 on the day), the
 * negated days overdue on a day an overdue reminder is due, or -1000 for
 * none. `days` lists the offsets largest first; `every` is
 * plan_reminder_overdue (0: none once overdue). */
int hv_plan_reminder_offset(int64_t left, const int *days, int ndays, unsigned every);

/* The job: returns how many reminders it queued, or -1. */
int hv_plans_reminders_run(struct hv_job_ctx *ctx);

#endif
