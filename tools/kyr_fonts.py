#!/usr/bin/python3
"""Web fonts for the public Know-Your-Rights site, made from Debian's Noto fonts.

Called by scripts/assets.sh as `tools/kyr_fonts.py --out DIR --css FILE`. For
every script of the KYR languages that cheap phones often lack (Arabic in
Naskh, Armenian, Devanagari, Ethiopic, Gurmukhi, Hebrew, Khmer, Thai) it writes

  DIR/kyr/fonts/<Script>.woff2        the script's blocks plus the spaces and
                                      joiners its text needs (Regular only,
                                      no hinting, default OpenType features)
  DIR/kyr/fonts/names.woff2           only the letters of the language names in
                                      those scripts, merged from the eight fonts,
                                      for the language chooser

and appends to FILE (the served kyr.css) the @font-face rules, each with a
unicode-range computed from the font's own cmap and font-display: swap, and a
font stack per language as :lang() rules. CJK languages get a stack of system
fonts only (see docs/kyr.md). The languages (tag, name, script) are read from
the kyr_languages rows of the migrations, so a new language in a known script
gets its font and stack without touching this file.

The output depends only on its inputs (the Noto files, the migrations, this
file, the fontTools version and Python's Unicode data); it is cached under
.cache/kyr-fonts/<sha256 of those inputs>/, so a rebuild costs a copy.
Nothing is fetched from anywhere.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata

try:
    import brotli  # noqa: F401  (WOFF2 needs it)
    import fontTools
    from fontTools import merge, subset
    from fontTools.ttLib import TTFont
except ImportError as e:
    sys.exit(f"kyr_fonts: {e}: install python3-fonttools and python3-brotli (scripts/deps.sh)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTO = "/usr/share/fonts/truetype/noto"
CACHE = os.path.join(ROOT, ".cache", "kyr-fonts")

# Characters every script font carries besides its blocks: space, no-break
# space, zero-width space (Khmer and Thai line breaks), ZWNJ and ZWJ (Farsi
# and Indic words would break their joining if another font drew them), the
# direction marks, and the dotted circle shown under a lone combining mark.
COMMON = [(0x20, 0x20), (0xA0, 0xA0), (0x200B, 0x200F), (0x25CC, 0x25CC)]

# script -> (CSS family, Noto file, code point ranges). Only these scripts get
# a web font; the others use the stacks in SYSTEM below or the default stack.
WEBFONTS = {
    "Arab": ("KYR Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf",
             # Arabic, Arabic Supplement, the rial sign and the guillemets Farsi
             # quotes with. Not the presentation forms (10 KB more for every
             # visitor): text pasted from a PDF with them still shows, in the
             # phone's own Arabic font.
             [(0x0600, 0x06FF), (0x0750, 0x077F), (0xFDFC, 0xFDFC), (0xAB, 0xAB), (0xBB, 0xBB)]),
    "Armn": ("KYR Noto Sans Armenian", "NotoSansArmenian-Regular.ttf",
             [(0x0530, 0x058F), (0xFB13, 0xFB17)]),
    "Deva": ("KYR Noto Sans Devanagari", "NotoSansDevanagari-Regular.ttf",
             [(0x0900, 0x097F), (0x20B9, 0x20B9)]),
    "Ethi": ("KYR Noto Sans Ethiopic", "NotoSansEthiopic-Regular.ttf",
             # The syllables Amharic and Tigrinya write with; not the
             # Supplement and Extended blocks of other Ethiopic languages.
             [(0x1200, 0x137F)]),
    "Guru": ("KYR Noto Sans Gurmukhi", "NotoSansGurmukhi-Regular.ttf",
             # Punjabi ends sentences with the Devanagari danda.
             [(0x0A00, 0x0A7F), (0x0964, 0x0965)]),
    "Hebr": ("KYR Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf",
             [(0x0590, 0x05FF), (0xFB1D, 0xFB4F)]),
    "Khmr": ("KYR Noto Sans Khmer", "NotoSansKhmer-Regular.ttf",
             [(0x1780, 0x17FF), (0x19E0, 0x19FF)]),
    "Thai": ("KYR Noto Sans Thai", "NotoSansThai-Regular.ttf",
             [(0x0E00, 0x0E7F)]),
}

# CJK: no web font (docs/kyr.md says why); the lang attribute and these
# stacks pick the regional glyphs of the phone's or computer's own fonts.
SYSTEM = {
    "Kore": ['"Apple SD Gothic Neo"', '"Malgun Gothic"', '"Noto Sans CJK KR"', '"Noto Sans KR"'],
    "Jpan": ['"Hiragino Sans"', '"Hiragino Kaku Gothic ProN"', '"Yu Gothic"', "Meiryo",
             '"Noto Sans CJK JP"', '"Noto Sans JP"'],
    "Hant": ['"PingFang TC"', '"Microsoft JhengHei"', '"Noto Sans CJK TC"', '"Noto Sans TC"'],
    "Hans": ['"PingFang SC"', '"Microsoft YaHei"', '"Noto Sans CJK SC"', '"Noto Sans SC"'],
}

LANG_ROW = re.compile(
    r"\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'\s*,\s*'(?:[^']|'')*'\s*,\s*'(ltr|rtl)'\s*,\s*'([A-Za-z]{4})'")


def languages():
    """(tag, name, script) of every kyr_languages row the migrations insert."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "store", "migrations", "*.sql"))):
        with open(path, encoding="utf-8") as f:
            sql = f.read()
        for m in re.finditer(r"INSERT\s+INTO\s+kyr_languages\b(.*?);\s*$", sql, re.S | re.M | re.I):
            for row in LANG_ROW.finditer(m.group(1)):
                out.append((row.group(1), row.group(2).replace("''", "'"), row.group(4)))
    if not out:
        sys.exit("kyr_fonts: no kyr_languages rows found in src/store/migrations")
    return out


