/* Unit tests for src/auth/password.c: the length rule counted in
 * characters (ASVS 5.0 V6: at least 15, at least 64 accepted, no
 * truncation), the common-password list and the context words, and
 * Argon2id hashing with rehash on changed parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"

#define WHY 256

/* `n` copies of the UTF-8 character `ch` into `out`. */
static const char *repeat(char *out, size_t cap, const char *ch, size_t n) {
  size_t len = strlen(ch), o = 0;
  for (size_t i = 0; i < n && o + len < cap; i++, o += len)
    memcpy(out + o, ch, len);
  out[o] = '\0';
  return out;
}

/* A passphrase-like text of exactly `n` ASCII characters. */
static const char *phrase(char *out, size_t n) {
  static const char words[] = "ferry lantern gravel orchid meteor basket thimble canyon ";
  for (size_t i = 0; i < n; i++)
    out[i] = words[i % (sizeof words - 1)];
  out[n] = '\0';
  return out;
}

static int check(const char *pw, const char *const *ctx, char *why) {
  why[0] = '\0';
  return hv_password_check(pw, ctx, why, WHY);
}

static void init_loads_the_list(void **state) {
  (void)state;
  assert_int_equal(hv_password_init(), 0);
  assert_int_equal(hv_password_init(), 0); /* once, then the same answer */
}

static void length_bounds_in_ascii(void **state) {
  (void)state;
  char pw[400], why[WHY];
  assert_int_equal(check(phrase(pw, 14), NULL, why), -1);
  assert_non_null(strstr(why, "at least 15"));
  assert_non_null(strstr(why, "(it has 14)"));
  assert_int_equal(check(phrase(pw, 15), NULL, why), 0);
  assert_int_equal(check(phrase(pw, 64), NULL, why), 0);
  assert_int_equal(check(phrase(pw, 255), NULL, why), 0);
  assert_int_equal(check(phrase(pw, 256), NULL, why), 0);
  assert_int_equal(check(phrase(pw, 257), NULL, why), -1);
  assert_non_null(strstr(why, "at most 256"));
  assert_int_equal(check("", NULL, why), -1);
}

static void length_counts_characters_not_bytes(void **state) {
  (void)state;
  char pw[1200], why[WHY];
  /* 14 characters of 2, 3 and 4 bytes: 28 to 56 bytes, still too short */
  assert_int_equal(check(repeat(pw, sizeof pw, "ж", 14), NULL, why), -1);
  assert_non_null(strstr(why, "(it has 14)"));
  assert_int_equal(check("كلمةالمرورسرية", NULL, why), -1); /* 14 Arabic letters */
  assert_non_null(strstr(why, "(it has 14)"));
  assert_int_equal(check("東京都の古い図書館で静かに読", NULL, why), -1); /* 14 */
  assert_non_null(strstr(why, "(it has 14)"));
  assert_int_equal(check("😀🌲🚲🍵🎻📚🌙😀🌲🚲🍵🎻📚🌙", NULL, why), -1); /* 14 emoji */
  assert_non_null(strstr(why, "(it has 14)"));
  /* 15 characters pass, whatever the script */
  assert_int_equal(check("كلمةالمرورسريةج", NULL, why), 0);
  assert_string_equal(why, "");
  assert_int_equal(check("東京都の古い図書館で静かに読む", NULL, why), 0);
  assert_int_equal(check("кошка спит днём", NULL, why), 0);
  assert_int_equal(check("😀🌲🚲🍵🎻📚🌙😀🌲🚲🍵🎻📚🌙🐝", NULL, why), 0);
  /* 256 three-byte characters (768 bytes) are still within the limit; 257 are not */
  const char *cjk[] = {"図", "書", "館", "静", "読"};
  size_t o = 0;
  for (int i = 0; i < 256; i++, o += 3)
    memcpy(pw + o, cjk[i % 5], 3);
  pw[o] = '\0';
  assert_int_equal(check(pw, NULL, why), 0);
  memcpy(pw + o, "む", 4);
  assert_int_equal(check(pw, NULL, why), -1);
  assert_non_null(strstr(why, "at most 256"));
}

static void invalid_utf8_refused(void **state) {
  (void)state;
  char why[WHY];
  assert_int_equal(check("ferry lantern \xff gravel orchid", NULL, why), -1);
  assert_non_null(strstr(why, "valid text"));
  assert_int_equal(check("ferry lantern gravel \xc3", NULL, why), -1);
  assert_int_equal(check("ferry \xc0\xaf lantern gravel orchid", NULL, why), -1); /* overlong */
  assert_int_equal(check("ferry \xed\xa0\x80 lantern gravel", NULL, why), -1);    /* surrogate */
}

