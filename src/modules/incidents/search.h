/* Full-text queries built from what people type, never from their syntax.
 * The words of the search box (runs of letters and digits; punctuation,
 * symbols and emoji separate words) become a
 * query in which every word must match and the last word matches as a
 * prefix while it is being typed. Each word is quoted, so nothing a
 * person types is read as an operator: FTS5's AND, OR, NOT, NEAR, *, ^,
 * column filters and parentheses, or tsquery's & | ! <-> :* are all just
 * text (or separators). The index side (migration 0009) splits text into
 * the same words. Pure. */
#ifndef HV_INCIDENTS_SEARCH_H
#define HV_INCIDENTS_SEARCH_H

#include <stddef.h>

#define HV_SEARCH_MAX_WORDS 12 /* more are ignored */
#define HV_SEARCH_MAX_WORD 64  /* bytes; a longer word is cut at a character boundary */
/* Room for the longest query either builder makes. */
#define HV_SEARCH_QUERY_MAX (HV_SEARCH_MAX_WORDS * (HV_SEARCH_MAX_WORD + 8) + 8)

/* SQLite FTS5: "w1" "w2" "w3"*  (implicit AND of quoted phrases).
 * PostgreSQL:  'w1' & 'w2' & 'w3':*  (for to_tsquery('simple', ...)).
 * Write into `out` (at least HV_SEARCH_QUERY_MAX bytes) and return the
 * number of words; 0 means there is nothing to search for (empty, or only
 * punctuation) and `out` is "". */
int hv_search_fts5(const char *q, char *out, size_t cap);
int hv_search_tsquery(const char *q, char *out, size_t cap);

#endif
