/* Unit tests for src/http/router.c: parameter kinds, 404 against 405 with
 * its Allow list, HEAD, strict paths (no trailing slash, no "//", strict
 * percent-decoding, no dot segments in {path}) and the start-up checks on
 * route tables (deny by default, CSRF on signed-in state changes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"

static void h_a(struct hv_request *rq) { (void)rq; }
static void h_b(struct hv_request *rq) { (void)rq; }

#define ADMIN HV_ROLE_BIT(HV_ROLE_ADMIN)

static const struct hv_route table[] = {
    {HV_GET, "/", 0, HV_R_PUBLIC, 0, h_a},
    {HV_GET, "/health", 0, HV_R_PUBLIC, 0, h_a},
    {HV_GET, "/items/{id:int}", ADMIN, 0, 0, h_a},
    {HV_POST, "/items/{id:int}", ADMIN, HV_R_CSRF, 1024, h_b},
    {HV_DELETE, "/items/{id:int}", ADMIN, HV_R_CSRF, 0, h_b},
    {HV_GET, "/items/{id:int}/notes/{n:int}", ADMIN, 0, 0, h_a},
    {HV_GET, "/depts/{code:slug}", 0, HV_R_PUBLIC, 0, h_a},
    {HV_GET, "/search/{q:str}", 0, HV_R_PUBLIC, 0, h_a},
    {HV_GET, "/static/{hash:slug}/{file:path}", 0, HV_R_PUBLIC, 0, h_a},
    {HV_POST, "/login", 0, HV_R_PUBLIC, 4096, h_b},
};
#define NTABLE (sizeof table / sizeof table[0])

struct match {
  enum hv_match m;
  const struct hv_route *route;
  size_t index;
  struct hv_path_param params[HV_MAX_PARAMS];
  size_t nparams;
  char allow[128];
};

static struct hv_router *router;
static struct hv_arena *arena;

static int setup(void **state) {
  (void)state;
  char err[256] = "";
  router = hv_router_new();
  arena = hv_arena_new(0);
  if (!router || !arena || hv_router_add(router, table, NTABLE, err, sizeof err)) {
    print_error("setup: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  hv_router_free(router);
  hv_arena_free(arena);
  return 0;
}

static struct match run(enum hv_method method, const char *path) {
  struct match r;
  memset(&r, 0, sizeof r);
  r.index = 999;
  r.m = hv_router_match(router, method, path, arena, &r.route, &r.index, r.params, &r.nparams,
                        r.allow, sizeof r.allow);
  return r;
}

static void literal_routes(void **state) {
  (void)state;
  assert_int_equal(hv_router_count(router), NTABLE);
  struct match r = run(HV_GET, "/");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[0]);
  assert_int_equal(r.index, 0);
  assert_int_equal(r.nparams, 0);
  r = run(HV_GET, "/health");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[1]);
  assert_int_equal(r.index, 1);
  assert_ptr_equal(hv_router_at(router, 1), &table[1]);
  assert_int_equal(run(HV_GET, "/Health").m, HV_MATCH_NOT_FOUND); /* case matters */
  assert_int_equal(run(HV_GET, "/healthz").m, HV_MATCH_NOT_FOUND);
  assert_int_equal(run(HV_GET, "/health/x").m, HV_MATCH_NOT_FOUND);
  assert_int_equal(run(HV_GET, "/nowhere").m, HV_MATCH_NOT_FOUND);
}

