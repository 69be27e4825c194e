/* The outbox and its sender. */
#include "modules/notify/notify.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mail.h"

#define BATCH 20
#define GIVE_UP_MS (24LL * 3600 * 1000) /* then marked failed and logged as an error */

static struct hv_sql q_queue = HV_SQL(
    "INSERT INTO outbox (created_at, to_addr, subject, body, next_attempt_at) VALUES (?, ?, ?, ?, ?)");

enum hv_qs hv_notify_queue_tx(struct hv_conn *c, const char *to, const char *subject,
                              const char *body) {
  char list[2048];
  char *save = NULL;
  int64_t now = hv_clock_wall_ms();
  enum hv_qs qs = HV_QS_NONE;
  snprintf(list, sizeof list, "%s", to ? to : "");
  for (char *a = strtok_r(list, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
    if (!strchr(a, '@'))
      continue;
    struct hv_param p[] = {HV_P_INT(now), HV_P_TEXT(a), HV_P_TEXT(subject), HV_P_TEXT(body),
                           HV_P_INT(now)};
    if ((qs = hv_db_exec(c, &q_queue, p, 5)) < 0)
      return qs;
  }
  return HV_QS_ONE;
}

static struct hv_sql q_liaison_emails = HV_SQL(
    "SELECT u.email FROM department_liaisons l JOIN users u ON u.id = l.user_id "
    "WHERE l.department_id = ? AND u.active = 1 ORDER BY l.backup, u.email");

/* A comma-separated address list being filled (borrowed buffer). */
struct emails {
  char *list;
  size_t n;
};

static int email_row(void *cls, const struct hv_row *r) {
  struct emails *e = cls;
  size_t used = strlen(e->list);
  const char *v = hv_row_text(r, 0);
  if (v && used + strlen(v) + 2 < e->n)
    snprintf(e->list + used, e->n - used, "%s%s", used ? "," : "", v);
  return 0;
}

enum hv_qs hv_notify_liaisons_tx(struct hv_conn *c, int64_t department_id, char *list, size_t n) {
  struct emails e = {list, n};
  struct hv_param p[] = {HV_P_INT(department_id)};
  return n ? hv_db_query(c, &q_liaison_emails, p, 1, email_row, &e) : HV_QS_HARD;
}

enum hv_qs hv_notify_alert_tx(struct hv_conn *c, const struct hv_config *cfg, int64_t department_id,
                              int64_t incident_id, const char *ref, const char *facility) {
  char list[2048] = ""; /* liaisons plus the on-call list (at most 1023 characters) */
  enum hv_qs qs = hv_notify_liaisons_tx(c, department_id, list, sizeof list);
  if (qs < 0)
    return qs;
  size_t n = strlen(list);
  if (cfg->notify_moia[0])
    snprintf(list + n, sizeof list - n, "%s%s", n ? "," : "", cfg->notify_moia);
  char subject[200], body[1024];
  snprintf(subject, sizeof subject, "Haven quick alert %s", ref);
  /* a reference, a facility and a link: never the report's contents */
  snprintf(body, sizeof body,
           "A City staff member sent a quick alert about federal immigration activity.\n\n"
           "Reference: %s\nFacility: %s\n\nSign in to see it: %s/incidents/%lld\n\n"
           "This message holds no details on purpose. Do not forward it outside the City.\n",
           ref, facility, cfg->base_url, (long long)incident_id);
  return hv_notify_queue_tx(c, list, subject, body);
}

/* --- the sender ------------------------------------------------------- */

static struct hv_sql q_due = HV_SQL(
    "SELECT id, to_addr, subject, body, attempts, created_at FROM outbox "
    "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?");
static struct hv_sql q_sent = HV_SQL("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?");
static struct hv_sql q_retry = HV_SQL(
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, failed_at = ? "
    "WHERE id = ?");

struct due {
  int64_t id[BATCH], attempts[BATCH], created[BATCH];
  char *to[BATCH], *subject[BATCH], *body[BATCH];
  int n;
};

static int due_row(void *cls, const struct hv_row *r) {
  struct due *d = cls;
  if (d->n == BATCH)
    return 1;
  d->id[d->n] = hv_row_int(r, 0);
  d->to[d->n] = strdup(hv_row_text(r, 1) ? hv_row_text(r, 1) : "");
  d->subject[d->n] = strdup(hv_row_text(r, 2) ? hv_row_text(r, 2) : "");
  d->body[d->n] = strdup(hv_row_text(r, 3) ? hv_row_text(r, 3) : "");
  d->attempts[d->n] = hv_row_int(r, 4);
  d->created[d->n] = hv_row_int(r, 5);
  d->n++;
  return 0;
}

static enum hv_qs due_tx(struct hv_conn *c, void *cls) {
  struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(BATCH)};
  return hv_db_query(c, &q_due, p, 2, due_row, cls);
}

