#!/usr/bin/env bash
# Web demo (web-demo/): build the page and the WebAssembly package into web-demo/dist, then
# drive it in headless Debian chromium with npm playwright-core (pinned), served by
# python3 -m http.server on a free local port. Needs the tools .ci/steps/wasm.sh installs.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ews-notify/target}"

if ! command -v chromium >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

web-demo/build.sh

cd web-demo
want=$(node -p "require('./package.json').devDependencies['playwright-core']")
have=$(node -p "try { require('./node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$have" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node --test tests/
