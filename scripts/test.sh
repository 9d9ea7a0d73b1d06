#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, integration, regression).
# scripts/test.sh --sanitize does the same in build-asan/ with AddressSanitizer and
# UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
    scripts/setup.sh build-asan -DIOMMU_SIM_SANITIZE=ON
    export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    cd build-asan
else
    scripts/setup.sh build
    cd build
fi
# A test that hangs fails after 10 minutes instead of holding CI.
ctest --output-on-failure --timeout 600 -j "$(nproc)"
