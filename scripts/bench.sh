#!/usr/bin/env bash
# The performance benchmark (README "Performance"): each scenario's host cost per
# simulated DMA, beside the SystemC kernel's own cost measured in the same run by
# build/bench/iommu-sim-floor (one LT transaction under a quantum keeper, one AT
# four-phase hop), so the ratios survive a loaded or slower machine; with a 64 MiB-window
# scenario, also the host's own cost of a dependent read of a random line in 256 MiB
# (floor-mem-256M), which each of those DMAs' data pays on any simulator.
#
#   scripts/bench.sh [--runs N] [--quick] [--no-callgrind] [--build DIR] [SCENARIO...]
#
# Per scenario: DMAs simulated, ns per DMA (host time of the simulation only, best of
# N runs, default 3), M DMAs per host second, instructions per DMA (callgrind, when
# valgrind is installed: the difference of two runs of 2R and R requests per device,
# so start-up cancels), and the ratio of ns per DMA to an LT transaction and of ns per
# modelled hop to an AT hop (timing mode). --quick: fewer requests, one run, no
# callgrind (a smoke test of the script, not a measurement). --build: the build
# directory (default build).
#
# Replay scenarios (a second table): a trace from scripts/gen_trace.py of a million
# 4 KiB maps whose IOVA the trace gives (fixed) or the allocator picks (auto), and a
# million lines mapping and unmapping one page (churn); host seconds of the whole
# command (reading the trace included) and peak RSS, best of N, from /usr/bin/time;
# instructions per trace line as the difference of two trace lengths.
set -euo pipefail
cd "$(dirname "$0")/.."
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
runs=3 quick=0 callgrind=1 picked=() build=build
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift ;;
        --runs) runs=$2; shift ;;
        --quick) quick=1 runs=1 callgrind=0 ;;
        --no-callgrind) callgrind=0 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
        *) picked+=("$1") ;;
    esac
    shift
done
sim=$build/platforms/iommu-sim
floor=$build/bench/iommu-sim-floor
command -v valgrind >/dev/null || callgrind=0
for f in "$sim" "$floor"; do
    [ -x "$f" ] || { echo "bench.sh: $f is missing: run scripts/setup.sh first" >&2; exit 2; }
done

# name | mode | modelled hops per DMA (timing) | arguments. A timing-mode DMA crosses six
# modelled hops (device, link up, root complex, memory, root complex, link down; the
# root complex's way back costs no kernel event since be22ec1); through
# the IOMMU, seven (its lookup stage).
scenarios=(
    "atomic-none|atomic|0|--config configs/bench.ini --dev.window=16K --iommu.arch=none"
    "atomic-hits|atomic|0|--config configs/bench-vtd.ini"
    "atomic-misses-64M|atomic|0|--config configs/bench-vtd.ini --dev.window=64M"
    "atomic-misses-4way|atomic|0|--config configs/bench-vtd.ini --dev.window=64M --vtd.iotlb.sets=16 --vtd.iotlb.ways=4"
    "atomic-misses-64way|atomic|0|--config configs/bench-vtd.ini --dev.window=64M --vtd.iotlb.sets=1 --vtd.iotlb.ways=64"
    "timing-none|timing|6|--config configs/bench.ini"
    "timing-hits|timing|7|--config configs/bench-vtd.ini"
)
# name | gen_trace.py --iova | lines in the trace = maps * lines per map
replays=("replay-1M-fixed|fixed|1" "replay-1M-auto|auto|1" "replay-churn|churn|2")
names() { printf '%s\n' "${scenarios[@]}" "${replays[@]}" | cut -d'|' -f1; }
for p in "${picked[@]}"; do
    names | grep -qx "$p" || { echo "bench.sh: no scenario '$p' (scenarios: $(names | tr '\n' ' '))" >&2; exit 2; }
