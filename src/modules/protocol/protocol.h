/* The employee protocol: what City staff do when federal immigration agents
 * arrive, shown on the quick alert page. It is content an administrator
 * edits, not code: Markdown kept in versions (nothing is overwritten, each
 * save audited in its transaction), rendered to HTML by cmark with its safe
 * defaults. render.c renders and caches the HTML per version (the alert
 * page never renders Markdown per request); store.c holds the SQL; http.c
 * serves the API and the administration pages. */
#ifndef HV_PROTOCOL_H
#define HV_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/markdown.h"
#include "store/store.h"

extern const struct hv_route hv_protocol_routes[];
extern const size_t hv_protocol_nroutes;

/* The largest protocol text, in bytes of Markdown. */
#define HV_PROTOCOL_MAX 65536
/* The longest note on a version (what changed), in bytes. */
#define HV_PROTOCOL_NOTE_MAX 500

/* --- render.c -------------------------------------------------------------- */


/* NULL when `md` may be saved as a protocol version, else a message for
 * people: empty (only white space), longer than HV_PROTOCOL_MAX, or not
 * valid UTF-8 text. */
const char *hv_protocol_check(const char *md, size_t len);

/* The SHA-256 of `len` bytes, as lower-case hex. */
void hv_protocol_sha256(const char *md, size_t len, char out[65]);

/* How many times the cache below rendered Markdown (for tests: showing a
 * version again must not render it again). */
unsigned long hv_protocol_renders(void);

/* A version ready to show: fields borrowed from the request's arena. */
struct hv_protocol_view {
  int64_t version, created_at;
  const char *html, *created_by, *sha256;
};

/* The current version (`version` 0) or version `version`, with its HTML
 * from the process-wide cache (rendered once per version, thread-safe),
 * copied into `a`. HV_QS_NONE when there is no such version. */
enum hv_qs hv_protocol_view(struct hv_store *s, int64_t version, struct hv_arena *a,
                            struct hv_protocol_view *out);

/* The alert page's "protocol" value: {version, date, html} for the current
 * version, or {} when the database did not answer (the page then shows its
 * short fallback). Returns a new reference. */
json_t *hv_protocol_context(struct hv_store *s, struct hv_arena *a);

/* --- store.c ---------------------------------------------------------------- */

/* One version as JSON: {version, markdown, sha256, note, created_at,
 * created_by: name or null}; `version` 0 for the current one. HV_QS_NONE
 * when absent. */
enum hv_qs hv_protocol_get(struct hv_store *s, int64_t version, json_t **out);

/* A version without its text: what the alert page needs besides the HTML,
 * and the cache key (version and SHA-256). */
struct hv_protocol_head {
  int64_t version, created_at;
  char sha256[65];
  char created_by[128]; /* the editor's name, or "" for the installed text */
};

/* The head of version `version`, or of the current one for 0. HV_QS_NONE
 * when absent. */
enum hv_qs hv_protocol_head(struct hv_store *s, int64_t version, struct hv_protocol_head *h);

/* Every version, newest first, without the text: [{version, sha256, note,
 * created_at, created_by, bytes}]. */
enum hv_qs hv_protocol_list(struct hv_store *s, json_t **items);

struct hv_protocol_save {
  const struct hv_principal *by; /* borrowed */
  const char *markdown, *note;   /* borrowed; checked by the caller */
  int64_t expect_version;        /* the version the editor started from */
  int64_t version;               /* out: the new version */
  int64_t current;               /* out: the current version when stale */
  int stale;                     /* out: 1 when someone saved meanwhile */
};

/* Saves a new version and its audit event ("protocol.publish", object the
 * version number, committing to the version and the text's SHA-256) in one
 * transaction. HV_QS_CONFLICT with `stale` set when the current version is
 * not `expect_version`: nothing is written. */
enum hv_qs hv_protocol_save(struct hv_store *s, struct hv_protocol_save *w);

#endif
