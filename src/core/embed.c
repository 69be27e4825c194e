/* Lookup in embedded file tables. */
#include "core/embed.h"

#include <string.h>

const struct hv_embed *hv_embed_find(const struct hv_embed *table, const char *name) {
  for (const struct hv_embed *e = table; e->name; e++)
    if (strcmp(e->name, name) == 0)
      return e;
  return NULL;
}
