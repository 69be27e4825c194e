/* FOIA requests: the closed lists (see model.h). */
#include <string.h>

#include "modules/foia/model.h"

const struct hv_foia_choice hv_foia_event_types[HV_FEV_MAX] = {
    [HV_FEV_SENT] = {"sent", "Request sent"},
    [HV_FEV_ACKNOWLEDGED] = {"acknowledged", "Acknowledged by the agency"},
    [HV_FEV_CLARIFICATION_ASKED] = {"clarification_asked", "Clarification asked by the agency"},
    [HV_FEV_CLARIFICATION_ANSWERED] = {"clarification_answered", "Clarification answered"},
    [HV_FEV_FEE_NOTICE] = {"fee_notice", "Fee notice"},
    [HV_FEV_FEE_ANSWERED] = {"fee_answered", "Fee question answered"},
    [HV_FEV_EXTENSION] = {"extension", "Extension notice (unusual circumstances)"},
    [HV_FEV_INTERIM_RELEASE] = {"interim_release", "Interim release"},
    [HV_FEV_FINAL_RESPONSE] = {"final_response", "Final response"},
    [HV_FEV_APPEAL_FILED] = {"appeal_filed", "Appeal filed"},
    [HV_FEV_APPEAL_DECIDED] = {"appeal_decided", "Appeal decided"},
    [HV_FEV_LAWSUIT] = {"lawsuit", "Lawsuit filed"},
    [HV_FEV_WITHDRAWN] = {"withdrawn", "Request withdrawn"},
};

const struct hv_foia_choice hv_foia_statuses[HV_FST_MAX] = {
    [HV_FST_DRAFTED] = {"drafted", "Drafted"},
    [HV_FST_SUBMITTED] = {"submitted", "Submitted"},
    [HV_FST_ACKNOWLEDGED] = {"acknowledged", "Acknowledged"},
    [HV_FST_IN_PROCESS] = {"in_process", "In process"},
    [HV_FST_CLARIFICATION_ASKED] = {"clarification_asked", "Clarification asked"},
    [HV_FST_FEE_NOTICE] = {"fee_notice", "Fee notice"},
    [HV_FST_EXTENDED] = {"extended", "Extended"},
    [HV_FST_PARTIAL_RELEASE] = {"partial_release", "Partial release"},
    [HV_FST_FINAL_RESPONSE] = {"final_response", "Final response"},
    [HV_FST_APPEALED] = {"appealed", "Appealed"},
    [HV_FST_APPEAL_DECIDED] = {"appeal_decided", "Appeal decided"},
    [HV_FST_IN_LITIGATION] = {"in_litigation", "In litigation"},
    [HV_FST_WITHDRAWN] = {"withdrawn", "Withdrawn"},
    [HV_FST_CLOSED] = {"closed", "Closed"},
};

const struct hv_foia_choice hv_foia_reasons[HV_FTR_MAX] = {
    [HV_FTR_INITIAL] = {"initial", "Initial request"},
    [HV_FTR_REFERRAL] = {"referral", "Referral"},
    [HV_FTR_APPEAL] = {"appeal", "Appeal"},
};

/* 5 U.S.C. 552(b)(1)-(9), with (b)(7)'s six parts, in the order of the
 * statute. Descriptions are the usual short forms, not the statute's text. */
const struct hv_foia_exemption hv_foia_exemptions[HV_FOIA_EXEMPTIONS_N] = {
    {"(b)(1)", "Classified national defense or foreign policy information"},
    {"(b)(2)", "Internal personnel rules and practices of the agency"},
    {"(b)(3)", "Information exempted from release by another statute"},
    {"(b)(4)", "Trade secrets and confidential commercial or financial information"},
    {"(b)(5)", "Privileged inter- or intra-agency communications (deliberative process, "
               "attorney-client, attorney work product)"},
    {"(b)(6)", "Personnel, medical and similar files: a clearly unwarranted invasion of "
               "personal privacy"},
    {"(b)(7)", "Records compiled for law enforcement purposes"},
    {"(b)(7)(A)", "Law enforcement records: could interfere with enforcement proceedings"},
    {"(b)(7)(B)", "Law enforcement records: would deprive a person of a fair trial or an "
                  "impartial adjudication"},
    {"(b)(7)(C)", "Law enforcement records: could be an unwarranted invasion of personal "
                  "privacy"},
    {"(b)(7)(D)", "Law enforcement records: could disclose a confidential source"},
    {"(b)(7)(E)", "Law enforcement records: would disclose techniques, procedures or guidelines "
                  "for investigations or prosecutions"},
    {"(b)(7)(F)", "Law enforcement records: could endanger the life or physical safety of any "
                  "person"},
    {"(b)(8)", "Reports about the supervision of financial institutions"},
    {"(b)(9)", "Geological and geophysical information about wells"},
};

int hv_foia_exemption_find(const char *code) {
  for (int i = 0; code && i < HV_FOIA_EXEMPTIONS_N; i++)
    if (strcmp(hv_foia_exemptions[i].code, code) == 0)
      return i;
  return -1;
}

int hv_foia_choice_find(const struct hv_foia_choice *table, size_t n, const char *code) {
  for (size_t i = 0; code && i < n; i++)
    if (strcmp(table[i].code, code) == 0)
      return (int)i;
  return -1;
}

int hv_foia_status_after(enum hv_foia_event_type t) {
  static const int next[HV_FEV_MAX] = {
      [HV_FEV_SENT] = HV_FST_SUBMITTED,
      [HV_FEV_ACKNOWLEDGED] = HV_FST_ACKNOWLEDGED,
      [HV_FEV_CLARIFICATION_ASKED] = HV_FST_CLARIFICATION_ASKED,
      [HV_FEV_CLARIFICATION_ANSWERED] = HV_FST_IN_PROCESS,
      [HV_FEV_FEE_NOTICE] = HV_FST_FEE_NOTICE,
      [HV_FEV_FEE_ANSWERED] = HV_FST_IN_PROCESS,
      [HV_FEV_EXTENSION] = HV_FST_EXTENDED,
      [HV_FEV_INTERIM_RELEASE] = HV_FST_PARTIAL_RELEASE,
      [HV_FEV_FINAL_RESPONSE] = HV_FST_FINAL_RESPONSE,
      [HV_FEV_APPEAL_FILED] = HV_FST_APPEALED,
      [HV_FEV_APPEAL_DECIDED] = HV_FST_APPEAL_DECIDED,
      [HV_FEV_LAWSUIT] = HV_FST_IN_LITIGATION,
      [HV_FEV_WITHDRAWN] = HV_FST_WITHDRAWN,
  };
  return (unsigned)t < HV_FEV_MAX ? next[t] : -1;
}

int hv_foia_status_closed(enum hv_foia_status s) {
  return s == HV_FST_WITHDRAWN || s == HV_FST_CLOSED;
}
