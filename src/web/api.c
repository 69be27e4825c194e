/* Handler helpers. */
#include "web/api.h"

#include <string.h>

#include "core/log.h"

json_t *hv_api_body(struct hv_request *rq, const struct hv_jfield *spec, size_t n, void *out) {
  struct hv_jerr e;
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';')) {
    hv_reply_error(rq, 415, "unsupported_media_type", "Send the body as application/json.", NULL);
    return NULL;
  }
  json_t *j = hv_json_parse_object(rq->body, rq->body_len, &e);
  if (j && hv_json_unpack(j, spec, n, out, &e) == 0)
    return j;
  json_decref(j);
  hv_log(HV_LOG_INFO, "input rejected", HV_LS("request_id", rq->id), HV_LS("code", e.code),
         HV_LS("field", e.field));
  hv_reply_error(rq, 400, e.code, e.message, e.field[0] ? e.field : NULL);
  return NULL;
}

int hv_form_body(struct hv_request *rq, struct hv_form *f) {
  const char *ct = hv_header(rq, "Content-Type");
  if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    hv_reply_error(rq, 415, "unsupported_media_type", "Send the form as a web form.", NULL);
    return -1;
  }
  enum hv_form_status st =
      hv_form_parse(rq->arena, rq->body ? rq->body : "", rq->body_len, &hv_form_default_limits, f);
  if (st != HV_FORM_OK) {
    hv_reply_error(rq, 400, "invalid_form", hv_form_strerror(st), NULL);
    return -1;
  }
  return 0;
}

void hv_reply_store_error(struct hv_request *rq, enum hv_qs qs) {
  if (qs == HV_QS_CONFLICT)
    hv_reply_error(rq, 409, "conflict", "This conflicts with a record that already exists.", NULL);
  else
    hv_reply_error(rq, 503, "unavailable",
                   "The database did not answer. Nothing was saved; please try again.", NULL);
}

char *hv_url_encode(struct hv_arena *a, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(s);
  char *out = hv_arena_alloc(a, n * 3 + 1);
  size_t o = 0;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = '\0';
  return out;
}
