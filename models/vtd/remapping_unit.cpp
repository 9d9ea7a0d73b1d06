#include "models/vtd/remapping_unit.h"

#include <algorithm>
#include <cstdio>

#include "models/sim/hot_path.h"
#include "models/vtd/legacy_walker.h"
#include "models/vtd/scalable_walker.h"
#include "models/vtd/regs.h"

namespace vtd {
namespace {

constexpr uint32_t kVersion = 0x10;   // VER_REG: major 1, minor 0
constexpr uint64_t kBit63 = uint64_t(1) << 63;

// Fault recording register, upper qword (spec 11.4.14): SID 15:0, PP 31, FR 39:32,
// PV 59:40, T 62 (1: read request), F 63 (fault, write 1 to clear).
uint64_t fault_hi(const iommu::Request& r, uint32_t reason) {
    uint64_t hi = r.sid | (uint64_t(reason & 0xff) << 32) | kBit63;
    if (r.pasid_valid) hi |= (uint64_t(1) << 31) | (uint64_t(r.pasid & 0xfffff) << 40);
    if (!r.write) hi |= uint64_t(1) << 62;
    return hi;
}

}  // namespace

RemappingUnit::RemappingUnit(const Capabilities& caps, const UnitParams& p, HostMemory& mem)
    : caps_(caps),
      mem_(mem),
      context_cache_(p.context_cache, p.seed, "vtd.cc"),
      pasid_cache_(p.pasid_cache, p.seed, "vtd.pc"),
      iotlb_(p.iotlb, p.seed, "vtd.iotlb"),
      iq_clock_(*this, p.iq, "iq.busy_cycles") {
    add_child("context_cache", context_cache_);
    add_child("pasid_cache", pasid_cache_);
    add_child("iotlb", iotlb_);
    static const char* const names[] = {"pde", "pdpe", "pml4e", "pml5e"};
    for (unsigned i = 0; i < 4; ++i) {
        walk_caches_.push_back(
            std::make_unique<WalkCache>(p.walk_cache, p.seed, std::string("vtd.walk_cache.") + names[i]));
        add_child(std::string("walk_cache.") + names[i], *walk_caches_[i]);
    }
}

RemappingUnit::~RemappingUnit() = default;

namespace {
// The registers at fixed offsets (spec 10.4); IVA_REG and IOTLB_REG sit at ECAP.IRO.
using RegisterMap = std::map<std::string, std::pair<uint32_t, unsigned>>;
const RegisterMap& fixed_registers() {
    static const RegisterMap fixed = {
        {"VER_REG", {reg::VER, 4}},       {"CAP_REG", {reg::CAP, 8}},
        {"ECAP_REG", {reg::ECAP, 8}},     {"GCMD_REG", {reg::GCMD, 4}},
        {"GSTS_REG", {reg::GSTS, 4}},     {"RTADDR_REG", {reg::RTADDR, 8}},
        {"CCMD_REG", {reg::CCMD, 8}},     {"FSTS_REG", {reg::FSTS, 4}},
        {"FECTL_REG", {reg::FECTL, 4}},   {"FEDATA_REG", {reg::FEDATA, 4}},
        {"FEADDR_REG", {reg::FEADDR, 4}}, {"FEUADDR_REG", {reg::FEUADDR, 4}},
        {"IQH_REG", {reg::IQH, 8}},       {"IQT_REG", {reg::IQT, 8}},
        {"IQA_REG", {reg::IQA, 8}},       {"ICS_REG", {reg::ICS, 4}},
        {"PQH_REG", {reg::PQH, 8}},       {"PQT_REG", {reg::PQT, 8}},
        {"PQA_REG", {reg::PQA, 8}},       {"PRS_REG", {reg::PRS, 4}}};
    return fixed;
}
}  // namespace

std::vector<std::string> RemappingUnit::register_names() {
    std::vector<std::string> names{"IOTLB_REG", "IVA_REG"};
    for (const auto& r : fixed_registers()) names.push_back(r.first);
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<std::pair<uint32_t, unsigned>> RemappingUnit::offset_of(const std::string& name,
                                                                      const Capabilities& c) {
    const RegisterMap& fixed = fixed_registers();
    if (auto it = fixed.find(name); it != fixed.end()) return it->second;
    if (name == "IVA_REG") return std::make_pair(c.iro * 16, 8u);
    if (name == "IOTLB_REG") return std::make_pair(c.iro * 16 + 8, 8u);
    return std::nullopt;
}

uint32_t RemappingUnit::fault_reg(uint32_t offset) const {
    const uint32_t base = caps_.fro * 16;
    if (offset < base || offset >= base + caps_.nfr * 16) return ~0u;
    return (offset - base) / 16;
}

uint32_t RemappingUnit::fsts() const {
    bool pending = false;
    for (const auto& r : records_) pending |= (r.second.hi & kBit63) != 0;
    return fsts_rw1c_ | (pending ? fsts::PPF | (first_pending_ << fsts::FRI_SHIFT) : 0);
}

uint64_t RemappingUnit::read(uint32_t offset, unsigned size) const {
    const uint32_t base = offset & ~7u;
    uint64_t v = 0;
    if (const uint32_t i = fault_reg(base); i != ~0u) {
        auto it = records_.find(i);
        if (it != records_.end()) v = (base - caps_.fro * 16) % 16 ? it->second.hi : it->second.lo;
    } else if (base == reg::VER) {
        v = kVersion;
    } else if (base == reg::CAP) {
        v = caps_.cap();
    } else if (base == reg::ECAP) {
        v = caps_.ecap();
    } else if (base == reg::GCMD) {
        v = uint64_t(gsts_) << 32;  // GCMD reads as 0, GSTS above it
    } else if (base == reg::RTADDR) {
        v = rtaddr_;
    } else if (base == 0x30) {
        v = uint64_t(fsts()) << 32;
    } else if (base == reg::IQH) {
        v = iqh_;
    } else if (base == reg::IQT) {
        v = iqt_;
    } else if (base == reg::IQA) {
        v = iqa_;
    } else if (base == 0x98) {
        v = uint64_t(ics_) << 32;
    } else if (const auto prq = prq_.read(base)) {
        v = *prq;
    } else if (base == reg::FECTL) {
        v = fectl_ | (stored_.count(reg::FEDATA) ? stored_.at(reg::FEDATA) << 32 : 0);
    } else {
        auto lo = stored_.find(base), hi = stored_.find(base + 4);
        v = (lo != stored_.end() ? lo->second : 0) | (hi != stored_.end() ? hi->second << 32 : 0);
    }
    if (size == 8) return v;
    return (offset & 4) ? v >> 32 : v & 0xffffffffu;
}

void RemappingUnit::write(uint32_t offset, uint64_t value, unsigned size) {
    if (size == 4) value &= 0xffffffffu;
    if (const uint32_t i = fault_reg(offset & ~7u); i != ~0u) {
        // Only F (bit 127) is writable: write 1 to clear.
        const bool upper = (offset - caps_.fro * 16) % 16 >= 8;
        const uint64_t f = size == 8 ? value & kBit63 : (offset & 4 ? value << 32 : 0) & kBit63;
        if (upper && f) records_[i].hi &= ~kBit63;
        return;
    }
    if (bool irq = false; prq_.write(offset, value, size, irq)) {
        if (irq && on_page_request_irq) on_page_request_irq();
        return;
    }
    if (size == 4 && write_half(offset, value)) return;
    switch (offset) {
        case reg::GCMD: return write_gcmd(uint32_t(value));
        case reg::RTADDR: rtaddr_ = size == 8 ? value : (rtaddr_ & ~0xffffffffull) | value; return;
        case reg::RTADDR + 4: rtaddr_ = (rtaddr_ & 0xffffffffu) | (value << 32); return;
        case reg::FSTS: return write_fsts(uint32_t(value));
        case reg::FECTL: fectl_ = (fectl_ & ~fectl::IM) | (uint32_t(value) & fectl::IM); return;
        case reg::VER: case reg::CAP: case reg::CAP + 4: case reg::ECAP: case reg::ECAP + 4:
        case reg::GSTS: case reg::IQH:
            return;  // read-only
        case reg::IQA: iqa_ = value; return;
        case reg::IQT: return write_iqt(value);
        case reg::ICS: ics_ &= ~(uint32_t(value) & 1); return;  // IWC: write 1 to clear
        case reg::CCMD: {  // ICC (63): CIRG 62:61, FM 33:32, SID 31:16, DID 15:0
            Invalidation inv;
            inv.type = InvType::ContextCache;
            inv.granularity = unsigned((value >> 61) & 3);
            inv.did = uint16_t(value);
            inv.sid = uint16_t(value >> 16);
            inv.function_mask = unsigned((value >> 32) & 3);
            // Completes at once: ICC reads 0, CAIG 60:59 reports the granularity done
            // (a write that starts nothing leaves it).
            constexpr uint64_t caig = uint64_t(3) << 59;
            uint64_t done = stored_[reg::CCMD] & caig;
            if (value & kBit63) {
                invalidate(inv);
                done = uint64_t(inv.granularity) << 59;
            }
            stored_[reg::CCMD] = (value & ~kBit63 & ~caig) | done;
            return;
        }
        default: break;
    }
    if (offset == caps_.iro * 16 + 8) {  // IOTLB_REG: IVT 63, IIRG 61:60, DID 47:32
        const unsigned g = unsigned((value >> 60) & 3);
        constexpr uint64_t iaig = uint64_t(3) << 57;
        uint64_t done = stored_[offset] & iaig;
        if (value & kBit63) {  // IVA_REG: ADDR 63:12, IH 6, AM 5:0
            const uint64_t iva = stored_.count(caps_.iro * 16) ? stored_[caps_.iro * 16] : 0;
            ++inv_iotlb_;
            invalidate_iotlb(g, uint16_t(value >> 32), iva & ~uint64_t(0xfff), unsigned(iva & 0x3f));
            done = uint64_t(g) << 57;
        }
        stored_[offset] = (value & ~kBit63 & ~iaig) | done;
        return;
    }
    stored_[offset] = value;  // stored-only registers
}

// A 64-bit register written as two 32-bit halves (spec 10.2 lets software do so,
// the lower half first): each half becomes a 64-bit write of the register as it reads
// with that half replaced, so a command in bit 63 (CCMD.ICC, IOTLB_REG.IVT) starts
// with the upper half, and IQA and IVA_REG keep both halves.
bool RemappingUnit::write_half(uint32_t offset, uint64_t value) {
    const uint32_t base = offset & ~7u, iva = caps_.iro * 16;
    if (base != reg::CCMD && base != reg::IQA && base != iva && base != iva + 8) return false;
    const uint64_t now = read(base, 8);
    write(base, offset & 4 ? (now & 0xffffffffu) | (value << 32) : (now & ~uint64_t(0xffffffffu)) | value, 8);
    return true;
}

// GCMD (spec 11.4.4): one command per write; software writes GSTS's enables back with
// the bit it changes. SRTP latches RTADDR; TE, QIE, IRE and CFI are reflected in GSTS.
void RemappingUnit::write_gcmd(uint32_t v) {
    constexpr uint32_t mirrored = gcmd::TE | gcmd::QIE | gcmd::IRE | gcmd::CFI;
    uint32_t allowed = mirrored;
    if (!caps_.qi) allowed &= ~gcmd::QIE;
    const bool qi_was_on = gsts_ & gcmd::QIE;
    gsts_ = (gsts_ & ~mirrored) | (v & allowed);
    if (!(gsts_ & gcmd::QIE) && qi_was_on) iqh_ = 0;  // disabling QI resets the head
    if (v & gcmd::SRTP) {
        root_ = rtaddr_;
        gsts_ |= gcmd::SRTP;  // RTPS
    }
    if (v & gcmd::SIRTP) gsts_ |= gcmd::SIRTP;  // IRTPS
}

// FSTS: PFO and the invalidation-queue error bits are write-1-to-clear.
void RemappingUnit::write_fsts(uint32_t v) {
    fsts_rw1c_ &= ~(v & (fsts::PFO | fsts::IQE | fsts::ICE | fsts::ITE | fsts::PRO));
}

// Primary fault logging (spec 7.2.1): records fill circularly; a record whose F is
// still set, or an overflow not yet cleared, drops the fault and sets PFO.
void RemappingUnit::record_fault(const iommu::Request& r, uint32_t reason) {
    if (fsts_rw1c_ & fsts::PFO) return;
    FaultRecord& rec = records_[next_record_];
    if (rec.hi & kBit63) {
        fsts_rw1c_ |= fsts::PFO;
        return;
    }
    if (!(fsts() & fsts::PPF)) first_pending_ = next_record_;
    rec.lo = r.iova & ~uint64_t(0xfff);
    rec.hi = fault_hi(r, reason);
    next_record_ = (next_record_ + 1) % caps_.nfr;
    fectl_ |= fectl::IP;
}

// A fault is counted ("faults.0x5": a counter per reason code seen, created on its
// first fault) and recorded in the fault recording registers unless FPD says not to.
void RemappingUnit::report(const iommu::Request& r, const iommu::Result& res) {
    if (!res.fault) return;
    if (res.record) record_fault(r, res.reason);
    const uint32_t reason = res.reason;
    ++faults_;
    auto& c = fault_reasons_[reason];
    if (!c) {
        char name[24];
        std::snprintf(name, sizeof name, "faults.0x%x", reason);
        c = std::make_unique<sim::Counter>(*this, name, "", "faults with this reason code");
    }
    ++*c;
}

// The IOTLB holds leaves of every supported size, probed together (one lookup, hit or
// miss, in the statistics): the smallest page holding the address, or nullptr with
// `key` the 4 KiB key.
Iotlb::Slot RemappingUnit::iotlb_probe(uint16_t did, uint32_t pasid, uint64_t iova, IotlbKey& key) {
    key = IotlbKey{did, pasid, iova >> 12, 12};
    if (const Iotlb::Slot s = iotlb_.probe(key)) return s;
    // Only sizes SLLPS supports and a fill has held since the last global invalidation.
    const unsigned held = caps_.sllps & iotlb_large_sizes_;
    if (!held) return Iotlb::Slot{};
    for (unsigned log2 : {21u, 30u}) {
        const unsigned size_bit = log2 == 21 ? 1u : 2u;  // SLLPS: bit 0 2 MiB, bit 1 1 GiB
        if (!(held & size_bit)) continue;
        const IotlbKey large{did, pasid, iova >> log2, uint8_t(log2)};
        if (const Iotlb::Slot s = iotlb_.probe(large)) {
            key = large;
            return s;
        }
    }
    return Iotlb::Slot{};
}

namespace {

iommu::Result from_iotlb(const IotlbValue& e, const IotlbKey& key, const iommu::Request& r) {
    iommu::Result res;
    res.page_size = uint64_t(1) << key.size_log2;
    res.pa = e.pa_base | (r.iova & (res.page_size - 1));
    res.read = e.read;
    res.write = e.write;
    res.force_snoop = e.snoop_forced;
    res.snoop = e.snoop_forced || !r.no_snoop;
    return res;
}

}  // namespace

// Legacy mode: a hit (true, the answer in `out`) still checks permissions, and faults
// from the cached entry.
bool RemappingUnit::iotlb_hit(uint16_t did, const iommu::Request& r, iommu::Result& out) {
    IotlbKey key;
    const Iotlb::Slot s = iotlb_probe(did, 0, r.iova, key);
    if (!s) {
        iotlb_.record_miss();
        return false;
    }
    out = from_iotlb(iotlb_.record_hit(s), key, r);
    if (r.at == iommu::At::TranslationRequest) return true;  // what the entry grants
    if (r.write && !out.write) out = iommu::Result{true, fault::WRITE};
    else if (r.read && !out.read) out = iommu::Result{true, fault::READ};
    return true;
}

void RemappingUnit::iotlb_fill(uint16_t did, uint32_t pasid, const iommu::Request& r,
                               const iommu::Result& res, const IotlbValue& attrs) {
    unsigned log2 = 12;
    while ((uint64_t(1) << log2) < res.page_size) ++log2;
    IotlbValue v = attrs;
    v.pa_base = res.pa & ~(res.page_size - 1);
    v.read = res.read;
    v.write = res.write;
    v.snoop_forced = res.force_snoop;
    if (log2 == 21) iotlb_large_sizes_ |= 1;
    if (log2 == 30) iotlb_large_sizes_ |= 2;
    iotlb_.fill({did, pasid, r.iova >> log2, uint8_t(log2)}, v);
}

// Lookup stage: translation disabled, or an IOTLB hit under a cached context entry.
// Pass-through contexts skip the IOTLB; a cached context entry alone answers translated
// requests and blocked translation requests (context_answer).
IOMMU_SIM_HOT_PATH bool RemappingUnit::lookup(const iommu::Request& r, iommu::Result& out) {
    ++translations_;
    if (!translation_enabled()) {
        out = iommu::untranslated(r);
        return true;
    }
    if (ttm() == unsigned(Ttm::Scalable)) return lookup_scalable(r, out);
    const ContextValue* ctx = context_shortcut_.lookup(context_cache_, {r.sid}, r.sid);
    if (!ctx) return false;
    const unsigned tt = unsigned(ctx->lo >> 2) & 3;
    if (r.at == iommu::At::Translated || (r.at == iommu::At::TranslationRequest && tt != 1))
        return context_answer(r, *ctx, out);
    if (tt == 2) return false;
    if (!iotlb_hit(ctx->did(), r, out)) return false;
    out.record = !(ctx->lo & 2);
    report(r, out);
    return true;
}

// A walk starts below the deepest structure the caches hold: the context entry (the
// context-cache was looked up in the lookup stage; a walk that waited for a slot sees
// what it holds now), then the PASID-table entry (scalable) or the paging-structure
// caches (legacy).
IOMMU_SIM_HOT_PATH void RemappingUnit::begin(WalkSlot& w, const iommu::Request& r) {
    ++walks_;
    w.request = r;
    w.context_cached = w.pasid_cached = false;
    w.legacy.reset();
    w.scalable.reset();
    if (ttm() == unsigned(Ttm::Scalable)) return begin_scalable(w, r);
    LegacyWalker& walk = w.legacy.emplace(caps_, root_ & kRtaddrAddrMask);
    const ContextValue* ctx = context_shortcut_.peek(context_cache_, {r.sid}, r.sid);
    if (!ctx) return walk.start(r);
    w.context_cached = true;
    if (r.at == iommu::At::Translated || !start_from_walk_cache(walk, r, *ctx))
        walk.start_from_context(r, ctx->lo, ctx->hi);
}

// Legacy mode: the walk begin() would start, on a walker of the caller's, from what the
// context-cache and the paging-structure caches hold, using neither (peek). A requester
// whose context entry is not cached, a pass-through context and scalable mode give
// none: their walks start at the root and context tables once.
bool RemappingUnit::start_ahead(LegacyWalker& walk, const iommu::Request& r) const {
    if (ttm() == unsigned(Ttm::Scalable) || r.at != iommu::At::Untranslated) return false;
    const ContextValue* c = context_shortcut_.peek(context_cache_, {r.sid}, r.sid);
    if (!c || ((c->lo >> 2) & 3) == 2) return false;  // TT 2: pass-through
    const unsigned levels = std::min(unsigned(c->hi & 7) + 2, 5u);
    for (unsigned level = 2; level <= levels; ++level) {
        const unsigned shift = 12 + 9 * (level - 1);
        if (const WalkCacheValue* e = walk_caches_[level - 2]->peek({c->did(), r.iova >> shift})) {
            walk.start_from_walk_cache(r, c->lo, c->hi, level, e->table, e->read, e->write);
            return true;
        }
    }
    walk.start_from_context(r, c->lo, c->hi);
    return true;
}

uint64_t RemappingUnit::walk_read_ahead(const iommu::Request& r) const {
    LegacyWalker& walk = ahead_.emplace(caps_, root_ & kRtaddrAddrMask);
    if (start_ahead(walk, r) && !walk.done()) return walk.read_address();
    ahead_.reset();
    return kNoReadAhead;
}

namespace {
bool same_access(const iommu::Request& a, const iommu::Request& b) {
    return a.iova == b.iova && a.sid == b.sid && a.read == b.read && a.write == b.write &&
           a.pasid_valid == b.pasid_valid && a.pasid == b.pasid;
}
}  // namespace

// The walk walk_read_ahead started for the same request (else a new one), run to its
// end over HostMemory::peek_u64.
uint64_t RemappingUnit::output_ahead(const iommu::Request& r) const {
    if (!ahead_ || !same_access(ahead_->request(), r)) {
        if (walk_read_ahead(r) == kNoReadAhead) return kNoReadAhead;
    }
    LegacyWalker& walk = *ahead_;
    for (unsigned reads = 0; !walk.done(); ++reads) {
        uint64_t v;
        if (reads == 5 || !mem_.peek_u64(walk.read_address(), v)) break;
        walk.supply(v, true);
    }
    const bool translated = walk.done() && !walk.result().fault;
    const uint64_t pa = walk.result().pa;
    ahead_.reset();
    return translated ? pa : kNoReadAhead;
}

// A finished walk fills the context-cache, the IOTLB and the paging-structure caches.
IOMMU_SIM_HOT_PATH iommu::Result RemappingUnit::end(WalkSlot& w) {
    iommu::Result res = w.result();
    if (w.scalable) {
        end_scalable(w);
    } else {
        const LegacyWalker& walk = *w.legacy;
        walk_reads_ += walk.reads();
        const uint16_t did = uint16_t(walk.context_hi() >> 8);
        if (!w.context_cached && walk.context_valid())
            context_cache_.fill({w.request.sid}, {walk.context_lo(), walk.context_hi()});
        if (!res.fault && walk.translated_by_table()) {
            iotlb_fill(did, 0, w.request, res);
            fill_walk_caches(walk, did, w.request.iova);
        }
    }
    answer_translation_request(w.request, res);
    report(w.request, res);
    return res;
}

// The same page, the same attributes: the walk's answer, at this request's offset.
iommu::Result RemappingUnit::merged(const iommu::Request& r, const iommu::Result& walked) {
    iommu::Result res = walked;
    if (!res.fault && res.page_size)
        res.pa = (walked.pa & ~(walked.page_size - 1)) | (r.iova & (walked.page_size - 1));
    answer_translation_request(r, res);
    report(r, res);
    return res;
}

// The deepest cached non-leaf entry for this address lets the walk start below it.
bool RemappingUnit::start_from_walk_cache(LegacyWalker& w, const iommu::Request& r,
                                          const ContextValue& c) {
    const unsigned levels = unsigned(c.hi & 7) + 2;
    for (unsigned level = 2; level <= std::min(levels, 5u); ++level) {
        const unsigned shift = 12 + 9 * (level - 1);
        const WalkCacheValue* e = walk_caches_[level - 2]->lookup({c.did(), r.iova >> shift});
        if (!e) continue;
        w.start_from_walk_cache(r, c.lo, c.hi, level, e->table, e->read, e->write);
        return true;
    }
    return false;
}

void RemappingUnit::fill_walk_caches(const LegacyWalker& w, uint16_t did, uint64_t iova) {
    for (unsigned i = 0; i < w.pointer_count(); ++i) {
        const LegacyWalker::Pointer& p = w.pointers()[i];
        const unsigned shift = 12 + 9 * (p.level - 1);
        walk_caches_[p.level - 2]->fill({did, iova >> shift}, {p.table, p.read, p.write});
    }
}

// ---- scalable mode -----------------------------------------------------------------

namespace {
constexpr uint64_t kCtxDte = uint64_t(1) << 2;     // scalable context entry, qword 0
constexpr uint64_t kCtxPaside = uint64_t(1) << 3;
constexpr unsigned kPgttPassThrough = 4;
uint32_t rid_pasid(const ContextValue& c) { return uint32_t(c.hi & 0xfffff); }  // 9.4
bool rid_priv(const ContextValue& c) { return (c.hi >> 20) & 1; }
unsigned pgtt(const uint64_t q0) { return unsigned(q0 >> 6) & 7; }
}  // namespace

// A hit needs the context and PASID-table entries cached, and an IOTLB entry of the
// PASID's domain and PASID made for the same privilege and execute attributes that
// grants the access (and, under SSADE, a write only once D is set). Anything else
// walks: the walker, not the cache, decides scalable-mode faults.
bool RemappingUnit::lookup_scalable(const iommu::Request& r, iommu::Result& out) {
    const ContextValue* ctx = context_shortcut_.lookup(context_cache_, {r.sid}, r.sid);
    if (!ctx) return false;
    if (r.at == iommu::At::Translated || (r.at == iommu::At::TranslationRequest && !(ctx->lo & kCtxDte)))
        return context_answer(r, *ctx, out);
    if (r.pasid_valid && !(ctx->lo & kCtxPaside)) return false;
    const uint32_t pasid = r.pasid_valid ? r.pasid : rid_pasid(*ctx);
    const bool priv = r.pasid_valid ? r.priv : rid_priv(*ctx);
    const bool exec = r.pasid_valid && r.exec;
    const PasidValue* pe = pasid_shortcut_.lookup(pasid_cache_, {r.sid, pasid}, r.sid);
    if (!pe || pgtt(pe->q[0]) == kPgttPassThrough) return false;
    IotlbKey key;
    const Iotlb::Slot s = iotlb_probe(pe->did(), pasid, r.iova, key);
    const IotlbValue* e = s.value;
    // A translation request takes what the entry grants, but a grant of write under
    // SSADE walks to set D.
    const bool denied = r.at == iommu::At::TranslationRequest
                            ? r.write && e && e->write && e->write_walks
                            : e && ((r.read && !e->read) || (r.write && (!e->write || e->write_walks)));
    if (!e || e->priv != priv || e->exec != exec || denied) {
        iotlb_.record_miss();
        return false;
    }
    out = from_iotlb(iotlb_.record_hit(s), key, r);
    return true;
}

void RemappingUnit::begin_scalable(WalkSlot& w, const iommu::Request& r) {
    ScalableWalker& walk = w.scalable.emplace(caps_, root_ & kRtaddrAddrMask);
    const ContextValue* ctx = context_shortcut_.peek(context_cache_, {r.sid}, r.sid);
    if (!ctx) return walk.start(r);
    w.context_cached = true;
    const PasidValue* pe = nullptr;
    if (!r.pasid_valid || (ctx->lo & kCtxPaside))
        pe = pasid_shortcut_.peek(pasid_cache_, {r.sid, r.pasid_valid ? r.pasid : rid_pasid(*ctx)}, r.sid);
    if (!pe) return walk.start_from_context(r, ctx->lo, ctx->hi);
    w.pasid_cached = true;
    walk.start_from_pasid_entry(r, ctx->lo, ctx->hi, pe->q, pe->dir_fpd);
}

// Fills the context- and PASID-caches with what the walk read, and the IOTLB with a
// translation through tables.
void RemappingUnit::end_scalable(WalkSlot& w) {
    const ScalableWalker& walk = *w.scalable;
    walk_reads_ += walk.reads();
    walk_writes_ += walk.writes();
    if (!w.context_cached && walk.context_valid())
        context_cache_.fill({w.request.sid}, {walk.context_lo(), walk.context_hi()});
    const uint64_t(&q)[3] = walk.pasid_entry();
    if (!w.pasid_cached && walk.pasid_entry_valid_read())
        pasid_cache_.fill({w.request.sid, walk.pasid()}, {{q[0], q[1], q[2]}, walk.dir_fpd()});
    if (walk.result().fault || !walk.pasid_entry_valid_read() || pgtt(q[0]) == kPgttPassThrough) return;
    IotlbValue attrs;
    attrs.priv = walk.effective_priv();
    attrs.exec = walk.effective_exec();
    attrs.write_walks = walk.ad_enabled() && !w.request.write;
    iotlb_fill(uint16_t(q[1]), walk.pasid(), w.request, walk.result(), attrs);
}

// ---- invalidation ------------------------------------------------------------------

// IOTLB invalidation also covers the paging-structure caches of the same domain and
// range (spec 6.5.1.2), so a walk never resumes from a stale table pointer.
void RemappingUnit::invalidate_iotlb(unsigned g, uint16_t did, uint64_t addr, unsigned am,
                                     std::optional<uint32_t> pasid) {
    const uint64_t span = uint64_t(4096) << std::min(am, 52u);
    const uint64_t lo = addr & ~(span - 1), hi = lo + span - 1;
    for (unsigned i = 0; i < 4; ++i) {
        const unsigned shift = 12 + 9 * (i + 1);
        walk_caches_[i]->invalidate_if([=](const WalkCacheKey& k, const WalkCacheValue&) {
            if (g == 1) return true;
            const uint64_t first = k.prefix << shift, last = first + ((uint64_t(1) << shift) - 1);
            return k.did == did && (g == 2 || (first <= hi && last >= lo));
        });
    }
    if (g == 1) {
        iotlb_large_sizes_ = 0;
        return iotlb_.invalidate_all();
    }
    const auto mine = [=](const IotlbKey& k) { return k.did == did && (!pasid || k.pasid == *pasid); };
    if (g == 2) {
        iotlb_.invalidate_if([&](const IotlbKey& k, const IotlbValue&) { return mine(k); });
        return;
    }
    // Page-selective: every entry of the domain (and PASID) overlapping 2^AM pages at addr.
    iotlb_.invalidate_if([&](const IotlbKey& k, const IotlbValue&) {
        const uint64_t first = k.vpn << k.size_log2, last = first + (uint64_t(1) << k.size_log2) - 1;
        return mine(k) && first <= hi && last >= lo;
    });
}

void RemappingUnit::invalidate(const Invalidation& inv) {
    if (on_invalidate) on_invalidate(type_name(inv.type), describe(inv));
    switch (inv.type) {
        case InvType::ContextCache: {
            ++inv_context_;
            // FM 01/10/11 ignores SID bit 2, bits 2:1, bits 2:0 (the function number).
            const unsigned fm = inv.function_mask;
            const uint16_t mask = uint16_t(~(((1u << fm) - 1) << (3 - fm)));
            // Scalable-mode context entries carry no domain: domain-selective is global.
            if (inv.granularity == 1 || (inv.granularity == 2 && ttm() == unsigned(Ttm::Scalable)))
                return context_cache_.invalidate_all();
            context_cache_.invalidate_if([&](const ContextKey& k, const ContextValue& v) {
                if (inv.granularity == 2) return v.did() == inv.did;
                return (k.sid & mask) == (inv.sid & mask);
            });
            return;
        }
        case InvType::Iotlb:
            ++inv_iotlb_;
            return invalidate_iotlb(inv.granularity, inv.did, inv.addr, inv.address_mask);
        case InvType::PasidIotlb:  // G 2: every page of the PASID; 3: page-selective
            ++inv_pasid_iotlb_;
            return invalidate_iotlb(inv.granularity, inv.did, inv.addr, inv.address_mask, inv.pasid);
        case InvType::PasidCache:
            ++inv_pasid_cache_;
            return invalidate_pasid_cache(inv);
        case InvType::DeviceTlb: case InvType::PasidDeviceTlb:
            // The Invalidate Request goes to the device; the descriptor completes with its
            // Invalidate Completion, so a later wait descriptor covers it (6.5.2.5-6).
            ++inv_device_tlb_;
            if (endpoints) endpoints->invalidate(ats_invalidation(inv));
            return;
        case InvType::InterruptEntryCache: ++inv_iec_; return;
        case InvType::Wait:
            ++inv_wait_;
            if (inv.status_write) mem_.write_u32(inv.status_addr, inv.status_data);
            if (inv.interrupt) ics_ |= 1;  // IWC
            return;
        case InvType::PageGroupResponse: return respond_page_group(inv);
    }
}

// PASID-cache invalidation (spec 6.5.2.4): G 0 domain-selective, 1 PASID-selective
// within the domain, 3 global.
void RemappingUnit::invalidate_pasid_cache(const Invalidation& inv) {
    if (inv.granularity == 3) return pasid_cache_.invalidate_all();
    pasid_cache_.invalidate_if([&](const PasidKey& k, const PasidValue& v) {
        return v.did() == inv.did && (inv.granularity == 0 || k.pasid == inv.pasid);
    });
}

// IQT_REG: software's tail, bits 18:4. With QI enabled, hardware fetches and executes
// descriptors from IQH up to the tail (spec 6.5.2).
void RemappingUnit::write_iqt(uint64_t v) {
    iqt_ = v & 0x7fff0;
    process_queue();
}

namespace {

// What executing a descriptor costs (command_cost.h), by its type (spec 6.5.2).
iommu::CommandKind command_kind(InvType t) {
    switch (t) {
        case InvType::ContextCache: case InvType::PasidCache: case InvType::InterruptEntryCache:
            return iommu::CommandKind::Config;
        case InvType::Iotlb: case InvType::PasidIotlb: return iommu::CommandKind::Tlb;
        case InvType::DeviceTlb: case InvType::PasidDeviceTlb: return iommu::CommandKind::AtcInv;
        case InvType::Wait: return iommu::CommandKind::Sync;
        default: return iommu::CommandKind::Other;
    }
}

}  // namespace

// Each descriptor fetched (16 or 32 bytes) and executed costs unit cycles (iq_clock_);
// the queue is still consumed at once, the cycles tell the driver's wait how long.
void RemappingUnit::process_queue() {
    if (!(gsts_ & gcmd::QIE) || (fsts_rw1c_ & fsts::IQE)) return;
    const bool wide = iqa_ & (1u << 11);  // DW: 256-bit descriptors
    const uint64_t base = iqa_ & ~uint64_t(0xfff), size = uint64_t(4096) << (iqa_ & 7);
    const uint64_t stride = wide ? 32 : 16;
    // In a 256-bit queue bit 4 of IQT and IQH is reserved: a tail there is an error,
    // and so is a head left there by a switch of IQA.DW under a running queue (from
    // it, 32-byte steps would never meet the tail).
    if (wide && ((iqt_ | iqh_) & 0x10)) {
        fsts_rw1c_ |= fsts::IQE;
        return;
    }
    while (iqh_ != iqt_ % size) {
        uint64_t lo = 0, hi = 0;
        iq_clock_.fetch(unsigned(stride));
        const bool ok = mem_.read_u64(base + iqh_, lo) && mem_.read_u64(base + iqh_ + 8, hi);
        const auto inv = ok ? decode_descriptor(lo, hi, caps_) : std::nullopt;
        if (!inv) {  // IQH stays on the bad descriptor until software recovers
            ++iq_errors_;
            fsts_rw1c_ |= fsts::IQE;
            return;
        }
        invalidate(*inv);
        iq_clock_.execute(command_kind(inv->type));
        iqh_ = (iqh_ + stride) % size;
    }
}

}  // namespace vtd
