#!/usr/bin/env bash
# The window_sweep workload on the calibrated Broadwell platform: each window within
# 10% of pcie-bench's published curve with 4 KiB pages (shared/reference/
# measurements.md), flat with 2 MiB pages; every read completes without error.
. "$(dirname "$0")/cli_common.sh"
config=$root/configs/vtd-broadwell.ini
"$sim" --config "$config" --workload.type=window_sweep --stats-json "$tmp/4k.json" --quiet || fail=1
"$sim" --config "$config" --workload.type=window_sweep --window_sweep.hugepages=true \
    --stats-json "$tmp/2m.json" --quiet || fail=1
gbps() { "$sim" csv --keys "window_sweep.window_$2.gbps" "$tmp/$1.json" | tail -1 | cut -d, -f2; }
# window bytes, published Gb/s
while read -r bytes published; do
    got=$(gbps 4k "$bytes")
    if awk "BEGIN { d = $got / $published - 1; exit !(d < 0.10 && d > -0.10) }"; then
        echo "ok   4 KiB pages, window $bytes: $got Gb/s against $published"
    else
        echo "FAIL 4 KiB pages, window $bytes: $got Gb/s against $published"; fail=1
    fi
done <<'EOF_'
4096 27.6
65536 27.6
262144 27.6
524288 20.2
1048576 14.3
2097152 11.7
67108864 9.84
EOF_
small=$(gbps 2m 4096); large=$(gbps 2m 67108864)
if awk "BEGIN { exit !($large > 0.99 * $small && $small > 27) }"; then
    echo "ok   2 MiB pages: flat ($small Gb/s at 4 KiB, $large at 64 MiB)"
else
    echo "FAIL 2 MiB pages not flat: $small Gb/s at 4 KiB, $large at 64 MiB"; fail=1
fi
if [ "$("$sim" csv --keys window_sweep.window_67108864.requests,window_sweep.window_67108864.errors,window_sweep.engine_errors "$tmp/4k.json" | tail -1 | cut -d, -f2-)" != "40000,0,0" ]; then
    echo "FAIL reads or errors"; fail=1
fi
exit $fail
