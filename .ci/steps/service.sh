#!/usr/bin/env bash
# The service (`ews-notify serve`): its sink tests against real brokers (required here, never
# skipped), the crash tests against the real `ews-notify` binary including the heavy runs (50
# mailboxes, 10 SIGKILLs), `serve --check` on the example config, and the systemd unit.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}

need_apt=()
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || need_apt+=(nats-server)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need_apt+=(rabbitmq-server)
if [ "${#need_apt[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# The Debian packages start nothing here (no systemd in CI); the tests start their own.
export PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"
export EWS_NOTIFY_REQUIRE_SINKS=1

cargo build -q -p ews-notify-cli --locked
bin="$CARGO_TARGET_DIR/debug/ews-notify"

# The crash and sink tests against the real binary, heavy runs included.
EWS_NOTIFY_BIN="$bin" cargo test -q -p ews-notify-service --locked --test crash --test nats --test sinks \
  --test mailbox_set \
  -- --include-ignored --skip streaming

# serve --check: the example is valid; a bad key is named.
EWS_PASSWORD=x "$bin" serve --config deploy/ews-notify.example.toml --check
if out=$(EWS_PASSWORD=x EWS_NOTIFY_STATE__OUTBOX_MAX=many "$bin" serve \
    --config deploy/ews-notify.example.toml --check 2>&1); then
  echo "service: serve --check accepted outbox_max = many" >&2
  exit 1
fi
grep -q 'state.outbox_max' <<<"$out" || { echo "service: --check did not name the key: $out" >&2; exit 1; }

# The systemd unit, pointed at the built binary (verify needs an existing ExecStart).
if command -v systemd-analyze >/dev/null; then
  tmp=$(mktemp -d)
  sed "s|/usr/local/bin/ews-notify |$bin |" deploy/ews-notify.service >"$tmp/ews-notify.service"
  systemd-analyze verify "$tmp/ews-notify.service"
  rm -rf "$tmp"
else
  line="SKIPPED: systemd unit check (no systemd-analyze)"
  echo "$line"
  if [ -n "${EWS_SKIP_LOG:-}" ]; then echo "$line" >>"$EWS_SKIP_LOG"; fi
fi
echo "service: ok"
