/* The FOIA clock (see deadline.h). Every count walks the calendar one day
 * at a time from the day after the start, so the explanation (weekends,
 * holidays and closures passed over, days the clock stood still) is the
 * walk itself, not a second computation that could disagree with it. */
#include <stdio.h>
#include <string.h>

#include "modules/foia/deadline.h"

/* The determination (5 U.S.C. 552(a)(6)(A)(i)), its extension for unusual
 * circumstances ((a)(6)(B)(i)), the expedited decision ((a)(6)(E)(ii)),
 * the DHS appeal window and appeal decision (6 CFR 5.8). */
enum {
  DETERMINATION_DAYS = 20,
  EXTENSION_DAYS = 10,
  EXPEDITED_CALENDAR_DAYS = 10,
  APPEAL_WINDOW_DAYS = 90,
  APPEAL_DECISION_DAYS = 20,
  /* a walk stops here whatever happens (a pause of decades is a typo) */
  WALK_MAX = 40000,
};

static const struct {
  const char *code, *name;
} kinds[HV_DL_MAX] = {
    [HV_DL_DETERMINATION] = {"determination", "Determination due"},
    [HV_DL_EXPEDITED] = {"expedited_decision", "Decision on expedited processing"},
    [HV_DL_APPEAL_WINDOW] = {"appeal_window", "Last day to appeal"},
    [HV_DL_APPEAL_DECISION] = {"appeal_decision", "Appeal decision due"},
};

static const char *const statuses[HV_DLS_MAX] = {[HV_DLS_NOT_APPLICABLE] = "not_applicable",
                                                 [HV_DLS_OPEN] = "open",
                                                 [HV_DLS_PAUSED] = "paused",
                                                 [HV_DLS_OVERDUE] = "overdue",
                                                 [HV_DLS_MET] = "met"};

const char *hv_deadline_code(enum hv_deadline_kind k) {
  return (unsigned)k < HV_DL_MAX ? kinds[k].code : "?";
}

const char *hv_deadline_name(enum hv_deadline_kind k) {
  return (unsigned)k < HV_DL_MAX ? kinds[k].name : "?";
}

const char *hv_deadline_status_code(enum hv_deadline_status s) {
  return (unsigned)s < HV_DLS_MAX ? statuses[s] : "?";
}

/* --- time of day, Eastern and Pacific --------------------------------------- */

/* The n-th Sunday of a month (n = -1: the last). */
static hv_day nth_sunday(int y, int m, int n) {
  hv_day first = hv_day_from_civil(y, m, 1);
  if (n > 0)
    return first + (7 - hv_day_weekday(first)) % 7 + 7 * (n - 1);
  hv_day next = m == 12 ? hv_day_from_civil(y + 1, 1, 1) : hv_day_from_civil(y, m + 1, 1);
  return next - 1 - hv_day_weekday(next - 1);
}

bool hv_us_dst(hv_day day) {
  int y, m, d;
  hv_day_to_civil(day, &y, &m, &d);
  hv_day start, end;
  if (y >= 2007) { /* Energy Policy Act of 2005 */
    start = nth_sunday(y, 3, 2);
    end = nth_sunday(y, 11, 1);
  } else {
    start = nth_sunday(y, 4, 1);
    end = nth_sunday(y, 10, -1);
  }
  /* the change is at 2 a.m.: the start day is in DST from then to its end,
   * the end day is in standard time from then on */
  return day >= start && day < end;
}

void hv_format_wall(int64_t ms, int offset_min, char out[20]) {
  int64_t s = ms / 1000 + (int64_t)offset_min * 60;
  int64_t day = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int sec = (int)(s - day * 86400);
  char date[11], text[40];
  hv_day_format((hv_day)day, date);
  snprintf(text, sizeof text, "%s %02d:%02d:%02d", date, sec / 3600, sec / 60 % 60, sec % 60);
  memcpy(out, text, 19);
  out[19] = '\0';
}

/* --- the walk ----------------------------------------------------------------- */

/* A stretch the clock may stand still (before it is known to matter). */
struct span {
  bool fee;
  hv_day from, to; /* to: HV_NO_DAY while open */
};

static void note(struct hv_deadline *dl, const char *fmt, const char *date) {
  if (dl->n_notes < HV_DL_NOTES_MAX)
    snprintf(dl->notes[dl->n_notes++], sizeof dl->notes[0], fmt, date);
}

