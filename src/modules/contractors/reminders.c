/* Attestation expiry reminders (see reminders.h). */
#include "modules/contractors/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timefmt.h"
#include "modules/foia/calendar.h"
#include "modules/notify/notify.h"

#define NO_REMINDER (-1000)

/* Contracts on City property running on a day (both parameters), with the
 * latest expiry of their attestations. */
static struct hv_sql q_due = HV_SQL(
    "SELECT c.id, c.number, c.department_id, c.ends_on, MAX(a.expires_on) FROM contracts c "
    "JOIN contract_attestations a ON a.contract_id = c.id WHERE c.on_city_property = 1 "
    "AND c.starts_on <= ? AND c.ends_on >= ? GROUP BY c.id, c.number, c.department_id, c.ends_on "
    "ORDER BY c.id");
static struct hv_sql q_mark = HV_SQL(
    "INSERT INTO reminders_sent (subject, object_id, deadline_kind, deadline_date, offset_days, "
    "sent_at) VALUES ('contract', ?, 'attestation_expiry', ?, ?, ?) ON CONFLICT DO NOTHING");

int hv_contract_reminder_offset(int64_t left, const int *days, int ndays) {
  if (left < 0)
    return -1;
  int best = NO_REMINDER;
  for (int i = 0; i < ndays; i++)
    if (days[i] >= left && (best == NO_REMINDER || days[i] < best))
      best = days[i];
  return best;
}

/* One contract read by q_due. */
struct due {
  int64_t id, department_id;
  char number[80];
  char ends_on[11];
  char expires_on[11];
};

struct due_list {
  struct due *items; /* owned */
  size_t n, cap;
  char today[11];
};

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

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
  copy(d->number, sizeof d->number, hv_row_text(r, 1));
  d->department_id = hv_row_int(r, 2);
  copy(d->ends_on, sizeof d->ends_on, hv_row_text(r, 3));
  copy(d->expires_on, sizeof d->expires_on, hv_row_text(r, 4));
  return 0;
}

static enum hv_qs due_tx(struct hv_conn *c, void *cls) {
  struct due_list *l = cls;
  struct hv_param p[] = {HV_P_TEXT(l->today), HV_P_TEXT(l->today)};
  return hv_db_query(c, &q_due, p, 2, due_row, l);
}

struct one {
  const struct hv_config *cfg; /* borrowed */
  const struct due *d;         /* borrowed */
  int64_t now, left;
  int offset;
};

static enum hv_qs remind_tx(struct hv_conn *c, void *cls) {
  struct one *o = cls;
  struct hv_param pm[] = {HV_P_INT(o->d->id), HV_P_TEXT(o->d->expires_on), HV_P_INT(o->offset),
                          HV_P_INT(o->now)};
  enum hv_qs qs = hv_db_exec(c, &q_mark, pm, 4);
  if (qs <= 0)
    return qs; /* HV_QS_NONE: already sent */
  char list[2048] = "";
  if ((qs = hv_notify_liaisons_tx(c, o->d->department_id, list, sizeof list)) < 0)
    return qs;
  if (!list[0])
    hv_log(HV_LOG_WARN, "contract reminder has no liaison to go to", HV_LI("contract", o->d->id),
           HV_LI("department", o->d->department_id));
  char subject[300], body[2048], when[80];
  if (o->left < 0)
    snprintf(when, sizeof when, "expired");
  else if (o->left == 0)
    snprintf(when, sizeof when, "last valid day today");
  else
    snprintf(when, sizeof when, "%lld day%s left", (long long)o->left, o->left == 1 ? "" : "s");
  snprintf(subject, sizeof subject, "Haven contract reminder: %.80s, attestation %s %s",
           o->d->number, o->left < 0 ? "expired on" : "expires on", o->d->expires_on);
  /* the contract number, the day and a link: nothing of the documents */
  snprintf(body, sizeof body,
           "%s\n\nContract: %s\nAttestation valid through: %s (%s)\n\nAsk the contractor for a "
           "new signed attestation and record it: %s/contracts/%lld\n\nThis message holds no "
           "details on purpose.\n",
           o->left < 0 ? "A contractor's Ordinance 188441 attestation has expired."
                       : "A contractor's Ordinance 188441 attestation expires soon.",
           o->d->number, o->d->expires_on, when, o->cfg->base_url, (long long)o->d->id);
  qs = hv_notify_queue_tx(c, list, subject, body);
  return qs < 0 ? qs : HV_QS_ONE;
}

int hv_contracts_reminders_run(struct hv_job_ctx *ctx) {
  struct due_list l = {NULL, 0, 0, ""};
  int days[HV_REMINDER_DAYS_MAX];
  int ndays = hv_reminder_days_parse(ctx->cfg->contract_reminder_days, days);
  int queued = -1;
  char iso[40];
  hv_day today, expires, ends;
  hv_time_format_iso(ctx->now_ms, iso, sizeof iso);
  iso[10] = '\0';
  if (ndays < 0 || hv_day_parse(iso, &today) != 0)
    goto out;
  memcpy(l.today, iso, sizeof l.today);
  if (hv_store_tx(ctx->store, false, due_tx, &l) < 0)
    goto out;
  queued = 0;
  for (size_t i = 0; i < l.n; i++) {
    const struct due *d = &l.items[i];
    if (hv_day_parse(d->expires_on, &expires) != 0 || hv_day_parse(d->ends_on, &ends) != 0)
      continue;
    if (ends <= expires)
      continue; /* the attestation covers the rest of the contract */
    int64_t left = (int64_t)expires - (int64_t)today;
    int off = hv_contract_reminder_offset(left, days, ndays);
    if (off == NO_REMINDER)
      continue;
    struct one o = {ctx->cfg, d, ctx->now_ms, left, off};
    enum hv_qs qs = hv_store_tx(ctx->store, true, remind_tx, &o);
    if (qs < 0) {
      hv_log(HV_LOG_WARN, "contract reminder not queued; the next run tries again",
             HV_LI("contract", d->id));
    } else if (qs > 0) {
      queued++;
      hv_log(HV_LOG_INFO, "contract reminder queued", HV_LI("contract", d->id),
             HV_LS("expires", d->expires_on), HV_LI("offset", off));
    }
  }
out:
  free(l.items);
  return queued;
}
