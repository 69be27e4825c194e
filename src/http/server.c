/* libmicrohttpd glue. MHD calls on_uri when a request line arrives (we
 * allocate the request there), on_request for the headers and each piece
 * of body, and on_completed at the end, where the arena is freed once.
 * Responses are queued only after the first call, never during it, except
 * when the body is refused outright: libmicrohttpd 0.9.75 answers with
 * Connection: close when a response is queued on the first call. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/form.h"

static const int status_codes[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403,
                                   404, 405, 409, 413, 415, 422, 429, 500, 503, 0};
#define NSTATUS (sizeof status_codes / sizeof status_codes[0]) /* last: other */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])
#define HV_DISCARD_MAX (1u << 20) /* bytes dropped past a body cap before hanging up */

struct route_stats {
  _Atomic uint64_t by_status[NSTATUS];
  _Atomic uint64_t hist[NBUCKETS + 1]; /* last: +Inf */
  _Atomic uint64_t sum_us;
};

struct hv_server {
  struct MHD_Daemon *d;
  const struct hv_config *cfg;
  const struct hv_router *router;
  void *app;
  hv_auth_fn auth;
  unsigned port;
  char origin[512]; /* scheme://host[:port] of base_url, for the Origin check */
  char id_prefix[9];
  _Atomic uint64_t next_id;
  _Atomic long inflight;
  struct route_stats *stats; /* one per route, plus one for unmatched */
  size_t nstats;
};

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                          "object-src 'none'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'; report-uri /api/v1/csp-report";

const char *hv_header(struct hv_request *rq, const char *name) {
  if (!rq->conn)
    return NULL;
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *hv_query(struct hv_request *rq, const char *name) {
  struct hv_form f;
  if (!rq->query || !*rq->query)
    return NULL;
  if (hv_form_parse(rq->arena, rq->query, strlen(rq->query), &hv_form_default_limits, &f))
    return NULL;
  return hv_form_get(&f, name);
}

const struct hv_path_param *hv_param(struct hv_request *rq, const char *name) {
  for (size_t i = 0; i < rq->nparams; i++)
    if (strcmp(rq->params[i].name, name) == 0)
      return &rq->params[i];
  return NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con) {
  struct hv_server *s = cls;
  (void)con;
  struct hv_request *rq = calloc(1, sizeof *rq);
  if (!rq)
    return NULL;
  rq->arena = hv_arena_new(0);
  if (!rq->arena) {
    free(rq);
    return NULL;
  }
  rq->start_ns = hv_clock_mono_ns();
  rq->app = s->app;
  rq->reply.no_store = true;
  uint64_t n = atomic_fetch_add(&s->next_id, 1);
  snprintf(rq->id, sizeof rq->id, "%s%08llx", s->id_prefix, (unsigned long long)(n & 0xffffffffu));
  const char *q = strchr(uri, '?');
  rq->path = q ? hv_arena_strndup(rq->arena, uri, (size_t)(q - uri)) : hv_arena_strdup(rq->arena, uri);
  rq->query = q ? hv_arena_strdup(rq->arena, q + 1) : "";
  if (!rq->path)
    rq->path = "/";
  atomic_fetch_add(&s->inflight, 1);
  return rq;
}

static bool is_loopback(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(a) ||
           (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
  }
  return false;
}

static void set_client(struct hv_server *s, struct hv_request *rq, struct MHD_Connection *con) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  strcpy(rq->client, "unknown");
  if (!ci || !ci->client_addr)
    return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, rq->client, sizeof rq->client);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, rq->client, sizeof rq->client);
  rq->client_loopback = is_loopback(sa);
  if (s->cfg->trusted_proxy[0] && strcmp(rq->client, s->cfg->trusted_proxy) == 0) {
    /* Only the proxy's own word is trusted: the last address it appended. */
    const char *xff = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff) {
      const char *last = strrchr(xff, ',');
      last = last ? last + 1 : xff;
      while (*last == ' ')
        last++;
      char tmp[64];
      unsigned char bin[16];
      snprintf(tmp, sizeof tmp, "%s", last);
      if (inet_pton(AF_INET, tmp, bin) == 1 || inet_pton(AF_INET6, tmp, bin) == 1) {
        strcpy(rq->client, tmp);
        rq->client_loopback = false;
      }
    }
  }
}

