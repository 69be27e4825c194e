/* The demo city's FOIA request: the one Executive Directive No. 12 asks
 * the Mayor's Office to file with ICE, for records of immigration
 * enforcement in Los Angeles since June 2025, pre-filled through the same
 * store functions staff use (so it is audited like any other). The dates and
 * the tracking number are plausible samples, not the real request's. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "modules/accounts/accounts.h"
#include "modules/foia/requests.h"

int hv_demo_foia(struct hv_store *s) {
  struct hv_principal moia;
  struct hv_foia_fields f;
  int64_t id = 0;
  memset(&moia, 0, sizeof moia);
  if (hv_accounts_find_user(s, "moia@demo.lacity.org", &moia.user_id) <= 0 ||
      hv_roles_parse("moia", &moia.roles)) {
    fprintf(stderr, "haven demo: FOIA request: the demo user moia@demo.lacity.org is missing\n");
    return -1;
  }
  snprintf(moia.email, sizeof moia.email, "moia@demo.lacity.org");
  snprintf(moia.actor, sizeof moia.actor, "user:%lld", (long long)moia.user_id);
  hv_foia_fields_init(&f);
  f.agency = "U.S. Immigration and Customs Enforcement (ICE)";
  f.component = "FOIA Office";
  f.subject = "Immigration enforcement activity in Los Angeles since June 2025";
  f.records_sought =
      "Records of immigration enforcement activity in the City of Los Angeles from 1 June 2025 "
      "to the date of the search: (1) operations, raids and enforcement actions, with their "
      "dates and locations; (2) arrests and detentions made in those operations, as counts by "
      "date and location; (3) policies, guidance and practices on how officers identify "
      "themselves (badges, names, agency markings, face coverings) during those operations.";
  f.submitted_on = "2025-07-15";
  f.received_on = "2025-07-16";
  f.fee_waiver_asked = 1;
  f.fee_waiver_granted = HV_FOIA_UNDECIDED;
  f.expedited_asked = 1;
  f.expedited_granted = HV_FOIA_UNDECIDED;
  f.status = HV_FST_SUBMITTED;
  if (hv_foia_create(s, &moia, &f, &id) <= 0 ||
      hv_foia_event_add(s, &moia, id, HV_FEV_SENT, "2025-07-15",
                        "Sent through the DHS FOIA portal by the Mayor's Office.", NULL) <= 0 ||
      hv_foia_event_add(s, &moia, id, HV_FEV_ACKNOWLEDGED, "2025-07-22",
                        "Acknowledgement letter from the ICE FOIA Office.", NULL) <= 0 ||
      hv_foia_tracking_add(s, &moia, id, "2025-ICFO-41872", HV_FTR_INITIAL, "2025-07-22") <= 0) {
    fprintf(stderr, "haven demo: recording the sample FOIA request failed\n");
    return -1;
  }
  return 0;
}
