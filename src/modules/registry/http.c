/* The City registry over HTTP: the JSON API (list with paging, get,
 * create, update) and the pages to browse, search and edit departments and
 * facilities. Liaisons edit only their own department's facilities; a
 * facility of another department answers 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/str.h"
#include "modules/registry/registry.h"
#include "web/api.h"
#include "web/app.h"

#define PER_PAGE 50
#define PER_PAGE_MAX 200

/* ?page=&per_page=; replies 400 and returns -1 on a bad value. */
static int paging(struct hv_request *rq, int64_t *page, int64_t *per) {
  const char *p = hv_query(rq, "page"), *n = hv_query(rq, "per_page");
  *page = 1;
  *per = PER_PAGE;
  if (p && *p && hv_parse_i64(p, 1, 1000000, page)) {
    hv_reply_error(rq, 400, "invalid_value", "page must be a number from 1.", "page");
    return -1;
  }
  if (n && *n && hv_parse_i64(n, 1, PER_PAGE_MAX, per)) {
    hv_reply_error(rq, 400, "invalid_value", "per_page must be from 1 to 200.", "per_page");
    return -1;
  }
  return 0;
}

static const char *search(struct hv_request *rq) {
  const char *q = hv_query(rq, "q");
  return q && strlen(q) <= 100 ? q : "";
}

static json_t *page_json(json_t *items, int64_t total, int64_t page, int64_t per) {
  return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
                   (json_int_t)page, "per_page", (json_int_t)per);
}

/* --- departments API ---------------------------------------------------- */

static void api_departments(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int64_t page, per, total;
  json_t *items;
  if (paging(rq, &page, &per))
    return;
  enum hv_qs qs = hv_departments_list(app->store, search(rq), (page - 1) * per, per, &items, &total);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_json(rq, 200, page_json(items, total, page, per));
}

static void api_department(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *d;
  enum hv_qs qs = hv_department_get(app->store, hv_param(rq, "id")->num, &d);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, d);
}

struct dept_body {
  const char *code, *name, *contact_email, *contact_phone;
};

static const struct hv_jfield dept_spec[] = {
    {"code", HV_J_STRING, false, offsetof(struct dept_body, code), 2, 16, 0, 0, NULL},
    {"name", HV_J_STRING, false, offsetof(struct dept_body, name), 2, 120, 0, 0, NULL},
    {"contact_email", HV_J_STRING, false, offsetof(struct dept_body, contact_email), 0, 254, 0, 0, NULL},
    {"contact_phone", HV_J_STRING, false, offsetof(struct dept_body, contact_phone), 0, 30, 0, 0, NULL},
};

static void api_department_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct dept_body b = {0};
  const char *field, *why;
  int64_t id;
  json_t *j = hv_api_body(rq, dept_spec, 4, &b);
  if (!j)
    return;
  struct hv_department d = {0, b.code, b.name, b.contact_email, b.contact_phone};
  if (!b.code || !b.name) {
    hv_reply_error(rq, 400, "missing_field", "code and name are required.", b.code ? "name" : "code");
  } else if ((why = hv_department_check(&d, &field))) {
    hv_reply_error(rq, 400, "invalid_value", why, field);
  } else {
    enum hv_qs qs = hv_department_create(app->store, rq->principal->actor, &d, &id);
    if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict", "A department already has this code.", "code");
    else if (qs <= 0)
      hv_reply_store_error(rq, qs);
    else {
      json_t *out;
      if (hv_department_get(app->store, id, &out) > 0)
        hv_reply_json(rq, 201, out);
      else
        hv_reply_store_error(rq, HV_QS_HARD);
    }
  }
  json_decref(j);
}

