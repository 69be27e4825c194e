/* Configuration table and its three sources. */
#include "core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/str.h"

enum hv_setting_type { T_STR, T_UINT, T_SIZE, T_LISTEN, T_DB, T_TZ, T_LEVEL, T_URL, T_ADDR, T_MAILURL, T_OPT, T_DAYS };

struct hv_setting {
  const char *name; /* INI key; the flag is --name with '_' as '-' */
  const char *env;
  enum hv_setting_type type;
  size_t off;
  size_t size; /* for strings: buffer size */
  unsigned long long min, max;
  const char *def;
  const char *doc;
};

#define S(field) offsetof(struct hv_config, field), sizeof(((struct hv_config *)0)->field)

static const struct hv_setting settings[] = {
    {"listen", "HAVEN_LISTEN", T_LISTEN, 0, 0, 0, 0, "127.0.0.1:8080",
     "address and port to listen on, HOST:PORT ([::1]:8080 for IPv6)"},
    {"db", "HAVEN_DB", T_DB, S(db), 0, 0, "",
     "database URL: sqlite:PATH or postgresql://... (default sqlite:DATA/haven.db)"},
    {"data", "HAVEN_DATA", T_STR, S(data), 0, 0, "haven-data",
     "data folder: the SQLite database, uploads and keys"},
    {"base_url", "HAVEN_BASE_URL", T_URL, S(base_url), 0, 0, "",
     "public base URL, e.g. https://haven.lacity.gov (default http://LISTEN)"},
    {"timezone", "HAVEN_TIMEZONE", T_TZ, S(timezone), 0, 0, "America/Los_Angeles",
     "the city's time zone (IANA name) for dates shown to people"},
    {"assets", "HAVEN_ASSETS", T_STR, S(assets), 0, 0, HV_DEFAULT_ASSETS,
     "folder of static assets (CSS, JS, fonts) read once at start"},
    {"log_level", "HAVEN_LOG_LEVEL", T_LEVEL, S(log_level), 0, 0, "info",
     "least severe log level written: debug, info, warn, error"},
    {"trusted_proxy", "HAVEN_TRUSTED_PROXY", T_ADDR, S(trusted_proxy), 0, 0, "",
     "address of the reverse proxy whose X-Forwarded-For is trusted (empty: none)"},
    {"threads", "HAVEN_THREADS", T_UINT, S(threads), 1, 256, "0",
     "worker threads (0: eight per CPU core, at most 64)"},
    {"max_connections", "HAVEN_MAX_CONNECTIONS", T_UINT, S(max_connections), 16, 100000, "4096",
     "most simultaneous connections"},
    {"per_ip_connections", "HAVEN_PER_IP_CONNECTIONS", T_UINT, S(per_ip_connections), 1, 100000,
     "64", "most simultaneous connections from one client address"},
    {"idle_timeout", "HAVEN_IDLE_TIMEOUT", T_UINT, S(idle_timeout), 1, 3600, "15",
     "seconds an idle connection is kept open"},
    {"shutdown_timeout", "HAVEN_SHUTDOWN_TIMEOUT", T_UINT, S(shutdown_timeout), 0, 600, "10",
     "seconds to finish requests in flight on SIGTERM"},
    {"conn_memory", "HAVEN_CONN_MEMORY", T_SIZE, S(conn_memory), 8192, 16u << 20, "16384",
     "bytes of memory per connection for request headers"},
    {"body_max", "HAVEN_BODY_MAX", T_SIZE, S(body_max), 1024, 64u << 20, "1048576",
     "default cap on a request body in bytes (routes may set less)"},
    {"attachment_max", "HAVEN_ATTACHMENT_MAX", T_SIZE, S(attachment_max), 1024, 64u << 20,
     "10485760", "largest file attached to a report, in bytes (past it: 413)"},
    {"db_pool", "HAVEN_DB_POOL", T_UINT, S(db_pool), 1, 512, "0",
     "database connections (0: one per worker thread)"},
    {"session_idle", "HAVEN_SESSION_IDLE", T_UINT, S(session_idle), 60, 86400, "1800",
     "seconds without activity before a session ends"},
    {"session_absolute", "HAVEN_SESSION_ABSOLUTE", T_UINT, S(session_absolute), 300, 604800,
     "43200", "seconds after sign-in when a session ends regardless of activity"},
    {"audit_checkpoint", "HAVEN_AUDIT_CHECKPOINT", T_UINT, S(audit_checkpoint), 60, 604800, "3600",
     "seconds between signed audit checkpoints written by serve (0: never)"},
    {"smtp_url", "HAVEN_SMTP_URL", T_MAILURL, S(smtp_url), 0, 0, "",
     "mail server, smtp://host:587 or smtps://host:465 (empty: notifications wait unsent)"},
    {"smtp_user", "HAVEN_SMTP_USER", T_OPT, S(smtp_user), 0, 0, "", "mail server user name"},
    {"smtp_password", "HAVEN_SMTP_PASSWORD", T_OPT, S(smtp_password), 0, 0, "",
     "mail server password (prefer the environment to the file)"},
    {"smtp_from", "HAVEN_SMTP_FROM", T_OPT, S(smtp_from), 0, 0, "haven@localhost",
     "sender address of notifications"},
    {"smtp_starttls", "HAVEN_SMTP_STARTTLS", T_UINT, S(smtp_starttls), 0, 1, "1",
     "1: require STARTTLS on smtp:// (set 0 only for a mail relay on this machine)"},
    {"sms_url", "HAVEN_SMS_URL", T_URL, S(sms_url), 0, 0, "",
     "SMS gateway endpoint: a POST of To, From and Body as a form (empty: SMS sending is off)"},
    {"sms_user", "HAVEN_SMS_USER", T_OPT, S(sms_user), 0, 0, "", "SMS gateway account (Basic auth user)"},
    {"sms_token", "HAVEN_SMS_TOKEN", T_OPT, S(sms_token), 0, 0, "",
     "SMS gateway secret (Basic auth password; prefer the environment to the file)"},
    {"sms_from", "HAVEN_SMS_FROM", T_OPT, S(sms_from), 0, 0, "", "the number or sender id SMS come from"},
    {"sms_inbound_token", "HAVEN_SMS_INBOUND_TOKEN", T_OPT, S(sms_inbound_token), 0, 0, "",
     "shared secret the SMS gateway sends with replies to /api/v1/kyr/sms/inbound (Basic auth "
     "password or Bearer token, at least 32 characters; empty: the webhook refuses every call)"},
    {"notify_moia", "HAVEN_NOTIFY_MOIA", T_OPT, S(notify_moia), 0, 0, "",
     "MOIA's on-call email addresses, comma-separated, told of every quick alert"},
    {"reminder_interval", "HAVEN_REMINDER_INTERVAL", T_UINT, S(reminder_interval), 0, 86400,
     "3600", "seconds between runs of serve's scheduler (deadline reminders; 0: off)"},
    {"reminder_days", "HAVEN_REMINDER_DAYS", T_DAYS, S(reminder_days), 0, 0, "5,1",
     "working days before each FOIA deadline to send a reminder, comma-separated (and one on the "
     "day it is overdue)"},
    {"reminder_to", "HAVEN_REMINDER_TO", T_OPT, S(reminder_to), 0, 0, "",
     "addresses FOIA deadline reminders go to, comma-separated (empty: every active MOIA and City "
     "Attorney user)"},
    {"plan_reminder_days", "HAVEN_PLAN_REMINDER_DAYS", T_DAYS, S(plan_reminder_days), 0, 0, "7,3,1",
     "calendar days before a preparedness plan's due day to remind its department's liaisons, "
     "comma-separated"},
    {"plan_reminder_overdue", "HAVEN_PLAN_REMINDER_OVERDUE", T_UINT, S(plan_reminder_overdue), 0,
     30, "1", "once a plan is overdue, remind its liaisons every this many days (0: never)"},
    {"contract_reminder_days", "HAVEN_CONTRACT_REMINDER_DAYS", T_DAYS, S(contract_reminder_days), 0,
     0, "30,7,1",
     "calendar days before a contract's attestation expires to remind its department's liaisons, "
     "comma-separated (and once when it has expired)"},
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

int hv_reminder_days_parse(const char *s, int out[HV_REMINDER_DAYS_MAX]) {
  int n = 0;
  const char *p = s;
  if (!s)
    return -1;
  while (*p) {
    while (*p == ' ')
      p++;
    if (*p < '0' || *p > '9')
      return -1;
    int v = 0;
    while (*p >= '0' && *p <= '9') {
      v = v * 10 + (*p++ - '0');
      if (v > 60)
        return -1;
    }
    while (*p == ' ')
      p++;
    if (*p == ',' && p[1] == '\0')
      return -1;
    if (*p && *p++ != ',')
      return -1;
    if (n == HV_REMINDER_DAYS_MAX)
      return -1;
    for (int i = 0; i < n; i++)
      if (out[i] == v)
        return -1;
    /* kept largest first */
    int i = n++;
    while (i > 0 && out[i - 1] < v) {
      out[i] = out[i - 1];
      i--;
    }
    out[i] = v;
  }
  return n;
}

static void errf(char *err, size_t errlen, const char *origin, const char *name, const char *why) {
  snprintf(err, errlen, "%s: setting '%s': %s", origin, name, why);
}

static const struct hv_setting *find(const char *name) {
  for (size_t i = 0; i < NSETTINGS; i++)
    if (strcmp(settings[i].name, name) == 0)
      return &settings[i];
  return NULL;
}

static int set_string(struct hv_config *c, const struct hv_setting *s, const char *v) {
  char *dst = (char *)c + s->off;
  if (strlen(v) >= s->size)
    return -1; /* refuse before copying: a bad value must not leave the old one cut short */
  hv_strlcpy(dst, v, s->size);
  return 0;
}

static int parse_size(const char *v, unsigned long long *out) {
  char *end;
  if (*v < '0' || *v > '9')
    return -1;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno)
    return -1;
  unsigned long long mul = 1;
  if (*end == 'k' || *end == 'K')
    mul = 1024, end++;
  else if (*end == 'm' || *end == 'M')
    mul = 1024 * 1024, end++;
  if (*end || (n && mul > ULLONG_MAX / n))
    return -1;
  *out = n * mul;
  return 0;
}

