#include "models/smmuv3/smmu_unit.h"

#include <cstdio>

#include "models/smmuv3/regs.h"
#include "models/smmuv3/straps.h"
#include "models/sim/hot_path.h"

namespace smmuv3 {

SmmuUnit::SmmuUnit(const Caps& caps, const UnitParams& p, HostMemory& mem)
    : caps_(caps),
      mem_(mem),
      config_cache_(p.config_cache, p.seed, "smmuv3.config_cache"),
      tlb_(p.tlb, p.seed, "smmuv3.tlb"),
      walk_caches_(p.walk_cache, p.seed),
      cmdq_clock_(*this, p.cmdq, "cmdq.busy_cycles") {
    // §6.3 SMMU_GBPA resets with SHCFG = 0b01, the incoming shareability (QEMU's
    // SMMU_GBPA_RESET_VAL 0x1000 too).
    gbpa_ = uint32_t(gbpa::SHCFG.put(1));
    idr_[0] = encode_idr0(caps);
    idr_[1] = encode_idr1(caps);
    idr_[3] = encode_idr3(caps);
    idr_[5] = encode_idr5(caps);
    add_child("config_cache", config_cache_);
    add_child("tlb", tlb_);
    add_child("walk_cache", walk_caches_);
}

SmmuUnit::~SmmuUnit() = default;

void SmmuUnit::strap_idr(unsigned n, uint32_t value) {
    if (n < 6) idr_[n] = value;
    caps_ = decode_idrs(idr_[0], idr_[1], idr_[3], idr_[5]);
}

// SMMUEN == 0 (§6.3 SMMU_GBPA): every transaction follows GBPA, aborted without an
// event when GBPA.ABORT, else passed through with the incoming address.
bool SmmuUnit::disabled_answer(const iommu::Request& r, iommu::Result& out) const {
    if (enabled()) return false;
    if (gbpa_ & gbpa::ABORT) {
        out = iommu::Result{};
        out.fault = true;
        out.record = false;
        out.reason = event::F_STREAM_DISABLED;  // no event: the closest architectural name
        return true;
    }
    out = bypass(nullptr, r);
    return true;
}

// §13 (see mem_attr.h): the request's own attributes, which STE.MTCFG/MemAttr/SHCFG or,
// with SMMUEN=0, GBPA's fields override when IDR1.ATTR_TYPES_OVR says they act.
MemAttr SmmuUnit::incoming(const Ste* ste, const iommu::Request& r) const {
    const MemAttr in = pcie_incoming(r.no_snoop);
    if (!caps_.attr_types_ovr) return in;
    if (ste) return override_incoming(in, ste->mtcfg, ste->memattr, ste->shcfg);
    return override_incoming(in, gbpa::MTCFG.get(gbpa_), unsigned(gbpa::MEMATTR.get(gbpa_)),
                             unsigned(gbpa::SHCFG.get(gbpa_)));
}

iommu::Result SmmuUnit::bypass(const Ste* ste, const iommu::Request& r) const {
    iommu::Result out = iommu::untranslated(r);
    out.snoop = snoops(incoming(ste, r));
    return out;
}

// The lookup stage answers what the caches decide: a disabled SMMU, a cached STE that
// bypasses or aborts, or a TLB entry granting the access. Anything else walks, so the
// walk (not the cache) decides every fault that records an event.
IOMMU_SIM_HOT_PATH bool SmmuUnit::lookup(const iommu::Request& r, iommu::Result& out) {
    if (r.at != iommu::At::Untranslated) return ats_lookup(r, out);
    if (disabled_answer(r, out)) {
        if (!out.fault) ++bypassed_;
        return report(r, out, {}, false), true;
    }
    const ConfigValue* s = ste_shortcut_.lookup(config_cache_, {r.sid, 0, false}, r.sid);
    if (!s) return false;
    const Ste& ste = s->ste;
    if (ste.abort() && ste.v) {
        out = iommu::Result{};
        out.fault = true;
        out.record = false;
        out.reason = event::F_STREAM_DISABLED;
        return report(r, out, {}, false), true;
    }
    if (ste.bypass()) {
        ++bypassed_;
        out = bypass(&ste, r);
        return report(r, out, {}, false), true;
    }
    if (!cached_translation(ste, r, ste.stage1(), out)) return false;
    report(r, out, {}, false);
    return true;
}

// A TLB hit under a cached STE (and, through stage 1, a cached CD).
bool SmmuUnit::cached_translation(const Ste& ste, const iommu::Request& r, bool stage1, iommu::Result& out) {
    const ConfigValue* c = nullptr;
    if (stage1) {
        if (r.pasid_valid == (ste.s1cdmax == 0)) return false;  // the walk decides
        c = cd_shortcut_.lookup(config_cache_, {r.sid, r.pasid_valid ? r.pasid : 0, true}, r.sid);
        if (!c) return false;
    }
    return tlb_hit(ste, c ? &c->cd : nullptr, r, out);
}

// §6.3 IDR0.ASID16/VMID16: an SMMU with 8-bit ASIDs or VMIDs ignores bits 15:8 of
// CD.ASID, STE.S2VMID and the TLBI commands' fields.
uint16_t SmmuUnit::asid(uint16_t a) const { return caps_.asid16 ? a : uint16_t(a & 0xff); }
uint16_t SmmuUnit::vmid(uint16_t v) const { return caps_.vmid16 ? v : uint16_t(v & 0xff); }

TlbKey SmmuUnit::tlb_key(const Ste& ste, const Cd* cd, uint64_t iova, unsigned log2) const {
    return TlbKey{vmid(ste.s2vmid), cd ? asid(cd->asid) : uint16_t(0), cd != nullptr, iova >> log2, uint8_t(log2)};
}

bool SmmuUnit::tlb_hit(const Ste& ste, const Cd* cd, const iommu::Request& r, iommu::Result& out) {
    const bool s1 = cd != nullptr;
    for (unsigned log2 = 12; log2 < 64; ++log2) {
        if (!(tlb_sizes_ >> log2 & 1)) continue;
        const TlbKey key = tlb_key(ste, cd, r.iova, log2);
        const Tlb::Slot found = tlb_.probe(key);
        if (!found) continue;
        const TlbValue* e = found.value;
        if ((s1 && (e->priv != r.priv || e->exec != r.exec)) || (r.read && !e->read) ||
            (r.write && (!e->write || e->write_walks)))
            break;
        tlb_.record_hit(found);
        out = iommu::Result{};
        out.page_size = uint64_t(1) << log2;
        out.pa = e->pa_base | (r.iova & (out.page_size - 1));
        out.read = e->read;
        out.write = e->write;
        out.snoop = snoops(translated_output(incoming(&ste, r), e->attr, s1));
        return true;
    }
    tlb_.record_miss();
    return false;
}

void SmmuUnit::tlb_fill(const WalkSlot& w) {
    const iommu::Result& res = w.result;
    if (!w.walked || res.fault || !res.page_size) return;
    unsigned log2 = 0;
    while ((uint64_t(1) << log2) < res.page_size) ++log2;
    const iommu::Request& r = w.request;
    const TlbKey key = tlb_key(w.ste, w.stage1 ? &w.cd : nullptr, r.iova, log2);
    TlbValue v;
    v.pa_base = res.pa & ~(res.page_size - 1);
    v.read = res.read;
    v.write = res.write;
    v.priv = r.priv;
    v.exec = r.exec;
    v.attr = w.vmsa.attr();
    v.write_walks = !r.write && ((w.stage1 && w.s1.hd) || (w.ste.stage2() && w.s2.hd));
    tlb_.fill(key, v);
    tlb_sizes_ |= uint64_t(1) << log2;
}

IOMMU_SIM_HOT_PATH void SmmuUnit::begin(WalkSlot& w, const iommu::Request& r) {
    w = WalkSlot{};
    w.owner = this;
    w.request = r;
    ++walks_;
    if (r.at == iommu::At::Translated) {
        // §3.9.1.3: without SMMU_IDR3.PASIDTT a Translated transaction is taken as
        // PnU = 0, InD = 0, SSV = 0.
        w.request.priv = w.request.exec = w.request.pasid_valid = false;
        w.request.pasid = 0;
    }
    const bool answered = r.at == iommu::At::Untranslated ? disabled_answer(r, w.result)
                                                          : ats_precheck(r, w.result, w.event, w.record);
    if (answered) {  // disabled (or ATS refused) between lookup and walk
        w.phase = WalkSlot::Phase::Done;
        return;
    }
    if (const ConfigValue* s = config_cache_.peek({r.sid, 0, false})) {
        w.ste = s->ste;
        w.ste_cached = true;
        return got_ste(w);
    }
    start_ste(w);
}

IOMMU_SIM_HOT_PATH iommu::Result SmmuUnit::end(WalkSlot& w) {
    config_reads_ += w.config_reads;
    walk_reads_ += w.vmsa.reads() + w.cd_walk.reads();
    walk_writes_ += w.vmsa.writes() + w.cd_walk.writes();
    if (!w.ste_cached && w.ste.v && w.event.id != event::C_BAD_STE)
        config_cache_.fill({w.request.sid, 0, false}, {w.ste, {}});
    if (w.stage1 && !w.cd_cached && w.cd_ok)
        config_cache_.fill({w.request.sid, w.request.pasid_valid ? w.request.pasid : 0, true}, {w.ste, w.cd});
    // The leaves' attributes over the incoming ones decide snooping, as on a TLB hit
    // (tlb_fill keeps them): a walked answer and the cached one must not differ.
    if (w.walked && !w.result.fault)
        w.result.snoop = snoops(translated_output(incoming(&w.ste, w.request), w.vmsa.attr(), w.stage1));
    tlb_fill(w);
    split_stage_answer(w);
    if (w.request.at == iommu::At::TranslationRequest) grant(w.request, w.result);
    if (!report(w.request, w.result, w.event, w.record) && w.result.stall) stall_unrecorded(w.result);
    return w.result;
}

iommu::Result SmmuUnit::merged(const iommu::Request& r, const iommu::Result& walked) {
    iommu::Result res = walked;
    if (!res.fault && res.page_size)
        res.pa = (walked.pa & ~(walked.page_size - 1)) | (r.iova & (walked.page_size - 1));
    if (r.at == iommu::At::TranslationRequest) grant(r, res);  // its own NW
    // Merged requests share the walked one's No Snoop (the engine's merge key), so its
    // snoop decision stands.
    Event e;
    if (res.fault) {  // the same fault, this request's own record
        e.id = uint8_t(res.reason);
        e.sid = r.sid;
        e.ssv = r.pasid_valid;
        e.ssid = r.pasid;
        e.input_addr = r.iova;
        e.rnw = !r.write;
    }
    if (res.stall) stall(r, res, e);  // its own STAG
    if (!report(r, res, e, res.fault && res.record) && res.stall) stall_unrecorded(res);
    return res;
}

// Statistics, and the event record (§7.3) when the fault records one; true when written.
bool SmmuUnit::report(const iommu::Request& r, const iommu::Result& res, const Event& e, bool record) {
    ++translations_;
    if (r.at == iommu::At::TranslationRequest) {
        ++ats_requests_;
        if (!res.fault && !res.read && !res.write) ++ats_denied_;
    } else if (r.at == iommu::At::Translated && !res.fault) {
        ++ats_translated_;
    }
    if (!res.fault) return false;
    ++faults_;
    fault_ids_.count(res.reason);
    return record && record_event(e);
}

}  // namespace smmuv3
