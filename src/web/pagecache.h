/* Rendered public pages kept in memory: a page is rendered once, stored
 * with its gzip form and ETag, and answered afterwards without touching
 * the database or copying (a shared, reference-counted entry; the server
 * releases it after sending). Each entry carries the content generation
 * it was made from and an age: a lookup misses when the generation moved
 * on (something was published or retracted in this process) or the entry
 * is older than the time-to-live (a change made by another process). */
#ifndef HV_PAGECACHE_H
#define HV_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define HV_PAGECACHE_KEY_MAX 128
#define HV_PAGECACHE_TTL_MS 30000

/* Answers from the cache (200 with gzip when accepted, or 304 on a
 * matching If-None-Match) and returns true on a hit. */
bool hv_pagecache_serve(struct hv_request *rq, const char *key, uint64_t generation);

/* Headers stored with a page and sent with every answer from it (at most
 * 3; names and values copied). Pages are public for 60 seconds unless a
 * Cache-Control header is among them. */
struct hv_pagecache_header {
  const char *name, *value;
};

/* Stores a rendered page (`body`, `len` bytes: copied) under `key` and
 * answers with it. Falls back to a plain answer if the cache cannot hold
 * it. */
void hv_pagecache_put(struct hv_request *rq, const char *key, uint64_t generation,
                      const char *ctype, const char *body, size_t len,
                      const struct hv_pagecache_header *headers, size_t nheaders);

/* Empties the cache (tests, shutdown). Entries still being sent are freed
 * by their last release. */
void hv_pagecache_clear(void);

/* Hits and misses since start (for /metrics and tests). */
void hv_pagecache_stats(uint64_t *hits, uint64_t *misses);

#endif
