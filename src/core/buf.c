/* Bounded growable buffer. */
#include "core/buf.h"

#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hv_buf_init(struct hv_buf *b, size_t max) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
  b->fixed = false;
}

void hv_buf_init_fixed(struct hv_buf *b, char *mem, size_t cap) {
  b->data = mem;
  b->len = 0;
  b->cap = cap;
  b->max = cap ? cap - 1 : 0;
  b->fixed = true;
  if (cap)
    mem[0] = '\0';
}

void hv_buf_free(struct hv_buf *b) {
  if (!b->fixed)
    free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void hv_buf_reset(struct hv_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

static int grow(struct hv_buf *b, size_t n) {
  if (n > b->max || b->len > b->max - n)
    return -1;
  size_t need = b->len + n + 1;
  if (need <= b->cap)
    return 0;
  if (b->fixed)
    return -1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  if (cap > b->max + 1)
    cap = b->max + 1;
  char *p = realloc(b->data, cap);
  if (!p)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int hv_buf_add(struct hv_buf *b, const void *p, size_t n) {
  if (grow(b, n))
    return -1;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int hv_buf_adds(struct hv_buf *b, const char *s) { return hv_buf_add(b, s, strlen(s)); }

int hv_buf_addc(struct hv_buf *b, char c) { return hv_buf_add(b, &c, 1); }

int hv_buf_vprintf(struct hv_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0 || grow(b, (size_t)n))
    return -1;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int hv_buf_printf(struct hv_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = hv_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

/* Undoes a partly written escape so a refused append leaves the buffer as
 * it was, as the header promises for every append. */
static int undo(struct hv_buf *b, size_t len) {
  b->len = len;
  if (b->data)
    b->data[len] = '\0';
  return -1;
}

int hv_buf_add_html(struct hv_buf *b, const char *s, size_t n) {
  size_t start = 0, len0 = b->len;
  for (size_t i = 0; i < n; i++) {
    const char *rep = NULL;
    switch (s[i]) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    case '`': rep = "&#96;"; break;
    default: continue;
    }
    if (hv_buf_add(b, s + start, i - start) || hv_buf_adds(b, rep))
      return undo(b, len0);
    start = i + 1;
  }
  return hv_buf_add(b, s + start, n - start) ? undo(b, len0) : 0;
}

int hv_buf_add_json(struct hv_buf *b, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, len0 = b->len;
  while (i < n) {
    /* A run of printable ASCII needing no escape goes in one copy (this
     * writes every request's log line: not a byte at a time). */
    size_t run = i;
    while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\')
      run++;
    if (run > i) {
      if (hv_buf_add(b, s + i, run - i))
        return undo(b, len0);
      i = run;
      continue;
    }
    unsigned char c = u[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      if (hv_buf_add(b, esc, 2))
        return undo(b, len0);
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      if (hv_buf_printf(b, "\\u%04x", c))
        return undo(b, len0);
      i++;
    } else {
      size_t l = hv_utf8_seq(u + i, n - i);
      if (l == 0) {
        if (hv_buf_adds(b, "\\ufffd"))
          return undo(b, len0);
        i++;
      } else {
        if (hv_buf_add(b, s + i, l))
          return undo(b, len0);
        i += l;
      }
    }
  }
  return 0;
}

char *hv_buf_steal(struct hv_buf *b, size_t *len) {
  if (b->fixed) { /* the caller's memory cannot be handed over */
    if (len)
      *len = 0;
    return NULL;
  }
  char *p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}
