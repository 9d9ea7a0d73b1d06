#include "models/iommufd/drivers/smmuv3/smmu_domain.h"

#include "models/iommufd/drivers/smmuv3/encoding.h"

namespace iommufd::smmuv3 {

using namespace enc;

namespace {
constexpr uint64_t kSizes = (uint64_t(1) << 12) | (uint64_t(1) << 21) | (uint64_t(1) << 30);
bool is_leaf(uint64_t e, unsigned level) { return level == 3 || (e & 3) == kPteBlock; }
}  // namespace

SmmuDomain::SmmuDomain(Driver& d, Stage stage, uint16_t tag, bool nest_parent)
    : d_(d), stage_(stage), tag_(tag), nest_parent_(nest_parent), ias_(48), start_(0), root_bits_(9) {
    if (stage_ == Stage::S2) {
        // arm_64_lpae_alloc_pgtable_s2: levels for IAS - 12 bits, 9 per level, the
        // start level's table taking the rest; concatenated at level 1 if that is small.
        ias_ = d.s2_ias();
        const unsigned va_bits = ias_ - 12, levels = (va_bits + 8) / 9;
        start_ = 4 - levels;
        root_bits_ = va_bits - 9 * (levels - 1);
        if (start_ == 0 && (1u << root_bits_) <= 16) {
            root_bits_ += 9;
            start_ = 1;
        }
    }
    root_ = d.alloc(uint64_t(8) << root_bits_);
    d_.domains_.insert(this);
}

SmmuDomain::~SmmuDomain() {
    if (orphaned_) return;
    d_.domains_.erase(this);
    for (uint16_t sid : ats_sids_) d_.devices_[sid].ats_domain = nullptr;
    flush_all();
    d_.free_tag(stage_ == Stage::S2, tag_);
}

uint64_t SmmuDomain::page_sizes() const { return kSizes; }

uint64_t SmmuDomain::aperture_end() const { return (uint64_t(1) << ias_) - 1; }

// Every iommufd mapping is IOMMU_CACHE (Write-Back Inner Shareable leaves), so here the
// unit's coherency is all it takes. Linux's arm_smmu_enforce_cache_coherency also
// asks every master's root complex for CANWBS (No Snoop made Write-Back), which is
// not modelled: a No Snoop request still goes unsnooped (models/smmuv3/mem_attr.h).
bool SmmuDomain::enforce_cache_coherency() { return d_.coherent_; }

// CD dword 0: T0SZ 16, TG0 4K, table walk attributes, EPD1 (no TTB1),
// V, IPS = OAS, AA64, R (record faults), A (abort on terminate), ASET (an ASID private
// to the SMMU), ASID; dword 1 TTB0; dword 3 MAIR. HA/HD stay clear: every leaf has
// AF set and dirty tracking is not offered; AFFD likewise (Linux leaves it clear).
void SmmuDomain::cd(uint64_t (&out)[8]) const {
    for (uint64_t& w : out) w = 0;
    // io-pgtable-arm's TCR: write-back inner shareable walks when the SMMU is coherent
    // (cfg->coherent_walk), else Non-cacheable Outer Shareable.
    const uint64_t walk = d_.coherent_ ? kCacheWbwa << 8 | kCacheWbwa << 10 | uint64_t(kShIsh) << 12
                                       : uint64_t(kShOsh) << 12;
    out[0] = uint64_t(64 - ias_) | walk | kCdEpd1 |
             kCdV | uint64_t(d_.ips_) << 32 | kCdAa64 | kCdR | kCdA | kCdAset | uint64_t(tag_) << 48;
    out[1] = root_ & ((uint64_t(1) << 52) - 16);
    out[3] = kMair;
}

// arm_smmu_make_s2_domain_ste: V, Config stage 2; dword 1 EATS 0 (no ATS) and, where
// the unit lets the STE override attributes (IDR1.ATTR_TYPES_OVR), SHCFG incoming; dword 2
// S2VMID and the VTCR io-pgtable computed (S2T0SZ = 64 - IAS, S2SL0 for 4K = 2 - start
// level, walks write-back inner shareable when coherent else non-cacheable outer
// shareable, S2TG 4K, S2PS = OAS), S2AA64, S2PTW, S2R; dword 3 S2TTB.
void SmmuDomain::s2_ste(uint64_t (&out)[8]) const {
    for (uint64_t& w : out) w = 0;
    const uint64_t rgn = d_.coherent_ ? kCacheWbwa : 0, sh = d_.coherent_ ? kShIsh : kShOsh;
    const uint64_t vtcr = uint64_t(64 - ias_) | uint64_t(2 - start_) << 6 | rgn << 8 | rgn << 10 | sh << 12 |
                          uint64_t(d_.ips_) << 16;
    out[0] = 1 | uint64_t(kCfgS2) << 1;
    if (d_.idr_[1] & kIdr1AttrTypesOvr) out[1] = kShcfgIncoming << 44;
    out[2] = tag_ | vtcr << 32 | kSteS2Aa64 | kSteS2Ptw | kSteS2R;
    out[3] = root_ & kAddr51_4;
}

// The descriptor slot for `iova` at `level`, creating tables above it; 0 if a block
// is in the way (or memory ran out).
uint64_t SmmuDomain::slot(uint64_t iova, unsigned level, bool create) {
    uint64_t table = root_;
    for (unsigned l = start_; l < level; ++l) {
        const uint64_t at = table + index(iova, l) * 8;
        uint64_t e = d_.m_.read64(at);
        if ((e & 3) == kPteBlock) return 0;
        if (!(e & kPteValid)) {
            if (!create) return 0;
            const uint64_t t = d_.alloc(4096);
            if (!t) return 0;
            e = t | kPteTable;
            d_.write_entry(at, e);
        }
        table = e & kPteAddr;
    }
    return table + index(iova, level) * 8;
}

bool SmmuDomain::empty_table(uint64_t table, unsigned level) const {
    const uint64_t entries = uint64_t(1) << (level == start_ ? root_bits_ : 9);
    for (uint64_t i = 0; i < entries; ++i) {
        const uint64_t e = d_.m_.read64(table + i * 8);
        if (!(e & kPteValid)) continue;
        if (is_leaf(e, level) || !empty_table(e & kPteAddr, level + 1)) return false;
    }
    return true;
}

// arm_lpae_prot_to_pte with IOMMU_CACHE. Stage 1: AttrIndx write-back, inner
// shareable, AF, nG, AP[1] (not privileged-only), AP[2] without IOMMU_WRITE. Stage 2:
// S2AP read and (with IOMMU_WRITE) write, MemAttr write-back, inner shareable, AF.
// XN stays clear: iommufd maps without IOMMU_NOEXEC.
uint64_t SmmuDomain::leaf(uint64_t pa, unsigned level, unsigned prot) const {
    uint64_t e = (pa & kPteAddr) | kPteShIs | kPteAf | (level == 3 ? kPtePage : kPteBlock);
    if (stage_ == Stage::S2)
        return e | kPteMemattrOiwb | (prot & kRead ? kPteHapRead : 0) | (prot & kWrite ? kPteHapWrite : 0);
    return e | kMairIdxCache << 2 | kPteApUnpriv | kPteNg | (prot & kWrite ? 0 : kPteApRdonly);
}

Errno SmmuDomain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
    d_.drain_events();
    if (iova > aperture_end() || size - 1 > aperture_end() - iova) return Errno::Fault;
    if (!(kSizes & size) || (iova | pa) % size) return Errno::Inval;
    if ((pa + size - 1) >> d_.oas()) return Errno::Inval;  // io-pgtable: ERANGE
    const unsigned level = size == (uint64_t(1) << 30) ? 1 : size == (uint64_t(1) << 21) ? 2 : 3;
    const uint64_t at = slot(iova, level, true);
    if (!at) return Errno::Exist;
    // A block may take the place of a table its range no longer uses; the walk caches
    // may still hold that table, so they are invalidated (io_pgtable_tlb_flush_walk).
    const uint64_t old = d_.m_.read64(at);
    const bool replaces_table = (old & kPteValid) && !is_leaf(old, level);
    if ((old & kPteValid) && (!replaces_table || !empty_table(old & kPteAddr, level + 1))) return Errno::Exist;
    d_.write_entry(at, leaf(pa, level, prot));
    if (replaces_table) invalidate({{iova, size, 4096}}, false);
    return Errno::Ok;
}

