/* Know Your Rights in print: the wallet card and the flyer of a topic as
 * PDF (cairo's PDF surface, text laid out by pango with Debian's Noto fonts
 * so every script is shaped and right-to-left text runs and aligns from the
 * right), a QR code (libqrencode) to the topic's page in the asked
 * language, and the version stamp. The card's text box is one definition
 * shared by printing and by publishing's fitting check, so a published card
 * text always fits what is printed. Pango is used from one thread at a time
 * (print_mu) with one font map kept for the process: printing is rare and
 * cached (GET /kyr/{lang}/{slug}/card.pdf answers from the page cache). */
#include "modules/kyr/card.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/markdown.h"
#include "modules/kyr/kyr.h"
#include "web/api.h"
#include "web/app.h"
#include "web/pagecache.h"

#define PDF_MAX (32u << 20)

/* The card: 3.5 x 2 inches in points, an eighth of an inch margin. */
#define CARD_W 252.0
#define CARD_H 144.0
#define CARD_M 9.0
#define CARD_TITLE_H 12.0
#define CARD_STAMP_H 8.0
#define CARD_BOX_W (CARD_W - 2 * CARD_M)
#define CARD_BOX_H (CARD_H - 2 * CARD_M - CARD_TITLE_H - CARD_STAMP_H)
/* The QR code with its 4-module quiet zone: the symbol is at least
 * 76 * 25 / 33 = 57.6 pt (2.03 cm) for the smallest version that holds a
 * page address, more for longer ones. */
#define CARD_QR 76.0

/* The flyer: US letter, three-quarter-inch margins. */
#define FLYER_W 612.0
#define FLYER_H 792.0
#define FLYER_M 54.0
#define FLYER_QR 96.0
#define FLYER_FOOT (FLYER_QR + 12.0)
#define FLYER_PAGES_MAX 40

const char hv_kyr_card_statement[] =
    "I am exercising my right to remain silent. I do not consent to a search. I will not sign "
    "anything without a lawyer. If you have a warrant signed by a judge, slide it under the "
    "door.";

static pthread_mutex_t print_mu = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *fontmap; /* created once under print_mu, kept for the process */

/* --- fonts and layouts ------------------------------------------------------ */

/* The Noto family for each script (Debian's fonts-noto-core and
 * fonts-noto-cjk); Noto Sans carries the Latin digits and punctuation, and
 * fontconfig falls back further for anything else. */
static const struct {
  const char *lang, *family, *pango_lang;
} scripts[] = {
    {"ar", "Noto Naskh Arabic, Noto Sans Arabic, Noto Sans", "ar"},
    {"fa", "Noto Naskh Arabic, Noto Sans Arabic, Noto Sans", "fa"},
    {"ur", "Noto Naskh Arabic, Noto Sans Arabic, Noto Sans", "ur"},
    {"he", "Noto Sans Hebrew, Noto Sans", "he"},
    {"hy", "Noto Sans Armenian, Noto Sans", "hy"},
    {"hi", "Noto Sans Devanagari, Noto Sans", "hi"},
    {"pa", "Noto Sans Gurmukhi, Noto Sans", "pa"},
    {"th", "Noto Sans Thai, Noto Sans", "th"},
    {"km", "Noto Sans Khmer, Noto Sans", "km"},
    {"am", "Noto Sans Ethiopic, Noto Sans", "am"},
    {"ko", "Noto Sans CJK KR, Noto Sans", "ko"},
    {"ja", "Noto Sans CJK JP, Noto Sans", "ja"},
    {"zh-Hant", "Noto Sans CJK TC, Noto Sans", "zh-tw"},
    {"zh-Hans", "Noto Sans CJK SC, Noto Sans", "zh-cn"},
    {"zh", "Noto Sans CJK SC, Noto Sans", "zh-cn"},
};

