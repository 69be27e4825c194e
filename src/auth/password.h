/* Passwords (ASVS 5.0 V6): Argon2id through libsodium, rehash when the
 * parameters change; 15 to 256 characters, no composition rules, no
 * truncation; refused when on the common-password list (about 49,000
 * entries, from the zxcvbn-ts project's list, installed by npm) or built
 * only from the city's and departments' names. */
#ifndef HV_PASSWORD_H
#define HV_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define HV_PASSWORD_MIN 15  /* characters (code points) */
#define HV_PASSWORD_MAX 256 /* characters; at least 64 must be accepted */
#define HV_PASSWORD_HASH_MAX 128

/* Loads the common-password list (once; thread-safe after that). Returns
 * 0, or -1 when the embedded list is missing or malformed. */
int hv_password_init(void);

/* Checks a new password. `context` is a NULL-terminated list of words of
 * this installation (city, department names and codes, the user's email
 * and name) that must not make up the password. Returns 0, or -1 with a
 * reason for people in `why`. */
int hv_password_check(const char *pw, const char *const *context, char *why, size_t whylen);

/* Hashes with Argon2id into `out` ($argon2id$...). 0, or -1 on OOM. */
int hv_password_hash(const char *pw, char out[HV_PASSWORD_HASH_MAX]);

/* 0 when `pw` matches `hash`; -1 otherwise. Sets *rehash when the hash
 * was made with other parameters and should be replaced. */
int hv_password_verify(const char *hash, const char *pw, bool *rehash);

/* A valid Argon2id hash of a random secret, made once: verifying against
 * it when an email is unknown makes that answer take as long as a real one. */
const char *hv_password_dummy_hash(void);

/* True when the lower-cased `pw` is on the common-password list. */
bool hv_password_is_common(const char *pw);

/* Fills `out` with a random password of `len` characters (len < cap). */
void hv_password_random(char *out, size_t len);

#endif