def unassigned(a, b):
    return all(unicodedata.category(chr(c)) == "Cn" for c in range(a, b + 1))


def ranges_text(cps):
    """A unicode-range value for a set of code points: runs joined, and
    bridged over gaps of unassigned code points (no text holds them), which
    keeps the stylesheet short."""
    cps = sorted(cps)
    runs, start, prev = [], None, None
    for c in cps:
        if start is None:
            start = prev = c
        elif c == prev + 1 or unassigned(prev + 1, c - 1):
            prev = c
        else:
            runs.append((start, prev))
            start = prev = c
    if start is not None:
        runs.append((start, prev))
    return ",".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def make_subset(src, dst, unicodes=None, text=None, flavor="woff2"):
    opts = subset.Options()
    opts.flavor = flavor
    opts.hinting = False
    opts.desubroutinize = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and the OFL notice
    opts.name_languages = [0x409]
    opts.recalc_timestamp = False
    font = TTFont(src, lazy=True, recalcTimestamp=False)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes or [], text=text or "")
    sub.subset(font)
    font.flavor = flavor
    font.save(dst, reorderTables=False)
    font.close()
    with TTFont(dst) as done:
        return set(done.getBestCmap())


NAMES = "KYR Noto Names"


def merge_names(fonts_dir, langs):
    """The language chooser's font: for each web-font script, a subset to
    the letters of its language names, all merged into one small file (one
    request instead of eight, and smaller than their sum). Returns its cmap."""
    with tempfile.TemporaryDirectory() as tmp:
        parts, want = [], set()
        for script in sorted(WEBFONTS):
            family, file, _ = WEBFONTS[script]
            names = "".join(sorted({c for _, name, s in langs if s == script for c in name}))
            if not names:
                continue
            part = os.path.join(tmp, f"{script}.ttf")
            cmap = make_subset(os.path.join(NOTO, file), part, text=names, flavor=None)
            missing = [c for c in names if ord(c) not in cmap]
            if missing:
                sys.exit(f"kyr_fonts: {file} lacks {missing!r} of the language names")
            parts.append(part)
            want |= {ord(c) for c in names}
        font = merge.Merger(options=merge.Options(drop_tables=["vhea", "vmtx"])).merge(parts)
        # The merger stamps the time; take the sources' dates so the same
        # inputs give the same bytes.
        stamps = []
        for part in parts:
            with TTFont(part) as t:
                stamps.append(t["head"].modified)
        font["head"].created = font["head"].modified = max(stamps)
        name = font["name"]
        name.names = [n for n in name.names if n.nameID in (0, 13, 14)]
        for nid, value in ((1, NAMES), (2, "Regular"), (4, NAMES), (6, "KYRNotoNames-Regular")):
            name.setName(value, nid, 3, 1, 0x409)
        font.recalcTimestamp = False
        font.flavor = "woff2"
        dst = os.path.join(fonts_dir, "names.woff2")
        font.save(dst, reorderTables=False)
    with TTFont(dst) as done:
        cmap = set(done.getBestCmap())
    if not want <= cmap:
        sys.exit("kyr_fonts: the merged names font lost characters")
    return cmap


