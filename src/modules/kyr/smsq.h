/* Sending a Know-Your-Rights SMS for a 311 agent. The resident's number is
 * used for that one send and never stored or logged: a job lives only in
 * this process's memory, the number is wiped as soon as the gateway
 * answered, and what is recorded is a distribution count (topic, language,
 * channel, day, agent). One background thread talks to the gateway, so a
 * slow gateway never holds a request thread.
 *
 * The gateway is any HTTP endpoint in the style of the common providers:
 * a POST of To, From and Body as application/x-www-form-urlencoded, with
 * Basic authentication from sms_user and sms_token; any 2xx is success. */
#ifndef HV_SMSQ_H
#define HV_SMSQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "store/store.h"

#define HV_SMSQ_ID_LEN 32 /* hex */
#define HV_SMSQ_TO_MAX 16    /* "+" and at most 15 digits (E.164) */
#define HV_SMSQ_ADDR_MAX 254 /* an email address (RFC 5321 path limit) */

/* What a job sends: an SMS through the gateway, or an email through the
 * SMTP server of the notifications (core/mail.c). An email address is
 * held exactly as a number is: in memory for the one send, then wiped. */
enum hv_smsq_kind { HV_SMSQ_SMS, HV_SMSQ_EMAIL };

enum hv_smsq_state { HV_SMSQ_QUEUED, HV_SMSQ_SENT, HV_SMSQ_FAILED, HV_SMSQ_UNKNOWN };

struct hv_smsq;

/* Starts the sender thread. NULL when out of memory. */
struct hv_smsq *hv_smsq_start(const struct hv_config *cfg, struct hv_store *s);
/* Stops and joins it; jobs still queued are dropped (their numbers wiped).
 * hv_smsq_stop(NULL) is a no-op. */
void hv_smsq_stop(struct hv_smsq *q);

/* Normalises a typed phone number to E.164 into out: ten digits (or eleven
 * starting with 1) become +1..., "+" and 8 to 15 digits stay. Spaces,
 * dots, dashes and parentheses are ignored. Returns 0, or -1. */
int hv_smsq_number(const char *typed, char out[HV_SMSQ_TO_MAX + 1]);

/* Validates a typed email address (surrounding spaces ignored) into out:
 * a local part of printable ASCII without spaces, quotes or brackets, "@",
 * and a domain of letters, digits and hyphens with at least one dot; at
 * most HV_SMSQ_ADDR_MAX bytes. Returns 0, or -1. */
int hv_smsq_email(const char *typed, char out[HV_SMSQ_ADDR_MAX + 1]);

struct hv_smsq_job {
  const char *to;   /* E.164, or an email address */
  const char *body; /* the SMS text, or the email's plain-text body */
  int64_t topic_id, agent_id;
  const char *lang;
  enum hv_smsq_kind kind;
  const char *subject; /* email only */
};

/* Queues a send; writes its id. Returns 0, or -1 when the queue is full
 * (answer 503) or sending of that kind is not configured (sms_url,
 * smtp_url). The distribution count (channel "sms" or "email") is written
 * once the gateway or the mail server accepted it. */
int hv_smsq_submit(struct hv_smsq *q, const struct hv_smsq_job *job, char id[HV_SMSQ_ID_LEN + 1]);

/* The state of job `id` for `agent_id` (another agent's job is unknown),
 * with the gateway's reason when it failed. */
enum hv_smsq_state hv_smsq_state(struct hv_smsq *q, const char *id, int64_t agent_id, char *why,
                                 size_t whylen);
const char *hv_smsq_state_code(enum hv_smsq_state s);

/* Inside a write transaction: adds one to today's count (city-local day)
 * for topic x language x channel x agent. */
enum hv_qs hv_kyr_count_tx(struct hv_conn *c, int64_t topic_id, const char *lang,
                           const char *channel, int64_t agent_id);
/* Outside: the same in its own transaction. */
enum hv_qs hv_kyr_count(struct hv_store *s, int64_t topic_id, const char *lang, const char *channel,
                        int64_t agent_id);

/* Sends a published topic's SMS text (what the public sees in `lang`: its
 * own text or the English fallback) to the number an agent typed, for the
 * API and the console page alike. The number is used for this one send
 * and never stored or logged. */
struct hv_kyr_send {
  /* in (borrowed) */
  const char *topic, *lang, *typed;
  int64_t agent_id;
  /* out */
  char id[HV_SMSQ_ID_LEN + 1]; /* the job, when queued */
  bool english;                /* the English fallback was sent */
  int status;                  /* 0 queued; else 400 (number), 404, 422 (no SMS text), 503 */
  const char *why, *field;     /* a refusal for a person, and the field it is about */
};

/* Returns x->status. */
int hv_kyr_send_sms(struct hv_store *s, struct hv_smsq *q, const struct hv_config *cfg,
                    struct hv_kyr_send *x);

/* Emails a published topic's page link (base_url/kyr/{lang}/{slug}) with
 * its title, the subject and a line in the caller's language, to an
 * address the agent typed: used for this one send, never stored or logged.
 * The same fields as hv_kyr_send (typed is the address); status 0 queued,
 * else 400 (address), 404, 503. */
int hv_kyr_send_email(struct hv_store *s, struct hv_smsq *q, const struct hv_config *cfg,
                      struct hv_kyr_send *x);

/* Adds one to today's count for a published topic given by `channel`:
 * 0, or 404 (nothing published) or 503. */
int hv_kyr_record(struct hv_store *s, const char *topic, const char *lang, const char *channel,
                  int64_t agent_id);

#endif
