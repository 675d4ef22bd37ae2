#!/usr/bin/env bash
# Write throughput of the JSON API on the default store (sled, every write flushed and
# searchable before it is acknowledged), in one run, on loopback:
#
#   scripts/write_load.sh [ITEMS=2000] [CLIENTS=8]
#
# Builds the release binary, starts `witryna serve --demo` on a fresh data folder with an
# editor's token, and runs scripts/write_load.py: CLIENTS clients creating and publishing
# ITEMS news items, then one client alone (single-write latency).
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-2000}
CLIENTS=${2:-8}
# BIN: another build to compare (e.g. the previous commit's), else this tree's release build.
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p witryna-cli
  BIN=target/release/witryna
fi
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
# An account makes the store; then the editor's token the clients write with.
printf 'obciazenie zapisu 2026\n' | "$BIN" --data "$work/data" user create --email load@mops.example.pl \
  --role administrator --name "Write load" >/dev/null
token=$("$BIN" --data "$work/data" token create --role editor --name "write load")
WITRYNA_LOG=warn "$BIN" --data "$work/data" serve --demo --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 300); do grep -q 'http://' "$work/out" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1)
[ -n "$addr" ] || { cat "$work/err" >&2; exit 1; }
echo "witryna serve (sled, durable writes, search index) with $CLIENTS clients, $(nproc) cores"
python3 scripts/write_load.py "$addr" "$token" "$ITEMS" "$CLIENTS"
