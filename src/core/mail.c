/* SMTP through libcurl. */
#include "core/mail.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"

static void header_value(struct hv_buf *b, const char *s) {
  for (; *s; s++)
    if (*s != '\r' && *s != '\n')
      hv_buf_addc(b, *s);
}

/* A header value that is not ASCII (a subject in the resident's language)
 * as RFC 2047 encoded words: "=?UTF-8?B?...?=", each holding at most 45
 * bytes of whole UTF-8 characters (60 characters of base64), separated by
 * spaces, which a reader drops between encoded words. */
static void header_encoded(struct hv_buf *b, const char *s) {
  bool ascii = true;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p >= 0x80)
      ascii = false;
  if (ascii) {
    header_value(b, s);
    return;
  }
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t take = n - i > 45 ? 45 : n - i;
    while (take < n - i && take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
      take--; /* never split a character */
    if (i)
      hv_buf_addc(b, ' ');
    hv_buf_adds(b, "=?UTF-8?B?");
    for (size_t k = 0; k < take; k += 3) {
      unsigned v = (unsigned char)s[i + k] << 16;
      if (k + 1 < take)
        v |= (unsigned char)s[i + k + 1] << 8;
      if (k + 2 < take)
        v |= (unsigned char)s[i + k + 2];
      hv_buf_addc(b, b64[(v >> 18) & 63]);
      hv_buf_addc(b, b64[(v >> 12) & 63]);
      hv_buf_addc(b, k + 1 < take ? b64[(v >> 6) & 63] : '=');
      hv_buf_addc(b, k + 2 < take ? b64[v & 63] : '=');
    }
    hv_buf_adds(b, "?=");
    i += take;
  }
}

char *hv_mail_message(const char *from, const char *to, const char *subject, const char *body,
                      long long date_ms) {
  struct hv_buf b;
  char date[64];
  time_t t = (time_t)(date_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  hv_buf_init(&b, 1u << 20);
  hv_buf_printf(&b, "Date: %s\r\nFrom: ", date);
  header_value(&b, from);
  hv_buf_adds(&b, "\r\nTo: ");
  header_value(&b, to);
  hv_buf_adds(&b, "\r\nSubject: ");
  header_encoded(&b, subject);
  hv_buf_adds(&b, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n");
  for (const char *p = body; *p; p++) {
    if (*p == '\n' && (p == body || p[-1] != '\r'))
      hv_buf_addc(&b, '\r');
    /* a line that is a lone dot would end the DATA phase: curl escapes it,
     * but keep bodies free of it anyway */
    hv_buf_addc(&b, *p);
  }
  hv_buf_adds(&b, "\r\n");
  return hv_buf_steal(&b, NULL);
}

struct reader {
  const char *p;
  size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *cls) {
  struct reader *r = cls;
  size_t want = size * n;
  if (want > r->left)
    want = r->left;
  memcpy(dst, r->p, want);
  r->p += want;
  r->left -= want;
  return want;
}

int hv_mail_send(const struct hv_config *cfg, const char *to, const char *subject,
                 const char *body, char *err, size_t errlen) {
  char curl_err[CURL_ERROR_SIZE] = "";
  char from[300], rcpt[300];
  int rc = -1;
  CURL *c = curl_easy_init();
  struct curl_slist *rcpts = NULL;
  char *msg = hv_mail_message(cfg->smtp_from, to, subject, body, hv_clock_wall_ms());
  if (!c || !msg) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  snprintf(from, sizeof from, "<%s>", cfg->smtp_from);
  snprintf(rcpt, sizeof rcpt, "<%s>", to);
  rcpts = curl_slist_append(NULL, rcpt);
  struct reader r = {msg, strlen(msg)};
  curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &r);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (strncmp(cfg->smtp_url, "smtp://", 7) == 0 && cfg->smtp_starttls)
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if (cfg->smtp_user[0]) {
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
  }
  CURLcode res = curl_easy_perform(c);
  if (res != CURLE_OK) {
    snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(res));
    goto out;
  }
  rc = 0;
out:
  curl_slist_free_all(rcpts);
  if (c)
    curl_easy_cleanup(c);
  free(msg);
  return rc;
}
