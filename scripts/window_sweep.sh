#!/usr/bin/env bash
# pcie-bench's IOMMU window sweep on a platform: random DMA reads over windows from
# 4 KiB to 64 MiB, one run per window, printing device 0's read throughput.
#   scripts/window_sweep.sh                         configs/vtd-broadwell.ini
#   scripts/window_sweep.sh --iommu.arch=none       the same without the IOMMU
#   scripts/window_sweep.sh --iommu.map.page_size=2M
# The first argument may be a configuration file; the rest are overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
config=configs/vtd-broadwell.ini
if [ $# -gt 0 ] && [ -f "$1" ]; then config=$1; shift; fi
scripts/setup.sh build >/dev/null
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%-8s %10s\n' window 'read Gb/s'
for w in 4K 64K 256K 512K 1M 2M 4M 16M 64M; do
    build/platforms/iommu-sim --config "$config" --dev.window="$w" "$@" --stats-json "$tmp" --quiet
    gbps=$(build/platforms/iommu-sim csv --keys system.dev0.read_gbps "$tmp" | tail -1 | cut -d, -f2)
    printf '%-8s %10.2f\n' "$w" "$gbps"
done
