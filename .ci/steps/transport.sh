#!/usr/bin/env bash
# Transport: the EWS simulator's schema checks and the no-loss tests (client + simulator on
# 127.0.0.1, seeded random faults), printing the figures of each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
if ! command -v xmllint >/dev/null; then
    if [[ $(id -u) == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq libxml2-utils >/dev/null
    fi
fi
cargo test -p ews-sim --features transport --locked --tests -- --nocapture --test-threads 1
# The demo must run to its end.
cargo run -q -p ews-notify-cli --locked -- demo >/dev/null
