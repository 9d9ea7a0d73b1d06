// The command queue (IHI 0070 §3.5, chapter 4): on a CMDQ_PROD write the SMMU
// consumes commands from CONS up to PROD, functionally and at once, counting the
// cycles it takes. A command it
// cannot execute stops the queue (§7.1 "Command queue errors"): CMDQ_CONS stays on it
// with ERR = CERROR_ILL (or CERROR_ABT for a fetch abort) and GERROR.CMDQ_ERR toggles;
// processing resumes from CONS once software acknowledges in GERRORN.
#include <cstdio>

#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {

namespace {

// What executing a command costs (command_cost.h), by what it does.
iommu::CommandKind kind(Opcode op) {
    switch (op) {
        case Opcode::CFGI_STE: case Opcode::CFGI_STE_RANGE: case Opcode::CFGI_CD: case Opcode::CFGI_CD_ALL:
            return iommu::CommandKind::Config;
        case Opcode::SYNC: return iommu::CommandKind::Sync;
        case Opcode::TLBI_NH_ALL: case Opcode::TLBI_NH_ASID: case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA:
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_EL2_ASID: case Opcode::TLBI_EL2_VA:
        case Opcode::TLBI_EL2_VAA: case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_S2_IPA:
        case Opcode::TLBI_NSNH_ALL:
            return iommu::CommandKind::Tlb;
        case Opcode::ATC_INV: return iommu::CommandKind::AtcInv;
        default: return iommu::CommandKind::Other;
    }
}

}  // namespace

// Each command fetched and executed costs unit cycles (cmdq_clock_); the queue is
// still consumed at once, the cycles tell the driver's CMD_SYNC wait how long it took.
void SmmuUnit::process_commands() {
    if (!(cr0_ & cr0::CMDQEN) || ((gerror_ ^ gerrorn_) & gerror::CMDQ_ERR)) return;
    const QueueBase base = decode_queue_base(q(reg::CMDQ_BASE));
    const QueueIndex qi(std::min(base.log2size, caps_.cmdqs));
    const uint32_t prod = reg(reg::CMDQ_PROD);
    // At most one pass over the queue per PROD write: software cannot make it loop.
    for (uint32_t n = 0; n < qi.entries() && !qi.empty(prod, cmdq_cons_); ++n) {
        const uint64_t at = base.addr + uint64_t(qi.index(cmdq_cons_)) * 16;
        uint64_t lo = 0, hi = 0;
        unsigned err = cmdq_cons::CERROR_NONE;
        cmdq_clock_.fetch(16);
        if (!mem_.read_u64(at, lo) || !mem_.read_u64(at + 8, hi)) err = cmdq_cons::CERROR_ABT;
        const auto cmd = err ? std::nullopt : decode_command(lo, hi);
        if (!err && (!cmd || !allowed(*cmd) || !execute(*cmd))) err = cmdq_cons::CERROR_ILL;
        if (err) {
            ++command_errors_;
            cmdq_cons_ = QueueIndex::with_error(cmdq_cons_, err);
            toggle_gerror(gerror::CMDQ_ERR);
            return;
        }
        ++commands_;
        cmdq_clock_.execute(kind(cmd->op));
        cmdq_cons_ = qi.advance(cmdq_cons_);
    }
}

// Commands the IDRs rule out are CERROR_ILL (chapter 4, each command's "CERROR_ILL"
// conditions): EL2 invalidation without IDR0.HYP, stage-2 invalidation without
// IDR0.S2P, ATC_INV without ATS, PRI_RESP without PRI, a range TLBI without IDR3.RIL,
// CMD_SYNC signalling an MSI without IDR0.MSI. TLBI_EL2_VA/VAA carry the same range
// fields as TLBI_NH_VA/VAA (§4.4): a range there needs IDR3.RIL too.
bool SmmuUnit::allowed(const Command& c) const {
    switch (c.op) {
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_EL2_ASID: return caps_.hyp;
        case Opcode::TLBI_EL2_VA: case Opcode::TLBI_EL2_VAA: return caps_.hyp && (c.tg == 0 || caps_.ril);
        case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_S2_IPA: return caps_.s2p && (c.tg == 0 || caps_.ril);
        case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA: return c.tg == 0 || caps_.ril;
        case Opcode::ATC_INV: return caps_.ats;
        case Opcode::PRI_RESP: return caps_.pri;
        case Opcode::SYNC: return c.cs != sync_cs::IRQ || caps_.msi;
        default: return true;
    }
}

