/* Subcommands of `haven`. Each takes the arguments after its name and
 * returns the process exit status (0 ok, 1 failure, 2 usage). */
#ifndef HV_CLI_H
#define HV_CLI_H

#include "core/config.h"
#include "store/store.h"

struct hv_command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *args;    /* e.g. "[--admin-email EMAIL]" */
  const char *summary; /* one line */
};

extern const struct hv_command hv_commands[];

int hv_cmd_serve(int argc, char **argv);
int hv_cmd_init(int argc, char **argv);
int hv_cmd_migrate(int argc, char **argv);
int hv_cmd_demo(int argc, char **argv);
int hv_cmd_backup(int argc, char **argv);
int hv_cmd_version(int argc, char **argv);
int hv_cmd_user(int argc, char **argv);
int hv_cmd_audit(int argc, char **argv);
int hv_cmd_routes(int argc, char **argv);
int hv_cmd_import(int argc, char **argv);

/* Shared start-up for commands: --help, configuration, log level, the
 * data folder. Unknown flags are left in rest/nrest for the command.
 * Returns 0 to go on, or the exit status to stop with (help printed: 0). */
int hv_cli_setup(const char *cmd, int argc, char **argv, struct hv_config *cfg, char **rest,
                 int *nrest, int *stop);

/* Opens the store and applies migrations, printing errors. */
int hv_cli_open_store(const struct hv_config *cfg, unsigned pool, struct hv_store **out);

/* Prints the usage of one command with the settings table. */
void hv_cli_usage(const char *cmd);

/* The demo city's sample Know-Your-Rights content (demo_kyr.c): every
 * topic and text of data/kyr, published through the workflow by the demo
 * MOIA and legal users. 0, or -1 after saying on stderr what was refused. */
int hv_demo_kyr(struct hv_store *s, int *ntopics, int *ntexts);
/* Records the directive's FOIA request to ICE (src/cli/demo_foia.c). 0, or -1. */
int hv_demo_foia(struct hv_store *s);
/* Records the working group's sample members, sessions, feedback,
 * recommendations and guideline (src/cli/demo_workgroup.c). 0, or -1. */
int hv_demo_workgroup(struct hv_store *s);
/* The preparedness directives (ED 12, ED 17) and ED 12's campaign with a
 * few plans in different states (src/cli/demo_plans.c). 0, or -1. */
int hv_demo_plans(struct hv_store *s, int *nplans);
/* Records the sample contractors and contracts, their attestations (sample
 * PDFs sealed in `data_dir`) and notices (src/cli/demo_contractors.c). */
int hv_demo_contractors(struct hv_store *s, const char *data_dir, int *nvendors, int *ncontracts);
/* Loads the sample courses, roster, completions and department protocols
 * (src/cli/demo_training.c). 0, or -1. */
int hv_demo_training(struct hv_store *s);
/* The sample help directories (legal service providers, City programs). */
int hv_demo_kyr_directories(struct hv_store *s, int *nlegal, int *nprograms);

#endif