/* Counts `target` working days after dl->start into dl->due, passing over
 * weekends, holidays, closures and the days inside `spans`. Returns the
 * working days still to count when an open span stopped the walk (then
 * dl->due is HV_NO_DAY), else 0. */
static int walk(const struct hv_foia_clock_in *in, struct hv_deadline *dl, const struct span *sp,
                size_t nsp, int target) {
  hv_day d = dl->start;
  int counted = 0, span_days[HV_DL_PAUSES_MAX] = {0};
  bool seen[HV_DL_PAUSES_MAX] = {false};
  char why[80];
  int rest = 0;
  dl->weekend_days = 0;
  dl->n_skipped = 0;
  dl->n_pauses = 0;
  for (int guard = 0; counted < target && guard < WALK_MAX; guard++) {
    d++;
    int w = hv_day_weekday(d);
    for (size_t i = 0; i < nsp; i++)
      if (sp[i].from < d)
        seen[i] = true;
    if (w == 0 || w == 6) {
      dl->weekend_days++;
      continue;
    }
    if (hv_calendar_closed(in->calendar, in->closures, in->n_closures, d, why, sizeof why)) {
      if (dl->n_skipped < HV_DL_SKIPPED_MAX) {
        dl->skipped[dl->n_skipped].day = d;
        snprintf(dl->skipped[dl->n_skipped].reason, sizeof dl->skipped[0].reason, "%s", why);
      }
      dl->n_skipped++;
      continue;
    }
    bool held = false, open = false;
    for (size_t i = 0; i < nsp; i++)
      if (sp[i].from < d && (sp[i].to == HV_NO_DAY || d <= sp[i].to)) {
        held = true;
        open = open || sp[i].to == HV_NO_DAY;
        span_days[i]++;
      }
    for (size_t i = 0; open && i < nsp; i++) /* the day it stopped on is not counted yet */
      if (sp[i].from < d && (sp[i].to == HV_NO_DAY || d <= sp[i].to))
        span_days[i]--;
    if (open) {
      rest = target - counted;
      break;
    }
    if (!held)
      counted++;
  }
  for (size_t i = 0; i < nsp && dl->n_pauses < HV_DL_PAUSES_MAX; i++)
    if (seen[i]) {
      struct hv_dl_pause *p = &dl->pauses[dl->n_pauses++];
      p->fee = sp[i].fee;
      p->from = sp[i].from;
      p->to = sp[i].to;
      p->days = span_days[i];
    }
  dl->due = rest ? HV_NO_DAY : d;
  return rest;
}

/* Working days from `a` to `b` (counted after a, up to and including b);
 * negative when b is before a. */
static int working_between(const struct hv_foia_clock_in *in, hv_day a, hv_day b) {
  int sign = 1, n = 0;
  char why[80];
  if (b < a) {
    hv_day t = a;
    a = b;
    b = t;
    sign = -1;
  }
  for (hv_day d = a + 1; d <= b && d - a < WALK_MAX; d++) {
    int w = hv_day_weekday(d);
    if (w != 0 && w != 6 &&
        !hv_calendar_closed(in->calendar, in->closures, in->n_closures, d, why, sizeof why))
      n++;
  }
  return sign * n;
}

/* Met, overdue or open, and the days left, once dl->due is known. */
static void settle(const struct hv_foia_clock_in *in, struct hv_deadline *dl, hv_day met) {
  if (met != HV_NO_DAY) {
    dl->status = HV_DLS_MET;
    dl->met_on = met;
    dl->met_late = met > dl->due;
    dl->left = 0;
    return;
  }
  dl->left = dl->working_days ? working_between(in, in->today, dl->due) : dl->due - in->today;
  dl->status = in->today > dl->due ? HV_DLS_OVERDUE : HV_DLS_OPEN;
}

/* The timeline in date order (stable for events of the same day). */
static size_t sorted(const struct hv_foia_clock_in *in, struct hv_foia_event *ev) {
  size_t n = in->n_events < HV_FOIA_EVENTS_MAX ? in->n_events : HV_FOIA_EVENTS_MAX;
  for (size_t i = 0; i < n; i++) {
    struct hv_foia_event e = in->events[i];
    size_t j = i;
    for (; j > 0 && ev[j - 1].day > e.day; j--)
      ev[j] = ev[j - 1];
    ev[j] = e;
  }
  return n;
}

