#!/usr/bin/env bash
# Writes upgrade fixtures with the `witryna` of an older commit: a sled store and a
# PostgreSQL dump seeded with the demo content, an account, an API token and a few edits
# made through the API, each with the export that build wrote from it. A later test opens
# them with a newer build and checks that nothing is lost or rewritten.
#
#   scripts/make-upgrade-fixture.sh COMMIT [OUT_DIR]
#
# OUT_DIR defaults to crates/witryna-cli/tests/fixtures/upgrade-v2. Needs cargo, git,
# curl, python3, tar, gzip, and PostgreSQL client tools (psql, pg_dump) talking to a server
# at $PG_BASE (default postgres://postgres@127.0.0.1:5432; the role must create databases).
# Set FIXTURE_TARGET_DIR to reuse a cargo target folder (kept afterwards); otherwise the
# build goes to a temporary one that is deleted with everything else.
set -euo pipefail

COMMIT=${1:?usage: $0 COMMIT [OUT_DIR]}
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${2:-$REPO/crates/witryna-cli/tests/fixtures/upgrade-v2}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
FULL=$(git -C "$REPO" rev-parse --verify "$COMMIT^{commit}")

work=$(mktemp -d /tmp/witryna-fixture.XXXXXX)
wt=$work/worktree
target=${FIXTURE_TARGET_DIR:-$work/target}
# One database of our own; the tables go in a schema with a name that appears nowhere
# else in the dump, so it can be swapped safely for the placeholder `__SCHEMA__`.
pg_db=witryna_fixture_$(date +%s)_$$
pg_schema=witryna_fixture_src
pg_url="$PG_BASE/$pg_db?options=-c%20search_path%3D$pg_schema"
server_pid=

cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid" || true; fi
  psql "$PG_BASE/postgres" -qAtc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  git -C "$REPO" worktree remove --force "$wt" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build the CLI of COMMIT in a detached worktree with its own target folder.
git -C "$REPO" worktree add --detach "$wt" "$FULL" >/dev/null
(cd "$wt" && CARGO_TARGET_DIR=$target cargo build -q -p witryna-cli)
bin=$target/debug/witryna
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp WITRYNA_LOG=info # upload spools land in the work folder

# Starts `witryna ARGS… serve --addr 127.0.0.1:0 EXTRA…`; sets $server_pid and $base once
# it prints its address and answers `/`.
start() {
  local log=$work/serve.$RANDOM
  "$bin" "$@" >"$log.out" 2>"$log.err" &
  server_pid=$!
  for _ in $(seq 600); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log.out" 2>/dev/null | head -1 || true)
    [[ -n $base ]] && curl -fso /dev/null "$base/" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$log.err" >&2; return 1; }
    sleep 0.2
  done
  echo "the server did not come up" >&2
  return 1
}

# Stops the server with SIGINT (a clean shutdown) and waits for it.
stop() {
  kill -INT "$server_pid"
  wait "$server_pid" || { echo "the server exited with status $?" >&2; return 1; }
  server_pid=
}

# An account and an API token, through the CLI (store options in "$@").
accounts() {
  echo 'fixture-password-2024' |
    "$bin" "$@" user create --email redaktor@example.pl --role editor --name 'Ewa Redaktor'
  "$bin" "$@" token create --role editor --name fixture-api >"$work/token"
}

