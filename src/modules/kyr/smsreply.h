/* What Haven says by SMS besides a topic's text: the replies to STOP, HELP
 * and START in every language, the keywords that ask for them, and the
 * short footer every topic SMS ends with. The texts are data
 * (data/kyr/sms.json, embedded); this file reads them, recognises a
 * keyword in a resident's message and composes a topic SMS with its
 * footer. Nothing here touches the database or the network. */
#ifndef HV_KYR_SMSREPLY_H
#define HV_KYR_SMSREPLY_H

#include <stdbool.h>
#include <stddef.h>

enum hv_sms_keyword { HV_SMSK_NONE, HV_SMSK_STOP, HV_SMSK_HELP, HV_SMSK_START, HV_SMSK_MAX };

#define HV_SMSREPLY_FOLD_MAX 256 /* bytes of a folded message that is still a keyword */

/* Folds a message for keyword matching into out: Unicode compatibility
 * decomposition and case folding, accents dropped from Latin, Greek,
 * Cyrillic, Armenian, Hebrew and Arabic letters (other scripts keep their
 * marks: they are letters there), Arabic yeh and kaf as Persian, runs of
 * white space as one space, and white space and punctuation trimmed at
 * both ends. Returns 0, or -1 when the text is not UTF-8 or folds to more
 * than outlen - 1 bytes (then it is not a keyword, and out is ""). */
int hv_smsreply_fold(const char *in, char *out, size_t outlen);

/* The keyword a whole message is, and the language whose list has it
 * (borrowed, lives for the process); HV_SMSK_NONE when it is none. */
enum hv_sms_keyword hv_smsreply_keyword(const char *body, const char **lang);

/* The reply to keyword k in lang, else in English (borrowed). */
const char *hv_smsreply_text(const char *lang, enum hv_sms_keyword k);

/* The footer of a topic SMS in lang, else in English (borrowed). */
const char *hv_smsreply_footer(const char *lang);

/* The topic SMS as sent: text, a line break and the footer in `lang` (the
 * language of the text). *fits says whether that stays within the
 * published budget (HV_SMS_MAX_SEGMENTS); when it does not (a text
 * published before the footer existed), the text alone is returned.
 * malloc'd (caller frees); NULL when out of memory. */
char *hv_smsreply_compose(const char *text, const char *lang, bool *fits);

/* The languages the file has, in its order (for tests and docs). */
size_t hv_smsreply_nlangs(void);
const char *hv_smsreply_lang(size_t i);
/* The keywords of kind k in lang: a JSON-free view, n of them. */
size_t hv_smsreply_nkeywords(const char *lang, enum hv_sms_keyword k);
const char *hv_smsreply_keyword_at(const char *lang, enum hv_sms_keyword k, size_t i);

#endif