/* The first event of `type` on or after `from`, or HV_NO_DAY. */
static hv_day first(const struct hv_foia_event *ev, size_t n, enum hv_foia_event_type type,
                    hv_day from) {
  for (size_t i = 0; i < n; i++)
    if (ev[i].type == type && ev[i].day >= from)
      return ev[i].day;
  return HV_NO_DAY;
}

static void init(struct hv_deadline *dl, enum hv_deadline_kind k) {
  memset(dl, 0, sizeof *dl);
  dl->kind = k;
  dl->status = HV_DLS_NOT_APPLICABLE;
  dl->start = dl->due = dl->met_on = HV_NO_DAY;
  dl->working_days = k != HV_DL_EXPEDITED;
}

static void determination(const struct hv_foia_clock_in *in, const struct hv_foia_event *ev,
                          size_t n, hv_day final, hv_day withdrawn, struct hv_deadline *dl) {
  char date[11];
  struct span sp[HV_DL_PAUSES_MAX] = {{false, 0, 0}};
  size_t nsp = 0;
  if (in->received == HV_NO_DAY) {
    note(dl, "%sThe agency has not received the request yet.", "");
    return;
  }
  dl->start = in->received;
  /* Pauses: the first clarification only (the agency may stop the clock
   * once to ask for information); every fee question. Each runs from the
   * question to the first answer after it. */
  bool clarified = false;
  for (size_t i = 0; i < n; i++) {
    bool fee = ev[i].type == HV_FEV_FEE_NOTICE;
    if ((!fee && ev[i].type != HV_FEV_CLARIFICATION_ASKED) || ev[i].day < in->received)
      continue;
    if (!fee && clarified) {
      hv_day_format(ev[i].day, date);
      note(dl,
           "The clarification asked on %s did not stop the clock: it stops only once to ask "
           "for information.",
           date);
      continue;
    }
    /* a fee notice while one is still open adds nothing */
    bool inside = false;
    for (size_t k = 0; k < nsp; k++)
      inside = inside || (sp[k].fee == fee && (sp[k].to == HV_NO_DAY || ev[i].day <= sp[k].to));
    if (inside || nsp == HV_DL_PAUSES_MAX)
      continue;
    clarified = clarified || !fee;
    sp[nsp].fee = fee;
    sp[nsp].from = ev[i].day;
    sp[nsp].to = first(ev, n, fee ? HV_FEV_FEE_ANSWERED : HV_FEV_CLARIFICATION_ANSWERED, ev[i].day);
    nsp++;
  }
  dl->days = DETERMINATION_DAYS;
  int rest = walk(in, dl, sp, nsp, DETERMINATION_DAYS);
  hv_day ext = first(ev, n, HV_FEV_EXTENSION, in->received);
  if (ext != HV_NO_DAY && (final == HV_NO_DAY || ext <= final)) {
    struct hv_dl_extension *x = &dl->extensions[0];
    x->on = ext;
    x->days = EXTENSION_DAYS;
    x->due_before = dl->due;
    dl->days += EXTENSION_DAYS;
    rest = walk(in, dl, sp, nsp, dl->days);
    x->due_after = dl->due;
    dl->n_extensions = 1;
    if (x->due_before != HV_NO_DAY && ext > x->due_before) {
      hv_day_format(x->due_before, date);
      note(dl, "The extension notice came after the first due date, %s.", date);
    }
  }
  if (withdrawn != HV_NO_DAY && (final == HV_NO_DAY || withdrawn < final)) {
    hv_day_format(withdrawn, date);
    note(dl, "The request was withdrawn on %s.", date);
    return; /* not applicable, with the count kept for the record */
  }
  if (final != HV_NO_DAY) {
    if (dl->due == HV_NO_DAY) /* answered while paused: met, not late */
      dl->due = final;
    settle(in, dl, final);
  } else if (rest) {
    dl->status = HV_DLS_PAUSED;
    dl->left = rest;
    /* an open pause has stood still up to today */
    for (size_t i = 0; i < dl->n_pauses; i++)
      if (dl->pauses[i].to == HV_NO_DAY && in->today > dl->pauses[i].from)
        dl->pauses[i].days = working_between(in, dl->pauses[i].from, in->today);
  } else {
    settle(in, dl, HV_NO_DAY);
  }
}

static void expedited(const struct hv_foia_clock_in *in, hv_day withdrawn, struct hv_deadline *dl) {
  if (!in->expedited_asked || in->received == HV_NO_DAY)
    return;
  dl->start = in->received;
  dl->days = EXPEDITED_CALENDAR_DAYS;
  dl->due = in->received + EXPEDITED_CALENDAR_DAYS; /* calendar days: nothing passed over */
  if (in->expedited_decided == HV_NO_DAY && withdrawn != HV_NO_DAY)
    return;
  settle(in, dl, in->expedited_decided);
}

