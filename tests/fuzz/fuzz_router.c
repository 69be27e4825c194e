/* Fuzz target for the router (src/http/router.c): the input is a raw
 * request path, its first byte picking the method. A fixed table with every
 * parameter type is compiled once; each match is checked against the
 * router's promises (a {path} never holds a dot segment, an {int} is
 * digits, HEAD finds GET routes, ...), and a broken promise abort()s so
 * libFuzzer reports it with the input. hv_path_decode is fuzzed on the
 * same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void handler(struct hv_request *rq) { (void)rq; }

#define PUB HV_R_PUBLIC
#define ADMIN HV_ROLE_BIT(HV_ROLE_ADMIN)

static const struct hv_route routes[] = {
    {HV_GET, "/", 0, PUB, 0, handler},
    {HV_GET, "/healthz", 0, PUB | HV_R_LOOPBACK, 0, handler},
    {HV_GET, "/api/v1/items", 0, PUB | HV_R_API, 0, handler},
    {HV_POST, "/api/v1/items", ADMIN, HV_R_CSRF | HV_R_API, 4096, handler},
    {HV_GET, "/api/v1/items/{id:int}", 0, PUB | HV_R_API, 0, handler},
    {HV_PUT, "/api/v1/items/{id:int}", ADMIN, HV_R_CSRF | HV_R_API, 4096, handler},
    {HV_DELETE, "/api/v1/items/{id:int}", ADMIN, HV_R_CSRF | HV_R_API, 0, handler},
    {HV_GET, "/d/{dept:slug}", 0, PUB, 0, handler},
    {HV_GET, "/d/{dept:slug}/items/{id:int}", 0, PUB, 0, handler},
    {HV_POST, "/d/{dept:slug}/items/{id:int}/notes", 0, PUB, 1024, handler},
    {HV_GET, "/n/{name:str}", 0, PUB, 0, handler},
    {HV_POST, "/n/{name:str}/edit", ADMIN, HV_R_CSRF, 1024, handler},
    {HV_GET, "/static/{hash:slug}/{path:path}", 0, PUB | HV_R_CACHED, 0, handler},
    {HV_GET, "/files/{rest:path}", 0, PUB, 0, handler},
    {HV_OPTIONS, "/api/{rest:path}", 0, PUB, 0, handler},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static struct hv_router *router;

static void fail(const char *what, const char *path) {
  fprintf(stderr, "router invariant broken: %s (path \"%s\")\n", what, path);
  abort();
}

static struct hv_router *get_router(void) {
  char err[256];
  if (router)
    return router;
  router = hv_router_new();
  if (!router || hv_router_add(router, routes, NROUTES, err, sizeof err)) {
    fprintf(stderr, "fuzz_router: %s\n", router ? err : "out of memory");
    abort();
  }
  return router;
}

/* The type of parameter `name` in `pattern` ("int", "slug", ...), copied
 * into `type`; 0 when the pattern has no such parameter. */
static int param_type(const char *pattern, const char *name, char *type, size_t cap) {
  size_t nl = strlen(name);
  for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
    const char *colon = strchr(p, ':');
    const char *close = strchr(p, '}');
    if (!colon || !close || colon > close)
      return 0;
    if ((size_t)(colon - p - 1) == nl && memcmp(p + 1, name, nl) == 0) {
      size_t tl = (size_t)(close - colon - 1);
      if (tl >= cap)
        return 0;
      memcpy(type, colon + 1, tl);
      type[tl] = '\0';
      return 1;
    }
  }
  return 0;
}

static size_t count_params(const char *pattern) {
  size_t n = 0;
  for (const char *p = pattern; *p; p++)
    n += *p == '{';
  return n;
}

static void check_text(const char *s, const char *path) {
  size_t n = strlen(s);
  if (!hv_utf8_valid(s, n))
    fail("parameter is not valid UTF-8", path);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      fail("parameter holds a control character", path);
}

