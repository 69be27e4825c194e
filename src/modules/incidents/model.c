/* Incident reports: fields, choices, validation, statuses. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "http/form.h"
#include "modules/incidents/incidents.h"
#include "modules/incidents/redact.h"

/* --- choices (reference/directive.md, "An incident report") ----------- */

static const struct hv_choice happening[] = {
    {"agents_present", "Federal agents are here"},
    {"entry_requested", "Agents ask to enter a non-public area"},
    {"detention", "Someone is being detained or questioned"},
    {"staging", "Agents are staging or parking on City property"},
    {"agents_left", "Agents have left"},
    {"other", "Something else"},
    {NULL, NULL}};
static const struct hv_choice agency[] = {
    {"ice_ero", "ICE Enforcement and Removal Operations (ERO)"},
    {"ice_hsi", "ICE Homeland Security Investigations (HSI)"},
    {"cbp", "Customs and Border Protection (CBP)"},
    {"border_patrol", "Border Patrol"},
    {"other_federal", "Other federal agency"},
    {"unknown", "Unknown"},
    {NULL, NULL}};
static const struct hv_choice appearance[] = {{"uniform_marked", "Uniforms with agency markings"},
                                              {"plain_clothes", "Plain clothes"},
                                              {"tactical", "Tactical gear"},
                                              {"face_covered", "Faces covered"},
                                              {"id_visible", "Visible identification"},
                                              {"no_id", "No visible identification"},
                                              {NULL, NULL}};
static const struct hv_choice document[] = {
    {"none", "No document shown"},
    {"judicial_warrant", "Judicial warrant (signed by a judge)"},
    {"admin_i200", "Administrative warrant, Form I-200"},
    {"admin_i205", "Administrative warrant, Form I-205"},
    {"subpoena", "Subpoena"},
    {"notice_of_inspection", "Notice of inspection"},
    {"other", "Other document"},
    {"unknown", "Unknown"},
    {NULL, NULL}};
static const struct hv_choice access[] = {
    {"not_requested", "No access to non-public areas was asked for"},
    {"refused", "Access was refused"},
    {"granted", "Access was granted"},
    {"entered_without_consent", "Agents entered without consent"},
    {NULL, NULL}};
static const struct hv_choice bwc[] = {
    {"yes", "Yes"}, {"no", "No"}, {"unknown", "Unknown"}, {NULL, NULL}};
static const struct hv_choice notified[] = {{"supervisor", "Supervisor"},
                                            {"liaison", "Immigrant Affairs Liaison"},
                                            {"moia", "Mayor's Office of Immigrant Affairs"},
                                            {"city_attorney", "City Attorney"},
                                            {"lapd", "LAPD"},
                                            {"other", "Other"},
                                            {NULL, NULL}};
static const struct hv_choice status[] = {{"draft", "Draft"},
                                          {"submitted", "Submitted"},
                                          {"in_review", "In review"},
                                          {"needs_info", "Needs information"},
                                          {"verified", "Verified"},
                                          {"closed", "Closed"},
                                          {NULL, NULL}};
static const struct hv_choice confidence[] = {{"confirmed", "Confirmed"},
                                              {"probable", "Probable"},
                                              {"unverified", "Unverified"},
                                              {NULL, NULL}};

static const struct hv_choice *const lists[HV_CH_MAX] = {
    happening, agency, appearance, document, access, bwc, notified, status, confidence};

const struct hv_choice *hv_choices(enum hv_choice_list l) {
  return l < HV_CH_MAX ? lists[l] : NULL;
}

const char *hv_choice_label(enum hv_choice_list l, const char *code) {
  if (!code || l >= HV_CH_MAX)
    return NULL;
  for (const struct hv_choice *c = lists[l]; c->code; c++)
    if (strcmp(c->code, code) == 0)
      return c->label;
  return NULL;
}

