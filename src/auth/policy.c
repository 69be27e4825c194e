/* Department scoping. */
#include "auth/policy.h"

int64_t hv_policy_department(const struct hv_principal *p) {
  if (!p)
    return -1;
  if (p->roles & HV_CITYWIDE)
    return 0;
  return p->department_id > 0 ? p->department_id : -1;
}
