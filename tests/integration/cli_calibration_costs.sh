#!/usr/bin/env bash
# Calibration of VT-d's invalidation cost (issue 15): in the shipped VT-d workload
# configs, a strict 4 KiB unmap's invalidation (page-selective IOTLB descriptor + wait
# descriptor: the driver's descriptors and doorbells and the unit's time until the
# wait's status write) lands within 10% of the measured figure, Linux's
# intel_iommu_tlb_sync at 2067 ns mean on a bare-metal Intel host (eBPF kprobes;
# xlab-uiuc/Fast-and-Safe-IO-Memory-Protection, tracing/host_aggregate.csv). The unit's
# share, doorbell to status write, is that less the driver's 300 ns; and each config
# still marks the value as measured (nvme-vtd.ini and nic-100g-vtd.ini name the source).
. "$(dirname "$0")/cli_common.sh"
measured_ns=2067
driver_ns=300  # 2 x (descriptor_ns 50 + mmio_ns 100), the configs' illustrative parts
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
stat() { "$sim" csv --keys "$2" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
# param CONFIG KEY: the effective value of KEY (section.name) under CONFIG.
param() {
    "$sim" --dump-config --config "$1" | awk -v sec="[${2%.*}]" -v key="${2##*.}" '
        /^\[/ { in_sec = ($0 == sec) } in_sec && $1 == key { print $3; exit }'
}

calibrated() {  # NAME CONFIG ARGS...
    local name=$1 config=$2; shift 2
    "$sim" --config "$config" --stats-json "$tmp/$name.json" --quiet "$@" 2>"$tmp/err" ||
        { echo "FAIL $name: exit $?"; cat "$tmp/err"; fail=1; return; }
    local tw waits inv unit
    tw=$(param "$config" iommufd.vtd.table_write_ns)
    waits=$(stat "$name" iommufd.unmap.waits)
    check "$name: strict unmaps waited" "$waits > 0"
    # The unmaps' driver time less their table writes, per wait: one invalidation.
    inv=$(awk "BEGIN { print ($(stat "$name" iommufd.unmap.cpu_ns.sum) - \
        $(stat "$name" iommufd.unmap.table_writes) * $tw) / $waits }")
    echo "     $name: $inv ns per strict unmap's invalidation (measured $measured_ns)"
    check "$name: invalidation within 10% of the measured $measured_ns ns" \
        "$inv >= 0.9 * $measured_ns && $inv <= 1.1 * $measured_ns"
    # The unit's cycles (1 GHz) per wait: doorbell to status write.
    unit=$(awk "BEGIN { print $(stat "$name" system.iommu.iq.busy_cycles) / $(stat "$name" system.iommu.inv.wait) }")
    check "$name: the unit's share $unit ns within 10% of $((measured_ns - driver_ns))" \
        "$unit >= 0.9 * ($measured_ns - $driver_ns) && $unit <= 1.1 * ($measured_ns - $driver_ns)"
    check "$name: $(basename "$config") marks tlb_cycles as measured" \
        "$(grep -c '^tlb_cycles = [0-9]* *#.*measured' "$config") == 1"
}

calibrated nic "$root/configs/nic-100g-vtd.ini" --nic.packets=400
calibrated nvme "$root/configs/nvme-vtd.ini" --nvme.ios=400 --nvme.io_sizes=4096 --nvme.read_fraction=1
calibrated nvme4 "$root/configs/nvme-4ssd.ini" --iommu.arch=vtd --nvme.ios=100
exit $fail
