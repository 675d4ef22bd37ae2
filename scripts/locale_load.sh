#!/usr/bin/env bash
# A translated detail page against its Polish source, in one run on loopback (issue 14):
# the demo's KIS news item at /aktualnosci/{slug}, /en/news/{slug} and /uk/novyny/{slug},
# with the page cache off (`--cache-entries 0`: every request renders, reading the item,
# its translation group and, for a translation, its source's shared fields) and on.
# Each page is measured twice, interleaved, and the better run kept, so one noisy
# moment on a shared machine does not decide the ratio.
#
#   scripts/locale_load.sh [DURATION=10s] [CONNECTIONS=64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
CONNECTIONS=${2:-64}
command -v wrk >/dev/null || (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
cargo build --release -q -p witryna-cli
BIN=target/release
work=$(mktemp -d)
cleanup() { for p in "$work"/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
. scripts/bench_lib.sh

slug=spotkanie-informacyjne-w-klubie-integracji-spolecznej
echo "wrk -t2 -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo
echo "| cache | page | bytes | requests/s | p99 | of the Polish page |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for entries in 0 1024; do
  addr=$(WITRYNA_LOG=warn start "site$entries" "$BIN/witryna" --data "$work/data$entries" serve --addr 127.0.0.1:0 --demo --cache-entries "$entries")
  group=$(curl -sf "http://$addr/api/v1/news/$slug")
  en=$(python3 -c 'import json,sys; print(next(t["slug"] for t in json.load(sys.stdin)["translations"] if t["locale"]=="en"))' <<<"$group")
  uk=$(python3 -c 'import json,sys; print(next(t["slug"] for t in json.load(sys.stdin)["translations"] if t["locale"]=="uk"))' <<<"$group")
  declare -A paths=([pl]="/aktualnosci/$slug" [en]="/en/news/$en" [uk]="/uk/novyny/$uk")
  declare -A got=()
  for round in 1 2; do
    for lang in pl en uk; do
      read -r rps p99 <<<"$(run "http://$addr${paths[$lang]}")"
      prev=${got[$lang]:-"0 -"}
      got[$lang]=$(python3 -c "a='$prev'.split(); print('$rps $p99' if float('$rps') >= float(a[0]) else '$prev')")
    done
  done
  read -r pl_rps _ <<<"${got[pl]}"
  label=$([ "$entries" = 0 ] && echo off || echo on)
  for lang in pl en uk; do
    read -r rps p99 <<<"${got[$lang]}"
    bytes=$(curl -sf "http://$addr${paths[$lang]}" | wc -c)
    echo "| $label | ${paths[$lang]} | $bytes | $rps | $p99 | $(ratio "$rps" "$pl_rps") |"
  done
  kill "$(cat "$work/site$entries.pid")"
done
