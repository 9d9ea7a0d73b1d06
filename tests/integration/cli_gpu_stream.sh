#!/usr/bin/env bash
# The gpu_stream workload (configs/gpu-stream-vtd.ini, shortened): every copy
# completes without error and the device moved exactly the copies' bytes; 2 MiB
# pages keep the IOTLB hitting where 4 KiB pages miss on every new page; mapping per
# transfer maps and unmaps each copy's buffer, one table entry per page.
. "$(dirname "$0")/cli_common.sh"
run() {  # NAME ARGS...
    local name=$1; shift
    "$sim" --config "$root/configs/gpu-stream-vtd.ini" --gpu_stream.transfers=4 --gpu_stream.transfer_size=8M \
        --stats-json "$tmp/$name.json" --quiet "$@" 2>"$tmp/err" || { echo "FAIL $name: exit"; cat "$tmp/err"; fail=1; }
}
stat() { "$sim" csv --keys "$2" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
run huge
run small --gpu_stream.hugepages=false
run per --gpu_stream.mapping=per_transfer --gpu_stream.hugepages=false
run atomic --mode atomic

for r in huge small per atomic; do
    check "$r: 4 copies of 8 MiB, no errors" \
        "$(stat $r gpu_stream.copies) == 4 && $(stat $r gpu_stream.bytes) == 4 * 8 * 1048576 && $(stat $r gpu_stream.dma_errors) == 0"
    check "$r: the device moved the copies' bytes" \
        "$(stat $r system.dev0.read_bytes) + $(stat $r system.dev0.write_bytes) == $(stat $r gpu_stream.bytes)"
done
check "2 MiB pages hit the IOTLB ($(stat huge system.iommu.iotlb.hit_rate))" "$(stat huge system.iommu.iotlb.hit_rate) > 0.99"
check "4 KiB pages, one request per page: every translation misses" "$(stat small system.iommu.iotlb.hit_rate) == 0"
check "per transfer: a map and an unmap per copy" "$(stat per iommufd.map.ops) == 4 && $(stat per iommufd.unmap.ops) == 4"
check "per transfer: a table entry per 4 KiB page mapped" "$(stat per iommufd.map.table_writes) >= 4 * 2048"
check "persistent: nothing mapped during the run" "$(stat huge iommufd.map.ops) == 0"
exit $fail
