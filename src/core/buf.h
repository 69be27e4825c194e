/* Growable byte buffer with a hard maximum (curl's dynbuf idea): every
 * append either fits under the cap or fails and leaves the buffer as it was.
 * Used for rendered pages, JSON bodies and log lines. */
#ifndef HV_BUF_H
#define HV_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct hv_buf {
  char *data; /* owned; always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  size_t max; /* appends past this fail */
  bool fixed; /* data is the caller's memory: never grown or freed */
};

/* Initialises an empty buffer that may grow to `max` bytes. */
void hv_buf_init(struct hv_buf *b, size_t max);

/* Initialises an empty buffer over the caller's `mem` of `cap` bytes (at
 * most cap - 1 bytes of text): no allocation at all, for hot paths. */
void hv_buf_init_fixed(struct hv_buf *b, char *mem, size_t cap);

/* Frees the data; the buffer may be reused after hv_buf_init. */
void hv_buf_free(struct hv_buf *b);

/* Empties the buffer, keeping its memory. */
void hv_buf_reset(struct hv_buf *b);

/* Appends; return 0, or -1 when past `max` or out of memory. */
int hv_buf_add(struct hv_buf *b, const void *p, size_t n);
int hv_buf_adds(struct hv_buf *b, const char *s);
int hv_buf_addc(struct hv_buf *b, char c);
int hv_buf_printf(struct hv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int hv_buf_vprintf(struct hv_buf *b, const char *fmt, va_list ap);

/* Appends `s` escaped for HTML text and attribute values (& < > " ' `). */
int hv_buf_add_html(struct hv_buf *b, const char *s, size_t n);

/* Appends `s` as the inside of a JSON string (no quotes): control
 * characters, quotes and backslashes escaped; invalid UTF-8 replaced. */
int hv_buf_add_json(struct hv_buf *b, const char *s, size_t n);

/* Hands the data to the caller (who frees it with free()) and empties the
 * buffer. Returns NULL for an empty buffer that never allocated. */
char *hv_buf_steal(struct hv_buf *b, size_t *len);

#endif
