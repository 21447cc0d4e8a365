#!/usr/bin/env bash
# Instructions per parse and per bare quick-xml loop (valgrind --tool=callgrind), for every
# parse input of the benches, and their ratio (bare / parse: the same sense as the throughput
# ratio). Load-independent, unlike criterion's times. Run from the repository root:
#
#     benches/instructions.sh
set -euo pipefail
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}
cargo build -q --release -p ews-notify-benches --example instructions
bin=$CARGO_TARGET_DIR/release/examples/instructions
inputs=(
  push/created_event_wrapped_tags.xml
  pull/get_events_1000_events.xml
  pull/get_events_every_event_kind.xml
  streaming/streaming_several_notifications.xml
  fault/fault_server_busy_backoff.xml
)
ir() { # job path runs -> total Ir
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_run() { # job path -> Ir per run
  local n=21
  [[ $2 == *1000* ]] && n=3
  local a b
  a=$(ir "$1" "$2" 1)
  b=$(ir "$1" "$2" "$n")
  echo $(((b - a) / (n - 1)))
}
printf '| input | bare loop | parse | ratio |\n|---|---:|---:|---:|\n'
for p in "${inputs[@]}"; do
  bare=$(per_run bare "$p")
  parse=$(per_run parse "$p")
  ratio=$(awk -v b="$bare" -v p="$parse" 'BEGIN { printf "%.2f", b / p }')
  printf '| `%s` | %s | %s | %s |\n' "$p" "$bare" "$parse" "$ratio"
done