static const char *family_of(const char *lang, const char **pango_lang) {
  for (size_t i = 0; lang && i < sizeof scripts / sizeof scripts[0]; i++)
    if (strcasecmp(scripts[i].lang, lang) == 0) {
      *pango_lang = scripts[i].pango_lang;
      return scripts[i].family;
    }
  *pango_lang = lang && *lang ? lang : "en";
  return "Noto Sans";
}

static bool is_rtl(const char *dir) { return dir && strcmp(dir, "rtl") == 0; }

/* A pango context for drawing on `cr` in language `lang`, direction from
 * `rtl`, without hinting so that sizes measured for fitting are the sizes
 * printed. Called with print_mu held. */
static PangoContext *context_new(cairo_t *cr, const char *lang, bool rtl) {
  if (!fontmap) {
    fontmap = pango_cairo_font_map_new();
    if (!fontmap)
      return NULL;
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(fontmap), 72.0);
  }
  PangoContext *ctx = pango_font_map_create_context(fontmap);
  if (!ctx)
    return NULL;
  cairo_font_options_t *fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(ctx, fo);
  cairo_font_options_destroy(fo);
  pango_cairo_update_context(cr, ctx);
  const char *pl;
  family_of(lang, &pl);
  pango_context_set_language(ctx, pango_language_from_string(pl));
  pango_context_set_base_dir(ctx, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  return ctx;
}

struct style {
  double pt;
  bool bold, italic;
  double width;  /* points */
  bool one_line; /* ellipsised to one line */
  bool markup;   /* the text is Pango markup */
};

/* A layout of `text` in `lang`: its direction from the context, aligned to
 * the start side (the right for right-to-left). */
