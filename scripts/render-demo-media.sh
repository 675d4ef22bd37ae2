#!/usr/bin/env bash
# Regenerates the demo media of crates/witryna-media/demo/ from their HTML sources with headless
# chromium and ImageMagick. Run by hand after editing a source (not run in CI; the outputs are
# committed next to their sources):
#   eu-logo-strip.html     -> eu-logo-strip.png      (1600x200 screenshot, metadata stripped)
#   wniosek-o-zasilek.html -> wniosek-o-zasilek.pdf  (A4, chromium's print to PDF)
#   spotkanie-kis.html     -> spotkanie-kis.jpg      (1600x1067 screenshot, JPEG quality 85, stripped)
#   informacja-pjm.html    -> informacja-pjm.webm    (4 s of its canvas through MediaRecorder, VP8;
#                             scripts/record-demo-video.mjs with browser-tests' playwright-core)
# Everything is drawn by the project (HTML, CSS, inline SVG, the DejaVu fonts); nothing is fetched.
# Installs Debian's chromium, fonts-dejavu-core and imagemagick if missing. Byte-identical output
# is not expected across chromium versions (and the PDF records its creation date).
#   scripts/render-demo-media.sh
set -euo pipefail
cd "$(dirname "$0")/.."
demo=crates/witryna-media/demo
need=()
command -v chromium >/dev/null || need+=(chromium)
[ -n "$(fc-list 'DejaVu Sans' 2>/dev/null)" ] || need+=(fonts-dejavu-core)
case "$(convert -version 2>/dev/null)" in *ImageMagick*) ;; *) need+=(imagemagick) ;; esac
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y "${need[@]}" >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null))
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# --no-sandbox: the script is usually run as root in a container, where chromium's sandbox cannot start.
chrome() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$work/profile" "$@" 2>/dev/null
}
url() { echo "file://$PWD/$demo/$1"; }

chrome --window-size=1600,200 --screenshot="$work/strip.png" "$(url eu-logo-strip.html)"
convert "$work/strip.png" -strip -define png:compression-level=9 "PNG24:$demo/eu-logo-strip.png"

chrome --no-pdf-header-footer --print-to-pdf="$demo/wniosek-o-zasilek.pdf" "$(url wniosek-o-zasilek.html)"

chrome --window-size=1600,1067 --screenshot="$work/kis.png" "$(url spotkanie-kis.html)"
convert "$work/kis.png" -strip -sampling-factor 4:2:0 -interlace JPEG -quality 85 "$demo/spotkanie-kis.jpg"

[ -d browser-tests/node_modules ] || (cd browser-tests && npm ci --silent)
node scripts/record-demo-video.mjs

for f in eu-logo-strip.png wniosek-o-zasilek.pdf spotkanie-kis.jpg informacja-pjm.webm; do
  printf '%8d  %s\n' "$(stat -c %s "$demo/$f")" "$demo/$f"
done
