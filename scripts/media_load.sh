#!/usr/bin/env bash
# The media library under load, in one run on loopback:
#   1. resident memory of `witryna serve` while a 10 MB PDF is uploaded (POST /api/v1/media):
#      the peak (VmHWM) over the resident size just before, which must stay under 20 MB
#      because uploads stream to a temporary file and into the store in 64 KiB chunks;
#   2. serving the demo's ~200 KB picture (GET /media/{hash}/{name}) against a static-bytes
#      server of the same size (examples/static_ceiling), with wrk.
#
#   scripts/media_load.sh [DURATION=10s] [CONNECTIONS=64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-64}
command -v wrk >/dev/null || (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
cargo build --release -q -p witryna-cli
cargo build --release -q --example static_ceiling
BIN=target/release
work=$(mktemp -d)
cleanup() { for p in "$work"/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

. scripts/bench_lib.sh
kib() { awk -v k="$2" '$1==k":" {print $2}' "/proc/$1/status"; }

echo 'Hasło-do-testów-obciążenia-1' | "$BIN/witryna" --data "$work/data" user create --email bench@mops.example.pl --role administrator --name Bench >/dev/null 2>&1
token=$("$BIN/witryna" --data "$work/data" token create --role editor --name bench 2>/dev/null)
api=$(WITRYNA_LOG=warn start api "$BIN/witryna" --data "$work/data" serve --addr 127.0.0.1:0 --demo)
pid=$(cat "$work/api.pid")

# 1. A 10 MB PDF: a real header and trailer around random bytes.
{ printf '%%PDF-1.4\n'; head -c 10485760 /dev/urandom; printf '\n%%%%EOF\n'; } >"$work/big.pdf"
sleep 1
before=$(kib "$pid" VmRSS)
code=$(curl -s -o "$work/upload.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
  -F "file=@$work/big.pdf;filename=sprawozdanie.pdf" -F 'title=Sprawozdanie roczne' "http://$api/api/v1/media")
[ "$code" = 201 ] || { echo "upload answered $code: $(cat "$work/upload.json")" >&2; exit 1; }
peak=$(kib "$pid" VmHWM)
growth=$(( (peak - before) / 1024 ))

# 2. The demo's picture (published with its news item).
cover=$(curl -sf "http://$api/api/v1/news/spotkanie-informacyjne-w-klubie-integracji-spolecznej" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["content"]["cover"]["media"])')
path=$(curl -sf "http://$api/api/v1/media/$cover" \
  | python3 -c 'import json,sys,urllib.parse as u; f=json.load(sys.stdin)["content"]["file"]; print("/media/" + f["hash"] + "/" + u.quote(f["name"]))')
size=$(curl -sf "http://$api$path" | wc -c)
ceil=$(start ceil "$BIN/examples/static_ceiling" 127.0.0.1:0 "$size")

read -r c_rps c_p99 <<<"$(run "http://$ceil/")"
read -r m_rps m_p99 <<<"$(run "http://$api$path")"

echo
echo "upload of a 10 MB PDF: resident $((before / 1024)) MiB before, peak $((peak / 1024)) MiB during: growth $growth MiB (target < 20)"
echo
echo "wrk -t2 -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo
echo "| endpoint | response bytes | requests/s | p99 | of its ceiling |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| static ceiling | $size | $c_rps | $c_p99 | — |"
echo "| GET /media/{hash}/{name} | $size | $m_rps | $m_p99 | $(ratio "$m_rps" "$c_rps") |"