bool SmmuUnit::execute(const Command& c) {
    if (on_invalidate) {
        switch (c.op) {
            case Opcode::PREFETCH_CONFIG: case Opcode::PREFETCH_ADDR: case Opcode::SYNC:
            case Opcode::PRI_RESP: case Opcode::RESUME: case Opcode::STALL_TERM:
                break;
            default: on_invalidate(command_name(c), describe(c));
        }
    }
    switch (c.op) {
        case Opcode::CFGI_STE: case Opcode::CFGI_STE_RANGE: case Opcode::CFGI_CD: case Opcode::CFGI_CD_ALL:
            ++inv_config_;
            invalidate_config(c);
            return true;
        case Opcode::TLBI_NH_ALL: case Opcode::TLBI_NH_ASID: case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA:
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_EL2_ASID: case Opcode::TLBI_EL2_VA:
        case Opcode::TLBI_EL2_VAA: case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_S2_IPA:
        case Opcode::TLBI_NSNH_ALL:
            ++inv_tlb_;
            invalidate_tlb(c);
            return true;
        case Opcode::SYNC: ++syncs_; sync(c); return true;
        case Opcode::ATC_INV: ++inv_atc_; atc_invalidate(c); return true;
        case Opcode::PRI_RESP: ++pri_responses_; pri_respond(c); return true;
        case Opcode::RESUME: resume(c); return true;           // stall.cpp
        case Opcode::STALL_TERM: stall_term(c.sid); return true;
        // PREFETCH_* are hints an SMMU may ignore (§4.2).
        case Opcode::PREFETCH_CONFIG: case Opcode::PREFETCH_ADDR:
            return true;
    }
    return false;
}

// §4.3: CFGI_STE (one StreamID), CFGI_STE_RANGE (2^(Range+1) StreamIDs from SID aligned
// down; Range 31 = CFGI_ALL), CFGI_CD (one CD), CFGI_CD_ALL (every CD of a StreamID).
// An STE invalidation also drops the stream's CDs: they were found through it.
void SmmuUnit::invalidate_config(const Command& c) {
    if (c.cfgi_all()) return config_cache_.invalidate_all();
    uint64_t first = c.sid, last = c.sid;
    if (c.op == Opcode::CFGI_STE_RANGE) {
        const uint64_t span = uint64_t(2) << c.range;
        first = c.sid & ~(span - 1);
        last = first + span - 1;
    }
    const bool cd_only = c.op == Opcode::CFGI_CD || c.op == Opcode::CFGI_CD_ALL;
    config_cache_.invalidate_if([&](const ConfigKey& k, const ConfigValue&) {
        if (k.sid < first || k.sid > last) return false;
        if (!cd_only) return true;
        return k.cd && (c.op == Opcode::CFGI_CD_ALL || k.ssid == c.ssid);  // CFGI_CD has no SSV
    });
}