static const char *jstr(const json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static void api_department_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct dept_body b = {0};
  const char *field, *why;
  json_t *cur = NULL;
  int64_t id = hv_param(rq, "id")->num;
  json_t *j = hv_api_body(rq, dept_spec, 4, &b);
  if (!j)
    return;
  enum hv_qs qs = hv_department_get(app->store, id, &cur);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
    else
      hv_reply_store_error(rq, qs);
    goto out;
  }
  struct hv_department d = {id, b.code ? b.code : jstr(cur, "code"), b.name ? b.name : jstr(cur, "name"),
                            b.contact_email ? b.contact_email : jstr(cur, "contact_email"),
                            b.contact_phone ? b.contact_phone : jstr(cur, "contact_phone")};
  if ((why = hv_department_check(&d, &field))) {
    hv_reply_error(rq, 400, "invalid_value", why, field);
    goto out;
  }
  qs = hv_department_update(app->store, rq->principal->actor, &d);
  if (qs == HV_QS_CONFLICT) {
    hv_reply_error(rq, 409, "conflict", "A department already has this code.", "code");
    goto out;
  }
  if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    goto out;
  }
  json_t *out;
  if (hv_department_get(app->store, id, &out) > 0)
    hv_reply_json(rq, 200, out);
  else
    hv_reply_store_error(rq, HV_QS_HARD);
out:
  json_decref(cur);
  json_decref(j);
}

/* --- facilities API ------------------------------------------------------ */

static void api_facilities(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int64_t page, per, total, dept = 0;
  json_t *items;
  const char *d = hv_query(rq, "department_id");
  if (paging(rq, &page, &per))
    return;
  if (d && *d && hv_parse_i64(d, 1, INT64_MAX, &dept)) {
    hv_reply_error(rq, 400, "invalid_value", "department_id must be a number.", "department_id");
    return;
  }
  enum hv_qs qs = hv_facilities_list(app->store, dept, search(rq), (page - 1) * per, per, &items, &total);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_reply_json(rq, 200, page_json(items, total, page, per));
}

static void api_facility(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *f;
  enum hv_qs qs = hv_facility_get(app->store, hv_param(rq, "id")->num, 0, &f);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    hv_reply_json(rq, 200, f);
}

struct fac_body {
  int64_t department_id;
  const char *name, *address, *latitude, *longitude;
  int kind;
  const json_t *areas;
};

static const struct hv_jfield fac_spec[] = {
    {"department_id", HV_J_INT, false, offsetof(struct fac_body, department_id), 0, 0, 1, INT64_MAX, NULL},
    {"name", HV_J_STRING, false, offsetof(struct fac_body, name), 2, 160, 0, 0, NULL},
    {"address", HV_J_STRING, false, offsetof(struct fac_body, address), 5, 300, 0, 0, NULL},
    {"kind", HV_J_ENUM, false, offsetof(struct fac_body, kind), 0, 0, 0, 0, hv_facility_kinds},
    {"latitude", HV_J_STRING, false, offsetof(struct fac_body, latitude), 0, 20, 0, 0, NULL},
    {"longitude", HV_J_STRING, false, offsetof(struct fac_body, longitude), 0, 20, 0, 0, NULL},
    {"areas", HV_J_ARRAY, false, offsetof(struct fac_body, areas), 0, HV_AREAS_MAX, 0, 0, NULL},
};

/* Fills `f` from the body over `cur` (the stored facility, or NULL when
 * creating). Replies 400 and returns -1 on bad input. */
static int facility_from(struct hv_request *rq, const struct fac_body *b, const json_t *cur,
                         struct hv_facility *f) {
  const char *field, *why;
  memset(f, 0, sizeof *f);
  f->department_id = b->department_id ? b->department_id
                                      : (cur ? json_integer_value(json_object_get(cur, "department_id")) : 0);
  f->name = b->name ? b->name : (cur ? jstr(cur, "name") : NULL);
  f->address = b->address ? b->address : (cur ? jstr(cur, "address") : NULL);
  f->kind = b->kind >= 0 ? hv_facility_kinds[b->kind] : (cur ? jstr(cur, "kind") : NULL);
  const char *lat = b->latitude ? b->latitude : (cur ? jstr(cur, "latitude") : NULL);
  const char *lon = b->longitude ? b->longitude : (cur ? jstr(cur, "longitude") : NULL);
  if (!f->department_id || !f->name || !f->address || !f->kind) {
    hv_reply_error(rq, 400, "missing_field", "department_id, name, address and kind are required.",
                   !f->department_id ? "department_id" : !f->name ? "name" : !f->address ? "address" : "kind");
    return -1;
  }
  if ((lat && *lat) || (lon && *lon)) {
    if (!lat || hv_coord_parse(lat, 90, &f->lat_e6)) {
      hv_reply_error(rq, 400, "invalid_value", "latitude must be a decimal from -90 to 90.", "latitude");
      return -1;
    }
    if (!lon || hv_coord_parse(lon, 180, &f->lon_e6)) {
      hv_reply_error(rq, 400, "invalid_value", "longitude must be a decimal from -180 to 180.", "longitude");
      return -1;
    }
    f->has_coords = true;
  }
  const json_t *areas = b->areas ? b->areas : (cur ? json_object_get(cur, "areas") : NULL);
  size_t i;
  const json_t *a;
  json_array_foreach(areas, i, a) {
    const json_t *pub = json_object_get(a, "public");
    if (i >= HV_AREAS_MAX || !json_is_string(json_object_get(a, "name")) || !json_is_boolean(pub) ||
        json_object_size(a) != 2) {
      hv_reply_error(rq, 400, "invalid_value", "Each area is {\"name\": text, \"public\": true or false}.", "areas");
      return -1;
    }
    f->areas[i].name = jstr(a, "name");
    f->areas[i].is_public = json_is_true(pub);
    f->nareas = i + 1;
  }
  if ((why = hv_facility_check(f, &field))) {
    hv_reply_error(rq, 400, "invalid_value", why, field);
    return -1;
  }
  return 0;
}