static int valid_tz(const char *v) {
  size_t n = strlen(v);
  if (n == 0 || n > 60 || v[0] == '/' || strstr(v, ".."))
    return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = v[i];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
          ch == '/' || ch == '_' || ch == '-' || ch == '+'))
      return 0;
  }
  if (strcmp(v, "UTC") == 0)
    return 1;
  char path[128];
  snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", v);
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int valid_addr(const char *v) {
  unsigned char tmp[16];
  return inet_pton(AF_INET, v, tmp) == 1 || inet_pton(AF_INET6, v, tmp) == 1;
}

static int set_listen(struct hv_config *c, const char *v, const char **why) {
  const char *colon;
  char host[64];
  if (v[0] == '[') {
    const char *close = strchr(v, ']');
    if (!close || close[1] != ':') {
      *why = "expected [IPv6]:PORT";
      return -1;
    }
    size_t hl = (size_t)(close - v - 1);
    if (hl == 0 || hl >= sizeof host) {
      *why = "bad IPv6 address";
      return -1;
    }
    memcpy(host, v + 1, hl);
    host[hl] = '\0';
    colon = close + 1;
  } else {
    colon = strrchr(v, ':');
    if (!colon) {
      *why = "expected HOST:PORT, e.g. 127.0.0.1:8080";
      return -1;
    }
    size_t hl = (size_t)(colon - v);
    if (hl == 0 || hl >= sizeof host) {
      *why = "missing or too long host";
      return -1;
    }
    memcpy(host, v, hl);
    host[hl] = '\0';
    if (strcmp(host, "localhost") == 0)
      strcpy(host, "127.0.0.1");
  }
  if (!valid_addr(host)) {
    *why = "host must be an IPv4 or IPv6 address";
    return -1;
  }
  int64_t port;
  if (hv_parse_i64(colon + 1, 1, 65535, &port)) {
    *why = "port must be a number from 1 to 65535";
    return -1;
  }
  strcpy(c->listen_host, host);
  c->listen_port = (unsigned)port;
  return 0;
}

