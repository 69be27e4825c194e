/* Configuration: defaults, then the INI file, then HAVEN_* environment
 * variables, then command-line flags (each later source wins). The settings
 * are one declarative table (config.c); `haven <cmd> --help` and
 * docs/configuration.md list the same names. Bad values stop start-up with
 * a message naming the setting. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HV_PATH_MAX 1024

struct hv_config {
  char config_file[HV_PATH_MAX];
  char listen_host[64];
  unsigned listen_port;
  char db[HV_PATH_MAX];   /* sqlite:PATH or postgresql://... */
  char data[HV_PATH_MAX]; /* data folder: database, uploads, keys */
  char base_url[512];     /* public base URL, no trailing slash */
  char timezone[64];      /* IANA name, e.g. America/Los_Angeles */
  char assets[HV_PATH_MAX];
  char log_level[8];
  char trusted_proxy[64]; /* address whose X-Forwarded-For is believed */
  unsigned threads;
  unsigned max_connections;
  unsigned per_ip_connections;
  unsigned idle_timeout;     /* seconds */
  unsigned shutdown_timeout; /* seconds to finish requests in flight */
  size_t conn_memory;        /* bytes per connection for headers */
  size_t body_max;           /* default request body cap, bytes */
  size_t attachment_max;     /* largest file attached to a report, bytes */
  unsigned db_pool;          /* database connections; 0: one per thread */
  unsigned session_idle;     /* seconds without a request before a session ends */
  unsigned session_absolute; /* seconds after sign-in when a session ends regardless */
  unsigned audit_checkpoint; /* seconds between signed audit checkpoints; 0: never */
  char smtp_url[512];        /* smtp://host:port or smtps://host:port; empty: mail is queued only */
  char smtp_user[256];
  char smtp_password[256];
  char smtp_from[256];
  unsigned smtp_starttls;    /* 1: require STARTTLS on smtp:// */
  char sms_url[512];         /* SMS gateway endpoint; empty: sending is off */
  char sms_user[256];
  char sms_token[256];
  char sms_from[64];
  char sms_inbound_token[256]; /* the gateway's secret for the inbound webhook; empty: refused */
  char notify_moia[1024];    /* MOIA's on-call addresses, comma-separated */
  unsigned reminder_interval; /* seconds between scheduler runs in serve; 0: no scheduler */
  char reminder_days[64];     /* working days before a deadline to remind, e.g. "5,1" */
  char reminder_to[1024];     /* reminder addresses; empty: active MOIA and legal users */
  char plan_reminder_days[64];    /* calendar days before a plan's due day to remind, "7,3,1" */
  unsigned plan_reminder_overdue; /* remind every this many days overdue; 0: never */
  char contract_reminder_days[64]; /* days before an attestation expires to remind, "30,7,1" */
};

/* The most reminder offsets `reminder_days` lists. */
#define HV_REMINDER_DAYS_MAX 8

/* Parses a `reminder_days` list ("5,1": distinct whole numbers of working
 * days, 0 to 60, at most HV_REMINDER_DAYS_MAX) into `out`, largest first.
 * Returns how many, or -1 when malformed. */
int hv_reminder_days_parse(const char *s, int out[HV_REMINDER_DAYS_MAX]);

/* Fills `c` with the built-in defaults. */
void hv_config_defaults(struct hv_config *c);

/* Applies the file (from --config / HAVEN_CONFIG when given), the
 * environment and the flags in argv[0..argc). Flags this module does not
 * know are copied, in order, into `rest` (room for argc entries; the
 * strings are borrowed from argv) and counted in *nrest. Returns 0, or -1
 * with a one-line message naming the setting in `err`. */
int hv_config_load(struct hv_config *c, int argc, char **argv, char **rest, int *nrest, char *err,
                   size_t errlen);

/* Applies one INI text (exposed for tests and the fuzzer). `origin` names
 * the file in messages. */
int hv_config_apply_ini(struct hv_config *c, const char *text, size_t len, const char *origin,
                        char *err, size_t errlen);

/* Sets one setting by its name ("listen", "db", ...); -1 with a message
 * when the name is unknown or the value bad. */
int hv_config_set(struct hv_config *c, const char *name, const char *value, const char *origin,
                  char *err, size_t errlen);

/* Derives settings that depend on others (the default database lives in
 * the data folder) and checks the whole. */
int hv_config_finish(struct hv_config *c, char *err, size_t errlen);

/* Prints the settings table: flag, environment variable, default, meaning. */
void hv_config_usage(FILE *out);

#endif
