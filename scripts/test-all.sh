#!/usr/bin/env bash
# Runs every test of ews-notify on a fresh Debian 12 machine with rustup, Node 20 and Python 3.11.
# Installs what it needs from crates.io, PyPI, npm and apt (pinned versions), then runs, failing
# fast: fmt, clippy, Rust tests, schema checks of the corpus, wasm32 check, Python, Node, WASM,
# the web demo in headless Chromium, and the docs build.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
start=$SECONDS
step() {
  printf '\n==> %s (at %ss)\n' "$1" "$((SECONDS - start))"
}

step "install system packages"
need_apt=()
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v chromium >/dev/null || need_apt+=(chromium)
# The service's sink tests start real brokers (.ci/steps/service.sh requires them).
[ -x /usr/sbin/nats-server ] || need_apt+=(nats-server)
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need_apt+=(rabbitmq-server)
if [ "${#need_apt[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "cargo test"
cargo test --workspace --all-features --locked

step "wasm32 check of the meeting correlator"
cargo check -p ews-notify-meetings --target wasm32-unknown-unknown --locked

for s in corpus-schema canonical-schema python node wasm web-demo transport benches service exchangelib gromox; do
  step "$s"
  bash ".ci/steps/$s.sh"
done

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked >/dev/null

printf '\nall steps passed in %ss\n' "$((SECONDS - start))"
