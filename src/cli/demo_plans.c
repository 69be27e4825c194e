/* The demo city's preparedness plans: Executive Directive No. 12 (plans due
 * in 14 days) and No. 17 (15 days) with their requirements, ED 12 issued
 * twenty days ago so every department has a plan that was due six days
 * ago, and a few plans carried through the same store functions staff use
 * (so all of it is audited): the Public Library's accepted, Recreation and
 * Parks' sent back with a comment, Building and Safety's submitted late and
 * awaiting review, Animal Services' in progress. The others are not
 * started. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "modules/accounts/accounts.h"
#include "modules/plans/plans.h"

struct req {
  const char *code, *title, *guidance;
  bool pct;
};

static const struct req ed12[] = {
    {"employee_protocol", "Employee protocol adopted",
     "The department has adopted the City's protocol for staff meeting federal immigration "
     "agents: no consent to non-public areas without a judicial warrant, record names and badge "
     "numbers, escalate at once.",
     false},
    {"nonpublic_areas", "Non-public areas of every facility identified and marked",
     "Every facility in the City registry lists its public and non-public areas, and non-public "
     "areas are signed.",
     false},
    {"escalation_contacts", "Escalation contacts named",
     "Supervisor, liaison, City Attorney and Mayor's Office contacts are named for each facility.",
     false},
    {"liaison_backup", "Liaison and backup named",
     "An Immigrant Affairs Liaison and a backup are named in the City registry.", false},
    {"staff_trained", "Staff trained", "Give the share of the department's staff trained so far.",
     true},
    {"contractors_notified", "Contractors notified",
     "Contractors working on City property were told of Ordinance 188441 and the protocol.", false},
    {"kyr_counters", "Know-Your-Rights material available at public counters",
     "Printed Know-Your-Rights cards in the languages the public counters serve.", false},
};

static const struct req ed17[] = {
    {"staging_risk", "Facilities at risk of being used as staging areas identified",
     "List the properties (yards, parking lots, vacant sites) that could serve as a staging "
     "area, processing site or base of operations.",
     false},
    {"staging_prevention", "Prevention in place at at-risk facilities",
     "Locks, gates and signage at the properties identified.", false},
    {"escalation_contacts", "Escalation contacts named",
     "Who staff call when agents use or ask to use City property.", false},
};

static json_t *requirements(const struct req *r, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a,
                          json_pack("{s:s, s:s, s:s, s:b}", "code", r[i].code, "title", r[i].title,
                                    "guidance", r[i].guidance, "asks_percent", r[i].pct));
  return a;
}

static int principal(struct hv_store *s, const char *email, const char *roles,
                     struct hv_principal *p) {
  memset(p, 0, sizeof *p);
  if (hv_accounts_find_user(s, email, &p->user_id) <= 0 || hv_roles_parse(roles, &p->roles))
    return -1;
  snprintf(p->email, sizeof p->email, "%s", email);
  snprintf(p->actor, sizeof p->actor, "user:%lld", (long long)p->user_id);
  return 0;
}

static int64_t plan_of(const json_t *plans, const char *dept) {
  size_t i;
  const json_t *p;
  json_array_foreach(plans, i,
                     p) if (!strcmp(json_string_value(json_object_get(p, "department_code")),
                                    dept)) return json_integer_value(json_object_get(p, "id"));
  return 0;
}

/* Answers every requirement of plan `id` (all done; training at `pct`),
 * the contractors one not applicable when `na`. */
static int answer_all(struct hv_store *s, const struct hv_principal *by, int64_t id, int pct,
                      bool na, int64_t *version, const char *note) {
  json_t *p = NULL;
  struct hv_plan_outcome o;
  if (hv_plan_get(s, id, 0, &p) <= 0)
    return -1;
  *version = json_integer_value(json_object_get(p, "version"));
  size_t i;
  json_t *r;
  int rc = 0;
  json_array_foreach(json_object_get(p, "requirements"), i, r) {
    const char *code = json_string_value(json_object_get(r, "code"));
    bool is_pct = json_is_true(json_object_get(r, "asks_percent"));
    bool not_app = na && !strcmp(code, "contractors_notified");
    if (hv_plan_answer(s, by, 0, id, *version,
                       json_integer_value(json_object_get(r, "requirement_id")),
                       not_app ? HV_ANS_NOT_APPLICABLE : HV_ANS_DONE, note,
                       not_app ? "The department has no contractors on City property." : NULL,
                       is_pct ? pct : -1, &o) <= 0) {
      rc = -1;
      break;
    }
    (*version)++;
  }
  json_decref(p);
  return rc;
}

