#!/usr/bin/env bash
# Smoke-runs every benchmark once (criterion's test mode: no timing) so the benches keep
# compiling and their inputs keep parsing. The timed run is `cargo bench -p ews-notify-benches`.
set -euo pipefail
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
cargo test -p ews-notify-benches --lib --benches
