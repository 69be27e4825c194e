/* A small mustache-like template engine over jansson values. Templates are
 * compiled once at start (they are embedded in the binary) and rendered
 * into a bounded buffer.
 *
 *   {{name}} {{a.b}} {{.}}   value, HTML-escaped
 *   {{{name}}} {{& name}}   value, raw (only for HTML we produced ourselves)
 *   {{#name}}..{{/name}}    section: skipped for false, null, "", 0, [] or
 *                           absent; repeated for each array item; entered
 *                           for objects; rendered once otherwise
 *   {{^name}}..{{/name}}    inverted section
 *   {{> partial}}           another template, with the current context
 *   {{! comment}}
 */
#ifndef HV_TEMPLATE_H
#define HV_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"

struct hv_tpl_set;

/* Returns an empty set (caller frees with hv_tpl_set_free). */
struct hv_tpl_set *hv_tpl_set_new(void);
void hv_tpl_set_free(struct hv_tpl_set *s);

/* Compiles `src` (copied) under `name`. Returns 0, or -1 with a message
 * naming the line in `err` (unclosed tag, mismatched section, ...). */
int hv_tpl_add(struct hv_tpl_set *s, const char *name, const char *src, size_t len, char *err,
               size_t errlen);

/* Renders template `name` with `ctx` (borrowed), appending to `out`.
 * Returns 0, or -1 when the template or a partial is missing, partials
 * nest too deep, or `out` reached its maximum. */
int hv_tpl_render(const struct hv_tpl_set *s, const char *name, const json_t *ctx,
                  struct hv_buf *out);

/* True when the set has a template of that name. */
int hv_tpl_has(const struct hv_tpl_set *s, const char *name);

#endif