static int64_t req_id(struct hv_store *s, int64_t plan, const char *code) {
  json_t *p = NULL;
  int64_t id = 0;
  if (hv_plan_get(s, plan, 0, &p) <= 0)
    return 0;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(p, "requirements"), i,
                     r) if (!strcmp(json_string_value(json_object_get(r, "code")), code)) id =
      json_integer_value(json_object_get(r, "requirement_id"));
  json_decref(p);
  return id;
}

int hv_demo_plans(struct hv_store *s, int *nplans) {
  struct hv_principal moia, lib, parks, ladbs, animal;
  struct hv_plan_outcome o;
  json_t *r12 = requirements(ed12, sizeof ed12 / sizeof ed12[0]);
  json_t *r17 = requirements(ed17, sizeof ed17 / sizeof ed17[0]);
  json_t *plans = NULL;
  int64_t d12 = 0, d17 = 0, count = 0, v = 0;
  int rc = -1;
  char issued[11], today[11], day[11];
  const char *step = "the demo users are missing";
  if (principal(s, "moia@demo.lacity.org", "moia", &moia) ||
      principal(s, "liaison.library@demo.lacity.org", "liaison", &lib) ||
      principal(s, "liaison.parks@demo.lacity.org", "liaison", &parks) ||
      principal(s, "liaison.ladbs@demo.lacity.org", "liaison", &ladbs) ||
      principal(s, "liaison.animal@demo.lacity.org", "liaison", &animal))
    goto out;
  hv_plans_today(today);
  hv_day_add_text(today, -20, issued);
  step = "recording the directives";
  if (hv_directive_create(s, &moia, "ED 12",
                          "Executive Directive No. 12: department preparedness plans under "
                          "Ordinance 188441",
                          14, r12, &d12) <= 0 ||
      hv_directive_create(s, &moia, "ED 17",
                          "Executive Directive No. 17: City property is not a staging area for "
                          "immigration enforcement",
                          15, r17, &d17) <= 0)
    goto out;
  step = "issuing ED 12";
  if (hv_directive_issue(s, &moia, d12, issued, &count) <= 0 ||
      hv_plans_list(s, d12, 0, &plans) <= 0)
    goto out;
  int64_t p_lib = plan_of(plans, "LAPL"), p_parks = plan_of(plans, "RAP");
  int64_t p_ladbs = plan_of(plans, "LADBS"), p_animal = plan_of(plans, "ANIMAL");
  step = "filling the sample plans";
  if (!p_lib || !p_parks || !p_ladbs || !p_animal)
    goto out;
  /* The Library: submitted on time and accepted. */
  hv_day_add_text(today, -9, day);
  if (answer_all(s, &lib, p_lib, 92, false, &v,
                 "Adopted by the City Librarian; posted in every branch's staff room.") ||
      hv_plan_submit(s, &lib, 0, p_lib, v, day, &o) <= 0 ||
      hv_plan_review(s, &moia, p_lib, v + 1, true, "Complete and clear. Thank you.", NULL, &o) <= 0)
    goto out;
  /* Recreation and Parks: submitted on time, sent back on training. */
  hv_day_add_text(today, -8, day);
  json_t *comments =
      json_pack("[{s:I, s:s}]", "requirement_id", (json_int_t)req_id(s, p_parks, "staff_trained"),
                "comment", "Say when the remaining recreation centre staff will be trained.");
  int bad = answer_all(s, &parks, p_parks, 41, false, &v,
                       "Done for the department's offices; see the attached memo.") ||
            hv_plan_submit(s, &parks, 0, p_parks, v, day, &o) <= 0 ||
            hv_plan_review(s, &moia, p_parks, v + 1, false, "Nearly there.", comments, &o) <= 0;
  json_decref(comments);
  if (bad)
    goto out;
  /* Building and Safety: submitted three days late, awaiting review. */
  hv_day_add_text(today, -3, day);
  if (answer_all(s, &ladbs, p_ladbs, 100, true, &v, "In place since the directive.") ||
      hv_plan_submit(s, &ladbs, 0, p_ladbs, v, day, &o) <= 0)
    goto out;
  /* Animal Services: two answers so far. */
  if (hv_plan_answer(s, &animal, 0, p_animal, 1, req_id(s, p_animal, "employee_protocol"),
                     HV_ANS_DONE, "Adopted at the shelters.", NULL, -1, &o) <= 0 ||
      hv_plan_answer(s, &animal, 0, p_animal, 2, req_id(s, p_animal, "staff_trained"),
                     HV_ANS_IN_PROGRESS, "Sessions scheduled at each shelter.", NULL, 35, &o) <= 0)
    goto out;
  *nplans = (int)count;
  rc = 0;
out:
  if (rc)
    fprintf(stderr, "haven demo: preparedness plans: %s failed\n", step);
  json_decref(plans);
  json_decref(r12);
  json_decref(r17);
  return rc;
}
