/* Fuzz target for the template engine (src/http/template.c): the input is
 * template text, then a NUL byte, then a JSON context. The template is
 * compiled next to fixed partials ("p" includes itself, so the
 * depth limit must stop it) and rendered into a bounded buffer.
 *
 * Rendering cost is the product of the section and partial nesting and the
 * array sizes, and a section with an empty body emits nothing for the
 * buffer cap to stop, so inputs that could multiply past a few hundred
 * thousand steps are compiled but not rendered, and the fuzzed template is
 * named "fuzz main", which no {{> }} tag can name, so it cannot include
 * itself. Templates are written by us and embedded; only their contexts
 * come from data. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX 65536
#define MAIN "fuzz main"
#define MAX_NESTING_TAGS 6 /* {{# and {{^ in MAIN */
#define MAX_ARRAY_ITEMS 8  /* all arrays of the context together */

static void fail(const char *what) {
  fprintf(stderr, "template invariant broken: %s\n", what);
  abort();
}

static size_t array_items(const json_t *v) {
  size_t n = 0, i;
  const char *k;
  json_t *x;
  if (json_is_array(v)) {
    n = json_array_size(v);
    json_array_foreach(v, i, x) n += array_items(x);
  } else if (json_is_object(v)) {
    json_object_foreach((json_t *)v, k, x) n += array_items(x);
  }
  return n;
}

static size_t nesting_tags(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i + 2 < n; i++)
    if (s[i] == '{' && s[i + 1] == '{') {
      size_t j = i + 2;
      while (j < n && (s[j] == '{' || s[j] == ' ' || s[j] == '\t'))
        j++;
      if (j < n && (s[j] == '#' || s[j] == '^'))
        c++;
    }
  return c;
}

static void add(struct hv_tpl_set *set, const char *name, const char *src) {
  char err[256];
  if (hv_tpl_add(set, name, src, strlen(src), err, sizeof err)) {
    fprintf(stderr, "fuzz_template: fixed template refused: %s\n", err);
    abort();
  }
}

static void check_render(const struct hv_tpl_set *set, const char *name, const json_t *ctx,
                         size_t max) {
  struct hv_buf out;
  hv_buf_init(&out, max);
  int rc = hv_tpl_render(set, name, ctx, &out);
  if (out.len > max || (out.data && out.data[out.len] != '\0'))
    fail("output past the buffer's maximum or not NUL-terminated");
  if (rc != 0 && rc != -1)
    fail("render returned something other than 0 or -1");
  hv_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *src = (const char *)data;
  const uint8_t *nul = memchr(data, '\0', size);
  size_t tlen = nul ? (size_t)(nul - data) : size;
  json_t *ctx = NULL;
  char err[256];

  if (nul) {
    json_error_t je;
    ctx = json_loadb((const char *)nul + 1, size - tlen - 1, JSON_DECODE_ANY, &je);
  }
  if (!ctx)
    ctx = json_pack("{s:s, s:i, s:b, s:[s,s], s:{s:s}, s:n}", "name", "<Haven & co>", "n", 3,
                    "flag", 1, "items", "a", "b", "user", "name", "Ana", "none");
  if (!ctx)
    return 0;

  struct hv_tpl_set *set = hv_tpl_set_new();
  if (!set) {
    json_decref(ctx);
    return 0;
  }
  add(set, "p", "[{{name}}{{>p}}]");
  add(set, "row", "<li>{{.}}</li>");
  add(set, "user", "{{#user}}<b>{{name}}</b>{{/user}}");

  memset(err, 0, sizeof err);
  int rc = hv_tpl_add(set, MAIN, src, tlen, err, sizeof err);
  if (rc != 0 && rc != -1)
    fail("hv_tpl_add returned something other than 0 or -1");
  if (rc == -1 && (err[0] == '\0' || !memchr(err, '\0', sizeof err)))
    fail("refused without a message");
  if (rc == 0 && !hv_tpl_has(set, MAIN))
    fail("added but not found");
  if (rc == -1 && hv_tpl_has(set, MAIN))
    fail("refused but found");

  /* The self-including partial must stop at the depth limit. */
  {
    struct hv_buf out;
    hv_buf_init(&out, OUT_MAX);
    if (hv_tpl_render(set, "p", ctx, &out) != -1)
      fail("a partial that includes itself rendered");
    hv_buf_free(&out);
  }

  if (rc == 0 && nesting_tags(src, tlen) <= MAX_NESTING_TAGS &&
      array_items(ctx) <= MAX_ARRAY_ITEMS) {
    check_render(set, MAIN, ctx, OUT_MAX);
    check_render(set, MAIN, ctx, 16);
    check_render(set, MAIN, NULL, OUT_MAX);
  }

  hv_tpl_set_free(set);
  json_decref(ctx);
  return 0;
}
