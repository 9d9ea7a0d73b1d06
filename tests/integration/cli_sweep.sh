#!/usr/bin/env bash
# scripts/sweep.sh: a grid becomes one run per point, one CSV row per run with the
# varied keys first; the same runs as a Slurm array; a bad grid line is named.
source "$(dirname "$0")/cli_common.sh"
build=$(dirname "$(dirname "$sim")")
export SWEEP_NO_INSTALL=1
cat >"$tmp/g.grid" <<'GRID'
# two axes: 2 x 2 points
config  configs/vtd-broadwell.ini
set     dev.requests=300
vary    vtd.iotlb.ways 32 1024
vary    dev.window 64K 4M
collect system.dev0.reads system.iommu.iotlb.hit_rate
plot    vtd.iotlb.ways system.iommu.iotlb.hit_rate
GRID
if ! "$root/scripts/sweep.sh" "$tmp/g.grid" --out "$tmp/out" --build "$build" --jobs 2 --no-plot >"$tmp/log" 2>&1; then
    echo "FAIL sweep run: $(cat "$tmp/log")"; fail=1
fi
csv="$tmp/out/results.csv"
if [ "$(head -1 "$csv")" != "vtd.iotlb.ways,dev.window,system.dev0.reads,system.iommu.iotlb.hit_rate" ] ||
    [ "$(grep -c '' "$csv")" -ne 5 ] || ! grep -q '^32,4M,300,' "$csv" || ! grep -q '^1024,64K,300,' "$csv"; then
    echo "FAIL results.csv:"; cat "$csv"; fail=1
else
    echo "ok   sweep: 4 runs, $(grep -c '' "$csv") lines of CSV"
fi
# More IOTLB entries over the large window: a higher hit rate.
small=$(awk -F, '$1 == 32 && $2 == "4M" { print $4 }' "$csv")
large=$(awk -F, '$1 == 1024 && $2 == "4M" { print $4 }' "$csv")
if ! awk -v a="$small" -v b="$large" 'BEGIN { exit !(b > a) }'; then
    echo "FAIL hit rate does not grow with the IOTLB: $small -> $large"; fail=1
fi
"$root/scripts/sweep.sh" "$tmp/g.grid" --out "$tmp/slurm" --build "$build" --slurm >"$tmp/log" 2>&1
if ! grep -q '^#SBATCH --array=1-4$' "$tmp/slurm/sweep.sbatch" || [ "$(grep -c '' "$tmp/slurm/commands.txt")" -ne 4 ] ||
    ls "$tmp/slurm/runs/"*.json >/dev/null 2>&1; then
    echo "FAIL slurm array: $(cat "$tmp/log")"; fail=1
else
    echo "ok   slurm: sweep.sbatch with --array=1-4, nothing run"
fi
printf 'config configs/default.ini\nwiggle x\n' >"$tmp/bad.grid"
"$root/scripts/sweep.sh" "$tmp/bad.grid" --out "$tmp/bad" --build "$build" >"$tmp/log" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -q "bad.grid:2: wiggle: unknown line" "$tmp/err"; then
    echo "FAIL bad grid: $(cat "$tmp/err")"; fail=1
else
    echo "ok   bad grid: $(cat "$tmp/err")"
fi
exit $fail
