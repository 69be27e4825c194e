/* Exports of a filtered list of reports, as CSV (RFC 4180, formulas
 * neutralised) or JSON (an array of flat objects). The columns are data:
 * one table, each column naming the roles that may see it (src/auth/
 * policy.h: HV_PERM_INCIDENT_EXPORT for the facts, ..._CONTENT for the
 * free text), so a role's export is built from its allowlist and nothing
 * else. Pure: the caller brings the rows and the bounded buffer. */
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "core/csv.h"
#include "core/timefmt.h"
#include "modules/incidents/incidents.h"

enum source { TOP, DATA, ALERT };

struct column {
  const char *name; /* header and JSON key */
  enum source src;
  const char *key; /* in the source object; NULL: same as name */
  bool time;       /* UTC ms shown as ISO 8601 in the city's zone */
  unsigned roles;
};

#define FACTS HV_PERM_INCIDENT_EXPORT
#define CONTENT HV_PERM_INCIDENT_EXPORT_CONTENT

static const struct column columns[] = {
    {"ref", TOP, NULL, false, FACTS},
    {"id", TOP, NULL, false, FACTS},
    {"department", TOP, "department_code", false, FACTS},
    {"facility_id", TOP, NULL, false, FACTS},
    {"facility", TOP, NULL, false, FACTS},
    {"area", DATA, NULL, false, FACTS},
    {"status", TOP, NULL, false, FACTS},
    {"version", TOP, NULL, false, FACTS},
    {"from_alert", TOP, NULL, false, FACTS},
    {"started_at", TOP, NULL, true, FACTS},
    {"ended_at", TOP, NULL, true, FACTS},
    {"reported_at", TOP, NULL, true, FACTS},
    {"submitted_at", TOP, NULL, true, FACTS},
    {"minutes_to_report", TOP, NULL, false, FACTS},
    {"filed_by", TOP, "filed_by_name", false, FACTS},
    {"agencies", TOP, NULL, false, FACTS},
    {"agents_count", DATA, NULL, false, FACTS},
    {"vehicles_count", DATA, NULL, false, FACTS},
    {"appearance", DATA, NULL, false, FACTS},
    {"document_type", TOP, NULL, false, FACTS},
    {"document_copy", DATA, NULL, false, FACTS},
    {"access", TOP, NULL, false, FACTS},
    {"staging", DATA, NULL, false, FACTS},
    {"detained_count", DATA, NULL, false, FACTS},
    {"questioned_count", DATA, NULL, false, FACTS},
    {"services_disrupted", DATA, NULL, false, FACTS},
    {"disruption_minutes", DATA, NULL, false, FACTS},
    {"lapd_present", DATA, NULL, false, FACTS},
    {"lapd_bwc", DATA, NULL, false, FACTS},
    {"contractor_involved", DATA, NULL, false, FACTS},
    {"notifications", DATA, NULL, false, FACTS},
    {"confidence", TOP, NULL, false, FACTS},
    {"refer_legal", TOP, NULL, false, FACTS},
    {"refer_workgroup", TOP, NULL, false, FACTS},
    {"names_badges", DATA, NULL, false, CONTENT},
    {"supervisor", DATA, NULL, false, CONTENT},
    {"plates", DATA, NULL, false, CONTENT},
    {"access_area", DATA, NULL, false, CONTENT},
    {"access_decided_by", DATA, NULL, false, CONTENT},
    {"staging_note", DATA, NULL, false, CONTENT},
    {"contractor_note", DATA, NULL, false, CONTENT},
    {"alert_note", ALERT, "note", false, CONTENT},
    {"narrative", DATA, NULL, false, CONTENT},
    {"verification_note", TOP, NULL, false, CONTENT},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static bool visible(const struct column *c, unsigned roles) { return (c->roles & roles) != 0; }

/* The column's value in a report, or NULL when absent. */
static const json_t *value(const struct column *c, const json_t *inc) {
  const json_t *src = c->src == TOP    ? inc
                      : c->src == DATA ? json_object_get(inc, "data")
                                       : json_object_get(inc, "alert");
  const json_t *v = json_object_get(src, c->key ? c->key : c->name);
  return v && !json_is_null(v) ? v : NULL;
}

static void iso(const json_t *v, char out[40]) {
  out[0] = '\0';
  if (json_is_integer(v))
    hv_time_format_iso(json_integer_value(v), out, 40);
}

/* A value as one CSV cell: lists joined with "; ", yes/no for booleans. */
static int csv_value(struct hv_buf *b, const struct column *c, const json_t *v) {
  char tmp[64];
  if (!v)
    return hv_csv_cell(b, "", 0);
  if (c->time) {
    iso(v, tmp);
    return hv_csv_cell(b, tmp, strlen(tmp));
  }
  if (json_is_string(v))
    return hv_csv_cell(b, json_string_value(v), json_string_length(v));
  if (json_is_integer(v)) {
    snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
    return hv_csv_cell(b, tmp, strlen(tmp));
  }
  if (json_is_boolean(v))
    return hv_csv_cell(b, json_is_true(v) ? "yes" : "no", json_is_true(v) ? 3 : 2);
  if (json_is_array(v)) {
    /* joined first, then written as one cell, so it is neutralised as a whole */
    struct hv_buf j;
    size_t i;
    json_t *item;
    int rc = 0;
    hv_buf_init(&j, b->max);
    json_array_foreach(v, i, item) {
      if (i)
        rc |= hv_buf_adds(&j, "; ");
      if (json_is_string(item))
        rc |= hv_buf_adds(&j, json_string_value(item));
      else if (json_is_object(item)) /* notifications: who and when */
        rc |= hv_buf_printf(&j, "%s %s", json_string_value(json_object_get(item, "who")) ?: "",
                            json_string_value(json_object_get(item, "at")) ?: "");
    }
    rc |= hv_csv_cell(b, j.data ? j.data : "", j.len);
    hv_buf_free(&j);
    return rc ? -1 : 0;
  }
  return hv_csv_cell(b, "", 0);
}

static int dump_cb(const char *buf, size_t size, void *data) { return hv_buf_add(data, buf, size); }

int hv_export_begin(struct hv_export *x, enum hv_export_format format, unsigned roles,
                    struct hv_buf *out) {
  x->format = format;
  x->roles = roles;
  x->rows = 0;
  x->out = out;
  if (format == HV_EXPORT_JSON)
    return hv_buf_addc(out, '[');
  int rc = hv_buf_adds(out, "\xEF\xBB\xBF"); /* so spreadsheets read UTF-8 */
  bool first = true;
  for (size_t i = 0; i < NCOLUMNS; i++) {
    if (!visible(&columns[i], roles))
      continue;
    if (!first)
      rc |= hv_buf_addc(out, ',');
    rc |= hv_csv_cell(out, columns[i].name, strlen(columns[i].name));
    first = false;
  }
  rc |= hv_csv_row_end(out);
  return rc ? -1 : 0;
}

int hv_export_row(struct hv_export *x, const json_t *inc) {
  int rc = 0;
  if (x->format == HV_EXPORT_CSV) {
    bool first = true;
    for (size_t i = 0; i < NCOLUMNS && !rc; i++) {
      if (!visible(&columns[i], x->roles))
        continue;
      if (!first)
        rc |= hv_buf_addc(x->out, ',');
      rc |= csv_value(x->out, &columns[i], value(&columns[i], inc));
      first = false;
    }
    rc |= hv_csv_row_end(x->out);
  } else {
    json_t *o = json_object();
    for (size_t i = 0; i < NCOLUMNS; i++) {
      const struct column *c = &columns[i];
      if (!visible(c, x->roles))
        continue;
      const json_t *v = value(c, inc);
      char tmp[40];
      if (c->time && v) {
        iso(v, tmp);
        json_object_set_new(o, c->name, json_string(tmp));
      } else {
        json_object_set_new(o, c->name, v ? json_deep_copy(v) : json_null());
      }
    }
    if (x->rows)
      rc |= hv_buf_addc(x->out, ',');
    rc |= hv_buf_addc(x->out, '\n');
    rc |= json_dump_callback(o, dump_cb, x->out, JSON_COMPACT | JSON_PRESERVE_ORDER) ? -1 : 0;
    json_decref(o);
  }
  if (!rc)
    x->rows++;
  return rc ? -1 : 0;
}

int hv_export_end(struct hv_export *x) {
  if (x->format == HV_EXPORT_JSON)
    return hv_buf_adds(x->out, x->rows ? "\n]\n" : "]\n");
  return 0;
}

json_t *hv_export_columns(unsigned roles) {
  json_t *a = json_array();
  for (size_t i = 0; i < NCOLUMNS; i++)
    if (visible(&columns[i], roles))
      json_array_append_new(a, json_string(columns[i].name));
  return a;
}
