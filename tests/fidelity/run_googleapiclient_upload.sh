#!/usr/bin/env bash
# Runs Google's own Python client (Debian's python3-googleapi) against a gapi-emulator that
# this script starts on 127.0.0.1 and that stops by itself.
#
#   tests/fidelity/run_googleapiclient_upload.sh EXAMPLES_DIR
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3 # Debian's packages live in the system interpreter
if ! "$python" -c 'import googleapiclient, google_auth_httplib2' 2>/dev/null; then
    if [ -n "${CI:-}" ]; then
        echo "python3-googleapi or python3-google-auth-httplib2 is missing; .ci/install-deps installs them" >&2
        exit 1
    fi
    echo "SKIPPED: python3-googleapi is not installed (apt-get install python3-googleapi python3-google-auth-httplib2)"
    exit 77
fi
work=$(mktemp -d)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
# Plain HTTP, then HTTPS with the emulator's own CA (written to STATE_DIR/ca.pem).
for mode in plain tls; do
    state="$work/$mode"
    mkdir -p "$state"
    flags=()
    [ "$mode" = tls ] && flags=(--tls)
    "$bin/gapi-emulator" --state-dir "$state" --duration 120 "${flags[@]}" > "$state/url" &
    pid=$!
    for _ in $(seq 200); do [ -s "$state/url" ] && [ -s "$state/token.json" ] && break; sleep 0.05; done
    url=$(head -n1 "$state/url")
    [ -n "$url" ] || { echo "the emulator did not start" >&2; exit 1; }
    echo "== $mode: $url"
    "$python" "$here/googleapiclient_upload.py" "$url" "$state" "$here/../../api/gmail-v1.json" "$here/../../api/calendar-v3.json"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
done
