/* Know Your Rights in print (card.c): the wallet card (3.5 x 2 inches, two
 * sides: the rights in the resident's language, and a statement for agents
 * in English) and the letter-size flyer of a topic, as PDF through cairo
 * and pango with Debian's Noto fonts, right-to-left mirrored, with a QR
 * code (libqrencode) to the topic's page in that language and the version
 * stamp. The fitting check is what publishing asks before a card text goes
 * out (store.c). */
#ifndef HV_KYR_CARD_H
#define HV_KYR_CARD_H

#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>

#include "http/http.h"

/* The card's text is set at the largest size from MAX down to MIN (0.5 pt
 * steps) at which it fits its box. */
#define HV_KYR_CARD_MAX_PT 10.0
#define HV_KYR_CARD_MIN_PT 7.0

/* How a card text lays out in the card's text box. */
struct hv_kyr_card_layout {
  double pt;          /* the size it is set at: the largest that fits, else the minimum */
  bool fits;          /* it fits at `pt` */
  int lines;          /* lines at `pt` */
  double height_pt;   /* the text's height at `pt` */
  double box_pt;      /* the box's height */
  int unknown_glyphs; /* characters no installed font draws (pango's count) */
};

/* Lays `card_text` (plain text, borrowed; NULL is empty) out in the card's
 * text box for language `lang` (BCP 47) written in direction `dir` ("rtl"
 * or anything else for left to right). Returns 0, or -1 when pango or cairo
 * failed. Thread-safe (printing is serialised). */
int hv_kyr_card_layout(const char *card_text, const char *lang, const char *dir,
                       struct hv_kyr_card_layout *out);

/* Publishing's check: returns 1 when the text fits the card at the minimum
 * size with every character drawn (the empty text fits: there is nothing
 * to print), 0 when it does not (`why` says by how much, for the editor),
 * -1 when the layout failed. */
int hv_kyr_card_fits(const char *card_text, const char *lang, const char *dir, char *why,
                     size_t whylen);

/* What a printed piece shows (all borrowed). */
struct hv_kyr_print {
  const char *lang, *dir;           /* the text's language and direction */
  const char *page_lang, *page_dir; /* the language asked for (the QR's page) */
  const char *title;
  const char *card;    /* the card rendition (plain text) */
  const char *web;     /* the web rendition (Markdown) for the flyer */
  const char *notice;  /* the fallback notice in the asked language, or NULL */
  const char *url;     /* the page's address: base_url/kyr/{lang}/{slug} */
  const char *stamp;   /* "v3 · 2026-11-26" */
  const char *heading; /* the flyer's running head ("City of Los Angeles · Know your rights") */
  const char *help;    /* "Call 311 for help in your language..." in the asked language */
  bool sample;         /* sample text awaiting the City Attorney */
};

/* The card (two pages of 252 x 144 pt) or the flyer (US letter, as many
 * pages as the text needs) as PDF: *pdf is malloc'd (caller frees with
 * free()), *len its size. Return 0, or -1 on failure. */
int hv_kyr_card_pdf(const struct hv_kyr_print *p, char **pdf, size_t *len);
int hv_kyr_flyer_pdf(const struct hv_kyr_print *p, char **pdf, size_t *len);

/* The version stamp of a published text ({"version", "published_at"}
 * as hv_kyr_public gives them): "v3 · 2026-11-26", the day in the city's
 * time zone. */
void hv_kyr_stamp(const json_t *text, char *out, size_t outlen);

/* An interface string of data/kyr/ui.json in `lang`, else in English,
 * else "" (borrowed: the strings live for the process). */
const char *hv_kyr_ui_string(const char *lang, const char *key);

/* Releases the fonts, caches and remembered PDFs printing holds (at exit, so that leak
 * checkers see a clean process). Printing may start again afterwards. */
void hv_kyr_print_shutdown(void);

/* The English statement on the card's second side. */
extern const char hv_kyr_card_statement[];

/* GET /kyr/{lang}/{slug}/card.pdf and /flyer.pdf: public, cached in memory
 * per content generation like the pages. */
extern const struct hv_route hv_kyr_print_routes[];
extern const size_t hv_kyr_print_nroutes;

#endif
