#!/usr/bin/env bash
# Runs Google's own Node client (npm `googleapis`) against gapi-emulator. Not part of
# the default test run: it needs Node.js and the npm registry.
#
#   tests/fidelity/run_googleapis_node.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build/release}" && pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cp "$here/googleapis_node.mjs" "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund googleapis >/dev/null)
echo "googleapis $(node -p "require('$work/node_modules/googleapis/package.json').version")"

"$build/examples/gapi-emulator" --state-dir "$work/state" --calendar-fixture 2:20 --duration 120 > "$work/out" &
pid=$!
for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
base=$(head -n1 "$work/out")
node "$work/googleapis_node.mjs" "$base" "$work/state"
curl -s "$base/_emulator/stats" | head -c 400; echo
