#!/usr/bin/env bash
# The nic_ring workload (configs/nic-100g-vtd.ini, 100 Gb/s, 1500 B frames, 4 KiB
# pages): strict invalidation costs more CPU per packet && delivers less than
# deferred; the stale window is zero when strict && measured when deferred; both
# timing modes agree; a page pool maps nothing per packet.
. "$(dirname "$0")/cli_common.sh"
config=$root/configs/nic-100g-vtd.ini
run() {  # NAME ARGS...
    local name=$1; shift
    "$sim" --config "$config" --nic.packets=6000 --stats-json "$tmp/$name.json" --quiet "$@" 2>"$tmp/err" ||
        { echo "FAIL $name: exit $?"; cat "$tmp/err"; fail=1; }
}
stat() { "$sim" csv --keys "$2" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
# check DESCRIPTION AWK-EXPRESSION (over the values substituted in)
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}

run strict
run deferred --iommufd.invalidation=deferred
run atomic --mode atomic
run pool --nic.mapping=page_pool

s_cpu=$(stat strict nic.cpu_ns_per_packet); d_cpu=$(stat deferred nic.cpu_ns_per_packet)
s_gbps=$(stat strict nic.rx.gbps); d_gbps=$(stat deferred nic.rx.gbps)
check "strict costs more CPU per packet ($s_cpu ns against $d_cpu ns)" "$s_cpu > 3 * $d_cpu"
check "strict delivers less ($s_gbps Gb/s against $d_gbps Gb/s)" "$s_gbps < 0.5 * $d_gbps && $d_gbps > 95"
check "strict drops for want of descriptors" "$(stat strict nic.rx.dropped_no_descriptor) > 0"
check "deferred delivers every frame" "$(stat deferred nic.rx.packets) == 6000"
check "strict: every unmap has a zero stale window" \
    "$(stat strict iommufd.flush.stale_window_ns.count) == $(stat strict iommufd.unmap.ops) && $(stat strict iommufd.unmap.ops) > 0 && $(stat strict iommufd.flush.stale_window_ns.max) == 0"
check "deferred: the stale window is measured && not zero ($(stat deferred iommufd.flush.stale_window_ns.mean) ns)" \
    "$(stat deferred iommufd.flush.stale_window_ns.count) == 6000 && $(stat deferred iommufd.flush.stale_window_ns.mean) > 0"
check "deferred: unmaps queue descriptors in batches" \
    "$(stat deferred iommufd.unmap.waits) * 100 < $(stat deferred iommufd.unmap.ops)"
check "strict: one IOTLB && one wait descriptor per unmap" \
    "$(stat strict iommufd.unmap.descriptors) == 2 * $(stat strict iommufd.unmap.ops)"
check "a well-behaved driver makes no stale DMA" "$(stat deferred iommufd.dma.stale) == 0"
check "strict spins on the invalidation queue's lock" "$(stat strict iommufd.cpu.lock.contended) > 0"
check "atomic mode delivers what timing mode does" \
    "$(stat atomic nic.rx.packets) == $(stat strict nic.rx.packets)"
check "page pool: no per-packet mapping, line rate" \
    "$(stat pool iommufd.unmap.ops) == 0 && $(stat pool iommufd.map.ops) == 4096 && $(stat pool nic.rx.gbps) > 95"
check "no DMA faulted" "$(stat strict nic.rx.dma_errors) == 0 && $(stat deferred nic.rx.dma_errors) == 0"
# Transmit: the same trade-off; in both directions the queues' cores carry both.
run tx-strict --nic.direction=tx
run tx-deferred --nic.direction=tx --iommufd.invalidation=deferred
run both --nic.direction=both --iommufd.invalidation=deferred
ts_cpu=$(stat tx-strict nic.cpu_ns_per_packet); td_cpu=$(stat tx-deferred nic.cpu_ns_per_packet)
check "tx: strict costs more CPU per packet ($ts_cpu ns against $td_cpu ns)" "$ts_cpu > 3 * $td_cpu"
check "tx: strict sends less ($(stat tx-strict nic.tx.gbps) Gb/s against $(stat tx-deferred nic.tx.gbps))" \
    "$(stat tx-strict nic.tx.gbps) < 0.5 * $(stat tx-deferred nic.tx.gbps) && $(stat tx-deferred nic.tx.gbps) > 95"
check "tx: strict fills the qdisc, deferred sends every frame" \
    "$(stat tx-strict nic.tx.dropped_qdisc) > 0 && $(stat tx-deferred nic.tx.packets) == 6000"
check "tx: every frame mapped and unmapped once" \
    "$(stat tx-deferred iommufd.map.ops) == 6000 && $(stat tx-deferred iommufd.unmap.ops) == 6000"
check "tx: the NIC read every frame sent ($(stat tx-deferred system.dev0.read_bytes) B)" \
    "$(stat tx-deferred system.dev0.read_bytes) == $(stat tx-deferred nic.tx.bytes) + 16 * 6000"
check "both: frames delivered and sent, none faulted" \
    "$(stat both nic.rx.packets) > 0 && $(stat both nic.tx.packets) > 0 && $(stat both nic.rx.dma_errors) == 0 && $(stat both nic.tx.dma_errors) == 0"

# The timeline shows the host cores' work, and strict unmaps spinning on the lock.
"$sim" --config "$config" --nic.packets=500 --timeline "$tmp/tl.json" --quiet
count() { grep -o "\"name\":\"$1\"" "$tmp/tl.json" | wc -l; }
check "timeline: per packet an unmap and a map span on the cores, lock spins, 4 core tracks" \
    "$(count 'rx: unmap, stack') == 500 && $(count 'rx: map') == 500 && $(count 'lock spin') > 0 && $(grep -c '"name":"core [0-3]"' "$tmp/tl.json") == 4"

exit $fail
