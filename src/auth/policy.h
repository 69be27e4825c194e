/* The access policy: which roles hold which permission (route tables use
 * these masks, so the table here is the one place to read), and the
 * department a principal is confined to. Deny by default: a permission
 * not listed for a role is not held. */
#ifndef HV_POLICY_H
#define HV_POLICY_H

#include <stdint.h>

#include "auth/auth.h"

#define HV_PB(x) HV_ROLE_BIT(HV_ROLE_##x) /* a policy bit */

/* Every signed-in role. */
#define HV_PERM_STAFF HV_ROLES_ALL
/* Read the City registry (departments, facilities, areas). */
#define HV_PERM_REGISTRY_READ HV_ROLES_ALL
/* Create and edit departments, their contacts and liaisons. */
#define HV_PERM_DEPARTMENTS_EDIT (HV_PB(ADMIN) | HV_PB(MOIA))
/* Create and edit facilities and their areas (liaisons: their own department's). */
#define HV_PERM_FACILITIES_EDIT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Import departments, facilities and users from CSV. */
#define HV_PERM_IMPORT (HV_PB(ADMIN))
/* Manage users and API tokens. */
#define HV_PERM_USERS_ADMIN (HV_PB(ADMIN))
/* Read the audit log. */
#define HV_PERM_AUDIT_READ (HV_PB(ADMIN) | HV_PB(AUDITOR))
/* Edit content staff rely on: the employee protocol on the alert page. */
#define HV_PERM_CONTENT_ADMIN (HV_PB(ADMIN))

/* Send a quick alert (any City staff member). */
#define HV_PERM_ALERT HV_ROLES_ALL
/* Write full incident reports (liaisons for their department; MOIA). */
#define HV_PERM_INCIDENT_WRITE (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Read incident reports (liaisons and staff: their department only). */
#define HV_PERM_INCIDENT_READ                                                                      \
  (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(LEGAL) | HV_PB(AUDITOR) | HV_PB(WORKGROUP))
/* Review, verify, refer (checked again per action in the incidents store). */
#define HV_PERM_INCIDENT_REVIEW (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL))

/* Know Your Rights content: write drafts and translations, submit them. */
#define HV_PERM_KYR_EDIT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL))
/* Review and approve legal content (City Attorney only). */
#define HV_PERM_KYR_APPROVE (HV_PB(LEGAL))
/* Publish approved texts and retract published ones. */
#define HV_PERM_KYR_PUBLISH (HV_PB(MOIA) | HV_PB(LEGAL))

/* Import the public site's help directories (legal service providers,
 * City programs) from CSV. */
#define HV_PERM_KYR_DIRECTORY (HV_PB(ADMIN) | HV_PB(MOIA))

/* Give residents KYR texts (send the SMS, record the channel): 311 agents. */
#define HV_PERM_KYR_DISTRIBUTE (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(AGENT311))
/* See the distribution counts. */
#define HV_PERM_KYR_DASHBOARD (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(AGENT311) | HV_PB(AUDITOR) | HV_PB(LEGAL))
/* Export a filtered list of reports (CSV, JSON): MOIA and administrators,
 * the City Attorney's reviewers, auditors, and liaisons (their department
 * only, by the same scope as reading). Not the LAPD working group: it reads
 * the reports referred to it one by one. */
#define HV_PERM_INCIDENT_EXPORT                                                                    \
  (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL) | HV_PB(AUDITOR) | HV_PB(LIAISON))
/* In an export, the free text (narrative, notes, names and badges shown,
 * plates, reviewers' notes) as well as the facts: the roles that work with
 * the reports' contents. Auditors check the process (times, statuses,
 * verification, referrals), so their exports hold the facts only; they
 * still read a single report in full. */
#define HV_PERM_INCIDENT_EXPORT_CONTENT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL) | HV_PB(LIAISON))

/* Close a day by hand on a holiday calendar (an executive order, a day of
 * mourning): MOIA and the City Attorney's reviewers, who own the FOIA
 * deadlines, and administrators. Reading the calendars is public. */
#define HV_PERM_CALENDAR_EDIT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL))

/* Track the City's FOIA requests (the directive's request to ICE): MOIA,
 * which files them, the City Attorney's reviewers, and administrators. */
