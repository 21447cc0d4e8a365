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

# Exchange's schema (messages.xsd, types.xsd) is Microsoft's and not in the repository: the
# checks against it read EWS_SCHEMA_DIR (docs/ews-schema.md), here ../shared/ews-schema when
# that exists. Without one they print `SKIPPED: <name> (no EWS schema)` into EWS_SKIP_LOG; the
# summary lists them, never as passed. EWS_SCHEMA_REQUIRED=1 (set by .ci/run) makes a missing
# schema fail instead.
if [ -z "${EWS_SCHEMA_DIR:-}" ] && [ -d ../shared/ews-schema ]; then
  EWS_SCHEMA_DIR=$(cd ../shared/ews-schema && pwd)
  export EWS_SCHEMA_DIR
fi
if [ -n "${EWS_SCHEMA_DIR:-}" ]; then
  EWS_SCHEMA_DIR=$(cd "$EWS_SCHEMA_DIR" && pwd)
  export EWS_SCHEMA_DIR
fi
EWS_SKIP_LOG=$(mktemp)
export EWS_SKIP_LOG
summary() {
  local status=$?
  local skipped
  skipped=$(sort -u "$EWS_SKIP_LOG")
  rm -f "$EWS_SKIP_LOG"
  printf '\n==> summary\n'
  printf 'EWS schema: %s\n' "${EWS_SCHEMA_DIR:-none (set EWS_SCHEMA_DIR, see docs/ews-schema.md)}"
  if [ -n "$skipped" ]; then
    printf '%s\n' "$skipped"
    printf '%s checks SKIPPED (not passed), each with its reason above\n' "$(printf '%s\n' "$skipped" | wc -l)"
  else
    printf '0 checks skipped\n'
  fi
  if [ "$status" -eq 0 ]; then
    printf 'all steps passed in %ss\n' "$((SECONDS - start))"
  else
    printf 'FAILED (exit %s) after %ss\n' "$status" "$((SECONDS - start))"
  fi
}
trap summary EXIT

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

# Newcomer checks: every README command runs; the crates build with their rust-version and
# package for crates.io; known advisories are fixed in Cargo.lock.
for s in readme msrv publish advisories; do
  step "$s"
  bash ".ci/steps/$s.sh"
done

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked >/dev/null
