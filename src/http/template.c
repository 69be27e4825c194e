/* Template engine: compile to a flat node list, render by walking it. */
#include "http/template.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HV_TPL_MAX 256
#define HV_TPL_DEPTH 16   /* partial nesting */
#define HV_TPL_STACK 32   /* context stack */
#define HV_TPL_NAME 64

enum node_kind { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
  enum node_kind kind;
  const char *text; /* N_TEXT: into src; others: name (NUL-terminated copy) */
  size_t len;
  size_t end; /* sections: index of the node after the section */
};

struct tpl {
  char name[HV_TPL_NAME];
  char *src;
  struct node *nodes;
  size_t n;
};

struct hv_tpl_set {
  struct tpl t[HV_TPL_MAX];
  size_t n;
};

struct hv_tpl_set *hv_tpl_set_new(void) { return calloc(1, sizeof(struct hv_tpl_set)); }

void hv_tpl_set_free(struct hv_tpl_set *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    for (size_t j = 0; j < s->t[i].n; j++)
      if (s->t[i].nodes[j].kind != N_TEXT)
        free((char *)s->t[i].nodes[j].text);
    free(s->t[i].nodes);
    free(s->t[i].src);
  }
  free(s);
}

static const struct tpl *find(const struct hv_tpl_set *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->t[i].name, name) == 0)
      return &s->t[i];
  return NULL;
}

int hv_tpl_has(const struct hv_tpl_set *s, const char *name) { return find(s, name) != NULL; }

static unsigned line_of(const char *src, const char *p) {
  unsigned l = 1;
  for (const char *q = src; q < p; q++)
    l += *q == '\n';
  return l;
}

static bool valid_name(const char *s, size_t n) {
  if (n == 0 || n >= HV_TPL_NAME)
    return false;
  if (n == 1 && s[0] == '.')
    return true;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  }
  return s[0] != '.' && s[n - 1] != '.';
}

int hv_tpl_add(struct hv_tpl_set *s, const char *name, const char *src_in, size_t len, char *err,
               size_t errlen) {
  size_t open[HV_TPL_STACK];
  const char *open_at[HV_TPL_STACK]; /* where each open section's tag is, for messages */
  size_t nopen = 0;
  size_t cap = 16;
  struct tpl t;
  memset(&t, 0, sizeof t);
  if (s->n == HV_TPL_MAX || strlen(name) >= HV_TPL_NAME || find(s, name)) {
    snprintf(err, errlen, "template %s: too many, name too long, or defined twice", name);
    return -1;
  }
  snprintf(t.name, sizeof t.name, "%s", name);
  t.src = malloc(len + 1);
  t.nodes = malloc(cap * sizeof(struct node));
  if (!t.src || !t.nodes)
    goto nomem;
  memcpy(t.src, src_in, len);
  t.src[len] = '\0';
  const char *p = t.src, *end = t.src + len;
  while (p < end) {
    const char *tag = strstr(p, "{{");
    if (!tag || tag >= end)
      tag = end;
    if (t.n + 2 > cap) {
      cap *= 2;
      struct node *nn = realloc(t.nodes, cap * sizeof(struct node));
      if (!nn)
        goto nomem;
      t.nodes = nn;
    }
    if (tag > p)
      t.nodes[t.n++] = (struct node){N_TEXT, p, (size_t)(tag - p), 0};
    if (tag == end)
      break;
    const char *q = tag + 2;
    enum node_kind kind = N_VAR;
    const char *close_tag = "}}";
    char sigil = *q;
    if (sigil == '{') {
      kind = N_RAW;
      close_tag = "}}}";
      q++;
    } else if (sigil == '&') {
      kind = N_RAW;
      q++;
    } else if (sigil == '#') {
      kind = N_SECTION;
      q++;
    } else if (sigil == '^') {
      kind = N_INVERTED;
      q++;
    } else if (sigil == '>') {
      kind = N_PARTIAL;
      q++;
    } else if (sigil == '/' || sigil == '!') {
      q++;
    }
    const char *ce = strstr(q, close_tag);
    if (!ce || ce >= end) {
      snprintf(err, errlen, "template %s line %u: unclosed tag", name, line_of(t.src, tag));
      goto fail;
    }
    p = ce + strlen(close_tag);
    if (sigil == '!')
      continue;
    while (q < ce && (*q == ' ' || *q == '\t'))
      q++;
    const char *ne = ce;
    while (ne > q && (ne[-1] == ' ' || ne[-1] == '\t'))
      ne--;
    size_t nl = (size_t)(ne - q);
    if (!valid_name(q, nl)) {
      snprintf(err, errlen, "template %s line %u: bad name in tag", name, line_of(t.src, tag));
      goto fail;
    }
    if (sigil == '/') {
      if (nopen == 0) {
        snprintf(err, errlen, "template %s line %u: closing a section never opened", name,
                 line_of(t.src, tag));
        goto fail;
      }
      struct node *o = &t.nodes[open[--nopen]];
      if (strlen(o->text) != nl || memcmp(o->text, q, nl) != 0) {
        snprintf(err, errlen, "template %s line %u: {{/%.*s}} closes {{#%s}}", name,
                 line_of(t.src, tag), (int)nl, q, o->text);
        goto fail;
      }
      o->end = t.n;
      continue;
    }
    char *nm = malloc(nl + 1);
    if (!nm)
      goto nomem;
    memcpy(nm, q, nl);
    nm[nl] = '\0';
    if (kind == N_SECTION || kind == N_INVERTED) {
      if (nopen == HV_TPL_STACK) {
        free(nm);
        snprintf(err, errlen, "template %s line %u: sections nest too deep", name,
                 line_of(t.src, tag));
        goto fail;
      }
      open_at[nopen] = tag;
      open[nopen++] = t.n;
    }
    t.nodes[t.n++] = (struct node){kind, nm, nl, 0};
  }
  if (nopen) {
    snprintf(err, errlen, "template %s line %u: section {{#%s}} is not closed", name,
             line_of(t.src, open_at[nopen - 1]), t.nodes[open[nopen - 1]].text);
    goto fail;
  }
  s->t[s->n++] = t;
  return 0;
nomem:
  snprintf(err, errlen, "template %s: out of memory", name);
fail:
  for (size_t j = 0; j < t.n; j++)
    if (t.nodes[j].kind != N_TEXT)
      free((char *)t.nodes[j].text);
  free(t.nodes);
  free(t.src);
  return -1;
}

