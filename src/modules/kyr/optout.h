/* SMS opt-outs without numbers. A resident who answers STOP must get no
 * more texts, but a typed number is never stored (DESIGN section 4). What
 * is stored is a keyed BLAKE2b-256 hash of the normalised E.164 number
 * under a 32-byte secret in the data folder (sms-optout.key, mode 0600,
 * created on first use): the same number always gives the same hash, so a
 * send can be refused, but without the key the table cannot be turned back
 * into numbers, nor a guessed number checked against it (a plain hash of
 * the few billion possible numbers could be reversed by trying them all;
 * a keyed one cannot). START removes the row. */
#ifndef HV_KYR_OPTOUT_H
#define HV_KYR_OPTOUT_H

#include <stdbool.h>

#include "store/store.h"

#define HV_KYR_OPTOUT_KEY_FILE "sms-optout.key"
#define HV_KYR_OPTOUT_HASH_HEX 65 /* 32 bytes as hex, with NUL */

/* The keyed hash of an E.164 number (as hv_smsq_number writes it) into
 * hex. The key is read (or created) once per process from data_dir.
 * Returns 0, or -1 when the key cannot be had (logged, without the
 * number). */
int hv_kyr_optout_hash(const char *data_dir, const char *e164, char hex[HV_KYR_OPTOUT_HASH_HEX]);

/* Records (out) or removes (!out) an opt-out, with its audit event (actor
 * "sms-gateway", no number or hash in it). HV_QS_ONE on success. */
enum hv_qs hv_kyr_optout_set(struct hv_store *s, const char *hash, bool out);

/* HV_QS_ONE when the number has opted out, HV_QS_NONE when not. */
enum hv_qs hv_kyr_optout_has(struct hv_store *s, const char *hash);

#endif
