/* Registry validation: pure functions, no I/O. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "modules/registry/registry.h"

const char *const hv_facility_kinds[] = {"office", "library", "park", "recreation_center",
                                         "port", "airport", "yard", "shelter", "station",
                                         "plant", "other", NULL};

static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

static bool text_ok(const char *s, size_t min, size_t max) {
  if (!s || !hv_utf8_valid(s, strlen(s)))
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return false;
  size_t n = chars(s);
  return n >= min && n <= max;
}

static bool email_like(const char *e) {
  const char *at = strchr(e, '@');
  return strlen(e) <= 254 && at && at != e && strchr(at, '.') && !strchr(at + 1, '@') &&
         !strpbrk(e, " \t<>\",;");
}

int hv_department_problems(const struct hv_department *d, hv_problem_fn fn, void *cls) {
  int n = 0;
#define PROBLEM(f, m) (fn(cls, (f), (m)), n++)
  bool code_ok = d->code && strlen(d->code) >= 2 && strlen(d->code) <= 16;
  for (const char *p = d->code; code_ok && *p; p++)
    code_ok = isalnum((unsigned char)*p) != 0;
  if (!code_ok)
    PROBLEM("code", "The code must be 2 to 16 letters or digits.");
  if (!text_ok(d->name, 2, 120))
    PROBLEM("name", "The name must be 2 to 120 characters.");
  if (d->contact_email && *d->contact_email && !email_like(d->contact_email))
    PROBLEM("contact_email", "The contact email is not an email address.");
  if (d->contact_phone && *d->contact_phone) {
    size_t digits = 0;
    bool chars_ok = true;
    for (const char *p = d->contact_phone; *p; p++) {
      if (isdigit((unsigned char)*p))
        digits++;
      else if (!strchr(" +()-.x", *p))
        chars_ok = false;
    }
    if (!chars_ok)
      PROBLEM("contact_phone", "The phone number may hold digits, spaces and + ( ) - . x only.");
    else if (digits < 7 || strlen(d->contact_phone) > 30)
      PROBLEM("contact_phone", "The phone number is too short or too long.");
  }
  return n;
}

int hv_facility_problems(const struct hv_facility *f, hv_problem_fn fn, void *cls) {
  int n = 0;
  if (!text_ok(f->name, 2, 160))
    PROBLEM("name", "The name must be 2 to 160 characters.");
  if (!text_ok(f->address, 5, 300))
    PROBLEM("address", "The street address must be 5 to 300 characters.");
  bool known = false;
  for (int i = 0; f->kind && hv_facility_kinds[i]; i++)
    known |= strcmp(f->kind, hv_facility_kinds[i]) == 0;
  if (!known)
    PROBLEM("kind", "Unknown kind of facility.");
  if (f->has_coords && (f->lat_e6 < -90000000 || f->lat_e6 > 90000000))
    PROBLEM("latitude", "The latitude must be from -90 to 90.");
  if (f->has_coords && (f->lon_e6 < -180000000 || f->lon_e6 > 180000000))
    PROBLEM("longitude", "The longitude must be from -180 to 180.");
  if (f->nareas > HV_AREAS_MAX) {
    PROBLEM("areas", "A facility may have at most 50 areas.");
    return n;
  }
  for (size_t i = 0; i < f->nareas; i++) {
    if (!text_ok(f->areas[i].name, 1, 80) || strchr(f->areas[i].name, ';') ||
        strchr(f->areas[i].name, ':')) {
      PROBLEM("areas", "Each area needs a name of 1 to 80 characters, without ; or :.");
      return n;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(f->areas[i].name, f->areas[j].name) == 0) {
        PROBLEM("areas", "Two areas have the same name.");
        return n;
      }
  }
#undef PROBLEM
  return n;
}

struct first {
  const char *field, *msg;
};

static void keep_first(void *cls, const char *field, const char *msg) {
  struct first *f = cls;
  if (!f->msg) {
    f->field = field;
    f->msg = msg;
  }
}

const char *hv_department_check(const struct hv_department *d, const char **field) {
  struct first f = {NULL, NULL};
  hv_department_problems(d, keep_first, &f);
  *field = f.field;
  return f.msg;
}

const char *hv_facility_check(const struct hv_facility *fac, const char **field) {
  struct first f = {NULL, NULL};
  hv_facility_problems(fac, keep_first, &f);
  *field = f.field;
  return f.msg;
}

int hv_coord_parse(const char *s, int limit, int64_t *e6) {
  const char *p = s;
  bool neg = false;
  int64_t whole = 0, frac = 0;
  int fd = 0;
  if (*p == '-' || *p == '+')
    neg = *p++ == '-';
  if (!isdigit((unsigned char)*p))
    return -1;
  while (isdigit((unsigned char)*p)) {
    whole = whole * 10 + (*p++ - '0');
    if (whole > limit)
      return -1;
  }
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    while (isdigit((unsigned char)*p)) {
      if (fd < 6) {
        frac = frac * 10 + (*p - '0');
        fd++;
      }
      p++;
    }
  }
  if (*p)
    return -1;
  while (fd < 6) {
    frac *= 10;
    fd++;
  }
  int64_t v = whole * 1000000 + frac;
  if (v > (int64_t)limit * 1000000)
    return -1;
  *e6 = neg ? -v : v;
  return 0;
}

void hv_coord_format(int64_t e6, char out[16]) {
  /* coordinates are at most 180 degrees: 4 + 1 + 6 + NUL fits */
  int a = (int)((e6 < 0 ? -e6 : e6) % 1000000000);
  snprintf(out, 16, "%s%d.%06d", e6 < 0 ? "-" : "", a / 1000000, a % 1000000);
}

int hv_areas_parse(char *s, struct hv_facility *f, const char **why) {
  char *save = NULL;
  f->nareas = 0;
  for (char *item = strtok_r(s, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
    while (*item == ' ')
      item++;
    if (!*item)
      continue;
    char *colon = strrchr(item, ':');
    if (!colon) {
      *why = "Write each area as name:public or name:non-public, separated by ;";
      return -1;
    }
    *colon = '\0';
    char *vis = colon + 1;
    while (*vis == ' ')
      vis++;
    size_t vl = strlen(vis);
    while (vl && (vis[vl - 1] == ' ' || vis[vl - 1] == '\t'))
      vis[--vl] = '\0';
    size_t n = strlen(item);
    while (n && item[n - 1] == ' ')
      item[--n] = '\0';
    bool pub;
    if (strcmp(vis, "public") == 0)
      pub = true;
    else if (strcmp(vis, "non-public") == 0)
      pub = false;
    else {
      *why = "An area is either public or non-public.";
      return -1;
    }
    if (f->nareas == HV_AREAS_MAX) {
      *why = "A facility may have at most 50 areas.";
      return -1;
    }
    f->areas[f->nareas].name = item;
    f->areas[f->nareas].is_public = pub;
    f->nareas++;
  }
  return 0;
}
