#!/usr/bin/env bash
# Validates an OpenAPI 3.1 document with openapi-spec-validator (the reference validator).
#
#   scripts/openapi_check.sh FILE|URL
#
# Starts nothing: give it a saved document or the URL of a running server's
# /api/v1/openapi.json. Uses a python3 that already has the validator; otherwise it
# installs the version pinned in scripts/requirements-openapi.txt into a virtualenv under
# $OPENAPI_VENV (default ~/.cache/witryna/openapi-venv), once. Exit 0: valid; 1: invalid
# (every error is printed); 2: usage, or the document could not be read.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 FILE|URL" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
venv="${OPENAPI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/witryna/openapi-venv}"

has_validator() { "$1" -c 'import openapi_spec_validator' >/dev/null 2>&1; }

python=python3
if ! has_validator "$python"; then
  python="$venv/bin/python"
  if ! has_validator "$python"; then
    echo "openapi_check: installing openapi-spec-validator into $venv" >&2
    python3 -m venv "$venv" >&2
    "$python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-openapi.txt" >&2
  fi
fi

exec "$python" - "$1" <<'PY'
import json
import sys
import urllib.request

from openapi_spec_validator import OpenAPIV31SpecValidator

source = sys.argv[1]
try:
    if "://" in source:
        with urllib.request.urlopen(source, timeout=30) as response:
            text = response.read()
    else:
        with open(source, "rb") as f:
            text = f.read()
    document = json.loads(text)
except (OSError, ValueError) as e:
    print(f"openapi_check: cannot read {source}: {e}", file=sys.stderr)
    sys.exit(2)

if document.get("openapi", "").split(".")[:2] != ["3", "1"]:
    print(f"openapi_check: {source} is OpenAPI {document.get('openapi')!r}, not 3.1", file=sys.stderr)
    sys.exit(1)
errors = []
try:
    for e in OpenAPIV31SpecValidator(document).iter_errors():
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        errors.append(f"{where}: {e.message}")
except Exception as e:  # the validator raises, not yields, on a $ref that points nowhere
    errors.append(f"{type(e).__name__}: {e}")
for e in errors:
    print(e, file=sys.stderr)
if errors:
    print(f"openapi_check: {source}: {len(errors)} error(s)", file=sys.stderr)
    sys.exit(1)
print(f"openapi_check: {source} is a valid OpenAPI 3.1 document")
PY