const char *hv_status_code(enum hv_status s) { return s < HV_ST_MAX ? status[s].code : "?"; }

int hv_status_parse(const char *code) {
  for (int i = 0; i < HV_ST_MAX; i++)
    if (code && strcmp(code, status[i].code) == 0)
      return i;
  return -1;
}

/* --- the declared fields ----------------------------------------------- */

enum ftype { F_INT, F_BOOL, F_TEXT, F_CHOICE, F_CHOICES, F_DATETIME, F_NOTIFICATIONS };

struct field {
  const char *name;
  enum ftype type;
  int64_t min, max; /* counts, or text length in characters */
  enum hv_choice_list list;
  bool required; /* to submit */
  bool redact;   /* free text: scanned before saving */
  const char *label;
  const char *hint;
};

static const struct field report_fields[] = {
    {"facility_id", F_INT, 1, INT64_MAX, 0, true, false, "Facility", NULL},
    {"area", F_TEXT, 1, 80, 0, false, false, "Area of the facility",
     "Its name as listed in the registry"},
    {"started_at", F_DATETIME, 0, 0, 0, true, false, "When it started",
     "City time, for example 2026-11-26T09:30"},
    {"ended_at", F_DATETIME, 0, 0, 0, false, false, "When it ended",
     "Leave empty if it is still going on"},
    {"agencies", F_CHOICES, 1, 6, HV_CH_AGENCY, true, false, "Agencies present", NULL},
    {"agents_count", F_INT, 0, 500, 0, true, false, "Number of agents", NULL},
    {"vehicles_count", F_INT, 0, 200, 0, false, false, "Number of vehicles", NULL},
    {"appearance", F_CHOICES, 0, 6, HV_CH_APPEARANCE, false, false, "How the agents appeared",
     NULL},
    {"names_badges", F_TEXT, 0, 1000, 0, false, true, "Names and badge numbers shown", NULL},
    {"supervisor", F_TEXT, 0, 200, 0, false, true, "Supervising officer: name and badge number",
     NULL},
    {"plates", F_TEXT, 0, 500, 0, false, true, "Vehicle plates", NULL},
    {"document_type", F_CHOICE, 0, 0, HV_CH_DOCUMENT, true, false, "Document presented", NULL},
    {"document_copy", F_BOOL, 0, 0, 0, false, false, "A copy or photo of the document was kept",
     NULL},
    {"access", F_CHOICE, 0, 0, HV_CH_ACCESS, true, false, "Access to non-public areas", NULL},
    {"access_area", F_TEXT, 0, 200, 0, false, true, "Which area access was asked for", NULL},
    {"access_decided_by", F_TEXT, 0, 100, 0, false, true, "Who decided (staff role, not a name)",
     NULL},
    {"staging", F_BOOL, 0, 0, 0, false, false,
     "Agents staged, parked or processed people on City property", NULL},
    {"staging_note", F_TEXT, 0, 500, 0, false, true, "About the staging", NULL},
    {"detained_count", F_INT, 0, 1000, 0, false, false, "People detained (a count only)", NULL},
    {"questioned_count", F_INT, 0, 1000, 0, false, false, "People questioned (a count only)", NULL},
    {"services_disrupted", F_BOOL, 0, 0, 0, false, false, "City services were disrupted", NULL},
    {"disruption_minutes", F_INT, 0, 100000, 0, false, false, "For how many minutes", NULL},
    {"lapd_present", F_BOOL, 0, 0, 0, false, false, "LAPD was present", NULL},
    {"lapd_bwc", F_CHOICE, 0, 0, HV_CH_BWC, false, false, "LAPD body-worn cameras were on", NULL},
    {"contractor_involved", F_BOOL, 0, 0, 0, false, false, "Contractor staff were involved", NULL},
    {"contractor_note", F_TEXT, 0, 500, 0, false, true, "About the contractor", NULL},
    {"notifications", F_NOTIFICATIONS, 0, 12, HV_CH_NOTIFIED, false, false,
     "Who was told, and when", NULL},
    {"narrative", F_TEXT, 0, 20000, 0, true, true, "What happened",
     "Describe events, not people: never write anyone's name, immigration status, nationality or "
     "identifiers. Numbers and emails are removed automatically."},
};
#define NFIELDS (sizeof report_fields / sizeof report_fields[0])

