#!/usr/bin/env python3
"""Checks a trace-event JSON timeline (iommu-sim --timeline) against the rules Perfetto
needs to draw it: on every track (pid, tid) the "X" slices nest or are disjoint, never
partly overlap; every async end "e" has a begin "b"; every flow end ("t"/"f") has an
earlier start "s" and every flow event sits inside a slice of its track; timestamps and
durations are numbers; counter ("C") values are numbers.
Usage: python3 scripts/check_timeline.py TIMELINE.json   (exit 0: fine, 1: broken)"""
import json
import sys
from collections import defaultdict
from decimal import Decimal


def is_number(v):
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def check_nesting(track, slices, errors):
    """Slices sorted by start, longest first: each must end within the one it starts in."""
    stack = []
    for ts, dur, name in sorted(slices, key=lambda s: (s[0], -s[1])):
        while stack and stack[-1][1] <= ts:
            stack.pop()
        if stack and ts + dur > stack[-1][1]:
            errors.append(f"track {track}: '{name}' [{ts}, {ts + dur}] partly overlaps "
                          f"'{stack[-1][2]}' ending {stack[-1][1]}")
        stack.append((ts, ts + dur, name))


def inside(slices, ts):
    return any(s <= ts <= s + d for s, d, _ in slices)


def check(events):
    errors = []
    slices = defaultdict(list)
    asyncs = defaultdict(int)
    flow_starts = {}
    flows = []
    counts = defaultdict(int)
    for i, e in enumerate(events):
        ph = e.get("ph")
        counts[ph] += 1
        if not isinstance(ph, str) or not is_number(e.get("pid", 0)):
            errors.append(f"event {i}: no ph or a pid that is not a number")
            continue
        if ph == "M":
            continue
        ts = e.get("ts")
        if not is_number(ts):
            errors.append(f"event {i} ({ph} '{e.get('name')}'): ts {ts!r} is not a number")
            continue
        track = (e.get("pid"), e.get("tid"))
        if ph == "X":
            dur = e.get("dur")
            if not is_number(dur) or dur < 0:
                errors.append(f"event {i} ('{e.get('name')}'): dur {dur!r} is not a number >= 0")
                continue
            slices[track].append((ts, dur, e.get("name")))
        elif ph in ("b", "e"):
            key = (e.get("cat"), e.get("id"), e.get("name"))
            if ph == "b":
                asyncs[key] += 1
            elif asyncs[key] == 0:
                errors.append(f"event {i}: async end {key} with no begin")
            else:
                asyncs[key] -= 1
        elif ph in ("s", "t", "f"):
            key = (e.get("cat"), e.get("id"), e.get("name"))
            if ph == "s":
                flow_starts[key] = ts
            flows.append((i, track, ts, ph, key))
        elif ph == "C":
            if not all(is_number(v) for v in e.get("args", {}).values()):
                errors.append(f"event {i}: counter '{e.get('name')}' with a value that is not a number")
    for track, s in slices.items():
        check_nesting(track, s, errors)
    for i, track, ts, ph, key in flows:  # a flow's events are in the file in any order
        if ph != "s" and (key not in flow_starts or flow_starts[key] > ts):
            errors.append(f"event {i}: flow {ph} {key} at {ts} with no earlier start")
        if not inside(slices.get(track, []), ts):
            errors.append(f"event {i}: flow event at {ts} inside no slice of track {track}")
    return errors, counts, len(slices)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        doc = json.load(f, parse_float=Decimal)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    errors, counts, tracks = check(events)
    for e in errors[:20]:
        print(f"{sys.argv[1]}: {e}")
    if len(errors) > 20:
        print(f"{sys.argv[1]}: ... {len(errors) - 20} more")
    summary = ", ".join(f"{n} {ph}" for ph, n in sorted(counts.items()))
    print(f"{sys.argv[1]}: {'BROKEN' if errors else 'ok'}: {len(events)} events ({summary}), "
          f"{tracks} tracks with slices")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
