/* Small string helpers shared by every layer: UTF-8 checks, bounded copies,
 * strict number parsing. */
#ifndef HV_STR_H
#define HV_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0 when
 * it is not valid (overlong, surrogate, past U+10FFFF, truncated). */
size_t hv_utf8_seq(const unsigned char *s, size_t n);

/* Decodes the UTF-8 sequence at `s` (at most `n` bytes) into *cp; returns
 * its length, or 0 when it is not valid (as hv_utf8_seq). */
size_t hv_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Encodes code point `cp` (at most U+10FFFF, not a surrogate) as UTF-8
 * into out (4 bytes room); returns the length, or 0 when not encodable. */
size_t hv_utf8_put(uint32_t cp, char out[4]);

/* True when all `n` bytes are valid UTF-8 with no NUL. */
bool hv_utf8_valid(const char *s, size_t n);

/* Copies at most cap-1 bytes and NUL-terminates; returns strlen(src), so a
 * result >= cap means it was truncated. */
size_t hv_strlcpy(char *dst, const char *src, size_t cap);

/* Parses a whole decimal integer in [min, max]; 0 on success, -1 otherwise
 * (empty, sign-only, trailing junk, out of range). */
int hv_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* The value of a hexadecimal digit, or -1 (percent-decoding in forms and paths). */
int hv_hexval(char c);

/* Case-insensitive ASCII comparison of NUL-terminated strings. */
bool hv_streq_nocase(const char *a, const char *b);

#endif
