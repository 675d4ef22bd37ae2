#!/usr/bin/env bash
# HTTP load test of the JSON API against a static-bytes ceiling, in one run, on loopback.
#
#   scripts/load.sh [ITEMS=10000] [DURATION=10s] [CONNECTIONS=64]
#
# Builds release binaries, seeds a sled store with the demo content plus ITEMS news,
# serves it with `witryna serve`, and runs wrk (Debian package, installed if missing)
# against: a static axum route of the detail response's size, GET /api/v1/news/{slug},
# a static route of the list response's size, and GET /api/v1/news?limit=20 — then the
# two API endpoints again with the public response cache off (--cache-entries 0); the same
# for the site's /aktualnosci/{slug} and home page.
# Prints requests/s, p99 latency, and each endpoint's ratio to its ceiling.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-10000}
DURATION=${2:-10s}
CONNECTIONS=${3:-64}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  (apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null))
fi

cargo build --release -q -p witryna-cli
cargo build --release -q --example seed_news --example static_ceiling
BIN=target/release
work=$(mktemp -d)
cleanup() { for p in "$work"/*.pid; do [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

"$BIN/examples/seed_news" "$work/data" "$ITEMS" >&2

. scripts/bench_lib.sh

api=$(WITRYNA_LOG=warn start api "$BIN/witryna" --data "$work/data" serve --addr 127.0.0.1:0)
slug=$(curl -sf "http://$api/api/v1/news?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
detail_size=$(curl -sf "http://$api/api/v1/news/$slug" | wc -c)
list_size=$(curl -sf "http://$api/api/v1/news?limit=20" | wc -c)
page_size=$(curl -sf "http://$api/aktualnosci/$slug" | wc -c)
home_size=$(curl -sf "http://$api/" | wc -c)
ceil_detail=$(start ceil_detail "$BIN/examples/static_ceiling" 127.0.0.1:0 "$detail_size")
ceil_list=$(start ceil_list "$BIN/examples/static_ceiling" 127.0.0.1:0 "$list_size")
ceil_page=$(start ceil_page "$BIN/examples/static_ceiling" 127.0.0.1:0 "$page_size")
ceil_home=$(start ceil_home "$BIN/examples/static_ceiling" 127.0.0.1:0 "$home_size")


read -r cd_rps cd_p99 <<<"$(run "http://$ceil_detail/")"
read -r d_rps d_p99 <<<"$(run "http://$api/api/v1/news/$slug")"
read -r cl_rps cl_p99 <<<"$(run "http://$ceil_list/")"
read -r l_rps l_p99 <<<"$(run "http://$api/api/v1/news?limit=20")"
read -r cp_rps cp_p99 <<<"$(run "http://$ceil_page/")"
read -r p_rps p_p99 <<<"$(run "http://$api/aktualnosci/$slug")"
read -r ch_rps ch_p99 <<<"$(run "http://$ceil_home/")"
read -r h_rps h_p99 <<<"$(run "http://$api/")"

# The same endpoints with the public response cache off: every request reads the store.
kill "$(cat "$work/api.pid")"; rm "$work/api.pid"
while kill -0 "$(pgrep -f "witryna --data $work/data" | head -1)" 2>/dev/null; do sleep 0.1; done
api=$(WITRYNA_LOG=warn start api_nocache "$BIN/witryna" --data "$work/data" serve --addr 127.0.0.1:0 --cache-entries 0)
read -r dn_rps dn_p99 <<<"$(run "http://$api/api/v1/news/$slug")"
read -r ln_rps ln_p99 <<<"$(run "http://$api/api/v1/news?limit=20")"
read -r pn_rps pn_p99 <<<"$(run "http://$api/aktualnosci/$slug")"
read -r hn_rps hn_p99 <<<"$(run "http://$api/")"

echo
echo "wrk -t2 -c$CONNECTIONS -d$DURATION, $ITEMS news + demo content on sled, $(nproc) cores"
echo
echo "| endpoint | response bytes | requests/s | p99 | of its ceiling |"
echo "| --- | ---: | ---: | ---: | ---: |"
echo "| static ceiling | $detail_size | $cd_rps | $cd_p99 | — |"
echo "| GET /api/v1/news/{slug} | $detail_size | $d_rps | $d_p99 | $(ratio "$d_rps" "$cd_rps") |"
echo "| GET /api/v1/news/{slug}, cache off | $detail_size | $dn_rps | $dn_p99 | $(ratio "$dn_rps" "$cd_rps") |"
echo "| static ceiling | $list_size | $cl_rps | $cl_p99 | — |"
echo "| GET /api/v1/news?limit=20 | $list_size | $l_rps | $l_p99 | $(ratio "$l_rps" "$cl_rps") |"
echo "| GET /api/v1/news?limit=20, cache off | $list_size | $ln_rps | $ln_p99 | $(ratio "$ln_rps" "$cl_rps") |"
echo "| static ceiling | $page_size | $cp_rps | $cp_p99 | — |"
echo "| GET /aktualnosci/{slug} | $page_size | $p_rps | $p_p99 | $(ratio "$p_rps" "$cp_rps") |"
echo "| GET /aktualnosci/{slug}, cache off | $page_size | $pn_rps | $pn_p99 | $(ratio "$pn_rps" "$cp_rps") |"
echo "| static ceiling | $home_size | $ch_rps | $ch_p99 | — |"
echo "| GET / (home) | $home_size | $h_rps | $h_p99 | $(ratio "$h_rps" "$ch_rps") |"
echo "| GET / (home), cache off | $home_size | $hn_rps | $hn_p99 | $(ratio "$hn_rps" "$ch_rps") |"
