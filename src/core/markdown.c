/* Markdown to HTML, and to plain text or Pango markup, through cmark.
 * cmark's defaults are the safe ones: raw HTML becomes a comment and links
 * or images with a dangerous scheme lose their URL. CMARK_OPT_UNSAFE is
 * never passed. */
#include "core/markdown.h"

#include "core/buf.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *hv_markdown_html(const char *md, size_t len) {
  cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_VALIDATE_UTF8);
  if (!doc)
    return NULL;
  cmark_iter *it = cmark_iter_new(doc);
  if (!it) {
    cmark_node_free(doc);
    return NULL;
  }
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
      int level = cmark_node_get_heading_level(n);
      cmark_node_set_heading_level(n, level < 6 ? level + 1 : 6);
    }
  }
  cmark_iter_free(it);
  /* CMARK_OPT_DEFAULT is safe: raw HTML and unsafe URLs are not passed. */
  char *cm = cmark_render_html(doc, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  cmark_node_free(doc);
  if (!cm)
    return NULL;
  /* cmark allocates with its own allocator: hand back plain malloc memory */
  char *out = strdup(cm);
  cmark_get_default_mem_allocator()->free(cm);
  return out;
}

/* --- Markdown to text ------------------------------------------------------
 * One walk over cmark's tree serves two outputs: plain text (phone scripts,
 * SMS) and Pango markup (the printed flyer). Blocks are separated by a blank
 * line, list items and lines inside a list by one newline; the syntax
 * itself (#, *, _, backticks, brackets, raw HTML) never reaches the output,
 * only the text it marks up. */

struct walk {
  struct hv_buf b;
  bool pango;
  int pending; /* newlines owed before the next text: 0, 1 or 2 */
  int in_item; /* list items we are inside */
  bool failed;
};

static void out_raw(struct walk *w, const char *s, size_t n) {
  if (hv_buf_add(&w->b, s, n))
    w->failed = true;
}

/* Pays the owed newlines (never at the very start) before text. */
static void settle(struct walk *w) {
  if (w->pending && w->b.len)
    out_raw(w, "\n\n", (size_t)w->pending);
  w->pending = 0;
}

static void out_text(struct walk *w, const char *s, size_t n) {
  if (!n)
    return;
  settle(w);
  if (!w->pango) {
    out_raw(w, s, n);
    return;
  }
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    const char *esc = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" : NULL;
    if (esc) {
      out_raw(w, s + from, i - from);
      out_raw(w, esc, strlen(esc));
      from = i + 1;
    }
  }
  out_raw(w, s + from, n - from);
}

/* A markup tag: only in Pango mode. */
static void out_tag(struct walk *w, const char *tag) {
  if (w->pango) {
    settle(w);
    out_raw(w, tag, strlen(tag));
  }
}

static void owe(struct walk *w, int n) {
  if (n > w->pending)
    w->pending = n;
}

static void walk_node(struct walk *w, cmark_node *n, cmark_event_type ev) {
  bool enter = ev == CMARK_EVENT_ENTER;
  int block_gap = w->in_item ? 1 : 2;
  switch (cmark_node_get_type(n)) {
  case CMARK_NODE_TEXT:
  case CMARK_NODE_CODE: {
    const char *s = cmark_node_get_literal(n);
    out_text(w, s ? s : "", s ? strlen(s) : 0);
    break;
  }
  case CMARK_NODE_SOFTBREAK:
    out_text(w, " ", 1);
    break;
  case CMARK_NODE_LINEBREAK:
    owe(w, 1);
    break;
  case CMARK_NODE_CODE_BLOCK: {
    const char *s = cmark_node_get_literal(n);
    size_t len = s ? strlen(s) : 0;
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
      len--;
    out_text(w, s ? s : "", len);
    owe(w, block_gap);
    break;
  }
  case CMARK_NODE_PARAGRAPH:
  case CMARK_NODE_THEMATIC_BREAK:
  case CMARK_NODE_BLOCK_QUOTE:
  case CMARK_NODE_HTML_BLOCK:
    if (!enter || cmark_node_get_type(n) == CMARK_NODE_THEMATIC_BREAK)
      owe(w, block_gap);
    break;
  case CMARK_NODE_HEADING:
    if (enter) {
      owe(w, block_gap);
      out_tag(w, "<b>");
    } else {
      out_tag(w, "</b>");
      owe(w, block_gap);
    }
    break;
  case CMARK_NODE_LIST:
    owe(w, block_gap);
    break;
  case CMARK_NODE_ITEM:
    if (enter) {
      owe(w, 1);
      w->in_item++;
      cmark_node *list = cmark_node_parent(n);
      if (cmark_node_get_list_type(list) == CMARK_ORDERED_LIST) {
        int k = cmark_node_get_list_start(list);
        for (cmark_node *p = cmark_node_previous(n); p; p = cmark_node_previous(p))
          k++;
        char num[24];
        int len = snprintf(num, sizeof num, "%d. ", k);
        out_text(w, num, (size_t)len);
      } else if (w->pango) {
        out_text(w, "\u2022 ", strlen("\u2022 "));
      }
    } else {
      w->in_item--;
      owe(w, 1);
    }
    break;
  case CMARK_NODE_STRONG:
    out_tag(w, enter ? "<b>" : "</b>");
    break;
  case CMARK_NODE_EMPH:
    out_tag(w, enter ? "<i>" : "</i>");
    break;
  default: /* document, links and images (their text only), raw inline HTML: dropped */
    break;
  }
}

static char *walk_text(const char *md, size_t len, bool pango) {
  cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_VALIDATE_UTF8);
  if (!doc)
    return NULL;
  cmark_iter *it = cmark_iter_new(doc);
  struct walk w = {.pango = pango};
  hv_buf_init(&w.b, 8 * (len + 64)); /* escapes and list numbers stay well within */
  cmark_event_type ev;
  while (it && !w.failed && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
    walk_node(&w, cmark_iter_get_node(it), ev);
  cmark_iter_free(it);
  cmark_node_free(doc);
  char *out = NULL;
  if (it && !w.failed && hv_buf_addc(&w.b, '\0') == 0) {
    out = hv_buf_steal(&w.b, NULL);
    /* trailing spaces and newlines of the last block */
    size_t n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\n'))
      out[--n] = '\0';
  }
  hv_buf_free(&w.b);
  return out;
}

char *hv_markdown_plain(const char *md, size_t len) { return walk_text(md, len, false); }

char *hv_markdown_pango(const char *md, size_t len) { return walk_text(md, len, true); }