static void int_params(void **state) {
  (void)state;
  struct match r = run(HV_GET, "/items/42");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[2]);
  assert_int_equal(r.nparams, 1);
  assert_string_equal(r.params[0].name, "id");
  assert_string_equal(r.params[0].str, "42");
  assert_int_equal(r.params[0].num, 42);
  r = run(HV_GET, "/items/7/notes/900000000000000000");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[5]);
  assert_int_equal(r.nparams, 2);
  assert_int_equal(r.params[0].num, 7);
  assert_string_equal(r.params[1].name, "n");
  assert_true(r.params[1].num == 900000000000000000LL);
  r = run(HV_GET, "/items/0");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_int_equal(r.params[0].num, 0);
  static const char *bad[] = {"/items/-1", "/items/+1", "/items/1x", "/items/x", "/items/1.0",
                              "/items/1234567890123456789", "/items/%20"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = run(HV_GET, bad[i]);
    if (r.m != HV_MATCH_NOT_FOUND)
      fail_msg("%s gave %d", bad[i], r.m);
  }
  /* an encoded digit decodes to a digit */
  r = run(HV_GET, "/items/%34%32");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_int_equal(r.params[0].num, 42);
}

static void slug_and_str_params(void **state) {
  (void)state;
  struct match r = run(HV_GET, "/depts/public-works_2");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_string_equal(r.params[0].name, "code");
  assert_string_equal(r.params[0].str, "public-works_2");
  static const char *bad_slugs[] = {"/depts/Public", "/depts/a.b", "/depts/a%20b", "/depts/é",
                                    "/depts/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  for (size_t i = 0; i < sizeof bad_slugs / sizeof bad_slugs[0]; i++)
    assert_int_equal(run(HV_GET, bad_slugs[i]).m, HV_MATCH_NOT_FOUND);
  r = run(HV_GET, "/search/caf%C3%A9%20au+lait");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_string_equal(r.params[0].name, "q");
  assert_string_equal(r.params[0].str, "café au+lait"); /* '+' is not a space in paths */
  r = run(HV_GET, "/search/%D9%85%D8%B1%D8%AD%D8%A8%D8%A7");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_string_equal(r.params[0].str, "مرحبا");
  /* an encoded slash may not smuggle a separator into {str} */
  assert_int_equal(run(HV_GET, "/search/a%2Fb").m, HV_MATCH_NOT_FOUND);
}

static void path_params(void **state) {
  (void)state;
  struct match r = run(HV_GET, "/static/abc123/uswds/css/uswds.min.css");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_int_equal(r.nparams, 2);
  assert_string_equal(r.params[0].name, "hash");
  assert_string_equal(r.params[0].str, "abc123");
  assert_string_equal(r.params[1].name, "file");
  assert_string_equal(r.params[1].str, "uswds/css/uswds.min.css");
  r = run(HV_GET, "/static/abc/a%20b.css");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_string_equal(r.params[1].str, "a b.css");
  assert_int_equal(run(HV_GET, "/static/abc").m, HV_MATCH_NOT_FOUND); /* {path} is not empty */
}

static void dot_segments_refused_in_path(void **state) {
  (void)state;
  static const char *bad[] = {
      "/static/h/../../etc/passwd", "/static/h/a/../b", "/static/h/./a", "/static/h/.hidden",
      "/static/h/a/.git/config",    "/static/h/%2e%2e/secret",  "/static/h/%2E%2E%2Fsecret",
      "/static/h/a%2F..%2Fb",       "/static/h/a/%2e/b",        "/static/h/a%2F%2Fb",
      "/static/h/%2fetc",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct match r = run(HV_GET, bad[i]);
    if (r.m == HV_MATCH_OK)
      fail_msg("%s matched with file=%s", bad[i], r.params[1].str);
  }
  /* dots inside names are fine */
  struct match r = run(HV_GET, "/static/h/a.b/c..d.css");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_string_equal(r.params[1].str, "a.b/c..d.css");
}

static void method_not_allowed_lists_allow(void **state) {
  (void)state;
  struct match r = run(HV_PUT, "/items/5");
  assert_int_equal(r.m, HV_MATCH_BAD_METHOD);
  assert_string_equal(r.allow, "GET, HEAD, POST, DELETE");
  assert_int_equal(r.nparams, 0);
  r = run(HV_GET, "/login");
  assert_int_equal(r.m, HV_MATCH_BAD_METHOD);
  assert_string_equal(r.allow, "POST"); /* no HEAD without GET */
  r = run(HV_HEAD, "/login");
  assert_int_equal(r.m, HV_MATCH_BAD_METHOD);
  assert_string_equal(r.allow, "POST");
  r = run(HV_POST, "/health");
  assert_int_equal(r.m, HV_MATCH_BAD_METHOD);
  assert_string_equal(r.allow, "GET, HEAD");
  /* a path no route matches is 404 whatever the method */
  assert_int_equal(run(HV_PUT, "/nowhere").m, HV_MATCH_NOT_FOUND);
  /* a path matching no route's parameters is 404, not 405 */
  assert_int_equal(run(HV_PUT, "/items/x").m, HV_MATCH_NOT_FOUND);
}

static void allow_list_truncates_safely(void **state) {
  (void)state;
  struct match r;
  char small[8];
  memset(small, 'z', sizeof small);
  r.m = hv_router_match(router, HV_PUT, "/items/5", arena, &r.route, &r.index, r.params,
                        &r.nparams, small, sizeof small);
  assert_int_equal(r.m, HV_MATCH_BAD_METHOD);
  assert_true(memchr(small, '\0', sizeof small) != NULL);
  assert_string_equal(small, "GET"); /* whole names only */
}

static void head_matches_get(void **state) {
  (void)state;
  struct match r = run(HV_HEAD, "/items/9");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[2]);
  assert_int_equal(r.params[0].num, 9);
  r = run(HV_POST, "/items/9");
  assert_int_equal(r.m, HV_MATCH_OK);
  assert_ptr_equal(r.route, &table[3]);
  r = run(HV_DELETE, "/items/9");
  assert_ptr_equal(r.route, &table[4]);
}

