/* Unit tests for src/http/template.c: escaping, raw output, dotted names,
 * sections over every kind of value, inverted sections, partials and
 * their depth limit, compile errors that name the line, and the output
 * buffer's cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/template.h"

static struct hv_tpl_set *set;
static struct hv_buf out;

static int setup_each(void **state) {
  (void)state;
  set = hv_tpl_set_new();
  hv_buf_init(&out, 1 << 20);
  return set ? 0 : -1;
}

static int teardown_each(void **state) {
  (void)state;
  hv_tpl_set_free(set);
  hv_buf_free(&out);
  return 0;
}

static void add(const char *name, const char *src) {
  char err[256] = "";
  if (hv_tpl_add(set, name, src, strlen(src), err, sizeof err))
    fail_msg("template %s did not compile: %s", name, err);
}

/* Compiles `src` as "t" and renders it with the JSON text `ctx`. */
static const char *render(const char *src, const char *ctx) {
  static int n;
  char name[32];
  snprintf(name, sizeof name, "t%d", n++);
  add(name, src);
  json_error_t je;
  json_t *c = ctx ? json_loads(ctx, 0, &je) : NULL;
  if (ctx && !c)
    fail_msg("bad test context: %s", je.text);
  hv_buf_reset(&out);
  int rc = hv_tpl_render(set, name, c, &out);
  json_decref(c);
  if (rc)
    fail_msg("render of '%s' failed", src);
  return out.data ? out.data : "";
}

static void plain_text_passes_through(void **state) {
  (void)state;
  assert_string_equal(render("<p>Hello & goodbye</p>", "{}"), "<p>Hello & goodbye</p>");
  assert_string_equal(render("a { b } {c} }} {", "{}"), "a { b } {c} }} {");
  assert_string_equal(render("", "{}"), "");
}

static void variables_escaped(void **state) {
  (void)state;
  assert_string_equal(render("<b>{{name}}</b>", "{\"name\":\"<script>alert('x')&\\\"`\"}"),
                      "<b>&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&#96;</b>");
  assert_string_equal(render("{{ name }}|{{\tname\t}}", "{\"name\":\"a\"}"), "a|a");
  assert_string_equal(render("{{n}} {{r}} {{t}} {{f}} {{z}} {{missing}}",
                             "{\"n\":-42,\"r\":1.5,\"t\":true,\"f\":false,\"z\":null}"),
                      "-42 1.5 true   ");
  assert_string_equal(render("[{{o}}][{{a}}]", "{\"o\":{\"x\":1},\"a\":[1]}"), "[][]");
  assert_string_equal(render("{{v}}", "{\"v\":\"مرحبا 日本\"}"), "مرحبا 日本");
}

static void raw_output(void **state) {
  (void)state;
  const char *ctx = "{\"html\":\"<em>hi</em> & 'x'\"}";
  assert_string_equal(render("{{{html}}}", ctx), "<em>hi</em> & 'x'");
  assert_string_equal(render("{{& html}}", ctx), "<em>hi</em> & 'x'");
  assert_string_equal(render("{{html}}", ctx), "&lt;em&gt;hi&lt;/em&gt; &amp; &#39;x&#39;");
}

static void dotted_names(void **state) {
  (void)state;
  const char *ctx = "{\"user\":{\"name\":\"Ana\",\"dept\":{\"code\":\"lapd\"}},\"s\":\"str\"}";
  assert_string_equal(render("{{user.name}}/{{user.dept.code}}", ctx), "Ana/lapd");
  assert_string_equal(render("[{{user.missing}}][{{user.name.x}}][{{s.x}}][{{nope.x}}]", ctx),
                      "[][][][]");
  /* a dotted name starts its lookup through the context stack */
  assert_string_equal(render("{{#user}}{{dept.code}}-{{s}}{{/user}}", ctx), "lapd-str");
}

