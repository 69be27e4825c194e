/* The SMS queue: a fixed table of jobs in memory, one sender thread, the
 * gateway over libcurl (or, for an emailed page link, the SMTP server
 * through core/mail.c), and the distribution count written after a send.
 * Numbers and addresses are wiped (sodium_memzero) once the gateway or
 * the mail server answered or the job was dropped. Email jobs do not go
 * through the notifications' outbox because that table would keep the
 * address; they retry here, in memory, as SMS jobs do. */
#include "modules/kyr/smsq.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mail.h"

#define JOBS 128
#define BODY_MAX 2048
#define ATTEMPTS 3
#define KEEP_MS (60 * 60 * 1000) /* a finished job's state is kept an hour */

struct job {
  bool used;
  enum hv_smsq_state state;
  enum hv_smsq_kind kind;
  char id[HV_SMSQ_ID_LEN + 1];
  char to[HV_SMSQ_ADDR_MAX + 1];
  char subject[256];
  char body[BODY_MAX];
  char lang[16];
  char why[128];
  int64_t topic_id, agent_id, at;
};

struct hv_smsq {
  const struct hv_config *cfg;
  struct hv_store *store;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop, running;
  struct job jobs[JOBS];
};

const char *hv_smsq_state_code(enum hv_smsq_state s) {
  static const char *const codes[] = {"queued", "sent", "failed", "unknown"};
  return s <= HV_SMSQ_UNKNOWN ? codes[s] : "unknown";
}

int hv_smsq_number(const char *typed, char out[HV_SMSQ_TO_MAX + 1]) {
  char digits[HV_SMSQ_TO_MAX];
  size_t n = 0;
  bool plus = false;
  for (const char *p = typed; *p; p++) {
    if (*p >= '0' && *p <= '9') {
      if (n == HV_SMSQ_TO_MAX - 1)
        return -1;
      digits[n++] = *p;
    } else if (*p == '+' && n == 0 && !plus) {
      plus = true;
    } else if (!strchr(" .-()", *p)) {
      return -1;
    }
  }
  bool ok =
      plus ? n >= 8 && n <= 15 && digits[0] != '0'
           : (n == 10 && digits[0] >= '2') || (n == 11 && digits[0] == '1' && digits[1] >= '2');
  if (!ok)
    return -1;
  size_t k = 0;
  out[k++] = '+';
  if (!plus && n == 10)
    out[k++] = '1';
  memcpy(out + k, digits, n); /* at most 1 + 15 characters */
  out[k + n] = '\0';
  return 0;
}

int hv_smsq_email(const char *typed, char out[HV_SMSQ_ADDR_MAX + 1]) {
  while (*typed == ' ' || *typed == '\t')
    typed++;
  size_t n = strlen(typed);
  while (n && (typed[n - 1] == ' ' || typed[n - 1] == '\t'))
    n--;
  const char *at = memchr(typed, '@', n);
  if (!n || n > HV_SMSQ_ADDR_MAX || !at || at == typed || (size_t)(at - typed) > 64)
    return -1;
  for (const char *p = typed; p < at; p++)
    if (*p <= ' ' || *p > '~' || strchr("\"(),:;<>@[\\]", *p))
      return -1;
  const char *d = at + 1, *end = typed + n;
  bool dot = false;
  size_t label = 0;
  if (d == end)
    return -1;
  for (const char *p = d; p < end; p++) {
    if (*p == '.') {
      if (label == 0 || p[-1] == '-')
        return -1;
      dot = true;
      label = 0;
    } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               (*p == '-' && label > 0)) {
      if (++label > 63)
        return -1;
    } else {
      return -1;
    }
  }
  if (!dot || label == 0 || end[-1] == '-')
    return -1;
  memcpy(out, typed, n);
  out[n] = '\0';
  return 0;
}

/* --- distribution counts ------------------------------------------------ */

static struct hv_sql q_count =
    HV_SQL("INSERT INTO kyr_distributions (day, topic_id, lang, channel, agent_id, count) "
           "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (day, topic_id, lang, channel, agent_id) "
           "DO UPDATE SET count = kyr_distributions.count + 1");

enum hv_qs hv_kyr_count_tx(struct hv_conn *c, int64_t topic_id, const char *lang,
                           const char *channel, int64_t agent_id) {
  char day[16];
  time_t t = (time_t)(hv_clock_wall_ms() / 1000);
  struct tm tm;
  localtime_r(&t, &tm); /* the city's zone: TZ is set once at start */
  strftime(day, sizeof day, "%Y-%m-%d", &tm);
  struct hv_param p[] = {HV_P_TEXT(day), HV_P_INT(topic_id), HV_P_TEXT(lang), HV_P_TEXT(channel),
                         HV_P_INT(agent_id)};
  enum hv_qs qs = hv_db_exec(c, &q_count, p, 5);
  return qs < 0 ? qs : HV_QS_ONE;
}

