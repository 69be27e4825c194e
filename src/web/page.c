/* Pages: templates inside the layout, and the error pages in the site's
 * design (installed as the http layer's error-page hook). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/policy.h"
#include "core/log.h"
#include "modules/accounts/accounts.h"
#include "modules/contractors/contractors.h"
#include "modules/foia/foia.h"
#include "modules/plans/plans.h"
#include "modules/incidents/attach.h"
#include "modules/incidents/incidents.h"
#include "modules/kyr/card.h"
#include "modules/kyr/directory.h"
#include "modules/kyr/kyr.h"
#include "modules/kyr/phone.h"
#include "modules/protocol/protocol.h"
#include "modules/registry/registry.h"
#include "modules/workgroup/workgroup.h"
#include "modules/training/training.h"
#include "web/app.h"

extern const struct hv_embed hv_templates[];

#define HV_PAGE_MAX (4u << 20)

int hv_app_init(struct hv_app *app, const struct hv_config *cfg, struct hv_store *store, char *err,
                size_t errlen) {
  memset(app, 0, sizeof *app);
  app->cfg = cfg;
  app->store = store;
  app->tpl = hv_tpl_set_new();
  if (!app->tpl) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (const struct hv_embed *e = hv_templates; e->name; e++) {
    char name[64];
    snprintf(name, sizeof name, "%s", e->name);
    char *dot = strrchr(name, '.');
    if (dot)
      *dot = '\0';
    if (hv_tpl_add(app->tpl, name, (const char *)e->data, e->len, err, errlen))
      return -1;
  }
  if (hv_assets_load(cfg->assets, &app->assets, err, errlen))
    return -1;
  if (!hv_assets_find(app->assets, "uswds/css/uswds.min.css")) {
    snprintf(err, errlen,
             "setting 'assets': %s has no uswds/css/uswds.min.css (run scripts/assets.sh)",
             cfg->assets);
    return -1;
  }
  return 0;
}

void hv_app_free(struct hv_app *app) {
  hv_kyr_print_shutdown(); /* the fonts printing loaded */
  hv_tpl_set_free(app->tpl);
  hv_assets_free(app->assets);
  app->tpl = NULL;
  app->assets = NULL;
}

/* The header's links: a flag in site.user for each, true when the signed-in
 * person's roles hold the permission of the pages it leads to
 * (web/templates/layout_head.html). */
static const struct {
  const char *key;
  unsigned perm;
} nav_links[] = {
    {"admin", HV_PERM_USERS_ADMIN},
    {"audit", HV_PERM_AUDIT_READ},
    {"incidents", HV_PERM_INCIDENT_READ},
    {"kyr_edit", HV_PERM_KYR_EDIT},
    {"kyr_console", HV_PERM_KYR_DISTRIBUTE},
    {"kyr_counts", HV_PERM_KYR_DASHBOARD},
    {"foia", HV_PERM_FOIA},
    {"workgroup", HV_PERM_WORKGROUP_READ},
    {"plans", HV_PERM_PLANS_READ},
    {"training", HV_PERM_TRAINING_READ},
    {"contracts", HV_PERM_CONTRACTS_READ},
};

static json_t *site_values(struct hv_request *rq, const char *title) {
  const struct hv_app *app = rq->app;
  const struct hv_principal *p = rq->principal;
  json_t *v =
      json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "name", "Haven", "static", app->assets->prefix,
                "demo", app->demo, "lang", "en", "dir", "ltr", "title", title ? title : "Haven");
  if (v && p && !rq->via_token) {
    json_t *user =
        json_pack("{s:s, s:s, s:s}", "name", p->name, "email", p->email, "csrf", p->csrf);
    for (size_t k = 0; user && k < sizeof nav_links / sizeof nav_links[0]; k++)
      json_object_set_new(user, nav_links[k].key,
                          json_boolean((p->roles & nav_links[k].perm) != 0));
    json_object_set_new(v, "user", user);
  }
  return v;
}

