/* Start-up shared by the subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/log.h"

void hv_cli_usage(const char *cmd) {
  for (const struct hv_command *c = hv_commands; c->name; c++) {
    if (strcmp(c->name, cmd) != 0)
      continue;
    printf("usage: haven %s %s\n\n%s.\n\n", c->name, c->args, c->summary);
  }
  hv_config_usage(stdout);
}

static int mkdirs(const char *path) {
  char tmp[HV_PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0700) && errno != EEXIST)
      return -1;
    *p = '/';
  }
  if (mkdir(tmp, 0700) && errno != EEXIST)
    return -1;
  return 0;
}

int hv_cli_setup(const char *cmd, int argc, char **argv, struct hv_config *cfg, char **rest,
                 int *nrest, int *stop) {
  char err[512];
  *stop = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      hv_cli_usage(cmd);
      *stop = 1;
      return 0;
    }
  }
  hv_config_defaults(cfg);
  if (hv_config_load(cfg, argc, argv, rest, nrest, err, sizeof err)) {
    fprintf(stderr, "haven %s: %s\n", cmd, err);
    *stop = 1;
    return 2;
  }
  hv_log_set_level((enum hv_log_level)hv_log_level_parse(cfg->log_level));
  if (strncmp(cfg->db, "sqlite:", 7) == 0 && mkdirs(cfg->data)) {
    fprintf(stderr, "haven %s: setting 'data': cannot create %s: %s\n", cmd, cfg->data,
            strerror(errno));
    *stop = 1;
    return 1;
  }
  return 0;
}

int hv_cli_open_store(const struct hv_config *cfg, unsigned pool, struct hv_store **out) {
  char err[512];
  int from, to;
  if (hv_store_open(cfg->db, pool, out, err, sizeof err)) {
    fprintf(stderr, "haven: %s\n", err);
    return -1;
  }
  if (hv_store_migrate(*out, &from, &to, err, sizeof err)) {
    fprintf(stderr, "haven: %s\n", err);
    hv_store_free(*out);
    *out = NULL;
    return -1;
  }
  if (from != to)
    hv_log(HV_LOG_INFO, "database migrated", HV_LI("from", from), HV_LI("to", to));
  return 0;
}
