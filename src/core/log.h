/* Structured logs: one JSON object per line on stderr, written whole
 * (one write(2) per line, or per batch of whole lines) so lines from
 * different threads never interleave. Values are
 * escaped (control characters included), so one event is always one line.
 * Never pass secrets or record contents here. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stddef.h>
#include <stdint.h>

enum hv_log_level { HV_LOG_DEBUG, HV_LOG_INFO, HV_LOG_WARN, HV_LOG_ERROR, HV_LOG_LEVEL_MAX };

struct hv_log_field {
  const char *key;
  const char *str; /* used when !is_int; NULL logs null */
  int64_t num;
  int is_int;
};

#define HV_LS(k, v) ((struct hv_log_field){(k), (v), 0, 0})
#define HV_LI(k, v) ((struct hv_log_field){(k), NULL, (int64_t)(v), 1})

/* Lines below `level` are dropped. Default: HV_LOG_INFO. */
void hv_log_set_level(enum hv_log_level level);

/* Parses "debug|info|warn|error"; -1 when unknown. */
int hv_log_level_parse(const char *s);

/* Sends lines to `fd` instead of stderr (tests). */
void hv_log_set_fd(int fd);

/* Writes {"time":..,"level":..,"msg":..,<fields>} as one line. */
void hv_log_fields(enum hv_log_level level, const char *msg, const struct hv_log_field *f, size_t n);

/* The same, for lines written at a high rate (one per HTTP request): INFO
 * and DEBUG lines are gathered per thread and written together, at most
 * 50 ms late (and at thread exit, process exit and hv_log_flush), still
 * as whole lines; a direct line from the same thread writes them first.
 * WARN and ERROR lines are written at once. */
void hv_log_fields_batched(enum hv_log_level level, const char *msg, const struct hv_log_field *f,
                           size_t n);

/* Writes every thread's gathered lines now. */
void hv_log_flush(void);

#define hv_log_batched(level, msg, ...)                                                            \
  do {                                                                                             \
    const struct hv_log_field hv_f_[] = {HV_LS(NULL, NULL), __VA_ARGS__};                          \
    hv_log_fields_batched((level), (msg), hv_f_ + 1, sizeof(hv_f_) / sizeof(hv_f_[0]) - 1);        \
  } while (0)

#define hv_log(level, msg, ...)                                                                    \
  do {                                                                                             \
    const struct hv_log_field hv_f_[] = {HV_LS(NULL, NULL), __VA_ARGS__};                          \
    hv_log_fields((level), (msg), hv_f_ + 1, sizeof(hv_f_) / sizeof(hv_f_[0]) - 1);                \
  } while (0)

#define hv_log0(level, msg) hv_log_fields((level), (msg), NULL, 0)

/* Formats the UTC time `ms` (milliseconds since the epoch) as
 * 2026-11-26T14:39:42.123Z into `out` (at least 25 bytes). */
void hv_log_time(int64_t ms, char out[32]);

#endif
