/* Router: compiled patterns and segment-wise matching. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"

enum seg_kind { SEG_LIT, SEG_INT, SEG_SLUG, SEG_STR, SEG_PATH };

struct seg {
  enum seg_kind kind;
  char text[64]; /* literal text or parameter name */
};

struct compiled {
  const struct hv_route *route;
  size_t nseg;
  struct seg segs[HV_SEGMENTS_MAX];
};

struct hv_router {
  struct compiled *routes;
  size_t n;
};

struct hv_router *hv_router_new(void) {
  struct hv_router *r = calloc(1, sizeof(*r));
  if (r && !(r->routes = calloc(HV_ROUTES_MAX, sizeof(struct compiled)))) {
    free(r);
    r = NULL;
  }
  return r;
}

void hv_router_free(struct hv_router *r) {
  if (!r)
    return;
  free(r->routes);
  free(r);
}

size_t hv_router_count(const struct hv_router *r) { return r->n; }
const struct hv_route *hv_router_at(const struct hv_router *r, size_t i) { return r->routes[i].route; }

static int compile(const struct hv_route *rt, struct compiled *c, char *err, size_t errlen) {
  const char *p = rt->pattern;
  c->route = rt;
  c->nseg = 0;
  if (!p || p[0] != '/') {
    snprintf(err, errlen, "route %s: pattern must start with /", p ? p : "(null)");
    return -1;
  }
  if (strcmp(p, "/") == 0)
    return 0;
  p++;
  while (*p) {
    const char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0 || len >= sizeof c->segs[0].text || c->nseg == HV_SEGMENTS_MAX) {
      snprintf(err, errlen, "route %s: empty, long or too many segments", rt->pattern);
      return -1;
    }
    struct seg *s = &c->segs[c->nseg++];
    if (p[0] == '{') {
      const char *colon = memchr(p, ':', len);
      if (p[len - 1] != '}' || !colon) {
        snprintf(err, errlen, "route %s: parameters are written {name:type}", rt->pattern);
        return -1;
      }
      size_t nl = (size_t)(colon - p - 1);
      size_t tl = (size_t)(p + len - 1 - colon - 1);
      const char *type = colon + 1;
      memcpy(s->text, p + 1, nl);
      s->text[nl] = '\0';
      if (tl == 3 && strncmp(type, "int", 3) == 0)
        s->kind = SEG_INT;
      else if (tl == 4 && strncmp(type, "slug", 4) == 0)
        s->kind = SEG_SLUG;
      else if (tl == 3 && strncmp(type, "str", 3) == 0)
        s->kind = SEG_STR;
      else if (tl == 4 && strncmp(type, "path", 4) == 0)
        s->kind = SEG_PATH;
      else {
        snprintf(err, errlen, "route %s: unknown parameter type", rt->pattern);
        return -1;
      }
      if (nl == 0 || (s->kind == SEG_PATH && end)) {
        snprintf(err, errlen, "route %s: unnamed parameter or {path} not last", rt->pattern);
        return -1;
      }
    } else {
      s->kind = SEG_LIT;
      memcpy(s->text, p, len);
      s->text[len] = '\0';
    }
    p += len;
    if (*p == '/')
      p++;
    if (end && *p == '\0') {
      snprintf(err, errlen, "route %s: trailing slash", rt->pattern);
      return -1;
    }
  }
  return 0;
}

int hv_router_add(struct hv_router *r, const struct hv_route *routes, size_t n, char *err,
                  size_t errlen) {
  for (size_t i = 0; i < n; i++) {
    const struct hv_route *rt = &routes[i];
    if (r->n == HV_ROUTES_MAX) {
      snprintf(err, errlen, "too many routes");
      return -1;
    }
    if (!rt->fn || rt->method >= HV_METHOD_MAX) {
      snprintf(err, errlen, "route %s: no handler or bad method", rt->pattern);
      return -1;
    }
    if (!(rt->flags & HV_R_PUBLIC) == !rt->roles) {
      snprintf(err, errlen, "route %s %s: must declare roles or HV_R_PUBLIC, not both or neither",
               hv_method_name(rt->method), rt->pattern);
      return -1;
    }
    if ((rt->flags & HV_R_ANON) && (!(rt->flags & HV_R_PUBLIC) || (rt->flags & HV_R_CSRF))) {
      snprintf(err, errlen, "route %s %s: HV_R_ANON is only for public routes without CSRF",
               hv_method_name(rt->method), rt->pattern);
      return -1;
    }
    if ((rt->flags & HV_R_WEBHOOK) &&
        ((rt->flags & (HV_R_PUBLIC | HV_R_ANON)) != (HV_R_PUBLIC | HV_R_ANON) ||
         (rt->flags & HV_R_CSRF))) {
      snprintf(err, errlen, "route %s %s: HV_R_WEBHOOK is only with HV_R_PUBLIC | HV_R_ANON",
               hv_method_name(rt->method), rt->pattern);
      return -1;
    }
    if (rt->method != HV_GET && rt->method != HV_HEAD && !(rt->flags & HV_R_CSRF) &&
        !(rt->flags & HV_R_PUBLIC)) {
      snprintf(err, errlen, "route %s %s: signed-in state changes must check CSRF",
               hv_method_name(rt->method), rt->pattern);
      return -1;
    }
    if (compile(rt, &r->routes[r->n], err, errlen))
      return -1;
    r->n++;
  }
  return 0;
}