struct count_args {
  int64_t topic_id, agent_id;
  const char *lang, *channel;
};

static enum hv_qs count_tx(struct hv_conn *c, void *cls) {
  struct count_args *a = cls;
  return hv_kyr_count_tx(c, a->topic_id, a->lang, a->channel, a->agent_id);
}

enum hv_qs hv_kyr_count(struct hv_store *s, int64_t topic_id, const char *lang, const char *channel,
                        int64_t agent_id) {
  struct count_args a = {topic_id, agent_id, lang, channel};
  return hv_store_tx(s, true, count_tx, &a);
}

/* --- the gateway -------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *cls) {
  (void)p;
  (void)cls;
  return size * n;
}

/* One POST to the gateway. Returns 0 on a 2xx, else -1 with a reason. */
static int gateway_send(const struct hv_config *cfg, const char *to, const char *body, char *why,
                        size_t whylen) {
  int rc = -1;
  char curl_err[CURL_ERROR_SIZE] = "";
  CURL *c = curl_easy_init();
  char *eto = NULL, *efrom = NULL, *ebody = NULL, *form = NULL;
  if (!c)
    goto out;
  eto = curl_easy_escape(c, to, 0);
  efrom = curl_easy_escape(c, cfg->sms_from, 0);
  ebody = curl_easy_escape(c, body, 0);
  if (!eto || !efrom || !ebody)
    goto out;
  size_t n = strlen(eto) + strlen(efrom) + strlen(ebody) + 32;
  form = malloc(n);
  if (!form)
    goto out;
  snprintf(form, n, "To=%s&From=%s&Body=%s", eto, efrom, ebody);
  curl_easy_setopt(c, CURLOPT_URL, cfg->sms_url);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (cfg->sms_user[0]) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg->sms_user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->sms_token);
  }
  CURLcode res = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (res != CURLE_OK)
    snprintf(why, whylen, "the SMS gateway did not answer: %s",
             curl_err[0] ? curl_err : curl_easy_strerror(res));
  else if (status < 200 || status > 299)
    snprintf(why, whylen, "the SMS gateway answered %ld", status);
  else
    rc = 0;
out:
  if (eto)
    sodium_memzero(eto, strlen(eto));
  if (form)
    sodium_memzero(form, strlen(form));
  curl_free(eto);
  curl_free(efrom);
  curl_free(ebody);
  free(form);
  if (c)
    curl_easy_cleanup(c);
  if (rc && !why[0])
    snprintf(why, whylen, "out of memory");
  return rc;
}

/* --- the queue ---------------------------------------------------------- */

static struct job *next_queued(struct hv_smsq *q) {
  struct job *best = NULL;
  for (size_t i = 0; i < JOBS; i++)
    if (q->jobs[i].used && q->jobs[i].state == HV_SMSQ_QUEUED &&
        (!best || q->jobs[i].at < best->at))
      best = &q->jobs[i];
  return best;
}

static void *sender_loop(void *arg) {
  struct hv_smsq *q = arg;
  pthread_mutex_lock(&q->mu);
  while (!q->stop) {
    struct job *j = next_queued(q);
    if (!j) {
      pthread_cond_wait(&q->cv, &q->mu);
      continue;
    }
    /* Copy out under the lock, send without it. */
    struct job w = *j;
    pthread_mutex_unlock(&q->mu);
    char why[128] = "";
    int rc = -1;
    for (int attempt = 0; attempt < ATTEMPTS && rc != 0; attempt++) {
      if (attempt) {
        struct timespec d = {attempt * 2, 0};
        nanosleep(&d, NULL);
      }
      why[0] = '\0';
      if (w.kind == HV_SMSQ_EMAIL) {
        char err[CURL_ERROR_SIZE + 64] = "";
        rc = hv_mail_send(q->cfg, w.to, w.subject, w.body, err, sizeof err);
        if (rc)
          snprintf(why, sizeof why, "the mail server did not take it: %.90s", err);
      } else {
        rc = gateway_send(q->cfg, w.to, w.body, why, sizeof why);
      }
    }
    sodium_memzero(w.to, sizeof w.to);
    bool email = w.kind == HV_SMSQ_EMAIL;
    if (rc == 0 &&
        hv_kyr_count(q->store, w.topic_id, w.lang, email ? "email" : "sms", w.agent_id) < 0)
      hv_log(HV_LOG_ERROR, "sent but its count was not recorded", HV_LS("job", w.id));
    hv_log(rc == 0 ? HV_LOG_INFO : HV_LOG_WARN,
           rc == 0 ? (email ? "email sent" : "sms sent") : (email ? "email failed" : "sms failed"),
           HV_LS("job", w.id), HV_LS("lang", w.lang), HV_LI("topic", w.topic_id),
           HV_LS("reason", why));
    pthread_mutex_lock(&q->mu);
    if (j->used && strcmp(j->id, w.id) == 0) {
      sodium_memzero(j->to, sizeof j->to);
      sodium_memzero(j->subject, sizeof j->subject);
      sodium_memzero(j->body, sizeof j->body);
      j->state = rc == 0 ? HV_SMSQ_SENT : HV_SMSQ_FAILED;
      snprintf(j->why, sizeof j->why, "%s", rc == 0 ? "" : why);
      j->at = hv_clock_wall_ms();
    }
  }
  pthread_mutex_unlock(&q->mu);
  return NULL;
}

