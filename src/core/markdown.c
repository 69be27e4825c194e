/* Markdown to HTML through cmark. cmark's defaults are the safe ones: raw
 * HTML becomes a comment and links or images with a dangerous scheme lose
 * their URL. CMARK_OPT_UNSAFE is never passed. */
#include "core/markdown.h"

#include <cmark.h>
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