char *hv_path_decode(struct hv_arena *a, const char *s, size_t n) {
  char *out = hv_arena_alloc(a, n + 1);
  size_t o = 0;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      int hi, lo;
      if (i + 2 >= n)
        return NULL;
      hi = hv_hexval(s[i + 1]);
      lo = hv_hexval(s[i + 2]);
      if (hi < 0 || lo < 0)
        return NULL;
      out[o++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  for (size_t i = 0; i < o; i++)
    if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
      return NULL;
  return hv_utf8_valid(out, o) ? out : NULL;
}

struct pseg {
  const char *p;
  size_t len;
};

static bool match_kind(enum seg_kind k, const char *v) {
  size_t n = strlen(v);
  switch (k) {
  case SEG_INT:
    if (n == 0 || n > 18)
      return false;
    for (size_t i = 0; i < n; i++)
      if (v[i] < '0' || v[i] > '9')
        return false;
    return true;
  case SEG_SLUG:
    if (n == 0 || n > 64)
      return false;
    for (size_t i = 0; i < n; i++)
      if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
            v[i] == '_'))
        return false;
    return true;
  case SEG_STR:
    return n > 0 && n <= 256 && !strchr(v, '/');
  default:
    return true;
  }
}

/* Does compiled route c match the segments? Fills params when it does. */
static int try_route(const struct compiled *c, const struct pseg *segs, size_t nseg,
                     struct hv_arena *a, struct hv_path_param *params, size_t *nparams) {
  size_t np = 0;
  size_t i;
  if (c->nseg == 0)
    return nseg == 0;
  for (i = 0; i < c->nseg; i++) {
    const struct seg *s = &c->segs[i];
    if (s->kind == SEG_PATH) {
      if (i >= nseg)
        return 0;
      /* the rest of the path; no dot segments or hidden names */
      for (size_t j = i; j < nseg; j++)
        if (segs[j].len == 0 || segs[j].p[0] == '.')
          return 0;
      const char *start = segs[i].p;
      const char *end = segs[nseg - 1].p + segs[nseg - 1].len;
      char *v = hv_path_decode(a, start, (size_t)(end - start));
      /* An escaped slash ("%2F") may not make it absolute: openat() and
       * path joins would then leave the folder the route serves. */
      if (!v || strstr(v, "/.") || strstr(v, "//") || v[0] == '.' || v[0] == '/')
        return v ? 0 : -1;
      if (np == HV_MAX_PARAMS)
        return 0;
      params[np++] = (struct hv_path_param){s->text, v, 0};
      *nparams = np;
      return 1;
    }
    if (i >= nseg)
      return 0;
    if (s->kind == SEG_LIT) {
      if (strlen(s->text) != segs[i].len || memcmp(s->text, segs[i].p, segs[i].len) != 0)
        return 0;
      continue;
    }
    char *v = hv_path_decode(a, segs[i].p, segs[i].len);
    if (!v)
      return -1;
    if (!match_kind(s->kind, v) || np == HV_MAX_PARAMS)
      return 0;
    int64_t num = 0;
    if (s->kind == SEG_INT && hv_parse_i64(v, 0, INT64_MAX, &num))
      return 0;
    params[np++] = (struct hv_path_param){s->text, v, num};
  }
  if (i != nseg)
    return 0;
  *nparams = np;
  return 1;
}

enum hv_match hv_router_match(const struct hv_router *r, enum hv_method method, const char *path,
                              struct hv_arena *a, const struct hv_route **route, size_t *index,
                              struct hv_path_param *params, size_t *nparams, char *allow,
                              size_t allowlen) {
  struct pseg segs[HV_SEGMENTS_MAX];
  size_t nseg = 0;
  size_t plen = strlen(path);
  unsigned allowed = 0;
  *nparams = 0;
  if (plen == 0 || plen > HV_PATH_MAX_LEN || path[0] != '/')
    return HV_MATCH_BAD_PATH;
  if (plen > 1) {
    const char *p = path + 1;
    while (1) {
      const char *end = strchr(p, '/');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      if (nseg == HV_SEGMENTS_MAX)
        return HV_MATCH_NOT_FOUND;
      segs[nseg++] = (struct pseg){p, len};
      if (!end)
        break;
      p = end + 1;
    }
    for (size_t i = 0; i < nseg; i++)
      if (segs[i].len == 0)
        return HV_MATCH_NOT_FOUND; /* "//" or a trailing slash */
  }
  enum hv_method want = method == HV_HEAD ? HV_GET : method;
  for (size_t i = 0; i < r->n; i++) {
    const struct compiled *c = &r->routes[i];
    size_t np = 0;
    int m = try_route(c, segs, nseg, a, params, &np);
    if (m < 0)
      return HV_MATCH_BAD_PATH;
    if (m == 0)
      continue;
    if (c->route->method == want || c->route->method == method) {
      *route = c->route;
      *index = i;
      *nparams = np;
      return HV_MATCH_OK;
    }
    allowed |= 1u << c->route->method;
  }
  if (!allowed)
    return HV_MATCH_NOT_FOUND;
  if (allowed & (1u << HV_GET))
    allowed |= 1u << HV_HEAD;
  size_t o = 0;
  allow[0] = '\0';
  for (int m = 0; m < HV_METHOD_MAX; m++) {
    if (!(allowed & (1u << m)))
      continue;
    int w = snprintf(allow + o, allowlen - o, "%s%s", o ? ", " : "", hv_method_name(m));
    if (w < 0 || (size_t)w >= allowlen - o) {
      allow[o] = '\0'; /* whole method names only, never "HE" */
      break;
    }
    o += (size_t)w;
  }
  *nparams = 0;
  return HV_MATCH_BAD_METHOD;
}
