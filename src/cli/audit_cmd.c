/* haven audit verify [CHECKPOINT...] and haven audit checkpoint. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"

static const char usage[] =
    "usage: haven audit verify [CHECKPOINT.json...]\n"
    "       haven audit checkpoint\n"
    "verify recomputes the hash chain of every audit event and checks each signed checkpoint;\n"
    "it exits 1 and names the first bad event on any change, removal, insertion or reordering.\n"
    "checkpoint signs the current head with the key in the data folder and writes\n"
    "DATA/checkpoints/checkpoint-SEQ.json, to be copied off this machine.\n\n";

int hv_cmd_audit(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  struct hv_store *s = NULL;
  char err[512], path[1200], key[65];
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      hv_config_usage(stdout);
      return 0;
    }
  int rc = hv_cli_setup("audit", argc, argv, &cfg, rest, &nrest, &stop);
  if (stop)
    return rc;
  if (nrest < 1 || (strcmp(rest[0], "verify") && strcmp(rest[0], "checkpoint")) ||
      (strcmp(rest[0], "checkpoint") == 0 && nrest != 1)) {
    fputs(usage, stderr);
    return 2;
  }
  if (hv_store_open(cfg.db, 1, &s, err, sizeof err)) {
    fprintf(stderr, "haven audit: %s\n", err);
    return 1;
  }
  rc = 1;
  if (strcmp(rest[0], "checkpoint") == 0) {
    if (hv_audit_checkpoint(s, cfg.data, path, sizeof path, err, sizeof err)) {
      fprintf(stderr, "haven audit checkpoint: %s\n", err);
    } else {
      printf("checkpoint written to %s\n", path);
      rc = 0;
    }
  } else {
    int64_t bad = 0;
    bool have_key = hv_audit_public_key(cfg.data, key) == 0;
    if (hv_audit_verify(s, (const char *const *)rest + 1, (size_t)nrest - 1,
                        have_key ? key : NULL, stdout, &bad)) {
      if (bad)
        fprintf(stderr, "haven audit verify: FAILED at event %lld\n", (long long)bad);
      else
        fprintf(stderr, "haven audit verify: FAILED (checkpoint)\n");
    } else {
      rc = 0;
    }
  }
  hv_store_free(s);
  return rc;
}