static void api_facility_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct fac_body b = {0, NULL, NULL, NULL, NULL, -1, NULL};
  struct hv_facility f;
  int64_t id;
  json_t *j = hv_api_body(rq, fac_spec, 7, &b);
  if (!j)
    return;
  if (facility_from(rq, &b, NULL, &f))
    goto out;
  if (!hv_policy_in_scope(rq->principal, f.department_id)) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", "department_id");
    goto out;
  }
  enum hv_qs qs = hv_facility_create(app->store, rq->principal->actor, &f, &id);
  if (qs == HV_QS_CONFLICT) {
    hv_reply_error(rq, 409, "conflict",
                   "The department does not exist or already has a facility of this name.", "name");
    goto out;
  }
  if (qs <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    goto out;
  }
  json_t *o;
  if (hv_facility_get(app->store, id, 0, &o) > 0)
    hv_reply_json(rq, 201, o);
  else
    hv_reply_store_error(rq, HV_QS_HARD);
out:
  json_decref(j);
}

static void api_facility_update(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct fac_body b = {0, NULL, NULL, NULL, NULL, -1, NULL};
  struct hv_facility f;
  json_t *cur = NULL;
  int64_t id = hv_param(rq, "id")->num;
  int64_t scope = hv_policy_department(rq->principal);
  json_t *j = hv_api_body(rq, fac_spec, 7, &b);
  if (!j)
    return;
  enum hv_qs qs = scope < 0 ? HV_QS_NONE : hv_facility_get(app->store, id, scope, &cur);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
    else
      hv_reply_store_error(rq, qs);
    goto out;
  }
  if (facility_from(rq, &b, cur, &f))
    goto out;
  f.id = id;
  if (!hv_policy_in_scope(rq->principal, f.department_id)) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", "department_id");
    goto out;
  }
  qs = hv_facility_update(app->store, rq->principal->actor, &f, scope);
  if (qs == HV_QS_CONFLICT) {
    hv_reply_error(rq, 409, "conflict", "The department already has a facility of this name.", "name");
    goto out;
  }
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
    else
      hv_reply_store_error(rq, qs);
    goto out;
  }
  json_t *o;
  if (hv_facility_get(app->store, id, 0, &o) > 0)
    hv_reply_json(rq, 200, o);
  else
    hv_reply_store_error(rq, HV_QS_HARD);
out:
  json_decref(cur);
  json_decref(j);
}

/* --- pages --------------------------------------------------------------- */

static json_t *pager(struct hv_request *rq, const char *base, int64_t page, int64_t per,
                     int64_t total, const char *q) {
  int64_t pages = total ? (total + per - 1) / per : 1;
  const char *qe = hv_url_encode(rq->arena, q);
  json_t *o = json_pack("{s:I, s:I, s:I}", "page", (json_int_t)page, "pages", (json_int_t)pages,
                        "total", (json_int_t)total);
  if (page > 1)
    json_object_set_new(o, "prev", json_string(hv_arena_printf(rq->arena, "%s?q=%s&page=%lld", base,
                                                                qe, (long long)(page - 1))));
  if (page < pages)
    json_object_set_new(o, "next", json_string(hv_arena_printf(rq->arena, "%s?q=%s&page=%lld", base,
                                                                qe, (long long)(page + 1))));
  return o;
}

