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

# Plain HTTP, then HTTPS with the emulator's CA (Node reads NODE_EXTRA_CA_CERTS at start).
for mode in plain tls; do
    state="$work/state-$mode"
    flags=()
    [ "$mode" = tls ] && flags=(--tls)
    "$build/examples/gapi-emulator" --state-dir "$state" --calendar-fixture 2:20 --duration 120 "${flags[@]}" > "$work/out-$mode" &
    pid=$!
    for _ in $(seq 100); do [ -s "$work/out-$mode" ] && [ -s "$state/token.json" ] && break; sleep 0.05; done
    base=$(head -n1 "$work/out-$mode")
    echo "== $mode: $base"
    if [ "$mode" = tls ]; then
        NODE_EXTRA_CA_CERTS="$state/ca.pem" node "$work/googleapis_node.mjs" "$base" "$state"
    else
        node "$work/googleapis_node.mjs" "$base" "$state"
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