# Edits through the API with the token: a news item gets a new title, lead and slug (a new
# revision and an old slug), and a news draft is created.
edits() {
  local token auth etag slug=spotkanie-informacyjne-w-klubie-integracji-spolecznej
  token=$(cat "$work/token")
  auth="Authorization: Bearer $token"
  curl -fsS -D "$work/head" -H "$auth" "$base/api/v1/news/$slug" >"$work/item.json"
  etag=$(grep -i '^etag:' "$work/head" | cut -d' ' -f2 | tr -d '\r')
  python3 - "$work/item.json" >"$work/put.json" <<'EOF'
import json, sys
item = json.load(open(sys.argv[1]))
c = item["content"]
c["title"] += " (uzupełnione)"
c["lead"] += " Aktualizacja: lista tematów spotkania."
print(json.dumps({"content": c, "slug": "spotkanie-informacyjne-kis-2017"}))
EOF
  curl -fsS -o /dev/null -X PUT -H "$auth" -H "If-Match: $etag" -H 'Content-Type: application/json' \
    --data @"$work/put.json" "$base/api/v1/news/$slug"
  curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
    --data '{"content":{"title":"Szkic: nabór do Klubu Integracji Społecznej","lead":"Szkic zapowiedzi naboru.","body":"Treść w przygotowaniu.","author":"Ewa Redaktor","tags":["kis"]}}' \
    "$base/api/v1/news"
}

mkdir -p "$OUT"

# 2. sled: seed the demo, stop (sled allows one process), add the account and the token,
# serve again for the edits, stop, export, then pack the store without its search index
# (derived data, rebuilt on open).
sled=$work/sled
start --data "$sled" serve --demo --addr 127.0.0.1:0
stop
accounts --data "$sled"
start --data "$sled" serve --addr 127.0.0.1:0
edits
stop
"$bin" --data "$sled" export --out "$work/expected.jsonl"
tar czf "$OUT/store-sled.tar.gz" -C "$sled" --exclude=./search --sort=name --owner=0 --group=0 --numeric-owner .

# 3. PostgreSQL: a database of our own with the schema in the connection's search_path;
# the same steps (the server may stay up while the CLI writes), then a plain dump of the
# schema's tables and rows as INSERTs.
psql "$PG_BASE/postgres" -qAtc "CREATE DATABASE $pg_db" >/dev/null
psql "$PG_BASE/$pg_db" -qAtc "CREATE SCHEMA $pg_schema" >/dev/null
start --store "$pg_url" serve --demo --migrate --addr 127.0.0.1:0
accounts --store "$pg_url"
edits
stop
"$bin" --store "$pg_url" export --out "$work/expected-postgres.jsonl"
# Loadable with one batch_execute into any schema: no psql meta-commands (`\restrict`),
# no CREATE SCHEMA, no search_path reset, and `__SCHEMA__` in place of the schema's name.
pg_dump "$PG_BASE/$pg_db" -n "$pg_schema" --no-owner --no-privileges --column-inserts --rows-per-insert=100 |
  grep -v -e '^\\' -e '^CREATE SCHEMA ' -e "set_config('search_path'" |
  sed "s/\b$pg_schema\b/__SCHEMA__/g" | gzip -9n >"$OUT/store-postgres.sql.gz"

# 4. The exports, gzipped when large (they carry the files in base64).
for f in expected expected-postgres; do
  rm -f "$OUT/$f.jsonl" "$OUT/$f.jsonl.gz"
  if (($(stat -c %s "$work/$f.jsonl") > 200 * 1024)); then
    gzip -9n <"$work/$f.jsonl" >"$OUT/$f.jsonl.gz"
  else
    cp "$work/$f.jsonl" "$OUT/$f.jsonl"
  fi
done

# 5. What the fixtures hold, and whether the two exports agree apart from ids, times and
# secrets' hashes (informational; never fails the script).
python3 - "$work/expected.jsonl" "$work/expected-postgres.jsonl" <<'EOF' || true
import collections, datetime, json, re, sys
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOW = datetime.datetime.now(datetime.timezone.utc)
def recent(v):  # a time stamped by this run (publish_at of an item published "now")
    try:
        return abs(datetime.datetime.fromisoformat(v.replace("Z", "+00:00")) - NOW) < datetime.timedelta(days=1)
    except ValueError:
        return False