static PangoLayout *layout_new(PangoContext *ctx, const char *lang, bool rtl, const char *text,
                               const struct style *st) {
  PangoLayout *l = pango_layout_new(ctx);
  const char *pl;
  PangoFontDescription *fd = pango_font_description_from_string(family_of(lang, &pl));
  pango_font_description_set_absolute_size(fd, st->pt * PANGO_SCALE);
  pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(fd, st->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_layout_set_font_description(l, fd);
  pango_font_description_free(fd);
  pango_layout_set_auto_dir(l, FALSE);
  pango_layout_set_alignment(l, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_width(l, (int)(st->width * PANGO_SCALE));
  pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
  if (st->one_line) {
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(l, -1);
  }
  if (st->markup && pango_parse_markup(text, -1, 0, NULL, NULL, NULL, NULL))
    pango_layout_set_markup(l, text, -1);
  else
    pango_layout_set_text(l, text ? text : "", -1);
  return l;
}

static double layout_height(PangoLayout *l) {
  PangoRectangle logical;
  pango_layout_get_extents(l, NULL, &logical);
  return (double)logical.height / PANGO_SCALE;
}

static void show_at(cairo_t *cr, PangoLayout *l, double x, double y) {
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, l);
}

/* --- the card's text box ------------------------------------------------------ */

/* Sets `text` in the card's box at the largest size that fits. Returns the
 * layout (caller unrefs) and fills `out`. Called with print_mu held. */
static PangoLayout *card_fit(PangoContext *ctx, const char *text, const char *lang, bool rtl,
                             struct hv_kyr_card_layout *out) {
  struct style st = {.pt = HV_KYR_CARD_MAX_PT, .width = CARD_BOX_W};
  PangoLayout *l = layout_new(ctx, lang, rtl, text, &st);
  memset(out, 0, sizeof *out);
  out->box_pt = CARD_BOX_H;
  for (double pt = HV_KYR_CARD_MAX_PT;; pt -= 0.5) {
    PangoFontDescription *fd = pango_font_description_copy(pango_layout_get_font_description(l));
    pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    out->pt = pt;
    out->height_pt = layout_height(l);
    out->lines = pango_layout_get_line_count(l);
    out->fits = out->height_pt <= CARD_BOX_H + 0.01;
    if (out->fits || pt <= HV_KYR_CARD_MIN_PT)
      break;
  }
  out->unknown_glyphs = pango_layout_get_unknown_glyphs_count(l);
  return l;
}

static void memo_clear(void);

void hv_kyr_print_shutdown(void) {
  memo_clear();
  pthread_mutex_lock(&print_mu);
  if (fontmap)
    g_object_unref(fontmap);
  fontmap = NULL;
  cairo_debug_reset_static_data();
  FcFini();
  pthread_mutex_unlock(&print_mu);
}

/* A PDF surface writing nowhere, to measure on. */
static cairo_t *measure_cr(cairo_surface_t **surface) {
  *surface = cairo_pdf_surface_create_for_stream(NULL, NULL, CARD_W, CARD_H);
  return cairo_create(*surface);
}

int hv_kyr_card_layout(const char *card_text, const char *lang, const char *dir,
                       struct hv_kyr_card_layout *out) {
  int rc = -1;
  pthread_mutex_lock(&print_mu);
  cairo_surface_t *surface;
  cairo_t *cr = measure_cr(&surface);
  PangoContext *ctx = NULL;
  if (cairo_status(cr) == CAIRO_STATUS_SUCCESS && (ctx = context_new(cr, lang, is_rtl(dir)))) {
    PangoLayout *l = card_fit(ctx, card_text ? card_text : "", lang, is_rtl(dir), out);
    g_object_unref(l);
    rc = 0;
  }
  if (ctx)
    g_object_unref(ctx);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  pthread_mutex_unlock(&print_mu);
  return rc;
}

int hv_kyr_card_fits(const char *card_text, const char *lang, const char *dir, char *why,
                     size_t whylen) {
  struct hv_kyr_card_layout lay;
  if (why && whylen)
    why[0] = '\0';
  if (!card_text || !*card_text)
    return 1;
  if (hv_kyr_card_layout(card_text, lang, dir, &lay))
    return -1;
  if (lay.unknown_glyphs) {
    snprintf(why, whylen,
             "The card text holds %d character%s no installed font can print (emoji or a "
             "script without a Noto font): remove them.",
             lay.unknown_glyphs, lay.unknown_glyphs == 1 ? "" : "s");
    return 0;
  }
  if (!lay.fits) {
    snprintf(why, whylen,
             "The card text does not fit the printed card: at the smallest size (%.0f pt) it "
             "takes %d lines, %.0f pt high, and the card holds %.0f pt. Shorten it by about "
             "%.0f%%.",
             HV_KYR_CARD_MIN_PT, lay.lines, lay.height_pt, lay.box_pt,
             100.0 * (1.0 - lay.box_pt / lay.height_pt) + 1.0);
    return 0;
  }
  return 1;
}

/* --- drawing ----------------------------------------------------------------- */

/* Draws the QR code of `url` in a `side`-point square at (x, y), its
 * 4-module quiet zone included (white). Returns 0, or -1 when the address
 * cannot be encoded. */
static int draw_qr(cairo_t *cr, const char *url, double x, double y, double side) {
  QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!q)
    return -1;
  double m = side / (q->width + 8);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int r = 0; r < q->width; r++)
    for (int c = 0; c < q->width; c++)
      if (q->data[r * q->width + c] & 1)
        cairo_rectangle(cr, x + (4 + c) * m, y + (4 + r) * m, m, m);
  cairo_fill(cr);
  cairo_restore(cr);
  QRcode_free(q);
  return 0;
}

static cairo_status_t to_buf(void *cls, const unsigned char *data, unsigned int len) {
  return hv_buf_add(cls, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* A one-line or wrapped text drawn at (x, y) in `width`; returns its height. */
static double text_at(cairo_t *cr, PangoContext *ctx, const char *lang, bool rtl, const char *text,
                      const struct style *st, double x, double y) {
  PangoLayout *l = layout_new(ctx, lang, rtl, text, st);
  double h = layout_height(l);
  show_at(cr, l, x, y);
  g_object_unref(l);
  return h;
}

static void set_gray(cairo_t *cr, double g) { cairo_set_source_rgb(cr, g, g, g); }
static void set_ink(cairo_t *cr) { cairo_set_source_rgb(cr, 0.05, 0.17, 0.36); }

static void metadata(cairo_surface_t *s, const struct hv_kyr_print *p) {
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, p->title ? p->title : "");
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "City of Los Angeles");
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, "Know your rights");
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Haven");
}

