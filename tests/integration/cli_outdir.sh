#!/usr/bin/env bash
# Issue 14: --version, --dump-config and --out DIR. A dumped configuration names where
# each value came from and runs the same simulation; a run directory holds what it
# takes to repeat the run (the issue's Done-when: --config DIR/config.ini reproduces
# DIR/stats.json byte for byte), and the run's statistics schema: every statistic with
# its description, unit and kind (--stats-schema, DIR/stats.schema.json).
source "$(dirname "$0")/cli_common.sh"
cd "$root"

check() {  # NAME, CONDITION (bash test), DETAIL
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1: ${3:-}"; fail=1; fi
}
digest() { "$sim" csv --keys sim.config_digest "$1" | tail -1 | cut -d, -f2; }
# STATS SCHEMA: prints each key of one without its match in the other, or described
# without a description, a unit or the kind its value's shape says; nothing when none.
schema_gaps() {
    python3 - "$1" "$2" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
props = json.load(open(sys.argv[2]))["properties"]
def shape(v):
    if isinstance(v, dict): return "histogram" if "buckets" in v else "average"
    return "counter" if isinstance(v, int) and not isinstance(v, bool) else "formula"
for k in sorted(stats):
    e = props.get(k)
    if e is None:
        print(k + ": not described")
    elif not e.get("description") or not e.get("unit"):
        print(k + ": no description or unit")
    elif e.get("kind") != ("metadata" if k.startswith("sim.") else shape(stats[k])):
        print(k + ": kind " + str(e.get("kind")))
for k in sorted(set(props) - set(stats)):
    print(k + ": described, not a statistic of the run")
PY
}

v=$("$sim" --version); rc=$?
check "--version format" '[ $rc -eq 0 ] && [[ "$v" =~ ^iommu-sim\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [^\)]+\)$ ]]' "$v"

short=(--config configs/nic-100g-vtd.ini --nic.packets=1500)
"$sim" --dump-config "${short[@]}" --stats-json "$tmp/not-written.json" >"$tmp/dump.ini" 2>"$tmp/err"; rc=$?
check "--dump-config exits 0 and runs nothing" '[ $rc -eq 0 ] && [ ! -e "$tmp/not-written.json" ]' "rc=$rc $(cat "$tmp/err")"
check "dump: a file's value names file:line" 'grep -qx "seed = 1  # configs/nic-100g-vtd.ini:15" "$tmp/dump.ini"'
check "dump: an override names the command line" 'grep -qx "packets = 1500  # command line" "$tmp/dump.ini"'
check "dump: an unset parameter says default" 'grep -q "^[a-z_]* = .*  # default$" "$tmp/dump.ini"'
sections=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$tmp/dump.ini")
check "dump: sections are sorted" '[ -n "$sections" ] && [ "$sections" = "$(LC_ALL=C sort <<<"$sections")" ]'

"$sim" "${short[@]}" --stats-json "$tmp/orig.json" --quiet
"$sim" --config "$tmp/dump.ini" --stats-json "$tmp/again.json" --quiet
check "the dump runs the same simulation" 'cmp -s "$tmp/orig.json" "$tmp/again.json"'

# Two devices, per-instance values from the file and a template override from the
# command line (the later source wins for dev0 too).
two=(--config configs/default.ini --dev0.requests=300 --dev1.requests=200 --dev.size=128)
"$sim" --dump-config "${two[@]}" >"$tmp/two.ini"
"$sim" "${two[@]}" --stats-json "$tmp/two-orig.json" --quiet
"$sim" --config "$tmp/two.ini" --stats-json "$tmp/two-again.json" --quiet
check "instance sections survive the dump" 'cmp -s "$tmp/two-orig.json" "$tmp/two-again.json"'

dir=$tmp/runs/nic
"$sim" "${short[@]}" --out "$dir" --timeline "$dir/timeline.json" --quiet
for f in stats.json stats.schema.json config.ini cmdline.txt version.txt timeline.json; do
    check "--out writes $f" '[ -s "$dir/$f" ]'
