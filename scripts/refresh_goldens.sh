#!/usr/bin/env bash
# Rewrites tests/regression/goldens/ from the current build: run it on purpose, when a
# change is meant to move the statistics, and say why in the commit.
# Usage: scripts/refresh_goldens.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
sim="$build/platforms/iommu-sim"
[ -x "$sim" ] || scripts/setup.sh "$build"
while read -r name rest; do
    case "$name" in ''|'#'*) continue ;; esac
    read -r -a args <<<"$rest"
    "$sim" "${args[@]}" --stats-json "tests/regression/goldens/$name.json" --quiet >/dev/null
    echo "refreshed $name"
done < tests/regression/runs.list
