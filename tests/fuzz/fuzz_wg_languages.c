/* Fuzz target for the session form's language-list splitter
 * (src/modules/workgroup/model.c). Invariants: at most HV_WG_LANGS_MAX
 * names, each non-empty, at most HV_WG_LANG_NAME_MAX bytes, without a
 * comma, a control character or white space at either end, no two alike,
 * and each found in the input. A broken promise abort()s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/workgroup/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "language splitter invariant broken: %s\n", what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char in[1024], store[HV_WG_LANGS_MAX * (HV_WG_LANG_NAME_MAX + 1)];
  const char *names[HV_WG_LANGS_MAX];
  if (size >= sizeof in)
    return 0;
  memcpy(in, data, size);
  in[size] = '\0';
  int n = hv_wg_split_languages(in, store, sizeof store, names);
  if (n < -1 || n > HV_WG_LANGS_MAX)
    fail("count out of range");
  for (int i = 0; i < n; i++) {
    size_t len = strlen(names[i]);
    if (len == 0 || len > HV_WG_LANG_NAME_MAX)
      fail("name length");
    if (names[i] < store || names[i] + len >= store + sizeof store)
      fail("name outside its store");
    if (strchr(names[i], ',') || names[i][0] == ' ' || names[i][len - 1] == ' ' ||
        names[i][0] == '\t' || names[i][len - 1] == '\t')
      fail("name not trimmed or holds a comma");
    for (size_t k = 0; k < len; k++)
      if ((unsigned char)names[i][k] < 0x20 || names[i][k] == 0x7f)
        fail("control character");
    if (!strstr(in, names[i]))
      fail("name not in the input");
    for (int j = 0; j < i; j++)
      if (strcmp(names[i], names[j]) == 0)
        fail("repeated name");
  }
  return 0;
}