done
"$sim" --config "$dir/config.ini" --stats-json "$tmp/rerun.json" --quiet
check "--config DIR/config.ini reproduces DIR/stats.json" 'cmp -s "$dir/stats.json" "$tmp/rerun.json"'
gaps=$(schema_gaps "$dir/stats.json" "$dir/stats.schema.json" 2>&1)
check "--out: stats.schema.json describes every statistic, and only those" '[ -z "$gaps" ]' "$gaps"
"$sim" --config "$dir/config.ini" --stats-schema "$tmp/rerun.schema.json" --quiet
check "--stats-schema writes DIR/stats.schema.json's bytes" 'cmp -s "$dir/stats.schema.json" "$tmp/rerun.schema.json"'
check "version.txt is --version" '[ "$(cat "$dir/version.txt")" = "$v" ]'
check "cmdline.txt is the command line" 'grep -q -- "--nic.packets=1500 --out $dir --timeline $dir/timeline.json --quiet$" "$dir/cmdline.txt"'

replay=(replay --trace traces/samples/dma.trace --op-log "$tmp/op.log" --quiet)
"$sim" "${replay[@]}" --config configs/replay-vtd.ini --set vtd.iotlb.ways=2 --out "$tmp/runs/r"
"$sim" "${replay[@]}" --config "$tmp/runs/r/config.ini" --stats-json "$tmp/r-again.json"
check "replay --out: its config.ini reproduces its stats.json" 'cmp -s "$tmp/runs/r/stats.json" "$tmp/r-again.json"'
gaps=$(schema_gaps "$tmp/runs/r/stats.json" "$tmp/runs/r/stats.schema.json" 2>&1)
check "replay --out: stats.schema.json describes every statistic, and only those" '[ -z "$gaps" ]' "$gaps"
"$sim" "${replay[@]}" --config configs/replay-vtd.ini --stats-json "$tmp/r2.json" --stats-schema "$tmp/r2.schema.json"
gaps=$(schema_gaps "$tmp/r2.json" "$tmp/r2.schema.json" 2>&1)
check "replay --stats-schema describes every statistic" '[ -s "$tmp/r2.schema.json" ] && [ -z "$gaps" ]' "$gaps"
check "replay --out: cmdline.txt names the subcommand" 'grep -q " replay --trace traces/samples/dma.trace .*--set vtd.iotlb.ways=2 " "$tmp/runs/r/cmdline.txt"'

# Every statistic the code base declares has a description: the workloads and
# architectures between them declare them all (short runs).
for run in "configs/nvme-vtd.ini --nvme.ios=2000" \
           "configs/gpu-stream-vtd.ini --gpu_stream.transfers=3 --gpu_stream.transfer_size=4M" \
           "configs/smmuv3-mmu600.ini --dev.requests=3000" \
           "configs/nvme-vtd.ini --config configs/smmuv3-mmu600.ini --nvme.ios=2000" \
           "configs/amdvi-epyc.ini --dev.requests=3000" \
           "configs/nic-100g-vtd.ini --config configs/amdvi-epyc.ini --nic.packets=1500"; do
    # shellcheck disable=SC2086  # $run is words
    "$sim" --config $run --quiet --stats-json "$tmp/s.json" --stats-schema "$tmp/s.schema.json"
    gaps=$(schema_gaps "$tmp/s.json" "$tmp/s.schema.json" 2>&1)
    check "--stats-schema describes every statistic: $run" '[ -z "$gaps" ]' "$gaps"
done

"$sim" "${short[@]}" --stats-schema "$tmp/no/such/dir/s.json" --quiet >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--stats-schema: a path that cannot be written is bad input" '[ $rc -eq 2 ] && grep -q "s.json: cannot write file" "$tmp/err"' "rc=$rc $(cat "$tmp/err")"

"$sim" "${short[@]}" --nic.packets=1501 --stats-json "$tmp/other.json" --quiet
check "the digest changes with a parameter" '[ "$(digest "$tmp/orig.json")" != "$(digest "$tmp/other.json")" ]'

"$sim" "${short[@]}" --out "$tmp/runs/bad" --stats-json "$tmp/no/such/dir/s.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--out with bad input writes no run files" '[ $rc -eq 2 ] && [ ! -e "$tmp/runs/bad/config.ini" ] && [ ! -s "$tmp/out" ]' "rc=$rc $(cat "$tmp/err")"

"$sim" "${short[@]}" --out /dev/null/x --quiet >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--out: a directory that cannot be made is bad input" '[ $rc -eq 2 ] && grep -q "/dev/null/x: cannot create directory" "$tmp/err" && [ ! -s "$tmp/out" ]' "rc=$rc $(cat "$tmp/err")"
exit $fail
