/* The demo city's LAPD working group: members (sample names), two meetings
 * and consultations held across the city with their attendance and the
 * languages interpreted, two consultations coming up (dated from today, so
 * the public page always has some), feedback items, a recommendation in
 * each status and one guideline document with two versions. Written
 * through the same store functions staff use, so all of it is audited. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/timefmt.h"
#include "modules/accounts/accounts.h"
#include "modules/workgroup/store.h"

/* The city's day `days` from today, YYYY-MM-DD, into out. */
static void day_from_today(int days, char out[11]) {
  char iso[40];
  hv_time_format_iso(hv_clock_wall_ms() + (int64_t)days * 86400000, iso, sizeof iso);
  memcpy(out, iso, 10);
  out[10] = '\0';
}

static int member(struct hv_store *s, const struct hv_principal *by, const char *name,
                  const char *org, const char *role) {
  int64_t id;
  json_t *f = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "organisation", org, "group_role",
                        role, "active", 1);
  enum hv_qs qs = hv_wg_create(s, by, HV_WGE_MEMBER, 0, f, &id);
  json_decref(f);
  return qs > 0 ? 0 : -1;
}

/* A session; *id receives it. `attendance` < 0 for none. */
static int session(struct hv_store *s, const struct hv_principal *by, const char *kind,
                   const char *title, const char *day, const char *place, const char *langs,
                   int attendance, const char *status, const char *summary, int64_t *id) {
  json_t *l = json_loads(langs, 0, NULL);
  json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "kind", kind, "title", title,
                        "held_on", day, "place", place, "languages", l ? l : json_array(), "status",
                        status, "summary", summary);
  if (attendance >= 0)
    json_object_set_new(f, "attendance", json_integer(attendance));
  enum hv_qs qs = hv_wg_create(s, by, HV_WGE_SESSION, 0, f, id);
  json_decref(f);
  return qs > 0 ? 0 : -1;
}

static int feedback(struct hv_store *s, const struct hv_principal *by, int64_t session_id,
                    const char *topic, const char *summary, const char *source, int64_t *id) {
  json_t *f = json_pack("{s:s, s:s, s:s}", "topic", topic, "summary", summary, "source", source);
  enum hv_qs qs = hv_wg_create(s, by, HV_WGE_FEEDBACK, session_id, f, id);
  json_decref(f);
  return qs > 0 ? 0 : -1;
}

/* A recommendation moved through `path` (statuses after proposed, the last
 * one possibly declined with `reason`). */
static int recommendation(struct hv_store *s, const struct hv_principal *by, const char *title,
                          const char *text, int64_t fb, const enum hv_wg_rec_status *path, size_t n,
                          const char *reason, int64_t *id) {
  struct hv_wg_refusal r;
  int64_t current = 0;
  json_t *ids = json_pack("[I]", (json_int_t)fb);
  enum hv_qs qs = hv_wg_rec_create(s, by, title, text, ids, &r, id);
  json_decref(ids);
  for (size_t i = 0; qs > 0 && i < n; i++)
    qs = hv_wg_rec_move(s, by, *id, (int64_t)i + 1, path[i],
                        path[i] == HV_WGR_DECLINED ? reason : NULL, &r, &current);
  return qs > 0 ? 0 : -1;
}

