/* The demo city's contractors: a dozen sample vendors and contracts over
 * six departments, in every coverage state on the day the demo is loaded
 * (valid, expiring within 30 days, expired, missing, not on City property,
 * not running today), with notices sent and acknowledged or not. They are
 * recorded through the same store calls staff use (so they are audited);
 * the signed attestations are small sample PDFs, sealed and stored like
 * uploaded ones. Names and numbers are invented. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "modules/accounts/accounts.h"
#include "modules/contractors/contractors.h"
#include "modules/incidents/attach.h"

static const struct hv_contractor vendors[] = {
    {"VC-100201", "Pacific Janitorial Services (sample)", "Dana Cruz",
     "compliance@pacific-janitorial.example", "(213) 555-0141"},
    {"VC-100202", "Golden State Security Co. (sample)", "Omar Haddad", "contracts@gss.example",
     "(213) 555-0142"},
    {"VC-100203", "Angeles Food Service Partners (sample)", "Kim Tran", "legal@angelesfood.example",
     "(310) 555-0143"},
    {"VC-100204", "Sunset HVAC Maintenance (sample)", "Luis Romero", "office@sunsethvac.example",
     "(323) 555-0144"},
    {"VC-100205", "Harbor Landscaping Group (sample)", "Grace Lee",
     "admin@harborlandscaping.example", "(310) 555-0145"},
    {"VC-100206", "Metro IT Solutions (sample)", "Priya Shah", "contracts@metroit.example",
     "(213) 555-0146"},
    {"VC-100207", "Westside Elevator Repair (sample)", "Sam Okafor",
     "service@westsideelevator.example", "(310) 555-0147"},
    {"VC-100208", "Eastside Pest Control (sample)", "Ana Flores", "office@eastsidepest.example",
     "(323) 555-0148"},
    {"VC-100209", "Valley Shuttle Operators (sample)", "Ben Adler", "ops@valleyshuttle.example",
     "(818) 555-0149"},
    {"VC-100210", "Civic Printing and Mail (sample)", "Rosa Vega", "sales@civicprint.example",
     "(213) 555-0150"},
    {"VC-100211", "Coastal Parking Management (sample)", "Tom Reyes",
     "contracts@coastalparking.example", "(310) 555-0151"},
    {"VC-100212", "Downtown Event Staffing (sample)", "Mia Chen", "hr@dtevents.example",
     "(213) 555-0152"},
};

#define NONE 9999 /* no such date */

/* Days are offsets from the day the demo is loaded. */
static const struct demo_contract {
  const char *number, *title, *dept;
  int vendor; /* index into vendors */
  int starts, ends, on_property, personnel;
  int signed_on, expires; /* attestation, or NONE */
  int sent, acked;        /* notice, or NONE */
  const char *method, *role;
} contracts[] = {
    {"C-LAPL-2025-001", "Custodial services, Central Library", "LAPL", 0, -200, 500, 1, 14, -180,
     185, -190, -185, "email", "Operations manager"},
    {"C-LAPL-2025-002", "Security guards, branch libraries", "LAPL", 1, -100, 265, 1, 6, -340, 20,
     -90, NONE, "letter", NULL},
    {"C-LAPL-2026-003", "Catalogue system support (remote)", "LAPL", 5, -60, 300, 0, 0, NONE, NONE,
     NONE, NONE, NULL, NULL},
    {"C-LAPL-2026-004", "Elevator maintenance", "LAPL", 6, -30, 335, 1, 2, NONE, NONE, NONE, NONE,
     NULL, NULL},
    {"C-RAP-2025-011", "Park landscaping, South LA", "RAP", 4, -300, 400, 1, 25, -400, -5, -290,
     -280, "portal", "Site supervisor"},
    {"C-RAP-2025-012", "Pest control, recreation centers", "RAP", 7, -150, 215, 1, 3, -140, 225,
     -145, -140, "email", "Owner"},
    {"C-RAP-2026-013", "Summer event staffing", "RAP", 11, 10, 200, 1, 40, NONE, NONE, NONE, NONE,
     NULL, NULL},
    {"C-GSD-2024-021", "HVAC maintenance, City Hall East", "GSD", 3, -500, 230, 1, 8, -100, 265,
     -480, -470, "letter", "Field manager"},
    {"C-GSD-2024-022", "Print and mail services", "GSD", 9, -400, -10, 1, 4, -390, 100, NONE, NONE,
     NULL, NULL},
    {"C-LAWA-2025-031", "Terminal food service", "LAWA", 2, -250, 480, 1, 60, -240, 10, -245, -240,
     "portal", "Compliance officer"},
    {"C-LAWA-2025-032", "Parking operations", "LAWA", 10, -200, 530, 1, 30, NONE, NONE, -20, NONE,
     "email", NULL},
    {"C-LADOT-2025-041", "DASH shuttle operations", "LADOT", 8, -120, 610, 1, 18, -110, 255, -115,
     -112, "letter", "General manager"},
    {"C-POLA-2025-051", "Cruise terminal security", "POLA", 1, -80, 285, 1, 12, -70, 295, NONE,
     NONE, NULL, NULL},
};

