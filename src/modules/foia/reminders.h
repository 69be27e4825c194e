/* Reminders by email before each FOIA deadline: a job of serve's
 * scheduler (notify/scheduler.h). For every open request and every
 * deadline still open, it queues one email to the FOIA users (the
 * `reminder_to` list, or every active MOIA and City Attorney user) when the
 * deadline is `reminder_days` working days away (5 and 1 by default; the
 * nearest one reached, so a request recorded late is not reminded of days
 * already past) and once on the first run after it became overdue. Each
 * reminder's row in reminders_sent (UNIQUE: request, deadline kind, due
 * date, offset) is inserted in the transaction that queues its mail, so it
 * goes once, whatever runs overlap; a due date that moves (an extension, a
 * closure) is a new deadline and reminded again. Emails carry the
 * reference, the deadline and its date and a sign-in link: never the
 * request's content. */
#ifndef HV_FOIA_REMINDERS_H
#define HV_FOIA_REMINDERS_H

#include "modules/notify/scheduler.h"

/* The job: returns how many reminders it queued, or -1. */
int hv_foia_reminders_run(struct hv_job_ctx *ctx);

#endif
