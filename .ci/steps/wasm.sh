#!/usr/bin/env bash
# WebAssembly package `ews-notify-wasm` (bindings/wasm): check that core builds for
# wasm32-unknown-unknown without features, install the pinned tools (rustup target,
# wasm-bindgen-cli at the Cargo.lock version, npm binaryen + typescript), build the package
# (release, wasm-bindgen --target web, wasm-opt -Oz; fails over the 250 KB budget), run the
# node --test suite (whole corpus against the goldens, GOID vectors, API) and tsc --noEmit on
# the typed usage file.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"

rustup target add wasm32-unknown-unknown >/dev/null
cargo check -p ews-notify --target wasm32-unknown-unknown --locked

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock. Installed without
# --locked: its own lockfile pins a dependency version the registry no longer has.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  cargo install wasm-bindgen-cli --version "=$want"
fi

cd bindings/wasm
installed() { # installed PACKAGE VERSION
  [ "$(node -p "try { require('./node_modules/$1/package.json').version } catch { '' }")" = "$2" ]
}
if ! installed binaryen "$(node -p "require('./package.json').devDependencies.binaryen")" \
  || ! installed typescript "$(node -p "require('./package.json').devDependencies.typescript")"; then
  npm ci --no-audit --no-fund --loglevel=error
fi

./build.sh
node --test tests/
node_modules/.bin/tsc -p tests/tsconfig.json
