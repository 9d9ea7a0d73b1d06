#!/usr/bin/env bash
# One golden regression: runs NAME's line of runs.list and compares its statistics
# with goldens/NAME.json, byte for byte. Usage: check.sh IOMMU_SIM ROOT NAME
set -u
sim=$1
root=$2
name=$3
here="$root/tests/regression"
read -r -a args < <(awk -v n="$name" '$1 == n { $1 = ""; print }' "$here/runs.list")
if [ ${#args[@]} -eq 0 ]; then
    echo "check.sh: no run '$name' in runs.list"; exit 2
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cd "$root"
if ! "$sim" "${args[@]}" --stats-json "$out" --quiet >/dev/null; then
    echo "FAIL $name: the run failed"; exit 1
fi
if ! diff -u "$here/goldens/$name.json" "$out" | head -40; then :; fi
if ! cmp -s "$here/goldens/$name.json" "$out"; then
    echo "FAIL $name: statistics differ from goldens/$name.json (refresh on purpose:"
    echo "     scripts/refresh_goldens.sh)"
    exit 1
fi
echo "ok   $name"
