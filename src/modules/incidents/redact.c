/* The narrative scanner (DESIGN.md section 4, redact.h): one left-to-right
 * pass over the bytes of a staff narrative that replaces alien numbers,
 * SSNs, dates of birth, phone numbers and emails with typed placeholders,
 * then a second pass over the redacted text that counts words pointing to
 * someone's immigration status (those stay; the filer is asked to rewrite).
 *
 * Why hand-written and not regular expressions: the rules need context
 * ("a bare 9-digit run only near 'SSN'", "a date only after 'born'") and
 * the narrative is attacker-sized input. Every matcher below reads a
 * bounded number of bytes from where it starts, and matchers start only at
 * token boundaries, so the whole scan is linear in the input.
 *
 * Redacting twice must change nothing (the fuzz target checks it), so:
 *   - a placeholder already in the text is copied and treated exactly like
 *     the match it stands for;
 *   - the byte before a position that follows a match reads as ']' (the
 *     last byte of every placeholder), whichever pass we are in;
 *   - context windows ("within 20 characters after SSN") count only copied
 *     bytes, never matched bytes or placeholders, and a match re-opens the
 *     window of its own kind, as its placeholder does on the next pass. */
#include "modules/incidents/redact.h"

#include <stdbool.h>
#include <string.h>

#include "core/str.h"

static const char *const placeholders[HV_PII_MAX] = {
    [HV_PII_ALIEN_NUMBER] = "[A-NUMBER]",
    [HV_PII_SSN] = "[SSN]",
    [HV_PII_DOB] = "[DATE OF BIRTH]",
    [HV_PII_PHONE] = "[PHONE]",
    [HV_PII_EMAIL] = "[EMAIL]",
};

static const char *const labels[HV_PII_MAX] = {
    [HV_PII_ALIEN_NUMBER] = "an alien number",
    [HV_PII_SSN] = "a Social Security number",
    [HV_PII_DOB] = "a date of birth",
    [HV_PII_PHONE] = "a phone number",
    [HV_PII_EMAIL] = "an email address",
};

const char *hv_pii_placeholder(enum hv_pii kind) {
  return (unsigned)kind < HV_PII_MAX ? placeholders[kind] : "[REDACTED]";
}

const char *hv_pii_label(enum hv_pii kind) {
  return (unsigned)kind < HV_PII_MAX ? labels[kind] : "personal information";
}

/* ---- Context windows ---------------------------------------------------- */

/* Some numbers are identifiers only next to a word that says so. */
enum ctx { CTX_ANUM, CTX_SSN, CTX_DOB, CTX_MAX };

/* How many copied bytes after the trigger a match may still start. */
static const size_t ctx_reach[CTX_MAX] = {[CTX_ANUM] = 12, [CTX_SSN] = 20, [CTX_DOB] = 25};

struct window {
  bool on;
  size_t used; /* bytes copied since the trigger or the last match */
};

struct scan {
  const unsigned char *p;
  size_t n;
  size_t mark; /* bytes before this were replaced: they read as ']' */
  struct window win[CTX_MAX];
};

/* ---- Characters ---------------------------------------------------------- */