struct framing {
  int content_length;
  int transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
  struct framing *f = cls;
  (void)kind;
  (void)value;
  if (strcasecmp(key, "Content-Length") == 0)
    f->content_length++;
  else if (strcasecmp(key, "Transfer-Encoding") == 0)
    f->transfer_encoding++;
  return MHD_YES;
}

static void too_large(struct hv_server *s, struct hv_request *rq) {
  if (rq->route && (rq->route->flags & HV_R_UPLOAD))
    hv_reply_error(rq, 413, "too_large",
                   hv_arena_printf(rq->arena,
                                   "The file is too large: attachments may be up to %zu KB.",
                                   s->cfg->attachment_max / 1024),
                   "file");
  else
    hv_reply_error(rq, 413, "too_large", "The request body is larger than this address accepts.",
                   NULL);
}

/* Everything decided from the request head: route, framing, body cap.
 * A refusal is left in rq->reply for queue_reply. */
static void begin(struct hv_server *s, struct hv_request *rq, struct MHD_Connection *con,
                  const char *method) {
  char allow[96];
  size_t index = 0;
  struct framing fr = {0, 0};
  rq->conn = con;
  rq->method_name = method;
  set_client(s, rq, con);
  MHD_get_connection_values(con, MHD_HEADER_KIND, count_framing, &fr);
  if (fr.content_length > 1 || (fr.content_length && fr.transfer_encoding) || fr.transfer_encoding > 1) {
    hv_reply_error(rq, 400, "bad_framing",
                   "The request has conflicting Content-Length and Transfer-Encoding headers.", NULL);
    return;
  }
  int m = hv_method_parse(method);
  if (m < 0) {
    rq->method = HV_METHOD_MAX;
    hv_reply_error(rq, 405, "method_not_allowed", "This method is not allowed.", NULL);
    return;
  }
  rq->method = (enum hv_method)m;
  enum hv_match r = hv_router_match(s->router, rq->method, rq->path, rq->arena, &rq->route, &index,
                                    rq->params, &rq->nparams, allow, sizeof allow);
  switch (r) {
  case HV_MATCH_OK:
    rq->route_index = index;
    break;
  case HV_MATCH_NOT_FOUND:
    hv_reply_error(rq, 404, "not_found", "There is no page at this address.", NULL);
    return;
  case HV_MATCH_BAD_METHOD:
    hv_reply_error(rq, 405, "method_not_allowed", "This method is not allowed here.", NULL);
    hv_reply_header(rq, "Allow", hv_arena_strdup(rq->arena, allow));
    return;
  case HV_MATCH_BAD_PATH:
    hv_reply_error(rq, 400, "bad_path", "The address is malformed.", NULL);
    return;
  }
  size_t ceiling =
      rq->route->flags & HV_R_UPLOAD ? s->cfg->attachment_max + HV_UPLOAD_SLACK : s->cfg->body_max;
  rq->body_cap = rq->route->body_max < ceiling ? rq->route->body_max : ceiling;
  const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
  if (cl) {
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    if (*end || cl[0] < '0' || cl[0] > '9') {
      hv_reply_error(rq, 400, "bad_framing", "The Content-Length header is malformed.", NULL);
      return;
    }
    if (n > rq->body_cap) {
      rq->body_too_large = true;
      too_large(s, rq);
    } else {
      rq->body_expected = (size_t)n;
    }
  }
}

static bool same_origin(struct hv_server *s, struct hv_request *rq) {
  const char *site = hv_header(rq, "Sec-Fetch-Site");
  const char *origin = hv_header(rq, "Origin");
  if (site && strcmp(site, "same-origin") != 0)
    return false;
  if (origin)
    return strcmp(origin, s->origin) == 0;
  return site != NULL;
}

/* For sign-in (no session yet): a browser always says where a POST comes
 * from; a request that says nothing is not a browser's, so there is no
 * ambient credential for a forger to use. */
