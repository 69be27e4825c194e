/* SMS length: which encoding a text needs and how many segments it costs.
 * The tables are GSM 03.38 (3GPP TS 23.038), written as Unicode code
 * points. */
#include "modules/kyr/sms.h"

#include <string.h>

#include "core/str.h"

/* The default alphabet, by septet value. 0x1B is the escape to the
 * extension table, not a character. */
static const uint16_t gsm_basic[128] = {
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, /* @ £ $ ¥ è é ù ì */
    0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5, /* ò Ç LF Ø ø CR Å å */
    0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, /* Δ _ Φ Γ Λ Ω Π Ψ */
    0x03A3, 0x0398, 0x039E, 0xFFFF, 0x00C6, 0x00E6, 0x00DF, 0x00C9, /* Σ Θ Ξ ESC Æ æ ß É */
    0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027, /* space ! " # ¤ % & ' */
    0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F, /* ( ) * + , - . / */
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, /* 0-7 */
    0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F, /* 8 9 : ; < = > ? */
    0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, /* ¡ A-G */
    0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, /* H-O */
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, /* P-W */
    0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, /* X Y Z Ä Ö Ñ Ü § */
    0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, /* ¿ a-g */
    0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, /* h-o */
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, /* p-w */
    0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0, /* x y z ä ö ñ ü à */
};

/* The extension table: each costs the escape septet and its own. */
static const uint16_t gsm_ext[] = {
    0x000C, /* form feed */
    0x005E, /* ^ */
    0x007B, /* { */
    0x007D, /* } */
    0x005C, /* \ */
    0x005B, /* [ */
    0x007E, /* ~ */
    0x005D, /* ] */
    0x007C, /* | */
    0x20AC, /* € */
};

int hv_sms_gsm_septets(uint32_t cp) {
  if (cp == 0 || cp > 0xFFFF)
    return 0;
  for (size_t i = 0; i < 128; i++)
    if (gsm_basic[i] == cp)
      return 1;
  for (size_t i = 0; i < sizeof gsm_ext / sizeof gsm_ext[0]; i++)
    if (gsm_ext[i] == cp)
      return 2;
  return 0;
}

const char *hv_sms_encoding_name(enum hv_sms_encoding e) {
  return e == HV_SMS_GSM7 ? "gsm7" : "ucs2";
}

static void note_offending(struct hv_sms_info *in, uint32_t cp) {
  for (size_t i = 0; i < in->noffending; i++)
    if (in->offending[i] == cp)
      return;
  if (in->noffending < HV_SMS_OFFENDING_MAX)
    in->offending[in->noffending++] = cp;
  else
    in->more_offending = true;
}

/* Segments for a sequence of characters of `cost` units each, packed
 * greedily: `single` units fit one segment; beyond, `multi` per segment
 * and a character never straddles two. */
struct packer {
  size_t single, multi;
  size_t total; /* units */
  size_t segs;  /* segments when split */
  size_t fill;  /* units in the current split segment */
};

static void pack(struct packer *p, size_t cost) {
  p->total += cost;
  if (p->segs == 0 || p->fill + cost > p->multi) {
    p->segs++;
    p->fill = 0;
  }
  p->fill += cost;
}

static size_t packed_segments(const struct packer *p) {
  if (p->total == 0)
    return 0;
  return p->total <= p->single ? 1 : p->segs;
}

int hv_sms_measure(const char *text, size_t len, struct hv_sms_info *out) {
  memset(out, 0, sizeof *out);
  struct packer gsm = {160, 153, 0, 0, 0}, ucs = {70, 67, 0, 0, 0};
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = hv_utf8_next((const unsigned char *)text + i, len - i, &cp);
    if (n == 0 || cp == 0)
      return -1;
    i += n;
    int septets = hv_sms_gsm_septets(cp);
    if (septets == 0)
      note_offending(out, cp);
    else
      pack(&gsm, (size_t)septets);
    pack(&ucs, cp > 0xFFFF ? 2 : 1);
  }
  if (out->noffending == 0) {
    out->encoding = HV_SMS_GSM7;
    out->units = gsm.total;
    out->segments = packed_segments(&gsm);
  } else {
    out->encoding = HV_SMS_UCS2;
    out->units = ucs.total;
    out->segments = packed_segments(&ucs);
  }
  return 0;
}