int hv_demo_workgroup(struct hv_store *s) {
  struct hv_principal wg;
  int64_t meet, boyle, kt, pacoima, up1, up2, f1, f2, f3, f4, f5, r1, r2, r3, r4, r5, gid;
  char soon[11], later[11];
  memset(&wg, 0, sizeof wg);
  if (hv_accounts_find_user(s, "workgroup@demo.lacity.org", &wg.user_id) <= 0 ||
      hv_roles_parse("workgroup", &wg.roles)) {
    fprintf(stderr, "haven demo: working group: the demo user workgroup@demo.lacity.org is "
                    "missing\n");
    return -1;
  }
  snprintf(wg.email, sizeof wg.email, "workgroup@demo.lacity.org");
  snprintf(wg.actor, sizeof wg.actor, "user:%lld", (long long)wg.user_id);
  day_from_today(14, soon);
  day_from_today(35, later);
  static const enum hv_wg_rec_status to_review[] = {HV_WGR_UNDER_REVIEW};
  static const enum hv_wg_rec_status to_adopted[] = {HV_WGR_UNDER_REVIEW, HV_WGR_ADOPTED};
  static const enum hv_wg_rec_status to_done[] = {HV_WGR_UNDER_REVIEW, HV_WGR_ADOPTED,
                                                  HV_WGR_IMPLEMENTED};
  static const enum hv_wg_rec_status to_declined[] = {HV_WGR_UNDER_REVIEW, HV_WGR_DECLINED};
  struct hv_wg_refusal r;
  int64_t current;
  json_t *links = NULL;
  int rc = -1;
  if (member(s, &wg, "Deputy Chief Dana Ortiz (demo)", "Los Angeles Police Department", "Chair") ||
      member(s, &wg, "Commissioner Lee Park (demo)", "Board of Police Commissioners",
             "Commission liaison") ||
      member(s, &wg, "Maria Chen (demo)", "Mayor's Office of Immigrant Affairs",
             "Consultation coordinator") ||
      member(s, &wg, "Rev. Samuel Okafor (demo)", "Interfaith immigrant-rights coalition (sample)",
             "Community member") ||
      member(s, &wg, "Ana Reyes (demo)", "Day-laborer centre network (sample)",
             "Community member") ||
      session(s, &wg, "meeting", "First meeting: scope and consultation plan", "2025-09-10",
              "LAPD Headquarters, 100 W 1st St", "[]", 11, "held",
              "The group agreed its scope and planned four community consultations, each with "
              "interpretation.",
              &meet) ||
      session(s, &wg, "consultation", "Boyle Heights community consultation", "2025-09-20",
              "Boyle Heights City Hall, 2130 E 1st St", "[\"Spanish\"]", 86, "held",
              "Residents described fear of calling the police and asked how officers respond "
              "when federal agents are present.",
              &boyle) ||
      session(s, &wg, "consultation", "Koreatown community consultation", "2025-10-18",
              "Seoul International Park recreation center", "[\"Korean\", \"Spanish\"]", 42, "held",
              "Small-business owners asked what officers do at a workplace raid.", &kt) ||
      session(s, &wg, "consultation", "Pacoima evening consultation", "2025-11-08",
              "Pacoima library meeting room", "[\"Spanish\", \"ASL\"]", 3, "held",
              "Few came after a rain storm; the group will return in the spring.", &pacoima) ||
      session(s, &wg, "consultation", "Westlake community consultation", soon,
              "MacArthur Park recreation center, 2230 W 6th St",
              "[\"Spanish\", \"K'iche'\", \"Q'anjob'al\"]", -1, "planned", "", &up1) ||
      session(s, &wg, "consultation", "Chinatown community consultation", later,
              "Alpine Recreation Center, 817 Yale St", "[\"Cantonese\", \"Mandarin\"]", -1,
              "planned", "", &up2) ||
      feedback(s, &wg, boyle, "Officer identification",
               "People asked that LAPD officers at a scene with federal agents say clearly that "
               "they are LAPD and are not enforcing immigration law.",
               "Several residents at the session", &f1) ||
      feedback(s, &wg, boyle, "Calling the police",
               "Residents fear that calling the police for help could lead to immigration "
               "enforcement.",
               "Community organisation", &f2) ||
      feedback(s, &wg, kt, "Workplace raids",
               "Business owners asked what officers will do if called to a workplace where "
               "federal agents are.",
               "Business association", &f3) ||
      feedback(s, &wg, kt, "Information in Korean",
               "Asked for the guidance in Korean, on paper, at the recreation center.",
               "Resident at the session", &f4) ||
      feedback(s, &wg, pacoima, "Body-worn cameras",
               "Asked that officers record with body-worn cameras when federal agents are "
               "present.",
               "Resident at the session", &f5) ||
      recommendation(s, &wg, "Officers identify themselves as LAPD at joint scenes",
                     "When federal immigration agents are present, LAPD officers state that "
                     "they are LAPD and do not take part in civil immigration enforcement.",
                     f1, to_done, 3, NULL, &r1) ||
      recommendation(s, &wg, "Body-worn cameras on at every scene with federal agents",
                     "Officers activate body-worn cameras at any scene where federal immigration "
                     "agents are present and record the supervising federal officer's name and "
                     "badge.",
                     f5, to_adopted, 2, NULL, &r2) ||
      recommendation(s, &wg, "Printed guidance in the languages of each consultation",
                     "Publish the response guidance on paper in the languages interpreted at "
                     "each consultation.",
                     f4, to_review, 1, NULL, &r3) ||
      recommendation(s, &wg, "A hotline answered by LAPD for reports of federal activity",
                     "Set up an LAPD-run hotline for residents to report federal immigration "
                     "activity.",
                     f2, NULL, 0, NULL, &r4) ||
      recommendation(s, &wg, "LAPD escorts for federal agents at workplaces",
                     "Officers accompany federal agents at workplace operations to keep the "
                     "peace.",
                     f3, to_declined, 2,
                     "Declined: escorting federal agents would be assistance with civil "
                     "immigration enforcement, which Special Order 40 and Ordinance 188441 do "
                     "not allow.",
                     &r5))
    goto out;
  links = json_pack("[I, I]", (json_int_t)r1, (json_int_t)r2);
  if (hv_wg_guideline_create(
          s, &wg, "LAPD response guidelines: federal immigration enforcement activity",
          "# When federal agents are present\n\n"
          "1. Say that you are LAPD and that LAPD does not enforce civil immigration law.\n"
          "2. Keep the peace; do not assist with civil immigration enforcement.\n",
          "First draft after the Boyle Heights consultation", links, &r, &gid) <= 0 ||
      hv_wg_guideline_add_version(
          s, &wg, gid, 1,
          "# When federal agents are present\n\n"
          "1. Say that you are LAPD and that LAPD does not enforce civil immigration law.\n"
          "2. Keep the peace; do not assist with civil immigration enforcement.\n"
          "3. Turn on your body-worn camera and record the name and badge number of the "
          "supervising federal officer.\n\n"
          "## After the scene\n\nReport the activity to your watch commander the same day.\n",
          "Adds body-worn cameras (recommendation adopted after the Pacoima consultation)", &r,
          &current, NULL) <= 0)
    goto out;
  (void)meet;
  (void)up1;
  (void)up2;
  (void)r3;
  (void)r4;
  rc = 0;
out:
  json_decref(links);
  if (rc)
    fprintf(stderr, "haven demo: recording the working group's sample records failed\n");
  return rc;
}
