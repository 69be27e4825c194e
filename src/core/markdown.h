/* Markdown for content people edit (the employee protocol, Know-Your-Rights
 * texts): HTML through cmark with its safe defaults. */
#ifndef HV_MARKDOWN_H
#define HV_MARKDOWN_H

#include <stddef.h>

/* Renders `len` bytes of Markdown to HTML with cmark's safe defaults (raw
 * HTML is replaced by a comment; javascript:, vbscript:, file: and data:
 * links other than images are emptied) and invalid UTF-8 replaced by
 * U+FFFD. Headings move one level down (# is <h2>) so the text sits under
 * the page's own <h1>. Returns a malloc'd NUL-terminated string (caller
 * frees with free()), or NULL when out of memory. */
char *hv_markdown_html(const char *md, size_t len);

#endif
