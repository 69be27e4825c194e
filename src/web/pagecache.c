/* The public page cache: a fixed open-addressing table of reference-counted
 * entries under one mutex held only to find or swap a pointer. */
#include "web/pagecache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "http/headers.h"
#include "http/static.h"

#define SLOTS 2048 /* a power of two; ~20 languages x ~20 pages fit many times */
#define HEADERS 3

struct entry {
  atomic_int refs; /* the table's reference plus one per answer in flight */
  char key[HV_PAGECACHE_KEY_MAX];
  uint64_t generation;
  int64_t made_ms;
  char *body, *gz;
  size_t len, gzlen;
  char ctype[64];
  char etag[24];
  char names[HEADERS][32], values[HEADERS][192];
  size_t nheaders;
  /* The 200 answers, plain and gzip, built once with all their headers
   * (NULL when they could not be: answered the slower way then). */
  struct hv_prepared *plain, *gzipped;
};

static struct entry *table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t hits, misses;

static void entry_free(struct entry *e) {
  hv_prepared_free(e->plain);
  hv_prepared_free(e->gzipped);
  free(e->body);
  free(e->gz);
  free(e);
}

static void release(void *cls) {
  struct entry *e = cls;
  if (atomic_fetch_sub(&e->refs, 1) == 1)
    entry_free(e);
}

static size_t slot_of(const char *key) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return (size_t)(h & (SLOTS - 1));
}

/* The slot holding `key`, or the first free one on its probe path (or the
 * home slot when the path is full). Called with the lock held. */
static size_t find(const char *key) {
  size_t home = slot_of(key);
  for (size_t i = 0; i < 16; i++) {
    size_t k = (home + i) & (SLOTS - 1);
    if (!table[k] || strcmp(table[k]->key, key) == 0)
      return k;
  }
  return home;
}

/* The answer's headers besides Content-Type, in the order answer() adds
 * them; returns how many (at most HEADERS + 4). */
static size_t answer_headers(const struct entry *e, bool gzip, struct hv_prepared_header *h) {
  size_t n = 0;
  bool own_cache_control = false;
  for (size_t i = 0; i < e->nheaders; i++) {
    h[n++] = (struct hv_prepared_header){e->names[i], e->values[i]};
    own_cache_control |= strcmp(e->names[i], "Cache-Control") == 0;
  }
  h[n++] = (struct hv_prepared_header){"ETag", e->etag};
  if (!own_cache_control)
    h[n++] = (struct hv_prepared_header){"Cache-Control", "public, max-age=60"};
  if (e->gz)
    h[n++] = (struct hv_prepared_header){"Vary", "Accept-Encoding"};
  if (gzip)
    h[n++] = (struct hv_prepared_header){"Content-Encoding", "gzip"};
  return n;
}

static void prepare(struct entry *e) {
  struct hv_prepared_header h[HEADERS + 4];
  size_t n = answer_headers(e, false, h);
  e->plain = hv_prepared_new(200, e->ctype, e->body, e->len, h, n);
  if (e->gz) {
    n = answer_headers(e, true, h);
    e->gzipped = hv_prepared_new(200, e->ctype, e->gz, e->gzlen, h, n);
  }
}

static void answer(struct hv_request *rq, struct entry *e) {
  bool gzip = e->gz && hv_accepts_gzip(hv_header(rq, "Accept-Encoding"));
  struct hv_prepared *p = gzip ? e->gzipped : e->plain;
  if (p && !hv_etag_match(hv_header(rq, "If-None-Match"), e->etag)) {
    /* the hot path: no allocation, no header built (e stays referenced
     * until the answer is sent) */
    hv_reply_prepared(rq, p, release, e);
    return;
  }
  bool own_cache_control = false;
  for (size_t i = 0; i < e->nheaders; i++) {
    hv_reply_header(rq, e->names[i], e->values[i]);
    own_cache_control |= strcmp(e->names[i], "Cache-Control") == 0;
  }
  hv_reply_header(rq, "ETag", e->etag);
  if (!own_cache_control)
    hv_reply_header(rq, "Cache-Control", "public, max-age=60");
  if (e->gz)
    hv_reply_header(rq, "Vary", "Accept-Encoding");
  if (hv_etag_match(hv_header(rq, "If-None-Match"), e->etag)) {
    hv_reply_shared(rq, 304, NULL, "", 0, release, e); /* the headers point into e */
  } else if (gzip) {
    hv_reply_shared(rq, 200, e->ctype, e->gz, e->gzlen, release, e);
    hv_reply_header(rq, "Content-Encoding", "gzip");
  } else {
    hv_reply_shared(rq, 200, e->ctype, e->body, e->len, release, e);
  }
  rq->reply.no_store = false;
}

