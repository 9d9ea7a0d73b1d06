#!/usr/bin/env bash
# Runs every command README.md shows, as written, in order, in a scratch directory that
# sees the repository's build/, configs/, traces/ and scripts/ (so files one command
# writes are there for the next, and nothing lands in the checkout):
#
#   scripts/readme_commands.sh           run them all (after scripts/test.sh has built build/)
#   scripts/readme_commands.sh --list    print them, numbered, without running
#
# A command is a line in a ``` block that starts with build/platforms/iommu-sim,
# scripts/, "cd build" or "for " (with its continuation lines and loop body). Skipped:
# synopses (they hold placeholders such as [--KEY=VALUE] or MEM), the quick start's
# setup/build/test scripts (CI has just run them), fuzzing runs (CI fuzzes every
# target) and the benchmark (minutes of measurement; cli_bench runs it --quick). Runs that take minutes as written get the overrides in `shorter` appended
# (the only change). Any command that fails is printed with its output; exit 1. First,
# every code block must close with a bare ``` line.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Extra arguments for runs of a configuration that take minutes as written.
declare -A shorter=(
    [configs/nvme-4ssd.ini]="--nvme.ios=20000"
)

extract() {  # one command per record, records separated by NUL
    awk '
    /^```/ { inblock = !inblock; next }
    !inblock { next }
    {
        if (cont || loop) cmd = cmd "\n" $0
        else if ($0 ~ /^(build\/platforms\/iommu-sim|scripts\/[a-z_]+\.(sh|py)|cd build|for )/) cmd = $0
        else next
        if ($0 ~ /^for /) loop = 1
        if (loop && $0 ~ /^done/) loop = 0
        cont = ($0 ~ /\\$/)
        if (!cont && !loop) printf "%s%c", cmd, 0
    }' README.md
}

# A closing fence that carries text (```text) opens a block instead, and everything
# after it renders with code and prose swapped: one line naming it, exit 1.
check_fences() {
    awk '/^```/ { if (inblock && $0 != "```") { printf "README.md:%d: a closing code fence carries text: %s\n", NR, $0; bad = 1 }
                  inblock = !inblock }
         END { if (inblock) { print "README.md: a code block is never closed"; bad = 1 } exit bad }' README.md
}

skipped() {  # why a command is not run, or nothing
    case "$1" in
        *"[--"* | *" MEM "* | *" REQS"*) echo "synopsis" ;;
        scripts/setup.sh* | scripts/test.sh* | scripts/run.sh*) echo "quick start" ;;
        "scripts/fuzz.sh "[a-z]*" "[0-9]*) echo "fuzzing" ;;
        scripts/bench.sh*) echo "benchmark (minutes; ctest -R cli_bench runs it --quick)" ;;
    esac
}

check_fences || exit 1

if [ "${1:-}" = "--list" ]; then
    n=0
    while IFS= read -r -d '' c; do
        n=$((n + 1))
        why=$(skipped "$c")
        printf '%3d %s%s\n' "$n" "${why:+(skipped: $why) }" "$c"
    done < <(extract)
    exit 0
fi

[ -x build/platforms/iommu-sim ] || { echo "readme: build/platforms/iommu-sim missing: run scripts/test.sh first" >&2; exit 2; }

# The scratch directory: links to the checkout, and build/ a copy of links whose
# platforms/iommu-sim appends the `shorter` overrides.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for d in configs traces scripts tests; do ln -s "$root/$d" "$work/$d"; done
mkdir -p "$work/build/platforms"
for e in "$root"/build/* "$root"/build/.[!.]*; do [ -e "$e" ] && [ "$(basename "$e")" != platforms ] && ln -s "$e" "$work/build/"; done
for e in "$root"/build/platforms/*; do [ "$(basename "$e")" != iommu-sim ] && ln -s "$e" "$work/build/platforms/"; done
{
    echo '#!/usr/bin/env bash'
    echo 'extra=()'
    for cfg in "${!shorter[@]}"; do
        echo "for a in \"\$@\"; do [ \"\$a\" = \"$cfg\" ] && extra+=(${shorter[$cfg]}); done"
    done
    echo "exec \"$root/build/platforms/iommu-sim\" \"\$@\" \"\${extra[@]}\""
} >"$work/build/platforms/iommu-sim"
chmod +x "$work/build/platforms/iommu-sim"

n=0 ran=0 failed=0
while IFS= read -r -d '' c; do
    n=$((n + 1))
    [ -n "$(skipped "$c")" ] && continue
    ran=$((ran + 1))
    if (cd "$work" && SWEEP_NO_INSTALL=${SWEEP_NO_INSTALL:-} bash -eo pipefail -c "$c") </dev/null >"$work/out.txt" 2>&1; then
        echo "ok   $n: ${c%%$'\n'*}"
    else
        echo "FAIL $n: $c"
        sed 's/^/     /' "$work/out.txt" | tail -20
        failed=$((failed + 1))
    fi
done < <(extract)
echo "readme: $ran commands run, $failed failed"
[ "$failed" = 0 ]
