#!/usr/bin/env bash
# scripts/sweep.sh: a grid becomes one run per point, named by its parameters, one CSV
# row per run with the varied keys first; a 2-D plot has a line per value of the other
# key; the same runs as a Slurm array with --time and --mem; a bad grid line (unknown
# key, bad value, missing statistic) is named before anything runs.
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
plot    dev.window system.iommu.iotlb.hit_rate
GRID
if ! "$root/scripts/sweep.sh" "$tmp/g.grid" --out "$tmp/out" --build "$build" --jobs 2 >"$tmp/log" 2>&1; then
    echo "FAIL sweep run: $(cat "$tmp/log")"; fail=1
fi
csv="$tmp/out/results.csv"
if [ "$(head -1 "$csv")" != "vtd.iotlb.ways,dev.window,system.dev0.reads,system.iommu.iotlb.hit_rate" ] ||
    [ "$(grep -c '' "$csv")" -ne 5 ] || ! grep -q '^32,4M,300,' "$csv" || ! grep -q '^1024,64K,300,' "$csv"; then
    echo "FAIL results.csv:"; cat "$csv"; fail=1
else
    echo "ok   sweep: 4 runs, $(grep -c '' "$csv") lines of CSV"
fi
names=$(cd "$tmp/out/runs" && ls *.json | tr '\n' ' ')
if [ "$names" != "vtd.iotlb.ways=1024,dev.window=4M.json vtd.iotlb.ways=1024,dev.window=64K.json vtd.iotlb.ways=32,dev.window=4M.json vtd.iotlb.ways=32,dev.window=64K.json " ]; then
    echo "FAIL run files named by their parameters: $names"; fail=1
else
    echo "ok   run files: $names"
fi
# The 2-D plot's series (printed, so matplotlib is not needed): one per dev.window,
# labelled "KEY = VALUE", x sorted numerically, axis labels with units.
"$root/scripts/plot_sweep.py" "$csv" vtd.iotlb.ways system.iommu.iotlb.hit_rate "$tmp/p.png" \
    --series dev.window --unit dev.window=B --dry-run >"$tmp/series" 2>&1
h64=$(awk -F, '$1 == 32 && $2 == "64K" { printf "%g", $4 }' "$csv")
if ! grep -qx 'x: vtd.iotlb.ways (entries)' "$tmp/series" ||
    ! grep -qx 'y: system.iommu.iotlb.hit_rate (fraction)' "$tmp/series" ||
    [ "$(grep -c '^series dev.window = ' "$tmp/series")" -ne 2 ] ||
    ! grep -q "^series dev.window = 64K: 32:$h64 1024:" "$tmp/series"; then
    echo "FAIL 2-D plot series:"; cat "$tmp/series"; fail=1
else
    echo "ok   2-D plot: $(grep -c '^series' "$tmp/series") series with legends"
fi
# sweep.sh's own plot: x is the other axis, its unit from --help, a series per ways.
if ! grep -qx 'x: dev.window (B)' "$tmp/out/plot.txt" ||
    ! grep -q '^series vtd.iotlb.ways = 32: 64K:[0-9.]* 4M:' "$tmp/out/plot.txt" ||
    ! grep -q '^series vtd.iotlb.ways = 1024: 64K:' "$tmp/out/plot.txt"; then
    echo "FAIL sweep's plot.txt:"; cat "$tmp/out/plot.txt"; fail=1
else
    echo "ok   sweep's plot: $(head -1 "$tmp/out/plot.txt"), a series per vtd.iotlb.ways"
fi
# More IOTLB entries over the large window: a higher hit rate.
small=$(awk -F, '$1 == 32 && $2 == "4M" { print $4 }' "$csv")
large=$(awk -F, '$1 == 1024 && $2 == "4M" { print $4 }' "$csv")
if ! awk -v a="$small" -v b="$large" 'BEGIN { exit !(b > a) }'; then
    echo "FAIL hit rate does not grow with the IOTLB: $small -> $large"; fail=1
fi
"$root/scripts/sweep.sh" "$tmp/g.grid" --out "$tmp/slurm" --build "$build" --slurm --mem 3G >"$tmp/log" 2>&1
if ! grep -q '^#SBATCH --array=1-4$' "$tmp/slurm/sweep.sbatch" ||
    ! grep -q '^#SBATCH --time=01:00:00$' "$tmp/slurm/sweep.sbatch" ||
    ! grep -q '^#SBATCH --mem=3G$' "$tmp/slurm/sweep.sbatch" || [ "$(grep -c '' "$tmp/slurm/commands.txt")" -ne 4 ] ||
    ls "$tmp/slurm/runs/"*.json >/dev/null 2>&1; then
    echo "FAIL slurm array: $(cat "$tmp/log")"; fail=1
else
    echo "ok   slurm: sweep.sbatch with --array=1-4, --time, --mem; nothing run"
fi
printf 'config configs/default.ini\nwiggle x\n' >"$tmp/bad.grid"
"$root/scripts/sweep.sh" "$tmp/bad.grid" --out "$tmp/bad" --build "$build" >"$tmp/log" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -q "bad.grid:2: wiggle: unknown line" "$tmp/err"; then
    echo "FAIL bad grid: $(cat "$tmp/err")"; fail=1
else
    echo "ok   bad grid: $(cat "$tmp/err")"
fi
# Bad grids: the line and key named, exit 2, nothing run (no output directory).
bad_grid() {  # NAME SED-EXPRESSION EXPECTED-MESSAGE
    sed "$2" "$tmp/g.grid" >"$tmp/$1.grid"
    "$root/scripts/sweep.sh" "$tmp/$1.grid" --out "$tmp/$1" --build "$build" >"$tmp/log" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ] || [ "$(cat "$tmp/err")" != "sweep: $tmp/$1.grid:$3" ] || [ -e "$tmp/$1" ]; then
        echo "FAIL $1 (exit $rc): $(cat "$tmp/err")"; fail=1
    else
        echo "ok   $1: $(cat "$tmp/err")"
    fi
}
bad_grid vary-key 's/^vary    vtd.iotlb.ways/vary    vtd.iotlb.wayz/' "4: vtd.iotlb.wayz: unknown parameter; did you mean 'vtd.iotlb.ways'?"
bad_grid vary-value 's/ 1024$/ lots/' "4: vtd.iotlb.ways: 'lots' is not an unsigned integer"
bad_grid set-key 's/dev.requests=300/dev.requestz=300/' "3: dev.requestz: unknown parameter; did you mean 'dev.requests'?"
bad_grid collect-key 's/system.dev0.reads/system.dev0.readz/' \
    "6: system.dev0.readz: no such statistic in a run of this grid"
bad_grid plot-key 's/^plot .*/plot dev.requests system.dev0.reads/' \
    "7: dev.requests: not a varied key (plot X_KEY Y_STAT)"
bad_grid plot-stat 's/^plot .*/plot dev.window system.dev0.writes/' \
    "7: system.dev0.writes: not a collected statistic (add it to collect)"
"$root/scripts/sweep.sh" "$tmp/g.grid" --out "$tmp/t" --build "$build" --slurm --time soon >"$tmp/log" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -q -- "--time: 'soon'" "$tmp/err" || [ -e "$tmp/t" ]; then
    echo "FAIL bad --time: $(cat "$tmp/err")"; fail=1
fi
exit $fail
