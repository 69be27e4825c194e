/* The HTTP layer's public face: what a handler sees of a request, how it
 * answers, and the route table it is reached through. Only files in
 * src/http/ include <microhttpd.h>; everything else uses this header.
 *
 * A request flows: server (limits, framing checks) -> router (method,
 * path, roles, body cap, CSRF) -> handler -> reply (security headers added
 * to every response, errors included). */
#ifndef HV_HTTP_H
#define HV_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

enum hv_method { HV_GET, HV_HEAD, HV_POST, HV_PUT, HV_PATCH, HV_DELETE, HV_OPTIONS, HV_METHOD_MAX };

/* Roles, as bits of a route's `roles` mask (the accounts issue fills in
 * who holds which). */
enum hv_role {
  HV_ROLE_ADMIN,
  HV_ROLE_MOIA,
  HV_ROLE_LIAISON,
  HV_ROLE_LEGAL,
  HV_ROLE_AGENT311,
  HV_ROLE_WORKGROUP,
  HV_ROLE_AUDITOR,
  HV_ROLE_STAFF, /* a department employee who is not a liaison: sends quick alerts */
  HV_ROLE_MAX
};
#define HV_ROLE_BIT(r) (1u << (r))
#define HV_ROLES_ALL ((1u << HV_ROLE_MAX) - 1)

enum hv_route_flag {
  HV_R_PUBLIC = 1u << 0,   /* no sign-in needed: must be said explicitly */
  HV_R_CSRF = 1u << 1,     /* state change: CSRF token and Origin checked */
  HV_R_LOOPBACK = 1u << 2, /* answered only to clients on this machine */
  HV_R_API = 1u << 3,      /* errors answer JSON rather than an HTML page */
  HV_R_CACHED = 1u << 4,   /* the handler sets its own Cache-Control */
  HV_R_ORIGIN = 1u << 5,   /* state change without a session (sign-in): Origin checked */
  HV_R_PWCHANGE = 1u << 6, /* reachable while the user must still change the password */
  HV_R_ANON = 1u << 7,     /* public and never asks who is calling: no session lookup at all
                              (static files, health, metrics) */
  HV_R_UPLOAD = 1u << 8,   /* a file upload: the body cap is the `attachment_max` setting plus
                              HV_UPLOAD_SLACK for the multipart framing, not `body_max`; the
                              route's own body_max still bounds it */
  HV_R_WEBHOOK = 1u << 9,  /* called by an outside service (the SMS gateway), not a browser: no
                              session is read and there is no CSRF (no ambient credential), but
                              the server refuses the call with 401 before the handler unless the
                              webhook hook accepts the shared secret it carries; with no hook, or
                              no secret configured, every call is refused. Only with
                              HV_R_PUBLIC | HV_R_ANON. */
};

#define HV_UPLOAD_SLACK (64u << 10) /* multipart headers, boundaries and small fields */

struct hv_request;
struct hv_principal; /* who is asking: defined by src/auth/auth.h */
typedef void (*hv_handler)(struct hv_request *rq);

struct hv_route {
  enum hv_method method;
  const char *pattern; /* "/api/v1/x/{id:int}", "{s:slug}", "{s:str}", "{p:path}" (rest) */
  unsigned roles;      /* HV_ROLE_BIT mask; 0 for public routes */
  unsigned flags;      /* enum hv_route_flag */
  size_t body_max;     /* bytes; 0 refuses any body */
  hv_handler fn;
};

#define HV_MAX_PARAMS 8
struct hv_path_param {
  const char *name; /* borrowed from the pattern's copy in the arena */
  const char *str;  /* percent-decoded, valid UTF-8 */
  int64_t num;      /* for {x:int} */
};

#define HV_MAX_REPLY_HEADERS 12

struct hv_reply {
  int status;
  const char *content_type;
  const char *body; /* see owned */
  size_t len;
  bool owned; /* body was malloc'd and is freed after sending */
  int fd;     /* > 0: send `len` bytes of this file instead of body (sendfile); borrowed */
  bool no_store; /* Cache-Control: no-store (default true) */
  /* When set, body is borrowed from a shared cache and release(cls) is
   * called once the server no longer needs it (hv_reply_shared). */
  void (*release)(void *cls);
  void *release_cls;
  /* When set, the whole answer (status, headers, body) is this response
   * built beforehand (hv_reply_prepared); borrowed until release(cls). */
  const struct hv_prepared *prepared;
  struct {
    const char *name;
    const char *value;
  } headers[HV_MAX_REPLY_HEADERS];
  size_t nheaders;
};