// §4.4: the TLB and walk-cache entries each TLBI covers (walk_cache.cpp: which). Addresses: one address (every entry that
// contains it), or with TG != 0 (IDR3.RIL) a range of (NUM + 1) * 2^SCALE granules.
// Stage-2 invalidation by IPA cannot find nested entries by IPA (they are tagged by
// VA), so it drops every nested entry of the VMID, as the architecture permits.
void SmmuUnit::invalidate_tlb(const Command& c) {
    walk_caches_.invalidate(c, vmid(c.vmid), asid(c.asid));
    if (c.op == Opcode::TLBI_NSNH_ALL) return tlb_.invalidate_all();
    const uint64_t lo = c.addr, hi = c.tlbi_last();
    const auto overlaps = [&](const TlbKey& k) {
        const uint64_t first = k.vpn << k.size_log2, last = first + ((uint64_t(1) << k.size_log2) - 1);
        return first <= hi && last >= lo;
    };
    const uint16_t vm = vmid(c.vmid), as = asid(c.asid);
    tlb_.invalidate_if([&](const TlbKey& k, const TlbValue&) {
        switch (c.op) {
            case Opcode::TLBI_NH_ALL: return k.s1 && k.vmid == vm;
            case Opcode::TLBI_NH_ASID: return k.s1 && k.vmid == vm && k.asid == as;
            case Opcode::TLBI_NH_VA: return k.s1 && k.vmid == vm && k.asid == as && overlaps(k);
            case Opcode::TLBI_NH_VAA: return k.s1 && k.vmid == vm && overlaps(k);
            case Opcode::TLBI_S12_VMALL: return k.vmid == vm;
            case Opcode::TLBI_S2_IPA: return k.vmid == vm && (k.s1 || overlaps(k));
            default: return true;  // TLBI_EL2_*: no EL2 regime is translated; drop all
        }
    });
}

// §4.5.1 CMD_ATC_INV: an ATS Invalidate Request to the device of StreamID SID (its
// RequesterID), for SubstreamID SSID when SSV (a PASID prefix), Global reaching global
// entries too. Address and Size name 2^Size 4 KiB pages from Address aligned down to
// that span (Linux arm_smmu_atc_inv_to_cmd); Size 52 (Linux ATC_INV_SIZE_ALL) covers
// the whole 64-bit space, and a larger Size, which may use an UNKNOWN span, is taken
// the same way. IGNORED while SMMUEN == 0 (§4.5). The device is clean when
// endpoints->invalidate returns, so a later CMD_SYNC covers it.
void SmmuUnit::atc_invalidate(const Command& c) {
    if (!endpoints || !enabled()) return;
    iommu::AtsInvalidation inv;
    inv.sid = uint16_t(c.sid);
    inv.pasid_valid = c.ssv;
    inv.pasid = c.ssv ? c.ssid : 0;
    inv.global = c.global;
    if (c.size < 52) {
        inv.size = uint64_t(4096) << c.size;
        inv.addr = c.addr & ~(inv.size - 1);
    }
    endpoints->invalidate(inv);
}

// §4.5.2 CMD_PRI_RESP: a PRG Response Message for page request group PRGIndex of
// StreamID SID (with SSID's PASID when SSV); IGNORED while SMMUEN == 0. Resp as the
// spec's text lists it: 0b00 ResponseFailure ("permanent non-paging error"), 0b01
// InvalidRequest ("page-in unsuccessful"), 0b10 Success; 0b11 is CERROR_ILL at decode.
// Linux names 0 PRI_RESP_DENY and 1 PRI_RESP_FAIL, which reads the other way round for
// 0 and 1; the model follows the spec.
void SmmuUnit::pri_respond(const Command& c) {
    if (!endpoints || !enabled()) return;
    iommu::PageResponse r;
    r.sid = uint16_t(c.sid);
    r.pasid_valid = c.ssv;
    r.pasid = c.ssv ? c.ssid : 0;
    r.prg_index = uint16_t(c.prg_index);
    r.code = c.resp == pri_resp::SUCCESS ? iommu::PrgResponse::Success
             : c.resp == pri_resp::INVALID_REQUEST ? iommu::PrgResponse::InvalidRequest
                                                   : iommu::PrgResponse::ResponseFailure;
    endpoints->page_response(r);
}

// §4.7 CMD_SYNC: every earlier command has completed (they complete at once here, an
// ATC_INV's device included);
// CS = IRQ with an MSI address writes MSIDATA there (§4.7.3), SEV and none signal
// nothing the model observes.
void SmmuUnit::sync(const Command& c) {
    if (c.cs == sync_cs::IRQ && c.msiaddr)
        if (!mem_.write_u32(c.msiaddr, c.msidata)) toggle_gerror(gerror::MSI_CMDQ_ABT_ERR);
}

}  // namespace smmuv3