// Clears every leaf in the range, returning them as runs of one leaf size.
std::vector<SmmuDomain::Run> SmmuDomain::clear(uint64_t iova, uint64_t size) {
    std::vector<Run> runs;
    for (uint64_t a = iova; a < iova + size;) {
        uint64_t table = root_, span = 0;
        for (unsigned l = start_;; ++l) {
            const uint64_t at = table + index(a, l) * 8, e = d_.m_.read64(at);
            span = uint64_t(1) << shift(l);
            if (!(e & kPteValid)) break;
            if (is_leaf(e, l)) {
                d_.write_entry(at, 0);
                const uint64_t start = a & ~(span - 1);
                if (!runs.empty() && runs.back().granule == span && runs.back().iova + runs.back().size == start)
                    runs.back().size += span;
                else
                    runs.push_back({start, span, span});
                break;
            }
            table = e & kPteAddr;
        }
        a = (a & ~(span - 1)) + span;
    }
    return runs;
}

uint64_t SmmuDomain::tlbi_va_op() const {
    return stage_ == Stage::S1 ? kOpTlbiNhVa | cmd_asid(tag_) : kOpTlbiS2Ipa | cmd_vmid(tag_);
}

// arm_smmu_tlb_inv_range_domain: TLBI_NH_VA (stage 1) or TLBI_S2_IPA (stage 2) over
// the runs, then CMD_SYNC; a nesting parent's change reaches every stage-1 translation
// built on it, so TLBI_NH_ALL of its VMID follows, with its own CMD_SYNC. Only then the
// ATCs, over the span of the runs (Linux's gather): a device refilling its ATC before
// the TLB is clean could fetch the old translation again.
void SmmuDomain::invalidate(const std::vector<Run>& runs, bool leaf) {
    std::vector<Cmd> cmds;
    for (const Run& r : runs) d_.tlbi_range(cmds, tlbi_va_op(), r.iova, r.size, r.granule, leaf);
    if (cmds.empty()) return;
    d_.issue(cmds);
    if (nest_parent_) d_.issue({{kOpTlbiNhAll | cmd_vmid(tag_), 0}});
    invalidate_atc(runs.front().iova, runs.back().iova + runs.back().size - runs.front().iova);
}

void SmmuDomain::invalidate_atc(uint64_t iova, uint64_t size) {
    if (ats_sids_.empty()) return;
    std::vector<Cmd> cmds;
    for (uint16_t sid : ats_sids_) cmds.push_back(Driver::atc_inv(sid, iova, size));
    d_.issue(cmds);
}

// Strict: invalidation of each cleared leaf before returning (arm_smmu_iotlb_sync);
// nothing when nothing was mapped.
void SmmuDomain::unmap(uint64_t iova, uint64_t size) {
    d_.drain_events();
    invalidate(clear(iova, size), true);
}

void SmmuDomain::unmap_deferred(uint64_t iova, uint64_t size) {
    d_.drain_events();
    clear(iova, size);
}

// The flush queue's flush, and io-pgtable's on free (arm_smmu_tlb_inv_context): the
// whole ASID, or the whole VMID with TLBI_S12_VMALL; then every ATS device's whole ATC.
void SmmuDomain::flush_all() {
    d_.drain_events();
    d_.issue({{stage_ == Stage::S1 ? kOpTlbiNhAsid | cmd_asid(tag_) : kOpTlbiS12Vmall | cmd_vmid(tag_), 0}});
    invalidate_atc(0, 0);
}

}  // namespace iommufd::smmuv3