int hv_config_set(struct hv_config *c, const char *name, const char *v, const char *origin,
                  char *err, size_t errlen) {
  const struct hv_setting *s = find(name);
  const char *why = NULL;
  if (!s) {
    snprintf(err, errlen, "%s: unknown setting '%s'", origin, name);
    return -1;
  }
  switch (s->type) {
  case T_LISTEN:
    if (set_listen(c, v, &why))
      goto bad;
    return 0;
  case T_UINT:
  case T_SIZE: {
    unsigned long long n;
    if (parse_size(v, &n) || (s->type == T_UINT && strpbrk(v, "kKmM"))) {
      why = s->type == T_SIZE ? "expected a number of bytes (K and M suffixes allowed)"
                              : "expected a whole number";
      goto bad;
    }
    if ((n < s->min || n > s->max) && !(n == 0 && s->def[0] == '0')) {
      static _Thread_local char range[96];
      snprintf(range, sizeof range, "must be from %llu to %llu", s->min, s->max);
      why = range;
      goto bad;
    }
    if (s->type == T_UINT)
      *(unsigned *)((char *)c + s->off) = (unsigned)n;
    else
      *(size_t *)((char *)c + s->off) = (size_t)n;
    return 0;
  }
  case T_DB:
    if (*v && strncmp(v, "sqlite:", 7) != 0 && strncmp(v, "postgresql://", 13) != 0 &&
        strncmp(v, "postgres://", 11) != 0) {
      why = "expected sqlite:PATH or postgresql://...";
      goto bad;
    }
    if (strncmp(v, "sqlite:", 7) == 0 && v[7] == '\0') {
      why = "sqlite: needs a file path";
      goto bad;
    }
    break;
  case T_TZ:
    if (!valid_tz(v)) {
      why = "unknown time zone (expected an IANA name such as America/Los_Angeles)";
      goto bad;
    }
    break;
  case T_LEVEL:
    if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error")) {
      why = "expected debug, info, warn or error";
      goto bad;
    }
    break;
  case T_URL:
    if (*v && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
      why = "expected an http:// or https:// URL";
      goto bad;
    }
    if (strpbrk(v, " \t\r\n\"'<>")) {
      why = "URL contains characters that are not allowed";
      goto bad;
    }
    break;
  case T_ADDR:
    if (*v && !valid_addr(v)) {
      why = "expected an IPv4 or IPv6 address";
      goto bad;
    }
    break;
  case T_MAILURL:
    if (*v && strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) {
      why = "expected smtp://host:port or smtps://host:port";
      goto bad;
    }
    break;
  case T_OPT: /* free text, may be empty */
    if (strpbrk(v, "\r\n")) {
      why = "must be one line";
      goto bad;
    }
    break;
  case T_STR:
    if (!*v) {
      why = "must not be empty";
      goto bad;
    }
    break;
  case T_DAYS: {
    int days[HV_REMINDER_DAYS_MAX];
    if (hv_reminder_days_parse(v, days) < 0) {
      why = "expected distinct whole numbers of days from 0 to 60, comma-separated (at most 8), "
            "e.g. 5,1";
      goto bad;
    }
    break;
  }
  }
  if (set_string(c, s, v)) {
    why = "value too long";
    goto bad;
  }
  if (s->type == T_URL) {
    size_t n = strlen(c->base_url);
    while (n && c->base_url[n - 1] == '/')
      c->base_url[--n] = '\0';
  }
  return 0;
