/* The working group's closed lists and status machine (see model.h). */
#include <stdio.h>
#include <string.h>

#include "modules/workgroup/model.h"

const struct hv_wg_choice hv_wg_kinds[HV_WGK_MAX] = {
    [HV_WGK_MEETING] = {"meeting", "Working-group meeting"},
    [HV_WGK_CONSULTATION] = {"consultation", "Community consultation"},
};

const struct hv_wg_choice hv_wg_session_statuses[HV_WGS_MAX] = {
    [HV_WGS_PLANNED] = {"planned", "Planned"},
    [HV_WGS_HELD] = {"held", "Held"},
    [HV_WGS_CANCELLED] = {"cancelled", "Cancelled"},
};

const struct hv_wg_choice hv_wg_rec_statuses[HV_WGR_MAX] = {
    [HV_WGR_PROPOSED] = {"proposed", "Proposed"},
    [HV_WGR_UNDER_REVIEW] = {"under_review", "Under review"},
    [HV_WGR_ADOPTED] = {"adopted", "Adopted"},
    [HV_WGR_IMPLEMENTED] = {"implemented", "Implemented"},
    [HV_WGR_DECLINED] = {"declined", "Declined"},
};

int hv_wg_find(const struct hv_wg_choice *table, size_t n, const char *code) {
  for (size_t i = 0; code && i < n; i++)
    if (strcmp(table[i].code, code) == 0)
      return (int)i;
  return -1;
}

const char *hv_wg_label(const struct hv_wg_choice *table, size_t n, const char *code) {
  int i = hv_wg_find(table, n, code);
  return i >= 0 ? table[i].label : (code ? code : "");
}

/* moves[from] has bit `to` set when the move is allowed */
static const unsigned moves[HV_WGR_MAX] = {
    [HV_WGR_PROPOSED] = 1u << HV_WGR_UNDER_REVIEW | 1u << HV_WGR_DECLINED,
    [HV_WGR_UNDER_REVIEW] = 1u << HV_WGR_PROPOSED | 1u << HV_WGR_ADOPTED | 1u << HV_WGR_DECLINED,
    [HV_WGR_ADOPTED] = 1u << HV_WGR_IMPLEMENTED | 1u << HV_WGR_DECLINED,
    [HV_WGR_IMPLEMENTED] = 0,
    [HV_WGR_DECLINED] = 1u << HV_WGR_UNDER_REVIEW,
};

bool hv_wg_rec_can_move(enum hv_wg_rec_status from, enum hv_wg_rec_status to) {
  if ((unsigned)from >= HV_WGR_MAX || (unsigned)to >= HV_WGR_MAX)
    return false;
  return (moves[from] >> to) & 1u;
}

void hv_wg_rec_next_text(enum hv_wg_rec_status from, char *out, size_t cap) {
  size_t len = 0, k = 0, n = 0;
  if (!cap)
    return;
  out[0] = '\0';
  for (int t = 0; t < HV_WGR_MAX; t++)
    n += hv_wg_rec_can_move(from, (enum hv_wg_rec_status)t);
  if (n == 0) {
    snprintf(out, cap, "none");
    return;
  }
  for (int t = 0; t < HV_WGR_MAX && len < cap; t++) {
    if (!hv_wg_rec_can_move(from, (enum hv_wg_rec_status)t))
      continue;
    k++;
    int w = snprintf(out + len, cap - len, "%s%s",
                     k == 1   ? ""
                     : k == n ? " or "
                              : ", ",
                     hv_wg_rec_statuses[t].code);
    if (w < 0)
      break;
    len += (size_t)w;
  }
}

int hv_wg_split_languages(const char *text, char *store, size_t cap,
                          const char *names[HV_WG_LANGS_MAX]) {
  int n = 0;
  size_t used = 0;
  const char *p = text ? text : "";
  while (*p) {
    const char *end = strchr(p, ',');
    if (!end)
      end = p + strlen(p);
    const char *a = p, *b = end;
    while (a < b && (*a == ' ' || *a == '\t'))
      a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
      b--;
    size_t len = (size_t)(b - a);
    for (const char *c = a; c < b; c++)
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
        return -1;
    if (len > HV_WG_LANG_NAME_MAX)
      return -1;
    bool seen = false;
    for (int i = 0; i < n && !seen; i++)
      seen = strlen(names[i]) == len && memcmp(names[i], a, len) == 0;
    if (len && !seen) {
      if (n == HV_WG_LANGS_MAX || used + len + 1 > cap)
        return -1;
      memcpy(store + used, a, len);
      store[used + len] = '\0';
      names[n++] = store + used;
      used += len + 1;
    }
    p = *end ? end + 1 : end;
  }
  return n;
}