static void card_side_one(cairo_t *cr, PangoContext *ctx, const struct hv_kyr_print *p) {
  bool rtl = is_rtl(p->dir);
  set_ink(cr);
  struct style title = {.pt = 8, .bold = true, .width = CARD_BOX_W, .one_line = true};
  text_at(cr, ctx, p->lang, rtl, p->title, &title, CARD_M, CARD_M - 1);
  struct hv_kyr_card_layout lay;
  PangoLayout *l = card_fit(ctx, p->card, p->lang, rtl, &lay);
  cairo_save(cr);
  cairo_rectangle(cr, CARD_M, CARD_M + CARD_TITLE_H, CARD_BOX_W, CARD_BOX_H);
  cairo_clip(cr);
  set_gray(cr, 0);
  show_at(cr, l, CARD_M, CARD_M + CARD_TITLE_H);
  cairo_restore(cr);
  g_object_unref(l);
  /* The stamp at the end side: the right for left-to-right, mirrored. */
  char stamp[160];
  snprintf(stamp, sizeof stamp, "%s%s", p->stamp, p->sample ? " \u00b7 sample text" : "");
  struct style small = {.pt = 5.5, .width = CARD_BOX_W, .one_line = true};
  PangoContext *ltr = context_new(cr, "en", false);
  PangoLayout *s = layout_new(ltr, "en", false, stamp, &small);
  pango_layout_set_alignment(s, rtl ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
  set_gray(cr, 0.35);
  show_at(cr, s, CARD_M, CARD_H - CARD_M - 6);
  g_object_unref(s);
  g_object_unref(ltr);
}

static int card_side_two(cairo_t *cr, const struct hv_kyr_print *p) {
  PangoContext *ctx = context_new(cr, "en", false);
  if (!ctx)
    return -1;
  double qx = CARD_W - CARD_QR - 3, qy = (CARD_H - CARD_QR) / 2 - 4;
  double w = qx - CARD_M + 2;
  set_ink(cr);
  struct style head = {.pt = 8.5, .bold = true, .width = w};
  double y = CARD_M + 2;
  y += text_at(cr, ctx, "en", false, "To immigration agents and officers:", &head, CARD_M, y) + 3;
  set_gray(cr, 0);
  struct style body = {.pt = 8.5, .width = w};
  text_at(cr, ctx, "en", false, hv_kyr_card_statement, &body, CARD_M, y);
  int rc = draw_qr(cr, p->url, qx, qy, CARD_QR);
  set_gray(cr, 0.35);
  struct style small = {.pt = 5.5, .width = CARD_BOX_W, .one_line = true};
  char line[700];
  snprintf(line, sizeof line, "%s  \u00b7  %s", p->url, p->stamp);
  text_at(cr, ctx, "en", false, line, &small, CARD_M, CARD_H - CARD_M - 6);
  g_object_unref(ctx);
  return rc;
}

/* Runs `draw` on a new PDF surface of w x h points and hands the bytes out. */
static int make_pdf(double w, double h, const struct hv_kyr_print *p,
                    int (*draw)(cairo_t *, cairo_surface_t *, const struct hv_kyr_print *),
                    char **pdf, size_t *len) {
  struct hv_buf b;
  hv_buf_init(&b, PDF_MAX);
  pthread_mutex_lock(&print_mu);
  cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_buf, &b, w, h);
  metadata(s, p);
  cairo_t *cr = cairo_create(s);
  int rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? draw(cr, s, p) : -1;
  cairo_destroy(cr);
  cairo_surface_finish(s);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
    rc = -1;
  cairo_surface_destroy(s);
  pthread_mutex_unlock(&print_mu);
  if (rc == 0 && b.len) {
    *pdf = hv_buf_steal(&b, len);
    return 0;
  }
  hv_buf_free(&b);
  return -1;
}

