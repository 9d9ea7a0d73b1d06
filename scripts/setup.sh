#!/usr/bin/env bash
# Installs the Debian packages iommu-sim needs (when missing), then configures and
# builds it with CMake. Usage: scripts/setup.sh [BUILD_DIR] [extra cmake args...]
# SETUP_TARGET=T builds only target T; SETUP_PACKAGES="P..." installs more packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libsystemc-dev libboost-program-options-dev catch2
          nlohmann-json3-dev ${SETUP_PACKAGES:-})
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" ${SETUP_TARGET:+--target "$SETUP_TARGET"}
