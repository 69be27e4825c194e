/* Sending one email over SMTP with libcurl (STARTTLS or SMTPS, optional
 * credentials). Used only by the outbox sender, never on a request's path. */
#ifndef HV_MAIL_H
#define HV_MAIL_H

#include <stddef.h>

#include "core/config.h"

/* Sends a plain-text message. Returns 0, or -1 with a reason in `err`. */
int hv_mail_send(const struct hv_config *cfg, const char *to, const char *subject,
                 const char *body, char *err, size_t errlen);

/* Builds the RFC 5322 message (headers and CRLF body) into a malloc'd
 * string (caller frees). Header values are stripped of CR and LF; a
 * subject that is not ASCII is written as RFC 2047 encoded words. */
char *hv_mail_message(const char *from, const char *to, const char *subject, const char *body,
                      long long date_ms);

#endif
