#!/usr/bin/env bash
# `iommu-sim walk`: the output contract (one JSON object per request, in order, with
# the architectural fault reason) and bad input (exit 2, one line naming file and line).
# The image is written here from the VT-d spec's bit positions (root entry 9.1,
# context entry 9.3, second-level entries 9.8).
source "$(dirname "$0")/cli_common.sh"

cat >"$tmp/img.txt" <<'IMG'
# root table at 0x1000: bus 0 -> context table at 0x2000 (P)
0x1000: 0x2001 0
# context entry of devfn 8: SLPTPTR 0x3000, P; AW=2 (4-level), DID 1
2080: 3001 102
# PML4E, PDPTE, PDE: R+W, next tables
0x3000: 0x4003
0x4000: 0x5003
# PDE 0 -> page table; PDE 1: 2 MiB page at 0x40000000, R+W+PS, SNP
0x5000: 0x6003 0x40000883
# PTE 1: 4 KiB page at 0x80001000, read-only
0x6008: 0x80001001
IMG
cat >"$tmp/reqs.txt" <<'REQ'
sid=0x0008 iova=0x1000 access=r
sid=0x0008 iova=0x1000 access=w      # read-only page: write fault 5
sid=0x0008 iova=0x200123 access=rw nosnoop
sid=0x0010 iova=0x1000 access=r      # context entry not present: 2
sid=0x0108 iova=0x1000 access=r      # root entry not present: 1
sid=0x0008 iova=0x1000000000000 access=r   # beyond 48 bits: 4
REQ
cat >"$tmp/want" <<'OUT'
{"iova":"0x1000","pa":"0x80001000","page_size":4096,"read":true,"write":false,"snoop":true}
{"iova":"0x1000","fault":{"reason":"0x5"}}
{"iova":"0x200123","pa":"0x40000123","page_size":2097152,"read":true,"write":true,"snoop":true}
{"iova":"0x1000","fault":{"reason":"0x2"}}
{"iova":"0x1000","fault":{"reason":"0x1"}}
{"iova":"0x1000000000000","fault":{"reason":"0x4"}}
OUT
"$sim" walk --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" \
    --reg RTADDR_REG=0x1000 >"$tmp/got" 2>"$tmp/err"
if cmp -s "$tmp/want" "$tmp/got"; then echo "ok   walk output"; else
    echo "FAIL walk output"; diff "$tmp/want" "$tmp/got"; cat "$tmp/err"; fail=1; fi

# ECAP.SC off (--set): SNP is then a reserved bit of the 2 MiB leaf (reason 0xc), and
# the no-snoop request stays non-snooped elsewhere.
"$sim" walk --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" \
    --reg RTADDR_REG=0x1000 --set vtd.sc=false >"$tmp/got" 2>"$tmp/err"
if sed -n 3p "$tmp/got" | grep -qF '"fault":{"reason":"0xc"}'; then echo "ok   --set vtd.sc=false"; else
    echo "FAIL --set vtd.sc=false: $(sed -n 3p "$tmp/got")"; fail=1; fi

# CAP_REG strapped with SAGAW = 3-level only: AW=2 is unsupported (reason 3).
cap=$(( (0x2 << 8) | (47 << 16) | (0x22 << 24) | (3 << 34) | (7 << 40) ))
"$sim" walk --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" \
    --reg RTADDR_REG=0x1000 --reg CAP_REG=$cap >"$tmp/got" 2>"$tmp/err"
if sed -n 1p "$tmp/got" | grep -qF '"fault":{"reason":"0x3"}'; then echo "ok   --reg CAP_REG"; else
    echo "FAIL --reg CAP_REG: $(sed -n 1p "$tmp/got")"; fail=1; fi