static const struct field alert_fields[] = {
    {"facility_id", F_INT, 1, INT64_MAX, 0, true, false, "Facility", NULL},
    {"happening", F_CHOICE, 0, 0, HV_CH_HAPPENING, true, false, "What is happening now", NULL},
    {"agencies", F_CHOICES, 0, 6, HV_CH_AGENCY, false, false, "Agencies present", NULL},
    {"entry_requested", F_BOOL, 0, 0, 0, false, false,
     "Agents are asking to enter a non-public area", NULL},
    {"note", F_TEXT, 0, 500, 0, false, true, "Short note (optional)",
     "Describe what you see; do not write names or anyone's status."},
};
#define NALERT (sizeof alert_fields / sizeof alert_fields[0])

int hv_local_datetime(const char *s, int64_t *ms) {
  int y, mo, d, h, mi, sec = 0;
  char date[11];
  size_t n = s ? strlen(s) : 0;
  if (n != 16 && n != 19)
    return -1;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5 || s[10] != 'T' || s[13] != ':')
    return -1;
  if (n == 19 && (s[16] != ':' || sscanf(s + 17, "%2d", &sec) != 1))
    return -1;
  memcpy(date, s, 10);
  date[10] = '\0';
  if (!hv_date_valid(date) || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
    return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == (time_t)-1)
    return -1;
  *ms = (int64_t)t * 1000;
  return 0;
}

static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

#define FUTURE_SKEW_MS (5 * 60 * 1000)

static int check_fields(const json_t *obj, const struct field *fields, size_t nf, bool submitting,
                        int64_t now, hv_field_problem fn, void *cls) {
  int n = 0;
  char msg[200];
  const char *key;
  json_t *v;
#define BAD(f, ...) (snprintf(msg, sizeof msg, __VA_ARGS__), fn(cls, (f), msg), n++)
  if (!json_is_object(obj)) {
    fn(cls, NULL, "The report must be a JSON object.");
    return 1;
  }
  json_object_foreach((json_t *)obj, key, v) {
    size_t i;
    for (i = 0; i < nf && strcmp(fields[i].name, key) != 0; i++)
      ;
    if (i == nf)
      BAD(key, "Unknown field '%.60s'.", key);
  }
  for (size_t i = 0; i < nf; i++) {
    const struct field *f = &fields[i];
    v = json_object_get(obj, f->name);
    if (!v || json_is_null(v) ||
        (json_is_string(v) && json_string_length(v) == 0 && f->type == F_TEXT)) {
      if (submitting && f->required)
        BAD(f->name, "This is needed to submit the report.");
      continue;
    }
    switch (f->type) {
    case F_INT:
      if (!json_is_integer(v))
        BAD(f->name, "Enter a whole number.");
      else if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
        BAD(f->name, "Enter a number from %lld to %lld.", (long long)f->min, (long long)f->max);
      break;
    case F_BOOL:
      if (!json_is_boolean(v))
        BAD(f->name, "Answer yes or no.");
      break;
    case F_TEXT:
      if (!json_is_string(v) || !hv_utf8_valid(json_string_value(v), json_string_length(v)))
        BAD(f->name, "Enter text.");
      else if ((int64_t)chars(json_string_value(v)) > f->max)
        BAD(f->name, "Use at most %lld characters.", (long long)f->max);
      break;
    case F_CHOICE:
      if (!json_is_string(v) || !hv_choice_label(f->list, json_string_value(v)))
        BAD(f->name, "Choose one of the listed answers.");
      break;
    case F_CHOICES: {
      size_t k;
      json_t *item;
      if (!json_is_array(v) || (int64_t)json_array_size(v) > f->max) {
        BAD(f->name, "Choose from the listed answers.");
        break;
      }
      if (submitting && f->required && json_array_size(v) < (size_t)f->min)
        BAD(f->name, "This is needed to submit the report.");
      json_array_foreach(v, k, item) {
        bool dup = false;
        for (size_t j = 0; j < k; j++)
          dup |= json_equal(json_array_get(v, j), item);
        if (!json_is_string(item) || !hv_choice_label(f->list, json_string_value(item)) || dup) {
          BAD(f->name, "Choose each listed answer at most once.");
          break;
        }
      }
      break;
    }
    case F_DATETIME: {
      int64_t t;
      if (!json_is_string(v) || hv_local_datetime(json_string_value(v), &t))
        BAD(f->name, "Enter a date and time, for example 2026-11-26T09:30.");
      else if (t > now + FUTURE_SKEW_MS)
        BAD(f->name, "This time is in the future.");
      break;
    }
    case F_NOTIFICATIONS: {
      size_t k;
      json_t *item;
      if (!json_is_array(v) || (int64_t)json_array_size(v) > f->max) {
        BAD(f->name, "List at most %lld notifications.", (long long)f->max);
        break;
      }
      json_array_foreach(v, k, item) {
        int64_t t;
        const char *who = json_string_value(json_object_get(item, "who"));
        const char *at = json_string_value(json_object_get(item, "at"));
        if (!json_is_object(item) || json_object_size(item) != 2 ||
            !hv_choice_label(f->list, who) || !at || hv_local_datetime(at, &t) ||
            t > now + FUTURE_SKEW_MS) {
          BAD(f->name, "Each notification is who was told and when (not in the future).");
          break;
        }
      }
      break;
    }
    }
  }
  return n;
}

