#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (clang-14, AddressSanitizer and UBSan):
#
#   scripts/fuzz.sh TARGET [SECONDS]   one target (default 600 s)
#   scripts/fuzz.sh all [SECONDS]      every target in turn (CI: a short time each)
#   scripts/fuzz.sh list               the targets
#
# Builds build-fuzz/ (installing clang-14 and libclang-rt-14-dev when missing), then
# runs the target on its checked-in seeds (tests/fuzz/corpus/TARGET, never written)
# plus the inputs it found before (build-fuzz/corpus/TARGET). A finding is saved as
# build-fuzz/findings/TARGET/crash-* and the script exits 1; otherwise it prints the
# executions per second. Mutations follow FUZZ_SEED (default 1), so a run can be
# repeated; how far it gets in SECONDS depends on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

targets() { ls tests/fuzz/corpus; }
if [ "${1:-}" = "" ] || [ "$1" = "list" ]; then
    [ "${1:-}" = "list" ] || echo "usage: scripts/fuzz.sh TARGET|all [SECONDS]; targets:" >&2
    targets
    [ "${1:-}" = "list" ]
    exit $?
fi
target=$1
seconds=${2:-600}
if [ "$target" != all ] && [ ! -d "tests/fuzz/corpus/$target" ]; then
    echo "fuzz: no target '$target' (scripts/fuzz.sh list)" >&2
    exit 2
fi

CXX=clang++-14 SETUP_TARGET=fuzzers SETUP_PACKAGES="clang-14 libclang-rt-14-dev" scripts/setup.sh build-fuzz -DIOMMU_SIM_FUZZ=ON >/dev/null

export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# A finding's input in the log as base64, with the command that replays it: a CI
# machine is gone when its log is read, and its findings directory with it.
print_inputs() {
    local t=$1 f
    for f in "$2"/crash-* "$2"/timeout-* "$2"/oom-* "$2"/leak-*; do
        [ -f "$f" ] || continue
        if [ "$(stat -c %s "$f")" -gt 65536 ]; then
            echo "fuzz $t: $f is over 64 KiB, not printed" >&2
            continue
        fi
        echo "fuzz $t: to replay $(basename "$f"), paste these lines in the project:" >&2
        echo "base64 -d > finding <<'EOF'" >&2
        base64 -w 76 "$f" >&2
        echo "EOF" >&2
        echo "build-fuzz/tests/fuzz/fuzz_$t finding" >&2
    done
}

run_one() {
    local t=$1 found=build-fuzz/corpus/$1 findings=build-fuzz/findings/$1
    mkdir -p "$found" "$findings"
    local log=build-fuzz/findings/$t.log
    if ! "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -seed="${FUZZ_SEED:-1}" \
            -artifact_prefix="$findings/" -timeout=25 -rss_limit_mb=4096 \
            "$found" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        grep -a -m 3 '^fuzz: ' "$log" >&2 || true  # the target's own verdict, often above the tail
        echo "fuzz $t: FINDING, input in $findings/ (log $log)" >&2
        print_inputs "$t" "$findings"
        return 1
    fi
    local runs rate
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz $t: ${runs} executions in ${seconds} s (${rate} per second), no finding"
}

if [ "$target" = all ]; then
    status=0
    for t in $(targets); do run_one "$t" || status=1; done
    exit $status
fi
run_one "$target"
