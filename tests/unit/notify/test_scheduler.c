/* Unit tests for src/modules/notify/scheduler.c on a temporary SQLite
 * store with every migration: a lease is held by one holder at a time,
 * renewed by its holder, taken over once expired or given up, and the job
 * table runs a job only where its lease was taken. (Two processes on one
 * PostgreSQL database: tests/api/foia_reminders.test.mjs.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/config.h"
#include "modules/notify/scheduler.h"

static struct hv_store *store;
static char path[128];

static int setup(void **state) {
  (void)state;
  char url[160], err[256];
  int from, to;
  snprintf(path, sizeof path, "/tmp/haven-test-scheduler-%ld.db", (long)getpid());
  unlink(path);
  snprintf(url, sizeof url, "sqlite:%s", path);
  if (hv_store_open(url, 2, &store, err, sizeof err) ||
      hv_store_migrate(store, &from, &to, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  hv_store_free(store);
  char p[160];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
  return 0;
}

static void one_holder_at_a_time(void **state) {
  (void)state;
  int64_t t = 1000000;
  assert_int_equal(hv_lease_take(store, "job.a", "A", t, 60000), HV_QS_ONE);
  assert_int_equal(hv_lease_take(store, "job.a", "B", t + 1000, 60000), HV_QS_NONE);
  /* the holder renews it */
  assert_int_equal(hv_lease_take(store, "job.a", "A", t + 30000, 60000), HV_QS_ONE);
  assert_int_equal(hv_lease_take(store, "job.a", "B", t + 70000, 60000), HV_QS_NONE);
  /* another job's lease is its own */
  assert_int_equal(hv_lease_take(store, "job.b", "B", t + 70000, 60000), HV_QS_ONE);
  /* expired: another takes it over */
  assert_int_equal(hv_lease_take(store, "job.a", "B", t + 90000, 60000), HV_QS_ONE);
  assert_int_equal(hv_lease_take(store, "job.a", "A", t + 91000, 60000), HV_QS_NONE);
  /* given up: another takes it at once; a release by a non-holder does nothing */
  assert_int_equal(hv_lease_release(store, "job.a", "A"), HV_QS_NONE);
  assert_int_equal(hv_lease_take(store, "job.a", "A", t + 92000, 60000), HV_QS_NONE);
  assert_int_equal(hv_lease_release(store, "job.a", "B"), HV_QS_ONE);
  assert_int_equal(hv_lease_take(store, "job.a", "A", t + 92000, 60000), HV_QS_ONE);
}

static int runs;
static int64_t seen_now;

static int count_job(struct hv_job_ctx *ctx) {
  runs++;
  seen_now = ctx->now_ms;
  return 1;
}

static void jobs_run_where_the_lease_is_taken(void **state) {
  (void)state;
  struct hv_config cfg;
  hv_config_defaults(&cfg);
  cfg.reminder_interval = 1;
  const struct hv_job jobs[] = {{"job.count", count_job}};
  runs = 0;
  assert_int_equal(hv_scheduler_run_once(&cfg, store, jobs, 1, "X"), 1);
  assert_int_equal(runs, 1);
  assert_true(seen_now > 0);
  assert_int_equal(hv_scheduler_run_once(&cfg, store, jobs, 1, "X"), 1);
  assert_int_equal(runs, 2);
  /* another holder: the lease (at least a minute) is X's */
  assert_int_equal(hv_scheduler_run_once(&cfg, store, jobs, 1, "Y"), 0);
  assert_int_equal(runs, 2);
  /* a minute and more later, X having stopped renewing, Y takes over */
  hv_clock_set_offset(61000);
  assert_int_equal(hv_scheduler_run_once(&cfg, store, jobs, 1, "Y"), 1);
  assert_int_equal(runs, 3);
  assert_int_equal(hv_scheduler_run_once(&cfg, store, jobs, 1, "X"), 0);
  hv_clock_set_offset(0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_holder_at_a_time),
      cmocka_unit_test(jobs_run_where_the_lease_is_taken),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
