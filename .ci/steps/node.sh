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

# npm leaves symbolic links out of a package: the licenses here are copies of the root's.
cmp ../../LICENSE-MIT LICENSE-MIT && cmp ../../LICENSE-APACHE LICENSE-APACHE
# Ship the addon without debug symbols (10 MB unstripped, about 1 MB stripped).
strip --strip-unneeded ./*.node
node --test test/
npx tsc --noEmit -p test/types

# The package as users get it: `npm pack` (size printed), installed from the tarball into a
# scratch project that has never seen this folder, and used there by name.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
npm pack --json --pack-destination "$scratch" >"$scratch/pack.json"
node -e '
  const [p] = require(process.argv[1]);
  const files = p.files.map((f) => f.path);
  for (const need of ["main.js", "main.d.ts", "stream.js", "index.js", "index.mjs", "index.d.ts", "LICENSE-MIT", "LICENSE-APACHE", "README.md"])
    if (!files.includes(need)) { console.error(`${need} missing from the package`); process.exit(1); }
  if (!files.some((f) => f.endsWith(".node"))) { console.error("no addon in the package"); process.exit(1); }
  console.log(`npm pack ${p.filename}: ${p.size} bytes packed, ${p.unpackedSize} unpacked, ${files.length} files`);
' "$scratch/pack.json"
mkdir "$scratch/project"
echo '{ "name": "scratch", "private": true }' >"$scratch/project/package.json"
(cd "$scratch/project" && npm install --no-audit --no-fund --offline --loglevel=error "$scratch"/ews-notify-*.tgz)
cat >"$scratch/project/smoke.mjs" <<'JS'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import ews, { parseNotification, splitStream } from 'ews-notify'
const body = readFileSync(process.argv[2])
const kinds = []
for await (const envelope of splitStream(Readable.from([body]))) kinds.push(parseNotification(envelope).kind)
if (kinds.length < 2 || typeof ews.GlobalObjectId !== 'function') throw new Error(`unexpected: ${kinds}`)
console.log(`installed package: ${kinds.length} envelopes through splitStream`)
JS
(cd "$scratch/project" && node smoke.mjs "$OLDPWD/../../tests/corpus/streaming/bodies/streaming_two_envelopes_then_closed.xml")
