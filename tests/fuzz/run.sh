#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR for SECONDS each, from a copy of its
# committed seed corpus (the corpus in the repository is never written).
# Fails on the first crash, leak or timeout.
#   tests/fuzz/run.sh build-asan/tests/fuzz 20
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for bin in "$build"/fuzz_*; do
    [[ -x "$bin" ]] || continue
    name=$(basename "$bin")
    mkdir -p "$work/$name"
    cp -r "$here/corpus/$name/." "$work/$name/" 2>/dev/null || true
    log="$work/$name.log"
    if "$bin" "$work/$name" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$work/$name-" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
        echo "$name: ok, $runs runs in ${seconds}s"
    else
        echo "$name: FAILED"
        tail -40 "$log"
        mkdir -p "$here/../../build-fuzz-artifacts"
        cp "$work/$name-"* "$here/../../build-fuzz-artifacts/" 2>/dev/null || true
        status=1
    fi
done
exit $status