static void page_departments(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  int64_t page, per, total;
  json_t *items;
  if (paging(rq, &page, &per))
    return;
  const char *q = search(rq);
  enum hv_qs qs = hv_departments_list(app->store, q, (page - 1) * per, per, &items, &total);
  if (qs < 0) {
    hv_reply_store_error(rq, qs);
    return;
  }
  hv_page(rq, 200, "registry_departments", "City registry — Haven",
          json_pack("{s:o, s:s, s:o, s:b}", "departments", items, "q", q, "pager",
                    pager(rq, "/registry", page, per, total, q), "can_edit",
                    (rq->roles & HV_PERM_DEPARTMENTS_EDIT) != 0));
}

static bool can_edit_facilities_of(struct hv_request *rq, int64_t dept) {
  return (rq->roles & HV_PERM_FACILITIES_EDIT) && hv_policy_in_scope(rq->principal, dept);
}

static void department_page(struct hv_request *rq, int status, int64_t id, const char *error,
                            const char *field, bool saved) {
  struct hv_app *app = rq->app;
  json_t *d, *facilities;
  int64_t total;
  enum hv_qs qs = hv_department_get(app->store, id, &d);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
    return;
  }
  if (qs < 0 || hv_facilities_list(app->store, id, "", 0, PER_PAGE_MAX, &facilities, &total) < 0) {
    if (qs > 0)
      json_decref(d);
    hv_reply_store_error(rq, HV_QS_HARD);
    return;
  }
  const char *title = hv_arena_printf(rq->arena, "%s — Haven", jstr(d, "name"));
  hv_page(rq, status, "registry_department", title,
          json_pack("{s:o, s:o, s:b, s:b, s:s?, s:s?, s:b}", "department", d, "facilities",
                    facilities, "can_edit", (rq->roles & HV_PERM_DEPARTMENTS_EDIT) != 0,
                    "can_add_facility", can_edit_facilities_of(rq, id), "error", error,
                    "error_field", field, "saved", saved));
}

static void page_department(struct hv_request *rq) {
  department_page(rq, 200, hv_param(rq, "id")->num, NULL, NULL, false);
}

static void page_department_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  const char *field, *why;
  int64_t id = hv_param(rq, "id")->num;
  if (hv_form_body(rq, &form))
    return;
  struct hv_department d = {id, hv_form_get(&form, "code"), hv_form_get(&form, "name"),
                            hv_form_get(&form, "contact_email"), hv_form_get(&form, "contact_phone")};
  if ((why = hv_department_check(&d, &field))) {
    department_page(rq, 400, id, why, field, false);
    return;
  }
  enum hv_qs qs = hv_department_update(app->store, rq->principal->actor, &d);
  if (qs == HV_QS_NONE) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
    return;
  }
  if (qs == HV_QS_CONFLICT) {
    department_page(rq, 409, id, "Another department already has this code.", "code", false);
    return;
  }
  if (qs < 0) {
    department_page(rq, 503, id, "The database did not answer. Nothing was saved.", NULL, false);
    return;
  }
  department_page(rq, 200, id, NULL, NULL, true);
}

static json_t *kinds_json(const char *selected) {
  json_t *a = json_array();
  for (int i = 0; hv_facility_kinds[i]; i++)
    json_array_append_new(a, json_pack("{s:s, s:b}", "value", hv_facility_kinds[i], "selected",
                                       selected && strcmp(selected, hv_facility_kinds[i]) == 0));
  return a;
}

/* The facility page: view, and the edit form when in scope. `f` (stolen)
 * is the stored facility or what was posted. */
