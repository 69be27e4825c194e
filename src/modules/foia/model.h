/* FOIA requests: the closed lists (statuses, event types, tracking-number
 * reasons) as tables, one place to read them. Pure: no I/O. The deadline
 * clock (deadline.h) reads event types by their enum; the store and the
 * pages by their codes. */
#ifndef HV_FOIA_MODEL_H
#define HV_FOIA_MODEL_H

#include <stddef.h>

/* A code as stored and sent, and its label for people. */
struct hv_foia_choice {
  const char *code;
  const char *label;
};

/* What happened to a request, in the order it usually happens. */
enum hv_foia_event_type {
  HV_FEV_SENT,
  HV_FEV_ACKNOWLEDGED,
  HV_FEV_CLARIFICATION_ASKED,
  HV_FEV_CLARIFICATION_ANSWERED,
  HV_FEV_FEE_NOTICE,
  HV_FEV_FEE_ANSWERED,
  HV_FEV_EXTENSION,
  HV_FEV_INTERIM_RELEASE,
  HV_FEV_FINAL_RESPONSE,
  HV_FEV_APPEAL_FILED,
  HV_FEV_APPEAL_DECIDED,
  HV_FEV_LAWSUIT,
  HV_FEV_WITHDRAWN,
  HV_FEV_MAX
};

/* The statuses of issue 7, in order. */
enum hv_foia_status {
  HV_FST_DRAFTED,
  HV_FST_SUBMITTED,
  HV_FST_ACKNOWLEDGED,
  HV_FST_IN_PROCESS,
  HV_FST_CLARIFICATION_ASKED,
  HV_FST_FEE_NOTICE,
  HV_FST_EXTENDED,
  HV_FST_PARTIAL_RELEASE,
  HV_FST_FINAL_RESPONSE,
  HV_FST_APPEALED,
  HV_FST_APPEAL_DECIDED,
  HV_FST_IN_LITIGATION,
  HV_FST_WITHDRAWN,
  HV_FST_CLOSED,
  HV_FST_MAX
};

/* Why a request has a tracking number: the agency's first number, a
 * referral to another component or agency, an appeal. */
enum hv_foia_reason { HV_FTR_INITIAL, HV_FTR_REFERRAL, HV_FTR_APPEAL, HV_FTR_MAX };

/* A FOIA exemption (5 U.S.C. 552(b)) as agencies cite it, with its short
 * description. */
struct hv_foia_exemption {
  const char *code;        /* "(b)(6)", "(b)(7)(C)" */
  const char *description; /* for people */
};
#define HV_FOIA_EXEMPTIONS_N 15
extern const struct hv_foia_exemption hv_foia_exemptions[HV_FOIA_EXEMPTIONS_N];
/* The index of exemption `code` (exactly as in the table), or -1. */
int hv_foia_exemption_find(const char *code);

/* The tables, indexed by the enums (HV_FEV_MAX etc. entries). */
extern const struct hv_foia_choice hv_foia_event_types[HV_FEV_MAX];
extern const struct hv_foia_choice hv_foia_statuses[HV_FST_MAX];
extern const struct hv_foia_choice hv_foia_reasons[HV_FTR_MAX];

/* The index of `code` in `table` (n entries), or -1. */
int hv_foia_choice_find(const struct hv_foia_choice *table, size_t n, const char *code);

/* The status an event moves a request to (-1: it leaves the status as it
 * is; an interim release moves it to a partial release). */
int hv_foia_status_after(enum hv_foia_event_type t);

/* True for the statuses of a request no longer waiting on anyone. */
int hv_foia_status_closed(enum hv_foia_status s);

#endif