static int draw_card(cairo_t *cr, cairo_surface_t *s, const struct hv_kyr_print *p) {
  (void)s;
  PangoContext *ctx = context_new(cr, p->lang, is_rtl(p->dir));
  if (!ctx)
    return -1;
  card_side_one(cr, ctx, p);
  g_object_unref(ctx);
  cairo_show_page(cr);
  int rc = card_side_two(cr, p);
  cairo_show_page(cr);
  return rc;
}

int hv_kyr_card_pdf(const struct hv_kyr_print *p, char **pdf, size_t *len) {
  return make_pdf(CARD_W, CARD_H, p, draw_card, pdf, len);
}

/* The flyer's footer on every page: the QR code at the end side, beside
 * it the help line in the asked language, the address and the stamp. */
static int flyer_footer(cairo_t *cr, const struct hv_kyr_print *p, int page, int pages) {
  bool rtl = is_rtl(p->page_dir);
  double top = FLYER_H - FLYER_M - FLYER_QR;
  double qx = rtl ? FLYER_M - 8 : FLYER_W - FLYER_M - FLYER_QR + 8;
  double tx = rtl ? FLYER_M + FLYER_QR : FLYER_M, tw = FLYER_W - 2 * FLYER_M - FLYER_QR;
  set_gray(cr, 0.75);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, FLYER_M, top - 8);
  cairo_line_to(cr, FLYER_W - FLYER_M, top - 8);
  cairo_stroke(cr);
  int rc = draw_qr(cr, p->url, qx, top, FLYER_QR);
  PangoContext *ctx = context_new(cr, p->page_lang, rtl);
  if (!ctx)
    return -1;
  set_gray(cr, 0);
  struct style help = {.pt = 11, .bold = true, .width = tw};
  double y = top + 6;
  if (p->help && *p->help)
    y += text_at(cr, ctx, p->page_lang, rtl, p->help, &help, tx, y) + 6;
  PangoContext *en = context_new(cr, "en", false);
  char line[700];
  if (pages > 1)
    snprintf(line, sizeof line, "%s\n%s%s \u00b7 %d/%d", p->url, p->stamp,
             p->sample ? " \u00b7 sample text" : "", page, pages);
  else
    snprintf(line, sizeof line, "%s\n%s%s", p->url, p->stamp,
             p->sample ? " \u00b7 sample text" : "");
  struct style small = {.pt = 8.5, .width = tw};
  PangoLayout *l = layout_new(en, "en", false, line, &small);
  pango_layout_set_alignment(l, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  set_gray(cr, 0.3);
  show_at(cr, l, tx, y);
  g_object_unref(l);
  g_object_unref(en);
  g_object_unref(ctx);
  return rc;
}

