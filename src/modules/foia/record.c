/* A FOIA request's full record for the City Attorney, as JSON and as a
 * printable page (no JavaScript; the print stylesheet of app.css):
 *
 *   GET /api/v1/foia/{id}/record
 *   GET /foia/{id}/record
 *
 * The request, its tracking numbers, timeline, deadlines with how each
 * was computed, documents with the exemptions cited (listed with their
 * download links, never embedded), the release summary and the request's
 * audit trail. Same permission as the request (HV_PERM_FOIA). */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "core/clock.h"
#include "core/timefmt.h"
#include "modules/foia/docstore.h"
#include "modules/foia/foia.h"
#include "modules/foia/model.h"
#include "web/api.h"
#include "web/app.h"

/* The record of request `id` (new reference), or NULL after replying. */
static json_t *record_view(struct hv_request *rq, int64_t id) {
  struct hv_app *app = rq->app;
  json_t *r = hv_foia_request_view(rq, id), *trail = NULL;
  if (!r)
    return NULL;
  if (hv_foia_audit_trail(app->store, id, &trail) < 0) {
    json_decref(r);
    hv_reply_store_error(rq, HV_QS_HARD);
    return NULL;
  }
  size_t i;
  json_t *x;
  json_array_foreach(trail, i, x) {
    char iso[40];
    hv_time_format_iso(json_integer_value(json_object_get(x, "at")), iso, sizeof iso);
    json_object_set_new(x, "at_iso", json_string(iso));
  }
  json_array_foreach(json_object_get(r, "documents"), i, x) {
    json_object_set_new(x, "download",
                        json_string(hv_arena_printf(
                            rq->arena, "/api/v1/foia/requests/%lld/documents/%lld", (long long)id,
                            (long long)json_integer_value(json_object_get(x, "id")))));
  }
  char now[40];
  hv_time_format_iso(hv_clock_wall_ms(), now, sizeof now);
  json_t *out =
      json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:o}", "generated_at", now, "generated_by",
                rq->principal->actor, "tracking_numbers", json_object_get(r, "tracking_numbers"),
                "timeline", json_object_get(r, "events"), "deadlines",
                json_object_get(r, "deadlines"), "documents", json_object_get(r, "documents"),
                "release_summary", json_object_get(r, "release_summary"), "audit_trail", trail);
  static const char *const moved[] = {"tracking_numbers", "events",          "deadlines",
                                      "documents",        "release_summary", "next_deadline"};
  for (size_t k = 0; k < sizeof moved / sizeof moved[0]; k++)
    json_object_del(r, moved[k]);
  json_object_set_new(out, "request", r);
  return out;
}

static void api_record(struct hv_request *rq) {
  json_t *v = record_view(rq, hv_param(rq, "id")->num);
  if (v)
    hv_reply_json(rq, 200, v);
}

static const char *label_of(const struct hv_foia_choice *t, size_t n, const char *code) {
  int i = hv_foia_choice_find(t, n, code);
  return i >= 0 ? t[i].label : (code ? code : "");
}

static void page_record(struct hv_request *rq) {
  int64_t id = hv_param(rq, "id")->num;
  json_t *v = record_view(rq, id);
  size_t i;
  json_t *x;
  if (!v)
    return;
  json_t *r = json_object_get(v, "request");
  json_object_set_new(r, "status_label",
                      json_string(label_of(hv_foia_statuses, HV_FST_MAX,
                                           json_string_value(json_object_get(r, "status")))));
  json_array_foreach(json_object_get(v, "deadlines"), i, x) hv_foia_decorate_deadline(x);
  json_array_foreach(json_object_get(v, "timeline"), i, x)
      json_object_set_new(x, "label",
                          json_string(label_of(hv_foia_event_types, HV_FEV_MAX,
                                               json_string_value(json_object_get(x, "type")))));
  json_array_foreach(json_object_get(v, "tracking_numbers"), i, x)
      json_object_set_new(x, "reason_label",
                          json_string(label_of(hv_foia_reasons, HV_FTR_MAX,
                                               json_string_value(json_object_get(x, "reason")))));
  json_array_foreach(json_object_get(v, "documents"), i, x) {
    json_object_set_new(
        x, "download",
        json_string(hv_arena_printf(rq->arena, "/foia/%lld/documents/%lld", (long long)id,
                                    (long long)json_integer_value(json_object_get(x, "id")))));
    json_object_set_new(x, "has_exemptions",
                        json_boolean(json_array_size(json_object_get(x, "exemptions")) > 0));
  }
  json_t *sum = json_object_get(v, "release_summary");
  json_object_set_new(sum, "has_exemptions",
                      json_boolean(json_array_size(json_object_get(sum, "exemptions")) > 0));
  static const char *const lists[] = {"tracking_numbers", "timeline", "documents", "audit_trail"};
  for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
    json_object_set_new(v, hv_arena_printf(rq->arena, "has_%s", lists[k]),
                        json_boolean(json_array_size(json_object_get(v, lists[k])) > 0));
  char printed[64];
  hv_time_format(hv_clock_wall_ms(), printed, sizeof printed);
  json_object_set_new(v, "printed", json_string(printed));
  hv_page(rq, 200, "foia_record",
          hv_arena_printf(rq->arena, "FOIA request %lld: full record — Haven", (long long)id), v);
}

#define FOIA HV_PERM_FOIA

const struct hv_route hv_foia_record_routes[] = {
    {HV_GET, "/api/v1/foia/{id:int}/record", FOIA, HV_R_API, 0, api_record},
    {HV_GET, "/foia/{id:int}/record", FOIA, 0, 0, page_record},
};
const size_t hv_foia_record_nroutes =
    sizeof hv_foia_record_routes / sizeof hv_foia_record_routes[0];
