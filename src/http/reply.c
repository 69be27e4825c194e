/* Building replies: JSON, errors in the one error format, redirects. The
 * server turns rq->reply into a response and adds the security headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "http/http.h"

static hv_error_page_fn error_page;

void hv_set_error_page(hv_error_page_fn fn) { error_page = fn; }

static void reply_reset(struct hv_request *rq) {
  if (rq->reply.owned)
    free((void *)rq->reply.body);
  if (rq->reply.release)
    rq->reply.release(rq->reply.release_cls);
  bool keep_no_store = rq->reply.no_store;
  memset(&rq->reply, 0, sizeof rq->reply);
  rq->reply.no_store = keep_no_store;
}

void hv_reply_text(struct hv_request *rq, int status, const char *ctype, const char *body, size_t len,
                   bool owned) {
  /* headers already added survive: they describe the request, not the body */
  size_t nh = rq->reply.nheaders;
  __typeof__(rq->reply.headers) saved;
  memcpy(saved, rq->reply.headers, sizeof saved);
  reply_reset(rq);
  memcpy(rq->reply.headers, saved, sizeof saved);
  rq->reply.nheaders = nh;
  rq->reply.status = status;
  rq->reply.content_type = ctype;
  rq->reply.body = body;
  rq->reply.len = len;
  rq->reply.owned = owned;
}

void hv_reply_shared(struct hv_request *rq, int status, const char *ctype, const char *body,
                     size_t len, void (*release)(void *cls), void *cls) {
  hv_reply_text(rq, status, ctype, body, len, false);
  rq->reply.release = release;
  rq->reply.release_cls = cls;
}

void hv_reply_json(struct hv_request *rq, int status, json_t *v) {
  size_t len = 0;
  char *s = v ? hv_json_dump(v, &len) : NULL;
  json_decref(v);
  if (!s) {
    static const char oom[] =
        "{\"error\":{\"code\":\"internal\",\"message\":\"The server could not build the reply.\","
        "\"field\":null}}";
    hv_reply_text(rq, 500, "application/json; charset=utf-8", oom, sizeof oom - 1, false);
    return;
  }
  hv_reply_text(rq, status, "application/json; charset=utf-8", s, len, true);
}

void hv_reply_error(struct hv_request *rq, int status, const char *code, const char *message,
                    const char *field) {
  bool api = (rq->route && (rq->route->flags & HV_R_API)) || strncmp(rq->path, "/api/", 5) == 0;
  if (!api && error_page) {
    error_page(rq, status, message);
    return;
  }
  if (api) {
    json_t *err = json_pack("{s:s, s:s, s:s?}", "code", code, "message", message, "field", field);
    hv_reply_json(rq, status, json_pack("{s:o}", "error", err));
    return;
  }
  struct hv_buf b;
  hv_buf_init(&b, 16384);
  hv_buf_printf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%d %s</title>"
                    "</head><body><main><h1>%d %s</h1><p>",
                status, hv_status_text(status), status, hv_status_text(status));
  hv_buf_add_html(&b, message, strlen(message));
  hv_buf_adds(&b, "</p></main></body></html>\n");
  size_t len;
  char *s = hv_buf_steal(&b, &len);
  hv_reply_text(rq, status, "text/html; charset=utf-8", s ? s : "", s ? len : 0, s != NULL);
}

void hv_reply_redirect(struct hv_request *rq, int status, const char *location) {
  hv_reply_text(rq, status, "text/plain; charset=utf-8", "", 0, false);
  hv_reply_header(rq, "Location", location);
}

int hv_reply_header(struct hv_request *rq, const char *name, const char *value) {
  if (rq->reply.nheaders == HV_MAX_REPLY_HEADERS)
    return -1;
  rq->reply.headers[rq->reply.nheaders].name = name;
  rq->reply.headers[rq->reply.nheaders].value = value;
  rq->reply.nheaders++;
  return 0;
}

static const char *const method_names[HV_METHOD_MAX] = {"GET",   "HEAD",   "POST",   "PUT",
                                                        "PATCH", "DELETE", "OPTIONS"};

const char *hv_method_name(enum hv_method m) { return m < HV_METHOD_MAX ? method_names[m] : "?"; }

int hv_method_parse(const char *s) {
  for (int i = 0; i < HV_METHOD_MAX; i++)
    if (strcmp(s, method_names[i]) == 0)
      return i;
  return -1;
}

const char *hv_status_text(int status) {
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  default: return "Error";
  }
}
