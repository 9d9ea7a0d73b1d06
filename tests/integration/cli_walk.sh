#!/usr/bin/env bash
# `iommu-sim walk`: the output contract (one JSON object per request, in order, with
# the architectural fault reason) and bad input (exit 2, one line naming file and line).
# The VT-d and AMD-Vi images are traces/samples/walk-*.mem, written from the specs (root entry 9.1,
# context entry 9.3, second-level entries 9.8).
source "$(dirname "$0")/cli_common.sh"
samples=$root/traces/samples  # the images and requests the README shows

same() {  # same NAME WANT ARGS...: the walk's output is exactly the file WANT
    local name=$1 want=$2
    shift 2
    "$sim" walk "$@" >"$tmp/got" 2>"$tmp/err"
    if cmp -s "$want" "$tmp/got"; then echo "ok   $name"; else
        echo "FAIL $name"; diff "$want" "$tmp/got"; cat "$tmp/err"; fail=1; fi
}
line_has() {  # line_has NAME N TEXT ARGS...: line N of the walk's output contains TEXT
    local name=$1 n=$2 text=$3
    shift 3
    "$sim" walk "$@" >"$tmp/got" 2>"$tmp/err"
    if sed -n "${n}p" "$tmp/got" | grep -qF -- "$text"; then echo "ok   $name"; else
        echo "FAIL $name: $(sed -n "${n}p" "$tmp/got")"; cat "$tmp/err"; fail=1; fi
}

cat >"$tmp/want" <<'OUT'
{"sid":"0x8","iova":"0x1000","access":"r","pa":"0x80001000","page_size":4096,"read":true,"write":false,"snoop":true}
{"sid":"0x8","iova":"0x1000","access":"w","fault":{"reason":"0x5","name":"WRITE"}}
{"sid":"0x8","iova":"0x200123","access":"rw","pa":"0x40000123","page_size":2097152,"read":true,"write":true,"snoop":true}
{"sid":"0x10","iova":"0x1000","access":"r","fault":{"reason":"0x2","name":"CONTEXT_NOT_PRESENT"}}
{"sid":"0x108","iova":"0x1000","access":"r","fault":{"reason":"0x1","name":"ROOT_NOT_PRESENT"}}
{"sid":"0x8","iova":"0x1000000000000","access":"r","fault":{"reason":"0x4","name":"ADDRESS_BEYOND_AW"}}
OUT
same "walk output" "$tmp/want" --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" \
    --reg RTADDR_REG=0x1000

# ECAP.SC off (--set): SNP is then a reserved bit of the 2 MiB leaf (reason 0xc), and
# the no-snoop request stays non-snooped elsewhere.
line_has "--set vtd.sc=false" 3 '"fault":{"reason":"0xc",' --arch vtd --image "$samples/walk-vtd.mem" \
    --requests "$samples/walk-vtd.reqs" --reg RTADDR_REG=0x1000 --set vtd.sc=false