static void trailing_slash_and_empty_segments(void **state) {
  (void)state;
  static const char *bad[] = {"/health/", "//health", "/items//5", "/items/5/", "//",
                              "/static/h/a//b", "/static/h/a/"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct match r = run(HV_GET, bad[i]);
    if (r.m != HV_MATCH_NOT_FOUND)
      fail_msg("%s gave %d", bad[i], r.m);
  }
}

static void bad_paths(void **state) {
  (void)state;
  static const char *bad[] = {
      "",                  /* empty */
      "health",            /* not absolute */
      "/search/%",         /* truncated escape */
      "/search/%4",        /* truncated escape */
      "/search/%zz",       /* not hex */
      "/search/%4g",       /* half hex */
      "/search/%C3",       /* decodes to invalid UTF-8 */
      "/search/%C0%AF",    /* overlong */
      "/search/%ED%A0%80", /* surrogate */
      "/search/%00",       /* NUL */
      "/search/a%0Ab",     /* control character */
      "/search/%7F",       /* DEL */
      "/items/%zz",        /* int segments are decoded too */
      "/static/h/a%zz",    /* and {path} */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct match r = run(HV_GET, bad[i]);
    if (r.m != HV_MATCH_BAD_PATH)
      fail_msg("'%s' gave %d", bad[i], r.m);
  }
  char longp[HV_PATH_MAX_LEN + 10];
  longp[0] = '/';
  memset(longp + 1, 'a', sizeof longp - 2);
  longp[sizeof longp - 1] = '\0';
  assert_int_equal(run(HV_GET, longp).m, HV_MATCH_BAD_PATH);
  /* too many segments: nothing can match */
  char many[200] = "";
  for (int i = 0; i < 40; i++)
    strcat(many, "/a");
  assert_int_equal(run(HV_GET, many).m, HV_MATCH_NOT_FOUND);
}