static int draw_flyer(cairo_t *cr, cairo_surface_t *s, const struct hv_kyr_print *p) {
  (void)s;
  bool rtl = is_rtl(p->dir), page_rtl = is_rtl(p->page_dir);
  double bw = FLYER_W - 2 * FLYER_M, bottom = FLYER_H - FLYER_M - FLYER_FOOT;
  PangoContext *ctx = context_new(cr, p->lang, rtl),
               *pctx = context_new(cr, p->page_lang, page_rtl);
  if (!ctx || !pctx) {
    if (ctx)
      g_object_unref(ctx);
    if (pctx)
      g_object_unref(pctx);
    return -1;
  }
  char *md = hv_markdown_pango(p->web ? p->web : "", p->web ? strlen(p->web) : 0);
  struct style body = {.pt = 11.5, .width = bw, .markup = true};
  PangoLayout *l = layout_new(ctx, p->lang, rtl, md ? md : "", &body);
  free(md);
  pango_layout_set_spacing(l, 2 * PANGO_SCALE);

  /* Where each page starts, in the body's own coordinates. */
  double y0 = FLYER_M;
  set_gray(cr, 0.35);
  struct style head = {.pt = 9.5, .width = bw, .one_line = true};
  double head_h = text_at(cr, pctx, p->page_lang, page_rtl, p->heading, &head, FLYER_M, y0);
  y0 += head_h + 10;
  set_ink(cr);
  struct style title = {.pt = 22, .bold = true, .width = bw};
  y0 += text_at(cr, ctx, p->lang, rtl, p->title, &title, FLYER_M, y0) + 10;
  if (p->notice && *p->notice) {
    set_gray(cr, 0.2);
    struct style note = {.pt = 11, .italic = true, .width = bw};
    y0 += text_at(cr, pctx, p->page_lang, page_rtl, p->notice, &note, FLYER_M, y0) + 10;
  }

  /* Break the body into pages by lines. */
  int starts[FLYER_PAGES_MAX + 1], pages = 0, nlines = pango_layout_get_line_count(l);
  double tops[FLYER_PAGES_MAX + 1];
  PangoLayoutIter *it = pango_layout_get_iter(l);
  double avail = bottom - y0;
  starts[pages] = 0;
  tops[pages++] = 0;
  int line = 0;
  do {
    PangoRectangle r;
    pango_layout_iter_get_line_extents(it, NULL, &r);
    double ly = (double)r.y / PANGO_SCALE, lh = (double)r.height / PANGO_SCALE;
    if (ly + lh - tops[pages - 1] > avail && line > starts[pages - 1]) {
      if (pages == FLYER_PAGES_MAX)
        break;
      starts[pages] = line;
      tops[pages++] = ly;
      avail = bottom - FLYER_M;
    }
    line++;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  starts[pages] = nlines;

  int rc = 0, page = 0;
  line = 0;
  it = pango_layout_get_iter(l);
  set_gray(cr, 0);
  do {
    while (page + 1 < pages && line == starts[page + 1]) {
      rc |= flyer_footer(cr, p, page + 1, pages);
      cairo_show_page(cr);
      set_gray(cr, 0);
      page++;
      y0 = FLYER_M;
    }
    if (line >= starts[pages])
      break;
    PangoRectangle r;
    pango_layout_iter_get_line_extents(it, NULL, &r);
    double base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
    cairo_move_to(cr, FLYER_M + (double)r.x / PANGO_SCALE, y0 + base - tops[page]);
    pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
    line++;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
  rc |= flyer_footer(cr, p, page + 1, pages);
  cairo_show_page(cr);
  g_object_unref(l);
  g_object_unref(ctx);
  g_object_unref(pctx);
  return rc ? -1 : 0;
}

int hv_kyr_flyer_pdf(const struct hv_kyr_print *p, char **pdf, size_t *len) {
  return make_pdf(FLYER_W, FLYER_H, p, draw_flyer, pdf, len);
}

/* --- the public routes --------------------------------------------------------- */

extern const struct hv_embed hv_kyr_data[];

static pthread_once_t ui_once = PTHREAD_ONCE_INIT;
static json_t *ui; /* data/kyr/ui.json, loaded once */

static void ui_load(void) {
  const struct hv_embed *e = hv_embed_find(hv_kyr_data, "ui.json");
  ui = e ? json_loadb((const char *)e->data, e->len, 0, NULL) : NULL;
}

const char *hv_kyr_ui_string(const char *lang, const char *key) {
  pthread_once(&ui_once, ui_load);
  const char *s = json_string_value(json_object_get(json_object_get(ui, lang), key));
  if (!s)
    s = json_string_value(json_object_get(json_object_get(ui, "en"), key));
  return s ? s : "";
}

void hv_kyr_stamp(const json_t *text, char *out, size_t outlen) {
  char day[16] = "";
  time_t at = (time_t)(json_integer_value(json_object_get(text, "published_at")) / 1000);
  struct tm tm;
  if (localtime_r(&at, &tm))
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
  snprintf(out, outlen, "v%lld \u00b7 %s",
           (long long)json_integer_value(json_object_get(text, "version")), day);
}

/* Rendered PDFs by page-cache key and a fingerprint of what they show.
 * The page cache forgets an entry after its time-to-live (so that another
 * process's publication shows); the lookup after that finds the same text
 * and answers these bytes again rather than rendering anew. Rendering is
 * the expensive part, and cairo 1.16 loses about a kilobyte in each PDF
 * that embeds a CJK (CFF) font subset: this way that happens once per
 * text, not every 30 seconds. */
#define MEMO_SLOTS 1024

static struct memo {
  char key[HV_PAGECACHE_KEY_MAX];
  unsigned char fp[16];
  char *pdf;
  size_t len;
} memo[MEMO_SLOTS];
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

static void fingerprint(const struct hv_kyr_print *p, const char *kind, unsigned char fp[16]) {
  const char *f[] = {
      p->lang,   p->dir, p->page_lang, p->page_dir, p->title, p->card, p->web,
      p->notice, p->url, p->stamp,     p->heading,  p->help,  kind,    p->sample ? "sample" : ""};
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 16);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    crypto_generichash_update(&st, (const unsigned char *)(f[i] ? f[i] : "\x01"),
                              strlen(f[i] ? f[i] : "\x01") + 1);
  crypto_generichash_final(&st, fp, 16);
}

static struct memo *memo_slot(const char *key) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *k = (const unsigned char *)key; *k; k++)
    h = (h ^ *k) * 1099511628211ull;
  return &memo[h & (MEMO_SLOTS - 1)];
}

