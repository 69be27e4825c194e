/* The demo city's training: four courses (the directive's yearly course on
 * Ordinance 188441 and ED 12, Know Your Rights for front-line staff every
 * two years, the employee protocol once, and a Library-only course), a
 * roster of 320 made-up employees over five departments, completions dated
 * relative to the day the demo is loaded so that coverage is varied (some
 * departments well covered, some not, some employees overdue, some who
 * never took a course), a Library protocol and a citywide one with a few
 * acknowledgements. Everything goes through the same store functions as
 * the imports and pages (checked and audited). Sample data only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "modules/accounts/accounts.h"
#include "modules/protocol/protocol.h"
#include "modules/training/training.h"

static const struct {
  const char *code, *units[3];
  int employees, diligence; /* diligence: how many in 10 keep their training up */
} depts[] = {
    {"LAPL", {"Central Library", "Branches North", "Branches South"}, 90, 8},
    {"RAP", {"Recreation Centers", "Park Rangers", "Aquatics"}, 80, 5},
    {"LAHD", {"Code Enforcement", "Rent Stabilization", "Public Counter"}, 60, 7},
    {"GSD", {"Building Maintenance", "Fleet", "Security"}, 50, 3},
    {"LADOT", {"Parking Enforcement", "Transit", "Traffic Signals"}, 40, 6},
};

static const char *const first[] = {"Ana",   "Ben",  "Chen", "Dara", "Eli",  "Fatima",
                                    "Gus",   "Hana", "Ivan", "Jae",  "Kofi", "Lena",
                                    "Mateo", "Nia",  "Omar", "Priya"};
static const char *const last[] = {"Alvarez", "Brown",  "Cho",   "Diaz",  "Evans", "Flores",
                                   "Garcia",  "Ha",     "Ito",   "Jones", "Kim",   "Lopez",
                                   "Martin",  "Nguyen", "Ortiz", "Park"};

static int report(int rc, const char *what, struct hv_training_result *r) {
  if (rc != 0) {
    fprintf(stderr, "haven demo: the sample training %s was refused%s\n", what,
            rc < 0 ? " (database)" : "");
    if (r->problems.list) {
      char *j = json_dumps(r->problems.list, JSON_COMPACT);
      fprintf(stderr, "  %.400s\n", j ? j : "");
      free(j);
    }
  }
  hv_training_result_free(r);
  return rc;
}

