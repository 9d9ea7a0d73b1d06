#!/usr/bin/env bash
# scripts/bench.sh --quick (a smoke test of the benchmark command, not a measurement):
# the floor lines (the host-memory one only with a 64 MiB-window scenario) and one line
# per scenario, each with its DMA count and positive figures; the timing scenarios have
# a ratio per AT hop; the replay lines have host time and peak RSS (with GNU time). A
# scenario it does not know and an unknown option exit 2.
# Usage: cli_bench.sh IOMMU_SIM ROOT BUILD_DIR
. "$(dirname "$0")/cli_common.sh"
build=$3
out=$(bash "$root/scripts/bench.sh" --quick --build "$build" 2>"$tmp/err") ||
    { echo "FAIL bench.sh --quick: exit $?"; cat "$tmp/err"; exit 1; }
echo "$out"
line() { echo "$out" | awk -v n="$1" '$1 == n'; }
check() {
    if awk "BEGIN { exit !($2) }"; then echo "ok   $1"; else echo "FAIL $1: $2"; fail=1; fi
}
for f in floor-lt floor-at-hop floor-mem-256M; do
    read -r _ n ns rate _ <<<"$(line $f)"
    check "$f measured" "${n:-0} > 0 && ${ns:-0} > 0 && ${rate:-0} > 0"
done
for s in atomic-none atomic-hits atomic-misses-64M atomic-misses-4way atomic-misses-64way timing-none timing-hits; do
    read -r _ dmas ns rate _ lt at <<<"$(line $s)"
    check "$s: 4 devices x 5000 requests" "${dmas:-0} == 20000"
    check "$s: ns/DMA, M DMA/s and the LT ratio" "${ns:-0} > 0 && ${rate:-0} > 0 && ${lt:-0} > 0"
    case $s in timing-*) check "$s: ratio per AT hop" "${at:-0} > 0" ;; esac
done
for r in replay-1M-fixed replay-1M-auto replay-churn; do
    read -r _ lines secs mib _ <<<"$(line $r)"
    check "$r: 20000 lines and host time" "${lines:-0} == 20000 && ${secs:-0} > 0"
    # The peak RSS comes from GNU time (Debian package time); without it, "-".
    [ ! -x /usr/bin/time ] || check "$r: peak RSS" "${mib:-0} > 0"
done
only=$(bash "$root/scripts/bench.sh" --quick --build "$build" atomic-hits 2>"$tmp/err")
echo "$only" | grep -q '^atomic-hits ' && ! echo "$only" | grep -q '^floor-mem-256M '
check "without a 64 MiB-window scenario, no host-memory floor" "$? == 0"
bash "$root/scripts/bench.sh" --quick --build "$build" no-such 2>"$tmp/err" >/dev/null
check "an unknown scenario exits 2" "$? == 2"
grep -q "no scenario 'no-such'" "$tmp/err" || { echo "FAIL unknown scenario not named"; fail=1; }
bash "$root/scripts/bench.sh" --bogus 2>/dev/null
check "an unknown option exits 2" "$? == 2"
exit $fail
