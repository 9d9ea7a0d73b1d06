#!/usr/bin/env bash
# Expands a parameter grid into iommu-sim runs, runs them in parallel (GNU parallel,
# else xargs -P), collects one CSV and draws a plot (matplotlib); or writes the same
# runs as a Slurm job array.
#
#   scripts/sweep.sh GRID [--out DIR] [--jobs N] [--build DIR] [--no-plot]
#   scripts/sweep.sh GRID --out DIR --slurm [--time HH:MM:SS] [--mem SIZE]
#   sbatch DIR/sweep.sbatch && scripts/sweep.sh GRID --out DIR --collect
#
# GRID lines (# starts a comment):
#   config  FILE...                  configuration files, in order
#   set     KEY=VALUE...             fixed overrides
#   vary    KEY VALUE...             one axis; several vary lines make a product
#   collect STAT...                  statistics for the CSV (see `iommu-sim csv`)
#   plot    X_KEY Y_STAT             x: a varied key; y: a collected statistic; with two
#                                    vary lines, one line per value of the other key
# The grid is checked before anything runs: every point through `iommu-sim
# --dump-config` (keys and values), the collected statistics against one short run of
# the first point (--sim.duration_ns=1000); a bad line is named (GRID:LINE: KEY: why,
# exit 2). DIR gets commands.txt (one run a line), runs/KEY=VALUE,....json (named by
# the point's parameters), results.csv (a column per varied key, then the statistics),
# plot.png (axis units from `iommu-sim --help`, else the name's suffix: see
# scripts/plot_sweep.py) and plot.txt (its labels and series as text). --slurm: --time (default 01:00:00) and --mem (default 2G)
# per array task. Missing Debian packages (parallel, python3-matplotlib) are installed
# with apt-get, saying so, unless SWEEP_NO_INSTALL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/sweep.sh GRID [--out DIR] [--jobs N] [--build DIR] [--no-plot]" \
        "[--slurm [--time HH:MM:SS] [--mem SIZE]|--collect]" >&2
    exit 2
}
bad() { echo "sweep: $*" >&2; exit 2; }
[ $# -ge 1 ] || usage
grid=$1; shift
out=sweep-out; jobs=$(nproc); build=build; plot=yes; mode=run; time_limit=01:00:00; mem=2G
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --no-plot) plot=no; shift ;;
        --slurm) mode=slurm; shift ;;
        --collect) mode=collect; shift ;;
        --time) time_limit=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        *) usage ;;
    esac
done
# Slurm's formats: [D-]HH:MM:SS (or MM, MM:SS) and a size with an optional K/M/G/T.
[[ $time_limit =~ ^([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}$ ]] ||
    bad "command line: --time: '$time_limit' is not [D-]HH:MM:SS"
[[ $mem =~ ^[0-9]+[KMGT]?$ ]] || bad "command line: --mem: '$mem' is not a size like 2G"
[ -f "$grid" ] || bad "$grid: cannot open file"

# The grid, with the line each key came from (for messages).
configs=(); config_line=0; sets=(); axes=(); collect=(); plot_x=""; plot_y=""; plot_line=0
declare -A line_of=() stat_line=()
n=0
while read -r word rest || [ -n "$word" ]; do
    n=$((n + 1))
    case "$word" in
        ''|'#'*) ;;
        config) read -r -a v <<<"$rest"; configs+=("${v[@]}"); config_line=$n ;;
        set) read -r -a v <<<"$rest"; sets+=("${v[@]}")
             for kv in "${v[@]}"; do line_of[${kv%%=*}]=$n; done ;;
        vary) [ -n "$rest" ] && [ "$(wc -w <<<"$rest")" -ge 2 ] || bad "$grid:$n: vary: needs KEY and values"
              axes+=("$rest"); line_of[${rest%% *}]=$n ;;
        collect) read -r -a v <<<"$rest"; collect+=("${v[@]}")
                 for k in "${v[@]}"; do stat_line[$k]=$n; done ;;
        plot) read -r plot_x plot_y <<<"$rest"; plot_line=$n ;;
        *) bad "$grid:$n: $word: unknown line (config, set, vary, collect, plot)" ;;
    esac
