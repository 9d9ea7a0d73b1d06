#!/usr/bin/env bash
# SIGINT and SIGTERM stop a run cleanly: the statistics so far are written (with
# sim.finished false and sim.stopped_by), and the exit status is 130 or 143. On a
# terminal a long run redraws a progress line.
source "$(dirname "$0")/cli_common.sh"
long=("$root/configs/bench.ini" --dev.requests=100000000 --quiet)

for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    "$sim" --config "${long[@]}" --stats-json "$tmp/$sig.json" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 2
    kill -$sig $pid
    wait $pid
    rc=$?
    if [ $rc -ne $want ] || ! grep -q "\"sim.stopped_by\": \"SIG$sig\"" "$tmp/$sig.json" ||
        ! grep -q '"sim.finished": false' "$tmp/$sig.json" || ! grep -q "stopped by SIG$sig" "$tmp/err"; then
        echo "FAIL SIG$sig: rc=$rc (want $want); stderr: $(cat "$tmp/err")"; fail=1
    else
        echo "ok   SIG$sig: exit $rc, $(grep -c '' "$tmp/$sig.json") lines of statistics, $(cat "$tmp/err")"
    fi
done

# A progress line on a terminal (script(1) gives the run a pseudo-terminal).
if command -v script >/dev/null; then
    script -qec "timeout -s INT 3 $sim --config $root/configs/bench.ini --dev.requests=100000000" \
        /dev/null >"$tmp/tty" 2>&1
    if ! grep -q "us simulated, [0-9]* DMA requests done" "$tmp/tty"; then
        echo "FAIL progress line: $(head -c 300 "$tmp/tty")"; fail=1
    else
        echo "ok   progress line on a terminal"
    fi
fi
# Not on a pipe: the summary alone.
"$sim" --config "$root/configs/bench.ini" --dev.requests=20000 >"$tmp/pipe" 2>&1
if grep -q "us simulated" "$tmp/pipe"; then
    echo "FAIL progress line on a pipe"; fail=1
else
    echo "ok   no progress line on a pipe"
fi
exit $fail
