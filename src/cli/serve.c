/* haven serve: open the store (migrating it), load templates and assets,
 * listen, and on SIGTERM or SIGINT stop accepting, finish the requests in
 * flight and close the database cleanly. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "modules/kyr/smsq.h"
#include "modules/foia/reminders.h"
#include "modules/notify/notify.h"
#include "modules/notify/scheduler.h"
#include "modules/contractors/reminders.h"
#include "modules/plans/reminders.h"
#include <curl/curl.h>
#include "core/clock.h"
#include "core/log.h"
#include "core/timefmt.h"
#include "http/server.h"
#include "web/app.h"

/* The periodic job: sign an audit checkpoint when the log has grown, so a
 * copy can be shipped off the machine (DATA/checkpoints/). */
struct checkpointer {
  const struct hv_config *cfg;
  struct hv_store *store;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop;
};

static void *checkpoint_loop(void *arg) {
  struct checkpointer *k = arg;
  char path[1200], err[512];
  int last = -1;
  pthread_mutex_lock(&k->mu);
  while (!k->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += k->cfg->audit_checkpoint;
    while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &until) == 0)
      ;
    if (k->stop)
      break;
    pthread_mutex_unlock(&k->mu);
    int seq = hv_audit_head(k->store);
    if (seq > 0 && seq != last) {
      if (hv_audit_checkpoint(k->store, k->cfg->data, path, sizeof path, err, sizeof err))
        hv_log(HV_LOG_ERROR, "audit checkpoint failed", HV_LS("detail", err));
      else
        hv_log(HV_LOG_INFO, "audit checkpoint written", HV_LI("seq", seq));
      last = seq;
    }
    pthread_mutex_lock(&k->mu);
  }
  pthread_mutex_unlock(&k->mu);
  return NULL;
}

/* The scheduler's jobs, one row per module (issue 6 adds plan and contract
 * reminders here). */
static const struct hv_job jobs[] = {
    {"foia.reminders", hv_foia_reminders_run},
    {"plans.reminders", hv_plans_reminders_run},
    {"contracts.reminders", hv_contracts_reminders_run},
};

int hv_cmd_serve(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  char err[512];
  int rc = hv_cli_setup("serve", argc, argv, &cfg, rest, &nrest, &stop);
  struct hv_store *store = NULL;
  struct hv_router *router = NULL;
  struct hv_app app;
  bool app_ready = false;
  if (stop)
    return rc;
  if (nrest) {
    fprintf(stderr, "haven serve: unknown option '%s' (see haven serve --help)\n", rest[0]);
    return 2;
  }
  /* Block the stop signals before any thread exists so only sigwait sees them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);

  hv_time_init(cfg.timezone);
  /* Every connection costs a descriptor: allow as many as the hard limit. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  rc = 1;
  if (hv_cli_open_store(&cfg, cfg.db_pool, &store))
    goto out;
  if (hv_app_init(&app, &cfg, store, err, sizeof err)) {
    fprintf(stderr, "haven serve: %s\n", err);
    goto out;
  }
  app_ready = true;
  app.started_ms = hv_clock_wall_ms();
  if (hv_app_load_meta(&app)) {
    fprintf(stderr, "haven serve: cannot read the database\n");
    goto out;
  }
  router = hv_router_new();
  if (!router || hv_app_routes(router, err, sizeof err)) {
    fprintf(stderr, "haven serve: %s\n", router ? err : "out of memory");
    goto out;
  }
  if (hv_password_init()) {
    fprintf(stderr, "haven serve: the common-password list is missing from this build\n");
    goto out;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  app.sender = hv_sender_start(&cfg, store);
  app.smsq = hv_smsq_start(&cfg, store);
  struct hv_scheduler *scheduler = NULL;
  if (hv_server_start(&cfg, router, &app, hv_auth_request, &app.server, err, sizeof err)) {
    fprintf(stderr, "haven serve: %s\n", err);
    goto out;
  }
  struct checkpointer ck = {&cfg, store, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
  pthread_t ck_thread;
  bool ck_running = cfg.audit_checkpoint > 0 &&
                    pthread_create(&ck_thread, NULL, checkpoint_loop, &ck) == 0;
  scheduler = hv_scheduler_start(&cfg, store, jobs, sizeof jobs / sizeof jobs[0], app.sender);
  hv_log(HV_LOG_INFO, "serving", HV_LS("url", cfg.base_url), HV_LS("listen", cfg.listen_host),
         HV_LI("port", hv_server_port(app.server)), HV_LI("threads", cfg.threads),
         HV_LS("db", strncmp(cfg.db, "sqlite:", 7) == 0 ? "sqlite" : "postgresql"));
  printf("Haven is serving at %s\n", cfg.base_url);
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  hv_log(HV_LOG_INFO, "stopping", HV_LS("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  hv_server_stop(app.server);
  app.server = NULL;
  hv_scheduler_stop(scheduler);
  scheduler = NULL;
  hv_sender_stop(app.sender);
  app.sender = NULL;
  hv_smsq_stop(app.smsq);
  app.smsq = NULL;
  if (ck_running) {
    pthread_mutex_lock(&ck.mu);
    ck.stop = true;
    pthread_cond_signal(&ck.cv);
    pthread_mutex_unlock(&ck.mu);
    pthread_join(ck_thread, NULL);
  }
  rc = 0;
out:
  if (app_ready) { /* after a failed start: the background threads stop before the store goes */
    hv_smsq_stop(app.smsq);
    hv_sender_stop(app.sender);
    hv_app_free(&app);
  }
  hv_router_free(router);
  hv_store_free(store);
  if (rc == 0)
    hv_log0(HV_LOG_INFO, "stopped");
  return rc;
}
