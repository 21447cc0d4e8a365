#!/usr/bin/env bash
# Interoperability with a real EWS server written independently of this project: grommunio's
# gromox, built from the pinned sources in ../shared/real-servers/gromox (beside the clone).
#
# Builds gromox once (cached in $ROOT, keyed by the tarballs' names), starts MariaDB and gromox
# http on free ports with two mailboxes (Basic), runs tests/interop/gromox.py against it, and
# stops both. The driver restarts gromox http (not its data) halfway through the run.
#
# Without ../shared/real-servers/gromox this step prints `SKIPPED: gromox interop (...)` and
# succeeds, unless EWS_GROMOX_REQUIRED=1, when it fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
GX=${GROMOX_DIR:-$repo/../shared/real-servers/gromox}
if [ ! -x "$GX/gromox.sh" ]; then
    line="SKIPPED: gromox interop (no ../shared/real-servers)"
    echo "$line"
    if [ -n "${EWS_SKIP_LOG:-}" ]; then echo "$line" >>"$EWS_SKIP_LOG"; fi
    if [ "${EWS_GROMOX_REQUIRED:-0}" = 1 ]; then
        echo "gromox: EWS_GROMOX_REQUIRED=1 and $GX/gromox.sh is missing" >&2
        exit 1
    fi
    exit 0
fi
GX=$(cd "$GX" && pwd)
started=$SECONDS

# The build cache: one directory per set of tarballs (gromox.sh compiles ROOT into the build).
key=$(cd "$GX" && ls -- *.tar.xz | sort | sha256sum | cut -c1-12)
export ROOT=${GROMOX_ROOT:-$HOME/.cache/ews-notify/gromox-$key}
if [ ! -x "$ROOT/src-gromox/.libs/http" ] || [ ! -f "$ROOT/build.done" ]; then
    mkdir -p "$ROOT"
    echo "gromox: building into $ROOT (about 6 minutes on 2 cores)"
    "$GX/gromox.sh" deps >"$ROOT/deps.log" 2>&1 || { tail -20 "$ROOT/deps.log" >&2; exit 1; }
    "$GX/gromox.sh" build >"$ROOT/build.log" 2>&1 || { tail -40 "$ROOT/build.log" >&2; exit 1; }
    touch "$ROOT/build.done"
else
    echo "gromox: cached build in $ROOT"
fi
build_s=$((SECONDS - started))

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export HTTPPORT=${HTTPPORT:-$(free_port)} MYPORT=${MYPORT:-$(free_port)}

cargo build -q -p ews-notify-cli --locked
bin=$CARGO_TARGET_DIR/debug/ews-notify

# gromox.sh's functions (start, its PIDS), without running any of its commands: it runs
# nothing for an argument it does not know.
# shellcheck source=/dev/null
source "$GX/gromox.sh" --functions-only
if ! declare -F start >/dev/null; then
    echo "gromox: $GX/gromox.sh has no start function any more" >&2
    exit 1
fi
start_s=$SECONDS
start >"$ROOT/start.log" 2>&1 || { tail -20 "$ROOT/start.log" >&2; exit 1; }
cd "$repo"
# The driver restarts http itself; the pid file always names the running one.
pidfile=$ROOT/http.pid
echo "${PIDS[0]}" >"$pidfile"
stop_all() {
    local p
    p=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
        kill "$p" 2>/dev/null || true
        while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
    fi
    PIDS=("${PIDS[@]:1}")   # http is gone; gromox.sh's cleanup stops MariaDB
    cleanup
}
trap stop_all EXIT
echo "gromox: serving $URL (up in $((SECONDS - start_s))s)"

rc=0
EWS_GROMOX_URL=$URL GROMOX_HTTP_PIDFILE=$pidfile GROMOX_HTTP_DIR=$ROOT/src-gromox \
GROMOX_HTTP_LOG=$ROOT/http.log EWS_NOTIFY_BIN=$bin \
    python3 tests/interop/gromox.py || rc=$?
echo "gromox: build ${build_s}s (0 when cached), whole step $((SECONDS - started))s"
exit $rc