done
wanted() { [ ${#picked[@]} -eq 0 ] || [[ " ${picked[*]} " == *" $1 "* ]]; }
wanted_any() { local n; for n in "$@"; do wanted "$n" && return 0; done; return 1; }
# per device; LT, AT, host memory reads; replay
requests=250000 floor_n=(20000000 1000000 1000000) lines=1000000
[ $quick = 1 ] && requests=5000 floor_n=(1000000 50000 100000) lines=20000

# "host S s, D DMA transactions" from the summary's last line -> "S D"
host_line() { tail -1 | sed -E 's/^ *host ([0-9.]+) s, ([0-9]+) DMA.*/\1 \2/'; }
# "NS UNITS": the best (lowest) ns per unit over $runs runs of a command printing
# "seconds units".
best_ns() {
    local best="" out
    for _ in $(seq "$runs"); do
        out=$("$@")
        best=$(awk -v o="$out" -v b="$best" 'BEGIN { split(o, a, " "); v = a[1] * 1e9 / a[2]
                                                    split(b, c, " ")
                                                    print (b == "" || v < c[1]) ? v " " a[2] : b }')
    done
    echo "$best"
}
sim_host() { "$sim" "$@" | host_line; }
floor_host() { "$floor" "$@" | tail -1 | awk '{ print $3 / 1e9 * $2, $2 }'; }
# Instructions per unit: callgrind of the command with count 2n minus with count n.
instr() {  # instr UNITS_FOR_N CMD_N... -- CMD_2N...
    local units=$1 a b; shift
    local -a one=() two=(); while [ "$1" != -- ]; do one+=("$1"); shift; done; shift; two=("$@")
    a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${one[@]}" 2>&1 >/dev/null | sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
    b=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${two[@]}" 2>&1 >/dev/null | sed -nE 's/.*Collected : ([0-9]+).*/\1/p')
    awk -v a="$a" -v b="$b" -v u="$units" 'BEGIN { printf "%.0f", (b - a) / u }'
}

lt=$(best_ns floor_host lt "${floor_n[0]}" | cut -d' ' -f1)
at=$(best_ns floor_host at "${floor_n[1]}" | cut -d' ' -f1)
lt_i=- at_i=-
if [ $callgrind = 1 ]; then
    lt_i=$(instr 1000000 "$floor" lt 1000000 -- "$floor" lt 2000000)
    at_i=$(instr 100000 "$floor" at 100000 -- "$floor" at 200000)
fi
printf '%-20s %10s %9s %9s %10s %7s %9s\n' scenario DMAs ns/DMA "M DMA/s" instr/DMA "x LT" "x AT/hop"
# floor_row NAME COUNT NS INSTR X_LT X_AT
floor_row() {
    printf '%-20s %10s %9.1f %9.2f %10s %7s %9s\n' "$1" "$2" "$3" "$(awk -v n="$3" 'BEGIN { print 1e3 / n }')" "$4" "$5" "$6"
}
floor_row floor-lt "${floor_n[0]}" "$lt" "$lt_i" 1.0 -
floor_row floor-at-hop "${floor_n[1]}" "$at" "$at_i" - 1.00
# The host's memory: a dependent read of a random line in 256 MiB, what a DMA to the
# 64 MiB-window scenarios' data waits for on any simulator.
if wanted_any atomic-misses-64M atomic-misses-4way atomic-misses-64way; then
    mem=$(best_ns floor_host mem "${floor_n[2]}" | cut -d' ' -f1)
    floor_row floor-mem-256M "${floor_n[2]}" "$mem" - - -
fi

for s in "${scenarios[@]}"; do
    IFS='|' read -r name mode hops args <<<"$s"
    wanted "$name" || continue
    read -ra a <<<"$args"
    a+=(--mode "$mode")
    read -r ns dmas <<<"$(best_ns sim_host "${a[@]}" --dev.requests="$requests")"
    ins=-
    if [ $callgrind = 1 ]; then
        small=$(( requests / 25 ))  # 10,000 per device
        units=$(sim_host "${a[@]}" --dev.requests=$small | cut -d' ' -f2)
        ins=$(instr "$units" "$sim" "${a[@]}" --dev.requests=$small --quiet \
                    -- "$sim" "${a[@]}" --dev.requests=$(( 2 * small )) --quiet)
    fi
    awk -v n="$name" -v d="$dmas" -v ns="$ns" -v i="$ins" -v lt="$lt" -v at="$at" -v h="$hops" 'BEGIN {
        printf "%-20s %10d %9.1f %9.2f %10s %7.1f %9s\n", n, d, ns, 1e3 / ns, i, ns / lt,
               (h > 0 ? sprintf("%.2f", ns / h / at) : "-") }'
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# "SECONDS PEAK_KIB" of a command; without GNU time (Debian package time) the peak is 0
# and prints as -.
if [ -x /usr/bin/time ]; then
    measure() { { /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -1; }
else
    measure() {
        local start end
        start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" 'BEGIN { print e - s, 0 }'
    }
fi
header=0
for r in "${replays[@]}"; do
    IFS='|' read -r name kind per <<<"$r"
    wanted "$name" || continue
    [ $header = 1 ] || printf '\n%-20s %10s %9s %9s %10s\n' replay lines "host s" "peak MiB" instr/line
    header=1
    python3 scripts/gen_trace.py --maps $(( lines / per )) --iova "$kind" >"$tmp/t"
    best=""
    for _ in $(seq "$runs"); do
        out=$(measure "$sim" replay --config configs/replay-vtd.ini --trace "$tmp/t" --op-log /dev/null --quiet)
        best=$(awk -v o="$out" -v b="$best" 'BEGIN { split(o, a, " "); split(b, c, " ")
                                                 print (b == "" || a[1] < c[1]) ? o : b }')
    done
    ins=-
    if [ $callgrind = 1 ]; then
        python3 scripts/gen_trace.py --maps $(( 10000 / per )) --iova "$kind" >"$tmp/s1"
        python3 scripts/gen_trace.py --maps $(( 20000 / per )) --iova "$kind" >"$tmp/s2"
        ins=$(instr 10000 "$sim" replay --config configs/replay-vtd.ini --trace "$tmp/s1" --op-log /dev/null --quiet \
                    -- "$sim" replay --config configs/replay-vtd.ini --trace "$tmp/s2" --op-log /dev/null --quiet)
    fi
    awk -v n="$name" -v l="$lines" -v o="$best" -v i="$ins" 'BEGIN { split(o, a, " ")
        printf "%-20s %10d %9.2f %9s %10s\n", n, l, a[1], (a[2] > 0 ? sprintf("%.0f", a[2] / 1024) : "-"), i }'
done
