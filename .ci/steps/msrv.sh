#!/usr/bin/env bash
# The published crates build with the oldest Rust they claim: `rust-version` of the workspace
# (the newest MSRV among the locked dependencies; time 0.3.47 needs 1.88). Installs that
# toolchain (minimal profile) and checks core, the client, the simulator and the CLI with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ver=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
[ -n "$ver" ] || { echo "msrv.sh: no rust-version in Cargo.toml" >&2; exit 1; }
rustup toolchain install "$ver" --profile minimal --no-self-update >/dev/null 2>&1 ||
  rustup toolchain install "$ver" --profile minimal
echo "checking with Rust $ver"
cargo "+$ver" check --locked -p ews-notify -p ews-notify-client -p ews-sim -p ews-notify-cli
