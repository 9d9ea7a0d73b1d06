#!/usr/bin/env bash
# iommu-sim replay: the op log of a sample trace, line for line, and bad traces
# stopping before anything is replayed (exit 2, one line naming file and line).
source "$(dirname "$0")/cli_common.sh"

"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/map_unmap.trace" \
    --op-log "$tmp/log" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat >"$tmp/want" <<'WANT'
1 process ok
2 mmap ok
3 iommufd_open ok
4 ioas_alloc ok id=1
5 device_attach ok pt_id=3
6 ioas_map ok iova=0x10000
7 ioas_map ok iova=0x100000
8 ioas_map err EEXIST
9 ioas_iova_ranges ok num_iovas=2 out_iova_alignment=0x1000 iovas=0x0-0xfedfffff,0xfef00000-0xffffffffffff
10 ioas_unmap err ENOENT
11 destroy err EBUSY
12 ioas_unmap ok length=0x12000
WANT
# Trace lines start at line 4 (three comment lines); the log names trace lines.
sed -i 's/^\([0-9]*\) /\1\t/' "$tmp/want"
awk -F'\t' '{ printf "%d %s\n", $1 + 3, $2 }' "$tmp/want" >"$tmp/want2"
if [ "$rc" -ne 0 ] || ! diff "$tmp/want2" "$tmp/log" >"$tmp/diff"; then
    echo "FAIL sample op log (rc=$rc)"; cat "$tmp/diff" "$tmp/err"; fail=1
else
    echo "ok   sample op log"
fi

# DMA through mapped buffers: the op log, the data check and the faults' reasons.
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/dma.trace" \
    --op-log "$tmp/dlog" --stats-json "$tmp/dstats.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || [ "$(sed -n 8,14p "$tmp/dlog" | tr '\n' '|')" != \
    "12 dma ok requests=16|13 dma ok requests=16|14 dma ok requests=2|15 dma err EFAULT requests=1 faulted=1|16 ioas_unmap ok length=0x12000|17 dma err EFAULT requests=1 faulted=1|18 dma err EFAULT requests=1 faulted=1|" ] ||
    ! grep -q '"system.iommu.faults.0x6": 1,' "$tmp/dstats.json" ||
    ! grep -q '"system.dev0.verified_bytes": 65536,' "$tmp/dstats.json" ||
    ! grep -q '"system.dev0.data_errors": 0,' "$tmp/dstats.json"; then
    echo "FAIL dma sample (rc=$rc)"; cat "$tmp/dlog" "$tmp/err"; fail=1
else
    echo "ok   dma sample"
fi

# The same trace on a unit with scalable mode: the driver builds scalable context
# entries and a PASID table; the results are the same, the fault reasons scalable-mode's.
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/dma.trace" \
    --set vtd.smts=true --op-log "$tmp/slog" --stats-json "$tmp/sstats.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || ! diff "$tmp/dlog" "$tmp/slog" >"$tmp/diff" ||
    ! grep -q '"system.iommu.faults.0x85": 1,' "$tmp/sstats.json" ||
    ! grep -q '"system.iommu.faults.0x79": 2,' "$tmp/sstats.json" ||
    grep -q '"system.iommu.pasid_cache.lookups": 0,' "$tmp/sstats.json"; then
    echo "FAIL dma sample, scalable mode (rc=$rc)"; cat "$tmp/diff" "$tmp/err"; fail=1
else
    echo "ok   dma sample, scalable mode"
fi

# Strict against deferred invalidation (traces/samples/deferred.trace): lines 16-18 of
# the op log are the DMA 1 us after the unmap (a page the IOTLB holds, then one it
# does not) and the DMA after the flush.
for inv in strict deferred; do
    "$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/deferred.trace" \
        --set iommufd.invalidation=$inv --set iommufd.flush_timeout_ns=10000 \
        --op-log "$tmp/$inv.log" --stats-json "$tmp/$inv.json" >"$tmp/out" 2>"$tmp/err"
done
if [ "$(sed -n 9,11p "$tmp/strict.log" | grep -c 'dma err EFAULT')" -ne 3 ] ||
    [ "$(sed -n 9p "$tmp/deferred.log")" != "16 dma ok requests=1" ] ||
    [ "$(sed -n 10,11p "$tmp/deferred.log" | grep -c 'dma err EFAULT')" -ne 2 ] ||
    ! grep -q '"iommufd.dma.stale": 0,' "$tmp/strict.json" ||
    ! grep -q '"iommufd.dma.stale": 1,' "$tmp/deferred.json" ||
    ! grep -q '"iommufd.flush.unmaps": 1,' "$tmp/deferred.json" ||
    [ "$("$sim" csv --keys iommufd.flush.stale_window_ns.mean "$tmp/deferred.json" | tail -1 | cut -d, -f2)" != "10000.0" ]; then
    echo "FAIL strict against deferred"; cat "$tmp/strict.log" "$tmp/deferred.log" "$tmp/err"; fail=1
