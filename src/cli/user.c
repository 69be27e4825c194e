/* haven user add|passwd|disable|enable|list|roles: manage staff accounts
 * from the command line. Every change is audited with the actor "cli". */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/policy.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/str.h"
#include "modules/accounts/accounts.h"

#define ACTOR "cli"

struct user_args {
  const char *email, *name, *roles, *department;
};

static int parse_args(const char *sub, int nrest, char **rest, int from, struct user_args *a) {
  for (int i = from; i < nrest; i++) {
    const char *k = rest[i];
    const char **dst = NULL;
    if (strcmp(k, "--email") == 0)
      dst = &a->email;
    else if (strcmp(k, "--name") == 0)
      dst = &a->name;
    else if (strcmp(k, "--roles") == 0)
      dst = &a->roles;
    else if (strcmp(k, "--department") == 0)
      dst = &a->department;
    if (!dst || i + 1 >= nrest) {
      fprintf(stderr, "haven user %s: unexpected argument '%s' (see haven user --help)\n", sub, k);
      return -1;
    }
    *dst = rest[++i];
  }
  return 0;
}

static int print_user(void *cls, const struct hv_user_info *u) {
  char roles[128];
  (void)cls;
  hv_roles_format(u->roles, roles, sizeof roles);
  printf("%-5lld %-32s %-24s %-10s %-28s %s%s\n", (long long)u->id, u->email, u->name,
         u->department_code ? u->department_code : "-", roles[0] ? roles : "-",
         u->active ? "active" : "disabled", u->must_change_password ? ", must change password" : "");
  return 0;
}

static const char usage[] =
    "usage: haven user add --email EMAIL --name NAME --roles ROLE[,ROLE] [--department CODE]\n"
    "       haven user passwd --email EMAIL     (new one-time password; ends sessions)\n"
    "       haven user disable --email EMAIL    (ends sessions at once)\n"
    "       haven user enable --email EMAIL\n"
    "       haven user roles --email EMAIL --roles ROLE[,ROLE]\n"
    "       haven user list\n"
    "Roles: admin, moia, liaison, legal, agent311, workgroup, auditor, staff.\n\n";

static int one_time_password(char pw[24], char hash[HV_PASSWORD_HASH_MAX]) {
  hv_password_random(pw, 20);
  return hv_password_hash(pw, hash);
}

int hv_cmd_user(int argc, char **argv) {
  struct hv_config cfg;
  char *rest[argc + 1];
  int nrest, stop;
  struct user_args a = {NULL, NULL, NULL, NULL};
  struct hv_store *s = NULL;
  int rc;
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      hv_config_usage(stdout);
      return 0;
    }
  rc = hv_cli_setup("user", argc, argv, &cfg, rest, &nrest, &stop);
  if (stop)
    return rc;
  if (nrest < 1) {
    fputs(usage, stderr);
    return 2;
  }
  const char *sub = rest[0];
  if (parse_args(sub, nrest, rest, 1, &a))
    return 2;
  bool list = strcmp(sub, "list") == 0;
  if (!list && strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "disable") &&
      strcmp(sub, "enable") && strcmp(sub, "roles")) {
    fprintf(stderr, "haven user: unknown subcommand '%s'\n", sub);
    fputs(usage, stderr);
    return 2;
  }
  char email[256] = "";
  if (!list) {
    if (!a.email || hv_strlcpy(email, a.email, sizeof email) >= sizeof email ||
        !hv_email_normalise(email)) {
      fprintf(stderr, "haven user %s: --email needs a valid email address\n", sub);
      return 2;
    }
  }
  unsigned roles = 0;
  if (a.roles && (hv_roles_parse(a.roles, &roles) || !roles)) {
    fprintf(stderr, "haven user %s: --roles: unknown role in '%s'\n", sub, a.roles);
    return 2;
  }
  if (hv_cli_open_store(&cfg, 1, &s))
    return 1;
  rc = 1;
  int64_t id = 0;
  enum hv_qs qs;
  char pw[24], hash[HV_PASSWORD_HASH_MAX];
  if (list) {
    printf("%-5s %-32s %-24s %-10s %-28s %s\n", "id", "email", "name", "dept", "roles", "status");
    rc = hv_accounts_list_users(s, 0, print_user, NULL) < 0;
    goto out;
  }
  if (strcmp(sub, "add") == 0) {
    int64_t dept = 0;
    if (!a.name || !*a.name || !hv_utf8_valid(a.name, strlen(a.name)) || strlen(a.name) > 120 ||
        !roles) {
      fprintf(stderr, "haven user add: --name and --roles are required\n");
      rc = 2;
      goto out;
    }
    if (a.department && hv_department_by_code(s, a.department, &dept) <= 0) {
      fprintf(stderr, "haven user add: --department: no department with code '%s'\n", a.department);
      rc = 2;
      goto out;
    }
    if ((roles & HV_DEPARTMENTAL) && !dept) {
      fprintf(stderr, "haven user add: a liaison or staff member needs --department CODE\n");
      rc = 2;
      goto out;
    }
    if (one_time_password(pw, hash))
      goto out;
    qs = hv_accounts_create_user(s, ACTOR, email, a.name, dept, roles, hash, true, &id);
    if (qs == HV_QS_CONFLICT) {
      fprintf(stderr, "haven user add: %s already has an account\n", email);
      goto out;
    }
    if (qs <= 0)
      goto fail;
    printf("user %lld: %s\npassword: %s\nThis password works once: it must be changed at first "
           "sign-in.\n",
           (long long)id, email, pw);
    rc = 0;
    goto out;
  }
  if ((qs = hv_accounts_find_user(s, email, &id)) <= 0) {
    if (qs == HV_QS_NONE)
      fprintf(stderr, "haven user %s: no user with email %s\n", sub, email);
    else
      goto fail;
    goto out;
  }
  if (strcmp(sub, "passwd") == 0) {
    if (one_time_password(pw, hash) || hv_accounts_reset_password(s, ACTOR, id, hash) <= 0)
      goto fail;
    printf("password: %s\nThis password works once; every session of %s was ended.\n", pw, email);
  } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
    bool on = strcmp(sub, "enable") == 0;
    if (hv_accounts_set_active(s, ACTOR, id, on) <= 0)
      goto fail;
    printf("%s %s\n", email, on ? "enabled" : "disabled; its sessions ended");
  } else {
    if (!roles) {
      fprintf(stderr, "haven user roles: --roles is required\n");
      rc = 2;
      goto out;
    }
    if (hv_accounts_set_roles(s, ACTOR, id, roles) <= 0)
      goto fail;
    printf("%s: roles %s\n", email, a.roles);
  }
  rc = 0;
  goto out;
fail:
  fprintf(stderr, "haven user %s: the database refused the change; nothing was saved\n", sub);
out:
  sodium_memzero(pw, sizeof pw);
  hv_store_free(s);
  return rc;
}
