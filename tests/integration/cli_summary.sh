#!/usr/bin/env bash
# The run summary of real runs: the NIC config's names the NIC's Gb/s and the IOTLB
# hit rate, each the figure its statistics file holds; a window sweep shows one row per
# window; the host line stays last (README's `| tail -1`).
. "$(dirname "$0")/cli_common.sh"
check() {  # DESCRIPTION CONDITION [DETAIL]
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1 ${3:-}"; fail=1; fi
}
stat() { "$sim" csv --keys "$2" "$1" | tail -1 | cut -d, -f2; }

"$sim" --config "$root/configs/nic-100g-vtd.ini" --nic.packets=6000 --stats-json "$tmp/nic.json" \
    >"$tmp/nic.out" 2>"$tmp/err" || { echo "FAIL nic run: $(cat "$tmp/err")"; fail=1; }
gbps=$(printf '%.2f' "$(stat "$tmp/nic.json" nic.rx.gbps)")
rate=$(awk "BEGIN { printf \"%.1f\", 100 * $(stat "$tmp/nic.json" system.iommu.iotlb.hit_rate) }")
check "nic: the summary names the NIC's Gb/s ($gbps)" \
    "grep -qE '^  rx\.gbps +$gbps +Gb/s\$' '$tmp/nic.out'" "$(cat "$tmp/nic.out")"
check "nic: the summary names the IOTLB hit rate ($rate%)" \
    "grep -qE '^  iotlb +[0-9,]+ +[0-9,]+ +$rate%\$' '$tmp/nic.out'" "$(cat "$tmp/nic.out")"
check "nic: drops for want of descriptors listed" "grep -qE '^  rx\.dropped_no_descriptor +[1-9]' '$tmp/nic.out'"
check "nic: the host line is last" "tail -1 '$tmp/nic.out' | grep -q '^  host .* transactions per host second\$'"
check "nic: no line wider than 100 columns" "[ \$(awk '{ if (length > m) m = length } END { print m }' '$tmp/nic.out') -le 100 ]"

"$sim" --config "$root/configs/vtd-broadwell.ini" --workload.type=window_sweep --window_sweep.requests=2000 \
    >"$tmp/ws.out" 2>"$tmp/err" || { echo "FAIL window sweep run: $(cat "$tmp/err")"; fail=1; }
check "window sweep: a row per window, 4K first, 64M last" \
    "[ \$(sed -n '/^  window /,/^memory/p' '$tmp/ws.out' | grep -cE '^  [0-9]+[KMG] ') -eq 9 ] &&
     sed -n '/^  window /{n;p}' '$tmp/ws.out' | grep -q '^  4K '" "$(cat "$tmp/ws.out")"
check "--quiet: no summary" "[ -z \"\$('$sim' --config '$root/configs/nic-100g-vtd.ini' --nic.packets=100 --quiet)\" ]"
exit $fail
