/* The FOIA clock: every deadline of a request computed from the day it was
 * received and its timeline of events, on a holiday calendar with its
 * closures, each with the explanation of how it was computed (start, days
 * counted, weekends and holidays passed over, pauses, extensions). Pure:
 * "today" is passed in, nothing is read or allocated, so the same request
 * gives the same answer in a test, a page and the API; deadlines are
 * computed when read, never stored, so a closure added later moves them.
 *
 * The rules (reference/foia.md; 5 U.S.C. 552(a)(6), 6 CFR part 5):
 * - determination: 20 working days, counting from the working day after
 *   receipt; +10 working days on an extension notice (unusual
 *   circumstances), which is then the due date (not overdue before it);
 * - the clock stops while a clarification is open (once: a second one does
 *   not stop it) and while a fee question is open (each time), and
 *   resumes the day after the answer with the remaining days kept;
 * - expedited processing: decided within 10 calendar days of receipt;
 * - appeal window: 90 working days after the final response, an
 *   electronic appeal on time until 11:59:59 p.m. Eastern on the last day;
 * - appeal decision: 20 working days after the appeal is filed. */
#ifndef HV_FOIA_DEADLINE_H
#define HV_FOIA_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modules/foia/calendar.h"
#include "modules/foia/model.h"

/* No day (a request not yet received, a pause not yet answered). */
#define HV_NO_DAY ((hv_day)INT32_MIN)

/* The most events one request's timeline may hold. */
#define HV_FOIA_EVENTS_MAX 200
/* The holidays and closures one deadline lists (more are counted). */
#define HV_DL_SKIPPED_MAX 48
#define HV_DL_PAUSES_MAX 8
#define HV_DL_NOTES_MAX 4

/* A dated event of the timeline (order does not matter). */
struct hv_foia_event {
  enum hv_foia_event_type type;
  hv_day day;
};

/* What the clock needs of a request. */
struct hv_foia_clock_in {
  enum hv_calendar calendar; /* federal for a federal agency */
  hv_day received;           /* HV_NO_DAY: not received yet */
  bool expedited_asked;
  hv_day expedited_decided;           /* the day the agency decided, or HV_NO_DAY */
  const struct hv_foia_event *events; /* borrowed, n_events of them */
  size_t n_events;
  const struct hv_closure *closures; /* borrowed, the calendar's closures */
  size_t n_closures;
  hv_day today; /* the city's date "now" (injected) */
};

enum hv_deadline_kind {
  HV_DL_DETERMINATION,
  HV_DL_EXPEDITED,
  HV_DL_APPEAL_WINDOW,
  HV_DL_APPEAL_DECISION,
  HV_DL_MAX
};

enum hv_deadline_status {
  HV_DLS_NOT_APPLICABLE,
  HV_DLS_OPEN,
  HV_DLS_PAUSED,
  HV_DLS_OVERDUE,
  HV_DLS_MET,
  HV_DLS_MAX
};

/* A stretch the clock stood still. */
struct hv_dl_pause {
  bool fee;        /* a fee question; else a clarification */
  hv_day from, to; /* asked, answered (HV_NO_DAY while open) */
  int days;        /* working days not counted because of it */
};

/* An extension of the due date. */
struct hv_dl_extension {
  hv_day on; /* the notice */
  int days;  /* working days added */
  hv_day due_before, due_after;
};

struct hv_deadline {
  enum hv_deadline_kind kind;
  enum hv_deadline_status status;
  hv_day start;      /* the day counting starts after (receipt, response, appeal) */
  hv_day due;        /* HV_NO_DAY when not applicable or paused */
  hv_day met_on;     /* the event that met it, or HV_NO_DAY */
  bool met_late;     /* met after the due date */
  bool working_days; /* working days, else calendar days */
  int days;          /* the days to count (20, 30 with an extension, 90, 10) */
  int left;          /* days from today to due (negative: overdue by); while
                        paused, the working days remaining when it resumes */
  /* the explanation */
  int weekend_days; /* Saturdays and Sundays passed over */
  size_t n_skipped; /* holidays and closures passed over (only the first
                       HV_DL_SKIPPED_MAX are listed) */
  struct hv_skipped skipped[HV_DL_SKIPPED_MAX];
  size_t n_pauses;
  struct hv_dl_pause pauses[HV_DL_PAUSES_MAX];
  size_t n_extensions;
  struct hv_dl_extension extensions[1];
  size_t n_notes; /* sentences for people: why something did not apply */
  char notes[HV_DL_NOTES_MAX][160];
  /* the appeal window's last moment, for an electronic appeal: 11:59:59
   * p.m. Eastern on the due day, as UTC milliseconds, and the UTC offsets
   * (minutes) of Eastern and Pacific time at that moment */
  int64_t cutoff_utc_ms;
  int eastern_offset_min, pacific_offset_min;
};

struct hv_foia_deadlines {
  struct hv_deadline d[HV_DL_MAX];
};

/* "determination" ... and "Determination due" ... */
const char *hv_deadline_code(enum hv_deadline_kind k);
const char *hv_deadline_name(enum hv_deadline_kind k);
/* "not_applicable", "open", "paused", "overdue", "met". */
const char *hv_deadline_status_code(enum hv_deadline_status s);

/* Computes every deadline of `in` into *out. */
void hv_foia_deadlines(const struct hv_foia_clock_in *in, struct hv_foia_deadlines *out);

/* The index of the next deadline to watch: an overdue one first (the
 * oldest), else the open one due soonest, else a paused one; -1 when none. */
int hv_foia_next_deadline(const struct hv_foia_deadlines *d);

/* True when US daylight saving time is in force on `day` from 2 a.m. local
 * time to the end of the day (the rules since 2007; before, 1987-2006).
 * Eastern and Pacific time change on the same days. */
bool hv_us_dst(hv_day day);

/* Writes `ms` (UTC) as wall-clock time at `offset_min` from UTC:
 * "YYYY-MM-DD HH:MM:SS" (20 bytes with the NUL). */
void hv_format_wall(int64_t ms, int offset_min, char out[20]);

#endif