/* A small sample PDF standing in for the signed attestation. */
static int sample_document(const char *data_dir, int64_t contract_id, const char *number,
                           char name[HV_ATTACH_NAME_LEN + 1], char sha[65], size_t *size) {
  char pdf[600];
  unsigned char key[HV_ATTACH_KEY_BYTES], digest[crypto_hash_sha256_BYTES];
  char err[300];
  int n = snprintf(pdf, sizeof pdf,
                   "%%PDF-1.4\n%% Sample compliance attestation for contract %s (demo city).\n"
                   "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                   "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                   "trailer << /Root 1 0 R >>\n%%%%EOF\n",
                   number);
  if (n <= 0 || (size_t)n >= sizeof pdf || hv_attach_key_load(data_dir, key, err, sizeof err))
    return -1;
  crypto_hash_sha256(digest, (const unsigned char *)pdf, (size_t)n);
  sodium_bin2hex(sha, 65, digest, sizeof digest);
  hv_attach_new_name(name);
  size_t slen = 0;
  unsigned char *sealed = hv_sealed_seal(key, "attestation", contract_id, name,
                                            (const unsigned char *)pdf, (size_t)n, &slen);
  sodium_memzero(key, sizeof key);
  int rc = !sealed || hv_attach_file_write(data_dir, name, sealed, slen, err, sizeof err) ? -1 : 0;
  free(sealed);
  *size = (size_t)n;
  return rc;
}

int hv_demo_contractors(struct hv_store *s, const char *data_dir, int *nvendors, int *ncontracts) {
  struct hv_principal moia;
  char today[11];
  int64_t vid[sizeof vendors / sizeof vendors[0]];
  memset(&moia, 0, sizeof moia);
  if (hv_accounts_find_user(s, "moia@demo.lacity.org", &moia.user_id) <= 0 ||
      hv_roles_parse("moia", &moia.roles)) {
    fprintf(stderr, "haven demo: contractors: the demo user moia@demo.lacity.org is missing\n");
    return -1;
  }
  snprintf(moia.email, sizeof moia.email, "moia@demo.lacity.org");
  snprintf(moia.actor, sizeof moia.actor, "user:%lld", (long long)moia.user_id);
  hv_contracts_today(today);
  for (size_t i = 0; i < sizeof vendors / sizeof vendors[0]; i++)
    if (hv_contractor_create(s, &moia, &vendors[i], &vid[i]) <= 0)
      goto fail;
  for (size_t i = 0; i < sizeof contracts / sizeof contracts[0]; i++) {
    const struct demo_contract *d = &contracts[i];
    char starts[11], ends[11], a[11], b[11];
    const char *field = NULL;
    int64_t dept = 0, id = 0;
    hv_contracts_add_days(today, d->starts, starts);
    hv_contracts_add_days(today, d->ends, ends);
    if (hv_department_by_code(s, d->dept, &dept) <= 0)
      goto fail;
    struct hv_contract k = {d->number,      d->title, starts,         ends,
                            vid[d->vendor], dept,     d->on_property, d->personnel};
    if (hv_contract_create(s, &moia, &k, &id, &field) <= 0)
      goto fail;
    if (d->signed_on != NONE) {
      char name[HV_ATTACH_NAME_LEN + 1], sha[65], file[80];
      size_t size = 0;
      hv_contracts_add_days(today, d->signed_on, a);
      hv_contracts_add_days(today, d->expires, b);
      snprintf(file, sizeof file, "attestation-%s.pdf", d->number);
      if (sample_document(data_dir, id, d->number, name, sha, &size))
        goto fail;
      struct hv_attestation_write w = {.by = &moia,
                                       .scope = 0,
                                       .contract_id = id,
                                       .signed_on = a,
                                       .expires_on = b,
                                       .storage_name = name,
                                       .file_name = file,
                                       .content_type = "application/pdf",
                                       .sha256 = sha,
                                       .size = (int64_t)size};
      if (hv_attestation_add(s, &w) <= 0)
        goto fail;
    }
    if (d->sent != NONE) {
      hv_contracts_add_days(today, d->sent, a);
      if (d->acked != NONE)
        hv_contracts_add_days(today, d->acked, b);
      if (hv_notice_add(s, &moia, 0, id, a, d->method, d->acked != NONE ? b : NULL, d->role, NULL,
                        NULL) <= 0)
        goto fail;
    }
  }
  *nvendors = (int)(sizeof vendors / sizeof vendors[0]);
  *ncontracts = (int)(sizeof contracts / sizeof contracts[0]);
  return 0;
fail:
  fprintf(stderr, "haven demo: recording the sample contractors failed\n");
  return -1;
}
