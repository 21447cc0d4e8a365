#!/usr/bin/env bash
# Python package `ews_notify`: build the abi3 wheel with maturin (release), install it into the
# tool venv, run the pytest suite (corpus conformance, GOID vectors, streaming, doctests and the
# mypy.stubtest stub check). pytest exiting 5 ("no tests collected") is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
VENV="${EWS_NOTIFY_PY_VENV:-$HOME/.cache/ews-notify/venv-python}"
MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0
MYPY_VERSION=2.4.1

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"

have() { # have PACKAGE VERSION: the exact version is installed in the venv
  [ "$("$PY" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" = "$2" ]
}
need=()
have maturin "$MATURIN_VERSION" || need+=("maturin==$MATURIN_VERSION")
have pytest "$PYTEST_VERSION" || need+=("pytest==$PYTEST_VERSION")
have mypy "$MYPY_VERSION" || need+=("mypy==$MYPY_VERSION")
if [ "${#need[@]}" -gt 0 ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check "${need[@]}"
fi

wheels="$CARGO_TARGET_DIR/python-wheels"
rm -rf "$wheels"
"$VENV/bin/maturin" build --release --quiet -m bindings/python/Cargo.toml --out "$wheels" \
  --interpreter "$PY"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
  "$wheels"/ews_notify-*.whl

cd bindings/python
status=0
"$PY" -m pytest -q -p no:cacheprovider tests || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
