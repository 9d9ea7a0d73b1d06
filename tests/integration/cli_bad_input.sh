#!/usr/bin/env bash
# Bad input to iommu-sim: exit status 2, exactly one line on stderr naming the file,
# the line and the key, nothing on stdout (nothing simulated), no statistics written.
source "$(dirname "$0")/cli_common.sh"

# expect NAME EXPECTED_SUBSTRING ARGS...
expect() {
    local name=$1 want=$2
    shift 2
    rm -f "$tmp/stats.json"
    "$sim" --stats-json "$tmp/stats.json" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" ||
        [ -s "$tmp/out" ] || [ -e "$tmp/stats.json" ]; then
        echo "FAIL $name: rc=$rc, stderr lines=$lines, want '$want'"
        echo "  stderr: $(cat "$tmp/err")"
        echo "  stdout: $(head -c 300 "$tmp/out")"
        fail=1
    else
        echo "ok   $name: $(cat "$tmp/err")"
    fi
}

ini() { printf '%b' "$2" >"$tmp/$1"; }

ini unknown.ini '[memory]\nlatency_ns = 90\n\n[memroy]\nlatency_ns = 90\n'
expect unknown-key "$tmp/unknown.ini:5: memroy.latency_ns: unknown parameter" --config "$tmp/unknown.ini"

ini range.ini '# comment\n[link]\ngen = 9\n'
expect out-of-range "$tmp/range.ini:3: link.gen: 9 is out of range" --config "$tmp/range.ini"

ini type.ini '[dev]\nsize = sixty-four\n'
expect wrong-type "$tmp/type.ini:2: dev.size: 'sixty-four' is not an unsigned integer" --config "$tmp/type.ini"

ini real.ini '[rc]\nlatency_ns = fast\n'
expect wrong-real "$tmp/real.ini:2: rc.latency_ns: 'fast' is not a number" --config "$tmp/real.ini"

ini choice.ini '[sim]\nmode = warp\n'
expect bad-choice "$tmp/choice.ini:2: sim.mode: 'warp' is not one of timing|atomic" --config "$tmp/choice.ini"

ini malformed.ini '[dev]\nsize = 64\nthis line has no equals sign\n'
expect malformed-line "$tmp/malformed.ini:3: malformed line" --config "$tmp/malformed.ini"

ini twice.ini '[dev]\nsize = 64\nsize = 128\n'
expect duplicate-key "$tmp/twice.ini:3: dev.size: given twice" --config "$tmp/twice.ini"

expect missing-file "$tmp/nope.ini: cannot open file" --config "$tmp/nope.ini"

# The command line wins: its [dev] replaces a file's [dev0], so a bad value there is
# read and named (it used to be shadowed, unchecked, and the run went on).
ini perdev.ini '[dev0]\nrequests = 10\n'
expect shadowed-template "command line: dev.requests: '-5' is not an unsigned integer" \
    --config "$tmp/perdev.ini" --dev.requests=-5

ini cross.ini '[dev0]\nsize = 8192\nwindow = 4096\n'
expect cross-field "$tmp/cross.ini:2: dev0.size: 8192 is larger than the window" --config "$tmp/cross.ini"

ini pow2.ini '[link0]\nwidth = 3\n'
expect not-power-of-two "$tmp/pow2.ini:2: link0.width" --config "$tmp/pow2.ini"

ini cache.ini '[memory.cache]\nsize = 3M\n'
expect cache-geometry "$tmp/cache.ini:2: memory.cache.size: " --config "$tmp/cache.ini"

ini dram.ini '[memory]\n\ninterleave = 100\n'
expect dram-interleave "$tmp/dram.ini:3: memory.interleave: " --config "$tmp/dram.ini"

# A cache's sets x ways is bounded before anything is allocated; the key the user set
# is blamed, not the other one's default (issue 11).
ini iotlb.ini '[vtd.iotlb]\nsets = 524288\n'
expect cache-entries "$tmp/iotlb.ini:2: vtd.iotlb.sets: 524288 sets of 4 ways is more than the 1048576 entries" --config "$tmp/iotlb.ini"
expect cache-entries-cli "command line: vtd.iotlb.sets: 1048576 sets of 4096 ways" --vtd.iotlb.sets=1048576 --vtd.iotlb.ways=4096

# A check across two keys blames the one the user set, not the other's default.
expect window-blamed "command line: dev.window: 64 is larger than the window (32)" --dev.window=32

# A boot map too large to build (2^36 entries) is refused, not built for hours.
expect boot-map-size "command line: dev.window: the boot map would need more than 4194304 entries" --iommu.arch=vtd --dev.window=256T --dev.preload=none

# So is a preload larger than memory can sensibly hold (256 devices x 1 GiB).
expect preload-size "command line: dev.window: the preloaded windows add up to more than 4 GiB" --platform.devices=256 --dev.window=1G --dev.preload=memory

# Two devices with one requester ID would share a context entry (isolation, issue 11).
ini rid.ini '[platform]\ndevices = 2\n[dev1]\nrequester_id = 0x100\n'
expect duplicate-requester "$tmp/rid.ini:4: dev1.requester_id: 0x100 is dev0's too" --config "$tmp/rid.ini"