else
    echo "ok   strict against deferred: a stale DMA within the 10 us window, none in strict mode"
fi

# expect NAME WANT TRACE-TEXT
expect() {
    printf '%b' "$3" >"$tmp/bad.trace"
    "$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$tmp/bad.trace" \
        --op-log "$tmp/badlog" >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$2" "$tmp/err" || [ -s "$tmp/out" ] ||
        [ -e "$tmp/badlog" ]; then
        echo "FAIL $1: rc=$rc want '$2'"; echo "  stderr: $(cat "$tmp/err")"; fail=1
    else
        echo "ok   $1: $(cat "$tmp/err")"
    fi
    rm -f "$tmp/badlog"
}

open='0 process name=p0 user=u0 rlimit_memlock=1G\n0 iommufd_open name=fd0 process=p0\n'
expect undefined-object "bad.trace:3: ioas_map.ioas_id: 'ioas9' is not defined before this line" \
    "${open}1 ioas_map ioas_id=ioas9 flags=readable user_va=0x1000 length=4K\n"
expect malformed-line "bad.trace:3:" "${open}1 ioas_map ioas_id=ioas0 flags=readable user_va=zz length=4K\n"
expect unknown-device "bad.trace:4: device_attach.dev_id: 'dev7' is not defined" \
    "${open}1 ioas_alloc name=ioas0\n2 device_attach dev_id=dev7 pt_id=ioas0\n"
expect dma-pasid "bad.trace:3: dma.pasid: a PASID has 20 bits" \
    "${open}1 dma dev=dev0 iova=0x1000 length=64 dir=read pasid=0x100000\n"
expect dma-wrap "bad.trace:3: dma.length: iova + length passes 2^64" \
    "${open}1 dma dev=dev0 iova=0xfffffffffffff000 length=8K dir=read\n"
expect dma-device "bad.trace:3: dma.dev: 'dev3' is not defined" \
    "${open}1 dma dev=dev3 iova=0x1000 length=64 dir=read\n"
# Input quoted in a message is shown, not obeyed: an escape sequence comes out escaped.
expect escaped "bad.trace:1: ioas_map.length: '\\x1B[2Jx' is not a number" \
    "0 ioas_map ioas_id=a flags=readable user_va=0x1000 length=\\033[2Jx\n"
expect no-context "bad.trace:1: ioas_alloc.fd: no iommufd_open before it" "1 ioas_alloc name=ioas0\n"
# A unit the driver cannot drive is a configuration error naming the strap, before
# any output exists (issue 11: it was exit 1 and a 0-byte statistics file).
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/dma.trace" \
    --set vtd.qi=false --stats-json "$tmp/qi.json" >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -qF "command line: vtd.qi: the VT-d unit lacks queued invalidation" "$tmp/err" ||
    [ -e "$tmp/qi.json" ]; then
    echo "FAIL unit without QI: $(cat "$tmp/err")"; fail=1
else
    echo "ok   unit without QI: $(cat "$tmp/err")"
fi
# A directory is no trace (it read as an empty one and replayed nothing, exit 0).
mkdir -p "$tmp/dir.trace"
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$tmp/dir.trace" >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -qF "dir.trace: cannot open file" "$tmp/err" || [ -s "$tmp/out" ]; then
    echo "FAIL directory trace: $(cat "$tmp/err")"; fail=1
else
    echo "ok   directory trace: $(cat "$tmp/err")"
fi
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$tmp/nope.trace" >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 2 ] || ! grep -qF "nope.trace: cannot open file" "$tmp/err"; then
    echo "FAIL missing trace: $(cat "$tmp/err")"; fail=1
else
    echo "ok   missing trace: $(cat "$tmp/err")"