static void facility_page(struct hv_request *rq, int status, json_t *f, const char *error,
                          const char *field, bool saved, bool is_new) {
  int64_t dept = json_integer_value(json_object_get(f, "department_id"));
  json_t *areas = json_object_get(f, "areas");
  struct hv_buf b;
  hv_buf_init(&b, 8192);
  size_t i;
  json_t *a;
  json_array_foreach(areas, i, a) hv_buf_printf(&b, "%s%s:%s", i ? "; " : "", jstr(a, "name"),
                                                json_is_true(json_object_get(a, "public")) ? "public" : "non-public");
  const char *raw = jstr(f, "areas_text_raw"); /* what was typed, when re-showing a refused form */
  json_object_set_new(f, "areas_text", json_string(raw ? raw : b.data ? b.data : ""));
  hv_buf_free(&b);
  const char *title = is_new ? "New facility — Haven"
                             : hv_arena_printf(rq->arena, "%s — Haven", jstr(f, "name") ? jstr(f, "name") : "Facility");
  hv_page(rq, status, "registry_facility", title,
          json_pack("{s:o, s:o, s:b, s:s?, s:s?, s:b, s:b}", "facility", f, "kinds",
                    kinds_json(jstr(f, "kind")), "can_edit", can_edit_facilities_of(rq, dept),
                    "error", error, "error_field", field, "saved", saved, "is_new", is_new));
}

static void page_facility(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  json_t *f;
  enum hv_qs qs = hv_facility_get(app->store, hv_param(rq, "id")->num, 0, &f);
  if (qs == HV_QS_NONE)
    hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
  else if (qs < 0)
    hv_reply_store_error(rq, qs);
  else
    facility_page(rq, 200, f, NULL, NULL, false, false);
}

/* Reads the facility form; on a problem re-renders it with the message. */
static int facility_form(struct hv_request *rq, struct hv_form *form, struct hv_facility *f,
                         int64_t id, bool is_new) {
  const char *field = NULL, *why = NULL;
  const char *dept = hv_form_get(form, "department_id");
  memset(f, 0, sizeof *f);
  f->id = id;
  f->name = hv_form_get(form, "name");
  f->address = hv_form_get(form, "address");
  f->kind = hv_form_get(form, "kind");
  const char *lat = hv_form_get(form, "latitude"), *lon = hv_form_get(form, "longitude");
  char *areas = hv_arena_strdup(rq->arena, hv_form_get(form, "areas") ? hv_form_get(form, "areas") : "");
  if (!dept || hv_parse_i64(dept, 1, INT64_MAX, &f->department_id)) {
    why = "Choose a department.";
    field = "department_id";
  } else if ((lat && *lat) || (lon && *lon)) {
    if (!lat || hv_coord_parse(lat, 90, &f->lat_e6)) {
      why = "The latitude must be a decimal number from -90 to 90.";
      field = "latitude";
    } else if (!lon || hv_coord_parse(lon, 180, &f->lon_e6)) {
      why = "The longitude must be a decimal number from -180 to 180.";
      field = "longitude";
    }
    f->has_coords = true;
  }
  if (!why && areas && hv_areas_parse(areas, f, &why))
    field = "areas";
  if (!why)
    why = hv_facility_check(f, &field);
  if (!why && !hv_policy_in_scope(rq->principal, f->department_id)) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
    return -1;
  }
  if (why) {
    json_t *echo = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:[]}", "id", (json_int_t)id,
                             "department_id", (json_int_t)f->department_id, "name",
                             f->name ? f->name : "", "address", f->address ? f->address : "",
                             "kind", f->kind ? f->kind : "", "latitude", lat ? lat : "",
                             "longitude", lon ? lon : "", "areas");
    json_object_set_new(echo, "areas_text_raw", json_string(hv_form_get(form, "areas") ? hv_form_get(form, "areas") : ""));
    facility_page(rq, 400, echo, why, field, false, is_new);
    return -1;
  }
  return 0;
}

static void page_facility_post(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_facility f;
  int64_t id = hv_param(rq, "id")->num;
  int64_t scope = hv_policy_department(rq->principal);
  json_t *cur;
  if (hv_form_body(rq, &form))
    return;
  enum hv_qs qs = scope < 0 ? HV_QS_NONE : hv_facility_get(app->store, id, scope, &cur);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  json_decref(cur);
  if (facility_form(rq, &form, &f, id, false))
    return;
  qs = hv_facility_update(app->store, rq->principal->actor, &f, scope);
  if (qs <= 0) {
    if (qs == HV_QS_NONE)
      hv_reply_error(rq, 404, "not_found", "There is no such facility.", NULL);
    else if (qs == HV_QS_CONFLICT)
      hv_reply_error(rq, 409, "conflict", "The department already has a facility of this name.", NULL);
    else
      hv_reply_store_error(rq, qs);
    return;
  }
  if (hv_facility_get(app->store, id, 0, &cur) > 0)
    facility_page(rq, 200, cur, NULL, NULL, true, false);
  else
    hv_reply_store_error(rq, HV_QS_HARD);
}