done <"$grid"
[ ${#configs[@]} -gt 0 ] || bad "$grid: config: none given"
[ ${#collect[@]} -gt 0 ] || bad "$grid: collect: none given"
varied=()
for axis in "${axes[@]}"; do varied+=("${axis%% *}"); done
if [ -n "$plot_x" ]; then
    [ -n "$plot_y" ] || bad "$grid:$plot_line: plot: needs X_KEY and Y_STAT"
    [[ " ${varied[*]} " == *" $plot_x "* ]] || bad "$grid:$plot_line: $plot_x: not a varied key (plot X_KEY Y_STAT)"
    [ -n "${stat_line[$plot_y]:-}" ] || bad "$grid:$plot_line: $plot_y: not a collected statistic (add it to collect)"
fi

sim="$build/platforms/iommu-sim"
[ -x "$sim" ] || scripts/setup.sh "$build"

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

# A run's arguments: the configs, the fixed overrides, then the point's.
run_args() {
    args=()
    for c in "${configs[@]}"; do args+=(--config "$c"); done
    for kv in "${sets[@]}" $1; do args+=("--$kv"); done
}

# iommu-sim's one-line error, "iommu-sim: command line: KEY: why" or "FILE...: why",
# as the grid line that gave the key or the file.
grid_error() {
    local msg=${1#iommu-sim: } key
    if [[ $msg == "command line: "* ]]; then
        msg=${msg#command line: }; key=${msg%%:*}
        bad "$grid:${line_of[$key]:-$config_line}: $msg"
    fi
    bad "$grid:$config_line: $msg"
}

# Keys and values: every point's effective configuration (nothing is simulated).
for p in "${points[@]}"; do
    run_args "$p"
    err=$("$sim" --dump-config "${args[@]}" 2>&1 >/dev/null) || grid_error "$(tail -1 <<<"$err")"
done
# Statistics: one short run of the first point must write every collected key.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
run_args "${points[0]}"
err=$("$sim" "${args[@]}" --sim.duration_ns=1000 --stats-json "$probe/s.json" --quiet 2>&1 >/dev/null) ||
    grid_error "$(tail -1 <<<"$err")"
if ! err=$("$sim" csv --keys "$(IFS=,; echo "${collect[*]}")" "$probe/s.json" 2>&1 >/dev/null); then
    key=$(sed -n 's/^iommu-sim: [^:]*: \([^:]*\): .*/\1/p' <<<"$err")
    bad "$grid:${stat_line[$key]:-0}: $key: no such statistic in a run of this grid"
fi

# A run's file name: its point, "KEY=VALUE,..." kept to characters safe in a path.
run_name() {
    local name=${1// /,}
    printf '%s\n' "${name:-run}" | tr -c 'A-Za-z0-9._=,+\n-' '_'
}
declare -A seen=()
for p in "${points[@]}"; do
    f=$(run_name "$p")
    [ -z "${seen[$f]:-}" ] || bad "$grid: two points make the run name $f; use distinct values"
    seen[$f]=1
done

# One command per point (the same file drives local runs and the Slurm array).
mkdir -p "$out/runs"
: >"$out/commands.txt"
for p in "${points[@]}"; do
    run_args "$p"
    printf '%q ' "$(realpath "$sim")" "${args[@]}" --stats-json "$(realpath "$out")/runs/$(run_name "$p").json" \
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
#SBATCH --time=$time_limit
#SBATCH --mem=$mem
#SBATCH --output=$(realpath "$out")/runs/slurm-%a.out
cd $(pwd)
sed -n "\${SLURM_ARRAY_TASK_ID}p" $(realpath "$out")/commands.txt | bash
SBATCH
    echo "sweep: submit with 'sbatch $out/sweep.sbatch', then collect with"
    echo "       scripts/sweep.sh $grid --out $out --collect"
    exit 0
fi

# Installs a Debian package when a check fails, once, saying so (not with SWEEP_NO_INSTALL).
install_missing() {
    local what=$1; shift
    "$@" >/dev/null 2>&1 || [ -n "${SWEEP_NO_INSTALL:-}" ] || {
        echo "sweep: installing $what with apt-get (once)..." >&2
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get install -y -qq "$what" >/dev/null 2>&1 || true
    }
}

if [ "$mode" = run ]; then
    install_missing parallel command -v parallel
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
for p in "${points[@]}"; do files+=("$out/runs/$(run_name "$p").json"); done
"$sim" csv --keys "$keys" "${files[@]}" >"$out/stats.csv"
{
    header=""
    for key in "${varied[@]}"; do header+="$key,"; done
    echo "$header$keys"
    j=0
    tail -n +2 "$out/stats.csv" | while IFS= read -r row; do
        p=${points[$j]}; j=$((j + 1))
        vals=""
        for kv in $p; do vals+="${kv#*=},"; done
        # The file column is quoted when the name has a comma.
        if [[ $row == '"'* ]]; then row=${row#\"*\",}; else row=${row#*,}; fi
        echo "$vals$row"
    done
} >"$out/results.csv"
rm -f "$out/stats.csv"
echo "sweep: $out/results.csv"

# Plot arguments: one series per value of the other varied keys; units from --help.
plot_args() {
    pargs=("$out/results.csv" "$plot_x" "$plot_y" "$out/plot.png")
    for key in "${varied[@]}"; do [ "$key" = "$plot_x" ] || pargs+=(--series "$key"); done
    local unit
    unit=$("$sim" --help | sed -n "s/^ *--$plot_x=[^ ]* *\[\([^]]*\)\].*/\1/p")
    [ -z "$unit" ] || pargs+=(--unit "$plot_x=$unit")
}

if [ "$plot" = yes ] && [ -n "$plot_x" ]; then
    plot_args
    /usr/bin/python3 scripts/plot_sweep.py "${pargs[@]}" --dry-run >"$out/plot.txt"
    install_missing python3-matplotlib /usr/bin/python3 -c "import matplotlib"
    if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
        /usr/bin/python3 scripts/plot_sweep.py "${pargs[@]}"
        echo "sweep: $out/plot.png ($out/plot.txt: its series as text)"
    else
        echo "sweep: no plot: Debian's python3-matplotlib is not installed; its series are in $out/plot.txt"
    fi
fi