struct ctx {
  const json_t *stack[HV_TPL_STACK];
  size_t n;
};

/* Looks `name` up: "." is the top; "a.b" finds a through the stack, then b
 * inside it. */
static const json_t *lookup(const struct ctx *c, const char *name) {
  if (name[0] == '.' && name[1] == '\0')
    return c->n ? c->stack[c->n - 1] : NULL;
  const char *dot = strchr(name, '.');
  char first[HV_TPL_NAME];
  size_t fl = dot ? (size_t)(dot - name) : strlen(name);
  memcpy(first, name, fl);
  first[fl] = '\0';
  const json_t *v = NULL;
  for (size_t i = c->n; i-- > 0;) {
    if (json_is_object(c->stack[i]) && (v = json_object_get(c->stack[i], first)))
      break;
  }
  while (v && dot) {
    const char *next = strchr(dot + 1, '.');
    size_t l = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
    char part[HV_TPL_NAME];
    memcpy(part, dot + 1, l);
    part[l] = '\0';
    v = json_is_object(v) ? json_object_get(v, part) : NULL;
    dot = next;
  }
  return v;
}

static bool truthy(const json_t *v) {
  if (!v || json_is_null(v) || json_is_false(v))
    return false;
  if (json_is_string(v))
    return json_string_length(v) > 0;
  if (json_is_array(v))
    return json_array_size(v) > 0;
  if (json_is_integer(v))
    return json_integer_value(v) != 0;
  return true;
}

static int emit_value(struct hv_buf *out, const json_t *v, bool raw) {
  char num[64];
  const char *s = NULL;
  size_t n = 0;
  if (!v || json_is_null(v) || json_is_false(v))
    return 0;
  if (json_is_string(v)) {
    s = json_string_value(v);
    n = json_string_length(v);
  } else if (json_is_integer(v)) {
    n = (size_t)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    s = num;
  } else if (json_is_real(v)) {
    n = (size_t)snprintf(num, sizeof num, "%g", json_real_value(v));
    s = num;
  } else if (json_is_true(v)) {
    s = "true";
    n = 4;
  } else {
    return 0; /* objects and arrays print nothing */
  }
  return raw ? hv_buf_add(out, s, n) : hv_buf_add_html(out, s, n);
}

static int render(const struct hv_tpl_set *s, const struct tpl *t, size_t from, size_t to,
                  struct ctx *c, struct hv_buf *out, int depth);

static int render_section(const struct hv_tpl_set *s, const struct tpl *t, size_t i, struct ctx *c,
                          struct hv_buf *out, int depth) {
  const struct node *nd = &t->nodes[i];
  const json_t *v = lookup(c, nd->text);
  if (nd->kind == N_INVERTED)
    return truthy(v) ? 0 : render(s, t, i + 1, nd->end, c, out, depth);
  if (!truthy(v))
    return 0;
  if (c->n == HV_TPL_STACK)
    return -1;
  if (json_is_array(v)) {
    size_t k;
    const json_t *item;
    json_array_foreach(v, k, item) {
      c->stack[c->n++] = item;
      int rc = render(s, t, i + 1, nd->end, c, out, depth);
      c->n--;
      if (rc)
        return rc;
    }
    return 0;
  }
  if (json_is_object(v)) {
    c->stack[c->n++] = v;
    int rc = render(s, t, i + 1, nd->end, c, out, depth);
    c->n--;
    return rc;
  }
  return render(s, t, i + 1, nd->end, c, out, depth);
}

static int render(const struct hv_tpl_set *s, const struct tpl *t, size_t from, size_t to,
                  struct ctx *c, struct hv_buf *out, int depth) {
  for (size_t i = from; i < to;) {
    const struct node *nd = &t->nodes[i];
    int rc = 0;
    switch (nd->kind) {
    case N_TEXT:
      rc = hv_buf_add(out, nd->text, nd->len);
      break;
    case N_VAR:
    case N_RAW:
      rc = emit_value(out, lookup(c, nd->text), nd->kind == N_RAW);
      break;
    case N_SECTION:
    case N_INVERTED:
      rc = render_section(s, t, i, c, out, depth);
      i = nd->end;
      if (rc)
        return rc;
      continue;
    case N_PARTIAL: {
      const struct tpl *p = find(s, nd->text);
      if (!p || depth >= HV_TPL_DEPTH)
        return -1;
      rc = render(s, p, 0, p->n, c, out, depth + 1);
      break;
    }
    }
    if (rc)
      return rc;
    i++;
  }
  return 0;
}

int hv_tpl_render(const struct hv_tpl_set *s, const char *name, const json_t *ctx,
                  struct hv_buf *out) {
  const struct tpl *t = find(s, name);
  struct ctx c = {.n = 0};
  if (!t)
    return -1;
  if (ctx)
    c.stack[c.n++] = ctx;
  return render(s, t, 0, t->n, &c, out, 0);
}
