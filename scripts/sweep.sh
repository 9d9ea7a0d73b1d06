#!/usr/bin/env bash
# Expands a parameter grid into iommu-sim runs, runs them in parallel (GNU parallel,
# else xargs -P), collects one CSV and draws a plot (matplotlib); or writes the same
# runs as a Slurm job array.
#
#   scripts/sweep.sh GRID [--out DIR] [--jobs N] [--build DIR] [--no-plot]
#   scripts/sweep.sh GRID --out DIR --slurm      # writes DIR/sweep.sbatch; then
#   sbatch DIR/sweep.sbatch && scripts/sweep.sh GRID --out DIR --collect
#
# GRID lines (# starts a comment):
#   config  FILE...                  configuration files, in order
#   set     KEY=VALUE...             fixed overrides
#   vary    KEY VALUE...             one axis; several vary lines make a product
#   collect STAT...                  statistics for the CSV (see `iommu-sim csv`)
#   plot    X_KEY Y_STAT             x: a varied key; y: a collected statistic
# DIR gets commands.txt (one run a line), runs/NNNN.json, results.csv, plot.png.
# Missing Debian packages (parallel, python3-matplotlib) are installed with apt-get
# unless SWEEP_NO_INSTALL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/sweep.sh GRID [--out DIR] [--jobs N] [--build DIR] [--no-plot] [--slurm|--collect]" >&2; exit 2; }
[ $# -ge 1 ] || usage
grid=$1; shift
out=sweep-out; jobs=$(nproc); build=build; plot=yes; mode=run
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --no-plot) plot=no; shift ;;
        --slurm) mode=slurm; shift ;;
        --collect) mode=collect; shift ;;
        *) usage ;;
    esac
done
[ -f "$grid" ] || { echo "sweep: $grid: cannot open file" >&2; exit 2; }

configs=(); sets=(); axes=(); collect=(); plot_x=""; plot_y=""
n=0
while read -r word rest || [ -n "$word" ]; do
    n=$((n + 1))
    case "$word" in
        ''|'#'*) ;;
        config) read -r -a v <<<"$rest"; configs+=("${v[@]}") ;;
        set) read -r -a v <<<"$rest"; sets+=("${v[@]}") ;;
        vary) [ -n "$rest" ] && [ "$(wc -w <<<"$rest")" -ge 2 ] ||
                  { echo "sweep: $grid:$n: vary: needs KEY and values" >&2; exit 2; }
              axes+=("$rest") ;;
        collect) read -r -a v <<<"$rest"; collect+=("${v[@]}") ;;
        plot) read -r plot_x plot_y <<<"$rest" ;;
        *) echo "sweep: $grid:$n: $word: unknown line (config, set, vary, collect, plot)" >&2; exit 2 ;;
    esac
done <"$grid"
[ ${#configs[@]} -gt 0 ] || { echo "sweep: $grid: config: none given" >&2; exit 2; }
[ ${#collect[@]} -gt 0 ] || { echo "sweep: $grid: collect: none given" >&2; exit 2; }

sim="$build/platforms/iommu-sim"
[ -x "$sim" ] || scripts/setup.sh "$build"
mkdir -p "$out/runs"

# The grid's points: one line of "KEY=VALUE ..." each, the product of the axes.
points=("")
for axis in "${axes[@]}"; do
    read -r key values <<<"$axis"
    next=()
    for p in "${points[@]}"; do
        for v in $values; do next+=("${p:+$p }$key=$v"); done
    done
    points=("${next[@]}")
done

# One command per point (the same file drives local runs and the Slurm array).
: >"$out/commands.txt"
i=0
for p in "${points[@]}"; do
    i=$((i + 1))
    args=()
    for c in "${configs[@]}"; do args+=(--config "$c"); done
    for kv in "${sets[@]}" $p; do args+=("--$kv"); done
    printf '%q ' "$(realpath "$sim")" "${args[@]}" --stats-json "$(realpath "$out")/runs/$(printf %04d $i).json" \
        --quiet >>"$out/commands.txt"
    echo >>"$out/commands.txt"
done
echo "sweep: ${#points[@]} runs in $out/commands.txt"

if [ "$mode" = slurm ]; then
    cat >"$out/sweep.sbatch" <<SBATCH
#!/usr/bin/env bash
#SBATCH --job-name=iommu-sim-sweep
#SBATCH --array=1-${#points[@]}
#SBATCH --cpus-per-task=1
#SBATCH --output=$(realpath "$out")/runs/slurm-%a.out
cd $(pwd)
sed -n "\${SLURM_ARRAY_TASK_ID}p" $(realpath "$out")/commands.txt | bash
SBATCH
    echo "sweep: submit with 'sbatch $out/sweep.sbatch', then collect with"
    echo "       scripts/sweep.sh $grid --out $out --collect"
    exit 0
fi

if [ "$mode" = run ]; then
    if ! command -v parallel >/dev/null && [ -z "${SWEEP_NO_INSTALL:-}" ]; then
        sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get install -y -qq parallel >/dev/null 2>&1 || true
    fi
    if command -v parallel >/dev/null; then
        parallel --will-cite --halt now,fail=1 --jobs "$jobs" <"$out/commands.txt"
    else
        echo "sweep: GNU parallel unavailable; running with xargs -P $jobs"
        tr '\n' '\0' <"$out/commands.txt" | xargs -0 -P "$jobs" -I{} bash -c '{}'
    fi
fi

# One CSV: the varied keys, then the collected statistics, one row per point.
keys=$(IFS=,; echo "${collect[*]}")
files=()
for j in $(seq 1 ${#points[@]}); do files+=("$out/runs/$(printf %04d "$j").json"); done
"$sim" csv --keys "$keys" "${files[@]}" >"$out/stats.csv"
{
    header=""
    for axis in "${axes[@]}"; do read -r key _ <<<"$axis"; header+="$key,"; done
    echo "$header$keys"
    j=0
    tail -n +2 "$out/stats.csv" | while IFS= read -r row; do
        p=${points[$j]}; j=$((j + 1))
        vals=""
        for kv in $p; do vals+="${kv#*=},"; done
        echo "$vals${row#*,}"
    done
} >"$out/results.csv"
rm -f "$out/stats.csv"
echo "sweep: $out/results.csv"

if [ "$plot" = yes ] && [ -n "$plot_x" ]; then
    if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null && [ -z "${SWEEP_NO_INSTALL:-}" ]; then
        sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get install -y -qq python3-matplotlib >/dev/null 2>&1 || true
    fi
    if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
        /usr/bin/python3 scripts/plot_sweep.py "$out/results.csv" "$plot_x" "$plot_y" "$out/plot.png"
        echo "sweep: $out/plot.png"
    else
        echo "sweep: no plot: Debian's python3-matplotlib is not installed"
    fi
fi
