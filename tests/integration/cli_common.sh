# Sourced by the cli_*.sh tests: $1 the iommu-sim binary, $2 (when given) the
# repository root; a scratch directory removed on exit; `fail` set by failed checks.
set -u
sim=$1
root=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