expect() {  # expect NAME WANT ARGS...
    local name=$1 want=$2
    shift 2
    "$sim" walk "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err" ||
        [ -s "$tmp/out" ]; then
        echo "FAIL $name: rc=$rc stderr: $(cat "$tmp/err")"; fail=1
    else echo "ok   $name: $(cat "$tmp/err")"; fi
}
printf '0x1000: 0x1\n0x2000 0x5\n' >"$tmp/bad_img.txt"
expect bad-image "$tmp/bad_img.txt:2" --arch vtd --image "$tmp/bad_img.txt" --requests "$tmp/reqs.txt" --reg RTADDR_REG=0x1000
printf 'sid=0x8 iova=0x1000 access=r\nsid=0x8 iova=0x1000 access=x\n' >"$tmp/bad_req.txt"
expect bad-request "$tmp/bad_req.txt:2" --arch vtd --image "$tmp/img.txt" --requests "$tmp/bad_req.txt" --reg RTADDR_REG=0x1000
expect unknown-reg "NOPE_REG" --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" --reg NOPE_REG=1
expect unknown-set "vtd.nope: unknown parameter" --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" --set vtd.nope=1
expect missing-image "$tmp/none.txt: cannot open file" --arch vtd --image "$tmp/none.txt" --requests "$tmp/reqs.txt"
expect other-arch "'riscv' is not modelled (vtd, smmuv3, amdvi)" --arch riscv --image "$tmp/img.txt" --requests "$tmp/reqs.txt"
expect ttm-abort "TTM=3" --arch vtd --image "$tmp/img.txt" --requests "$tmp/reqs.txt" --reg RTADDR_REG=0x1c00
# Arm SMMUv3: the same contract, a fault's reason being the event ID the SMMU records
# (IHI 0070 7.3). The image is written here from the spec's field positions.
cat >"$tmp/smmu_img.txt" <<'IMG'
# SMMUv3 (IHI 0070 5.2, 5.4; Arm ARM D8): a linear stream table of 16 STEs at 0x10000
# (STRTAB_BASE_CFG LOG2SIZE=4). STE of StreamID 8: V, Config=0b101 (stage 1), one CD
# at 0x20000 (S1ContextPtr, S1CDMax=0).
0x10200: 0x2000b 0 0 0 0 0 0 0
# CD: T0SZ=16, TG0=0 (4K), V, IPS=5 (48 bits), AA64, R, A, ASID 1; TTB0 0x30000;
# MAIR (dword 3): Attr0 0xff Normal Write-Back, Attr1 0x44 Normal Non-cacheable.
0x20000: 0x1620580000010 0x30000 0 0x44ff 0 0 0 0
# VMSAv8-64 4K granule, start level 0: tables at 0x30000, 0x31000, 0x32000, 0x33000.
0x30000: 0x31003
0x31000: 0x32003
# L2 entry 0: table; entry 1: a 2 MiB block at 0x40000000, AF, AP[2:1]=11 (read-only,
# any EL), AttrIndx 0, SH=00 (Non-shareable: not snooped)
0x32000: 0x33003 0x400004c1
# L3 entry 1: page 0x80001000, AF, AP[2:1]=01 (read/write, any EL), AttrIndx 0, SH=11
# (Inner Shareable Write-Back: snooped); entry 2: page 0x80002000, AF, AP[2:1]=00
# (read/write, privileged only), AttrIndx 1 (Non-cacheable: not snooped), SH=11
0x33008: 0x80001743 0x80002707
IMG
cat >"$tmp/smmu_req.txt" <<'REQ'
sid=8 iova=0x1000 access=rw
sid=8 iova=0x200123 access=w         # read-only block: F_PERMISSION 0x13
sid=8 iova=0x200123 access=r
sid=8 iova=0x2000 access=r           # unprivileged on AP=00: 0x13
sid=8 iova=0x2000 access=rw priv
sid=8 iova=0x3000 access=r           # invalid L3 descriptor: F_TRANSLATION 0x10
sid=8 iova=0x1000000000000 access=r  # beyond T0SZ=16: 0x10
sid=9 iova=0x1000 access=r           # STE V=0: C_BAD_STE 0x4
sid=16 iova=0x1000 access=r          # beyond the 16 STEs: C_BAD_STREAMID 0x2
sid=8 iova=0x1000 access=r pasid=1   # S1CDMax=0: C_BAD_SUBSTREAMID 0x8
REQ
cat >"$tmp/smmu_want" <<'OUT'
{"iova":"0x1000","pa":"0x80001000","page_size":4096,"read":true,"write":true,"snoop":true}
{"iova":"0x200123","fault":{"reason":"0x13"}}
{"iova":"0x200123","pa":"0x40000123","page_size":2097152,"read":true,"write":false,"snoop":false}
{"iova":"0x2000","fault":{"reason":"0x13"}}
{"iova":"0x2000","pa":"0x80002000","page_size":4096,"read":true,"write":true,"snoop":false}
{"iova":"0x3000","fault":{"reason":"0x10"}}
{"iova":"0x1000000000000","fault":{"reason":"0x10"}}
{"iova":"0x1000","fault":{"reason":"0x4"}}
{"iova":"0x1000","fault":{"reason":"0x2"}}
{"iova":"0x1000","fault":{"reason":"0x8"}}
OUT
"$sim" walk --arch smmuv3 --image "$tmp/smmu_img.txt" --requests "$tmp/smmu_req.txt" \
    --reg SMMU_STRTAB_BASE=0x10000 --reg SMMU_STRTAB_BASE_CFG=0x4 >"$tmp/got" 2>"$tmp/err"
if cmp -s "$tmp/smmu_want" "$tmp/got"; then echo "ok   walk --arch smmuv3 output"; else
    echo "FAIL walk --arch smmuv3 output"; diff "$tmp/smmu_want" "$tmp/got"; cat "$tmp/err"; fail=1; fi
expect smmuv3-unknown-reg "SMMU_NOPE" --arch smmuv3 --image "$tmp/smmu_img.txt" --requests "$tmp/smmu_req.txt" --reg SMMU_NOPE=1
exit $fail
