#!/usr/bin/env bash
# The nvme workload (configs/nvme-vtd.ini, Gen4 x4, 4 queues of 32 commands): every
# command completes without a fault, in both timing modes; PRP lists exactly for
# transfers beyond two pages; the device moves the commands' bytes plus the SQ
# entries, PRP lists and CQ entries; strict invalidation costs more CPU per I/O than
# deferred; the stale window is zero when strict and measured when deferred; with 4 KiB
# reads deferred and pass-through deliver at least strict's rate (issue 15).
. "$(dirname "$0")/cli_common.sh"
config=$root/configs/nvme-vtd.ini
ios=1500
run() {  # NAME ARGS...
    local name=$1; shift
    "$sim" --config "$config" --nvme.ios=$ios --stats-json "$tmp/$name.json" --quiet "$@" 2>"$tmp/err" ||
        { echo "FAIL $name: exit $?"; cat "$tmp/err"; fail=1; }
}
stat() { "$sim" csv --keys "$2" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
# check DESCRIPTION AWK-EXPRESSION (over the values substituted in)
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
# all_done NAME: every command completed, the run finished, nothing faulted.
all_done() {
    check "$1: all $ios commands complete, no DMA or engine error" \
        "$(stat "$1" nvme.ios) == $ios && $(stat "$1" nvme.read_ios) + $(stat "$1" nvme.write_ios) == $ios && \
         $(stat "$1" nvme.dma_errors) == 0 && $(stat "$1" nvme.engine_errors) == 0 && \
         $(stat "$1" system.dev0.error_completions) == 0"
    check "$1: the run finished" "\"$(stat "$1" sim.finished)\" == \"true\""
}
# moved NAME SIZE: with one transfer size, the device's bytes are the data plus 64 B
# per SQ entry, 8 B per PRP list entry and 16 B per CQ entry.
moved() {
    local r w list
    r=$(stat "$1" nvme.read_ios); w=$(stat "$1" nvme.write_ios)
    list=$(awk "BEGIN { p = $2 / 4096; print (p > 2 ? p - 1 : 0) }")
    check "$1: bytes are the commands' ($2 B each)" "$(stat "$1" nvme.bytes) == $ios * $2"
    check "$1: the device wrote the Reads' data and the CQ entries" \
        "$(stat "$1" system.dev0.write_bytes) == $r * $2 + $ios * 16"
    check "$1: the device read the Writes' data, the SQ entries and PRP lists" \
        "$(stat "$1" system.dev0.read_bytes) == $w * $2 + $ios * 64 + $ios * $list * 8"
}

run strict
run deferred --iommufd.invalidation=deferred
run atomic --mode atomic
run big --nvme.io_sizes=131072
run two --nvme.io_sizes=8192
run one --nvme.io_sizes=4096 --nvme.read_fraction=0
# 4 KiB reads (issue 15): the host no longer bounds the rate without strict's unmap
# cost, so deferred and pass-through must keep up; the device's fetches once queued
# behind every transfer due and the queues ran in convoys (0.93x strict).
reads="--nvme.io_sizes=4096 --nvme.read_fraction=1"
run r_strict $reads
run r_deferred $reads --iommufd.invalidation=deferred
run r_pt $reads --iommufd.passthrough=true

for name in strict deferred atomic big two one r_strict r_deferred r_pt; do all_done $name; done
check "128 KiB: every command needs a PRP list" "$(stat big nvme.prp_lists) == $ios"
check "8 KiB: PRP2 is the second page, no list" "$(stat two nvme.prp_lists) == 0"
check "4 KiB: no list" "$(stat one nvme.prp_lists) == 0"
moved big 131072
moved two 8192
moved one 4096
check "writes only: no Read completed" "$(stat one nvme.read_ios) == 0"

s_cpu=$(stat strict nvme.cpu_ns_per_io); d_cpu=$(stat deferred nvme.cpu_ns_per_io)
check "strict costs more CPU per I/O ($s_cpu ns against $d_cpu ns)" "$s_cpu > $d_cpu"
check "strict: every unmap has a zero stale window" \
    "$(stat strict iommufd.flush.stale_window_ns.count) == $(stat strict iommufd.unmap.ops) && $(stat strict iommufd.unmap.ops) == $ios && $(stat strict iommufd.flush.stale_window_ns.max) == 0"
check "deferred: the stale window is measured && not zero ($(stat deferred iommufd.flush.stale_window_ns.mean) ns)" \
    "$(stat deferred iommufd.flush.stale_window_ns.count) == $ios && $(stat deferred iommufd.flush.stale_window_ns.mean) > 0"
for name in r_deferred r_pt; do
    # Strict's measured invalidation makes it a low bar, so the run must also keep the
    # upstream link (the Reads' data) busy: the convoys left it idle ~36% of the time
    # (~0.64 busy before the fix; a short run ramps up: 0.946 here, 0.996 over 20,000 I/Os).
    busy=$(stat $name system.link0.up.busy_ns); active=$(awk "BEGIN { print $ios * 1e6 / $(stat $name nvme.kiops) }")
    check "4 KiB reads: $name keeps the upstream link busy ($busy of $active ns)" "$busy >= 0.9 * $active"
    check "4 KiB reads: $name delivers at least 0.98x strict's kIOPS ($(stat $name nvme.kiops) against $(stat r_strict nvme.kiops))" \
        "$(stat $name nvme.kiops) >= 0.98 * $(stat r_strict nvme.kiops)"
    check "4 KiB reads: $name's mean latency is not above strict's ($(stat $name nvme.latency_ns.mean) ns against $(stat r_strict nvme.latency_ns.mean) ns)" \
        "$(stat $name nvme.latency_ns.mean) <= $(stat r_strict nvme.latency_ns.mean)"
done
check "a well-behaved driver makes no stale DMA" "$(stat deferred iommufd.dma.stale) == 0"
check "atomic mode completes what timing mode does" "$(stat atomic nvme.ios) == $(stat strict nvme.ios)"
check "the same seed draws the same commands in both modes" \
    "$(stat atomic nvme.read_ios) == $(stat strict nvme.read_ios) && $(stat atomic nvme.bytes) == $(stat strict nvme.bytes)"
exit $fail
