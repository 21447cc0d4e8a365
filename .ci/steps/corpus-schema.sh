#!/usr/bin/env bash
# Validates the corpus envelopes listed as schema-valid against Exchange's EWS schema.
set -euo pipefail
if ! command -v xmllint >/dev/null; then
    if [[ $(id -u) == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq libxml2-utils >/dev/null
    fi
fi
tests/corpus/validate.sh