def family_stack(family):
    return f'"{family}",var(--kyr-sans)'


def build(out, langs):
    """Writes the fonts and returns the CSS text."""
    fonts_dir = os.path.join(out, "kyr", "fonts")
    os.makedirs(fonts_dir, exist_ok=True)
    faces, rules = [], []
    for script in sorted(WEBFONTS):
        family, file, blocks = WEBFONTS[script]
        src = os.path.join(NOTO, file)
        want = [c for a, b in blocks + COMMON for c in range(a, b + 1)]
        cmap = make_subset(src, os.path.join(fonts_dir, f"{script}.woff2"), unicodes=want)
        faces.append(f'@font-face{{font-family:"{family}";src:url(kyr/fonts/{script}.woff2) '
                     f'format("woff2");font-display:swap;unicode-range:{ranges_text(cmap)}}}')
    names = merge_names(fonts_dir, langs)
    faces.append(f'@font-face{{font-family:"{NAMES}";src:url(kyr/fonts/names.woff2) '
                 f'format("woff2");font-display:swap;unicode-range:{ranges_text(names)}}}')
    # One rule per script, naming all its languages; then the chooser's
    # names, each in its own language, drawn with the merged names font.
    for script in sorted(set(s for _, _, s in langs)):
        tags = [tag for tag, _, s in langs if s == script]
        if script in WEBFONTS:
            family = WEBFONTS[script][0]
            rules.append(",".join(f":lang({t})" for t in tags)
                         + f"{{font-family:{family_stack(family)}}}")
        elif script in SYSTEM:
            rules.append(",".join(f":lang({t})" for t in tags)
                         + f"{{font-family:system-ui,-apple-system,{','.join(SYSTEM[script])},"
                         "var(--kyr-sans)}")
    chooser = [tag for tag, _, s in langs if s in WEBFONTS]
    rules.append(",".join(f".kyr-languages :lang({t})" for t in chooser)
                 + f"{{font-family:{family_stack(NAMES)}}}")
    return ("\n/* Fonts per script and language: made by tools/kyr_fonts.py from Debian's Noto\n"
            " * fonts (SIL Open Font License 1.1); docs/kyr.md explains the choices. */\n"
            + "\n".join(faces + rules) + "\n")


def inputs_key(langs):
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(fontTools.version.encode())
    h.update(unicodedata.unidata_version.encode())
    h.update(json.dumps(langs, ensure_ascii=False).encode())
    for script in sorted(WEBFONTS):
        path = os.path.join(NOTO, WEBFONTS[script][1])
        try:
            with open(path, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
        except OSError as e:
            sys.exit(f"kyr_fonts: {e}: install fonts-noto-core (scripts/deps.sh)")
    return h.hexdigest()[:24]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="the assets folder being assembled")
    ap.add_argument("--css", required=True, help="the stylesheet to append the rules to")
    ap.add_argument("--no-cache", action="store_true",
                    help="build afresh and leave the cache alone (to check reproducibility)")
    args = ap.parse_args()
    langs = languages()
    if args.no_cache:
        with tempfile.TemporaryDirectory() as tmp:
            css = build(tmp, langs)
            shutil.copytree(os.path.join(tmp, "kyr"), os.path.join(args.out, "kyr"), dirs_exist_ok=True)
        with open(args.css, "a", encoding="utf-8") as dst:
            dst.write(css)
        return
    key = inputs_key(langs)
    cached = os.path.join(CACHE, key)
    if not os.path.isfile(os.path.join(cached, "fonts.css")):
        os.makedirs(CACHE, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=CACHE, prefix=".tmp-")
        try:
            css = build(tmp, langs)
            with open(os.path.join(tmp, "fonts.css"), "w", encoding="utf-8") as f:
                f.write(css)
            for old in os.listdir(CACHE):  # one cached build is enough
                if old != os.path.basename(tmp):
                    shutil.rmtree(os.path.join(CACHE, old), ignore_errors=True)
            os.rename(tmp, cached)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(os.path.join(cached, "kyr"), os.path.join(args.out, "kyr"), dirs_exist_ok=True)
    with open(os.path.join(cached, "fonts.css"), encoding="utf-8") as src, \
            open(args.css, "a", encoding="utf-8") as dst:
        dst.write(src.read())


if __name__ == "__main__":
    main()
