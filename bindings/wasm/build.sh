#!/usr/bin/env bash
# Builds the WebAssembly package into bindings/wasm/pkg/: release build for
# wasm32-unknown-unknown, wasm-bindgen --target web (an ES module that browsers load as is and
# Node imports), then wasm-opt -Oz from npm binaryen. Prints the size.
#
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli at the Cargo.lock version,
# `npm install` in this folder (binaryen, typescript). .ci/steps/wasm.sh installs them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"
out="$here/pkg"

cd "$root"
cargo build -p ews-notify-wasm --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name ews_notify \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/ews_notify_wasm.wasm"
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must know them.
"$here/node_modules/.bin/wasm-opt" -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/ews_notify_bg.wasm" -o "$out/ews_notify_bg.wasm"

version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
# One package for browsers, bundlers and Node: browsers and bundlers take ews_notify.js (its
# init() fetches the .wasm beside it, which bundlers follow through `new URL(..., import.meta.url)`);
# Node takes node.js, whose init() reads the .wasm from disk, as Node's fetch cannot read file:
# URLs. Both export the same functions.
cat > "$out/node.js" <<'JS'
// Node entry of ews-notify-wasm: the same exports as ews_notify.js, with an init() that reads
// the WebAssembly module from disk instead of fetching it.
import { readFileSync } from "node:fs";
import wasmInit, { initSync } from "./ews_notify.js";

export * from "./ews_notify.js";

/** Loads the module; with no argument, from ews_notify_bg.wasm beside this file. */
export default async function init(input) {
  if (input === undefined) {
    input = { module_or_path: readFileSync(new URL("./ews_notify_bg.wasm", import.meta.url)) };
  }
  return wasmInit(input);
}

export { initSync };
JS
cp "$here/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$out/"
cat > "$out/package.json" <<JSON
{
  "name": "ews-notify-wasm",
  "version": "$version",
  "description": "Parse Exchange (EWS) notifications, decode GlobalObjectIds and build EWS requests, in browsers, bundlers and Node (WebAssembly)",
  "license": "MIT OR Apache-2.0",
  "keywords": ["exchange", "ews", "notifications", "calendar", "wasm"],
  "type": "module",
  "main": "ews_notify.js",
  "types": "ews_notify.d.ts",
  "exports": {
    ".": {
      "types": "./ews_notify.d.ts",
      "node": "./node.js",
      "default": "./ews_notify.js"
    },
    "./ews_notify_bg.wasm": "./ews_notify_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": ["ews_notify.js", "node.js", "ews_notify.d.ts", "ews_notify_bg.wasm", "ews_notify_bg.wasm.d.ts", "README.md", "LICENSE-MIT", "LICENSE-APACHE"],
  "sideEffects": ["./snippets/*"]
}
JSON

raw=$(wc -c < "$out/ews_notify_bg.wasm")
gz=$(gzip -9 -c "$out/ews_notify_bg.wasm" | wc -c)
echo "ews_notify_bg.wasm: $raw bytes raw, $gz bytes gzipped (budget 256000 raw)"
if [ "$raw" -ge 256000 ]; then
    echo "error: the wasm module is over its 250 KB budget" >&2
    exit 1
fi