bad:
  errf(err, errlen, origin, name, why);
  return -1;
}

void hv_config_defaults(struct hv_config *c) {
  char err[256];
  memset(c, 0, sizeof(*c));
  for (size_t i = 0; i < NSETTINGS; i++)
    if (settings[i].def[0])
      (void)hv_config_set(c, settings[i].name, settings[i].def, "default", err, sizeof err);
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

int hv_config_apply_ini(struct hv_config *c, const char *text, size_t len, const char *origin,
                        char *err, size_t errlen) {
  char line[2048];
  char where[HV_PATH_MAX + 32];
  size_t pos = 0;
  unsigned lineno = 0;
  while (pos < len) {
    size_t end = pos;
    while (end < len && text[end] != '\n')
      end++;
    lineno++;
    snprintf(where, sizeof where, "%s:%u", origin, lineno);
    if (end - pos >= sizeof line) {
      snprintf(err, errlen, "%s: line too long", where);
      return -1;
    }
    if (memchr(text + pos, '\0', end - pos)) {
      snprintf(err, errlen, "%s: contains a NUL byte", where);
      return -1;
    }
    memcpy(line, text + pos, end - pos);
    line[end - pos] = '\0';
    pos = end + 1;
    if (!hv_utf8_valid(line, strlen(line))) {
      snprintf(err, errlen, "%s: not valid UTF-8", where);
      return -1;
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';')
      continue;
    if (*s == '[') {
      if (strcmp(s, "[haven]") != 0) {
        snprintf(err, errlen, "%s: unknown section %s (only [haven])", where, s);
        return -1;
      }
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
      snprintf(err, errlen, "%s: expected name = value", where);
      return -1;
    }
    *eq = '\0';
    char *name = trim(s);
    char *value = trim(eq + 1);
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
      value[vl - 1] = '\0';
      value++;
    }
    if (hv_config_set(c, name, value, where, err, errlen))
      return -1;
  }
  return 0;
}

