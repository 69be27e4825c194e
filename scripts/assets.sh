#!/usr/bin/env bash
# Assembles the static assets Haven serves into web/dist/: our own web/static
# files plus the parts of the U.S. Web Design System the pages use (CSS, JS,
# woff2 fonts, images), and the Know-Your-Rights web fonts: WOFF2 subsets of
# Debian's Noto fonts and their CSS, appended to kyr.css (tools/kyr_fonts.py,
# cached by the checksum of its inputs in .cache/kyr-fonts). `haven serve`
# reads this folder once at start.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/@uswds/uswds/dist
out=web/dist
[ -d "$src" ] || { echo "assets: $src missing; run scripts/deps.sh" >&2; exit 1; }
noto=/usr/share/fonts/truetype/noto
if [ -d "$out" ] && [ -z "$(find web/static "$src" package-lock.json tools/kyr_fonts.py src/store/migrations \
      "$noto" -newer "$out/.stamp" 2>/dev/null | head -1)" ]; then
  exit 0
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp/uswds/css" "$out.tmp/uswds/js" "$out.tmp/uswds/fonts" "$out.tmp/uswds/img"
cp "$src/css/uswds.min.css" "$out.tmp/uswds/css/"
cp "$src/js/uswds.min.js" "$src/js/uswds-init.min.js" "$out.tmp/uswds/js/"
(cd "$src/fonts" && find . -name '*.woff2' -exec cp --parents {} "$OLDPWD/$out.tmp/uswds/fonts/" \;)
(cd "$src/img" && find . -path ./material-icons -prune -o -path ./material-icons-deprecated -prune \
   -o -path ./uswds-icons -prune -o -type f \( -name '*.svg' -o -name '*.png' -o -name '*.gif' -o -name '*.ico' \) \
   -exec cp --parents {} "$OLDPWD/$out.tmp/uswds/img/" \;)
cp -r web/static/. "$out.tmp/"
/usr/bin/python3 tools/kyr_fonts.py --out "$out.tmp" --css "$out.tmp/kyr.css"
touch "$out.tmp/.stamp"
rm -rf "$out"
mv "$out.tmp" "$out"
