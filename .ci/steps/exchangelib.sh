#!/usr/bin/env bash
# A client we did not write against the simulator: exchangelib (PyPI, pinned) sets up an account
# with Basic credentials on the `ews-sim` binary, creates, edits, cancels and deletes meetings
# (single, recurring, one occurrence, the series split), follows them with pull and streaming
# subscriptions, and checks what it saw against the simulator's ledger. pytest exiting 5 ("no
# tests collected") is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
VENV="${EWS_NOTIFY_EXCHANGELIB_VENV:-$HOME/.cache/ews-notify/venv-exchangelib}"
EXCHANGELIB_VERSION=5.6.0
PYTEST_VERSION=9.2.0

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"

have() { # have PACKAGE VERSION: the exact version is installed in the venv
  [ "$("$PY" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" = "$2" ]
}
need=()
have exchangelib "$EXCHANGELIB_VERSION" || need+=("exchangelib==$EXCHANGELIB_VERSION")
have pytest "$PYTEST_VERSION" || need+=("pytest==$PYTEST_VERSION")
if [ "${#need[@]}" -gt 0 ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check "${need[@]}"
fi

cargo build --quiet --locked -p ews-sim --bin ews-sim
export EWS_SIM_BIN="$CARGO_TARGET_DIR/debug/ews-sim"

status=0
"$PY" -m pytest -q -p no:cacheprovider tests/exchangelib || status=$?
if [ "$status" -eq 5 ]; then
  echo "exchangelib: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
