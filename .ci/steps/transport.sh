#!/usr/bin/env bash
# Transport: what `cargo test --workspace --all-features` does not already run. The simulator's
# schema checks and the no-loss tests are workspace tests; here `ews-notify demo` (the README's
# first command) must run to its end with no watch failing, and its closing figures are printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
out=$(cargo run -q -p ews-notify-cli --locked -- demo)
if grep -q 'FAILED' <<<"$out"; then
    grep 'FAILED' <<<"$out" >&2
    echo "transport: a watch failed during the demo" >&2
    exit 1
fi
if ! grep -q '^--- done: ' <<<"$out"; then
    echo "transport: the demo did not reach its end" >&2
    exit 1
fi
grep '^--- done: ' <<<"$out"
