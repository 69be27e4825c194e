/* Closures of the holiday calendars: the days closed by hand (migration
 * 0014). Writes append their audit event in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "modules/foia/foia.h"

static struct hv_sql q_days =
    HV_SQL("SELECT day, name FROM calendar_closures WHERE calendar = ? ORDER BY day LIMIT ?");
static struct hv_sql q_list = HV_SQL("SELECT day, name, created_at FROM calendar_closures "
                                     "WHERE calendar = ? ORDER BY day LIMIT ?");
static struct hv_sql q_count =
    HV_SQL("SELECT COUNT(*) FROM calendar_closures WHERE calendar = ?");
static struct hv_sql q_exists =
    HV_SQL("SELECT COUNT(*) FROM calendar_closures WHERE calendar = ? AND day = ?");
static struct hv_sql q_add = HV_SQL("INSERT INTO calendar_closures (calendar, day, name, "
                                    "created_by, created_at) VALUES (?, ?, ?, ?, ?)");
static struct hv_sql q_remove =
    HV_SQL("DELETE FROM calendar_closures WHERE calendar = ? AND day = ?");

static int day_row(void *cls, const struct hv_row *r) {
  struct hv_closures *c = cls;
  const char *day = hv_row_text(r, 0), *name = hv_row_text(r, 1);
  if (c->n >= HV_CLOSURES_MAX || !day || hv_day_parse(day, &c->items[c->n].day) != 0)
    return 0; /* a day outside the calculator's years counts for nothing */
  snprintf(c->names[c->n], sizeof c->names[c->n], "%s", name ? name : "");
  c->items[c->n].name = c->names[c->n];
  c->n++;
  return 0;
}

struct load_args {
  enum hv_calendar cal;
  struct hv_closures *out;
};

static enum hv_qs load_tx(struct hv_conn *c, void *cls) {
  struct load_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(hv_calendar_name(a->cal)), HV_P_INT(HV_CLOSURES_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_days, p, 2, day_row, a->out);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_closures_load(struct hv_store *s, enum hv_calendar c, struct hv_closures **out) {
  struct load_args a = {c, malloc(sizeof **out)};
  if (!a.out)
    return HV_QS_HARD;
  a.out->n = 0;
  enum hv_qs qs = hv_store_tx(s, false, load_tx, &a);
  if (qs < 0) {
    free(a.out);
    return qs;
  }
  *out = a.out;
  return HV_QS_ONE;
}

static int list_row(void *cls, const struct hv_row *r) {
  const char *day = hv_row_text(r, 0), *name = hv_row_text(r, 1);
  json_array_append_new(cls, json_pack("{s:s, s:s, s:I}", "date", day ? day : "", "name",
                                       name ? name : "", "created_at",
                                       (json_int_t)hv_row_int(r, 2)));
  return 0;
}

struct list_args {
  enum hv_calendar cal;
  json_t *items;
};

static enum hv_qs list_tx(struct hv_conn *c, void *cls) {
  struct list_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(hv_calendar_name(a->cal)), HV_P_INT(HV_CLOSURES_MAX)};
  enum hv_qs qs = hv_db_query(c, &q_list, p, 2, list_row, a->items);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_closures_list(struct hv_store *s, enum hv_calendar c, json_t **items) {
  struct list_args a = {c, json_array()};
  enum hv_qs qs = a.items ? hv_store_tx(s, false, list_tx, &a) : HV_QS_HARD;
  if (qs < 0) {
    json_decref(a.items);
    return qs;
  }
  *items = a.items;
  return HV_QS_ONE;
}

struct write_args {
  const struct hv_principal *by;
  enum hv_calendar cal;
  const char *date, *name;
};

static enum hv_qs audit(struct hv_conn *c, const struct write_args *w, const char *action) {
  char oid[48], change[512];
  snprintf(oid, sizeof oid, "%s/%s", hv_calendar_name(w->cal), w->date);
  snprintf(change, sizeof change, "%s", w->name ? w->name : "");
  struct hv_audit_event ev = {w->by->actor, action, "calendar_closure", oid, change,
                              strlen(change)};
  enum hv_qs qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

static enum hv_qs add_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  int64_t n = 0;
  struct hv_param k[] = {HV_P_TEXT(hv_calendar_name(w->cal)), HV_P_TEXT(w->date)};
  enum hv_qs qs = hv_db_int(c, &q_exists, k, 2, &n);
  if (qs < 0)
    return qs;
  if (n > 0)
    return HV_QS_CONFLICT;
  if ((qs = hv_db_int(c, &q_count, k, 1, &n)) < 0)
    return qs;
  if (n >= HV_CLOSURES_MAX)
    return HV_QS_CONFLICT;
  struct hv_param p[] = {HV_P_TEXT(hv_calendar_name(w->cal)), HV_P_TEXT(w->date),
                         HV_P_TEXT(w->name), HV_P_INT(w->by->user_id),
                         HV_P_INT(hv_clock_wall_ms())};
  if ((qs = hv_db_exec(c, &q_add, p, 5)) < 0)
    return qs;
  return audit(c, w, "calendar.closure.add");
}

enum hv_qs hv_closure_add(struct hv_store *s, const struct hv_principal *by, enum hv_calendar c,
                          const char *date, const char *name) {
  struct write_args w = {by, c, date, name};
  return hv_store_tx(s, true, add_tx, &w);
}

static enum hv_qs remove_tx(struct hv_conn *c, void *cls) {
  struct write_args *w = cls;
  struct hv_param k[] = {HV_P_TEXT(hv_calendar_name(w->cal)), HV_P_TEXT(w->date)};
  enum hv_qs qs = hv_db_exec(c, &q_remove, k, 2);
  if (qs <= 0)
    return qs;
  return audit(c, w, "calendar.closure.remove");
}

enum hv_qs hv_closure_remove(struct hv_store *s, const struct hv_principal *by,
                             enum hv_calendar c, const char *date) {
  struct write_args w = {by, c, date, NULL};
  return hv_store_tx(s, true, remove_tx, &w);
}
