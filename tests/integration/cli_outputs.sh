#!/usr/bin/env bash
# Output that cannot be lost silently (issue 11): every output written to a full disk
# (/dev/full) is an error naming the file, exit status 2, and the run's summary still
# reaches the terminal, --quiet or not.
source "$(dirname "$0")/cli_common.sh"
cd "$root"

check() {  # NAME, then iommu-sim's arguments
    local name=$1
    shift
    "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ] || ! grep -q '/dev/full: cannot write file' "$tmp/err" ||
       ! grep -q 'DMA transactions' "$tmp/out" "$tmp/err"; then
        echo "FAIL $name: rc=$rc, stderr: $(head -c 300 "$tmp/err")"
        fail=1
    else
        echo "ok   $name"
    fi
}

[ -w /dev/full ] || { echo "skip: no /dev/full"; exit 0; }
run=(--config configs/bench-vtd.ini --dev.requests=100)
check stats-json "${run[@]}" --stats-json /dev/full
check stats-json-quiet "${run[@]}" --stats-json /dev/full --quiet
check timeline "${run[@]}" --timeline /dev/full --quiet
check record-trace "${run[@]}" --record-trace /dev/full --quiet
replay=(replay --config configs/replay-vtd.ini --trace traces/samples/dma.trace)
check op-log "${replay[@]}" --op-log /dev/full --quiet
check replay-stats "${replay[@]}" --op-log /dev/null --stats-json /dev/full --quiet
check workload-op-log --config configs/replay-vtd.ini --workload.type=replay \
    --replay.trace=traces/samples/dma.trace --replay.op_log=/dev/full --quiet
exit $fail
