#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (CI: a bounded smoke run), from its seed
# corpus under tests/fuzz/corpus/<name>/, after replaying every input kept under
# tests/fuzz/crashes/<name>/ (each once: what was found and fixed stays fixed).
#
#   tests/fuzz/run.sh [BUILD_DIR] [SECONDS] [NAME...]     (build first: the `fuzz` preset)
#
# A finding stops that target; its input is written to FINDINGS_DIR (default
# build/fuzz/findings) and the script exits 1 after running the others. The mutations
# follow FUZZ_SEED (default 1: CI's smoke run explores the same inputs every time, so that
# it cannot turn red by chance); the long run (README, "Hardening") takes more seconds and
# FUZZ_SEED=0, a new random seed each run.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build/fuzz}
seconds=${2:-30}
shift $(( $# > 2 ? 2 : $# ))
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(batch_response http_response json_resources credential_files mime_message rfc3339
                                 merge_input emulator_mime emulator_batch)
findings=${FINDINGS_DIR:-$build/findings}
mkdir -p "$findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for name in "${names[@]}"; do
    fuzzer="$build/tests/fuzz/fuzz_$name"
    [ -x "$fuzzer" ] || { echo "missing $fuzzer: cmake --preset fuzz && cmake --build --preset fuzz" >&2; exit 2; }
    if compgen -G "$here/crashes/$name/*" > /dev/null; then
        if ! "$fuzzer" "$here"/crashes/"$name"/* > "$work/$name.replay" 2>&1; then
            echo "== $name: a kept crash input fails again"; tail -n 30 "$work/$name.replay"
            failed+=("$name"); continue
        fi
    fi
    mkdir -p "$work/$name"
    # New inputs go to the scratch directory first in the list; the seeds stay as they are.
    if "$fuzzer" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
            -artifact_prefix="$findings/$name-" "$work/$name" "$here/corpus/$name" > "$work/$name.log" 2>&1; then
        echo "== $name: clean for ${seconds} s ($(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -n1), $(grep -c . <(ls "$work/$name")) new inputs)"
    else
        echo "== $name: FINDING"; tail -n 40 "$work/$name.log"
        failed+=("$name")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzers with findings: ${failed[*]} (inputs in $findings)"
    exit 1
fi
