/* The application context every handler reaches through rq->app: the
 * configuration, the store, the compiled templates and the static assets,
 * all created once by `haven serve` and read-only afterwards. */
#ifndef HV_APP_H
#define HV_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "http/http.h"
#include "http/router.h"
#include "http/static.h"
#include "http/template.h"
#include "store/store.h"

struct hv_server;
struct hv_sender;
struct hv_smsq;

struct hv_app {
  const struct hv_config *cfg;  /* borrowed */
  struct hv_store *store;       /* owned by serve */
  struct hv_tpl_set *tpl;       /* owned */
  struct hv_assets *assets;     /* owned */
  struct hv_server *server;     /* set once listening */
  struct hv_sender *sender;     /* the notification sender (serve), or NULL */
  struct hv_smsq *smsq;         /* the 311 SMS queue (serve), or NULL */
  bool demo;                    /* the demo city is loaded: show the banner */
  int64_t started_ms;
};

/* Compiles the embedded templates and loads the assets. Returns 0, or -1
 * with a message. */
int hv_app_init(struct hv_app *app, const struct hv_config *cfg, struct hv_store *store, char *err,
                size_t errlen);
void hv_app_free(struct hv_app *app);

/* Adds every route table of the program to `r`. */
int hv_app_routes(struct hv_router *r, char *err, size_t errlen);

/* Renders page template `name` inside the site's layout with `ctx`
 * (stolen) and replies with `status`. The layout gets site-wide values
 * (asset prefix, demo banner, language and direction) under "site". */
void hv_page(struct hv_request *rq, int status, const char *name, const char *title, json_t *ctx);

/* The site's routes (home, health, metrics, static files). */
extern const struct hv_route hv_site_routes[];
extern const size_t hv_site_nroutes;

/* Reads the demo flag from the database's meta table. */
int hv_app_load_meta(struct hv_app *app);

#endif