static int load_file(struct hv_config *c, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  int rc = -1;
  if (!f) {
    snprintf(err, errlen, "setting 'config': cannot open %s: %s", path, strerror(errno));
    goto out;
  }
  text = malloc(1u << 20);
  if (!text)
    goto out;
  size_t n = fread(text, 1, (1u << 20) - 1, f);
  if (!feof(f)) {
    snprintf(err, errlen, "setting 'config': %s is larger than 1 MiB", path);
    goto out;
  }
  rc = hv_config_apply_ini(c, text, n, path, err, errlen);
out:
  free(text);
  if (f)
    fclose(f);
  return rc;
}

/* Maps "--base-url" to the setting "base_url". */
static const struct hv_setting *flag_setting(const char *arg, char *name, size_t cap) {
  if (strncmp(arg, "--", 2) != 0)
    return NULL;
  size_t i = 0;
  for (const char *p = arg + 2; *p && *p != '=' && i + 1 < cap; p++)
    name[i++] = *p == '-' ? '_' : *p;
  name[i] = '\0';
  return find(name);
}

int hv_config_load(struct hv_config *c, int argc, char **argv, char **rest, int *nrest, char *err,
                   size_t errlen) {
  char name[64];
  const char *config = getenv("HAVEN_CONFIG");
  *nrest = 0;
  /* The file comes first whatever the order of flags, so find --config now. */
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--config") == 0) {
      if (i + 1 >= argc) {
        snprintf(err, errlen, "setting 'config': --config needs a file");
        return -1;
      }
      config = argv[i + 1];
    } else if (strncmp(argv[i], "--config=", 9) == 0) {
      config = argv[i] + 9;
    }
  }
  if (config && *config) {
    if (hv_strlcpy(c->config_file, config, sizeof c->config_file) >= sizeof c->config_file) {
      snprintf(err, errlen, "setting 'config': path too long");
      return -1;
    }
    if (load_file(c, config, err, errlen))
      return -1;
  }
  for (size_t i = 0; i < NSETTINGS; i++) {
    const char *v = getenv(settings[i].env);
    if (v && hv_config_set(c, settings[i].name, v, settings[i].env, err, errlen))
      return -1;
  }
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--config") == 0) {
      i++;
      continue;
    }
    if (strncmp(arg, "--config=", 9) == 0)
      continue;
    const struct hv_setting *s = flag_setting(arg, name, sizeof name);
    if (!s) {
      rest[(*nrest)++] = argv[i];
      continue;
    }
    const char *eq = strchr(arg, '=');
    const char *value;
    if (eq) {
      value = eq + 1;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      snprintf(err, errlen, "setting '%s': %s needs a value", s->name, arg);
      return -1;
    }
    char origin[80];
    snprintf(origin, sizeof origin, "--%.60s", arg + 2);
    char *e = strchr(origin, '=');
    if (e)
      *e = '\0';
    if (hv_config_set(c, s->name, value, origin, err, errlen))
      return -1;
  }
  return hv_config_finish(c, err, errlen);
}

