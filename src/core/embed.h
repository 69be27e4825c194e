/* Files compiled into the binary by tools/embed.c (templates, migrations,
 * demo data). Each table ends with an entry whose name is NULL. */
#ifndef HV_EMBED_H
#define HV_EMBED_H

#include <stddef.h>

struct hv_embed {
  const char *name; /* file name, e.g. "0001_init.sql" or "home.html" */
  const unsigned char *data;
  size_t len;
};

/* Finds an entry by name in a table; NULL when absent. */
const struct hv_embed *hv_embed_find(const struct hv_embed *table, const char *name);

#endif