static void sections_over_values(void **state) {
  (void)state;
  const char *tpl = "{{#v}}[yes]{{/v}}";
  static const struct {
    const char *ctx;
    const char *want;
  } cases[] = {
      {"{\"v\":true}", "[yes]"},
      {"{\"v\":false}", ""},
      {"{\"v\":null}", ""},
      {"{}", ""},
      {"{\"v\":\"\"}", ""},
      {"{\"v\":\"x\"}", "[yes]"},
      {"{\"v\":0}", ""},
      {"{\"v\":7}", "[yes]"},
      {"{\"v\":-1}", "[yes]"},
      {"{\"v\":[]}", ""},
      {"{\"v\":[1,2,3]}", "[yes][yes][yes]"},
      {"{\"v\":{}}", "[yes]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *got = render(tpl, cases[i].ctx);
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("context %s: got '%s', want '%s'", cases[i].ctx, got, cases[i].want);
  }
}

static void sections_over_arrays_and_objects(void **state) {
  (void)state;
  assert_string_equal(render("<ul>{{#items}}<li>{{name}}:{{title}}</li>{{/items}}</ul>",
                             "{\"title\":\"T\",\"items\":[{\"name\":\"a\"},{\"name\":\"<b>\","
                             "\"title\":\"own\"}]}"),
                      "<ul><li>a:T</li><li>&lt;b&gt;:own</li></ul>");
  assert_string_equal(render("{{#xs}}{{.}},{{/xs}}", "{\"xs\":[\"a\",\"<\",3]}"), "a,&lt;,3,");
  assert_string_equal(render("{{#o}}{{k}}{{/o}}", "{\"o\":{\"k\":\"v\"}}"), "v");
  assert_string_equal(render("{{#outer}}{{#inner}}{{x}}{{/inner}}{{/outer}}",
                             "{\"outer\":[{\"inner\":[{\"x\":1},{\"x\":2}]},{\"inner\":[]}]}"),
                      "12");
  /* a string section renders once without entering the string */
  assert_string_equal(render("{{#s}}{{s}}!{{/s}}", "{\"s\":\"hi\"}"), "hi!");
}

static void inverted_sections(void **state) {
  (void)state;
  const char *tpl = "{{^v}}none{{/v}}";
  assert_string_equal(render(tpl, "{}"), "none");
  assert_string_equal(render(tpl, "{\"v\":[]}"), "none");
  assert_string_equal(render(tpl, "{\"v\":\"\"}"), "none");
  assert_string_equal(render(tpl, "{\"v\":0}"), "none");
  assert_string_equal(render(tpl, "{\"v\":false}"), "none");
  assert_string_equal(render(tpl, "{\"v\":null}"), "none");
  assert_string_equal(render(tpl, "{\"v\":[1]}"), "");
  assert_string_equal(render(tpl, "{\"v\":\"x\"}"), "");
  assert_string_equal(render(tpl, "{\"v\":true}"), "");
  assert_string_equal(render("{{#v}}some{{/v}}{{^v}}none{{/v}}", "{\"v\":[1]}"), "some");
}

static void comments_dropped(void **state) {
  (void)state;
  assert_string_equal(render("a{{! a comment with {{braces and \"q\" }}b", "{}"), "ab");
  assert_string_equal(render("a{{!}}b", "{}"), "ab");
}

static void null_context(void **state) {
  (void)state;
  assert_string_equal(render("x{{a}}{{.}}{{#a}}y{{/a}}{{^a}}z{{/a}}", NULL), "xz");
}

static void partials(void **state) {
  (void)state;
  add("item", "<li>{{name}}</li>");
  add("list", "<ul>{{#items}}{{> item}}{{/items}}</ul>");
  json_t *ctx = json_pack("{s:[{s:s},{s:s}]}", "items", "name", "a&b", "name", "c");
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "list", ctx, &out), 0);
  assert_string_equal(out.data, "<ul><li>a&amp;b</li><li>c</li></ul>");
  assert_true(hv_tpl_has(set, "item"));
  assert_false(hv_tpl_has(set, "items"));
  json_decref(ctx);
}

static void missing_template_or_partial(void **state) {
  (void)state;
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "nope", NULL, &out), -1);
  add("uses_missing", "a{{> missing}}b");
  assert_int_equal(hv_tpl_render(set, "uses_missing", NULL, &out), -1);
}

static void partial_recursion_capped(void **state) {
  (void)state;
  add("self", "x{{> self}}");
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "self", NULL, &out), -1);
  add("ping", "p{{> pong}}");
  add("pong", "q{{> ping}}");
  assert_int_equal(hv_tpl_render(set, "ping", NULL, &out), -1);
  /* nesting within the limit is fine */
  char name[8], src[32];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "n%d", i);
    if (i == 9)
      snprintf(src, sizeof src, "end");
    else
      snprintf(src, sizeof src, "%d{{> n%d}}", i, i + 1);
    add(name, src);
  }
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "n0", NULL, &out), 0);
  assert_string_equal(out.data, "012345678end");
}

static void expect_error(const char *src, const char *needle, const char *line) {
  char err[256] = "";
  if (hv_tpl_add(set, "bad", src, strlen(src), err, sizeof err) != -1)
    fail_msg("'%s' compiled", src);
  if (!strstr(err, needle))
    fail_msg("error for '%s' lacks '%s': %s", src, needle, err);
  if (line && !strstr(err, line))
    fail_msg("error for '%s' lacks '%s': %s", src, line, err);
  assert_false(hv_tpl_has(set, "bad"));
}

