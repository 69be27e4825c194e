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

/* The text of `len` bytes of Markdown without its markup, for channels
 * without formatting (phone scripts, SMS): blocks separated by a blank
 * line, each list item on its own line (ordered items keep their number,
 * "2. "), hard breaks as newlines, soft breaks as spaces, code as its
 * literal text, links and images as their text, raw HTML dropped. Valid
 * UTF-8 (invalid input bytes become U+FFFD), no trailing newline. Returns
 * a malloc'd string (caller frees with free()), or NULL when out of
 * memory. */
char *hv_markdown_plain(const char *md, size_t len);

/* The same text as Pango markup for print (src/modules/kyr/card.c): <b>
 * for headings and strong emphasis, <i> for emphasis, "\u2022 " before
 * bullet items, & < > escaped. Returned as hv_markdown_plain. */
char *hv_markdown_pango(const char *md, size_t len);

#endif