/* A copy of the remembered PDF for `key` when it shows the same thing. */
static char *memo_get(const char *key, const unsigned char fp[16], size_t *len) {
  char *out = NULL;
  pthread_mutex_lock(&memo_mu);
  struct memo *m = memo_slot(key);
  if (m->pdf && strcmp(m->key, key) == 0 && memcmp(m->fp, fp, 16) == 0 &&
      (out = malloc(m->len)) != NULL) {
    memcpy(out, m->pdf, m->len);
    *len = m->len;
  }
  pthread_mutex_unlock(&memo_mu);
  return out;
}

static void memo_put(const char *key, const unsigned char fp[16], const char *pdf, size_t len) {
  char *copy = malloc(len);
  if (!copy || strlen(key) >= sizeof memo[0].key) {
    free(copy);
    return;
  }
  memcpy(copy, pdf, len);
  pthread_mutex_lock(&memo_mu);
  struct memo *m = memo_slot(key);
  free(m->pdf);
  snprintf(m->key, sizeof m->key, "%s", key);
  memcpy(m->fp, fp, 16);
  m->pdf = copy;
  m->len = len;
  pthread_mutex_unlock(&memo_mu);
}

static void memo_clear(void) {
  pthread_mutex_lock(&memo_mu);
  for (size_t i = 0; i < MEMO_SLOTS; i++) {
    free(memo[i].pdf);
    memo[i].pdf = NULL;
  }
  pthread_mutex_unlock(&memo_mu);
}