static void compile_errors_name_the_line(void **state) {
  (void)state;
  expect_error("ok\n\n{{name", "unclosed tag", "line 3");
  expect_error("{{{raw}}", "unclosed tag", "line 1");
  expect_error("a\n{{#a}}\nx\n{{/b}}", "{{/b}} closes {{#a}}", "line 4");
  expect_error("\n{{/a}}", "never opened", "line 2");
  expect_error("x\ny\n{{#open}}\nbody", "{{#open}} is not closed", "line 3");
  expect_error("{{#a}}{{#b}}{{/a}}{{/b}}", "closes", "line 1");
  expect_error("\n\n\n\n{{bad name}}", "bad name", "line 5");
  expect_error("{{}}", "bad name", "line 1");
  expect_error("{{ }}", "bad name", "line 1");
  expect_error("{{.a}}", "bad name", NULL);
  expect_error("{{a.}}", "bad name", NULL);
  expect_error("{{a<b}}", "bad name", NULL);
  expect_error("{{#}}{{/}}", "bad name", NULL);
  expect_error("{{> }}", "bad name", NULL);
  char longname[100] = "{{";
  memset(longname + 2, 'a', 70);
  strcpy(longname + 72, "}}");
  expect_error(longname, "bad name", NULL);
  /* a section stack deeper than the renderer's is refused at compile time */
  char deep[1024] = "";
  for (int i = 0; i < 40; i++)
    strcat(deep, "{{#a}}");
  for (int i = 0; i < 40; i++)
    strcat(deep, "{{/a}}");
  expect_error(deep, "nest too deep", NULL);
}

static void set_refuses_duplicates_and_long_names(void **state) {
  (void)state;
  char err[256];
  add("x", "1");
  assert_int_equal(hv_tpl_add(set, "x", "2", 1, err, sizeof err), -1);
  assert_non_null(strstr(err, "defined twice"));
  char longname[100];
  memset(longname, 'n', 99);
  longname[99] = '\0';
  assert_int_equal(hv_tpl_add(set, longname, "2", 1, err, sizeof err), -1);
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "x", NULL, &out), 0);
  assert_string_equal(out.data, "1");
}

static void only_len_bytes_compiled(void **state) {
  (void)state;
  char err[256];
  const char *src = "abc{{x}}";
  assert_int_equal(hv_tpl_add(set, "cut", src, 3, err, sizeof err), 0);
  hv_buf_reset(&out);
  assert_int_equal(hv_tpl_render(set, "cut", NULL, &out), 0);
  assert_string_equal(out.data, "abc");
  /* a tag cut by len is unclosed */
  assert_int_equal(hv_tpl_add(set, "cut2", src, 7, err, sizeof err), -1);
  assert_non_null(strstr(err, "unclosed"));
}

static void output_cap_refused(void **state) {
  (void)state;
  struct hv_buf small;
  hv_buf_init(&small, 10);
  add("long", "0123456789ABC");
  assert_int_equal(hv_tpl_render(set, "long", NULL, &small), -1);
  hv_buf_free(&small);
  hv_buf_init(&small, 10);
  add("loop", "{{#xs}}{{.}}{{/xs}}");
  json_t *ctx = json_pack("{s:[s,s,s,s,s]}", "xs", "ab", "cd", "ef", "gh", "ij");
  assert_int_equal(hv_tpl_render(set, "loop", ctx, &small), 0);
  assert_string_equal(small.data, "abcdefghij");
  json_array_append_new(json_object_get(ctx, "xs"), json_string("k"));
  hv_buf_reset(&small);
  assert_int_equal(hv_tpl_render(set, "loop", ctx, &small), -1);
  hv_buf_free(&small);
  hv_buf_init(&small, 10);
  add("esc", "{{v}}");
  json_t *c2 = json_pack("{s:s}", "v", "<<<"); /* 12 bytes escaped */
  assert_int_equal(hv_tpl_render(set, "esc", c2, &small), -1);
  json_decref(c2);
  json_decref(ctx);
  hv_buf_free(&small);
}

static void free_null(void **state) {
  (void)state;
  hv_tpl_set_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_each, teardown_each)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(plain_text_passes_through),
      T(variables_escaped),
      T(raw_output),
      T(dotted_names),
      T(sections_over_values),
      T(sections_over_arrays_and_objects),
      T(inverted_sections),
      T(comments_dropped),
      T(null_context),
      T(partials),
      T(missing_template_or_partial),
      T(partial_recursion_capped),
      T(compile_errors_name_the_line),
      T(set_refuses_duplicates_and_long_names),
      T(only_len_bytes_compiled),
      T(output_cap_refused),
      cmocka_unit_test(free_null),
  };
  return cmocka_run_group_tests_name("http/template", tests, NULL, NULL);
}
