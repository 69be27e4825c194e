/* FOIA deadline reminders (see reminders.h). */
#include "modules/foia/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timefmt.h"
#include "modules/foia/deadline.h"
#include "modules/foia/foia.h"
#include "modules/foia/requests.h"
#include "modules/notify/notify.h"

static struct hv_sql q_mark = HV_SQL(
    "INSERT INTO reminders_sent (subject, object_id, deadline_kind, deadline_date, offset_days, "
    "sent_at) VALUES ('foia_request', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
static struct hv_sql q_users = HV_SQL(
    "SELECT DISTINCT u.email FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.active = 1 "
    "AND r.role IN ('moia', 'legal') ORDER BY u.email LIMIT 200");

/* The offset this deadline's reminder is for today: -1 once overdue, else
 * the smallest configured offset not below the days left; -2: none. */
static int offset_for(const struct hv_deadline *d, const int *days, int n) {
  if (d->status == HV_DLS_OVERDUE)
    return -1;
  if (d->status != HV_DLS_OPEN || d->due == HV_NO_DAY || d->left < 0)
    return -2;
  int best = -2;
  for (int i = 0; i < n; i++)
    if (days[i] >= d->left && (best == -2 || days[i] < best))
      best = days[i];
  return best;
}

struct emails {
  char list[4096];
};

static int email_row(void *cls, const struct hv_row *r) {
  struct emails *e = cls;
  size_t n = strlen(e->list);
  const char *v = hv_row_text(r, 0);
  if (v && n + strlen(v) + 2 < sizeof e->list)
    snprintf(e->list + n, sizeof e->list - n, "%s%s", n ? "," : "", v);
  return 0;
}

struct one {
  const struct hv_config *cfg;
  int64_t id, now;
  const char *kind, *due, *name, *reference;
  int offset, left;
  bool working;
};

static enum hv_qs remind_tx(struct hv_conn *c, void *cls) {
  struct one *o = cls;
  struct hv_param p[] = {HV_P_INT(o->id), HV_P_TEXT(o->kind), HV_P_TEXT(o->due),
                         HV_P_INT(o->offset), HV_P_INT(o->now)};
  enum hv_qs qs = hv_db_exec(c, &q_mark, p, 5);
  if (qs <= 0)
    return qs; /* HV_QS_NONE: already sent */
  struct emails e = {""};
  if (o->cfg->reminder_to[0])
    snprintf(e.list, sizeof e.list, "%s", o->cfg->reminder_to);
  else if ((qs = hv_db_query(c, &q_users, NULL, 0, email_row, &e)) < 0)
    return qs;
  if (!e.list[0])
    hv_log(HV_LOG_WARN, "FOIA reminder has nobody to go to", HV_LI("foia_request", o->id),
           HV_LS("deadline", o->kind));
  const char *unit = o->working ? "working days" : "days";
  char subject[240], body[1200], when[80];
  if (o->offset < 0)
    snprintf(when, sizeof when, "overdue by %d %s", -o->left, unit);
  else if (o->left == 0)
    snprintf(when, sizeof when, "due today");
  else
    snprintf(when, sizeof when, "%d %s left", o->left, unit);
  snprintf(subject, sizeof subject, "Haven FOIA reminder: %s, %s %s %s", o->reference, o->name,
           o->offset < 0 ? "overdue since" : "on", o->due);
  /* a reference, a deadline and a link: never the request's content */
  snprintf(body, sizeof body,
           "%s\n\nReference: %s\nDeadline: %s\nDate: %s (%s)\n\nSign in to see it: %s/foia/%lld\n\n"
           "This message holds no details on purpose. Do not forward it outside the City.\n",
           o->offset < 0 ? "A FOIA deadline has passed." : "A FOIA deadline is coming up.",
           o->reference, o->name, o->due, when, o->cfg->base_url, (long long)o->id);
  qs = hv_notify_queue_tx(c, e.list, subject, body);
  return qs < 0 ? qs : HV_QS_ONE;
}

int hv_foia_reminders_run(struct hv_job_ctx *ctx) {
  json_t *list = NULL;
  struct hv_closures *cl = NULL;
  int days[HV_REMINDER_DAYS_MAX], ndays = hv_reminder_days_parse(ctx->cfg->reminder_days, days);
  int queued = 0;
  char iso[40];
  hv_day today;
  hv_time_format_iso(ctx->now_ms, iso, sizeof iso);
  iso[10] = '\0';
  if (ndays < 0 || hv_day_parse(iso, &today) != 0)
    return -1;
  if (hv_foia_list(ctx->store, true, &list) < 0 ||
      hv_closures_load(ctx->store, HV_CAL_FEDERAL, &cl) < 0) {
    json_decref(list);
    return -1;
  }
  size_t i;
  json_t *r;
  json_array_foreach(list, i, r) {
    struct hv_foia_deadlines out;
    hv_foia_compute(r, cl, today, &out);
    int64_t id = json_integer_value(json_object_get(r, "id"));
    char reference[160];
    json_t *tn = json_array_get(json_object_get(r, "tracking_numbers"), 0);
    const char *number = json_string_value(json_object_get(tn, "number"));
    snprintf(reference, sizeof reference, "FOIA request %lld%s%.80s%s", (long long)id,
             number ? " (tracking number " : "", number ? number : "", number ? ")" : "");
    for (int k = 0; k < HV_DL_MAX; k++) {
      const struct hv_deadline *d = &out.d[k];
      int off = offset_for(d, days, ndays);
      if (off == -2 || d->due == HV_NO_DAY)
        continue;
      char due[11];
      hv_day_format(d->due, due);
      struct one o = {ctx->cfg,    id,
                      ctx->now_ms, hv_deadline_code(d->kind),
                      due,         hv_deadline_name(d->kind),
                      reference,   off,
                      d->left,     d->working_days};
      enum hv_qs qs = hv_store_tx(ctx->store, true, remind_tx, &o);
      if (qs < 0) {
        hv_log(HV_LOG_WARN, "FOIA reminder not queued; the next run tries again",
               HV_LI("foia_request", id), HV_LS("deadline", o.kind));
        continue;
      }
      if (qs > 0) {
        queued++;
        hv_log(HV_LOG_INFO, "FOIA reminder queued", HV_LI("foia_request", id),
               HV_LS("deadline", o.kind), HV_LS("due", due), HV_LI("offset", off));
      }
    }
  }
  free(cl);
  json_decref(list);
  return queued;
}