struct hv_request {
  struct hv_arena *arena;     /* freed once when the request ends */
  void *app;                  /* the application context given to the server */
  const struct hv_route *route;
  size_t route_index;
  enum hv_method method;
  const char *method_name;
  const char *path; /* raw path as sent, without the query */
  const char *query; /* raw query string, or "" */
  struct hv_path_param params[HV_MAX_PARAMS];
  size_t nparams;
  char *body; /* NUL-terminated copy of the body, or NULL */
  size_t body_len;
  char id[24];       /* request id, also sent as X-Request-Id */
  char client[64];   /* client address (after trusted-proxy rules) */
  bool client_loopback;
  unsigned roles;  /* roles of the signed-in user, 0 when anonymous */
  struct hv_principal *principal; /* set by the auth hook, in the arena; NULL when anonymous */
  bool via_token;                 /* authenticated by an API token (no cookies: no CSRF) */
  bool must_change_password;      /* only HV_R_PWCHANGE routes until changed */
  struct hv_reply reply;
  void *conn;        /* private to src/http */
  uint64_t start_ns;
  size_t body_cap;
  size_t body_expected; /* Content-Length when sent (0: none or empty) */
  size_t body_room;     /* bytes allocated for the body */
  size_t body_discarded;
  bool body_too_large;
  bool queued;
};

/* Request headers, looked up case-insensitively; NULL when absent. The
 * string is borrowed for the request's lifetime. */
const char *hv_header(struct hv_request *rq, const char *name);

/* A query parameter (percent-decoded into the arena); NULL when absent. */
const char *hv_query(struct hv_request *rq, const char *name);

/* A path parameter by name; NULL when the route has no such parameter. */
const struct hv_path_param *hv_param(struct hv_request *rq, const char *name);

/* Replies. Each sets rq->reply; the last call wins. */
void hv_reply_text(struct hv_request *rq, int status, const char *ctype, const char *body, size_t len,
                   bool owned);
/* Replies with `len` bytes that stay valid until release(cls) is called,
 * which the server does once the response is sent or dropped (a shared,
 * reference-counted cache entry: no copy). */
void hv_reply_shared(struct hv_request *rq, int status, const char *ctype, const char *body,
                     size_t len, void (*release)(void *cls), void *cls);
/* A response built once, with every header the server would add (the
 * security headers, Content-Type, `headers`; not X-Request-Id, since one
 * response answers many requests), and queued as it is for each request:
 * answering from it allocates nothing and builds no headers. The body is
 * copied in. For cached public pages. NULL when out of memory. */
struct hv_prepared;
struct hv_prepared_header {
  const char *name, *value;
};
struct hv_prepared *hv_prepared_new(int status, const char *ctype, const char *body, size_t len,
                                    const struct hv_prepared_header *headers, size_t nheaders);
/* Drops the caller's reference; requests still being answered with it
 * keep it alive until they are done. */
void hv_prepared_free(struct hv_prepared *p);
/* Answers with `p` (borrowed until the server calls release(cls), once
 * the answer is sent or dropped). Headers added to the request are not
 * sent. */
void hv_reply_prepared(struct hv_request *rq, const struct hv_prepared *p,
                       void (*release)(void *cls), void *cls);
/* Serialises `v` (stolen: the reply decrefs it). */
void hv_reply_json(struct hv_request *rq, int status, json_t *v);
/* {"error":{"code","message","field"}} for API routes, else the error page. */
void hv_reply_error(struct hv_request *rq, int status, const char *code, const char *message,
                    const char *field);
void hv_reply_redirect(struct hv_request *rq, int status, const char *location);
/* Adds a header (name and value borrowed for the request's lifetime). */
int hv_reply_header(struct hv_request *rq, const char *name, const char *value);

/* The error-page hook: the web layer renders error pages in the site's
 * design; without it a plain page is sent. */
typedef void (*hv_error_page_fn)(struct hv_request *rq, int status, const char *message);
void hv_set_error_page(hv_error_page_fn fn);

/* The webhook hook: true when the request carries the shared secret of
 * its HV_R_WEBHOOK route (the auth layer sets it; unset, every webhook
 * call is refused). */
typedef bool (*hv_webhook_auth_fn)(struct hv_request *rq);
void hv_set_webhook_auth(hv_webhook_auth_fn fn);

const char *hv_method_name(enum hv_method m);
int hv_method_parse(const char *s); /* -1 when not one we route */
const char *hv_status_text(int status);

#endif