int hv_config_finish(struct hv_config *c, char *err, size_t errlen) {
  if (c->db[0] == '\0') {
    int n = snprintf(c->db, sizeof c->db, "sqlite:%s/haven.db", c->data);
    if (n < 0 || (size_t)n >= sizeof c->db) {
      snprintf(err, errlen, "setting 'data': path too long");
      return -1;
    }
  }
  if (c->threads == 0) {
    /* Eight workers a core: a request that waits for the database (filing
     * a report waits for its group commit's fsync) holds its worker, so
     * one a core leaves the cores idle while writes queue (bench/RESULTS.md:
     * 773 filed/s with 2 workers, 2,298 with 16 on two cores), while cached
     * pages lose nothing (0.99x of nginx at 8 workers). */
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = n > 0 && n < 256 ? (unsigned)(8 * n) : 16;
    if (c->threads > 64)
      c->threads = 64;
  }
  if (c->db_pool == 0)
    c->db_pool = c->threads + 1; /* one per worker, one for the main thread */
  if (c->base_url[0] == '\0') {
    if (strchr(c->listen_host, ':'))
      snprintf(c->base_url, sizeof c->base_url, "http://[%s]:%u", c->listen_host, c->listen_port);
    else
      snprintf(c->base_url, sizeof c->base_url, "http://%s:%u", c->listen_host, c->listen_port);
  }
  if (c->sms_inbound_token[0] && strlen(c->sms_inbound_token) < 32) {
    snprintf(err, errlen, "setting 'sms_inbound_token': use at least 32 random characters");
    return -1;
  }
  if (c->per_ip_connections > c->max_connections) {
    snprintf(err, errlen, "setting 'per_ip_connections': larger than max_connections (%u)",
             c->max_connections);
    return -1;
  }
  return 0;
}

void hv_config_usage(FILE *out) {
  fprintf(out, "Settings (flag, environment variable, default; flags win over the environment,\n"
               "the environment over the file given by --config FILE or HAVEN_CONFIG):\n");
  for (size_t i = 0; i < NSETTINGS; i++) {
    char flag[64];
    size_t j = 0;
    for (const char *p = settings[i].name; *p && j + 1 < sizeof flag; p++)
      flag[j++] = *p == '_' ? '-' : *p;
    flag[j] = '\0';
    fprintf(out, "  --%-20s %-26s %s\n  %-49s %s\n", flag, settings[i].env,
            settings[i].def[0] ? settings[i].def : "(derived)", "", settings[i].doc);
  }
  fprintf(out, "  --%-20s %-26s %s\n", "config FILE", "HAVEN_CONFIG", "INI file of name = value lines");
}