static void print_topic(struct hv_request *rq, bool card) {
  struct hv_app *app = rq->app;
  const char *lang = hv_param(rq, "lang")->str, *slug = hv_param(rq, "slug")->str;
  const char *kind = card ? "card" : "flyer";
  if (strlen(lang) > 15) {
    hv_reply_error(rq, 404, "not_found", "There is no such page.", NULL);
    return;
  }
  char key[HV_PAGECACHE_KEY_MAX];
  snprintf(key, sizeof key, "kyr/%s/%s/%s.pdf", lang, slug, kind);
  uint64_t gen = hv_kyr_generation();
  if (hv_pagecache_serve(rq, key, gen))
    return;
  json_t *v = NULL;
  enum hv_qs qs = hv_kyr_public(app->store, lang, slug, &v);
  if (qs <= 0) {
    if (qs < 0)
      hv_reply_store_error(rq, qs);
    else
      hv_reply_error(rq, 404, "not_found", "There is no such page.", NULL);
    return;
  }
  json_t *text = json_object_get(v, "text");
  const char *text_lang = json_string_value(json_object_get(text, "lang"));
  bool english = strcmp(json_string_value(json_object_get(v, "show")), "text") != 0;
  const char *cardtext = json_string_value(json_object_get(text, "card"));
  if (card && (!cardtext || !*cardtext)) {
    json_decref(v);
    hv_reply_error(rq, 404, "not_found", "This topic has no printable card yet.", NULL);
    return;
  }
  char stamp[48], heading[256];
  hv_kyr_stamp(text, stamp, sizeof stamp);
  snprintf(heading, sizeof heading, "%s \u00b7 %s", hv_kyr_ui_string(lang, "city"),
           hv_kyr_ui_string(lang, "site"));
  const char *dir = json_string_value(json_object_get(v, "dir"));
  struct hv_kyr_print p = {
      .lang = text_lang,
      .dir = english ? "ltr" : dir,
      .page_lang = lang,
      .page_dir = dir,
      .title = json_string_value(json_object_get(text, "title")),
      .card = cardtext,
      .web = json_string_value(json_object_get(text, "web")),
      .notice = english && strcmp(lang, "en") != 0 ? json_string_value(json_object_get(v, "notice"))
                                                   : NULL,
      .url = hv_arena_printf(rq->arena, "%s/kyr/%s/%s", app->cfg->base_url, lang, slug),
      .stamp = stamp,
      .heading = heading,
      .help = hv_kyr_ui_string(lang, "help"),
      .sample = json_is_true(json_object_get(text, "sample")),
  };
  char *pdf = NULL;
  size_t len = 0;
  unsigned char fp[16];
  fingerprint(&p, kind, fp);
  int rc = 0;
  if (!(pdf = memo_get(key, fp, &len))) {
    rc = card ? hv_kyr_card_pdf(&p, &pdf, &len) : hv_kyr_flyer_pdf(&p, &pdf, &len);
    if (rc == 0)
      memo_put(key, fp, pdf, len);
  }
  json_decref(v);
  if (rc) {
    hv_log(HV_LOG_ERROR, "kyr print failed", HV_LS("lang", lang), HV_LS("slug", slug),
           HV_LS("kind", kind));
    hv_reply_error(rq, 500, "internal", "The printable file could not be made.", NULL);
    return;
  }
  struct hv_pagecache_header h[] = {
      {"Content-Disposition",
       hv_arena_printf(rq->arena, "inline; filename=\"kyr-%s-%s-%s.pdf\"", slug, lang, kind)},
      {"Content-Language", lang}};
  hv_pagecache_put(rq, key, gen, "application/pdf", pdf, len, h, 2);
  free(pdf);
}

static void print_card(struct hv_request *rq) { print_topic(rq, true); }
static void print_flyer(struct hv_request *rq) { print_topic(rq, false); }

#define PUBLIC (HV_R_PUBLIC | HV_R_ANON | HV_R_CACHED)

const struct hv_route hv_kyr_print_routes[] = {
    {HV_GET, "/kyr/{lang:str}/{slug:slug}/card.pdf", 0, PUBLIC, 0, print_card},
    {HV_GET, "/kyr/{lang:str}/{slug:slug}/flyer.pdf", 0, PUBLIC, 0, print_flyer},
};
const size_t hv_kyr_print_nroutes = sizeof hv_kyr_print_routes / sizeof hv_kyr_print_routes[0];
