/* Accept-Language (RFC 9110 section 12.5.4) against the served tags. The
 * header is read in place: at most 32 ranges, each up to 35 bytes. */
#include "modules/kyr/lang.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/str.h"

#define RANGES 32
#define RANGE_MAX 36

/* Which served tag a language range means, or -1. */
static int match(const char *range, const char *const *tags, size_t n) {
  static const struct {
    const char *from, *to;
  } aliases[] = {
      {"zh-tw", "zh-Hant"}, {"zh-hk", "zh-Hant"}, {"zh-mo", "zh-Hant"}, {"zh-hant", "zh-Hant"},
      {"zh", "zh-Hans"},    {"zh-cn", "zh-Hans"}, {"zh-sg", "zh-Hans"}, {"zh-hans", "zh-Hans"},
      {"fil", "tl"},        {"iw", "he"},         {"pes", "fa"},        {"prs", "fa"},
  };
  char lower[RANGE_MAX];
  size_t len = strlen(range);
  for (size_t i = 0; i <= len; i++)
    lower[i] = (char)((range[i] >= 'A' && range[i] <= 'Z') ? range[i] + 32 : range[i]);
  /* Chinese: the script or region decides before the primary subtag. */
  for (int pass = 0; pass < 2; pass++) {
    const char *want = lower;
    char prefix[RANGE_MAX];
    if (pass == 1) { /* zh-Hant-TW -> zh-hant, es-419 -> es */
      const char *dash = strchr(lower, '-');
      if (!dash)
        break;
      const char *dash2 = strchr(dash + 1, '-');
      size_t keep = (size_t)((dash2 && strncmp(lower, "zh-", 3) == 0 ? dash2 : dash) - lower);
      memcpy(prefix, lower, keep);
      prefix[keep] = '\0';
      want = prefix;
    }
    for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
      if (strcmp(want, aliases[a].from) == 0)
        want = aliases[a].to;
    for (size_t i = 0; i < n; i++)
      if (strcasecmp(want, tags[i]) == 0)
        return (int)i;
  }
  /* The primary language alone: es-MX -> es, ko-KR -> ko. */
  const char *dash = strchr(lower, '-');
  if (dash && strncmp(lower, "zh-", 3) != 0) {
    char primary[RANGE_MAX];
    size_t keep = (size_t)(dash - lower);
    memcpy(primary, lower, keep);
    primary[keep] = '\0';
    return match(primary, tags, n);
  }
  return -1;
}

/* Parses "q=0.8" (after the range's ';'); -1 when malformed. Thousandths. */
static int qvalue(const char *s, size_t len) {
  while (len && (*s == ' ' || *s == '\t'))
    s++, len--;
  if (len < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
    return -1;
  s += 2;
  len -= 2;
  if (s[0] == '1')
    return 1000;
  if (s[0] != '0')
    return -1;
  int q = 0, scale = 100;
  for (size_t i = 2; i < len && i < 5 && s[1] == '.'; i++, scale /= 10) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    q += (s[i] - '0') * scale;
  }
  return q;
}

int hv_kyr_accept_language(const char *header, const char *const *tags, size_t n) {
  int best = -1, best_q = 0;
  if (!header)
    return -1;
  const char *p = header;
  for (int k = 0; k < RANGES && *p; k++) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *semi = memchr(p, ';', len);
    size_t rlen = semi ? (size_t)(semi - p) : len;
    while (rlen && (*p == ' ' || *p == '\t'))
      p++, rlen--, len--;
    while (rlen && (p[rlen - 1] == ' ' || p[rlen - 1] == '\t'))
      rlen--;
    int q = semi ? qvalue(semi + 1, (size_t)((p + len) - (semi + 1))) : 1000;
    if (rlen > 0 && rlen < RANGE_MAX && q > best_q) {
      char range[RANGE_MAX];
      memcpy(range, p, rlen);
      range[rlen] = '\0';
      int i = strcmp(range, "*") == 0 ? -1 : match(range, tags, n);
      if (i >= 0) {
        best = i;
        best_q = q;
      }
    }
    if (!end)
      break;
    p = end + 1;
  }
  return best;
}
