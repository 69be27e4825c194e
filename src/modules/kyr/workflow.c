/* The content workflow's rules. One table says which action leaves which
 * status for which; the two-person rule and staleness are checked beside
 * it. */
#include "modules/kyr/workflow.h"

#include <string.h>

#include "auth/policy.h"

static const char *const status_codes[HV_KS_MAX] = {"draft",     "review",     "approved",
                                                    "published", "superseded", "retracted"};
static const char *const action_codes[HV_KA_MAX] = {"submit", "return", "approve", "publish",
                                                    "retract"};

const char *hv_kyr_status_code(enum hv_kyr_status s) {
  return s < HV_KS_MAX ? status_codes[s] : "unknown";
}

const char *hv_kyr_action_code(enum hv_kyr_action a) {
  return a < HV_KA_MAX ? action_codes[a] : "unknown";
}

static int parse(const char *const *codes, int n, const char *s) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(codes[i], s) == 0)
      return i;
  return -1;
}

int hv_kyr_status_parse(const char *code) { return parse(status_codes, HV_KS_MAX, code); }
int hv_kyr_action_parse(const char *code) { return parse(action_codes, HV_KA_MAX, code); }

bool hv_kyr_may_edit(unsigned roles) { return (roles & HV_PERM_KYR_EDIT) != 0; }

static const struct {
  enum hv_kyr_status from, to;
  unsigned roles;
} rules[HV_KA_MAX] = {
    [HV_KA_SUBMIT] = {HV_KS_DRAFT, HV_KS_REVIEW, HV_PERM_KYR_EDIT},
    [HV_KA_RETURN] = {HV_KS_REVIEW, HV_KS_DRAFT, HV_PERM_KYR_APPROVE},
    [HV_KA_APPROVE] = {HV_KS_REVIEW, HV_KS_APPROVED, HV_PERM_KYR_APPROVE},
    [HV_KA_PUBLISH] = {HV_KS_APPROVED, HV_KS_PUBLISHED, HV_PERM_KYR_PUBLISH},
    [HV_KA_RETRACT] = {HV_KS_PUBLISHED, HV_KS_RETRACTED, HV_PERM_KYR_PUBLISH},
};

struct hv_kyr_verdict hv_kyr_decide(const struct hv_kyr_attempt *a) {
  struct hv_kyr_verdict v = {0, a->from, NULL};
  if (a->action >= HV_KA_MAX) {
    v.status = 400;
    v.why = "Unknown action.";
  } else if (!(a->roles & rules[a->action].roles)) {
    v.status = 403;
    v.why = a->action == HV_KA_APPROVE || a->action == HV_KA_RETURN
                ? "Only City Attorney (legal) users review and approve legal content."
                : "Your role may not do this.";
  } else if (a->from != rules[a->action].from) {
    v.status = 409;
    v.why = "This text is not in a status that allows that action.";
  } else if (a->action == HV_KA_APPROVE && a->is_author) {
    v.status = 422;
    v.why = "Nobody approves their own draft: another legal user must approve it.";
  } else if (a->action == HV_KA_PUBLISH && a->is_translation && !a->source_current) {
    v.status = 409;
    v.why = "The English text this translation was made from is no longer the published one: "
            "translate the current version.";
  } else {
    v.to = rules[a->action].to;
  }
  return v;
}

enum hv_kyr_show hv_kyr_choose(int64_t english_id, int64_t translation_source) {
  if (english_id <= 0)
    return HV_SHOW_NOTHING;
  return translation_source == english_id ? HV_SHOW_TEXT : HV_SHOW_ENGLISH;
}