# CAP_REG strapped with SAGAW = 3-level only: AW=2 is unsupported (reason 3).
cap=$(( (0x2 << 8) | (47 << 16) | (0x22 << 24) | (3 << 34) | (7 << 40) ))
line_has "--reg CAP_REG" 1 '"fault":{"reason":"0x3",' --arch vtd --image "$samples/walk-vtd.mem" \
    --requests "$samples/walk-vtd.reqs" --reg RTADDR_REG=0x1000 --reg CAP_REG=$cap

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
expect bad-image "$tmp/bad_img.txt:2" --arch vtd --image "$tmp/bad_img.txt" --requests "$samples/walk-vtd.reqs" --reg RTADDR_REG=0x1000
printf 'sid=0x8 iova=0x1000 access=r\nsid=0x8 iova=0x1000 access=x\n' >"$tmp/bad_req.txt"
expect bad-request "$tmp/bad_req.txt:2" --arch vtd --image "$samples/walk-vtd.mem" --requests "$tmp/bad_req.txt" --reg RTADDR_REG=0x1000
expect unknown-reg "NOPE_REG" --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" --reg NOPE_REG=1
expect near-reg "--reg RTADR_REG: unknown register; did you mean 'RTADDR_REG'?" --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" --reg RTADR_REG=0x1000
expect listed-regs "--reg ZZZ: unknown register (CAP_REG, CCMD_REG, ECAP_REG, FEADDR_REG, " --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" --reg ZZZ=1
expect unknown-set "vtd.nope: unknown parameter" --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" --set vtd.nope=1
expect missing-image "$tmp/none.txt: cannot open file" --arch vtd --image "$tmp/none.txt" --requests "$samples/walk-vtd.reqs"
expect other-arch "'riscv' is not modelled (vtd, smmuv3, amdvi)" --arch riscv --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs"
expect ttm-abort "TTM=3" --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" --reg RTADDR_REG=0x1c00
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
{"sid":"0x8","iova":"0x1000","access":"rw","pa":"0x80001000","page_size":4096,"read":true,"write":true,"snoop":true}
{"sid":"0x8","iova":"0x200123","access":"w","fault":{"reason":"0x13","name":"F_PERMISSION"}}
{"sid":"0x8","iova":"0x200123","access":"r","pa":"0x40000123","page_size":2097152,"read":true,"write":false,"snoop":false}
{"sid":"0x8","iova":"0x2000","access":"r","fault":{"reason":"0x13","name":"F_PERMISSION"}}
{"sid":"0x8","iova":"0x2000","access":"rw","pa":"0x80002000","page_size":4096,"read":true,"write":true,"snoop":false}
{"sid":"0x8","iova":"0x3000","access":"r","fault":{"reason":"0x10","name":"F_TRANSLATION"}}
{"sid":"0x8","iova":"0x1000000000000","access":"r","fault":{"reason":"0x10","name":"F_TRANSLATION"}}
{"sid":"0x9","iova":"0x1000","access":"r","fault":{"reason":"0x4","name":"C_BAD_STE"}}
{"sid":"0x10","iova":"0x1000","access":"r","fault":{"reason":"0x2","name":"C_BAD_STREAMID"}}
{"sid":"0x8","pasid":"0x1","iova":"0x1000","access":"r","fault":{"reason":"0x8","name":"C_BAD_SUBSTREAMID"}}
OUT
same "walk --arch smmuv3 output" "$tmp/smmu_want" --arch smmuv3 --image "$tmp/smmu_img.txt" \
    --requests "$tmp/smmu_req.txt" --reg SMMU_STRTAB_BASE=0x10000 --reg SMMU_STRTAB_BASE_CFG=0x4
expect smmuv3-unknown-reg "SMMU_NOPE" --arch smmuv3 --image "$tmp/smmu_img.txt" --requests "$tmp/smmu_req.txt" --reg SMMU_NOPE=1
# AMD-Vi: the same contract, a fault's reason being the event type code the unit logs
# (48882 §2.5: 0x1 ILLEGAL_DEV_TABLE_ENTRY, 0x2 IO_PAGE_FAULT, 0x3
# DEV_TAB_HARDWARE_ERROR). The image is written here from the spec's bit positions:
# DTE (§2.2.2.1) qword 0 V=0, TV=1, Mode=11:9, root=51:12, IR=61, IW=62, qword 1
# DomainID=15:0; page-table entries (§2.2.3) PR=0, NextLevel=11:9, address=51:12,
# FC=60, IR=61, IW=62. DEV_TABLE_BASE 0x100000 with Size=1: two 4 KiB pages, DeviceIDs
# 0-0xff.
cat >"$tmp/amd_want" <<'OUT'
{"sid":"0x10","iova":"0x1000","access":"r","pa":"0x80001000","page_size":4096,"read":true,"write":false,"snoop":true}
{"sid":"0x10","iova":"0x1000","access":"w","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x10","iova":"0x200123","access":"rw","pa":"0x40000123","page_size":2097152,"read":true,"write":true,"snoop":false}
{"sid":"0x10","iova":"0x400010","access":"r","pa":"0x40200010","page_size":2097152,"read":true,"write":true,"snoop":true}
{"sid":"0x10","iova":"0x40003000","access":"rw","pa":"0x80003000","page_size":4096,"read":true,"write":true,"snoop":true}
{"sid":"0x10","iova":"0x40203000","access":"r","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x10","iova":"0x5abc","access":"r","pa":"0x80005abc","page_size":8192,"read":true,"write":true,"snoop":true}
{"sid":"0x10","iova":"0x3000","access":"r","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x10","iova":"0x8000000000","access":"r","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x11","iova":"0x1000","access":"r","fault":{"reason":"0x1","name":"ILLEGAL_DEV_TABLE_ENTRY"}}
{"sid":"0x12","iova":"0x1000","access":"w","pa":"0x1000","page_size":4096,"read":true,"write":true,"snoop":false}
{"sid":"0x13","iova":"0x1000","access":"r","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x14","iova":"0x1000","access":"r","pa":"0x80001000","page_size":4096,"read":true,"write":false,"snoop":true}
{"sid":"0x14","iova":"0x8000001000","access":"r","fault":{"reason":"0x2","name":"IO_PAGE_FAULT"}}
{"sid":"0x100","iova":"0x1000","access":"r","fault":{"reason":"0x3","name":"DEV_TAB_HARDWARE_ERROR"}}
OUT
same "walk --arch amdvi output" "$tmp/amd_want" --arch amdvi --image "$samples/walk-amdvi.mem" \
    --requests "$samples/walk-amdvi.reqs" --reg DEV_TABLE_BASE=0x100001