static bool origin_absent_or_same(struct hv_server *s, struct hv_request *rq) {
  if (!hv_header(rq, "Origin") && !hv_header(rq, "Sec-Fetch-Site"))
    return true;
  return same_origin(s, rq);
}

static hv_webhook_auth_fn webhook_auth;

void hv_set_webhook_auth(hv_webhook_auth_fn fn) { webhook_auth = fn; }

static void dispatch(struct hv_server *s, struct hv_request *rq) {
  const struct hv_route *rt = rq->route;
  if ((rt->flags & HV_R_LOOPBACK) && !rq->client_loopback) {
    hv_reply_error(rq, 404, "not_found", "There is no page at this address.", NULL);
    return;
  }
  if ((rt->flags & HV_R_WEBHOOK) && (!webhook_auth || !webhook_auth(rq))) {
    /* Gateways that post without credentials first (Twilio) retry with
     * Basic authentication when asked for it. */
    hv_reply_error(rq, 401, "unauthenticated", "This address is for the SMS gateway.", NULL);
    hv_reply_header(rq, "WWW-Authenticate", "Basic realm=\"haven-sms\"");
    return;
  }
  int csrf_ok = 0;
  /* A signed-in browser sends its cookie with every asset: routes that never
   * use the caller skip the session lookup (a database read) entirely. */
  rq->roles = s->auth && !(rt->flags & HV_R_ANON) ? s->auth(rq, &csrf_ok) : 0;
  if (!(rt->flags & HV_R_PUBLIC)) {
    if (!rq->roles) {
      hv_reply_error(rq, 401, "unauthenticated", "Please sign in.", NULL);
      return;
    }
    if (!(rq->roles & rt->roles)) {
      hv_reply_error(rq, 403, "forbidden", "Your role does not allow this.", NULL);
      return;
    }
  }
  if (rq->must_change_password && !(rt->flags & (HV_R_PWCHANGE | HV_R_PUBLIC))) {
    if (rt->flags & HV_R_API || strncmp(rq->path, "/api/", 5) == 0)
      hv_reply_error(rq, 403, "password_change_required",
                     "Choose a new password before going on.", NULL);
    else
      hv_reply_redirect(rq, 303, "/account/password");
    return;
  }
  if ((rt->flags & HV_R_CSRF) && !rq->via_token && (!same_origin(s, rq) || !csrf_ok)) {
    hv_reply_error(rq, 403, "csrf", "The request did not come from this site's own form.", NULL);
    return;
  }
  if ((rt->flags & HV_R_ORIGIN) && !origin_absent_or_same(s, rq)) {
    hv_reply_error(rq, 403, "csrf", "The request did not come from this site's own form.", NULL);
    return;
  }
  rt->fn(rq);
  if (rq->reply.status == 0) {
    hv_log(HV_LOG_ERROR, "BUG: handler set no reply", HV_LS("route", rt->pattern));
    hv_reply_error(rq, 500, "internal", "Something went wrong on our side.", NULL);
  }
}

