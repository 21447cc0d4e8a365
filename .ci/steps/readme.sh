#!/usr/bin/env bash
# Every shell command of README.md runs (tests/readme.sh explains the markers).
set -euo pipefail
cd "$(dirname "$0")/../.."
tests/readme.sh