bool hv_pagecache_serve(struct hv_request *rq, const char *key, uint64_t generation) {
  struct entry *e = NULL;
  int64_t now = hv_clock_wall_ms();
  pthread_mutex_lock(&lock);
  struct entry *c = table[find(key)];
  if (c && strcmp(c->key, key) == 0 && c->generation == generation &&
      now - c->made_ms < HV_PAGECACHE_TTL_MS) {
    atomic_fetch_add(&c->refs, 1);
    e = c;
  }
  pthread_mutex_unlock(&lock);
  if (!e) {
    atomic_fetch_add(&misses, 1);
    return false;
  }
  atomic_fetch_add(&hits, 1);
  answer(rq, e);
  return true;
}

void hv_pagecache_put(struct hv_request *rq, const char *key, uint64_t generation,
                      const char *ctype, const char *body, size_t len,
                      const struct hv_pagecache_header *headers, size_t nheaders) {
  struct entry *e = calloc(1, sizeof *e);
  if (!e || strlen(key) >= sizeof e->key || strlen(ctype) >= sizeof e->ctype ||
      nheaders > HEADERS || !(e->body = malloc(len ? len : 1)))
    goto plain;
  for (size_t i = 0; i < nheaders; i++)
    if (strlen(headers[i].name) >= sizeof e->names[0] ||
        strlen(headers[i].value) >= sizeof e->values[0])
      goto plain;
  memcpy(e->body, body, len);
  e->len = len;
  size_t gzlen = 0;
  unsigned char *gz = len > 256 ? hv_gzip(body, len, &gzlen) : NULL;
  if (gz && gzlen < len) {
    e->gz = (char *)gz;
    e->gzlen = gzlen;
  } else {
    free(gz);
  }
  unsigned char h[8];
  crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(e->etag, sizeof e->etag, "\"%s\"", hex);
  snprintf(e->key, sizeof e->key, "%s", key);
  snprintf(e->ctype, sizeof e->ctype, "%s", ctype);
  for (size_t i = 0; i < nheaders; i++) {
    snprintf(e->names[i], sizeof e->names[i], "%s", headers[i].name);
    snprintf(e->values[i], sizeof e->values[i], "%s", headers[i].value);
  }
  e->nheaders = nheaders;
  e->generation = generation;
  e->made_ms = hv_clock_wall_ms();
  prepare(e);
  atomic_init(&e->refs, 2); /* the table's and this answer's */
  pthread_mutex_lock(&lock);
  size_t k = find(key);
  struct entry *old = table[k];
  table[k] = e;
  pthread_mutex_unlock(&lock);
  if (old)
    release(old);
  answer(rq, e);
  return;
plain:
  if (e)
    entry_free(e);
  for (size_t i = 0; i < nheaders; i++)
    hv_reply_header(rq, headers[i].name, headers[i].value);
  char *copy = malloc(len ? len : 1);
  if (copy)
    memcpy(copy, body, len);
  hv_reply_text(rq, copy ? 200 : 500, ctype, copy ? copy : "", copy ? len : 0, copy != NULL);
}

void hv_pagecache_clear(void) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < SLOTS; i++) {
    if (table[i])
      release(table[i]);
    table[i] = NULL;
  }
  pthread_mutex_unlock(&lock);
}

void hv_pagecache_stats(uint64_t *h, uint64_t *m) {
  *h = atomic_load(&hits);
  *m = atomic_load(&misses);
}
