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

/* --- documents.c: department protocol documents ------------------------------
 *
 * Each department's own protocols (or citywide ones), published by its
 * liaison or by MOIA, versioned and checked like the employee protocol
 * above (hv_protocol_check, SHA-256 in the audit event), and acknowledged
 * per version by employees of the training roster (recorded by their
 * liaison) or by signed-in staff themselves. A document of another
 * department is simply not found. */

extern const struct hv_route hv_protocol_doc_routes[];
extern const size_t hv_protocol_doc_nroutes;

#define HV_PROTOCOL_TITLE_MAX 200

struct hv_protocol_doc_publish {
  const struct hv_principal *by;  /* borrowed */
  int64_t document_id;            /* 0: a new document */
  const char *title;              /* a new document's, or NULL to keep */
  const char *department;         /* a new document's code, NULL: citywide */
  const char *markdown, *note;    /* borrowed; checked by the caller */
  int64_t expect_version;         /* an existing document's current version */
  int64_t version, current;       /* out: the new version; the current when stale */
  int stale;                      /* out */
  const char *problem, *field;    /* out: a refusal for people */
};

/* Publishes a new document (version 1) or a new version, with its audit
 * event ("protocol_doc.publish"), in one transaction. HV_QS_NONE when the
 * document is absent or out of scope; HV_QS_CONFLICT with `stale` when
 * someone published meanwhile, or with `problem` when refused. */
enum hv_qs hv_protocol_doc_publish(struct hv_store *s, struct hv_protocol_doc_publish *w);

/* The documents `by` may read: [{id, title, department: code or null,
 * version, published_at, acknowledged: by `by`, of the current version}]. */
enum hv_qs hv_protocol_docs(struct hv_store *s, const struct hv_principal *by, json_t **out);

/* Version `version` (0: the current one) of a document: {id, title,
 * department, version, current_version, markdown, sha256, note, created_at,
 * created_by, acknowledged, versions: [{version, sha256, note, created_at,
 * created_by}]}. HV_QS_NONE when absent or out of scope. */
enum hv_qs hv_protocol_doc_get(struct hv_store *s, const struct hv_principal *by, int64_t id,
                               int64_t version, json_t **out);

struct hv_protocol_ack {
  const struct hv_principal *by; /* borrowed */
  int64_t document_id, version;
  const char *employee_number;   /* NULL: `by` acknowledges for themselves */
  int already;                   /* out: it was recorded before (nothing written) */
  const char *problem, *field;   /* out */
};

/* Records an acknowledgement of a published version, with its audit event.
 * HV_QS_NONE when the document or version is absent or out of scope;
 * HV_QS_CONFLICT with `problem` (an unknown employee, or one of another
 * department). Acknowledging twice answers `already` and writes nothing. */
enum hv_qs hv_protocol_doc_ack(struct hv_store *s, struct hv_protocol_ack *a);

/* Acknowledgements of a version (0: current) as counts: {version, users,
 * departments: [{department, name, active, acknowledged, percent}]}, the
 * departments in `by`'s scope (and the document's). */
enum hv_qs hv_protocol_doc_acks(struct hv_store *s, const struct hv_principal *by, int64_t id,
                                int64_t version, json_t **out);

#endif
