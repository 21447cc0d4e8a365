#!/usr/bin/env bash
# Node package `ews-notify` (bindings/node): install the pinned npm tools, build the addon with
# napi (release), fail when the regenerated index.d.ts / index.js differ from the committed ones,
# run the node --test suite (corpus conformance, GOID vectors, streaming, errors, types, ESM)
# and tsc --noEmit on the typed usage file.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
cd bindings/node

# Versions are pinned in package.json and package-lock.json. `npm install`, not `npm ci`: the
# lock lacks other platforms' optional packages. Skipped when the pinned tools are in place.
napi_version=$(node -p "require('./package.json').devDependencies['@napi-rs/cli']")
tsc_version=$(node -p "require('./package.json').devDependencies.typescript")
installed() { # installed PACKAGE VERSION
  [ "$(node -p "try { require('./node_modules/$1/package.json').version } catch { '' }")" = "$2" ]
}
if ! installed @napi-rs/cli "$napi_version" || ! installed typescript "$tsc_version" \
  || [ ! -d node_modules/@types/node ]; then
  npm install --no-audit --no-fund --loglevel=error
fi

npx napi build --platform --release
# The generated declarations and loader are committed: a change must be committed with them.
git diff --exit-code -- index.d.ts index.js

node --test test/
npx tsc --noEmit -p test/types
