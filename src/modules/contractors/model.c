/* Contractors: validation of vendors, contracts, attestations and notices,
 * and the coverage rule (contractors.h). Pure: no I/O but the clock read by
 * hv_contracts_today. Messages say what to write instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "modules/contractors/contractors.h"

const char *const hv_notice_methods[] = {"email", "letter", "portal", NULL};

const char *const hv_cov_state_names[HV_COV_MAX] = {
    [HV_COV_NOT_REQUIRED] = "not_required",
    [HV_COV_INACTIVE] = "inactive",
    [HV_COV_VALID] = "valid",
    [HV_COV_EXPIRING] = "expiring",
    [HV_COV_EXPIRED] = "expired",
    [HV_COV_MISSING] = "missing",
};

int hv_cov_state_parse(const char *s) {
  for (int i = 0; s && i < HV_COV_MAX; i++)
    if (strcmp(s, hv_cov_state_names[i]) == 0)
      return i;
  return -1;
}

/* --- dates ------------------------------------------------------------------- */

bool hv_contracts_date_ok(const char *s) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
    return false;
  bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  return !(m == 2 && d == 29 && !leap);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, char out[11]) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  unsigned yy = (unsigned)(y % 10000), mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
  char buf[32];
  snprintf(buf, sizeof buf, "%04u-%02u-%02u", yy, mm, dd);
  memcpy(out, buf, 10);
  out[10] = '\0';
}

static long day_number(const char *s) { return days_from_civil(atoi(s), atoi(s + 5), atoi(s + 8)); }

void hv_contracts_add_days(const char *day, int n, char out[11]) {
  civil_from_days(day_number(day) + n, out);
}

int hv_contracts_days_between(const char *from, const char *to) {
  return (int)(day_number(to) - day_number(from));
}

void hv_contracts_today(char out[11]) {
  time_t now = (time_t)(hv_clock_wall_ms() / 1000);
  struct tm tm;
  if (!localtime_r(&now, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
    snprintf(out, 11, "1970-01-01");
}

/* --- text -------------------------------------------------------------------- */

static size_t code_points(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static bool one_line(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return false;
  return true;
}

static bool empty(const char *s) { return !s || !*s; }

/* A required or optional one-line text of at most `max` characters. */
static int text(const char *v, const char *field, const char *label, size_t max, bool required,
                hv_contracts_problem_fn fn, void *cls) {
  char msg[160];
  if (empty(v)) {
    if (!required)
      return 0;
    snprintf(msg, sizeof msg, "Enter the %s.", label);
  } else if (!one_line(v)) {
    snprintf(msg, sizeof msg, "Write the %s on one line, without tabs or line breaks.", label);
  } else if (code_points(v) > max) {
    snprintf(msg, sizeof msg, "Shorten the %s to at most %zu characters.", label, max);
  } else {
    return 0;
  }
  fn(cls, field, msg);
  return 1;
}

/* Identifiers people type from other systems: letters, digits and - _ / . */
static bool code_ok(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n == 0 || n > max)
    return false;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
          strchr("-_/.", *s)))
      return false;
  return true;
}

static bool email_ok(const char *s) {
  const char *at = strchr(s, '@');
  if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254 || !strchr(at + 1, '.'))
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= 0x20 || strchr("\"'<>(),;:\\[]", *p))
      return false;
  return at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool phone_ok(const char *s) {
  int digits = 0;
  if (strlen(s) > 32)
    return false;
  for (; *s; s++) {
    if (*s >= '0' && *s <= '9')
      digits++;
    else if (!strchr(" ()+-.x", *s))
      return false;
  }
  return digits >= 10 && digits <= 15;
}

static int date(const char *v, const char *field, const char *label, bool required,
                hv_contracts_problem_fn fn, void *cls) {
  char msg[160];
  if (empty(v)) {
    if (!required)
      return 0;
    snprintf(msg, sizeof msg, "Enter the %s as YYYY-MM-DD.", label);
  } else if (!hv_contracts_date_ok(v)) {
    snprintf(msg, sizeof msg,
             "Enter the %s as a real date YYYY-MM-DD between 2000 and 2099, e.g. 2026-07-01.",
             label);
  } else {
    return 0;
  }
  fn(cls, field, msg);
  return 1;
}

/* --- records --------------------------------------------------------------------- */

int hv_contractor_problems(const struct hv_contractor *v, hv_contracts_problem_fn fn, void *cls) {
  int n = 0;
  if (empty(v->vendor_id))
    fn(cls, "vendor_id", "Enter the vendor id (the City's vendor number)."), n++;
  else if (!code_ok(v->vendor_id, 40))
    fn(cls, "vendor_id",
       "A vendor id is at most 40 letters, digits and - _ / . (no spaces), e.g. VC-104233."),
        n++;
  n += text(v->name, "name", "vendor's name", 200, true, fn, cls);
  n += text(v->contact_name, "contact_name", "contact's name", 200, false, fn, cls);
  if (!empty(v->contact_email) && !email_ok(v->contact_email))
    fn(cls, "contact_email", "Enter the contact's email address, e.g. compliance@vendor.com."), n++;
  if (!empty(v->contact_phone) && !phone_ok(v->contact_phone))
    fn(cls, "contact_phone", "Enter a phone number of 10 to 15 digits, e.g. (213) 555-0100."), n++;
  return n;
}

