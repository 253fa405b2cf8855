#!/usr/bin/env bash
# Load test of the emulator itself: messages.send over keep-alive HTTP with 64
# connections, driven by wrk on the same machine. Prints requests/s of each run and
# their mean and spread. The emulator must not be what limits client benchmarks.
#
#   benchmarks/emulator_send_wrk.sh [BUILD_DIR] [RUNS] [SECONDS] [EMULATOR_THREADS]
set -euo pipefail
build=${1:-build/release}
runs=${2:-3}
seconds=${3:-10}
threads=${4:-1}
emulator="$build/examples/gapi-emulator"
[ -x "$emulator" ] || { echo "build first: cmake --workflow --preset demo ($emulator missing)" >&2; exit 1; }
source "$(dirname "$0")/wrk_common.sh"

# Each run gets a fresh emulator, so that runs compare: the emulator keeps every
# message, and a store of millions of messages costs memory growth (page faults) that
# a client benchmark of ordinary length never meets. Quota off: this measures the
# server, not Google's limits. The emulator stops by itself after the longest a run can take.
start_emulator() {
    rm -f "$work/out"
    "$emulator" --quota off --threads "$threads" --state-dir "$work" --duration $(( seconds + 30 )) > "$work/out" &
    pid=$!
    for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
    base=$(head -n1 "$work/out")
    token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$work/token.json")
    [ -n "$token" ] || { echo "no access token in $work/token.json" >&2; exit 1; }
    # A small message to an address outside the emulator, so nothing is delivered twice.
    raw=$(printf 'From: user1@example.com\r\nTo: someone@elsewhere.example\r\nSubject: load\r\nMessage-ID: <load@example.com>\r\n\r\nbody\r\n' \
          | base64 -w0 | tr '+/' '-_' | tr -d '=')
    cat > "$work/send.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"raw":"$raw"}'
LUA
    cat > "$work/profile.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
}

stop_emulator() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}

echo "gapi-emulator (threads $threads, fresh for each run); wrk: 64 connections, 2 threads, ${seconds}s x $runs"
results=()
for run in $(seq "$runs"); do
    start_emulator
    out=$(wrk -t2 -c64 -d"${seconds}s" -s "$work/send.lua" "$base/gmail/v1/users/me/messages/send")
    rss=$(ps -o rss= -p "$pid" | tr -d ' ')
    # The lightest authorized call, right after: how fast the machine is at the moment
    # (these machines vary), so that a slow run can be told from a slow emulator.
    reference=$(wrk -t2 -c64 -d3s -s "$work/profile.lua" "$base/gmail/v1/users/me/profile" \
                | awk '/^Requests\/sec/ {print $2}')
    stop_emulator
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    total=$(echo "$out" | awk '/requests in/ {print $1}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    errors=$(echo "$out" | awk '/Socket errors/ {print $0}')
    echo "run $run: $rps requests/s ($total messages stored, emulator RSS $(( rss / 1024 )) MiB;" \
         "getProfile after it: $reference requests/s)${non2xx:+, non-2xx: $non2xx}${errors:+, $errors}"
    results+=("$rps")
done
printf '%s\n' "${results[@]}" | awk '{ s += $1; ss += $1 * $1; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
    END { m = s / NR; sd = sqrt(ss / NR - m * m); printf "messages.send: mean %.0f requests/s, min %.0f, max %.0f, stddev %.0f (%.1f%%)\n", m, min, max, sd, 100 * sd / m }'
