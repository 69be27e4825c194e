/* Header parsers. */
#include "http/headers.h"

#include <string.h>
#include <strings.h>

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

int hv_cookie_get(const char *h, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  if (!h || nl == 0)
    return -1;
  const char *p = h;
  while (*p) {
    p = skip_ws(p);
    const char *eq = p;
    while (*eq && *eq != '=' && *eq != ';')
      eq++;
    const char *vend = strchr(eq, ';');
    if (!vend)
      vend = eq + strlen(eq);
    if (*eq == '=' && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
      const char *v = eq + 1;
      const char *ve = vend;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
      if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
        v++;
        ve--;
      }
      size_t vl = (size_t)(ve - v);
      if (vl + 1 > cap)
        return -2;
      memcpy(out, v, vl);
      out[vl] = '\0';
      return (int)vl;
    }
    p = *vend ? vend + 1 : vend;
  }
  return -1;
}

/* Parses the q value after a token's parameters; 1000 for q=1. */
static int qvalue(const char *params, const char *end) {
  const char *p = params;
  while (p < end) {
    p = skip_ws(p);
    if (p + 2 <= end && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      p += 2;
      if (p < end && *p == '1')
        return 1000;
      if (p < end && *p == '0') {
        int q = 0, scale = 100;
        p++;
        if (p < end && *p == '.') {
          p++;
          while (p < end && *p >= '0' && *p <= '9' && scale) {
            q += (*p - '0') * scale;
            scale /= 10;
            p++;
          }
        }
        return q;
      }
      return 0;
    }
    const char *semi = memchr(p, ';', (size_t)(end - p));
    if (!semi)
      break;
    p = semi + 1;
  }
  return 1000;
}

bool hv_accepts_gzip(const char *h) {
  int gzip = -1, star = -1;
  if (!h)
    return false;
  const char *p = h;
  while (*p) {
    p = skip_ws(p);
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    const char *tend = p;
    while (tend < end && *tend != ';' && *tend != ' ' && *tend != '\t')
      tend++;
    const char *params = memchr(p, ';', (size_t)(end - p));
    int q = params ? qvalue(params + 1, end) : 1000;
    size_t tl = (size_t)(tend - p);
    if ((tl == 4 && strncasecmp(p, "gzip", 4) == 0) || (tl == 6 && strncasecmp(p, "x-gzip", 6) == 0))
      gzip = q;
    else if (tl == 1 && *p == '*')
      star = q;
    p = *end ? end + 1 : end;
  }
  if (gzip >= 0)
    return gzip > 0;
  return star > 0;
}

bool hv_etag_match(const char *h, const char *etag) {
  size_t el = strlen(etag);
  if (!h)
    return false;
  const char *p = skip_ws(h);
  if (p[0] == '*' && *skip_ws(p + 1) == '\0')
    return true;
  while (*p) {
    p = skip_ws(p);
    if (p[0] == 'W' && p[1] == '/')
      p += 2;
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    const char *te = end;
    while (te > p && (te[-1] == ' ' || te[-1] == '\t'))
      te--;
    if ((size_t)(te - p) == el && memcmp(p, etag, el) == 0)
      return true;
    p = *end ? end + 1 : end;
  }
  return false;
}