static void path_decode(void **state) {
  (void)state;
  struct hv_arena *a = hv_arena_new(0);
  assert_string_equal(hv_path_decode(a, "a%41%2f+b", 9), "aA/+b");
  assert_string_equal(hv_path_decode(a, "", 0), "");
  assert_string_equal(hv_path_decode(a, "%41%42x", 6), "AB"); /* only n bytes */
  assert_null(hv_path_decode(a, "%41%4", 5));
  assert_null(hv_path_decode(a, "%", 1));
  assert_null(hv_path_decode(a, "%-1", 3));
  assert_null(hv_path_decode(a, "a\tb", 3));
  assert_null(hv_path_decode(a, "\xff", 1));
  hv_arena_free(a);
}

static char adderr[256];

static int add_one(const struct hv_route *rt) {
  struct hv_router *r = hv_router_new();
  adderr[0] = '\0';
  int rc = hv_router_add(r, rt, 1, adderr, sizeof adderr);
  if (rc == 0)
    assert_int_equal(hv_router_count(r), 1);
  hv_router_free(r);
  return rc;
}

static void add_requires_roles_or_public(void **state) {
  (void)state;
  struct hv_route neither = {HV_GET, "/x", 0, 0, 0, h_a};
  assert_int_equal(add_one(&neither), -1);
  assert_non_null(strstr(adderr, "/x"));
  assert_non_null(strstr(adderr, "HV_R_PUBLIC"));
  struct hv_route both = {HV_GET, "/x", ADMIN, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&both), -1);
  struct hv_route csrf_only = {HV_GET, "/x", 0, HV_R_CSRF, 0, h_a};
  assert_int_equal(add_one(&csrf_only), -1);
  struct hv_route roles = {HV_GET, "/x", ADMIN, 0, 0, h_a};
  assert_int_equal(add_one(&roles), 0);
  struct hv_route pub = {HV_GET, "/x", 0, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&pub), 0);
}

static void add_requires_csrf_on_signed_in_changes(void **state) {
  (void)state;
  enum hv_method changes[] = {HV_POST, HV_PUT, HV_PATCH, HV_DELETE};
  for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
    struct hv_route rt = {changes[i], "/x", ADMIN, 0, 0, h_a};
    assert_int_equal(add_one(&rt), -1);
    assert_non_null(strstr(adderr, "CSRF"));
    rt.flags = HV_R_CSRF;
    assert_int_equal(add_one(&rt), 0);
  }
  struct hv_route public_post = {HV_POST, "/x", 0, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&public_post), 0);
  struct hv_route head = {HV_HEAD, "/x", ADMIN, 0, 0, h_a};
  assert_int_equal(add_one(&head), 0);
}

/* A webhook is public to the session layer and anonymous, never with
 * roles or CSRF: its only credential is the shared secret the server
 * checks before the handler. */
static void add_webhook_only_public_anonymous(void **state) {
  (void)state;
  struct hv_route ok = {HV_POST, "/x", 0, HV_R_PUBLIC | HV_R_ANON | HV_R_WEBHOOK, 0, h_a};
  assert_int_equal(add_one(&ok), 0);
  struct hv_route not_anon = {HV_POST, "/x", 0, HV_R_PUBLIC | HV_R_WEBHOOK, 0, h_a};
  assert_int_equal(add_one(&not_anon), -1);
  assert_non_null(strstr(adderr, "HV_R_WEBHOOK"));
  struct hv_route with_roles = {HV_POST, "/x", ADMIN, HV_R_CSRF | HV_R_WEBHOOK, 0, h_a};
  assert_int_equal(add_one(&with_roles), -1);
}