static void common_list_lookups(void **state) {
  (void)state;
  assert_true(hv_password_is_common("password"));
  assert_true(hv_password_is_common("123456"));
  assert_true(hv_password_is_common("qwerty"));
  assert_true(hv_password_is_common("iloveyou"));
  assert_true(hv_password_is_common("letmein"));
  /* case-insensitive */
  assert_true(hv_password_is_common("PASSWORD"));
  assert_true(hv_password_is_common("QwErTy"));
  assert_false(hv_password_is_common("vq7Rk2xW9mZp4LtY8nBc"));
  assert_false(hv_password_is_common(""));
  char big[2000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_false(hv_password_is_common(big)); /* longer than any entry: no overflow */
}

static void common_passwords_refused(void **state) {
  (void)state;
  char why[WHY];
  /* entries of 15+ characters on the list, in any case */
  assert_true(hv_password_is_common("1qaz2wsx3edc4rfv"));
  assert_int_equal(check("1qaz2wsx3edc4rfv", NULL, why), -1);
  assert_non_null(strstr(why, "commonly used"));
  assert_int_equal(check("1QAZ2WSX3EDC4RFV", NULL, why), -1);
  assert_non_null(strstr(why, "commonly used"));
  assert_int_equal(check("QazWsxEdcRfvTgb", NULL, why), -1);
  assert_non_null(strstr(why, "commonly used"));
  assert_int_equal(check("qwerty123456789", NULL, why), -1);
  assert_int_equal(check("PasswordPassword", NULL, why), -1);
}

static void city_names_refused(void **state) {
  (void)state;
  char why[WHY];
  assert_int_equal(check("losangeles2025losangeles", NULL, why), -1);
  assert_non_null(strstr(why, "names"));
  assert_int_equal(check("Los Angeles! Los Angeles!", NULL, why), -1);
  assert_non_null(strstr(why, "names"));
  assert_int_equal(check("CityOfLosAngeles2025", NULL, why), -1);
  assert_int_equal(check("havenhavenhaven1", NULL, why), -1);
}

static void context_words_refused(void **state) {
  (void)state;
  char why[WHY];
  const char *const ctx[] = {"Recreation and Parks", "RAP", "jane.doe@lacity.org", NULL};
  assert_int_equal(check("Recreation and Parks 2025", ctx, why), -1);
  assert_non_null(strstr(why, "names"));
  assert_int_equal(check("ParksRecreation!!2025", ctx, why), -1); /* words on their own */
  assert_int_equal(check("recreation recreation", ctx, why), -1);
  /* the same password is fine without that context */
  assert_int_equal(check("Recreation and Parks 2025", NULL, why), 0);
  /* a context word inside a longer phrase does not make it up entirely */
  assert_int_equal(check("parks of the orchid meteor", ctx, why), 0);
  const char *const empty[] = {NULL};
  assert_int_equal(check("Recreation and Parks 2025", empty, why), 0);
}

static void passphrases_accepted(void **state) {
  (void)state;
  char why[WHY];
  assert_int_equal(check("correct horse battery staple", NULL, why), 0);
  assert_string_equal(why, "");
  assert_int_equal(check("Ferries cross the bay at dawn", NULL, why), 0);
  assert_int_equal(check("mi gato duerme en la ventana", NULL, why), 0);
}

static void trivial_passwords_refused(void **state) {
  (void)state;
  char pw[1200], why[WHY];
  assert_int_equal(check("738291046518273", NULL, why), -1); /* digits only */
  assert_non_null(strstr(why, "too easy"));
  assert_int_equal(check("73829104651827364519", NULL, why), -1);
  assert_int_equal(check(repeat(pw, sizeof pw, "z", 20), NULL, why), -1);
  assert_non_null(strstr(why, "too easy"));
  assert_int_equal(check(repeat(pw, sizeof pw, "!", 15), NULL, why), -1);
  assert_int_equal(check(repeat(pw, sizeof pw, "ж", 20), NULL, why), -1); /* multi-byte */
  assert_non_null(strstr(why, "too easy"));
  assert_int_equal(check(repeat(pw, sizeof pw, "図", 15), NULL, why), -1);
  assert_int_equal(check("1234-5678-9012-34", NULL, why), -1); /* no letters */
}

static void hash_is_argon2id_and_verifies(void **state) {
  (void)state;
  char h[HV_PASSWORD_HASH_MAX], h2[HV_PASSWORD_HASH_MAX];
  bool rehash = true;
  assert_int_equal(hv_password_hash("correct horse battery staple", h), 0);
  assert_memory_equal(h, "$argon2id$", 10);
  assert_int_equal(hv_password_verify(h, "correct horse battery staple", &rehash), 0);
  assert_false(rehash);
  assert_int_equal(hv_password_verify(h, "correct horse battery stapl", NULL), -1);
  assert_int_equal(hv_password_verify(h, "Correct horse battery staple", NULL), -1);
  assert_int_equal(hv_password_verify(h, "", NULL), -1);
  /* salted: the same password hashes differently each time */
  assert_int_equal(hv_password_hash("correct horse battery staple", h2), 0);
  assert_string_not_equal(h, h2);
  assert_int_equal(hv_password_verify(h2, "correct horse battery staple", NULL), 0);
}

static void no_truncation(void **state) {
  (void)state;
  char a[300], b[300], h[HV_PASSWORD_HASH_MAX];
  phrase(a, 100);
  memcpy(b, a, sizeof a);
  b[69] = b[69] == 'x' ? 'y' : 'x'; /* character 70 */
  assert_string_not_equal(a, b);
  assert_int_equal(hv_password_hash(a, h), 0);
  assert_int_equal(hv_password_verify(h, a, NULL), 0);
  assert_int_equal(hv_password_verify(h, b, NULL), -1);
  /* and at the far end of the longest allowed password */
  phrase(a, 256);
  memcpy(b, a, sizeof a);
  b[255] = 'X';
  assert_int_equal(hv_password_hash(a, h), 0);
  assert_int_equal(hv_password_verify(h, a, NULL), 0);
  assert_int_equal(hv_password_verify(h, b, NULL), -1);
}

static void other_hashes_refused(void **state) {
  (void)state;
  char h[crypto_pwhash_STRBYTES];
  const char *pw = "correct horse battery staple";
  bool rehash = false;
  /* Argon2i: a valid libsodium hash, but not the algorithm we store */
  assert_int_equal(crypto_pwhash_str_alg(h, pw, strlen(pw), crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                         crypto_pwhash_argon2i_MEMLIMIT_MIN,
                                         crypto_pwhash_ALG_ARGON2I13),
                   0);
  assert_memory_equal(h, "$argon2i$", 9);
  assert_int_equal(hv_password_verify(h, pw, &rehash), -1);
  assert_int_equal(hv_password_verify(NULL, pw, &rehash), -1);
  assert_int_equal(hv_password_verify("", pw, &rehash), -1);
  assert_int_equal(hv_password_verify("$2y$10$abcdefghijklmnopqrstuv", pw, &rehash), -1);
  assert_int_equal(hv_password_verify("$argon2id$", pw, &rehash), -1);
  assert_int_equal(hv_password_verify("$argon2id$v=19$m=65536,t=2,p=1$garbage", pw, &rehash), -1);
  assert_false(rehash); /* untouched on failure */
}

static void rehash_when_parameters_differ(void **state) {
  (void)state;
  char h[crypto_pwhash_STRBYTES];
  const char *pw = "correct horse battery staple";
  bool rehash = false;
  assert_int_equal(crypto_pwhash_str_alg(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
                                         crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
                   0);
  assert_memory_equal(h, "$argon2id$", 10);
  assert_int_equal(hv_password_verify(h, pw, &rehash), 0);
  assert_true(rehash);
  rehash = true;
  assert_int_equal(hv_password_verify(h, "wrong horse battery staple", &rehash), -1);
}

static void dummy_hash_is_valid(void **state) {
  (void)state;
  const char *d = hv_password_dummy_hash();
  bool rehash = true;
  assert_non_null(d);
  assert_memory_equal(d, "$argon2id$", 10);
  assert_ptr_equal(d, hv_password_dummy_hash()); /* made once */
  assert_int_equal(crypto_pwhash_str_needs_rehash(d, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                  crypto_pwhash_MEMLIMIT_INTERACTIVE),
                   0);
  /* it goes through the whole verification (and fails) */
  assert_int_equal(hv_password_verify(d, "correct horse battery staple", &rehash), -1);
  assert_true(rehash);
}

static void random_passwords(void **state) {
  (void)state;
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789-";
  char a[64], b[64];
  memset(a, '#', sizeof a);
  hv_password_random(a, 20);
  assert_int_equal(strlen(a), 20);
  assert_int_equal(a[21], '#'); /* nothing written past the terminator */
  hv_password_random(b, 20);
  assert_string_not_equal(a, b);
  for (size_t i = 0; i < 20; i++)
    assert_non_null(strchr(alphabet, a[i]));
  /* never the look-alikes, over many draws */
  for (int k = 0; k < 200; k++) {
    hv_password_random(a, 63);
    assert_int_equal(strlen(a), 63);
    assert_null(strpbrk(a, "ilo01IO"));
    for (size_t i = 0; i < 63; i++)
      assert_non_null(strchr(alphabet, a[i]));
  }
  hv_password_random(a, 0);
  assert_string_equal(a, "");
  /* a random password of the policy's minimum passes the policy */
  char why[WHY];
  hv_password_random(a, 20);
  assert_int_equal(check(a, NULL, why), 0);
}

static int setup(void **state) {
  (void)state;
  return sodium_init() < 0 ? -1 : 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(init_loads_the_list),
      cmocka_unit_test(length_bounds_in_ascii),
      cmocka_unit_test(length_counts_characters_not_bytes),
      cmocka_unit_test(invalid_utf8_refused),
      cmocka_unit_test(common_list_lookups),
      cmocka_unit_test(common_passwords_refused),
      cmocka_unit_test(city_names_refused),
      cmocka_unit_test(context_words_refused),
      cmocka_unit_test(passphrases_accepted),
      cmocka_unit_test(trivial_passwords_refused),
      cmocka_unit_test(hash_is_argon2id_and_verifies),
      cmocka_unit_test(no_truncation),
      cmocka_unit_test(other_hashes_refused),
      cmocka_unit_test(rehash_when_parameters_differ),
      cmocka_unit_test(dummy_hash_is_valid),
      cmocka_unit_test(random_passwords),
  };
  return cmocka_run_group_tests_name("auth/password", tests, setup, NULL);
}