int hv_incident_check(const json_t *data, bool submitting, int64_t now, hv_field_problem fn,
                      void *cls) {
  int n = check_fields(data, report_fields, NFIELDS, submitting, now, fn, cls);
  int64_t start, end;
  const char *s = json_string_value(json_object_get(data, "started_at"));
  const char *e = json_string_value(json_object_get(data, "ended_at"));
  if (s && e && !hv_local_datetime(s, &start) && !hv_local_datetime(e, &end) && end < start) {
    fn(cls, "ended_at", "The end is before the start.");
    n++;
  }
  /* minutes of disruption only make sense when services were disrupted */
  json_t *mins = json_object_get(data, "disruption_minutes");
  if (json_is_integer(mins) && json_integer_value(mins) > 0 &&
      !json_is_true(json_object_get(data, "services_disrupted"))) {
    fn(cls, "disruption_minutes", "Say that services were disrupted, or leave the minutes empty.");
    n++;
  }
  return n;
}

int hv_alert_check(const json_t *alert, int64_t now, hv_field_problem fn, void *cls) {
  return check_fields(alert, alert_fields, NALERT, true, now, fn, cls);
}

static int redact_fields(json_t *obj, const struct field *fields, size_t nf, size_t *found,
                         json_t *flags) {
  struct hv_buf b;
  for (size_t i = 0; i < nf; i++) {
    if (!fields[i].redact)
      continue;
    json_t *v = json_object_get(obj, fields[i].name);
    if (!json_is_string(v))
      continue;
    struct hv_redaction r;
    hv_buf_init(&b, 256 * 1024);
    if (hv_redact(json_string_value(v), json_string_length(v), &b, &r)) {
      hv_buf_free(&b);
      return -1;
    }
    for (int k = 0; k < HV_PII_MAX; k++)
      *found += r.found[k];
    for (size_t w = 0; flags && w < r.nwords; w++)
      json_array_append_new(flags,
                            json_pack("{s:s, s:s}", "field", fields[i].name, "word", r.words[w]));
    json_object_set_new(obj, fields[i].name, json_string(b.data ? b.data : ""));
    hv_buf_free(&b);
  }
  return 0;
}

