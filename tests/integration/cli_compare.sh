#!/usr/bin/env bash
# `iommu-sim compare` on two short runs and on hand-written files: the table, the
# ratio column, "-" for a statistic one file lacks, --help, and bad input (one line,
# exit 2, nothing on stdout).
. "$(dirname "$0")/cli_common.sh"
expect() {  # DESCRIPTION WANTED-STATUS ARGS...
    local what=$1 want=$2; shift 2
    "$sim" compare "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then echo "FAIL $what: exit $rc, wanted $want"; cat "$tmp/err"; fail=1; return; fi
    if [ "$want" = 2 ] && { [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" != 1 ]; }; then
        echo "FAIL $what: wanted one line on stderr and nothing on stdout"; cat "$tmp/out" "$tmp/err"; fail=1; return
    fi
    echo "ok   $what"
}
has() {  # DESCRIPTION REGEX (over the last output)
    if grep -Eq "$2" "$tmp/out"; then echo "ok   $1"; else echo "FAIL $1: no /$2/ in"; cat "$tmp/out"; fail=1; fi
}

"$sim" --config "$root/configs/bench-vtd.ini" --dev.requests=300 --stats-json "$tmp/a.json" --quiet || fail=1
"$sim" --config "$root/configs/bench-vtd.ini" --dev.requests=600 --stats-json "$tmp/b.json" --quiet || fail=1
expect "two runs compare" 0 "$tmp/a.json" "$tmp/b.json"
has "the legend names the files" "^B  $tmp/b.json$"
has "the header has a ratio column" "^statistic +A +B +B/A$"
has "twice the requests read about twice as often" "^system\.dev0\.reads +[0-9,]+ +[0-9,]+ +(1\.9|2\.0)[0-9]{2}$"
has "a headline figure shows even when equal" "^sim\.time_ns|^system\.dev0\.read_gbps"
expect "--keys picks rows and expands a histogram" 0 "$tmp/a.json" "$tmp/b.json" --keys system.dev0.reads,system.dev0.read_latency_ns
has "the histogram's p99 is a row" "^system\.dev0\.read_latency_ns\.p99 "
[ "$(wc -l <"$tmp/out")" -gt 4 ] && ! grep -q "system.memory" "$tmp/out" && echo "ok   only the keys asked" ||
    { echo "FAIL only the keys asked"; cat "$tmp/out"; fail=1; }

echo '{"x.n": 1000, "x.only_a": 5}' >"$tmp/h1.json"
echo '{"x.n": 1500, "x.only_c": 2}' >"$tmp/h2.json"
expect "hand-written files compare" 0 "$tmp/h1.json" "$tmp/h2.json" "$tmp/h1.json"
has "values grouped, ratios per later file" "^x\.n +1,000 +1,500 +1,000 +1\.500 +1\.000$"
has "absent statistics show as -" "^x\.only_c +- +2 +- +- +-$"
expect "--help" 0 --help
has "--help gives the usage line" "^usage: iommu-sim compare A.json B.json"

echo '[1, 2]' >"$tmp/array.json"
expect "a missing file" 2 "$tmp/h1.json" "$tmp/nothing.json"
grep -q "nothing.json: cannot open file" "$tmp/err" || { echo "FAIL missing file message"; cat "$tmp/err"; fail=1; }
expect "not a statistics file" 2 "$tmp/h1.json" "$tmp/array.json"
expect "one file only" 2 "$tmp/h1.json"
expect "a key no file has" 2 "$tmp/h1.json" "$tmp/h2.json" --keys x.none
grep -q "h1.json: x.none: no such statistic (nor in $tmp/h2.json)" "$tmp/err" ||
    { echo "FAIL unknown key message"; cat "$tmp/err"; fail=1; }
exit $fail
