/* haven: argv -> subcommand table; nothing else. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const struct hv_command hv_commands[] = {
    {"serve", hv_cmd_serve, "[SETTINGS]", "serve the web application, the public site and the API"},
    {"init", hv_cmd_init, "--admin-email EMAIL [--admin-name NAME]",
     "create the database and the first administrator (prints a one-time password)"},
    {"migrate", hv_cmd_migrate, "", "apply database migrations"},
    {"demo", hv_cmd_demo, "", "load the sample city into a new database"},
    {"user", hv_cmd_user, "add|passwd|disable|enable|roles|list [--email EMAIL ...]",
     "manage staff accounts"},
    {"import", hv_cmd_import, "departments|facilities|users FILE.csv",
     "import the City registry or users from CSV (all rows or none)"},
    {"audit", hv_cmd_audit, "verify [CHECKPOINT...] | checkpoint",
     "verify the tamper-evident audit log, or sign a checkpoint"},
    {"backup", hv_cmd_backup, "FILE", "copy a SQLite database safely while it is in use"},
    {"routes", hv_cmd_routes, "", "print the route table with each route's roles (JSON lines)"},
    {"version", hv_cmd_version, "", "print the version"},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *out) {
  fprintf(out, "usage: haven COMMAND [OPTIONS]\n\nCommands:\n");
  for (const struct hv_command *c = hv_commands; c->name; c++)
    fprintf(out, "  %-9s %s\n", c->name, c->summary);
  fprintf(out, "\nRun 'haven COMMAND --help' for a command's options and settings.\n");
}

int main(int argc, char **argv) {
  if (sodium_init() < 0) {
    fprintf(stderr, "haven: libsodium failed to initialise\n");
    return 1;
  }
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0)
    return hv_cmd_version(0, argv);
  for (const struct hv_command *c = hv_commands; c->name; c++)
    if (strcmp(argv[1], c->name) == 0)
      return c->run(argc - 2, argv + 2);
  fprintf(stderr, "haven: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
