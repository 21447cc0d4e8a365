#!/usr/bin/env bash
# Validates every golden canonical JSON in tests/corpus against docs/canonical.schema.json
# (JSON Schema 2020-12) with Python's jsonschema, pinned, in its own venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="$HOME/.cache/ews-notify/venv-schema"
want="4.26.0"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("jsonschema"))' 2>/dev/null || true)
if [ "$have" != "$want" ]; then
    "$venv/bin/pip" install -q "jsonschema==$want"
fi
"$venv/bin/python" tests/check_canonical_schema.py
