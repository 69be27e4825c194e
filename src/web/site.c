/* The site's own routes: the home page, health and readiness, metrics and
 * the static assets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/embed.h"
#include "core/json.h"
#include "core/log.h"
#include "http/server.h"
#include "web/app.h"
#include "web/pagecache.h"

static struct hv_sql q_meta = HV_SQL("SELECT value FROM meta WHERE key = ?");
static struct hv_sql q_count_departments = HV_SQL("SELECT COUNT(*) FROM departments");

static int meta_row(void *cls, const struct hv_row *r) {
  const char *v = hv_row_text(r, 0);
  *(bool *)cls = v && strcmp(v, "1") == 0;
  return 1;
}

static enum hv_qs meta_tx(struct hv_conn *c, void *cls) {
  struct hv_param p[] = {HV_P_TEXT("demo")};
  return hv_db_query(c, &q_meta, p, 1, meta_row, cls);
}

int hv_app_load_meta(struct hv_app *app) {
  bool demo = false;
  if (hv_store_tx(app->store, false, meta_tx, &demo) < 0)
    return -1;
  app->demo = demo;
  return 0;
}

static enum hv_qs count_tx(struct hv_conn *c, void *cls) {
  return hv_db_int(c, &q_count_departments, NULL, 0, cls);
}

static void home(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int64_t departments = 0;
  if (hv_store_tx(app->store, false, count_tx, &departments) < 0) {
    hv_reply_error(rq, 500, "internal", "The database did not answer. Please try again shortly.", NULL);
    return;
  }
  hv_page(rq, 200, "home", "Haven — City of Los Angeles",
          json_pack("{s:I}", "departments", (json_int_t)departments));
}

static void healthz(struct hv_request *rq) {
  static const char ok[] = "{\"status\":\"ok\"}";
  hv_reply_text(rq, 200, "application/json; charset=utf-8", ok, sizeof ok - 1, false);
}

static void readyz(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  if (hv_store_ping(app->store)) {
    hv_reply_error(rq, 503, "not_ready", "The database is not reachable.", NULL);
    return;
  }
  static const char ok[] = "{\"status\":\"ready\"}";
  hv_reply_text(rq, 200, "application/json; charset=utf-8", ok, sizeof ok - 1, false);
}

static void metrics(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_buf b;
  hv_buf_init(&b, 4u << 20);
  int rc = hv_server_metrics(app->server, &b);
  rc |= hv_store_metrics(app->store, &b);
  rc |= hv_buf_printf(&b,
                      "# HELP haven_uptime_seconds Seconds since the server started.\n"
                      "# TYPE haven_uptime_seconds gauge\nhaven_uptime_seconds %lld\n",
                      (long long)((hv_clock_wall_ms() - app->started_ms) / 1000));
  uint64_t hits, misses;
  hv_pagecache_stats(&hits, &misses);
  rc |= hv_buf_printf(&b,
                      "# HELP haven_pagecache_lookups_total Public pages asked of the page cache.\n"
                      "# TYPE haven_pagecache_lookups_total counter\n"
                      "haven_pagecache_lookups_total{result=\"hit\"} %llu\n"
                      "haven_pagecache_lookups_total{result=\"miss\"} %llu\n",
                      (unsigned long long)hits, (unsigned long long)misses);
  if (rc) {
    hv_buf_free(&b);
    hv_reply_error(rq, 500, "internal", "Metrics could not be gathered.", NULL);
    return;
  }
  size_t len;
  char *s = hv_buf_steal(&b, &len);
  hv_reply_text(rq, 200, "text/plain; version=0.0.4; charset=utf-8", s, len, true);
}

/* Browsers post Content-Security-Policy violations here. A violation means
 * either an attack or a page of ours breaking the policy; either way staff
 * should see it, so it is logged (the directive and the blocked origin
 * only: report bodies can carry URLs with personal data). */
static void csp_report(struct hv_request *rq) {
  struct hv_jerr e;
  json_t *body = hv_json_parse_object(rq->body, rq->body_len, &e);
  if (!body) {
    hv_reply_error(rq, 400, e.code, e.message, NULL);
    return;
  }
  json_t *r = json_object_get(body, "csp-report");
  const char *directive = json_string_value(json_object_get(r, "violated-directive"));
  const char *blocked = json_string_value(json_object_get(r, "blocked-uri"));
  char origin[128] = "";
  if (blocked) {
    /* keep scheme://host[:port] only */
    const char *p = strstr(blocked, "://");
    size_t n = p ? strcspn(p + 3, "/?#") + (size_t)(p + 3 - blocked) : strcspn(blocked, "/?#:");
    snprintf(origin, sizeof origin, "%.*s", (int)(n < 127 ? n : 127), blocked);
  }
  hv_log(HV_LOG_WARN, "csp violation", HV_LS("request_id", rq->id),
         HV_LS("directive", directive ? directive : "?"), HV_LS("blocked", origin));
  json_decref(body);
  hv_reply_text(rq, 204, NULL, "", 0, false);
}

extern const struct hv_embed hv_docs[];

static void openapi(struct hv_request *rq) {
  const struct hv_embed *e = hv_embed_find(hv_docs, "openapi.json");
  hv_reply_text(rq, 200, "application/json; charset=utf-8", (const char *)e->data, e->len, false);
  rq->reply.no_store = false;
  hv_reply_header(rq, "Cache-Control", "public, max-age=300");
}

static void static_file(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  hv_static_serve(rq, app->assets, hv_param(rq, "hash")->str, hv_param(rq, "path")->str);
}

const struct hv_route hv_site_routes[] = {
    {HV_GET, "/", 0, HV_R_PUBLIC, 0, home},
    {HV_GET, "/healthz", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_API, 0, healthz},
    {HV_GET, "/readyz", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_API, 0, readyz},
    {HV_GET, "/metrics", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_LOOPBACK, 0, metrics},
    {HV_GET, "/static/{hash:slug}/{path:path}", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_CACHED, 0, static_file},
    {HV_GET, "/api/v1/openapi.json", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_API | HV_R_CACHED, 0, openapi},
    {HV_POST, "/api/v1/csp-report", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_API, 8192, csp_report},
};
const size_t hv_site_nroutes = sizeof hv_site_routes / sizeof hv_site_routes[0];