static void check_param(const struct hv_route *rt, const struct hv_path_param *pp,
                        const char *path) {
  char type[16];
  if (!pp->name || !pp->str)
    fail("parameter without name or value", path);
  if (!param_type(rt->pattern, pp->name, type, sizeof type))
    fail("parameter not in the pattern", path);
  check_text(pp->str, path);
  size_t n = strlen(pp->str);
  if (strcmp(type, "int") == 0) {
    int64_t v = 0;
    if (n == 0 || n > 18)
      fail("{int} of bad length", path);
    for (size_t i = 0; i < n; i++)
      if (pp->str[i] < '0' || pp->str[i] > '9')
        fail("{int} holds a non-digit", path);
    for (size_t i = 0; i < n; i++)
      v = v * 10 + (pp->str[i] - '0');
    if (v != pp->num || pp->num < 0)
      fail("{int} value differs from its text", path);
  } else if (strcmp(type, "slug") == 0) {
    if (n == 0 || n > 64)
      fail("{slug} of bad length", path);
    for (size_t i = 0; i < n; i++) {
      char c = pp->str[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        fail("{slug} holds a bad character", path);
    }
  } else if (strcmp(type, "str") == 0) {
    if (n == 0 || n > 256 || strchr(pp->str, '/'))
      fail("{str} empty, too long or holding '/'", path);
  } else if (strcmp(type, "path") == 0) {
    if (n == 0 || pp->str[0] == '.' || pp->str[0] == '/' || strstr(pp->str, "/.") ||
        strstr(pp->str, "//"))
      fail("{path} empty, absolute, or holding a dot segment or '//'", path);
  } else {
    fail("unknown parameter type", path);
  }
}

static void check_decode(const uint8_t *data, size_t size) {
  struct hv_arena *a = hv_arena_new(1u << 20);
  if (!a)
    return;
  char *d = hv_path_decode(a, (const char *)data, size);
  if (d) {
    size_t n = strlen(d);
    if (n > size)
      fail("decoded text longer than its input", "(decode)");
    check_text(d, "(decode)");
  }
  hv_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct hv_router *r = get_router();
  if (size == 0)
    return 0;
  check_decode(data + 1, size - 1);

  enum hv_method method = (enum hv_method)(data[0] % HV_METHOD_MAX);
  char *path = malloc(size);
  if (!path)
    return 0;
  memcpy(path, data + 1, size - 1);
  path[size - 1] = '\0';

  struct hv_arena *a = hv_arena_new(0);
  if (!a) {
    free(path);
    return 0;
  }
  const struct hv_route *route = NULL;
  size_t index = (size_t)-1;
  struct hv_path_param params[HV_MAX_PARAMS];
  size_t np = 99;
  char allow[64];
  memset(allow, 'x', sizeof allow);
  enum hv_match m =
      hv_router_match(r, method, path, a, &route, &index, params, &np, allow, sizeof allow);
  size_t plen = strlen(path);

  switch (m) {
  case HV_MATCH_OK:
    if (!route || index >= hv_router_count(r) || hv_router_at(r, index) != route)
      fail("OK without a consistent route and index", path);
    if (route->method != method && !(method == HV_HEAD && route->method == HV_GET))
      fail("route of another method", path);
    if (np != count_params(route->pattern) || np > HV_MAX_PARAMS)
      fail("parameter count differs from the pattern", path);
    if (np == 0 && strcmp(route->pattern, path) != 0)
      fail("a literal route matched another path", path);
    for (size_t i = 0; i < np; i++)
      check_param(route, &params[i], path);
    if (plen == 0 || plen > HV_PATH_MAX_LEN || path[0] != '/')
      fail("OK for a path that is empty, too long or relative", path);
    break;
  case HV_MATCH_BAD_METHOD:
    if (np != 0)
      fail("parameters left after a 405", path);
    if (!memchr(allow, '\0', sizeof allow) || allow[0] == '\0')
      fail("405 without an Allow list", path);
    if (strstr(allow, hv_method_name(method)))
      fail("405 whose Allow list names the method asked for", path);
    break;
  case HV_MATCH_NOT_FOUND:
  case HV_MATCH_BAD_PATH:
    if (np != 0)
      fail("parameters left after a 404 or 400", path);
    break;
  default:
    fail("unknown match result", path);
  }
  if ((plen == 0 || plen > HV_PATH_MAX_LEN || path[0] != '/') && m != HV_MATCH_BAD_PATH)
    fail("empty, too long or relative path not refused", path);

  hv_arena_free(a);
  free(path);
  return 0;
}
