#!/usr/bin/env bash
# Browser checks of the site and its editor interface: installs Debian's chromium and the npm
# packages if missing, creates an administrator, starts `witryna serve --demo` on a free
# loopback port (and examples/custom_content for the generic page of a kind without a
# template), and runs browser-tests/run.mjs with browser-tests/admin.mjs (axe-core on every
# page type of the site in three modes and of /admin, keyboard-only runs on the site and
# through an editor's task at /admin with and without JavaScript, screenshots in
# test-output/browser/; WITRYNA_SCREENSHOTS=docs/screenshots refreshes the README's). `.ci/run` calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y chromium fonts-dejavu-core >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y chromium fonts-dejavu-core >/dev/null))
fi
(cd browser-tests && npm ci --no-audit --no-fund --loglevel=error)
cargo build -q -p witryna-cli
cargo build -q -p witryna --example custom_content
work=$(mktemp -d)
pid=
generic_pid=
trap 'kill $pid $generic_pid 2>/dev/null || true; rm -rf "$work"' EXIT
# The editor interface's administrator, made before the first start (it makes the store).
admin_email=admin@mops.example.pl
admin_password='zielona łąka nad Wartą'
printf '%s\n' "$admin_password" | target/debug/witryna --data "$work/data" user create \
  --email "$admin_email" --role administrator --name "Anna Kowalska" >/dev/null
token=$(target/debug/witryna --data "$work/data" token create --role editor --name "browser checks")
target/debug/witryna --data "$work/data" serve --demo --addr 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!
# The generic page of a kind without a template: the job offer of examples/custom_content.rs.
target/debug/examples/custom_content serve >"$work/generic.out" 2>"$work/generic.err" &
generic_pid=$!
for _ in $(seq 300); do grep -q 'http://' "$work/out" 2>/dev/null && grep -q 'serving' "$work/generic.out" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$work/out" | head -1)
[ -n "$addr" ] || { cat "$work/err" >&2; exit 1; }
generic=$(grep -o 'serving http://[0-9.:]*' "$work/generic.out" | cut -d' ' -f2)
[ -n "$generic" ] || { cat "$work/generic.out" "$work/generic.err" >&2; exit 1; }
WITRYNA_URL="$addr" WITRYNA_GENERIC_URL="$generic" WITRYNA_TEST_OUTPUT="$PWD/test-output/browser" WITRYNA_TOKEN="$token" \
  WITRYNA_ADMIN_EMAIL="$admin_email" WITRYNA_ADMIN_PASSWORD="$admin_password" node browser-tests/run.mjs