static void page_facility_new(struct hv_request *rq) {
  const char *d = hv_query(rq, "department_id");
  int64_t dept = 0;
  if (!d || hv_parse_i64(d, 1, INT64_MAX, &dept) || !hv_policy_in_scope(rq->principal, dept)) {
    hv_reply_error(rq, 404, "not_found", "There is no such department.", NULL);
    return;
  }
  facility_page(rq, 200,
                json_pack("{s:I, s:I, s:s, s:s, s:s, s:[]}", "id", (json_int_t)0, "department_id",
                          (json_int_t)dept, "name", "", "address", "", "kind", "office", "areas"),
                NULL, NULL, false, true);
}

static void page_facility_create(struct hv_request *rq) {
  struct hv_app *app = rq->app;
  struct hv_form form;
  struct hv_facility f;
  int64_t id;
  json_t *o;
  if (hv_form_body(rq, &form) || facility_form(rq, &form, &f, 0, true))
    return;
  enum hv_qs qs = hv_facility_create(app->store, rq->principal->actor, &f, &id);
  if (qs == HV_QS_CONFLICT) {
    hv_reply_error(rq, 409, "conflict", "The department already has a facility of this name.", NULL);
    return;
  }
  if (qs <= 0 || hv_facility_get(app->store, id, 0, &o) <= 0) {
    hv_reply_store_error(rq, qs < 0 ? qs : HV_QS_HARD);
    return;
  }
  const char *loc = hv_arena_printf(rq->arena, "/registry/facilities/%lld", (long long)id);
  json_decref(o);
  hv_reply_redirect(rq, 303, loc);
}

#define READ HV_PERM_REGISTRY_READ
#define DEPT_EDIT HV_PERM_DEPARTMENTS_EDIT
#define FAC_EDIT HV_PERM_FACILITIES_EDIT

const struct hv_route hv_registry_routes[] = {
    {HV_GET, "/api/v1/departments", READ, HV_R_API, 0, api_departments},
    {HV_POST, "/api/v1/departments", DEPT_EDIT, HV_R_API | HV_R_CSRF, 8192, api_department_create},
    {HV_GET, "/api/v1/departments/{id:int}", READ, HV_R_API, 0, api_department},
    {HV_PATCH, "/api/v1/departments/{id:int}", DEPT_EDIT, HV_R_API | HV_R_CSRF, 8192,
     api_department_update},
    {HV_GET, "/api/v1/facilities", READ, HV_R_API, 0, api_facilities},
    {HV_POST, "/api/v1/facilities", FAC_EDIT, HV_R_API | HV_R_CSRF, 32768, api_facility_create},
    {HV_GET, "/api/v1/facilities/{id:int}", READ, HV_R_API, 0, api_facility},
    {HV_PATCH, "/api/v1/facilities/{id:int}", FAC_EDIT, HV_R_API | HV_R_CSRF, 32768,
     api_facility_update},
    {HV_GET, "/registry", READ, 0, 0, page_departments},
    {HV_GET, "/registry/departments/{id:int}", READ, 0, 0, page_department},
    {HV_POST, "/registry/departments/{id:int}", DEPT_EDIT, HV_R_CSRF, 8192, page_department_post},
    {HV_GET, "/registry/facilities/new", FAC_EDIT, 0, 0, page_facility_new},
    {HV_POST, "/registry/facilities", FAC_EDIT, HV_R_CSRF, 32768, page_facility_create},
    {HV_GET, "/registry/facilities/{id:int}", READ, 0, 0, page_facility},
    {HV_POST, "/registry/facilities/{id:int}", FAC_EDIT, HV_R_CSRF, 32768, page_facility_post},
};
const size_t hv_registry_nroutes = sizeof hv_registry_routes / sizeof hv_registry_routes[0];
