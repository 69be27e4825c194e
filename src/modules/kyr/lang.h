/* Choosing a resident's language: the first guess from Accept-Language
 * among the languages Haven serves. */
#ifndef HV_KYR_LANG_H
#define HV_KYR_LANG_H

#include <stddef.h>

/* Picks the best of `tags` (BCP 47, n of them) for an Accept-Language
 * header, honouring q-values and order: an exact tag, then the same
 * language (es-MX -> es), with Chinese by script or region (zh-TW, zh-HK,
 * zh-MO -> zh-Hant; zh, zh-CN, zh-SG -> zh-Hans) and old or alternative
 * codes (fil -> tl, iw -> he, pes -> fa). Returns the index into `tags`,
 * or -1 when nothing matches (then use English). */
int hv_kyr_accept_language(const char *header, const char *const *tags, size_t n);

#endif