fi
# Every sample trace replays on SMMUv3 with VT-d's op log, but for the IOVA ranges:
# Arm's software MSI window (0x8000000) is not x86's (0xfee00000).
for t in "$root"/traces/samples/*.trace; do
    name=$(basename "$t" .trace)
    "$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$t" --op-log "$tmp/vtd.log" --quiet
    "$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$t" --set iommu.arch=smmuv3 \
        --op-log "$tmp/smmu.log" --quiet
    if [ -s "$tmp/vtd.log" ] && diff <(grep -v ioas_iova_ranges "$tmp/vtd.log") \
            <(grep -v ioas_iova_ranges "$tmp/smmu.log") >/dev/null &&
        ! grep ioas_iova_ranges "$tmp/smmu.log" | grep -q 0xfee00000; then
        echo "ok   $name replays on smmuv3 with VT-d's op log"
    else
        echo "FAIL $name on smmuv3:"; diff "$tmp/vtd.log" "$tmp/smmu.log" | head -5; fail=1
    fi
    # AMD-Vi reserves x86's MSI window as VT-d does: the op log is VT-d's to the line,
    # with the unit's defaults and with the EPYC-like fragment.
    for amd in "--set iommu.arch=amdvi" "--config $root/configs/amdvi-epyc.ini"; do
        "$sim" replay --config "$root/configs/replay-vtd.ini" $amd --trace "$t" --op-log "$tmp/amd.log" --quiet
        if [ -s "$tmp/vtd.log" ] && cmp -s "$tmp/vtd.log" "$tmp/amd.log"; then
            echo "ok   $name replays on amdvi ($amd) with VT-d's op log"
        else
            echo "FAIL $name on amdvi ($amd):"; diff "$tmp/vtd.log" "$tmp/amd.log" | head -5; fail=1
        fi
    done
done

# The same replay as a workload of the plain command: the same op log and statistics
# (but the digest: the two configurations differ in [workload] and [replay]).
nodigest() { grep -v '"sim\.config_digest"' "$1"; }
for t in dma deferred; do
    "$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$root/traces/samples/$t.trace" \
        --op-log "$tmp/cmd.log" --stats-json "$tmp/cmd.json" --quiet
    "$sim" --config "$root/configs/replay-vtd.ini" --workload.type=replay \
        --replay.trace="$root/traces/samples/$t.trace" --replay.op_log="$tmp/wl.log" \
        --stats-json "$tmp/wl.json" --quiet
    if cmp -s <(nodigest "$tmp/cmd.json") <(nodigest "$tmp/wl.json") && cmp -s "$tmp/cmd.log" "$tmp/wl.log" && [ -s "$tmp/wl.log" ]; then
        echo "ok   $t.trace: [workload] type=replay equals iommu-sim replay"
    else
        echo "FAIL $t.trace: [workload] type=replay differs from iommu-sim replay"; fail=1
    fi
done
"$sim" --config "$root/configs/replay-vtd.ini" --workload.type=replay >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "default: replay.trace: a trace to replay is needed" "$tmp/err" || [ -s "$tmp/out" ]; then
    echo "FAIL replay workload without a trace: rc=$rc $(cat "$tmp/err")"; fail=1
else
    echo "ok   replay workload without a trace: $(cat "$tmp/err")"
fi

# The host core is timed: three operations at the same time run one after another,
# each for the driver time it cost, and the DMA after them waits for the last
# (--record-trace writes the times they applied at).
cat >"$tmp/cpu.trace" <<'EOF_'
0 process name=p0 user=u0 rlimit_memlock=1G
0 mmap process=p0 user_va=0x7f0000000000 length=2M
0 iommufd_open name=fd0 process=p0
0 ioas_alloc name=ioas0
0 device_attach dev_id=dev0 pt_id=ioas0
10us ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x7f0000000000 length=64K iova=0x100000
10us ioas_unmap ioas_id=ioas0 iova=0x100000 length=64K
10us ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x7f0000000000 length=64K iova=0x100000
10us dma dev=dev0 iova=0x100000 length=4K dir=write
EOF_
"$sim" replay --config "$root/configs/replay-vtd.ini" --trace "$tmp/cpu.trace" --op-log /dev/null \
    --stats-json "$tmp/cpu.json" --record-trace "$tmp/cpu.rec" --quiet
times=$(grep -v '^#' "$tmp/cpu.rec" | awk 'NR >= 6 { printf "%s ", $1 }')
costs=$("$sim" csv --keys iommufd.map.cpu_ns.min,iommufd.map.cpu_ns.max,iommufd.unmap.cpu_ns.mean,iommufd.cpu.core0.busy_ns,iommufd.map.cpu_ns.sum,iommufd.unmap.cpu_ns.sum,iommufd.attach.cpu_ns.sum "$tmp/cpu.json" | tail -1)
if awk -v t="$times" -v c="$costs" 'BEGIN {
        split(t, at, " "); split(c, v, ",")
        unmap = v[4]  # v[2], v[3]: the maps; the first costs more, it allocates tables
        exit !(at[1] == 10000 && at[2] == 10000 + v[3] && at[3] == at[2] + unmap &&
               at[4] == at[3] + v[2] && (v[5] - (v[6] + v[7] + v[8])) ^ 2 < 1e-6 && v[2] < v[3]) }'; then
    echo "ok   operations at one time run one after another on the core: $times"
else
    echo "FAIL timed core: applied at $times, costs $costs"; fail=1
fi

exit $fail