ini vtd.ini '[iommu]\narch = vtd\n[vtd]\nsagaw = 4\n[iommufd.vtd]\nlevels = 3\n'
expect vtd-levels-not-in-sagaw "$tmp/vtd.ini:6: iommufd.vtd.levels: 3-level tables are not in the unit's SAGAW" --config "$tmp/vtd.ini"

# A unit its driver cannot drive blames the strap that took the feature away.
expect vtd-without-qi "command line: vtd.qi: the VT-d unit lacks queued invalidation (ECAP.QI)" --iommu.arch=vtd --vtd.qi=false
ini sagaw.ini '[iommu]\narch = vtd\n[vtd]\nsagaw = 1\n'
expect vtd-sagaw-empty "$tmp/sagaw.ini:4: vtd.sagaw: the unit's SAGAW offers none of 3-, 4- or 5-level tables" --config "$tmp/sagaw.ini"

ini snp.ini '[iommu]\narch = vtd\n[vtd]\nsc = false\n[iommu.map]\nsnoop = true\n'
expect vtd-snp-without-sc "$tmp/snp.ini:6: iommu.map.snoop: the unit cannot force snooping (vtd)" --config "$tmp/snp.ini"

ini vtdcache.ini '[vtd.pasid_cache]\nways = 3\nreplacement = plru\n'
expect vtd-cache-geometry "$tmp/vtdcache.ini:2: vtd.pasid_cache.ways: plru needs a power-of-two number of ways" --config "$tmp/vtdcache.ini"

expect cli-unknown "command line: no.such.key: unknown parameter" --no.such.key=1
expect cli-range "command line: dev.tags: 0 is out of range" --dev.tags=0
expect cli-mode "command line: sim.mode: 'fast' is not one of timing|atomic" --mode fast
expect cli-token "command line: 'stray'" stray
expect instance-beyond-devices "command line: dev3.size: unknown parameter" --platform.devices=2 --dev3.size=64

# The nic_ring workload: a bad size mix, a missing device. (Without an IOMMU it runs:
# the DMA API is direct.) A trace that maps needs an IOMMU.
ini nic.ini '[workload]\ntype = nic_ring\n[nic]\nsizes = 64:7,1500:x\n[iommu]\narch = vtd\n'
expect nic-sizes "$tmp/nic.ini:4: nic.sizes: weight 'x' is not a number" --config "$tmp/nic.ini"
expect replay-arch "default: iommu.arch: the trace maps through an IOMMU driver (set one of: vtd, smmuv3, amdvi)" \
    --workload.type=replay --replay.trace="$root/traces/samples/dma.trace"
ini nic-dev.ini '[workload]\ntype = nic_ring\n[iommu]\narch = vtd\n[nic]\ndevice = 2\n'
expect nic-device "$tmp/nic-dev.ini:6: nic.device: the platform has 1 device(s)" --config "$tmp/nic-dev.ini"
ini ws.ini '[workload]\ntype = window_sweep\n[iommu]\narch = vtd\n[window_sweep]\nwindows = 4K,6K\n'
expect window-list "$tmp/ws.ini:6: window_sweep.windows: 6K is not a multiple of 4K" --config "$tmp/ws.ini"
ini gpu.ini '[workload]\ntype = gpu_stream\n[iommu]\narch = vtd\n[gpu_stream]\ndepth = 4\n'
expect gpu-depth "$tmp/gpu.ini:6: gpu_stream.depth: more copies in flight than buffers" --config "$tmp/gpu.ini"
# The nvme workload: a size that is not whole pages, a missing device.
ini nvme.ini '[workload]\ntype = nvme\n[nvme]\nio_sizes = 4096,6000\n[iommu]\narch = vtd\n'
expect nvme-sizes "$tmp/nvme.ini:4: nvme.io_sizes: size 6000 is not a multiple of 4096" --config "$tmp/nvme.ini"
ini nvme-dev.ini '[workload]\ntype = nvme\n[iommu]\narch = vtd\n[nvme]\ndevice = 1\n'
expect nvme-device "$tmp/nvme-dev.ini:6: nvme.device: the platform has 1 device(s)" --config "$tmp/nvme-dev.ini"
ini nvme-devs.ini '[workload]\ntype = nvme\n[iommu]\narch = vtd\n[platform]\ndevices = 2\n[nvme]\ndevices = 3\n'
expect nvme-devices "$tmp/nvme-devs.ini:8: nvme.devices: SSDs on devices 0..2: the platform has 2 device(s)" --config "$tmp/nvme-devs.ini"

# Pass-through: without an IOMMU, for a trace that maps through iommufd (paging
# domains only), on a unit that cannot pass through (VT-d without ECAP.PT).
ini pt.ini '[workload]\ntype = nvme\n[iommufd]\npassthrough = true\n'
expect passthrough-arch "$tmp/pt.ini:4: iommufd.passthrough: pass-through needs an IOMMU ([iommu] arch, one of: vtd, smmuv3, amdvi)" --config "$tmp/pt.ini"
expect passthrough-replay "$tmp/pt.ini:4: iommufd.passthrough: the trace maps through iommufd, which needs paging domains, not pass-through" \
    --config "$tmp/pt.ini" --iommu.arch=vtd --workload.type=replay --replay.trace="$root/traces/samples/dma.trace"
expect passthrough-pt "$tmp/pt.ini:4: iommufd.passthrough: the vtd unit cannot pass devices through (no identity domain)" --config "$tmp/pt.ini" --iommu.arch=vtd --vtd.pt=false

exit $fail