struct outcome {
  int64_t id;
  bool ok;
  int64_t next, failed;
  const char *error;
};

static enum hv_qs outcome_tx(struct hv_conn *c, void *cls) {
  struct outcome *o = cls;
  if (o->ok) {
    struct hv_param p[] = {HV_P_INT(hv_clock_wall_ms()), HV_P_INT(o->id)};
    return hv_db_exec(c, &q_sent, p, 2);
  }
  struct hv_param p[] = {HV_P_INT(o->next), HV_P_TEXT(o->error),
                         o->failed ? HV_P_INT(o->failed) : HV_P_NULL, HV_P_INT(o->id)};
  return hv_db_exec(c, &q_retry, p, 4);
}

int hv_sender_run_once(const struct hv_config *cfg, struct hv_store *s) {
  struct due d;
  int sent = 0;
  memset(&d, 0, sizeof d);
  if (!cfg->smtp_url[0] || hv_store_tx(s, false, due_tx, &d) < 0)
    return 0;
  for (int i = 0; i < d.n; i++) {
    char err[256];
    struct outcome o = {d.id[i], false, 0, 0, NULL};
    if (hv_mail_send(cfg, d.to[i], d.subject[i], d.body[i], err, sizeof err) == 0) {
      o.ok = true;
      sent++;
      hv_log(HV_LOG_INFO, "notification sent", HV_LI("outbox", d.id[i]));
    } else {
      int64_t now = hv_clock_wall_ms();
      /* 1, 2, 4 ... minutes, at most an hour apart, for a day */
      int64_t wait = 60000LL << (d.attempts[i] < 6 ? d.attempts[i] : 6);
      o.next = now + wait;
      o.error = err;
      o.failed = now - d.created[i] > GIVE_UP_MS ? now : 0;
      hv_log(o.failed ? HV_LOG_ERROR : HV_LOG_WARN,
             o.failed ? "notification given up" : "notification failed; will retry",
             HV_LI("outbox", d.id[i]), HV_LI("attempt", d.attempts[i] + 1), HV_LS("detail", err));
    }
    (void)hv_store_tx(s, true, outcome_tx, &o);
  }
  for (int i = 0; i < d.n; i++) {
    free(d.to[i]);
    free(d.subject[i]);
    free(d.body[i]);
  }
  return sent;
}

struct hv_sender {
  const struct hv_config *cfg;
  struct hv_store *store;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop, poked;
};

static void *sender_loop(void *arg) {
  struct hv_sender *k = arg;
  pthread_mutex_lock(&k->mu);
  while (!k->stop) {
    pthread_mutex_unlock(&k->mu);
    hv_sender_run_once(k->cfg, k->store);
    pthread_mutex_lock(&k->mu);
    if (k->stop)
      break;
    if (!k->poked) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += 15; /* retries come due even without a poke */
      pthread_cond_timedwait(&k->cv, &k->mu, &until);
    }
    k->poked = false;
  }
  pthread_mutex_unlock(&k->mu);
  return NULL;
}

struct hv_sender *hv_sender_start(const struct hv_config *cfg, struct hv_store *s) {
  struct hv_sender *k = calloc(1, sizeof *k);
  if (!k)
    return NULL;
  k->cfg = cfg;
  k->store = s;
  pthread_mutex_init(&k->mu, NULL);
  pthread_cond_init(&k->cv, NULL);
  if (pthread_create(&k->thread, NULL, sender_loop, k) != 0) {
    free(k);
    return NULL;
  }
  if (!cfg->smtp_url[0])
    hv_log0(HV_LOG_WARN, "smtp_url is not set: notifications are queued but not sent");
  return k;
}

void hv_sender_poke(struct hv_sender *k) {
  if (!k)
    return;
  pthread_mutex_lock(&k->mu);
  k->poked = true;
  pthread_cond_signal(&k->cv);
  pthread_mutex_unlock(&k->mu);
}

void hv_sender_stop(struct hv_sender *k) {
  if (!k)
    return;
  pthread_mutex_lock(&k->mu);
  k->stop = true;
  pthread_cond_signal(&k->cv);
  pthread_mutex_unlock(&k->mu);
  pthread_join(k->thread, NULL);
  pthread_mutex_destroy(&k->mu);
  pthread_cond_destroy(&k->cv);
  free(k);
}
