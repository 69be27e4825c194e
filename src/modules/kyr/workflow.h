/* The Know-Your-Rights content workflow, as pure rules (no I/O): which
 * action may move a text from which status, for whom, and which text the
 * public sees for a topic in a language.
 *
 * An English master text: draft -> review (legal review) -> approved ->
 * published -> superseded (by the next published version) or retracted.
 * A translation follows the same states (review is the bilingual review)
 * and is tied to one version of the English master. Only `legal` users
 * approve; nobody approves their own draft. */
#ifndef HV_KYR_WORKFLOW_H
#define HV_KYR_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

enum hv_kyr_status {
  HV_KS_DRAFT,
  HV_KS_REVIEW,
  HV_KS_APPROVED,
  HV_KS_PUBLISHED,
  HV_KS_SUPERSEDED,
  HV_KS_RETRACTED,
  HV_KS_MAX
};

enum hv_kyr_action {
  HV_KA_SUBMIT,  /* draft -> review (editors) */
  HV_KA_RETURN,  /* review -> draft, with a note (legal) */
  HV_KA_APPROVE, /* review -> approved (legal, not the author) */
  HV_KA_PUBLISH, /* approved -> published (legal, MOIA); a translation only on the current master */
  HV_KA_RETRACT, /* published -> retracted (legal, MOIA): off every channel at once */
  HV_KA_MAX
};

const char *hv_kyr_status_code(enum hv_kyr_status s);
int hv_kyr_status_parse(const char *code); /* -1 when unknown */
const char *hv_kyr_action_code(enum hv_kyr_action a);
int hv_kyr_action_parse(const char *code); /* -1 when unknown */

/* What the rules need to know about one attempt. */
struct hv_kyr_attempt {
  enum hv_kyr_action action;
  enum hv_kyr_status from;
  unsigned roles;      /* the actor's role mask */
  bool is_author;      /* the actor wrote this text */
  bool is_translation; /* not the English master */
  bool source_current; /* a translation: its master is the published English version */
};

/* The verdict: allowed (status 0, `to` set) or refused with an HTTP status
 * (403 not allowed for the role, 409 wrong state or stale, 422 the rule of
 * two people) and a message for a person. */
struct hv_kyr_verdict {
  int status;
  enum hv_kyr_status to;
  const char *why;
};

struct hv_kyr_verdict hv_kyr_decide(const struct hv_kyr_attempt *a);

/* May these roles write drafts (new texts, edits of drafts)? */
bool hv_kyr_may_edit(unsigned roles);

/* What the public sees for one topic in one language. */
enum hv_kyr_show {
  HV_SHOW_NOTHING, /* nothing published (or the master was retracted) */
  HV_SHOW_TEXT,    /* the language's own published text */
  HV_SHOW_ENGLISH, /* the English text with the "being updated" notice */
};

/* `english_id`: the published English master's id (0: none).
 * `translation_source`: the master id the published translation was made
 * from (0: no published translation). For English itself pass
 * translation_source = english_id. */
enum hv_kyr_show hv_kyr_choose(int64_t english_id, int64_t translation_source);

#endif