static void add_refuses_malformed(void **state) {
  (void)state;
  static const char *bad[] = {
      "",          "x",           "/a/",          "/a//b",         "//",
      "/{id}",     "/{:int}",     "/{id:float}",  "/{id:int",      "/{id:int}}",
      "/{p:path}/x", "/a/{id:}",  "/{id:Int}",
      "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct hv_route rt = {HV_GET, bad[i], 0, HV_R_PUBLIC, 0, h_a};
    if (add_one(&rt) != -1)
      fail_msg("pattern '%s' was accepted", bad[i]);
    assert_true(adderr[0] != '\0');
  }
  struct hv_route null_pattern = {HV_GET, NULL, 0, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&null_pattern), -1);
  struct hv_route no_handler = {HV_GET, "/x", 0, HV_R_PUBLIC, 0, NULL};
  assert_int_equal(add_one(&no_handler), -1);
  struct hv_route bad_method = {HV_METHOD_MAX, "/x", 0, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&bad_method), -1);
  /* 33 segments is past HV_SEGMENTS_MAX */
  char many[200] = "";
  for (int i = 0; i < HV_SEGMENTS_MAX + 1; i++)
    strcat(many, "/a");
  struct hv_route deep = {HV_GET, many, 0, HV_R_PUBLIC, 0, h_a};
  assert_int_equal(add_one(&deep), -1);
}

static void add_stops_at_first_bad_route(void **state) {
  (void)state;
  struct hv_route rts[] = {
      {HV_GET, "/ok", 0, HV_R_PUBLIC, 0, h_a},
      {HV_GET, "/bad/", 0, HV_R_PUBLIC, 0, h_a},
      {HV_GET, "/never", 0, HV_R_PUBLIC, 0, h_a},
  };
  char err[256];
  struct hv_router *r = hv_router_new();
  assert_int_equal(hv_router_add(r, rts, 3, err, sizeof err), -1);
  assert_non_null(strstr(err, "/bad/"));
  assert_int_equal(hv_router_count(r), 1);
  hv_router_free(r);
  hv_router_free(NULL);
}

static void first_matching_route_wins(void **state) {
  (void)state;
  struct hv_route rts[] = {
      {HV_GET, "/a/new", 0, HV_R_PUBLIC, 0, h_a},
      {HV_GET, "/a/{s:slug}", 0, HV_R_PUBLIC, 0, h_b},
  };
  char err[256];
  struct hv_router *r = hv_router_new();
  assert_int_equal(hv_router_add(r, rts, 2, err, sizeof err), 0);
  const struct hv_route *rt;
  size_t idx, np;
  struct hv_path_param ps[HV_MAX_PARAMS];
  char allow[64];
  assert_int_equal(hv_router_match(r, HV_GET, "/a/new", arena, &rt, &idx, ps, &np, allow, 64),
                   HV_MATCH_OK);
  assert_ptr_equal(rt, &rts[0]);
  assert_int_equal(np, 0);
  assert_int_equal(hv_router_match(r, HV_GET, "/a/old", arena, &rt, &idx, ps, &np, allow, 64),
                   HV_MATCH_OK);
  assert_ptr_equal(rt, &rts[1]);
  assert_int_equal(idx, 1);
  assert_string_equal(ps[0].str, "old");
  hv_router_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(literal_routes),
      cmocka_unit_test(int_params),
      cmocka_unit_test(slug_and_str_params),
      cmocka_unit_test(path_params),
      cmocka_unit_test(dot_segments_refused_in_path),
      cmocka_unit_test(method_not_allowed_lists_allow),
      cmocka_unit_test(allow_list_truncates_safely),
      cmocka_unit_test(head_matches_get),
      cmocka_unit_test(trailing_slash_and_empty_segments),
      cmocka_unit_test(bad_paths),
      cmocka_unit_test(path_decode),
      cmocka_unit_test(add_requires_roles_or_public),
      cmocka_unit_test(add_requires_csrf_on_signed_in_changes),
      cmocka_unit_test(add_webhook_only_public_anonymous),
      cmocka_unit_test(add_refuses_malformed),
      cmocka_unit_test(add_stops_at_first_bad_route),
      cmocka_unit_test(first_matching_route_wins),
  };
  return cmocka_run_group_tests_name("http/router", tests, setup, teardown);
}
