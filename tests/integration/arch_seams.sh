#!/usr/bin/env bash
# Architectures are plug-ins (DESIGN.md): outside its hardware folder (models/<arch>),
# its driver folder (models/iommufd/drivers/<arch>) and the registry
# (platforms/archs.cpp), no code names an architecture: no identifier or string
# `vtd`, `amdvi` or `smmuv3` in platforms/, workloads/, traces/, models/iommu/ or
# models/iommufd/. Comments may name them. Usage: arch_seams.sh ROOT
set -u
cd "$1"
hits=$(grep -rnwE --include='*.h' --include='*.cpp' 'vtd|amdvi|smmuv3' \
           platforms workloads traces models/iommu models/iommufd |
       grep -v '^models/iommufd/drivers/' | grep -v '^platforms/archs.cpp:' |
       while IFS= read -r line; do
           code=${line#*:*:}
           code=${code%%//*}
           if grep -qwE 'vtd|amdvi|smmuv3' <<<"$code"; then echo "$line"; fi
       done)
if [ -n "$hits" ]; then
    echo "FAIL: architecture names outside their folders and the registry:"
    echo "$hits"
    exit 1
fi
echo "ok   no architecture named outside models/<arch>, drivers/<arch> and platforms/archs.cpp"
