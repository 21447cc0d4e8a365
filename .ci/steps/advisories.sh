#!/usr/bin/env bash
# Security advisories against Cargo.lock.
#
# 1. Always: the advisories we know of (.ci/known-advisories.txt) against the locked versions.
# 2. `cargo audit` when an advisory database is at hand: RUSTSEC_DB (a checkout of the RustSec
#    advisory-db) and a cargo-audit binary. The database is published only as a git repository
#    on GitHub, which this CI cannot reach, and no package on crates.io, PyPI or npm ships it;
#    without it the step says so and is listed as SKIPPED in the summary, never as passed.
set -euo pipefail
cd "$(dirname "$0")/../.."

failed=0
while read -r crate fixed id what; do
  case $crate in ''|'#'*) continue ;; esac
  while read -r locked; do
    [ -n "$locked" ] || continue
    if [ "$(printf '%s\n%s\n' "$fixed" "$locked" | sort -V | head -1)" != "$fixed" ]; then
      echo "FAIL $crate $locked is locked: $id ($what) is fixed in $fixed"
      failed=1
    else
      echo "ok   $crate $locked (>= $fixed, $id)"
    fi
  done < <(awk -v c="$crate" '$1=="name" && $3=="\""c"\"" {getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
done < .ci/known-advisories.txt
[ "$failed" -eq 0 ] || exit 1

if [ -n "${RUSTSEC_DB:-}" ] && [ -d "$RUSTSEC_DB" ] && command -v cargo-audit >/dev/null; then
  cargo audit --db "$RUSTSEC_DB" --no-fetch --deny warnings
else
  line="SKIPPED: cargo audit (no RustSec advisory database: it is published only on GitHub, which CI cannot reach; set RUSTSEC_DB to a checkout and install cargo-audit to run it)"
  echo "$line"
  if [ -n "${EWS_SKIP_LOG:-}" ]; then echo "$line" >>"$EWS_SKIP_LOG"; fi
fi
