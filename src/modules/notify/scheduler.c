/* The scheduler (see scheduler.h). */
#include "modules/notify/scheduler.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "modules/notify/notify.h"

static struct hv_sql q_seed = HV_SQL("INSERT INTO scheduler_leases (name, holder, expires_at) "
                                     "VALUES (?, '', 0) ON CONFLICT (name) DO NOTHING");
static struct hv_sql q_take = HV_SQL("UPDATE scheduler_leases SET holder = ?, expires_at = ? "
                                     "WHERE name = ? AND (holder = ? OR expires_at <= ?)");
static struct hv_sql q_release =
    HV_SQL("UPDATE scheduler_leases SET expires_at = 0 WHERE name = ? AND holder = ?");

struct lease_args {
  const char *name, *holder;
  int64_t now, ms;
};

static enum hv_qs take_tx(struct hv_conn *c, void *cls) {
  struct lease_args *a = cls;
  struct hv_param s[] = {HV_P_TEXT(a->name)};
  enum hv_qs qs = hv_db_exec(c, &q_seed, s, 1);
  if (qs < 0)
    return qs;
  struct hv_param p[] = {HV_P_TEXT(a->holder), HV_P_INT(a->now + a->ms), HV_P_TEXT(a->name),
                         HV_P_TEXT(a->holder), HV_P_INT(a->now)};
  qs = hv_db_exec(c, &q_take, p, 5);
  return qs < 0 ? qs : qs > 0 ? HV_QS_ONE : HV_QS_NONE;
}

enum hv_qs hv_lease_take(struct hv_store *s, const char *name, const char *holder, int64_t now,
                         int64_t ms) {
  struct lease_args a = {name, holder, now, ms};
  return hv_store_tx(s, true, take_tx, &a);
}

static enum hv_qs release_tx(struct hv_conn *c, void *cls) {
  struct lease_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->name), HV_P_TEXT(a->holder)};
  return hv_db_exec(c, &q_release, p, 2);
}

enum hv_qs hv_lease_release(struct hv_store *s, const char *name, const char *holder) {
  struct lease_args a = {name, holder, 0, 0};
  return hv_store_tx(s, true, release_tx, &a);
}

/* A lease lasts three intervals (at least a minute), renewed every run. */
static int64_t lease_ms(const struct hv_config *cfg) {
  int64_t ms = 3000LL * cfg->reminder_interval;
  return ms < 60000 ? 60000 : ms;
}

/* Runs the jobs; returns how many ran, and in *did how many things they did. */
static int run_jobs(const struct hv_config *cfg, struct hv_store *s, const struct hv_job *jobs,
                    size_t n, const char *holder, int *done) {
  int ran = 0;
  *done = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t now = hv_clock_wall_ms();
    enum hv_qs qs = hv_lease_take(s, jobs[i].name, holder, now, lease_ms(cfg));
    if (qs < 0) {
      hv_log(HV_LOG_WARN, "scheduler lease not taken", HV_LS("job", jobs[i].name));
      continue;
    }
    if (qs == HV_QS_NONE)
      continue; /* another process runs it */
    struct hv_job_ctx ctx = {cfg, s, now};
    int did = jobs[i].run(&ctx);
    if (did < 0)
      hv_log(HV_LOG_ERROR, "scheduled job failed", HV_LS("job", jobs[i].name));
    else if (did > 0)
      hv_log(HV_LOG_INFO, "scheduled job ran", HV_LS("job", jobs[i].name), HV_LI("done", did));
    if (did > 0)
      *done += did;
    ran++;
  }
  return ran;
}

int hv_scheduler_run_once(const struct hv_config *cfg, struct hv_store *s,
                          const struct hv_job *jobs, size_t n, const char *holder) {
  int done;
  return run_jobs(cfg, s, jobs, n, holder, &done);
}

struct hv_scheduler {
  const struct hv_config *cfg;
  struct hv_store *store;
  const struct hv_job *jobs;
  size_t njobs;
  struct hv_sender *sender;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop;
  char holder[96];
};

/* The first run comes one interval after start, not at once: a process
 * restarting (a deploy, a crash loop) does not run the jobs each time, and
 * start-up does not compete with them for the database. */
static void *loop(void *arg) {
  struct hv_scheduler *k = arg;
  pthread_mutex_lock(&k->mu);
  while (!k->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += k->cfg->reminder_interval;
    while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &until) == 0)
      ;
    if (k->stop)
      break;
    pthread_mutex_unlock(&k->mu);
    int done = 0;
    run_jobs(k->cfg, k->store, k->jobs, k->njobs, k->holder, &done);
    if (done > 0)
      hv_sender_poke(k->sender);
    pthread_mutex_lock(&k->mu);
  }
  pthread_mutex_unlock(&k->mu);
  return NULL;
}

struct hv_scheduler *hv_scheduler_start(const struct hv_config *cfg, struct hv_store *s,
                                        const struct hv_job *jobs, size_t n,
                                        struct hv_sender *sender) {
  if (!cfg->reminder_interval)
    return NULL;
  struct hv_scheduler *k = calloc(1, sizeof *k);
  if (!k)
    return NULL;
  k->cfg = cfg;
  k->store = s;
  k->jobs = jobs;
  k->njobs = n;
  k->sender = sender;
  char host[64] = "";
  unsigned char r[8];
  char hex[17];
  gethostname(host, sizeof host - 1);
  randombytes_buf(r, sizeof r);
  sodium_bin2hex(hex, sizeof hex, r, sizeof r);
  snprintf(k->holder, sizeof k->holder, "%.60s:%ld:%s", host, (long)getpid(), hex);
  pthread_mutex_init(&k->mu, NULL);
  pthread_cond_init(&k->cv, NULL);
  if (pthread_create(&k->thread, NULL, loop, k) != 0) {
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k);
    return NULL;
  }
  hv_log(HV_LOG_INFO, "scheduler started", HV_LS("holder", k->holder),
         HV_LI("interval", cfg->reminder_interval));
  return k;
}

void hv_scheduler_stop(struct hv_scheduler *k) {
  if (!k)
    return;
  pthread_mutex_lock(&k->mu);
  k->stop = true;
  pthread_cond_signal(&k->cv);
  pthread_mutex_unlock(&k->mu);
  pthread_join(k->thread, NULL);
  for (size_t i = 0; i < k->njobs; i++)
    (void)hv_lease_release(k->store, k->jobs[i].name, k->holder);
  pthread_mutex_destroy(&k->mu);
  pthread_cond_destroy(&k->cv);
  free(k);
}