#define HV_PERM_FOIA (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL))

/* The LAPD working group's records (members, sessions, feedback,
 * recommendations, guideline documents): the working group itself, MOIA
 * and administrators edit; the City Attorney's reviewers and auditors read
 * as well. The public page /consultations needs no sign-in. */
#define HV_PERM_WORKGROUP (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(WORKGROUP))
#define HV_PERM_WORKGROUP_READ (HV_PERM_WORKGROUP | HV_PB(LEGAL) | HV_PB(AUDITOR))
/* Department preparedness plans (issue 6). Read plans: liaisons their own
 * department's (by hv_policy_department), MOIA and administrators every
 * one, auditors every one (read only). */
#define HV_PERM_PLANS_READ (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(AUDITOR))
/* Answer requirements, attach evidence, submit: liaisons for their own
 * department; MOIA and administrators for any. */
#define HV_PERM_PLANS_EDIT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Accept a submitted plan or request changes (never one's own: checked in
 * the plans store). */
#define HV_PERM_PLANS_REVIEW (HV_PB(ADMIN) | HV_PB(MOIA))
/* Create and edit directives and their requirements, and issue them. */
#define HV_PERM_PLANS_ADMIN (HV_PB(ADMIN) | HV_PB(MOIA))
/* MOIA's board of every department's plan, and its CSV and XLSX exports. */
#define HV_PERM_PLANS_BOARD (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(AUDITOR))
/* Contractors and Ordinance 188441 (issue 6). Read the vendors, the
 * contracts and their coverage: liaisons (their department's contracts
 * only, by hv_policy_department), MOIA, the City Attorney's reviewers,
 * auditors and administrators. */
#define HV_PERM_CONTRACTS_READ (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(LEGAL) | HV_PB(AUDITOR))
/* Record and edit contracts, their attestations and notices, and import
 * contracts from CSV (liaisons: their department's only). */
#define HV_PERM_CONTRACTS_WRITE (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Edit and import the vendors, which every department shares. */
#define HV_PERM_CONTRACTS_VENDORS (HV_PB(ADMIN) | HV_PB(MOIA))
/* Download a signed attestation document (auditors check the process
 * from its record and SHA-256, not the document). */
#define HV_PERM_CONTRACTS_DOCUMENTS (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(LEGAL))
/* Employee training (ED 12): read coverage and the overdue lists
 * (liaisons: their own department; auditors: all, read only). */
#define HV_PERM_TRAINING_READ (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(AUDITOR))
/* Import a roster or completions from CSV (liaisons: their own department). */
#define HV_PERM_TRAINING_IMPORT (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Add courses (liaisons: for their own department only). */
#define HV_PERM_TRAINING_MANAGE (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
/* Department protocol documents: read them and acknowledge one (any staff);
 * publish versions (liaisons: their department's; MOIA and administrators:
 * any, and citywide ones); record an employee's acknowledgement and see
 * the counts (liaisons: their department's employees). */
#define HV_PERM_PROTOCOL_READ HV_ROLES_ALL
#define HV_PERM_PROTOCOL_PUBLISH (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON))
#define HV_PERM_PROTOCOL_ACKS (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LIAISON) | HV_PB(AUDITOR))

/* Roles whose work spans the whole City. */
#define HV_CITYWIDE                                                                                \
  (HV_PB(ADMIN) | HV_PB(MOIA) | HV_PB(LEGAL) | HV_PB(AGENT311) | HV_PB(WORKGROUP) | HV_PB(AUDITOR))

/* Department-scoped roles: liaisons and staff act for their own department. */
#define HV_DEPARTMENTAL (HV_PB(LIAISON) | HV_PB(STAFF))

/* The department whose records `p` may act on: 0 when citywide, else the
 * principal's own department (a liaison), or -1 when a liaison has none
 * (then nothing is in scope). Queries filter with it, so a record of
 * another department is simply not found (404). */
int64_t hv_policy_department(const struct hv_principal *p);

/* True when `p` may act on a record of department `dept`. */
static inline int hv_policy_in_scope(const struct hv_principal *p, int64_t dept) {
  int64_t d = hv_policy_department(p);
  return d == 0 || d == dept;
}

#endif
