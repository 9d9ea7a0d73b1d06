#!/usr/bin/env bash
# Sets up and builds iommu-sim, then runs it: with no arguments, the default platform
# (configs/default.ini); otherwise with the arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
if [ $# -eq 0 ]; then set -- --config configs/default.ini; fi
exec build/platforms/iommu-sim "$@"
