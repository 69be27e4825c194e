/* The protocol's save check and the cache of rendered versions (Markdown
 * goes through src/core/markdown.c). The cache keeps the few most recently shown versions, keyed
 * by version number and the SHA-256 of the text (so another database, or a
 * version rewritten behind Haven's back, is never served from a stale
 * entry); one mutex guards it, and HTML leaves it only as a copy. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/markdown.h"
#include "core/str.h"
#include "core/timefmt.h"
#include "modules/protocol/protocol.h"

const char *hv_protocol_check(const char *md, size_t len) {
  if (len > HV_PROTOCOL_MAX)
    return "The protocol is too long: keep it under 64 KiB of text.";
  if (!hv_utf8_valid(md, len))
    return "The text is not valid UTF-8 (or holds a NUL character).";
  for (size_t i = 0; i < len; i++)
    if (md[i] != ' ' && md[i] != '\t' && md[i] != '\r' && md[i] != '\n')
      return NULL;
  return "Write the protocol: the text is empty.";
}

void hv_protocol_sha256(const char *md, size_t len, char out[65]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)md, len);
  sodium_bin2hex(out, 65, h, sizeof h);
}

/* --- the cache ------------------------------------------------------------- */

#define SLOTS 4

static struct {
  int64_t version;
  char sha256[65];
  char *html;
  uint64_t used; /* tick of the last use, for eviction */
} cache[SLOTS];
static uint64_t tick;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong renders;

unsigned long hv_protocol_renders(void) { return atomic_load(&renders); }

/* Copies the cached HTML of (version, sha256) into `a`; NULL on a miss. */
static const char *cache_get(int64_t version, const char *sha256, struct hv_arena *a, int *hit) {
  const char *out = NULL;
  *hit = 0;
  pthread_mutex_lock(&cache_lock);
  for (int i = 0; i < SLOTS; i++) {
    if (cache[i].html && cache[i].version == version && strcmp(cache[i].sha256, sha256) == 0) {
      cache[i].used = ++tick;
      out = hv_arena_strdup(a, cache[i].html);
      *hit = 1;
      break;
    }
  }
  pthread_mutex_unlock(&cache_lock);
  return out;
}

/* Keeps `html` (stolen) for (version, sha256), evicting the least recently
 * used entry. Two threads rendering the same miss both store; the second
 * simply replaces an equal entry. */
static void cache_put(int64_t version, const char *sha256, char *html) {
  pthread_mutex_lock(&cache_lock);
  int slot = -1;
  for (int i = 0; i < SLOTS && slot < 0; i++)
    if (cache[i].html && cache[i].version == version && strcmp(cache[i].sha256, sha256) == 0)
      slot = i;
  for (int i = 0; i < SLOTS && slot < 0; i++)
    if (!cache[i].html)
      slot = i;
  if (slot < 0) {
    slot = 0;
    for (int i = 1; i < SLOTS; i++)
      if (cache[i].used < cache[slot].used)
        slot = i;
  }
  free(cache[slot].html);
  cache[slot].version = version;
  snprintf(cache[slot].sha256, sizeof cache[slot].sha256, "%s", sha256);
  cache[slot].html = html;
  cache[slot].used = ++tick;
  pthread_mutex_unlock(&cache_lock);
}

enum hv_qs hv_protocol_view(struct hv_store *s, int64_t version, struct hv_arena *a,
                            struct hv_protocol_view *out) {
  struct hv_protocol_head h;
  int hit;
  enum hv_qs qs = hv_protocol_head(s, version, &h);
  if (qs <= 0)
    return qs;
  const char *html = cache_get(h.version, h.sha256, a, &hit);
  if (!hit) {
    json_t *v;
    qs = hv_protocol_get(s, h.version, &v);
    if (qs <= 0)
      return qs;
    const char *md = json_string_value(json_object_get(v, "markdown"));
    char *fresh = hv_markdown_html(md, md ? strlen(md) : 0);
    json_decref(v);
    if (!fresh)
      return HV_QS_HARD;
    atomic_fetch_add(&renders, 1);
    html = hv_arena_strdup(a, fresh);
    cache_put(h.version, h.sha256, fresh);
  }
  if (!html)
    return HV_QS_HARD;
  out->version = h.version;
  out->created_at = h.created_at;
  out->html = html;
  out->created_by = hv_arena_strdup(a, h.created_by);
  out->sha256 = hv_arena_strdup(a, h.sha256);
  return out->created_by && out->sha256 ? HV_QS_ONE : HV_QS_HARD;
}

json_t *hv_protocol_context(struct hv_store *s, struct hv_arena *a) {
  struct hv_protocol_view v;
  char when[64];
  if (hv_protocol_view(s, 0, a, &v) <= 0)
    return json_object();
  hv_time_format(v.created_at, when, sizeof when);
  return json_pack("{s:I, s:s, s:s}", "version", (json_int_t)v.version, "date", when, "html",
                   v.html);
}