int hv_incident_redact(json_t *data, size_t *found, json_t *flags) {
  return redact_fields(data, report_fields, NFIELDS, found, flags);
}

int hv_alert_redact(json_t *alert, size_t *found, json_t *flags) {
  return redact_fields(alert, alert_fields, NALERT, found, flags);
}

json_t *hv_incident_diff(const json_t *before, const json_t *after) {
  json_t *out = json_array();
  for (size_t i = 0; i < NFIELDS; i++) {
    const char *f = report_fields[i].name;
    json_t *a = json_object_get(before, f), *b = json_object_get(after, f);
    if ((!a || json_is_null(a)) && (!b || json_is_null(b)))
      continue;
    if (a && b && json_equal(a, b))
      continue;
    json_array_append_new(out, json_pack("{s:s, s:O?, s:O?}", "field", f, "before", a, "after", b));
  }
  return out;
}

static json_t *value_text(const struct field *f, const json_t *v);

/* The form's fields for the page: one object per field with its label,
 * kind, value and choices, so the template needs no field names of its own. */
static json_t *form_fields(const json_t *data, const struct field *fields, size_t nf) {
  json_t *out = json_array();
  for (size_t i = 0; i < nf; i++) {
    const struct field *f = &fields[i];
    if (f->type == F_NOTIFICATIONS || strcmp(f->name, "facility_id") == 0)
      continue; /* notifications: API only for now; the facility has its own control */
    json_t *v = json_object_get(data, f->name);
    json_t *o = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name",
                          f->name, "label", f->label, "hint", f->hint, "required", f->required,
                          "is_text", f->type == F_TEXT && f->max <= 500, "is_textarea",
                          f->type == F_TEXT && f->max > 500, "is_int", f->type == F_INT, "is_bool",
                          f->type == F_BOOL, "is_choice", f->type == F_CHOICE, "is_choices",
                          f->type == F_CHOICES, "is_datetime", f->type == F_DATETIME);
    char num[32];
    if (json_is_string(v)) {
      json_object_set(o, "value", v);
    } else if (json_is_integer(v)) {
      snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
      json_object_set_new(o, "value", json_string(num));
    }
    if (v && !json_is_null(v) && !(json_is_string(v) && !json_string_length(v)) &&
        !(json_is_array(v) && !json_array_size(v)))
      json_object_set_new(o, "shown", value_text(f, v)); /* for the report's page */
    json_object_set_new(o, "yes", json_boolean(json_is_true(v)));
    json_object_set_new(o, "no", json_boolean(json_is_false(v)));
    if (f->type == F_CHOICE || f->type == F_CHOICES) {
      json_t *opts = json_array();
      for (const struct hv_choice *c = lists[f->list]; c->code; c++) {
        bool sel = json_is_string(v) && strcmp(json_string_value(v), c->code) == 0;
        size_t k;
        json_t *item;
        json_array_foreach(v, k, item) sel |=
            json_is_string(item) && strcmp(json_string_value(item), c->code) == 0;
        json_array_append_new(opts, json_pack("{s:s, s:s, s:s, s:b}", "field", f->name, "code",
                                              c->code, "label", c->label, "selected", sel));
      }
      json_object_set_new(o, "options", opts);
    }
    json_array_append_new(out, o);
  }
  return out;
}

json_t *hv_incident_form(const json_t *data) { return form_fields(data, report_fields, NFIELDS); }
json_t *hv_alert_form(const json_t *alert) { return form_fields(alert, alert_fields, NALERT); }

/* Builds a report or alert object from a submitted web form by the same
 * declared fields: numbers become integers, yes/no booleans, lists arrays.
 * Empty inputs are left out. Values are checked afterwards, like an API body. */
