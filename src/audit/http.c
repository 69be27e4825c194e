/* The audit log for people: GET /api/v1/audit and the /audit page, for
 * auditors and administrators, filtered by actor, action, object and time,
 * newest first, paged by sequence number. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "web/api.h"
#include "web/app.h"

#define PAGE 50

static struct hv_sql q_events = HV_SQL(
    "SELECT seq, at, actor, action, object_type, object_id, hash FROM audit_events "
    "WHERE (? = '' OR actor = ?) AND (? = '' OR action = ?) AND (? = '' OR object_type = ?) "
    "AND (? = '' OR object_id = ?) AND at >= ? AND at < ? AND seq < ? "
    "ORDER BY seq DESC LIMIT ?");

struct filter {
  const char *actor, *action, *object_type, *object_id, *from, *to;
  int64_t from_ms, to_ms, before, limit;
};

struct events {
  json_t *list;
  int64_t last;
};

static int event_row(void *cls, const struct hv_row *r) {
  struct events *e = cls;
  char when[64], iso[40];
  int64_t at = hv_row_int(r, 1);
  hv_time_format(at, when, sizeof when);
  hv_time_format_iso(at, iso, sizeof iso);
  e->last = hv_row_int(r, 0);
  json_array_append_new(e->list,
                        json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
                                  (json_int_t)e->last, "at", (json_int_t)at, "at_local", iso,
                                  "when", when, "actor", hv_row_text(r, 2), "action",
                                  hv_row_text(r, 3), "object_type", hv_row_text(r, 4),
                                  "object_id", hv_row_text(r, 5), "hash", hv_row_text(r, 6)));
  return 0;
}

struct query {
  struct filter *f;
  struct events *e;
};

static enum hv_qs events_tx(struct hv_conn *c, void *cls) {
  struct query *q = cls;
  struct filter *f = q->f;
  struct hv_param p[] = {HV_P_TEXT(f->actor),       HV_P_TEXT(f->actor),  HV_P_TEXT(f->action),
                         HV_P_TEXT(f->action),      HV_P_TEXT(f->object_type),
                         HV_P_TEXT(f->object_type), HV_P_TEXT(f->object_id),
                         HV_P_TEXT(f->object_id),   HV_P_INT(f->from_ms), HV_P_INT(f->to_ms),
                         HV_P_INT(f->before),       HV_P_INT(f->limit)};
  return hv_db_query(c, &q_events, p, 12, event_row, q->e);
}

/* Reads the filter from the query string; replies 400 and returns -1 when
 * a value is malformed. */
static int read_filter(struct hv_request *rq, struct filter *f) {
  const char *names[] = {"actor", "action", "object_type", "object_id"};
  const char **dst[] = {&f->actor, &f->action, &f->object_type, &f->object_id};
  for (int i = 0; i < 4; i++) {
    const char *v = hv_query(rq, names[i]);
    *dst[i] = v ? v : "";
    if (strlen(*dst[i]) > 200) {
      hv_reply_error(rq, 400, "invalid_length", "The filter is too long.", names[i]);
      return -1;
    }
  }
  f->from = hv_query(rq, "from");
  f->to = hv_query(rq, "to");
  f->from_ms = 0;
  f->to_ms = INT64_MAX;
  if (f->from && *f->from && hv_time_local_day_start(f->from, &f->from_ms)) {
    hv_reply_error(rq, 400, "invalid_value", "Write the date as YYYY-MM-DD.", "from");
    return -1;
  }
  if (f->to && *f->to) {
    if (hv_time_local_day_start(f->to, &f->to_ms)) {
      hv_reply_error(rq, 400, "invalid_value", "Write the date as YYYY-MM-DD.", "to");
      return -1;
    }
    f->to_ms += 36 * 3600 * 1000; /* then back to the next local midnight */
    char next[11];
    time_t t = (time_t)(f->to_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(next, sizeof next, "%Y-%m-%d", &tm);
    hv_time_local_day_start(next, &f->to_ms);
  }
  const char *before = hv_query(rq, "before");
  f->before = INT64_MAX;
  /* the unbounded ends of a range, as numbers the store accepts */
  if (before && *before && (hv_parse_i64(before, 1, INT64_MAX, &f->before))) {
    hv_reply_error(rq, 400, "invalid_value", "Not a sequence number.", "before");
    return -1;
  }
  f->limit = PAGE;
  return 0;
}

static json_t *run(struct hv_request *rq, struct filter *f, int64_t *last) {
  struct hv_app *app = rq->app;
  struct events e = {json_array(), 0};
  struct query q = {f, &e};
  enum hv_qs qs = hv_store_tx(app->store, false, events_tx, &q);
  if (qs < 0) {
    json_decref(e.list);
    hv_reply_store_error(rq, qs);
    return NULL;
  }
  *last = json_array_size(e.list) == PAGE ? e.last : 0;
  return e.list;
}

static void api_audit(struct hv_request *rq) {
  struct filter f;
  int64_t last;
  if (read_filter(rq, &f))
    return;
  json_t *list = run(rq, &f, &last);
  if (!list)
    return;
  hv_reply_json(rq, 200, json_pack("{s:o, s:o}", "events", list, "next_before",
                                   last ? json_integer(last) : json_null()));
}

static void page_audit(struct hv_request *rq) {
  struct filter f;
  int64_t last;
  if (read_filter(rq, &f))
    return;
  json_t *list = run(rq, &f, &last);
  if (!list)
    return;
  char *more = NULL;
  if (last)
    more = hv_arena_printf(rq->arena, "before=%lld&actor=%s&action=%s&object_type=%s&object_id=%s"
                           "&from=%s&to=%s",
                           (long long)last, hv_url_encode(rq->arena, f.actor),
                           hv_url_encode(rq->arena, f.action),
                           hv_url_encode(rq->arena, f.object_type),
                           hv_url_encode(rq->arena, f.object_id),
                           hv_url_encode(rq->arena, f.from ? f.from : ""),
                           hv_url_encode(rq->arena, f.to ? f.to : ""));
  hv_page(rq, 200, "audit", "Audit log — Haven",
          json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:b}", "events", list, "actor",
                    f.actor, "action", f.action, "object_type", f.object_type, "object_id",
                    f.object_id, "from", f.from ? f.from : "", "to", f.to ? f.to : "", "more",
                    more, "empty", json_array_size(list) == 0));
}

#define READERS (HV_ROLE_BIT(HV_ROLE_AUDITOR) | HV_ROLE_BIT(HV_ROLE_ADMIN))

const struct hv_route hv_audit_routes[] = {
    {HV_GET, "/api/v1/audit", READERS, HV_R_API, 0, api_audit},
    {HV_GET, "/audit", READERS, 0, 0, page_audit},
};
const size_t hv_audit_nroutes = sizeof hv_audit_routes / sizeof hv_audit_routes[0];