# EXT_FEATURE strapped (§3.4.6) with PPRSup (bit 1), GTSup (4), IASup (6) and HATS=00b
# (11:10): four host levels, so DeviceID 0x14's Mode 5 is illegal (0x1); Mode 3 stays.
line_has "walk --arch amdvi --reg EXT_FEATURE: Mode 5 illegal" 13 '"fault":{"reason":"0x1",' --arch amdvi \
    --image "$samples/walk-amdvi.mem" --requests "$samples/walk-amdvi.reqs" --reg DEV_TABLE_BASE=0x100001 --reg EXT_FEATURE=0x52
line_has "walk --arch amdvi --reg EXT_FEATURE: Mode 3 translates" 1 '"pa":"0x80001000"' --arch amdvi \
    --image "$samples/walk-amdvi.mem" --requests "$samples/walk-amdvi.reqs" --reg DEV_TABLE_BASE=0x100001 --reg EXT_FEATURE=0x52
# DeviceID 0x80's entry (zero: V=0) is inside a Size=1 table and passes untranslated;
# with Size=0 (one page, DeviceIDs 0-0x7f) it is beyond the table: 0x3.
printf 'sid=0x80 iova=0x1000 access=r\n' >"$tmp/amd_req2.txt"
line_has "walk --arch amdvi DEV_TABLE_BASE Size=1" 1 '"pa":"0x1000"' --arch amdvi --image "$samples/walk-amdvi.mem" \
    --requests "$tmp/amd_req2.txt" --reg DEV_TABLE_BASE=0x100001
line_has "walk --arch amdvi DEV_TABLE_BASE Size=0" 1 '"fault":{"reason":"0x3",' --arch amdvi \
    --image "$samples/walk-amdvi.mem" --requests "$tmp/amd_req2.txt" --reg DEV_TABLE_BASE=0x100000
expect amdvi-unknown-reg "AMD_NOPE" --arch amdvi --image "$samples/walk-amdvi.mem" --requests "$samples/walk-amdvi.reqs" --reg AMD_NOPE=1

# Without --reg every request faults at the root: the command says why on stderr.
"$sim" walk --arch vtd --image "$samples/walk-vtd.mem" --requests "$samples/walk-vtd.reqs" >"$tmp/got" 2>"$tmp/err"
if grep -q '"ROOT_NOT_PRESENT"' "$tmp/got" && grep -q "no --reg" "$tmp/err"; then echo "ok   no-reg note"; else
    echo "FAIL no-reg note: $(head -1 "$tmp/got") / $(cat "$tmp/err")"; fail=1; fi
exit $fail
