/* How a text travels as SMS: GSM 03.38 (the default alphabet and its
 * extension table, 7-bit septets) when every character is in it, else
 * UCS-2 (UTF-16 code units, a character outside the Basic Multilingual
 * Plane taking a surrogate pair). One segment holds 160 septets or 70
 * units; a message of several holds 153 or 67 per segment, and an escape
 * pair or a surrogate pair is never split across two segments. */
#ifndef HV_SMS_H
#define HV_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_sms_encoding { HV_SMS_GSM7, HV_SMS_UCS2 };

#define HV_SMS_MAX_SEGMENTS 3 /* what Haven lets a published SMS text use */
#define HV_SMS_OFFENDING_MAX 16

struct hv_sms_info {
  enum hv_sms_encoding encoding;
  size_t units;    /* septets (GSM-7) or UTF-16 code units (UCS-2) */
  size_t segments; /* 0 for the empty text */
  /* The distinct characters (code points) that forced UCS-2, in order of
   * first appearance; at most HV_SMS_OFFENDING_MAX are kept. */
  uint32_t offending[HV_SMS_OFFENDING_MAX];
  size_t noffending;
  bool more_offending; /* there were more than were kept */
};

/* Measures `len` bytes of UTF-8. Returns 0, or -1 when the text is not
 * valid UTF-8 (or holds a NUL). */
int hv_sms_measure(const char *text, size_t len, struct hv_sms_info *out);

/* The septets a code point takes in GSM-7: 1 (default alphabet), 2
 * (extension table) or 0 (not representable). */
int hv_sms_gsm_septets(uint32_t cp);

const char *hv_sms_encoding_name(enum hv_sms_encoding e);

#endif