/* The headers every response carries, whatever the request. */
static void add_fixed_headers(struct MHD_Response *r) {
  MHD_add_response_header(r, "Content-Security-Policy", csp);
  MHD_add_response_header(r, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "same-origin");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
  MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
  MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

static void add_security_headers(struct MHD_Response *r, const struct hv_request *rq) {
  add_fixed_headers(r);
  MHD_add_response_header(r, "X-Request-Id", rq->id);
  if (rq->reply.no_store)
    MHD_add_response_header(r, "Cache-Control", "no-store");
}

struct hv_prepared {
  struct MHD_Response *r; /* ours: one reference, plus one per queued request (libmicrohttpd's) */
  int status;
};

struct hv_prepared *hv_prepared_new(int status, const char *ctype, const char *body, size_t len,
                                    const struct hv_prepared_header *headers, size_t nheaders) {
  struct hv_prepared *p = malloc(sizeof *p);
  if (!p)
    return NULL;
  /* MUST_COPY: the body lives as long as the response, which outlives
   * this handle while requests are still being answered with it. */
  p->r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  p->status = status;
  if (!p->r) {
    free(p);
    return NULL;
  }
  add_fixed_headers(p->r);
  bool ok = !ctype || MHD_add_response_header(p->r, "Content-Type", ctype) == MHD_YES;
  for (size_t i = 0; ok && i < nheaders; i++)
    ok = MHD_add_response_header(p->r, headers[i].name, headers[i].value) == MHD_YES;
  if (!ok) {
    hv_prepared_free(p);
    return NULL;
  }
  return p;
}

void hv_prepared_free(struct hv_prepared *p) {
  if (!p)
    return;
  MHD_destroy_response(p->r);
  free(p);
}

void hv_reply_prepared(struct hv_request *rq, const struct hv_prepared *p,
                       void (*release)(void *cls), void *cls) {
  hv_reply_shared(rq, p->status, NULL, "", 0, release, cls);
  rq->reply.prepared = p;
}

static enum MHD_Result queue_reply(struct hv_server *s, struct hv_request *rq) {
  (void)s;
  struct hv_reply *rp = &rq->reply;
  struct MHD_Response *r;
  enum MHD_Result ret;
  if (rp->prepared) {
    /* libmicrohttpd takes its own reference for this request */
    ret = MHD_queue_response(rq->conn, (unsigned)rp->status, rp->prepared->r);
    rq->queued = true;
    return ret;
  }
  if (rp->fd > 0) {
    /* libmicrohttpd closes the descriptor with the response: give it a copy */
    int fd = dup(rp->fd);
    r = fd >= 0 ? MHD_create_response_from_fd_at_offset64(rp->len, fd, 0) : NULL;
    if (!r && fd >= 0)
      close(fd);
  } else if (rp->owned) {
    r = MHD_create_response_from_buffer(rp->len, (void *)rp->body, MHD_RESPMEM_MUST_FREE);
    if (r)
      rp->owned = false; /* MHD frees it now */
  } else if (rp->release) {
    r = MHD_create_response_from_buffer_with_free_callback_cls(
        rp->len, (void *)rp->body, (MHD_ContentReaderFreeCallback)rp->release, rp->release_cls);
    if (r)
      rp->release = NULL; /* MHD calls it when the response is destroyed */
  } else {
    r = MHD_create_response_from_buffer(rp->len, (void *)rp->body, MHD_RESPMEM_PERSISTENT);
  }
  if (!r)
    return MHD_NO;
  add_security_headers(r, rq);
  if (rp->content_type)
    MHD_add_response_header(r, "Content-Type", rp->content_type);
  for (size_t i = 0; i < rp->nheaders; i++)
    MHD_add_response_header(r, rp->headers[i].name, rp->headers[i].value);
  if (rq->body_too_large || (rp->status == 400 && !rq->route))
    MHD_add_response_header(r, "Connection", "close");
  ret = MHD_queue_response(rq->conn, (unsigned)rp->status, r);
  MHD_destroy_response(r);
  rq->queued = true;
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls) {
  struct hv_server *s = cls;
  struct hv_request *rq = *req_cls;
  (void)url;
  (void)version;
  if (!rq)
    return MHD_NO;
  if (!rq->conn) {
    begin(s, rq, con, method);
    if (rq->reply.status == 413 || (rq->reply.status == 400 && !rq->route))
      return queue_reply(s, rq); /* refuse before reading the body */
    return MHD_YES;
  }
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    if (rq->reply.status || rq->queued) {
      /* Already refused (a chunked body ran past the cap): libmicrohttpd
       * 0.9.75 cannot answer before the body ends, so read and drop a
       * bounded amount more for a clean 413, then cut the connection. */
      rq->body_discarded += n;
      return rq->body_discarded > HV_DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (n > rq->body_cap - rq->body_len) {
      rq->body_too_large = true;
      rq->body_discarded = n;
      too_large(s, rq);
      return MHD_YES;
    }
    if (!rq->body) {
      /* Room for the announced length when there is one (uploads have
       * large caps and mostly small files); a chunked body gets the cap. */
      rq->body_room = rq->body_expected ? rq->body_expected : rq->body_cap;
      rq->body = hv_arena_alloc(rq->arena, rq->body_room + 1);
      if (!rq->body)
        return MHD_NO;
    }
    if (n > rq->body_room - rq->body_len)
      return MHD_NO; /* more than Content-Length said: libmicrohttpd does not let this happen */
    memcpy(rq->body + rq->body_len, upload, n);
    rq->body_len += n;
    rq->body[rq->body_len] = '\0';
    return MHD_YES;
  }
  if (rq->queued)
    return MHD_YES;
  if (!rq->reply.status)
    dispatch(s, rq);
  return queue_reply(s, rq);
}

static size_t status_slot(int status) {
  for (size_t i = 0; i + 1 < NSTATUS; i++)
    if (status_codes[i] == status)
      return i;
  return NSTATUS - 1;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
  struct hv_server *s = cls;
  struct hv_request *rq = *req_cls;
  (void)con;
  if (!rq)
    return;
  *req_cls = NULL;
  uint64_t dur_ns = hv_clock_mono_ns() - rq->start_ns;
  int status = rq->queued ? rq->reply.status : 0;
  size_t idx = s->nstats - 1;
  if (rq->route)
    idx = rq->route_index;
  struct route_stats *st = &s->stats[idx];
  atomic_fetch_add(&st->by_status[status_slot(status)], 1);
  double secs = (double)dur_ns / 1e9;
  size_t b = 0;
  while (b < NBUCKETS && secs > buckets[b])
    b++;
  atomic_fetch_add(&st->hist[b], 1);
  atomic_fetch_add(&st->sum_us, dur_ns / 1000);
  if (rq->method_name) {
    enum hv_log_level lvl = status >= 500 || status == 0 ? HV_LOG_WARN : HV_LOG_INFO;
    /* batched: one write(2) per request was the largest cost left in
     * serving a cached page after the network itself (bench/kyr.sh) */
    hv_log_batched(lvl, "request", HV_LS("request_id", rq->id), HV_LS("method", rq->method_name),
           HV_LS("route", rq->route ? rq->route->pattern : NULL), HV_LI("status", status),
           HV_LI("duration_us", dur_ns / 1000),
           HV_LS("outcome", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "ok" : "aborted"));
  }
  if (rq->reply.owned)
    free((void *)rq->reply.body);
  if (rq->reply.release)
    rq->reply.release(rq->reply.release_cls);
  hv_arena_free(rq->arena);
  free(rq);
  atomic_fetch_sub(&s->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  char msg[512];
  (void)cls;
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n')
    msg[--n] = '\0';
  hv_log(HV_LOG_WARN, "http", HV_LS("detail", msg));
}

int hv_server_start(const struct hv_config *cfg, const struct hv_router *router, void *app,
                    hv_auth_fn auth, struct hv_server **out, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  /* poll(), not epoll: libmicrohttpd 0.9.75's epoll loop can stall a
   * worker. When epoll_wait fills its 128-entry event array it calls
   * epoll_wait again with the full timeout (up to the idle timeout) before
   * handling the connections it was told about, so a worker whose ready
   * connections are an exact multiple of 128 sleeps while they wait. Seen
   * under bench/kyr.sh (256 keep-alive connections): with one worker 90
   * requests/s for whole runs, with two a 10-second run at 9,900 among
   * runs at 80,000-100,000 (bench/RESULTS.md). poll() has no such array;
   * it costs a scan of the worker's connections per call, which at our
   * connection limits is small next to a stall of seconds. */
  unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
  if (strchr(cfg->listen_host, ':')) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)cfg->listen_port);
    inet_pton(AF_INET6, cfg->listen_host, &a6->sin6_addr);
    flags |= MHD_USE_IPv6;
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)cfg->listen_port);
    inet_pton(AF_INET, cfg->listen_host, &a4->sin_addr);
  }
  signal(SIGPIPE, SIG_IGN); /* a client that hangs up must not kill the server */
  struct hv_server *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  s->cfg = cfg;
  s->router = router;
  s->app = app;
  s->auth = auth;
  s->nstats = hv_router_count(router) + 1;
  s->stats = calloc(s->nstats, sizeof(struct route_stats));
  unsigned char rnd[4];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(s->id_prefix, sizeof s->id_prefix, rnd, sizeof rnd);
  /* Origin of base_url: scheme://host[:port], without any path. */
  snprintf(s->origin, sizeof s->origin, "%s", cfg->base_url);
  char *slash = strchr(strstr(s->origin, "://") ? strstr(s->origin, "://") + 3 : s->origin, '/');
  if (slash)
    *slash = '\0';
  if (!s->stats) {
    free(s);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  s->d = MHD_start_daemon(
      flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
      on_mhd_log, s, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      /* behind a proxy every connection comes from the proxy: limit there */
      (unsigned)(cfg->trusted_proxy[0] ? 0 : cfg->per_ip_connections),
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->conn_memory, MHD_OPTION_STRICT_FOR_CLIENT,
      (int)1, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
      s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
  if (!s->d) {
    snprintf(err, errlen, "setting 'listen': cannot listen on %s:%u (in use, or not an address of this machine)",
             cfg->listen_host, cfg->listen_port);
    free(s->stats);
    free(s);
    return -1;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : cfg->listen_port;
  *out = s;
  return 0;
}

unsigned hv_server_port(const struct hv_server *s) { return s->port; }

void hv_server_stop(struct hv_server *s) {
  if (!s)
    return;
  MHD_socket fd = MHD_quiesce_daemon(s->d);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
  uint64_t deadline = hv_clock_mono_ns() + (uint64_t)s->cfg->shutdown_timeout * 1000000000u;
  while (atomic_load(&s->inflight) > 0 && hv_clock_mono_ns() < deadline) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  long left = atomic_load(&s->inflight);
  MHD_stop_daemon(s->d);
  hv_log_flush();
  hv_log(HV_LOG_INFO, "http stopped", HV_LI("unfinished_requests", left));
  free(s->stats);
  free(s);
}

int hv_server_metrics(const struct hv_server *s, struct hv_buf *out) {
  int rc = 0;
  rc |= hv_buf_adds(out, "# HELP haven_http_requests_total HTTP requests by route and status.\n"
                         "# TYPE haven_http_requests_total counter\n");
  for (size_t i = 0; i < s->nstats; i++) {
    const struct hv_route *rt = i + 1 < s->nstats ? hv_router_at(s->router, i) : NULL;
    const char *pat = rt ? rt->pattern : "unmatched";
    const char *m = rt ? hv_method_name(rt->method) : "any";
    for (size_t k = 0; k < NSTATUS; k++) {
      uint64_t v = atomic_load(&s->stats[i].by_status[k]);
      if (!v)
        continue;
      if (status_codes[k])
        rc |= hv_buf_printf(out, "haven_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                            m, pat, status_codes[k], (unsigned long long)v);
      else
        rc |= hv_buf_printf(out, "haven_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
                            m, pat, (unsigned long long)v);
    }
  }
  rc |= hv_buf_adds(out, "# HELP haven_http_request_duration_seconds Time from request line to "
                         "completion.\n# TYPE haven_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i < s->nstats; i++) {
    const struct hv_route *rt = i + 1 < s->nstats ? hv_router_at(s->router, i) : NULL;
    const char *pat = rt ? rt->pattern : "unmatched";
    const char *m = rt ? hv_method_name(rt->method) : "any";
    uint64_t cum = 0;
    uint64_t total = 0;
    for (size_t b = 0; b <= NBUCKETS; b++)
      total += atomic_load(&s->stats[i].hist[b]);
    if (!total)
      continue;
    for (size_t b = 0; b < NBUCKETS; b++) {
      cum += atomic_load(&s->stats[i].hist[b]);
      rc |= hv_buf_printf(out,
                          "haven_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
                          m, pat, buckets[b], (unsigned long long)cum);
    }
    rc |= hv_buf_printf(out,
                        "haven_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n"
                        "haven_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                        "haven_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                        m, pat, (unsigned long long)total, m, pat,
                        (double)atomic_load(&s->stats[i].sum_us) / 1e6, m, pat,
                        (unsigned long long)total);
  }
  rc |= hv_buf_printf(out, "# HELP haven_http_requests_in_flight Requests being handled now.\n"
                           "# TYPE haven_http_requests_in_flight gauge\nhaven_http_requests_in_flight %ld\n",
                      atomic_load(&s->inflight));
  return rc ? -1 : 0;
}
