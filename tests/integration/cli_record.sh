#!/usr/bin/env bash
# --record-trace: a run writes what it did as a trace, and replaying that trace
# reproduces the run's statistics, in both timing modes.
#  - a synthetic run (devices' own requests, the boot map): every statistic but the
#    replay's own (iommufd.*: requests fed) and verified_bytes (a fed read is checked
#    against the device's writes; a synthetic one against the preloaded pattern);
#    recording the replay gives the same requests at the same times;
#  - a replay of map/unmap and DMA: every statistic, exactly.
source "$(dirname "$0")/cli_common.sh"

# Every statistic but iommufd.* (averages and histograms span lines up to " }"), the
# devices' verified_bytes and the configuration's digest (the replay's differs).
strip() {
    awk '/^ "iommufd\./ { skip = /\{$/; next } skip { if (/^ \}/) skip = 0; next }
         !/"system\.dev[0-9]*\.verified_bytes"/ && !/"sim\.config_digest"/' "$1"
}

for mode in timing atomic; do
    cfg="$root/configs/bench-vtd.ini"
    "$sim" --config "$cfg" --dev.requests=2000 --mode $mode --stats-json "$tmp/run.json" \
        --record-trace "$tmp/run.trace" --quiet
    rc1=$?
    "$sim" replay --config "$cfg" --set dev.requests=5 --set sim.mode=$mode --trace "$tmp/run.trace" \
        --op-log "$tmp/op.log" --stats-json "$tmp/replay.json" --record-trace "$tmp/replay.trace" --quiet
    rc2=$?
    lines=$(grep -c ' dma ' "$tmp/run.trace")
    if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ] || [ "$lines" -ne 8000 ] ||
        ! diff <(strip "$tmp/run.json") <(strip "$tmp/replay.json") >"$tmp/diff" ||
        ! diff <(sort "$tmp/run.trace") <(sort "$tmp/replay.trace") >>"$tmp/diff"; then
        echo "FAIL synthetic run, $mode (rc $rc1 $rc2, $lines dma lines)"; head -20 "$tmp/diff"; fail=1
    else
        echo "ok   synthetic run, $mode: $lines requests replayed, statistics equal"
    fi

    cfg="$root/configs/replay-vtd.ini"
    "$sim" replay --config "$cfg" --set sim.mode=$mode --trace "$root/traces/samples/dma.trace" \
        --op-log "$tmp/op1.log" --stats-json "$tmp/r1.json" --record-trace "$tmp/r1.trace" --quiet
    rc1=$?
    "$sim" replay --config "$cfg" --set sim.mode=$mode --trace "$tmp/r1.trace" \
        --op-log "$tmp/op2.log" --stats-json "$tmp/r2.json" --quiet
    rc2=$?
    if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ] || ! diff "$tmp/r1.json" "$tmp/r2.json" >"$tmp/diff" ||
        ! grep -q '"system.iommu.faults.0x6": 1' "$tmp/r2.json"; then
        echo "FAIL replay of a replay, $mode (rc $rc1 $rc2)"; head -20 "$tmp/diff"; fail=1
    else
        echo "ok   replay of a replay, $mode: statistics identical"
    fi
done

# The recording file is checked before the run: exit 2, nothing simulated.
"$sim" --config "$root/configs/bench-vtd.ini" --record-trace "$tmp/no/such/dir/x.trace" \
    >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -qF "x.trace: cannot write file" "$tmp/err" || [ -s "$tmp/out" ]; then
    echo "FAIL unwritable recording: $(cat "$tmp/err")"; fail=1
else
    echo "ok   unwritable recording: $(cat "$tmp/err")"
fi
exit $fail
