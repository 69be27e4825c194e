/* The HTTP server: libmicrohttpd, hardened (see reference/security.md),
 * feeding the router. Owns request lifetimes, body caps, security
 * headers, access logs and request metrics. */
#ifndef HV_SERVER_H
#define HV_SERVER_H

#include "core/buf.h"
#include "core/config.h"
#include "http/http.h"
#include "http/router.h"

struct hv_server;

/* Decides who is asking: returns the roles of the request's session or
 * API token (0: anonymous) and sets *csrf_ok when the request carries a
 * valid CSRF token for that session. Installed by the accounts module. */
typedef unsigned (*hv_auth_fn)(struct hv_request *rq, int *csrf_ok);

/* Starts listening as `cfg` says, dispatching through `router` (borrowed)
 * with `app` passed to handlers as rq->app. Returns 0 with *out set, or -1
 * with a message. */
int hv_server_start(const struct hv_config *cfg, const struct hv_router *router, void *app,
                    hv_auth_fn auth, struct hv_server **out, char *err, size_t errlen);

/* Stops accepting, waits up to cfg->shutdown_timeout seconds for requests
 * in flight, then stops. Frees the server. hv_server_stop(NULL) is a no-op. */
void hv_server_stop(struct hv_server *s);

/* The port actually bound (useful when the OS chose it). */
unsigned hv_server_port(const struct hv_server *s);

/* Appends the request metrics in Prometheus text format. */
int hv_server_metrics(const struct hv_server *s, struct hv_buf *out);

#endif
