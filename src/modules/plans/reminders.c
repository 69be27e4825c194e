/* Preparedness plan reminders (see reminders.h). */
#include "modules/plans/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timefmt.h"
#include "modules/foia/calendar.h"
#include "modules/notify/notify.h"

#define NO_REMINDER (-1000)

static struct hv_sql q_due = HV_SQL(
    "SELECT p.id, p.department_id, p.due_on, d.number, dep.name FROM plans p "
    "JOIN plan_directives d ON d.id = p.directive_id JOIN departments dep ON dep.id = "
    "p.department_id WHERE p.first_submitted_on IS NULL AND p.status IN ('open', 'in_progress') "
    "ORDER BY p.id");
static struct hv_sql q_mark = HV_SQL(
    "INSERT INTO reminders_sent (subject, object_id, deadline_kind, deadline_date, offset_days, "
    "sent_at) VALUES ('plan', ?, 'plan_due', ?, ?, ?) ON CONFLICT DO NOTHING");

int hv_plan_reminder_offset(int64_t left, const int *days, int ndays, unsigned every) {
  if (left < 0) {
    if (every == 0 || (-left) % every != 0)
      return NO_REMINDER;
    return (int)(left < -999 ? -999 : left);
  }
  int best = NO_REMINDER;
  for (int i = 0; i < ndays; i++)
    if (days[i] >= left && (best == NO_REMINDER || days[i] < best))
      best = days[i];
  return best;
}

/* One plan due for a reminder, read from q_due. */
struct due {
  int64_t id, department_id;
  char due_on[11];
  char directive[64];
  char department[160];
};

struct due_list {
  struct due *items; /* owned */
  size_t n, cap;
};

static int due_row(void *cls, const struct hv_row *r) {
  struct due_list *l = cls;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 32;
    struct due *items = realloc(l->items, cap * sizeof *items);
    if (!items)
      return -1;
    l->items = items;
    l->cap = cap;
  }
  struct due *d = &l->items[l->n++];
  d->id = hv_row_int(r, 0);
  d->department_id = hv_row_int(r, 1);
  snprintf(d->due_on, sizeof d->due_on, "%s", hv_row_text(r, 2) ? hv_row_text(r, 2) : "");
  snprintf(d->directive, sizeof d->directive, "%s", hv_row_text(r, 3) ? hv_row_text(r, 3) : "");
  snprintf(d->department, sizeof d->department, "%s", hv_row_text(r, 4) ? hv_row_text(r, 4) : "");
  return 0;
}

struct one {
  const struct hv_config *cfg; /* borrowed */
  const struct due *d;         /* borrowed */
  int64_t now, left;
  int offset;
};

static enum hv_qs remind_tx(struct hv_conn *c, void *cls) {
  struct one *o = cls;
  struct hv_param pm[] = {HV_P_INT(o->d->id), HV_P_TEXT(o->d->due_on), HV_P_INT(o->offset),
                          HV_P_INT(o->now)};
  enum hv_qs qs = hv_db_exec(c, &q_mark, pm, 4);
  if (qs <= 0)
    return qs; /* HV_QS_NONE: already sent */
  char list[2048] = "";
  if ((qs = hv_notify_liaisons_tx(c, o->d->department_id, list, sizeof list)) < 0)
    return qs;
  if (!list[0])
    hv_log(HV_LOG_WARN, "plan reminder has no liaison to go to", HV_LI("plan", o->d->id),
           HV_LI("department", o->d->department_id));
  char subject[400], body[2048], when[80];
  if (o->left < 0)
    snprintf(when, sizeof when, "overdue by %lld day%s", (long long)-o->left,
             o->left == -1 ? "" : "s");
  else if (o->left == 0)
    snprintf(when, sizeof when, "due today");
  else
    snprintf(when, sizeof when, "%lld day%s left", (long long)o->left, o->left == 1 ? "" : "s");
  snprintf(subject, sizeof subject, "Haven plan reminder: %.60s preparedness plan, %.120s, %s",
           o->d->directive, o->d->department, when);
  /* the directive, the department, the day and a link: never the answers */
  snprintf(body, sizeof body,
           "%s\n\nDirective: %s\nDepartment: %s\nDue: %s (%s)\n\nSign in to complete and submit "
           "it: %s/plans/%lld\n\nThis message holds no details on purpose.\n",
           o->left < 0 ? "Your department's preparedness plan is overdue."
                       : "Your department's preparedness plan is due soon.",
           o->d->directive, o->d->department, o->d->due_on, when, o->cfg->base_url,
           (long long)o->d->id);
  qs = hv_notify_queue_tx(c, list, subject, body);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs due_tx(struct hv_conn *c, void *cls) {
  return hv_db_query(c, &q_due, NULL, 0, due_row, cls);
}

int hv_plans_reminders_run(struct hv_job_ctx *ctx) {
  struct due_list l = {NULL, 0, 0};
  int days[HV_REMINDER_DAYS_MAX];
  int ndays = hv_reminder_days_parse(ctx->cfg->plan_reminder_days, days);
  int queued = -1;
  char iso[40];
  hv_day today, due;
  hv_time_format_iso(ctx->now_ms, iso, sizeof iso);
  iso[10] = '\0';
  if (ndays < 0 || hv_day_parse(iso, &today) != 0)
    goto out;
  if (hv_store_tx(ctx->store, false, due_tx, &l) < 0)
    goto out;
  queued = 0;
  for (size_t i = 0; i < l.n; i++) {
    if (hv_day_parse(l.items[i].due_on, &due) != 0)
      continue;
    int64_t left = (int64_t)due - (int64_t)today;
    int off = hv_plan_reminder_offset(left, days, ndays, ctx->cfg->plan_reminder_overdue);
    if (off == NO_REMINDER)
      continue;
    struct one o = {ctx->cfg, &l.items[i], ctx->now_ms, left, off};
    enum hv_qs qs = hv_store_tx(ctx->store, true, remind_tx, &o);
    if (qs < 0) {
      hv_log(HV_LOG_WARN, "plan reminder not queued; the next run tries again",
             HV_LI("plan", l.items[i].id));
    } else if (qs > 0) {
      queued++;
      hv_log(HV_LOG_INFO, "plan reminder queued", HV_LI("plan", l.items[i].id),
             HV_LS("due", l.items[i].due_on), HV_LI("offset", off));
    }
  }
out:
  free(l.items);
  return queued;
}
