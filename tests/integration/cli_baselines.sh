#!/usr/bin/env bash
# Baselines (issue 15): every workload runs without an IOMMU (--iommu.arch=none: the
# DMA API direct, as dma-direct) and in pass-through (identity domains). Each moves
# the same data as its IOMMU run with no error; without an IOMMU nothing is translated
# (no system.iommu statistic at all) and the driver's map statistics say zero; in
# pass-through the unit translates but no map or unmap writes a table; nvme and
# nic_ring deliver at least the strict run's rate. Synthetic and DMA-only replay runs
# pass through on the boot map's identity domains: DMA outside the device's window,
# which the paging boot map faults, translates.
. "$(dirname "$0")/cli_common.sh"
run() {  # NAME ARGS...
    local name=$1; shift
    "$sim" --stats-json "$tmp/$name.json" --quiet --check-isolation "$@" 2>"$tmp/err" ||
        { echo "FAIL $name: exit $?"; cat "$tmp/err"; fail=1; }
}
stat() { "$sim" csv --keys "$2" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
has() { grep -q "\"$2" "$tmp/$1.json"; }  # NAME KEY-PREFIX
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
# clean NAME: finished, no error completion, no data error.
clean() {
    check "$1: finished, no DMA error" "\"$(stat "$1" sim.finished)\" == \"true\" && \
        $(stat "$1" system.dev0.error_completions) == 0 && $(stat "$1" system.dev0.data_errors) == 0"
}
# same NAME REF: the device moved the bytes REF's did, both ways.
same() {
    check "$1: moves what $2 does" "$(stat "$1" system.dev0.read_bytes) == $(stat "$2" system.dev0.read_bytes) && \
        $(stat "$1" system.dev0.write_bytes) == $(stat "$2" system.dev0.write_bytes)"
}
# none NAME: no IOMMU in the path; `mapped` also: the DMA API's statistics say zero.
none() {
    if has "$1" system.iommu.; then echo "FAIL $1: the run has system.iommu statistics"; fail=1;
    else echo "ok   $1: no IOMMU in the path"; fi
    [ "${2:-}" = mapped ] && check "$1: the DMA API mapped nothing" \
        "$(stat "$1" iommufd.map.ops) == 0 && $(stat "$1" iommufd.unmap.ops) == 0 && $(stat "$1" iommufd.map.table_writes) == 0"
}
# pt NAME: translated by the unit, no fault, no table written per map or unmap.
pt() {
    check "$1: the unit translated every DMA, none faulted" \
        "$(stat "$1" system.iommu.translations) > 0 && $(stat "$1" system.iommu.faults) == 0"
    [ "${2:-}" = mapped ] && check "$1: no map or unmap wrote a table" \
        "$(stat "$1" iommufd.map.table_writes) == 0 && $(stat "$1" iommufd.unmap.table_writes) == 0 && \
         $(stat "$1" iommufd.map.ops) == 0"
}

nvme="--config $root/configs/nvme-vtd.ini --nvme.ios=600"
run nvme-strict $nvme
run nvme-none $nvme --iommu.arch=none
run nvme-pt $nvme --iommufd.passthrough=true
run nvme-none-atomic $nvme --iommu.arch=none --mode atomic
nic="--config $root/configs/nic-100g-vtd.ini --nic.packets=2000"
run nic-strict $nic
run nic-deferred $nic --iommufd.invalidation=deferred
run nic-none $nic --iommu.arch=none
run nic-pt $nic --iommufd.passthrough=true
gpu="--config $root/configs/gpu-stream-vtd.ini --gpu_stream.transfers=3 --gpu_stream.transfer_size=1M --gpu_stream.mapping=per_transfer"
run gpu-strict $gpu
run gpu-none $gpu --iommu.arch=none
run gpu-pt $gpu --iommufd.passthrough=true
sweep="--config $root/configs/vtd-broadwell.ini --workload.type=window_sweep --window_sweep.windows=4K,64M --window_sweep.requests=2000"
run sweep-strict $sweep
run sweep-none $sweep --iommu.arch=none
run sweep-pt $sweep --iommufd.passthrough=true
syn="--config $root/configs/bench-vtd.ini --dev.requests=1000"
run syn-strict $syn
run syn-none $syn --iommu.arch=none
run syn-pt $syn --iommufd.passthrough=true --iommu.arch=smmuv3
# A trace of DMA only runs on the boot map (dev0's window, from 4 GiB), so on identity
# domains in pass-through.
printf '0 dma dev=dev0 iova=0x100000000 length=16K dir=write\n+20us dma dev=dev0 iova=0x100000000 length=16K dir=read\n' >"$tmp/d.trace"
replay="--workload.type=replay --replay.trace=$tmp/d.trace"
run replay-strict $replay --iommu.arch=vtd
run replay-none $replay
run replay-pt $replay --iommu.arch=vtd --iommufd.passthrough=true
# Outside dev0's window the boot map's paging domain faults; the identity domain does not.
printf '0 dma dev=dev0 iova=0x200000000 length=8K dir=write\n' >"$tmp/out.trace"
run out-strict --workload.type=replay --replay.trace="$tmp/out.trace" --iommu.arch=vtd
run out-pt --workload.type=replay --replay.trace="$tmp/out.trace" --iommu.arch=vtd --iommufd.passthrough=true
check "outside the window: the paging boot map faults, pass-through does not" \
    "$(stat out-strict system.iommu.faults) > 0 && $(stat out-pt system.iommu.faults) == 0 && \
     $(stat out-pt system.dev0.write_bytes) == 8192"
# A trace that maps is iommufd's, on paging domains: refused pass-through by
# `iommu-sim replay` too (it once ignored the key), exit 2, one line.
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/dma.trace" \
    --set iommufd.passthrough=true --quiet >"$tmp/out" 2>"$tmp/err"
rc=$?
check "replay command: a mapping trace refused pass-through ($(cat "$tmp/err"))" \
    "$rc == 2 && $(wc -l <"$tmp/err") == 1 && $(grep -c 'iommufd.passthrough: the trace maps through iommufd' "$tmp/err") == 1"

for w in nvme nic gpu sweep syn replay; do
    for m in none pt; do clean $w-$m; done
    none $w-none $([ $w = nvme ] || [ $w = nic ] || [ $w = gpu ] && echo mapped)
    pt $w-pt $([ $w = nvme ] || [ $w = nic ] || [ $w = gpu ] && echo mapped)
done
clean nvme-none-atomic
clean replay-strict
for w in nvme gpu sweep syn replay; do same $w-none $w-strict; same $w-pt $w-strict; done
same nvme-none-atomic nvme-strict
# Strict drops frames (its unmaps bound it): the data to compare is deferred's.
check "nic: no IOMMU and pass-through deliver every frame, as deferred" \
    "$(stat nic-none nic.rx.packets) == 2000 && $(stat nic-pt nic.rx.packets) == 2000 && $(stat nic-deferred nic.rx.packets) == 2000"
same nic-none nic-deferred
same nic-pt nic-deferred
check "sweep: every read done in each mode" \
    "$(stat sweep-none window_sweep.window_67108864.requests) == 2000 && $(stat sweep-pt window_sweep.window_67108864.requests) == 2000 && \
     $(stat sweep-none window_sweep.window_67108864.errors) == 0 && $(stat sweep-pt window_sweep.window_67108864.errors) == 0"
for m in none pt; do
    check "nvme $m: at least strict's kIOPS ($(stat nvme-$m nvme.kiops) against $(stat nvme-strict nvme.kiops))" \
        "$(stat nvme-$m nvme.kiops) >= $(stat nvme-strict nvme.kiops)"
    check "nic $m: at least strict's rate ($(stat nic-$m nic.rx.gbps) against $(stat nic-strict nic.rx.gbps) Gb/s)" \
        "$(stat nic-$m nic.rx.gbps) >= $(stat nic-strict nic.rx.gbps)"
    check "sweep $m: a 64 MiB window reads at the 4 KiB window's rate (no IOTLB misses)" \
        "$(stat sweep-$m window_sweep.window_67108864.gbps) >= 0.98 * $(stat sweep-$m window_sweep.window_4096.gbps)"
done
check "sweep strict: the 64 MiB window is slower (the IOTLB's reach)" \
    "$(stat sweep-strict window_sweep.window_67108864.gbps) < 0.5 * $(stat sweep-strict window_sweep.window_4096.gbps)"
check "nvme: no IOMMU costs less CPU per I/O than strict" \
    "$(stat nvme-none nvme.cpu_ns_per_io) < $(stat nvme-strict nvme.cpu_ns_per_io)"
exit $fail
