#!/usr/bin/env bash
# Builds Google's own Go client (Debian's golang-google-api-dev, in GOPATH mode: no module
# download) into tests/fidelity/googleapis_go.go's program and runs it against a
# gapi-emulator that this script starts on 127.0.0.1 and that stops by itself, over plain
# HTTP and over TLS.
#
#   tests/fidelity/run_googleapis_go.sh EXAMPLES_DIR
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
gocode=/usr/share/gocode # where Debian's Go library packages put their sources
if ! command -v go >/dev/null || [ ! -d "$gocode/src/google.golang.org/api/gmail/v1" ]; then
    if [ -n "${CI:-}" ]; then
        echo "golang-go or golang-google-api-dev is missing; .ci/install-deps installs them" >&2
        exit 1
    fi
    echo "SKIPPED: Go's Google client is not installed (apt-get install golang-go golang-google-api-dev)"
    exit 77
fi
work=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
# The build cache stays in the build tree: later runs need not rebuild gRPC and the API packages.
GO111MODULE=off GOPATH="$gocode" GOCACHE="$bin/go-cache" GOFLAGS= \
    go build -o "$work/googleapis_go" "$here/googleapis_go.go"
echo "google-api-go-client $(dpkg-query -W -f '${Version}' golang-google-api-dev 2>/dev/null || echo '?'), $(go version)"
for mode in plain tls; do
    state="$work/$mode"
    mkdir -p "$state"
    flags=()
    [ "$mode" = tls ] && flags=(--tls)
    "$bin/gapi-emulator" --state-dir "$state" --calendar-fixture 2:20 --duration 120 "${flags[@]}" > "$state/url" &
    pid=$!
    for _ in $(seq 200); do [ -s "$state/url" ] && [ -s "$state/token.json" ] && break; sleep 0.05; done
    url=$(head -n1 "$state/url")
    [ -n "$url" ] || { echo "the emulator did not start" >&2; exit 1; }
    echo "== $mode: $url"
    "$work/googleapis_go" "$url" "$state"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done
