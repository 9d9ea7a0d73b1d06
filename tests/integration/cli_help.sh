#!/usr/bin/env bash
# Help everywhere: --help on each subcommand (usage, exit 0), `help` and `help
# SECTION` (natural defaults, valid values, 100 columns), the grouped top-level
# --help, --list-configs and --list-workloads, and "did you mean" for unknown keys and
# sections (one line, exit 2).
. "$(dirname "$0")/cli_common.sh"
run() {  # DESCRIPTION WANTED-STATUS ARGS...
    local what=$1 want=$2; shift 2
    "$sim" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" = "$want" ]; then echo "ok   $what"; else echo "FAIL $what: exit $rc, wanted $want"; cat "$tmp/err"; fail=1; fi
}
has() {  # DESCRIPTION FILE FIXED-STRING
    if grep -qF -- "$3" "$tmp/$2"; then echo "ok   $1"; else echo "FAIL $1: no '$3' in $2:"; head -20 "$tmp/$2"; fail=1; fi
}
narrow() {  # DESCRIPTION: every line of the last output fits 100 columns
    if awk 'length($0) > 100 { exit 1 }' "$tmp/out"; then echo "ok   $1 fits 100 columns"; else echo "FAIL $1: a line is wider than 100"; fail=1; fi
}

for sub in walk replay csv compare; do
    run "$sub --help" 0 $sub --help
    has "$sub --help gives its usage line" out "usage: iommu-sim $sub"
    has "$sub --help lists its options" out "--help "
    if grep -q -- "--files" "$tmp/out"; then echo "FAIL $sub --help shows the positional --files"; fail=1
    else echo "ok   $sub --help names no --files option (files are bare words)"; fi
done

run "--help" 0 --help
narrow "--help"
# Per-device sections ([dev0], [link1]) are declared unlisted: [dev] and [link] stand for them.
if grep -q -- "--dev\.requests=" "$tmp/out" && ! grep -q -- "--dev0\.\|--link0\." "$tmp/out"; then
    echo "ok   --help lists [dev] and [link], not each device's copy"
else echo "FAIL --help: per-device sections listed, or [dev] missing"; fail=1; fi
has "--help groups by section" out "[vtd.iotlb]"
has "--help gives sizes with suffixes" out "--memory.cache.size=2M "
has "--help lists the values a range would hide" out "(4K|2M|1G)"
[ "$(tail -1 "$tmp/out")" = "iommu-sim help SECTION for one section" ] && echo "ok   --help ends with the pointer to help SECTION" ||
    { echo "FAIL --help ends with: $(tail -1 "$tmp/out")"; fail=1; }

run "help" 0 help
has "help lists the subcommands" out "  compare   statistics of runs side by side"
has "help lists the sections" out "vtd.iotlb"
run "help vtd.iotlb" 0 help vtd.iotlb
narrow "help vtd.iotlb"
has "help SECTION lists its parameters" out "--vtd.iotlb.replacement=lru"
! grep -q "vtd.walk_cache" "$tmp/out" && echo "ok   help SECTION lists that section only" ||
    { echo "FAIL help vtd.iotlb shows other sections"; fail=1; }
run "help memory (and memory.cache)" 0 help memory
has "help SECTION includes the sections under it" out "[memory.cache]"
run "help with a mistyped section" 2 help vtd.iotbl
has "an unknown section suggests one" err "vtd.iotbl: no such parameter section; did you mean 'vtd.iotlb'?"

run "--list-workloads" 0 --list-workloads
has "--list-workloads names nic_ring" out "  nic_ring      a NIC's RX and TX rings ([nic])"
(cd "$root" && "$sim" --list-configs) >"$tmp/out" 2>"$tmp/err" && has "--list-configs lists configs/*.ini" out "configs/nic-100g-vtd.ini" ||
    { echo "FAIL --list-configs in the repository root"; fail=1; }
(cd "$tmp" && "$sim" --list-configs) >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && has "--list-configs says when configs/ is missing" err "configs: no such directory here" ||
    { echo "FAIL --list-configs without configs/"; fail=1; }

run "a mistyped key" 2 --iommu.walker=4
has "a mistyped key suggests the declared one" err "command line: iommu.walker: unknown parameter; did you mean 'iommu.walkers'?"
run "a key in the wrong section" 2 --vtd.walkers=4
has "a key in the wrong section suggests the one with the same name" err "did you mean 'iommu.walkers'?"
run "a key like nothing" 2 --no.such.key=1
grep -q "did you mean" "$tmp/err" && { echo "FAIL a key like nothing suggests something"; fail=1; } || echo "ok   nothing suggested for a key like nothing"
exit $fail
