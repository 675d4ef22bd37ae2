#!/usr/bin/env bash
# Resident memory of `witryna serve` on sled with ITEMS news after a load run.
#   scripts/rss.sh [ITEMS=100000] [DURATION=10s]
# SLED_CACHE_MB=256 scripts/rss.sh  runs the server with another sled cache bound.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-100000}
DURATION=${2:-10s}
command -v wrk >/dev/null || (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
cargo build --release -q -p witryna-cli
cargo build --release -q --example seed_news
work=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
target/release/examples/seed_news "$work/data" "$ITEMS" >&2
started=$(date +%s.%N)
WITRYNA_LOG=warn target/release/witryna --data "$work/data" ${SLED_CACHE_MB:+--sled-cache-mb "$SLED_CACHE_MB"} \
  serve --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 600); do grep -q 'http://' "$work/out" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1)
echo "start-up (index built, listening): $(echo "$(date +%s.%N) - $started" | bc | cut -c1-5) s"
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; }
echo "after start (search index built): $(rss)"
slug=$(curl -sf "$addr/api/v1/news?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
for url in "$addr/api/v1/news/$slug" "$addr/api/v1/news?limit=20" "$addr/aktualnosci/$slug" "$addr/" "$addr/api/v1/search?q=spotkanie%20integracji"; do
  wrk -t2 -c64 -d"$DURATION" "$url" >/dev/null
done
echo "after the load run ($ITEMS news, wrk on detail, list, page, home, search): $(rss)"
echo "store on disk: $(du -sh "$work/data" | cut -f1) (search index: $(du -sh "$work/data/search" | cut -f1))"
