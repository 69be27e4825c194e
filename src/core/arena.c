/* Request arena: bump allocation from 8 KiB blocks; big requests get a block
 * of their own. Freed once, when the request completes or is aborted. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HV_ARENA_BLOCK 8192u
#define HV_ARENA_ALIGN 16u

struct hv_block {
  struct hv_block *next;
  size_t size; /* usable bytes after the header */
  size_t used;
  _Alignas(16) unsigned char data[];
};

struct hv_arena {
  struct hv_block *head;
  size_t limit;
  size_t total;
};

struct hv_arena *hv_arena_new(size_t limit) {
  struct hv_arena *a = calloc(1, sizeof(*a));
  if (a)
    a->limit = limit;
  return a;
}

void hv_arena_free(struct hv_arena *a) {
  if (!a)
    return;
  struct hv_block *b = a->head;
  while (b) {
    struct hv_block *next = b->next;
    free(b);
    b = next;
  }
  free(a);
}

void *hv_arena_alloc(struct hv_arena *a, size_t n) {
  if (n == 0)
    n = 1;
  /* Room for rounding up and the block header, or malloc's size wraps and
   * a tiny block is handed out as a huge one. */
  if (n > SIZE_MAX - HV_ARENA_ALIGN - sizeof(struct hv_block))
    return NULL;
  size_t need = (n + HV_ARENA_ALIGN - 1) & ~(size_t)(HV_ARENA_ALIGN - 1);
  if (a->limit && (need > a->limit || a->total > a->limit - need))
    return NULL;
  struct hv_block *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = need > HV_ARENA_BLOCK ? need : HV_ARENA_BLOCK;
    struct hv_block *nb = malloc(sizeof(*nb) + size);
    if (!nb)
      return NULL;
    nb->size = size;
    nb->used = 0;
    if (b && need > HV_ARENA_BLOCK) {
      /* A big one-off block goes behind the current one so the current
       * block's free space is still used by later small allocations. */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      a->head = nb;
    }
    b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->total += need;
  return p;
}

void *hv_arena_calloc(struct hv_arena *a, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = hv_arena_alloc(a, count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

char *hv_arena_strndup(struct hv_arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX)
    return NULL;
  char *p = hv_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *hv_arena_strdup(struct hv_arena *a, const char *s) {
  return hv_arena_strndup(a, s, strlen(s));
}

char *hv_arena_printf(struct hv_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *p = hv_arena_alloc(a, (size_t)n + 1);
  if (!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

size_t hv_arena_used(const struct hv_arena *a) { return a->total; }
