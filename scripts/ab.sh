#!/usr/bin/env bash
# Head-to-head: two `witryna` binaries on the same demo content, cache off, measured
# alternately in one run (the machine is shared and noisy: only the ratio means much).
#
#   scripts/ab.sh OLD_BINARY NEW_BINARY [ROUNDS=2] [DURATION=4s]
#
# e.g. an older commit built with
#   git worktree add /tmp/old COMMIT && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo build --release -p witryna-cli)
#   scripts/ab.sh /tmp/old-target/release/witryna target/release/witryna
# Prints requests/s per round and NEW/OLD over all rounds, for the home page, a news page
# and the news list of the API. Loopback only; wrk (Debian) is installed if missing.
set -euo pipefail
OLD=$1
NEW=$2
ROUNDS=${3:-2}
DURATION=${4:-4s}
if ! command -v wrk >/dev/null; then
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

# Both serve the same content: the OLD binary's demo, exported once and imported by each
# (the demo text may differ between the two builds).
WITRYNA_LOG=warn "$OLD" --data "$work/seed" serve --demo --addr 127.0.0.1:0 >"$work/seed.out" 2>/dev/null &
seed_pid=$!
for _ in $(seq 200); do grep -q http:// "$work/seed.out" 2>/dev/null && break; sleep 0.1; done
kill -INT "$seed_pid"; wait "$seed_pid" || true
"$OLD" --data "$work/seed" export --out "$work/demo.jsonl" 2>/dev/null

start() { # name binary -> base URL
  "$2" --data "$work/$1" import "$work/demo.jsonl" >/dev/null 2>&1
  WITRYNA_LOG=warn "$2" --data "$work/$1" serve --addr 127.0.0.1:0 --cache-entries 0 >"$work/$1.out" 2>/dev/null &
  echo $! >"$work/$1.pid"
  for _ in $(seq 200); do grep -q http:// "$work/$1.out" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://[0-9.:]*' "$work/$1.out"
}
old=$(start old "$OLD")
new=$(start new "$NEW")
slug=$(curl -s "$new/api/v1/news" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
rps() { wrk -t2 -c64 -d"$DURATION" "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }

echo "| path | old requests/s | new requests/s | new/old |"
echo "| --- | ---: | ---: | ---: |"
for path in / "/aktualnosci/$slug" /api/v1/news; do
  o=(); n=()
  for _ in $(seq "$ROUNDS"); do o+=("$(rps "$old$path")"); n+=("$(rps "$new$path")"); done
  python3 - "$path" "${o[*]}" "${n[*]}" <<'EOF'
import sys
path, old, new = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
shown = path if len(path) < 30 else path[:27] + "…"
print(f"| `{shown}` | {' / '.join(f'{x:.0f}' for x in old)} | {' / '.join(f'{x:.0f}' for x in new)} | {sum(new) / sum(old):.2f} |")
EOF
done
