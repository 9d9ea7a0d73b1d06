#!/usr/bin/env bash
# sim.run_ahead (a device sending a request ahead of the kernel's time when nothing
# before its issue time could change it) changes no statistic of a one-device run:
# link-bound, tag-bound with a link short of credits (requests held and decided at
# their arrival), paced engines with posted credits, through VT-d, and cut short by
# sim.duration_ns (nothing sent past the run's end), tag-bound with read completions
# taken ahead of their arrival (their tags free then), with the device's own latency or
# paced engines, memory handing responses back ahead (its queue full, cache hits,
# address errors); nor of four devices started apart, nor any run with a
# timeline or a recorded trace (no run-ahead then). Four devices started together meet
# on the same picosecond, where the kernel's order of events may differ: every count is
# the same.
# Usage: cli_run_ahead.sh IOMMU_SIM ROOT
. "$(dirname "$0")/cli_common.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# The statistics without sim.config_digest, which names the setting itself.
stats() {
    "$sim" "$@" --mode timing --stats-json "$tmp/s.json" >/dev/null || { echo "FAIL run: $*"; fail=1; }
    grep -v '"sim.config_digest"' "$tmp/s.json"
}
same() {
    local name=$1; shift
    stats "$@" --sim.run_ahead=false >"$tmp/off"
    stats "$@" >"$tmp/on"
    if cmp -s "$tmp/off" "$tmp/on"; then echo "ok   $name"; else
        echo "FAIL $name: statistics differ with sim.run_ahead"; diff "$tmp/off" "$tmp/on" | head; fail=1
    fi
}
one=(--config "$root/configs/bench.ini" --platform.devices=1 --dev.requests=4000)
same "link-bound" "${one[@]}"
same "tags and credits short" "${one[@]}" --dev.tags=16 --link.credits=2
same "one credit: every request held" "${one[@]}" --link.credits=1
# Tag-bound: read completions taken ahead of their arrival free their tags then.
same "two tags" "${one[@]}" --dev.tags=2
same "tags short, device latency" "${one[@]}" --dev.tags=4 --dev.latency_ns=37.3
same "tags short, paced engines" "${one[@]}" --dev.tags=16 --dev.read_interval_ns=3.1 \
    --dev.write_interval_ns=17.3
# Completions landing on a decision's picosecond count for it either way: these two
# differed before the device took due arrivals first.
long=(--config "$root/configs/bench.ini" --platform.devices=1 --dev.requests=20000)
same "a tie at 8 tags" "${long[@]}" --dev.tags=8
same "a tie with paced engines" "${long[@]}" --dev.tags=16 --dev.read_interval_ns=3.1 \
    --dev.write_interval_ns=17.3
same "paced engines, posted credits" "${one[@]}" --dev.posted_credits=4 --dev.read_interval_ns=3 \
    --dev.write_interval_ns=5
# Memory hands responses back ahead of their completion (without an IOMMU): in
# completion order, counting each in its queue until its completion, and no sooner than
# its shortest latency (a cache hit's, DRAM's; an address error or an empty access takes
# it too).
same "memory queue full" "${one[@]}" --memory.queue_depth=2
same "reads served from the CPU cache" "${one[@]}" --dev.preload=cpu --memory.cache.hit_latency_ns=21.7
same "address errors" "${one[@]}" --memory.size=4296015872
same "DRAM without latency" "${one[@]}" --memory.latency_ns=0
same "four devices started apart" --config "$root/configs/bench.ini" --dev.requests=2000 \
    --dev1.start_ns=0.3331 --dev2.start_ns=0.7777 --dev3.start_ns=1.1119
same "four devices started apart, memory queue short" --config "$root/configs/bench.ini" \
    --dev.requests=2000 --memory.queue_depth=5 --dev1.start_ns=0.3331 --dev2.start_ns=0.7777 \
    --dev3.start_ns=1.1119
same "through VT-d" --config "$root/configs/bench-vtd.ini" --platform.devices=1 --dev.requests=4000
same "cut short by duration_ns" "${one[@]}" --sim.duration_ns=10000
same "cut short, tags short, device latency" "${one[@]}" --dev.tags=4 --dev.latency_ns=50 \
    --sim.duration_ns=10003.7
same "four devices started apart, through VT-d" --config "$root/configs/bench-vtd.ini" \
    --dev.requests=2000 --dev1.start_ns=0.3331 --dev2.start_ns=0.7777 --dev3.start_ns=1.1119
# Cut short, a read arriving after the run's end is not counted: the same statistics
# as with a timeline, with which the device takes no completion ahead (sim.run_ahead
# alone cannot show it: without run-ahead nothing is taken ahead either).
cut=("${one[@]}" --dev.tags=4 --sim.duration_ns=10003.7)
stats "${cut[@]}" --timeline "$tmp/cut.json" >"$tmp/off"
stats "${cut[@]}" >"$tmp/on"
cmp -s "$tmp/off" "$tmp/on" && echo "ok   cut short: as with a timeline" ||
    { echo "FAIL cut short: statistics differ from the timeline run's"; fail=1; }
# The memory cases took the paths they name.
ran() {  # ran KEY ARGS...: KEY is nonzero
    local key=$1; shift
    stats "${one[@]}" "$@" | grep -q "\"system.memory.$key\": [1-9]" || { echo "FAIL $*: no $key"; fail=1; }
}
ran queue_full_stalls --memory.queue_depth=2
ran cache_served_reads --dev.preload=cpu --memory.cache.hit_latency_ns=21.7
ran address_errors --memory.size=4296015872
# The held-request path ran: the one-credit run stalls on credit.
stats "${one[@]}" --link.credits=1 | grep -q '"system.link0.credit_stalls": [1-9]' ||
    { echo "FAIL one credit: no credit stall"; fail=1; }

# A timeline or a recorded trace keeps every decision at its own time (they record
# times as they happen): four devices started together give the same statistics and
# the same file either way.
four=(--config "$root/configs/bench.ini" --dev.requests=4000)
for out in timeline record-trace; do
    stats "${four[@]}" --"$out" "$tmp/$out.off" --sim.run_ahead=false >"$tmp/off"
    stats "${four[@]}" --"$out" "$tmp/$out.on" >"$tmp/on"
    if cmp -s "$tmp/off" "$tmp/on" && cmp -s "$tmp/$out.off" "$tmp/$out.on"; then echo "ok   --$out: no run-ahead"; else
        echo "FAIL --$out: run-ahead changed the statistics or the file"; fail=1
    fi
done

# Four devices: the same requests, bytes and errors by device.
counts() { grep -E '"system\.dev[0-9]+\.(reads|writes|read_bytes|write_bytes|error_completions|data_errors)"'; }
off=$(stats "${four[@]}" --sim.run_ahead=false | counts)
on=$(stats "${four[@]}" | counts)
[ -n "$on" ] && [ "$off" = "$on" ] && echo "ok   four devices: same counts" ||
    { echo "FAIL four devices: counts differ"; fail=1; }
exit $fail
