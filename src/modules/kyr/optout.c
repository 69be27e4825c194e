/* SMS opt-outs: the key, the keyed hash, and the SQL. */
#include "modules/kyr/optout.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/keyfile.h"
#include "core/log.h"

#define KEY_BYTES crypto_generichash_KEYBYTES /* 32 */

static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char key[KEY_BYTES];
static bool key_loaded;

int hv_kyr_optout_hash(const char *data_dir, const char *e164, char hex[HV_KYR_OPTOUT_HASH_HEX]) {
  unsigned char h[32];
  char err[256] = "";
  int rc = 0;
  pthread_mutex_lock(&key_mu);
  if (!key_loaded) {
    if (hv_keyfile_load(data_dir, HV_KYR_OPTOUT_KEY_FILE, key, sizeof key, err, sizeof err))
      rc = -1;
    else
      key_loaded = true;
  }
  if (rc == 0) {
    /* The domain string keeps this hash apart from any other use of the key. */
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, sizeof key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)"haven.kyr.sms-optout.v1:", 24);
    crypto_generichash_update(&st, (const unsigned char *)e164, strlen(e164));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_memzero(&st, sizeof st);
  }
  pthread_mutex_unlock(&key_mu);
  if (rc) {
    hv_log(HV_LOG_ERROR, "the SMS opt-out key cannot be read", HV_LS("reason", err));
    return -1;
  }
  sodium_bin2hex(hex, HV_KYR_OPTOUT_HASH_HEX, h, sizeof h);
  sodium_memzero(h, sizeof h);
  return 0;
}

static struct hv_sql q_has = HV_SQL("SELECT 1 FROM kyr_sms_optouts WHERE number_hash = ?");
static struct hv_sql q_add =
    HV_SQL("INSERT INTO kyr_sms_optouts (number_hash, created_at) VALUES (?, ?) "
           "ON CONFLICT (number_hash) DO NOTHING");
static struct hv_sql q_del = HV_SQL("DELETE FROM kyr_sms_optouts WHERE number_hash = ?");

struct set_args {
  const char *hash;
  bool out;
};

static enum hv_qs set_tx(struct hv_conn *c, void *cls) {
  struct set_args *a = cls;
  struct hv_param p[] = {HV_P_TEXT(a->hash), HV_P_INT(hv_clock_wall_ms())};
  enum hv_qs qs = hv_db_exec(c, a->out ? &q_add : &q_del, p, a->out ? 2 : 1);
  if (qs <= 0) /* an error, or nothing changed: no event */
    return qs < 0 ? qs : HV_QS_ONE;
  /* The event says that a resident opted out or in, never who. */
  struct hv_audit_event ev = {
      "sms-gateway", a->out ? "kyr.sms.optout" : "kyr.sms.optin", "kyr_sms_optout", "-", NULL, 0};
  qs = hv_audit_append(c, &ev);
  return qs < 0 ? qs : HV_QS_ONE;
}

enum hv_qs hv_kyr_optout_set(struct hv_store *s, const char *hash, bool out) {
  struct set_args a = {hash, out};
  return hv_store_tx(s, true, set_tx, &a);
}

static enum hv_qs has_tx(struct hv_conn *c, void *cls) {
  int64_t one = 0;
  struct hv_param p[] = {HV_P_TEXT((const char *)cls)};
  return hv_db_int(c, &q_has, p, 1, &one);
}

enum hv_qs hv_kyr_optout_has(struct hv_store *s, const char *hash) {
  return hv_store_tx(s, false, has_tx, (void *)hash);
}
