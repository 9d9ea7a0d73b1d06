#include "models/iommufd/drivers/smmuv3/smmu_domain.h"

#include "models/iommufd/drivers/smmuv3/encoding.h"

namespace iommufd::smmuv3 {

using namespace enc;

namespace {
constexpr uint64_t kSizes = (uint64_t(1) << 12) | (uint64_t(1) << 21) | (uint64_t(1) << 30);
bool is_leaf(uint64_t e, unsigned level) { return level == 3 || (e & 3) == kPteBlock; }
}  // namespace

SmmuDomain::SmmuDomain(Driver& d, uint16_t asid) : d_(d), asid_(asid), root_(d.alloc(4096)) {
    d_.domains_.insert(this);
}

SmmuDomain::~SmmuDomain() {
    if (orphaned_) return;
    d_.domains_.erase(this);
    d_.issue({{kOpTlbiNhAsid | uint64_t(asid_) << 48, 0}});
    d_.free_asid(asid_);
}

uint64_t SmmuDomain::page_sizes() const { return kSizes; }

uint64_t SmmuDomain::aperture_end() const { return (uint64_t(1) << d_.ias()) - 1; }

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
    out[0] = uint64_t(64 - d_.ias()) | walk | kCdEpd1 |
             kCdV | uint64_t(d_.ips_) << 32 | kCdAa64 | kCdR | kCdA | kCdAset | uint64_t(asid_) << 48;
    out[1] = root_ & ((uint64_t(1) << 52) - 16);
    out[3] = kMair;
}

// The descriptor slot for `iova` at `level`, creating tables above it; 0 if a block
// is in the way (or memory ran out).
uint64_t SmmuDomain::slot(uint64_t iova, unsigned level, bool create) {
    uint64_t table = root_;
    for (unsigned l = 0; l < level; ++l) {
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
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t e = d_.m_.read64(table + i * 8);
        if (!(e & kPteValid)) continue;
        if (is_leaf(e, level) || !empty_table(e & kPteAddr, level + 1)) return false;
    }
    return true;
}

// arm_lpae_prot_to_pte for ARM_64_LPAE_S1 with IOMMU_CACHE: AttrIndx write-back, inner
// shareable, AF, nG, AP[1] (not privileged-only), AP[2] without IOMMU_WRITE. XN stays
// clear: iommufd maps without IOMMU_NOEXEC.
Errno SmmuDomain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
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
    uint64_t e = (pa & kPteAddr) | kMairIdxCache << 2 | kPteApUnpriv | kPteShIs | kPteAf | kPteNg |
                 (level == 3 ? kPtePage : kPteBlock);
    if (!(prot & kWrite)) e |= kPteApRdonly;
    d_.write_entry(at, e);
    if (replaces_table) {
        std::vector<Cmd> cmds;
        d_.tlbi_range(cmds, asid_, iova, size, 4096, false);
        d_.issue(cmds);
    }
    return Errno::Ok;
}

// Clears every leaf in the range, returning them as runs of one leaf size.
std::vector<SmmuDomain::Run> SmmuDomain::clear(uint64_t iova, uint64_t size) {
    std::vector<Run> runs;
    for (uint64_t a = iova; a < iova + size;) {
        uint64_t table = root_, span = 0;
        for (unsigned l = 0;; ++l) {
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

// Strict: TLBI_NH_VA for each cleared leaf, then CMD_SYNC, before returning
// (arm_smmu_iotlb_sync); nothing when nothing was mapped.
void SmmuDomain::unmap(uint64_t iova, uint64_t size) {
    std::vector<Cmd> cmds;
    for (const Run& r : clear(iova, size)) d_.tlbi_range(cmds, asid_, r.iova, r.size, r.granule, true);
    if (!cmds.empty()) d_.issue(cmds);
}

void SmmuDomain::unmap_deferred(uint64_t iova, uint64_t size) { clear(iova, size); }

// The flush queue's flush: the whole ASID (arm_smmu_tlb_inv_context).
void SmmuDomain::flush_all() { d_.issue({{kOpTlbiNhAsid | uint64_t(asid_) << 48, 0}}); }

}  // namespace iommufd::smmuv3