int hv_contract_problems(const struct hv_contract *c, hv_contracts_problem_fn fn, void *cls) {
  int n = 0;
  if (empty(c->number))
    fn(cls, "number", "Enter the contract number."), n++;
  else if (!code_ok(c->number, 40))
    fn(cls, "number",
       "A contract number is at most 40 letters, digits and - _ / . (no spaces), e.g. "
       "C-2026-0142."),
        n++;
  n += text(c->title, "title", "title", 200, false, fn, cls);
  if (c->contractor_id <= 0)
    fn(cls, "contractor_id", "Choose the contractor (vendor) holding the contract."), n++;
  if (c->department_id <= 0)
    fn(cls, "department_id", "Choose the department the contract is with."), n++;
  int bad = date(c->starts_on, "starts_on", "start date", true, fn, cls);
  bad += date(c->ends_on, "ends_on", "end date", true, fn, cls);
  n += bad;
  if (!bad && strcmp(c->ends_on, c->starts_on) < 0)
    fn(cls, "ends_on", "The contract cannot end before it starts: check the two dates."), n++;
  if (c->onsite_personnel < 0 || c->onsite_personnel > 100000)
    fn(cls, "onsite_personnel", "Enter the number of on-site personnel, 0 to 100000."), n++;
  else if (!c->on_city_property && c->onsite_personnel != 0)
    fn(cls, "onsite_personnel",
       "Personnel who do not work on City property are not on-site: enter 0, or say the "
       "contract's personnel work on City property."),
        n++;
  return n;
}

int hv_attestation_problems(const char *signed_on, const char *expires_on, const char *today,
                            hv_contracts_problem_fn fn, void *cls) {
  int bad = date(signed_on, "signed_on", "date the attestation was signed", true, fn, cls);
  bad += date(expires_on, "expires_on", "date the attestation expires", true, fn, cls);
  if (bad)
    return bad;
  int n = 0;
  if (strcmp(signed_on, today) > 0)
    fn(cls, "signed_on", "The signing date is in the future: record the attestation once signed."),
        n++;
  if (strcmp(expires_on, signed_on) <= 0)
    fn(cls, "expires_on", "The attestation must expire after the day it was signed."), n++;
  else if (hv_contracts_days_between(signed_on, expires_on) > 10 * 366)
    fn(cls, "expires_on", "An attestation runs at most ten years: check the expiry date."), n++;
  return n;
}

int hv_notice_problems(const char *sent_on, const char *method, const char *ack_on,
                       const char *ack_role, const char *today, hv_contracts_problem_fn fn,
                       void *cls) {
  int n = date(sent_on, "sent_on", "date the notice was sent", true, fn, cls);
  if (!n && strcmp(sent_on, today) > 0)
    fn(cls, "sent_on", "The notice cannot be sent in the future: record it once sent."), n++;
  bool known = false;
  for (int i = 0; method && hv_notice_methods[i]; i++)
    known |= strcmp(method, hv_notice_methods[i]) == 0;
  if (!known)
    fn(cls, "method", "Say how the notice was sent: email, letter or portal."), n++;
  int bad = date(ack_on, "acknowledged_on", "date the notice was acknowledged", false, fn, cls);
  n += bad;
  if (!bad && !empty(ack_on)) {
    if (strcmp(ack_on, today) > 0)
      fn(cls, "acknowledged_on", "The acknowledgement date is in the future."), n++;
    else if (!empty(sent_on) && hv_contracts_date_ok(sent_on) && strcmp(ack_on, sent_on) < 0)
      fn(cls, "acknowledged_on", "A notice cannot be acknowledged before it was sent."), n++;
    if (empty(ack_role))
      fn(cls, "acknowledged_by_role",
         "Say who acknowledged it by their role at the contractor (e.g. site manager)."),
          n++;
  }
  if (!empty(ack_role) && empty(ack_on))
    fn(cls, "acknowledged_on", "Enter the date the notice was acknowledged."), n++;
  n += text(ack_role, "acknowledged_by_role", "role of the person who acknowledged", 80, false, fn,
            cls);
  return n;
}

/* --- coverage ------------------------------------------------------------------- */

enum hv_cov_state hv_coverage_state(bool on_city_property, const char *starts_on,
                                    const char *ends_on, const char *best_expires,
                                    const char *today, const char *horizon) {
  if (!on_city_property)
    return HV_COV_NOT_REQUIRED;
  if (strcmp(starts_on, today) > 0 || strcmp(ends_on, today) < 0)
    return HV_COV_INACTIVE;
  if (!best_expires || !*best_expires)
    return HV_COV_MISSING;
  if (strcmp(best_expires, today) < 0)
    return HV_COV_EXPIRED;
  if (strcmp(best_expires, horizon) <= 0)
    return HV_COV_EXPIRING;
  return HV_COV_VALID;
}
