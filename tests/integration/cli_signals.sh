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

# Preloading 4 GiB of windows through the CPU cache takes a while; a signal during it
# stops the run before it starts, with the statistics written (issue 11).
"$sim" --platform.devices=4 --dev.window=1G --dev.preload=cpu --quiet --stats-json "$tmp/pre.json" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
( sleep 30; kill -KILL $pid 2>/dev/null ) &
watchdog=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
kill $watchdog 2>/dev/null
if [ $rc -ne 130 ] || ! grep -q '"sim.stopped_by": "SIGINT"' "$tmp/pre.json"; then
    echo "FAIL SIGINT while preloading: rc=$rc (want 130); stderr: $(cat "$tmp/err")"; fail=1
else
    echo "ok   SIGINT while preloading: exit $rc"
fi

# A dma line of a terabyte (2^28 requests) is fed as the device completes, not queued
# up front: the replay runs in bounded memory and answers SIGTERM (issue 11).
printf '%b' "0 process name=p0 user=u0 rlimit_memlock=1G\n0 mmap process=p0 user_va=0x7f0000000000 length=64K\n0 iommufd_open name=fd0 process=p0\n+1us ioas_alloc name=ioas0\n+1us device_attach dev_id=dev0 pt_id=ioas0\n+1us dma dev=dev0 iova=0x100000 length=1T dir=read\n" >"$tmp/tera.trace"
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$tmp/tera.trace" --op-log /dev/null \
    --stats-json "$tmp/tera.json" --quiet >"$tmp/out" 2>"$tmp/err" &
pid=$!
( sleep 30; kill -KILL $pid 2>/dev/null ) &  # a run that ignores SIGTERM must not hang CI
watchdog=$!
rss_kb() { awk '/VmRSS/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0; }
sleep 1
rss1=$(rss_kb)
sleep 1
rss2=$(rss_kb)
kill -TERM $pid
wait $pid
rc=$?
kill $watchdog 2>/dev/null
growth=$(( ${rss2:-0} - ${rss1:-0} ))
if [ $rc -ne 143 ] || [ $growth -gt 51200 ] || ! grep -q '"sim.finished": false' "$tmp/tera.json"; then
    echo "FAIL dma length=1T: rc=$rc (want 143), RSS grew ${growth} kB in 1 s; stderr: $(cat "$tmp/err")"; fail=1
else
    echo "ok   dma length=1T: SIGTERM honoured; RSS ${rss2} kB, grew ${growth} kB in 1 s"
fi

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
