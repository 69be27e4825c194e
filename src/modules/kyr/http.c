/* Know Your Rights API. POST /api/v1/kyr/sms-check: the editor's SMS
 * check, open to every signed-in staff role — which encoding a text needs,
 * how many units and segments it costs, and the characters that forced
 * UCS-2. */
#include <stddef.h>

#include "auth/policy.h"
#include "core/json.h"
#include "core/str.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/sms.h"
#include "web/api.h"

#define SMS_TEXT_MAX 2000 /* code points: far beyond three segments */

struct sms_body {
  const char *text;
};

static const struct hv_jfield sms_spec[] = {
    {"text", HV_J_STRING, true, offsetof(struct sms_body, text), 0, SMS_TEXT_MAX, 0, 0, NULL},
};

static json_t *offending_json(const struct hv_sms_info *in) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < in->noffending; i++) {
    char u[4];
    size_t n = hv_utf8_put(in->offending[i], u);
    json_array_append_new(a, json_stringn(u, n));
  }
  return a;
}

static void api_sms_check(struct hv_request *rq) {
  struct sms_body b = {0};
  struct hv_sms_info in;
  json_t *j = hv_api_body(rq, sms_spec, 1, &b);
  if (!j)
    return;
  json_t *text = json_object_get(j, "text");
  if (hv_sms_measure(json_string_value(text), json_string_length(text), &in)) {
    hv_reply_error(rq, 400, "invalid_value", "The text holds a character SMS cannot carry.",
                   "text");
    goto out;
  }
  hv_reply_json(rq, 200,
                json_pack("{s:s, s:I, s:I, s:o, s:b, s:i, s:b}", "encoding",
                          hv_sms_encoding_name(in.encoding), "units", (json_int_t)in.units,
                          "segments", (json_int_t)in.segments, "offending", offending_json(&in),
                          "offending_truncated", in.more_offending, "max_segments",
                          HV_SMS_MAX_SEGMENTS, "within_limit", in.segments <= HV_SMS_MAX_SEGMENTS));
out:
  json_decref(j);
}

const struct hv_route hv_kyr_routes[] = {
    {HV_POST, "/api/v1/kyr/sms-check", HV_PERM_STAFF, HV_R_API | HV_R_CSRF, 16384, api_sms_check},
};
const size_t hv_kyr_nroutes = sizeof hv_kyr_routes / sizeof hv_kyr_routes[0];