static json_t *from_form(const struct hv_form *form, const struct field *fields, size_t nf) {
  json_t *o = json_object();
  for (size_t i = 0; i < nf; i++) {
    const struct field *f = &fields[i];
    if (f->type == F_CHOICES) {
      json_t *arr = json_array();
      for (size_t k = 0; k < form->n; k++)
        if (strcmp(form->fields[k].name, f->name) == 0)
          json_array_append_new(arr, json_string(form->fields[k].value));
      if (json_array_size(arr))
        json_object_set_new(o, f->name, arr);
      else
        json_decref(arr);
      continue;
    }
    const char *v = hv_form_get(form, f->name);
    if (!v || !*v)
      continue;
    if (f->type == F_INT) {
      int64_t n;
      if (hv_parse_i64(v, INT64_MIN, INT64_MAX, &n) == 0)
        json_object_set_new(o, f->name, json_integer(n));
      else
        json_object_set_new(o, f->name,
                            json_string(v)); /* refused by the check, with its message */
    } else if (f->type == F_BOOL) {
      if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0)
        json_object_set_new(o, f->name, json_boolean(strcmp(v, "yes") == 0));
    } else {
      json_object_set_new(o, f->name, json_string(v));
    }
  }
  return o;
}

json_t *hv_incident_from_form(const struct hv_form *f) {
  return from_form(f, report_fields, NFIELDS);
}
json_t *hv_alert_from_form(const struct hv_form *f) { return from_form(f, alert_fields, NALERT); }

size_t hv_incident_text_fields(const char **out, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < NFIELDS; i++)
    if (report_fields[i].redact && k < cap)
      out[k++] = report_fields[i].name;
  return k;
}

/* --- list order ---------------------------------------------------------- */

static const struct hv_choice sorts[HV_SORT_MAX] = {
    {"newest", "Started, newest first"},           {"oldest", "Started, oldest first"},
    {"reported_newest", "Reported, newest first"}, {"reported_oldest", "Reported, oldest first"},
    {"status", "Status (drafts first)"},           {"reference", "Reference number"},
};

const char *hv_incident_sort_name(enum hv_incident_sort s) {
  return s < HV_SORT_MAX ? sorts[s].code : sorts[0].code;
}
const char *hv_incident_sort_label(enum hv_incident_sort s) {
  return s < HV_SORT_MAX ? sorts[s].label : sorts[0].label;
}
int hv_incident_sort_parse(const char *name) {
  for (int i = 0; name && i < HV_SORT_MAX; i++)
    if (strcmp(name, sorts[i].code) == 0)
      return i;
  return -1;
}

/* --- the pages' view of problems, identifiers found and changes -------- */

/* Ties problems (or flags) to the form's fields: each gets the field's label
 * and the id of its first control (for the error summary's links); with
 * `mark`, the field gets its first message as "error", shown beside it. The
 * facility has its own control: its message is returned (borrowed from
 * `problems`), or NULL. */
const char *hv_form_problems(json_t *fields, json_t *problems, bool mark) {
  const char *facility = NULL;
  size_t i, k;
  json_t *p, *f;
  json_array_foreach(problems, i, p) {
    const char *name = json_string_value(json_object_get(p, "field"));
    if (!name)
      continue;
    if (strcmp(name, "facility_id") == 0) {
      json_object_set_new(p, "label", json_string("Facility"));
      json_object_set_new(p, "anchor", json_string("facility_id"));
      if (!facility)
        facility = json_string_value(json_object_get(p, "message"));
      continue;
    }
    json_array_foreach(fields, k, f) {
      if (strcmp(name, json_string_value(json_object_get(f, "name"))) != 0)
        continue;
      char anchor[160];
      json_t *first = json_array_get(json_object_get(f, "options"), 0);
      if (json_is_true(json_object_get(f, "is_bool")))
        snprintf(anchor, sizeof anchor, "%s-yes", name);
      else if (json_is_true(json_object_get(f, "is_choices")) && first)
        snprintf(anchor, sizeof anchor, "%s-%s", name, json_string_value(json_object_get(first, "code")));
      else
        snprintf(anchor, sizeof anchor, "%s", name);
      json_object_set(p, "label", json_object_get(f, "label"));
      json_object_set_new(p, "anchor", json_string(anchor));
      if (mark && !json_object_get(f, "error"))
        json_object_set(f, "error", json_object_get(p, "message"));
      break;
    }
  }
  return facility;
}

