/* Request-lifetime memory: a chain of blocks freed all at once (h2o-style).
 * Everything a handler allocates from the request's arena lives exactly as
 * long as the request; nothing in it is freed on its own. */
#ifndef HV_ARENA_H
#define HV_ARENA_H

#include <stddef.h>

struct hv_arena;

/* Returns a new arena (caller frees with hv_arena_free), or NULL on OOM.
 * `limit` caps the total bytes the arena may hand out (0: no cap). */
struct hv_arena *hv_arena_new(size_t limit);

/* Frees every block. hv_arena_free(NULL) is a no-op. */
void hv_arena_free(struct hv_arena *a);

/* Returns `n` bytes aligned for any type, owned by the arena; NULL when out
 * of memory or past the arena's limit. */
void *hv_arena_alloc(struct hv_arena *a, size_t n);

/* Zeroed allocation of `count` items of `size` bytes; NULL on overflow. */
void *hv_arena_calloc(struct hv_arena *a, size_t count, size_t size);

/* Copies `n` bytes of `s` and a terminating NUL into the arena. */
char *hv_arena_strndup(struct hv_arena *a, const char *s, size_t n);
char *hv_arena_strdup(struct hv_arena *a, const char *s);

/* Formats into the arena; NULL on error or OOM. */
char *hv_arena_printf(struct hv_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes handed out so far (for tests and metrics). */
size_t hv_arena_used(const struct hv_arena *a);

#endif
