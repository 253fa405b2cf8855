#!/usr/bin/env bash
# gapi-bench beside wrk: the same request, the same endpoint (a gapi-emulator started
# here), the same concurrency and duration; prints both figures and gapi's ratios, over
# plain HTTP and over TLS. wrk runs one thread, as gapi-bench runs one io_context thread.
#
#   benchmarks/bench_vs_wrk.sh [BUILD_DIR] [SECONDS] [CASES...]
#
# A case is OP:CONCURRENCY (default: send:64 send:1 list-events:64 get:64). Each tool gets
# a fresh emulator (quota off), so that neither pays for what the other stored.
# CPU per request: wrk's from the shell's `time` (user + system), gapi-bench's from
# its client thread's CPU clock; both divided by the requests each completed. wrk's
# figure includes opening its connections, so gapi-bench runs without a warm-up too.
set -euo pipefail
build=${1:-build/release}
seconds=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(send:64 send:1 list-events:64 get:64)

emulator="$build/examples/gapi-emulator"
bench="$build/benchmarks/gapi-bench"
for program in "$emulator" "$bench"; do
    [ -x "$program" ] || { echo "build first: cmake --build --preset release --target gapi-emulator gapi-bench ($program missing)" >&2; exit 1; }
done
source "$(dirname "$0")/wrk_common.sh"

# A fresh emulator, listening on 127.0.0.1; stops by itself after the longest a run takes.
start_emulator() { # tls: yes|no
    stop_emulator
    rm -rf "$work/state" && mkdir -p "$work/state"
    local flags=(--quota off --state-dir "$work/state" --duration $(( seconds * 4 + 60 )))
    [ "$1" = yes ] && flags+=(--tls)
    "$emulator" "${flags[@]}" > "$work/emulator.out" &
    pid=$!
    for _ in $(seq 200); do [ -s "$work/emulator.out" ] && [ -s "$work/state/token.json" ] && break; sleep 0.05; done
    base=$(head -n1 "$work/emulator.out")
    bench_flags=(--endpoint "$base" --token "$work/state/token.json" --warm-up 0)
    [ "$1" = yes ] && bench_flags+=(--ca-file "$work/state/ca.pem")
    return 0
}
stop_emulator() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    pid=
}

json_field() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v:=v[k] for k in sys.argv[1].split(".")]; print(v)' "$1"; }

printf '%-5s %-12s %4s | %10s %10s %6s | %8s %8s %6s | %8s %8s %6s\n' mode op c "wrk req/s" "gapi req/s" ratio \
       "wrk us" "gapi us" ratio "wrk p50" "gapi p50" ratio
for tls in no yes; do
    mode=$([ "$tls" = yes ] && echo tls || echo plain)
    for case in "${cases[@]}"; do
        op=${case%%:*}
        c=${case##*:}
        # wrk: the request gapi-bench sends (its --json names it), after gapi-bench made
        # what the request reads (messages, events) in this emulator.
        start_emulator "$tls"
        sample=$("$bench" "${bench_flags[@]}" --op "$op" -n 1 -c 1 --json)
        token=$(json_field token < "$work/state/token.json")
        method=$(json_field request.method <<<"$sample")
        target=$(json_field request.target <<<"$sample")
        content_type=$(json_field request.content_type <<<"$sample")
        json_field request.body <<<"$sample" > "$work/body"
        cat > "$work/request.lua" <<LUA
local f = io.open("$work/body", "rb"); local body = f:read("*a"):gsub("\\n$", ""); f:close()
wrk.method = "$method"
wrk.headers["Authorization"] = "Bearer $token"
if "$content_type" ~= "" then wrk.headers["Content-Type"] = "$content_type" end
if body ~= "" then wrk.body = body end
LUA
        wrk_connections=$c
        TIMEFORMAT='%U %S'
        { time wrk -t1 -c"$wrk_connections" -d"${seconds}s" --latency -s "$work/request.lua" "$base$target" > "$work/wrk.out"; } 2> "$work/wrk.time"
        wrk_rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
        wrk_total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
        wrk_cpu_us=$(awk -v n="$wrk_total" '{printf "%.1f", ($1 + $2) * 1e6 / n}' "$work/wrk.time")
        wrk_p50_ms=$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } printf "%.3f", v }' "$work/wrk.out")
        non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
        [ -z "$non2xx" ] || echo "warning: wrk got $non2xx non-2xx answers for $op" >&2

        start_emulator "$tls"
        gapi=$("$bench" "${bench_flags[@]}" --op "$op" -n $(( wrk_total * 2 )) -c "$c" --duration "$seconds" --json)
        stop_emulator
        gapi_rps=$(json_field requests_per_second <<<"$gapi")
        gapi_cpu_us=$(json_field cpu_us_per_request <<<"$gapi")
        gapi_p50_ms=$(json_field p50_ms <<<"$gapi")
        failed=$(json_field failed <<<"$gapi")
        [ "$failed" = 0 ] || echo "warning: $failed gapi-bench calls failed for $op" >&2
        awk -v m="$mode" -v op="$op" -v c="$c" -v wr="$wrk_rps" -v gr="$gapi_rps" -v wc="$wrk_cpu_us" -v gc="$gapi_cpu_us" \
            -v wp="$wrk_p50_ms" -v gp="$gapi_p50_ms" 'BEGIN {
            printf "%-5s %-12s %4d | %10.0f %10.0f %5.2fx | %8.1f %8.1f %5.2fx | %8.3f %8.3f %5.2fx\n",
                   m, op, c, wr, gr, gr / wr, wc, gc, gc / wc, wp, gp, gp / wp }'
    done
done
echo "ratios are gapi / wrk: requests/s (higher is better), client CPU per request and p50 latency (lower is better)"