void hv_page(struct hv_request *rq, int status, const char *name, const char *title, json_t *ctx) {
  struct hv_app *app = rq->app;
  struct hv_buf b;
  if (!ctx)
    ctx = json_object();
  json_object_set_new(ctx, "site", site_values(rq, title));
  hv_buf_init(&b, HV_PAGE_MAX);
  int rc = hv_tpl_render(app->tpl, name, ctx, &b);
  json_decref(ctx);
  if (rc) {
    hv_buf_free(&b);
    hv_log(HV_LOG_ERROR, "template failed", HV_LS("template", name));
    static const char fallback[] = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                   "<title>Error</title></head><body><main><h1>Something went "
                                   "wrong on our side.</h1></main></body></html>\n";
    hv_reply_text(rq, 500, "text/html; charset=utf-8", fallback, sizeof fallback - 1, false);
    return;
  }
  size_t len;
  char *s = hv_buf_steal(&b, &len);
  hv_reply_text(rq, status, "text/html; charset=utf-8", s, len, true);
}

static void error_page(struct hv_request *rq, int status, const char *message) {
  json_t *ctx = json_pack("{s:i, s:s, s:s}", "status", status, "reason", hv_status_text(status),
                          "message", message ? message : "");
  char title[64];
  snprintf(title, sizeof title, "%d %s — Haven", status, hv_status_text(status));
  hv_page(rq, status, "error", title, ctx);
  if (rq->reply.status != status) /* the template failed: keep the real status */
    rq->reply.status = status;
}

int hv_app_routes(struct hv_router *r, char *err, size_t errlen) {
  hv_set_error_page(error_page);
  hv_set_webhook_auth(hv_auth_webhook);
  if (hv_router_add(r, hv_site_routes, hv_site_nroutes, err, errlen) ||
      hv_router_add(r, hv_accounts_routes, hv_accounts_nroutes, err, errlen) ||
      hv_router_add(r, hv_audit_routes, hv_audit_nroutes, err, errlen) ||
      hv_router_add(r, hv_registry_routes, hv_registry_nroutes, err, errlen) ||
      hv_router_add(r, hv_admin_routes, hv_admin_nroutes, err, errlen) ||
      hv_router_add(r, hv_incidents_routes, hv_incidents_nroutes, err, errlen) ||
      hv_router_add(r, hv_incident_pages, hv_incident_npages, err, errlen) ||
      hv_router_add(r, hv_attachment_routes, hv_attachment_nroutes, err, errlen) ||
      hv_router_add(r, hv_kyr_routes, hv_kyr_nroutes, err, errlen) ||
      hv_router_add(r, hv_kyr_directory_routes, hv_kyr_directory_nroutes, err, errlen) ||
      hv_router_add(r, hv_kyr_pages, hv_kyr_npages, err, errlen) ||
      hv_router_add(r, hv_kyr_staff_pages, hv_kyr_nstaff_pages, err, errlen) ||
      hv_router_add(r, hv_kyr_print_routes, hv_kyr_print_nroutes, err, errlen) ||
      hv_router_add(r, hv_kyr_phone_routes, hv_kyr_phone_nroutes, err, errlen) ||
      hv_router_add(r, hv_protocol_routes, hv_protocol_nroutes, err, errlen) ||
      hv_router_add(r, hv_foia_routes, hv_foia_nroutes, err, errlen) ||
      hv_router_add(r, hv_foia_request_routes, hv_foia_request_nroutes, err, errlen) ||
      hv_router_add(r, hv_foia_pages, hv_foia_npages, err, errlen) ||
      hv_router_add(r, hv_foia_document_routes, hv_foia_document_nroutes, err, errlen) ||
      hv_router_add(r, hv_foia_record_routes, hv_foia_record_nroutes, err, errlen) ||
      hv_router_add(r, hv_workgroup_routes, hv_workgroup_nroutes, err, errlen) ||
      hv_router_add(r, hv_workgroup_pages, hv_workgroup_npages, err, errlen) ||
      hv_router_add(r, hv_plans_routes, hv_plans_nroutes, err, errlen) ||
      hv_router_add(r, hv_plans_pages, hv_plans_npages, err, errlen) ||
      hv_router_add(r, hv_contracts_routes, hv_contracts_nroutes, err, errlen) ||
      hv_router_add(r, hv_contracts_pages, hv_contracts_npages, err, errlen) ||
      hv_router_add(r, hv_training_routes, hv_training_nroutes, err, errlen) ||
      hv_router_add(r, hv_protocol_doc_routes, hv_protocol_doc_nroutes, err, errlen))
    return -1;
  return 0;
}