int hv_demo_training(struct hv_store *s) {
  struct hv_principal moia;
  struct hv_buf roster, done;
  struct hv_training_result r;
  int rc = -1;
  memset(&moia, 0, sizeof moia);
  if (hv_accounts_find_user(s, "moia@demo.lacity.org", &moia.user_id) <= 0 ||
      hv_roles_parse("moia", &moia.roles)) {
    fprintf(stderr, "haven demo: training: the demo user moia@demo.lacity.org is missing\n");
    return -1;
  }
  snprintf(moia.email, sizeof moia.email, "moia@demo.lacity.org");
  snprintf(moia.actor, sizeof moia.actor, "user:%lld", (long long)moia.user_id);
  static const struct {
    const char *code, *title, *dept;
    int days;
  } courses[] = {
      {"ED12", "Ordinance 188441 and ED 12 on City premises", NULL, 365},
      {"KYR-STAFF", "Know Your Rights for front-line staff", NULL, 730},
      {"PROTOCOL-INTRO", "The employee protocol: when federal agents arrive", NULL, 0},
      {"LAPL-AREAS", "Library branches: public and non-public areas", "LAPL", 365},
  };
  for (size_t i = 0; i < sizeof courses / sizeof courses[0]; i++) {
    struct hv_training_course_new c = {
        courses[i].code, courses[i].title, courses[i].dept, courses[i].days, 0, NULL, NULL};
    if (hv_training_course_create(s, &moia, &c) <= 0) {
      fprintf(stderr, "haven demo: adding the sample course %s failed\n", courses[i].code);
      return -1;
    }
  }
  hv_buf_init(&roster, 1u << 20);
  hv_buf_init(&done, 1u << 20);
  hv_buf_printf(&roster, "employee_number,name,department,unit,active\n");
  hv_buf_printf(&done, "employee_number,course,completed_on\n");
  int32_t today = hv_training_today();
  unsigned n = 0;
  for (size_t d = 0; d < sizeof depts / sizeof depts[0]; d++)
    for (int i = 0; i < depts[d].employees; i++, n++) {
      char num[16], date[11];
      snprintf(num, sizeof num, "D%05u", n + 1);
      hv_buf_printf(&roster, "%s,%s %s,%s,%s,%s\n", num, first[(n * 7) % 16],
                    last[(n * 11 + d) % 16], depts[d].code, depts[d].units[(n * 5 + i) % 3],
                    n % 23 == 22 ? "no" : "yes");
      for (size_t k = 0; k < sizeof courses / sizeof courses[0]; k++) {
        if (courses[k].dept && strcmp(courses[k].dept, depts[d].code) != 0)
          continue;
        unsigned roll = (n * 7 + (unsigned)k * 3 + n / 10) % 10;
        int32_t ago;
        if ((int)roll < depts[d].diligence)
          ago = 1 + (int32_t)((n * 13 + k * 29) % 300); /* within the year */
        else if (roll % 2 == 0)
          ago = 400 + (int32_t)((n * 17 + k * 31) % 500); /* lapsed */
        else
          continue; /* never took it */
        hv_training_date(today - ago, date);
        hv_buf_printf(&done, "%s,%s,%s\n", num, courses[k].code, date);
      }
    }
  if (report(hv_training_roster_import(s, &moia, roster.data, roster.len, &r), "roster", &r) ||
      report(hv_training_completions_import(s, &moia, done.data, done.len, &r), "completions", &r))
    goto out;
  struct hv_protocol_doc_publish lapl = {
      &moia,
      0,
      "Library branches: when federal agents arrive",
      "LAPL",
      "# Library branches: when federal agents arrive\n\n"
      "1. Reading rooms, stacks and the lobby are **public areas**; staff rooms, the loading dock "
      "and offices are **non-public**.\n"
      "2. Ask agents to wait at the circulation desk while you call the branch manager and the "
      "Library's Immigrant Affairs Liaison.\n"
      "3. Do not open non-public areas without a **judicial warrant** signed by a judge.\n"
      "4. Send a quick alert from Haven.\n\n*Sample text, pending the City Attorney's review.*\n",
      "Sample text",
      0,
      0,
      0,
      0,
      NULL,
      NULL};
  struct hv_protocol_doc_publish city = {
      &moia,
      0,
      "Citywide: federal immigration agents on City premises",
      NULL,
      "# Federal immigration agents on City premises\n\n"
      "Ordinance 188441: no City resources, property, personnel or data for federal immigration "
      "enforcement. Do not consent to entry into non-public areas without a judicial warrant; do "
      "not ask anyone about immigration status; report at once through Haven.\n\n"
      "*Sample text, pending the City Attorney's review.*\n",
      "Sample text",
      0,
      0,
      0,
      0,
      NULL,
      NULL};
  if (hv_protocol_doc_publish(s, &lapl) <= 0 || hv_protocol_doc_publish(s, &city) <= 0) {
    fprintf(stderr, "haven demo: publishing the sample protocols failed\n");
    goto out;
  }
  for (unsigned i = 1; i <= 60; i += 2) {
    char num[16];
    snprintf(num, sizeof num, "D%05u", i);
    struct hv_protocol_ack a = {
        &moia, i % 4 == 1 ? city.document_id : lapl.document_id, 0, num, 0, NULL, NULL};
    if (hv_protocol_doc_ack(s, &a) < 0 && !a.problem) { /* inactive: skipped */
      fprintf(stderr, "haven demo: recording the sample acknowledgements failed\n");
      goto out;
    }
  }
  printf("sample training: %zu courses, %u employees in %zu departments, their completions; 2 "
         "department protocols\n",
         sizeof courses / sizeof courses[0], n, sizeof depts / sizeof depts[0]);
  rc = 0;
out:
  hv_buf_free(&roster);
  hv_buf_free(&done);
  return rc;
}