static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }
static bool is_alpha(unsigned c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static bool is_alnum(unsigned c) { return is_digit(c) || is_alpha(c); }
static bool is_space(unsigned c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Characters allowed in the local part of an email address. */
static bool is_local(unsigned c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Letters of the scripts whose words are written with spaces between them
 * (Latin with accents, Greek, Cyrillic): "visa" inside "révisa" is no
 * match. CJK and Arabic next to a Latin word count as a boundary. */
static bool is_word_cp(unsigned cp) {
  if (cp < 0x80)
    return is_alnum(cp);
  if (cp >= 0xc0 && cp <= 0x24f)
    return cp != 0xd7 && cp != 0xf7;
  return cp >= 0x370 && cp <= 0x52f;
}

/* Decodes the (already validated) UTF-8 sequence of `len` bytes at `s`. */
static unsigned decode(const unsigned char *s, size_t len) {
  if (len == 1)
    return s[0];
  unsigned cp = s[0] & (0x3fu >> (len - 1));
  for (size_t k = 1; k < len; k++)
    cp = (cp << 6) | (s[k] & 0x3fu);
  return cp;
}

static size_t seq_len(const struct scan *s, size_t i) {
  size_t l = hv_utf8_seq(s->p + i, s->n - i);
  return l ? l : 1;
}

/* Is the character that starts at `i` a word character? */
static bool word_at(const struct scan *s, size_t i) {
  if (i >= s->n)
    return false;
  return is_word_cp(decode(s->p + i, seq_len(s, i)));
}

/* The byte `k` places before `i`, with replaced text reading as ']'. */
static unsigned before(const struct scan *s, size_t i, size_t k) {
  if (i < k || i - k < s->mark)
    return ']';
  return s->p[i - k];
}

/* Is the character that ends at `i` a word character? */
static bool word_before(const struct scan *s, size_t i) {
  if (i == 0 || i - 1 < s->mark)
    return false;
  size_t j = i - 1;
  while (j > s->mark && (s->p[j] & 0xc0) == 0x80 && i - j < 4)
    j--;
  return is_word_cp(decode(s->p + j, i - j));
}

/* Where a number, a word or a date may begin: not inside a word, and not
 * in the middle of a longer number ("2026-000123", "10.5.2026"). */
static bool token_start(const struct scan *s, size_t i) {
  if (word_before(s, i))
    return false;
  unsigned b = before(s, i, 1);
  return !((b == '-' || b == '.' || b == '/') && is_digit(before(s, i, 2)));
}

/* Where a match may end: not before more of the same word or number.
 * Every match ends with a letter or digit, and this looks no further
 * than token_start does, so nothing that could start a match right after
 * `e` decides it: a second pass, which sees a placeholder there, agrees. */
static bool clean_end(const struct scan *s, size_t e) {
  if (e >= s->n)
    return true;
  if (word_at(s, e))
    return false;
  unsigned c = s->p[e];
  return !((c == '-' || c == '.' || c == '/') && is_digit(s->p[e - 1]) && e + 1 < s->n &&
           is_digit(s->p[e + 1]));
}

/* Exactly `k` digits at `j`, not followed by another digit. */
static bool digits_exact(const struct scan *s, size_t j, size_t k) {
  if (j + k > s->n)
    return false;
  for (size_t m = 0; m < k; m++)
    if (!is_digit(s->p[j + m]))
      return false;
  return j + k == s->n || !is_digit(s->p[j + k]);
}

/* Length of the digit run at `j`, counted up to `cap` (so long runs cost
 * nothing extra: callers only need to know the run is too long). */
static size_t digit_run(const struct scan *s, size_t j, size_t cap) {
  size_t k = 0;
  while (j + k < s->n && k < cap && is_digit(s->p[j + k]))
    k++;
  return k;
}

static unsigned num(const struct scan *s, size_t j, size_t k) {
  unsigned v = 0;
  for (size_t m = 0; m < k; m++)
    v = v * 10 + (s->p[j + m] - '0');
  return v;
}

/* Skips 1 to `max` spaces or tabs; returns the new position or 0. */
static size_t spaces(const struct scan *s, size_t j, size_t max) {
  size_t k = 0;
  while (j + k < s->n && k < max && (s->p[j + k] == ' ' || s->p[j + k] == '\t'))
    k++;
  return k ? j + k : 0;
}

/* Case folding for literal matching: ASCII, and the accented Latin-1
 * letters that Spanish uses (U+00C0..U+00DE fold to U+00E0..U+00FE,
 * which in UTF-8 only changes the second byte of a C3 pair). */
static unsigned fold_latin1_tail(unsigned c) {
  return (c >= 0x80 && c <= 0x9e && c != 0x97) ? c + 0x20 : c;
}

/* Matches the lowercase literal `lit` at `i`, ignoring case; a space in
 * `lit` matches one to three whitespace characters or one hyphen
 * ("date of birth", "green-card"). Returns the end, or 0. */
static size_t lit_at(const struct scan *s, size_t i, const char *lit) {
  size_t j = i;
  for (const unsigned char *l = (const unsigned char *)lit; *l; l++) {
    if (j >= s->n)
      return 0;
    unsigned c = s->p[j];
    if (*l == ' ') {
      if (c == '-') {
        j++;
        continue;
      }
      size_t k = 0;
      while (j + k < s->n && k < 3 && is_space(s->p[j + k]))
        k++;
      if (!k)
        return 0;
      j += k;
    } else if (*l < 0x80) {
      if ((is_alpha(c) ? (c | 0x20) : c) != *l)
        return 0;
      j++;
    } else if (l > (const unsigned char *)lit && l[-1] == 0xc3) {
      if (fold_latin1_tail(c) != *l)
        return 0;
      j++;
    } else {
      if (c != *l)
        return 0;
      j++;
    }
  }
  return j;
}

/* The longest literal of `list` that stands as a whole word at `i`
 * (boundaries are checked only where the literal itself begins or ends
 * with a letter, so "ss#" may run into digits). Returns the end, or 0. */
static size_t word_in(const struct scan *s, size_t i, const char *const *list, size_t count) {
  size_t best = 0;
  for (size_t k = 0; k < count; k++) {
    const char *lit = list[k];
    if ((s->p[i] | 0x20) != (unsigned char)lit[0])
      continue;
    size_t e = lit_at(s, i, lit);
    if (!e || e <= best)
      continue;
    if (is_alnum((unsigned char)lit[strlen(lit) - 1]) && word_at(s, e))
      continue;
    best = e;
  }
  return best;
}

/* ---- Emails ------------------------------------------------------------ */

/* Length of the local-part character at `j`, or 0: the ASCII set and, as
 * internationalised addresses allow, letters with accents, so
 * "maría@example.com" is replaced whole rather than from its "a". */
static size_t local_char(const struct scan *s, size_t j) {
  if (j >= s->n)
    return 0;
  if (s->p[j] < 0x80)
    return is_local(s->p[j]) ? 1 : 0;
  size_t l = seq_len(s, j);
  return is_word_cp(decode(s->p + j, l)) ? l : 0;
}

/* local@domain.tld, tried where a run of local-part characters begins.
 * The domain ends after the last label that could be a top-level domain
 * (letters only, after a dot), so "a@x.com-2135550100" gives up only the
 * "-2135550100" for the phone matcher. */
static size_t match_email(const struct scan *s, size_t i) {
  /* Not in the middle of a number either ("3/04x@b.co"): the number
   * before the "/" was judged with the digits after it, and must be
   * judged the same way once they are a placeholder. */
  unsigned b = before(s, i, 1);
  if (!local_char(s, i) || is_local(b) || word_before(s, i) ||
      (b == '/' && is_digit(before(s, i, 2))))
    return 0;
  size_t j = i, l;
  bool alnum = false;
  while (j - i <= 64 && (l = local_char(s, j))) {
    alnum |= l > 1 || is_alnum(s->p[j]);
    j += l;
  }
  if (!alnum || j - i > 64 || j >= s->n || s->p[j] != '@')
    return 0;
  size_t d = ++j, end = 0;
  bool dot = false;
  while (j < s->n && j - d < 253 && is_alnum(s->p[j])) {
    size_t run = j;
    bool letters = true;
    while (j < s->n && j - d < 253 && is_alnum(s->p[j]))
      letters &= is_alpha(s->p[j++]);
    if (dot && letters && j - run >= 2 && s->p[run - 1] == '.')
      end = j;
    if (j + 1 < s->n && (s->p[j] == '.' || s->p[j] == '-') && is_alnum(s->p[j + 1])) {
      dot |= s->p[j] == '.';
      j++;
    } else {
      break;
    }
  }
  return end;
}

/* Is there an email starting strictly inside (i, e)? A trigger phrase that
 * would swallow the start of an address is no trigger. */
static bool email_inside(const struct scan *s, size_t i, size_t e) {
  for (size_t q = i + 1; q < e; q++)
    if (match_email(s, q))
      return true;
  return false;
}

/* ---- Alien numbers ------------------------------------------------------- */

static bool anum_sep(const struct scan *s, size_t j) {
  return j < s->n && (s->p[j] == '-' || s->p[j] == '.' || s->p[j] == ' ');
}

/* 8 or 9 digits: one run, or a group of 2 or 3 digits and two groups of
 * exactly 3, separated by "-", "." or a space ("123 456 789",
 * "12-345-678"), so "A 123 456 789 12" keeps the 12. */
static size_t anum_digits(const struct scan *s, size_t j) {
  size_t run = digit_run(s, j, 10), e = 0;
  if (run == 8 || run == 9)
    e = j + run;
  else if ((run == 2 || run == 3) && anum_sep(s, j + run) && digits_exact(s, j + run + 1, 3) &&
           anum_sep(s, j + run + 4) && digits_exact(s, j + run + 5, 3))
    e = j + run + 8;
  return e && clean_end(s, e) ? e : 0;
}

/* "A123456789", "A-123-456-789", "A# 12345678", "a 123 456 789": the
 * letter is part of the identifier, so the whole token is replaced. */
static size_t match_anum(const struct scan *s, size_t i) {
  if ((s->p[i] | 0x20) != 'a')
    return 0;
  size_t j = i + 1, k;
  if ((k = spaces(s, j, 2)))
    j = k;
  for (int m = 0; m < 2 && j < s->n && s->p[j] && strchr("#-.:", s->p[j]); m++)
    j++;
  if ((k = spaces(s, j, 2)))
    j = k;
  return anum_digits(s, j);
}

/* ---- Social Security numbers -------------------------------------------- */

/* 123-45-6789 or 123 45 6789: always an SSN, whatever the digits. */
static size_t match_ssn_grouped(const struct scan *s, size_t i) {
  size_t j = i;
  if (!digits_exact(s, j, 3))
    return 0;
  j += 3;
  if (j >= s->n || (s->p[j] != '-' && s->p[j] != ' ') || !digits_exact(s, j + 1, 2))
    return 0;
  j += 3;
  if (j >= s->n || (s->p[j] != '-' && s->p[j] != ' ') || !digits_exact(s, j + 1, 4))
    return 0;
  j += 5;
  return clean_end(s, j) ? j : 0;
}

/* A bare 9-digit run (only called near "SSN"): numbers the SSA never
 * issues are left alone, as they are more likely case or file numbers. */
static size_t match_ssn_bare(const struct scan *s, size_t i) {
  if (!digits_exact(s, i, 9) || !clean_end(s, i + 9))
    return 0;
  unsigned area = num(s, i, 3), group = num(s, i + 3, 2), serial = num(s, i + 5, 4);
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
    return 0;
  return i + 9;
}

/* ---- Phone numbers -------------------------------------------------------- */

static bool phone_sep(const struct scan *s, size_t j) {
  return j < s->n && (s->p[j] == '-' || s->p[j] == '.' || s->p[j] == ' ');
}

/* US numbers: optional "+1" or "1-", then (213) 555-0100, 213-555-0100,
 * 213.555.0100, 213 555 0100 or ten digits standing alone. Runs of 9 or 11
 * and more digits are something else (case numbers, card numbers). */
static size_t match_phone(const struct scan *s, size_t i) {
  size_t j = i;
  if (s->p[j] == '+') {
    if (j + 1 >= s->n || s->p[j + 1] != '1')
      return 0;
    j += 2;
    if (phone_sep(s, j))
      j++;
  } else if (s->p[j] == '1' && phone_sep(s, j + 1) && j + 2 < s->n &&
             (is_digit(s->p[j + 2]) || s->p[j + 2] == '(')) {
    j += 2;
  }
  if (j >= s->n)
    return 0;
  if (s->p[j] == '(') {
    if (!digits_exact(s, j + 1, 3) || j + 4 >= s->n || s->p[j + 4] != ')')
      return 0;
    j += 5;
    if (phone_sep(s, j))
      j++;
  } else if (digits_exact(s, j, 10)) {
    return clean_end(s, j + 10) ? j + 10 : 0;
  } else if (digits_exact(s, j, 3) && phone_sep(s, j + 3)) {
    j += 4;
  } else {
    return 0;
  }
  if (!digits_exact(s, j, 3) || !phone_sep(s, j + 3) || !digits_exact(s, j + 4, 4))
    return 0;
  j += 8;
  return clean_end(s, j) ? j : 0;
}

/* ---- Dates (of birth) ------------------------------------------------------ */

static const char *const months[] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre", "ene", "abr",
    "ago", "dic"};

/* A month name at `j`; end or 0. The dot of an abbreviation is left to
 * the caller, as a match must not end with it. */
static size_t month_at(const struct scan *s, size_t j) {
  if (j >= s->n || !is_alpha(s->p[j]))
    return 0;
  return word_in(s, j, months, sizeof months / sizeof months[0]);
}

static size_t skip_dot(const struct scan *s, size_t j) {
  return j < s->n && s->p[j] == '.' ? j + 1 : j;
}

/* A day of the month (1 or 2 digits, 1..31) with an optional English
 * ordinal ("3rd"); end or 0. */
static size_t day_at(const struct scan *s, size_t j) {
  size_t k = digit_run(s, j, 3);
  if (k < 1 || k > 2 || num(s, j, k) < 1 || num(s, j, k) > 31)
    return 0;
  j += k;
  static const char *const ord[] = {"st", "nd", "rd", "th"};
  size_t e = j < s->n ? word_in(s, j, ord, 4) : 0;
  return e ? e : j;
}

/* After a day and month: an optional year, ", 1990", " 1990",
 * ". 1990" (after "Mar.") or " de 1990" / " del 1990". Returns the end
 * with or without it. */
static size_t year_after(const struct scan *s, size_t j) {
  size_t k = j, sp;
  bool punct = k < s->n && (s->p[k] == ',' || s->p[k] == '.');
  if (punct)
    k++;
  if ((sp = spaces(s, k, 3)))
    k = sp;
  else if (!punct)
    return j;
  size_t d = lit_at(s, k, "del ");
  if (!d)
    d = lit_at(s, k, "de ");
  if (d)
    k = d;
  return digits_exact(s, k, 4) ? k + 4 : j;
}

/* 03/04/1990, 3-4-90, 3.4.1990 (month or day first) and 1990-03-04. */
static size_t date_numeric(const struct scan *s, size_t i) {
  size_t a = digit_run(s, i, 5);
  if (a == 4) {
    unsigned sep = i + 4 < s->n ? s->p[i + 4] : 0;
    if (sep != '-' && sep != '/' && sep != '.')
      return 0;
    size_t j = i + 5, m = digit_run(s, j, 3);
    if (m < 1 || m > 2 || num(s, j, m) < 1 || num(s, j, m) > 12)
      return 0;
    j += m;
    if (j >= s->n || s->p[j] != sep)
      return 0;
    size_t d = digit_run(s, ++j, 3);
    if (d < 1 || d > 2 || num(s, j, d) < 1 || num(s, j, d) > 31)
      return 0;
    return j + d;
  }
  if (a < 1 || a > 2 || i + a >= s->n)
    return 0;
  unsigned sep = s->p[i + a];
  if (sep != '-' && sep != '/' && sep != '.')
    return 0;
  size_t j = i + a + 1, b = digit_run(s, j, 3);
  if (b < 1 || b > 2 || j + b >= s->n || s->p[j + b] != sep)
    return 0;
  unsigned x = num(s, i, a), y = num(s, j, b);
  if (x < 1 || y < 1 || x > 31 || y > 31 || (x > 12 && y > 12))
    return 0;
  j += b + 1;
  size_t yr = digit_run(s, j, 5);
  return yr == 2 || yr == 4 ? j + yr : 0;
}

/* The end of a named date at `j` (after its day and month): with the year
 * when that ends cleanly, else without it. Both are tried because the
 * shorter one is what a second pass would see if what follows the year
 * turned into a placeholder ("3 de marzo de 1990x@example.com"). */
static size_t year_or_not(const struct scan *s, size_t j) {
  size_t y = year_after(s, j);
  if (y != j && clean_end(s, y))
    return y;
  return clean_end(s, j) ? j : 0;
}

/* "March 3, 1990", "Mar. 3rd 1990", "3 March 1990", "3 de marzo de 1990",
 * and the same without the year (a birthday still identifies). */
static size_t date_named(const struct scan *s, size_t i) {
  size_t j, k;
  if ((j = month_at(s, i))) {
    if (!(k = spaces(s, skip_dot(s, j), 3)) || !(k = day_at(s, k)))
      return 0;
    return year_or_not(s, k);
  }
  if (!(j = day_at(s, i)) || !(j = spaces(s, j, 3)))
    return 0;
  if ((k = lit_at(s, j, "de ")))
    j = k;
  if (!(k = month_at(s, j)))
    return 0;
  return year_or_not(s, k);
}

/* A date, tried only inside a date-of-birth window. */
static size_t match_date(const struct scan *s, size_t i) {
  size_t e = is_digit(s->p[i]) ? date_numeric(s, i) : 0;
  if (e && clean_end(s, e))
    return e;
  return date_named(s, i);
}

/* ---- Triggers -------------------------------------------------------------- */

static const char *const dob_words[] = {
    "dob", "d.o.b.", "d.o.b", "born", "date of birth", "birth date", "birthdate", "birthday",
    "fecha de nacimiento", "nacimiento", "nacido", "nacida", "nació", "nacio"};
static const char *const ssn_words[] = {
    "ssn", "ss#", "s.s.n.", "s.s.n", "social security", "social security number",
    "social security no.", "social security #", "soc. sec.", "seguro social"};
static const char *const anum_words[] = {
    "alien number", "alien no.", "alien no", "alien #", "alien registration number",
    "alien reg. no.", "a number", "a no.", "a no", "a#", "uscis number", "uscis no.",
    "uscis #", "número de extranjero", "numero de extranjero"};

/* A trigger word at `i`: opens its window and returns its end, or 0. */
static size_t match_trigger(const struct scan *s, size_t i, enum ctx *which) {
  static const struct {
    const char *const *list;
    size_t n;
  } sets[CTX_MAX] = {
      [CTX_ANUM] = {anum_words, sizeof anum_words / sizeof anum_words[0]},
      [CTX_SSN] = {ssn_words, sizeof ssn_words / sizeof ssn_words[0]},
      [CTX_DOB] = {dob_words, sizeof dob_words / sizeof dob_words[0]},
  };
  size_t best = 0;
  for (int c = 0; c < CTX_MAX; c++) {
    size_t e = word_in(s, i, sets[c].list, sets[c].n);
    if (e > best && !email_inside(s, i, e)) {
      best = e;
      *which = (enum ctx)c;
    }
  }
  return best;
}

/* ---- The scan -------------------------------------------------------------- */

static const int pii_ctx[HV_PII_MAX] = {
    [HV_PII_ALIEN_NUMBER] = CTX_ANUM, [HV_PII_SSN] = CTX_SSN, [HV_PII_DOB] = CTX_DOB,
    [HV_PII_PHONE] = -1, [HV_PII_EMAIL] = -1};

static void open_window(struct scan *s, int c) {
  if (c >= 0) {
    s->win[c].on = true;
    s->win[c].used = 0;
  }
}

/* Accounts for one copied character at `i` of `len` bytes: windows close
 * when out of reach, and a date-of-birth window also at the end of a
 * sentence, so "born here. On 11/26/2026 agents came" keeps the date. */
static void copied(struct scan *s, size_t i, size_t len) {
  for (int c = 0; c < CTX_MAX; c++) {
    struct window *w = &s->win[c];
    if (!w->on)
      continue;
    w->used += len;
    if (w->used > ctx_reach[c])
      w->on = false;
  }
  unsigned b = s->p[i];
  bool stop = b == '\n' || ((b == '.' || b == '!' || b == '?' || b == ';') &&
                            (i + 1 >= s->n || is_space(s->p[i + 1])));
  if (stop)
    s->win[CTX_DOB].on = false;
}

/* A placeholder already in the text (a second pass, or a filer who typed
 * one): copied, and treated as the match it stands for. */
static size_t match_placeholder(const struct scan *s, size_t i, enum hv_pii *kind) {
  if (s->p[i] != '[')
    return 0;
  for (int k = 0; k < HV_PII_MAX; k++) {
    size_t l = strlen(placeholders[k]);
    if (l <= s->n - i && memcmp(s->p + i, placeholders[k], l) == 0) {
      *kind = (enum hv_pii)k;
      return i + l;
    }
  }
  return 0;
}

/* The number in an alien-number or SSN window; the window opened last
 * wins when both are open ("A-number and SSN: 123456789"). */
static size_t match_windowed(const struct scan *s, size_t i, enum hv_pii *kind) {
  const struct window *a = &s->win[CTX_ANUM], *n = &s->win[CTX_SSN];
  bool ssn_first = n->on && (!a->on || n->used < a->used);
  for (int round = 0; round < 2; round++) {
    bool try_ssn = (round == 0) == ssn_first;
    size_t e = 0;
    if (try_ssn && n->on && (e = match_ssn_bare(s, i)))
      *kind = HV_PII_SSN;
    else if (!try_ssn && a->on && (e = anum_digits(s, i)))
      *kind = HV_PII_ALIEN_NUMBER;
    if (e)
      return e;
  }
  return 0;
}

/* The identifier that starts at `i`, if any: its end and kind. */
static size_t find_match(const struct scan *s, size_t i, enum hv_pii *kind) {
  size_t e;
  unsigned c = s->p[i];
  if ((e = match_email(s, i))) {
    *kind = HV_PII_EMAIL;
    return e;
  }
  if (!(is_alnum(c) || c == '(' || c == '+') || !token_start(s, i))
    return 0;
  if ((c | 0x20) == 'a' && (e = match_anum(s, i))) {
    *kind = HV_PII_ALIEN_NUMBER;
    return e;
  }
  if (s->win[CTX_DOB].on && (e = match_date(s, i))) {
    *kind = HV_PII_DOB;
    return e;
  }
  if (is_digit(c) && (e = match_windowed(s, i, kind)))
    return e;
  if (is_digit(c) && (e = match_ssn_grouped(s, i))) {
    *kind = HV_PII_SSN;
    return e;
  }
  if ((e = match_phone(s, i))) {
    *kind = HV_PII_PHONE;
    return e;
  }
  return 0;
}

/* ---- Status words ------------------------------------------------------------ */

static const char *const status_words[] = {
    "undocumented", "illegal alien", "illegal aliens", "illegal immigrant",
    "illegal immigrants", "illegals", "visa", "visas", "green card", "green cards", "citizen",
    "citizens", "citizenship", "non-citizen", "non-citizens", "noncitizen", "noncitizens",
    "immigration status", "legal status", "deportable", "overstay", "overstays", "overstayed",
    "asylum", "refugee", "refugees", "daca", "tps", "work permit", "work permits",
    "indocumentado", "indocumentada", "indocumentados", "indocumentadas", "ilegal", "ilegales",
    "sin papeles", "tarjeta verde", "ciudadano", "ciudadana", "ciudadanos", "ciudadanas",
    "ciudadanía", "ciudadania", "residente permanente", "estatus migratorio", "asilo",
    "refugiado", "refugiada", "refugiados", "refugiadas"};

/* Case-insensitive equality under the same folding as lit_at. */
static bool same_word(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    unsigned x = (unsigned char)*a, y = (unsigned char)*b;
    x = is_alpha(x) ? (x | 0x20) : fold_latin1_tail(x);
    y = is_alpha(y) ? (y | 0x20) : fold_latin1_tail(y);
    if (x != y)
      return false;
  }
  return *a == *b;
}

/* Keeps a copy of the word as written (cut on a character boundary), once. */
static void keep_word(struct hv_redaction *r, const unsigned char *w, size_t len) {
  char tmp[sizeof r->words[0]];
  size_t cut = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
  while (cut > 0 && cut < len && (w[cut] & 0xc0) == 0x80)
    cut--;
  memcpy(tmp, w, cut);
  tmp[cut] = '\0';
  for (size_t k = 0; k < r->nwords; k++)
    if (same_word(r->words[k], tmp))
      return;
  if (r->nwords < sizeof r->words / sizeof r->words[0])
    memcpy(r->words[r->nwords++], tmp, cut + 1);
}

/* Runs over the redacted text, so no part of an identifier can end up in
 * r->words and placeholders never count. */
static void flag_words(const char *text, size_t n, struct hv_redaction *r) {
  struct scan s = {.p = (const unsigned char *)text, .n = n};
  size_t i = 0;
  while (i < n) {
    size_t e = 0;
    if (is_alpha(s.p[i]) && !word_before(&s, i))
      e = word_in(&s, i, status_words, sizeof status_words / sizeof status_words[0]);
    if (e) {
      r->flagged++;
      keep_word(r, s.p + i, e - i);
      i = e;
    } else {
      i += seq_len(&s, i);
    }
  }
}

int hv_redact(const char *text, size_t n, struct hv_buf *out, struct hv_redaction *r) {
  struct hv_redaction unused;
  if (!r)
    r = &unused;
  memset(r, 0, sizeof *r);
  if (!text) {
    if (n)
      return -1;
    text = "";
  }
  if (!hv_utf8_valid(text, n))
    return -1;
  size_t start = out->len;
  struct scan s = {.p = (const unsigned char *)text, .n = n};
  size_t i = 0, flushed = 0;
  while (i < n) {
    enum hv_pii kind = HV_PII_MAX;
    enum ctx which = CTX_MAX;
    size_t e;
    if ((e = match_placeholder(&s, i, &kind))) {
      if (hv_buf_add(out, text + flushed, e - flushed) < 0)
        goto full;
      flushed = s.mark = i = e;
      open_window(&s, pii_ctx[kind]);
    } else if ((e = find_match(&s, i, &kind))) {
      if (hv_buf_add(out, text + flushed, i - flushed) < 0 ||
          hv_buf_adds(out, placeholders[kind]) < 0)
        goto full;
      r->found[kind]++;
      flushed = s.mark = i = e;
      open_window(&s, pii_ctx[kind]);
    } else if (is_alpha(s.p[i]) && token_start(&s, i) && (e = match_trigger(&s, i, &which))) {
      for (; i < e; i += seq_len(&s, i))
        copied(&s, i, seq_len(&s, i));
      open_window(&s, which);
    } else {
      size_t len = seq_len(&s, i);
      copied(&s, i, len);
      i += len;
    }
  }
  if (hv_buf_add(out, text + flushed, n - flushed) < 0)
    goto full;
  flag_words(out->data ? out->data + start : "", out->len - start, r);
  return 0;
full:
  /* Leave `out` as it was, as a refused hv_buf append does. */
  out->len = start;
  if (out->data)
    out->data[start] = '\0';
  return -1;
}