/* The last moment of an electronic appeal: 11:59:59 p.m. Eastern on the
 * due day, and the same moment on a Los Angeles clock. Eastern time is
 * UTC-5 (EST) or UTC-4 (EDT), Pacific UTC-8 (PST) or UTC-7 (PDT), and both
 * change on the same days by the same federal rule (at 2 a.m. local, so
 * not between 8:59 p.m. and midnight), so the difference is always 3 hours:
 * 8:59:59 p.m. Pacific. It is computed here, not written down, so a change
 * to either rule shows. */
static void cutoff(struct hv_deadline *dl) {
  bool dst = hv_us_dst(dl->due);
  dl->eastern_offset_min = dst ? -4 * 60 : -5 * 60;
  dl->pacific_offset_min = dst ? -7 * 60 : -8 * 60;
  int64_t local = (int64_t)dl->due * 86400 + 23 * 3600 + 59 * 60 + 59;
  dl->cutoff_utc_ms = (local - (int64_t)dl->eastern_offset_min * 60) * 1000;
}

static void appeal(const struct hv_foia_clock_in *in, const struct hv_foia_event *ev, size_t n,
                   hv_day final, hv_day withdrawn, struct hv_foia_deadlines *out) {
  struct hv_deadline *win = &out->d[HV_DL_APPEAL_WINDOW], *dec = &out->d[HV_DL_APPEAL_DECISION];
  if (final == HV_NO_DAY)
    return;
  hv_day filed = first(ev, n, HV_FEV_APPEAL_FILED, final);
  win->start = final;
  win->days = APPEAL_WINDOW_DAYS;
  walk(in, win, NULL, 0, APPEAL_WINDOW_DAYS);
  cutoff(win);
  if (filed == HV_NO_DAY && withdrawn != HV_NO_DAY && withdrawn >= final)
    return;
  settle(in, win, filed);
  if (filed == HV_NO_DAY)
    return;
  dec->start = filed;
  dec->days = APPEAL_DECISION_DAYS;
  walk(in, dec, NULL, 0, APPEAL_DECISION_DAYS);
  hv_day decided = first(ev, n, HV_FEV_APPEAL_DECIDED, filed);
  if (decided == HV_NO_DAY && withdrawn != HV_NO_DAY && withdrawn >= filed)
    return;
  settle(in, dec, decided);
}

void hv_foia_deadlines(const struct hv_foia_clock_in *in, struct hv_foia_deadlines *out) {
  struct hv_foia_event ev[HV_FOIA_EVENTS_MAX];
  size_t n = sorted(in, ev);
  for (int k = 0; k < HV_DL_MAX; k++)
    init(&out->d[k], (enum hv_deadline_kind)k);
  hv_day from = in->received == HV_NO_DAY ? INT32_MIN + 1 : in->received;
  hv_day final = first(ev, n, HV_FEV_FINAL_RESPONSE, from);
  hv_day withdrawn = first(ev, n, HV_FEV_WITHDRAWN, INT32_MIN + 1);
  determination(in, ev, n, final, withdrawn, &out->d[HV_DL_DETERMINATION]);
  expedited(in, withdrawn, &out->d[HV_DL_EXPEDITED]);
  appeal(in, ev, n, final, withdrawn, out);
}

int hv_foia_next_deadline(const struct hv_foia_deadlines *d) {
  int best = -1;
  for (int k = 0; k < HV_DL_MAX; k++) {
    const struct hv_deadline *x = &d->d[k];
    if (x->status != HV_DLS_OPEN && x->status != HV_DLS_OVERDUE && x->status != HV_DLS_PAUSED)
      continue;
    if (best < 0) {
      best = k;
      continue;
    }
    const struct hv_deadline *b = &d->d[best];
    /* overdue before open before paused; then the earlier due date */
    int rx = x->status == HV_DLS_OVERDUE ? 0 : x->status == HV_DLS_OPEN ? 1 : 2;
    int rb = b->status == HV_DLS_OVERDUE ? 0 : b->status == HV_DLS_OPEN ? 1 : 2;
    if (rx < rb || (rx == rb && rx < 2 && x->due < b->due))
      best = k;
  }
  return best;
}
