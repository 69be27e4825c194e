/* Password hashing and policy. */
#include "auth/password.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/str.h"

extern const struct hv_embed hv_password_lists[];

#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static char **common;
static size_t ncommon;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc = -1;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load(void) {
  const struct hv_embed *e = hv_embed_find(hv_password_lists, "passwords.json");
  json_error_t je;
  json_t *arr = e ? json_loadb((const char *)e->data, e->len, 0, &je) : NULL;
  if (!json_is_array(arr))
    goto out;
  common = calloc(json_array_size(arr), sizeof *common);
  if (!common)
    goto out;
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *s = json_string_value(v);
    if (!s || !(common[ncommon] = strdup(s)))
      continue;
    for (char *p = common[ncommon]; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    ncommon++;
  }
  qsort(common, ncommon, sizeof *common, cmp_str);
  init_rc = ncommon >= 10000 ? 0 : -1;
out:
  json_decref(arr);
}

int hv_password_init(void) {
  pthread_once(&once, load);
  return init_rc;
}

bool hv_password_is_common(const char *pw) {
  char low[HV_PASSWORD_MAX * 4 + 1];
  if (hv_password_init() || strlen(pw) >= sizeof low)
    return false;
  size_t n = 0;
  for (; pw[n]; n++)
    low[n] = (char)tolower((unsigned char)pw[n]);
  low[n] = '\0';
  const char *key = low;
  return bsearch(&key, common, ncommon, sizeof *common, cmp_str) != NULL;
}

/* Letters of `s`, lower-cased, nothing else ("Los Angeles 2025!" ->
 * "losangeles"). The bytes of non-ASCII characters are kept as they are:
 * they are the letters of other scripts ("كلمة", "東京"). */
static size_t letters(const char *s, char *out, size_t cap) {
  size_t o = 0;
  for (; *s && o + 1 < cap; s++)
    if ((unsigned char)*s >= 0x80)
      out[o++] = *s;
    else if (isalpha((unsigned char)*s))
      out[o++] = (char)tolower((unsigned char)*s);
  out[o] = '\0';
  return o;
}

/* Characters (code points) in `n` bytes of valid UTF-8. */
static size_t utf8_chars(const char *s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < n; i++)
    chars += ((unsigned char)s[i] & 0xc0) != 0x80;
  return chars;
}

/* Can `s` be cut entirely into words of `ctx` (each of 2+ letters)?
 * "losangeleslosangeles" can; so can "lapdhaven". Word-break by dynamic
 * programming over prefixes. */
static bool made_of_context(const char *s, const char *const *ctx) {
  size_t n = strlen(s);
  bool ok[HV_PASSWORD_MAX * 4 + 2] = {false};
  char w[256];
  if (n == 0 || n > HV_PASSWORD_MAX * 4)
    return n == 0;
  ok[0] = true;
  for (size_t i = 0; i < n; i++) {
    if (!ok[i])
      continue;
    for (const char *const *c = ctx; *c; c++) {
      size_t wl = letters(*c, w, sizeof w);
      if (wl >= 2 && i + wl <= n && memcmp(s + i, w, wl) == 0)
        ok[i + wl] = true;
      /* each word of a multi-word name counts on its own too */
      char tmp[256];
      snprintf(tmp, sizeof tmp, "%s", *c);
      char *save = NULL;
      for (char *t = strtok_r(tmp, " -—,.'&/", &save); t; t = strtok_r(NULL, " -—,.'&/", &save)) {
        wl = letters(t, w, sizeof w);
        if (wl >= 2 && i + wl <= n && memcmp(s + i, w, wl) == 0)
          ok[i + wl] = true;
      }
    }
  }
  return ok[n];
}

int hv_password_check(const char *pw, const char *const *context, char *why, size_t whylen) {
  size_t bytes = strlen(pw);
  if (!hv_utf8_valid(pw, bytes)) {
    snprintf(why, whylen, "The password must be valid text.");
    return -1;
  }
  size_t chars = utf8_chars(pw, bytes);
  if (chars < HV_PASSWORD_MIN) {
    snprintf(why, whylen, "The password must be at least %d characters long (it has %zu).",
             HV_PASSWORD_MIN, chars);
    return -1;
  }
  if (chars > HV_PASSWORD_MAX) {
    snprintf(why, whylen, "The password may be at most %d characters long.", HV_PASSWORD_MAX);
    return -1;
  }
  if (hv_password_is_common(pw)) {
    snprintf(why, whylen, "This password is on a list of commonly used passwords. Choose another.");
    return -1;
  }
  char only[HV_PASSWORD_MAX * 4 + 1];
  if (utf8_chars(only, letters(pw, only, sizeof only)) < 4) {
    snprintf(why, whylen, "The password is too easy to guess. Choose a phrase of several words.");
    return -1;
  }
  static const char *const builtin[] = {"los angeles", "la", "city", "of", "lacity", "haven",
                                        "password", "passwort", "qwerty", "admin", NULL};
  if (made_of_context(only, builtin) || (context && made_of_context(only, context))) {
    snprintf(why, whylen,
             "The password is built from the city's or departments' names or your own details. "
             "Choose something others could not guess.");
    return -1;
  }
  /* one character repeated, or digits only: trivially guessed whatever the length */
  size_t first = 1; /* bytes of the first character */
  while (first < bytes && ((unsigned char)pw[first] & 0xc0) == 0x80)
    first++;
  bool same = bytes % first == 0, digits = true;
  for (size_t i = 0; i < bytes; i++) {
    same &= pw[i] == pw[i % first];
    digits &= isdigit((unsigned char)pw[i]) != 0;
  }
  if (same || digits) {
    snprintf(why, whylen, "The password is too easy to guess. Choose a phrase of several words.");
    return -1;
  }
  return 0;
}

int hv_password_hash(const char *pw, char out[HV_PASSWORD_HASH_MAX]) {
  char tmp[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(tmp, pw, strlen(pw), OPS, MEM, crypto_pwhash_ALG_ARGON2ID13))
    return -1;
  snprintf(out, HV_PASSWORD_HASH_MAX, "%s", tmp);
  return 0;
}

int hv_password_verify(const char *hash, const char *pw, bool *rehash) {
  if (!hash || strncmp(hash, "$argon2id$", 10) != 0)
    return -1;
  if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
    return -1;
  if (rehash)
    *rehash = crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0;
  return 0;
}

static char dummy[HV_PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void) {
  char secret[33];
  hv_password_random(secret, 32);
  if (hv_password_hash(secret, dummy))
    dummy[0] = '\0';
}

const char *hv_password_dummy_hash(void) {
  pthread_once(&dummy_once, make_dummy);
  return dummy;
}

void hv_password_random(char *out, size_t len) {
  /* 32 unambiguous characters: 5 bits each */
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789-";
  for (size_t i = 0; i < len; i++)
    out[i] = alphabet[randombytes_uniform(32)];
  out[len] = '\0';
}