struct hv_smsq *hv_smsq_start(const struct hv_config *cfg, struct hv_store *s) {
  struct hv_smsq *q = calloc(1, sizeof *q);
  if (!q)
    return NULL;
  q->cfg = cfg;
  q->store = s;
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
  if (pthread_create(&q->thread, NULL, sender_loop, q) != 0) {
    free(q);
    return NULL;
  }
  q->running = true;
  if (!cfg->sms_url[0])
    hv_log0(HV_LOG_INFO, "sms_url is not set: 311 agents cannot send SMS");
  return q;
}

void hv_smsq_stop(struct hv_smsq *q) {
  if (!q)
    return;
  pthread_mutex_lock(&q->mu);
  q->stop = true;
  pthread_cond_signal(&q->cv);
  pthread_mutex_unlock(&q->mu);
  if (q->running)
    pthread_join(q->thread, NULL);
  sodium_memzero(q->jobs, sizeof q->jobs);
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->cv);
  free(q);
}

int hv_smsq_submit(struct hv_smsq *q, const struct hv_smsq_job *job, char id[HV_SMSQ_ID_LEN + 1]) {
  bool email = job->kind == HV_SMSQ_EMAIL;
  if (!q || !(email ? q->cfg->smtp_url : q->cfg->sms_url)[0] || strlen(job->body) >= BODY_MAX ||
      strlen(job->to) > (email ? HV_SMSQ_ADDR_MAX : HV_SMSQ_TO_MAX) ||
      strlen(job->lang) >= sizeof q->jobs[0].lang ||
      (email && (!job->subject || strlen(job->subject) >= sizeof q->jobs[0].subject)))
    return -1;
  unsigned char raw[HV_SMSQ_ID_LEN / 2];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(id, HV_SMSQ_ID_LEN + 1, raw, sizeof raw);
  int64_t now = hv_clock_wall_ms();
  int rc = -1;
  pthread_mutex_lock(&q->mu);
  struct job *slot = NULL;
  for (size_t i = 0; i < JOBS && !slot; i++) {
    struct job *j = &q->jobs[i];
    if (!j->used || (j->state != HV_SMSQ_QUEUED && now - j->at > KEEP_MS))
      slot = j;
  }
  for (size_t i = 0; i < JOBS && !slot; i++) /* else the oldest finished one */
    if (q->jobs[i].state != HV_SMSQ_QUEUED && (!slot || q->jobs[i].at < slot->at))
      slot = &q->jobs[i];
  if (slot) {
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->state = HV_SMSQ_QUEUED;
    memcpy(slot->id, id, HV_SMSQ_ID_LEN + 1);
    slot->kind = job->kind;
    snprintf(slot->to, sizeof slot->to, "%s", job->to);
    if (email)
      snprintf(slot->subject, sizeof slot->subject, "%s", job->subject);
    snprintf(slot->body, sizeof slot->body, "%s", job->body);
    snprintf(slot->lang, sizeof slot->lang, "%s", job->lang);
    slot->topic_id = job->topic_id;
    slot->agent_id = job->agent_id;
    slot->at = now;
    pthread_cond_signal(&q->cv);
    rc = 0;
  }
  pthread_mutex_unlock(&q->mu);
  return rc;
}

enum hv_smsq_state hv_smsq_state(struct hv_smsq *q, const char *id, int64_t agent_id, char *why,
                                 size_t whylen) {
  enum hv_smsq_state st = HV_SMSQ_UNKNOWN;
  if (why && whylen)
    why[0] = '\0';
  if (!q || strlen(id) != HV_SMSQ_ID_LEN)
    return st;
  pthread_mutex_lock(&q->mu);
  for (size_t i = 0; i < JOBS; i++) {
    struct job *j = &q->jobs[i];
    if (j->used && j->agent_id == agent_id && sodium_memcmp(j->id, id, HV_SMSQ_ID_LEN) == 0) {
      st = j->state;
      if (why && whylen)
        snprintf(why, whylen, "%s", j->why);
      break;
    }
  }
  pthread_mutex_unlock(&q->mu);
  return st;
}