json_t *hv_incident_found(const json_t *data) {
  size_t n[HV_PII_MAX] = {0};
  struct hv_buf b;
  for (size_t i = 0; i < NFIELDS; i++) {
    json_t *v = json_object_get(data, report_fields[i].name);
    struct hv_redaction r;
    if (!report_fields[i].redact || !json_is_string(v))
      continue;
    hv_buf_init(&b, 256 * 1024);
    if (hv_redact(json_string_value(v), json_string_length(v), &b, &r) == 0)
      for (int k = 0; k < HV_PII_MAX; k++)
        n[k] += r.found[k];
    hv_buf_free(&b);
  }
  json_t *out = json_array();
  for (int k = 0; k < HV_PII_MAX; k++)
    if (n[k])
      json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:b}", "label", hv_pii_label((enum hv_pii)k),
                                           "placeholder", hv_pii_placeholder((enum hv_pii)k), "count",
                                           (json_int_t)n[k], "many", n[k] > 1));
  return out;
}

/* A stored value as people read it: choice labels, Yes/No, "(empty)". */
static json_t *value_text(const struct field *f, const json_t *v) {
  if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)))
    return json_string("(empty)");
  if (json_is_boolean(v))
    return json_string(json_is_true(v) ? "Yes" : "No");
  if (json_is_integer(v)) {
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    return json_string(num);
  }
  if (json_is_string(v)) {
    const char *label = f->type == F_CHOICE ? hv_choice_label(f->list, json_string_value(v)) : NULL;
    return json_string(label ? label : json_string_value(v));
  }
  if (json_is_array(v) && f->type == F_CHOICES) {
    struct hv_buf b;
    size_t i;
    json_t *item;
    hv_buf_init(&b, 4096);
    json_array_foreach(v, i, item) {
      const char *label = hv_choice_label(f->list, json_string_value(item));
      hv_buf_printf(&b, "%s%s", i ? ", " : "", label ? label : "?");
    }
    json_t *s = json_string(b.data ? b.data : "");
    hv_buf_free(&b);
    return s;
  }
  if (json_is_array(v)) {
    char s[64];
    snprintf(s, sizeof s, "%zu entries", json_array_size(v));
    return json_string(s);
  }
  return json_string("?");
}

void hv_incident_changes_view(json_t *history) {
  size_t i, k;
  json_t *ver, *c;
  json_array_foreach(history, i, ver) {
    json_array_foreach(json_object_get(ver, "changes"), k, c) {
      const char *name = json_string_value(json_object_get(c, "field"));
      for (size_t j = 0; name && j < NFIELDS; j++) {
        if (strcmp(report_fields[j].name, name) != 0)
          continue;
        json_object_set_new(c, "label", json_string(report_fields[j].label));
        json_object_set_new(c, "before_text", value_text(&report_fields[j], json_object_get(c, "before")));
        json_object_set_new(c, "after_text", value_text(&report_fields[j], json_object_get(c, "after")));
      }
    }
  }
}

void hv_alert_view(json_t *alert) {
  const char *h = json_string_value(json_object_get(alert, "happening"));
  const char *label = hv_choice_label(HV_CH_HAPPENING, h);
  if (label)
    json_object_set_new(alert, "happening_label", json_string(label));
}