def load(path):
    lines = [json.loads(l) for l in open(path)]
    kinds = collections.Counter(l.get("kind", "blob line") for l in lines[1:])
    # Secrets' hashes differ between runs; a token's slug is its hash.
    hashes = set(re.findall(r'"(?:hash|password_hash)": ?"([^"]+)"', open(path).read()))
    ids = {}
    def norm(v, key=None):
        if isinstance(v, dict):
            return {k: norm(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, str):
            if key in ("created_at", "updated_at") or (key == "publish_at" and recent(v)):
                return "<time>"
            if v in hashes:
                return "<hash>"
            return UUID.sub(lambda m: "<id%d>" % ids.setdefault(m.group(), len(ids)), v)
        return v
    return lines[0], kinds, [norm(l) for l in lines[1:]]
(h1, k1, a), (h2, k2, b) = load(sys.argv[1]), load(sys.argv[2])
print("sled export:", h1, dict(k1))
print("postgres export:", h2, dict(k2))
diff = [i + 2 for i, (x, y) in enumerate(zip(a, b)) if x != y]
print("the two exports are equal apart from ids, times and secrets' hashes"
      if len(a) == len(b) and not diff and h1 == h2
      else f"the two exports differ: {len(a)} vs {len(b)} lines; first differing lines {diff[:5]}")
EOF

# The README says which commit wrote the fixtures.
size() { stat -c %s "$1"; }
{
  echo "# Upgrade fixtures written by commit ${FULL:0:7}"
  echo
  echo "Written by \`scripts/make-upgrade-fixture.sh ${FULL:0:7}\` (commit $FULL, a debug build of"
  echo "\`witryna-cli\`): the demo content (\`serve --demo\`, with its files), an editor account"
  echo "(\`user create\`), an editor API token (\`token create\`), and two edits through the API with that"
  echo "token (a news item's new title, lead and slug; a new news draft)."
  echo
  echo "| file | bytes | what |"
  echo "|---|---|---|"
  for f in store-sled.tar.gz store-postgres.sql.gz expected.jsonl expected.jsonl.gz expected-postgres.jsonl expected-postgres.jsonl.gz; do
    [[ -f $OUT/$f ]] || continue
    case $f in
      store-sled.tar.gz) what='the sled store folder (kv schema 2; its contents at the top level, without `search/`, the derived search index): unpack into an empty folder and pass it as `--data`' ;;
      store-postgres.sql.gz) what='`pg_dump` (PostgreSQL 15, migrations at version 3) of the store'"'"'s tables and rows as INSERTs, with `__SCHEMA__` for the schema: see below' ;;
      expected.jsonl*) what='`witryna export` of the sled store, written by that build' ;;
      expected-postgres.jsonl*) what='`witryna export` of the PostgreSQL store, written by that build (other ids and times than the sled one)' ;;
    esac
    echo "| $f | $(size "$OUT/$f") | $what |"
  done
  cat <<'EOF'

Loading `store-postgres.sql.gz`: gunzip it, replace every `__SCHEMA__` with an existing,
empty schema (e.g. one made with `CREATE SCHEMA …`, or `public` of a fresh database), and run
the text with one `batch_execute`: it holds only `SET` statements, `CREATE TABLE`, `INSERT`,
primary keys, indexes and the foreign keys — no psql meta-commands, no `COPY`, no
`CREATE SCHEMA`, no `search_path` change. Then open it with `PgOptions { schema:
Some(name), .. }` (or `?options=-c%20search_path%3Dname` in the URL); it holds
`witryna_schema.version = 3`.

The exports hold no sessions or setup links (ephemeral kinds); the stores also hold the setup
links `serve` made (there is no administrator). The token's secret is not kept. `blobs/` in
the sled folder is sled's own folder of large values, not Witryna's. Opening each store with
the writing build and exporting it again gives its expected export byte for byte; the two
exports agree apart from ids, times and the secrets' hashes (the demo files are the same
bytes).
EOF
} >"$OUT/README.md"

ls -l "$OUT"
