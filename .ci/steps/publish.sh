#!/usr/bin/env bash
# Every Rust crate we mean to publish is one command from crates.io: `cargo publish --dry-run`
# packages core, the correlator, the simulator, the client, the service and the CLI (in dependency order, the unpublished
# path dependencies resolved within the one run) and builds each from its package alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo publish --dry-run --locked --allow-dirty \
  -p ews-notify -p ews-notify-meetings -p ews-sim -p ews-notify-client \
  -p ews-notify-service -p ews-notify-cli
# What each package holds: licenses and a README of its own, nothing from outside its folder.
for crate in core meetings tools/ews-sim client service cli; do
  name=$(sed -n 's/^name = "\(.*\)"/\1/p' "$crate/Cargo.toml" | head -1)
  list=$(cargo package --list --locked --allow-dirty -p "$name")
  for f in LICENSE-MIT LICENSE-APACHE README.md Cargo.toml; do
    grep -qx "$f" <<<"$list" || { echo "publish.sh: $name's package lacks $f" >&2; exit 1; }
  done
done
echo "publish dry run: ews-notify, ews-notify-meetings, ews-sim, ews-notify-client, ews-notify-service, ews-notify-cli are ready"
