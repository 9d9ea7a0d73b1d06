#!/usr/bin/env bash
# Timelines Perfetto draws right (issue 14): on every track the slices nest or are
# disjoint, every flow end has a start, timestamps are numbers
# (scripts/check_timeline.py), for a VT-d, an SMMUv3 and an AMD-Vi run; flows link DMAs
# to translations and translations to walks; --timeline-events selects classes.
source "$(dirname "$0")/cli_common.sh"
cd "$root"
checker=(python3 scripts/check_timeline.py)

check() {  # NAME, CONDITION
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
count() { grep -c "$1" "$2"; }

# The checker itself: a partial overlap on one track and a flow end with no start fail.
cat >"$tmp/bad.json" <<'JSON'
{"traceEvents":[
{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":5,"dur":10},
{"ph":"X","name":"c","pid":1,"tid":2,"ts":0,"dur":10},
{"ph":"f","bp":"e","name":"request","cat":"flow","id":7,"pid":1,"tid":2,"ts":5}]}
JSON
"${checker[@]}" "$tmp/bad.json" >"$tmp/bad.out"
check "checker: a partial overlap and an orphan flow end are errors" \
    "[ $? -eq 1 ] && grep -q 'partly overlaps' '$tmp/bad.out' && grep -q 'no earlier start' '$tmp/bad.out'"

# Walks on every request (a 64 MiB window misses the IOTLB), several devices in flight.
for run in "vtd:configs/bench-vtd.ini --dev.requests=3000 --dev.window=64M" \
           "smmuv3:configs/smmuv3-mmu600.ini --dev.requests=3000" \
           "amdvi:configs/amdvi-epyc.ini --dev.requests=3000" \
           "atomic:configs/bench-vtd.ini --dev.requests=1000 --dev.window=64M --mode atomic"; do
    name=${run%%:*}
    # shellcheck disable=SC2086
    "$sim" --config ${run#*:} --timeline "$tmp/$name.json" --quiet
    check "$name: the timeline passes the trace-event rules" "${checker[@]} '$tmp/$name.json'"
    check "$name: DMAs on lanes, flows to translations, counters" \
        "[ $(count '"name":"dma 1"' "$tmp/$name.json") -ge 1 ] && [ $(count '"ph":"f"' "$tmp/$name.json") -gt 0 ] &&
         [ $(count '"ph":"C"' "$tmp/$name.json") -gt 0 ]"
done
check "vtd: translations link to walks (flows with ends on the walk lanes)" \
    "[ $(count '"name":"walks 0"' "$tmp/vtd.json") -eq 1 ] && [ $(count '"ph":"s"' "$tmp/vtd.json") -gt 3000 ]"

# Link utilisation: a counter per link and direction, the percentage of each microsecond
# busy; summed over the windows it is the links' busy time (each window rounds down by <1%,
# and the last window is not written).
"$sim" --config configs/bench-vtd.ini --dev.requests=3000 --timeline "$tmp/link.json" \
    --timeline-events=counter --stats-json "$tmp/link-stats.json" --quiet
check "link: up utilisation per microsecond adds up to the link's busy time" \
    "python3 - '$tmp/link.json' '$tmp/link-stats.json' <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))['traceEvents']
stats = json.load(open(sys.argv[2]))
busy = sum(v for k, v in stats.items() if k.startswith('system.link') and k.endswith('.up.busy_ns'))
links = sum(1 for k in stats if k.startswith('system.link') and k.endswith('.up.busy_ns'))
up = [e['args']['value'] for e in events if e.get('ph') == 'C' and e['name'] == 'up utilisation %']
print('   ', links, 'links,', len(up), 'windows,', sum(up) * 10, 'ns of', busy, 'ns busy')
ok = links > 1 and up and all(0 <= v <= 100 for v in up) and busy - 10 * len(up) - 1000 * links <= sum(up) * 10 <= busy
sys.exit(0 if ok else 1)
PY"

# A driver's slices say what it did; invalidations name their granularity; a fault
# instant gives the faulting IOVA and no translated address.
"$sim" --config configs/nic-100g-vtd.ini --nic.packets=200 --timeline "$tmp/nic.json" --quiet
check "nic: the timeline passes the trace-event rules" "${checker[@]} '$tmp/nic.json'"
check "nic: map slices carry op, iova and size; IOTLB invalidations say granularity page" \
    "grep -q '\"name\":\"rx: map\",[^}]*\"args\":{\"op\":\"map\",\"dev\":0,\"iova\":\"0x4[0-9a-f]*\",\"size\":4096}' '$tmp/nic.json' &&
     grep -q '\"name\":\"iotlb\",[^}]*\"args\":{\"granularity\":\"page\"' '$tmp/nic.json'"
"$sim" replay --config configs/replay-vtd.ini --trace traces/samples/dma.trace --timeline "$tmp/replay.json" --quiet >/dev/null
check "replay: the timeline passes the rules; map slices carry the op's arguments; faults name the IOVA, no pa" \
    "${checker[@]} '$tmp/replay.json' &&
     grep -q '\"name\":\"ioas_map\",[^}]*\"args\":{\"op\":\"ioas_map\",[^}]*\"length\":\"64K\",\"iova\":\"0x100000\"}' '$tmp/replay.json' &&
     grep -q '\"name\":\"fault 0x5 WRITE\",[^}]*\"args\":{\"sid\":\"0x0100\",\"iova\":\"0x200800\"}' '$tmp/replay.json'"

# --timeline-events: only the classes asked for; an unknown one is one line, exit 2.
"$sim" --config configs/bench-vtd.ini --dev.requests=500 --dev.window=64M --timeline "$tmp/w.json" \
    --timeline-events=walk,counter --quiet
check "--timeline-events=walk,counter: walks and counters only" \
    "[ $(count '"name":"walk"' "$tmp/w.json") -gt 0 ] && [ $(count '"ph":"C"' "$tmp/w.json") -gt 0 ] &&
     [ $(count '"name":"read"' "$tmp/w.json") -eq 0 ] && [ $(count '"name":"translate"' "$tmp/w.json") -eq 0 ]"
"$sim" --config configs/bench-vtd.ini --timeline "$tmp/x.json" --timeline-events=dma,bogus >"$tmp/out" 2>"$tmp/err"
rc=$?
check "--timeline-events=dma,bogus: exit 2, one line naming the valid classes, nothing run" \
    "[ $rc -eq 2 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q \"unknown class 'bogus' (valid: dma, translation, walk\" '$tmp/err' && [ ! -s '$tmp/out' ]"
exit $fail
