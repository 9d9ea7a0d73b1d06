#include "models/iommufd/drivers/amdvi/amdvi_domain.h"

#include <algorithm>

#include "models/iommufd/drivers/amdvi/encoding.h"

namespace iommufd::amdvi {

using namespace enc;

namespace {
constexpr uint64_t k512G = uint64_t(1) << 39;  // left out of AMD_IOMMU_PGSIZES (a hardware erratum)
unsigned log2(uint64_t pow2) { return unsigned(__builtin_ctzll(pow2)); }
// PTE_PAGE_SIZE: a NextLevel=7 entry's size, 1 << (1 + the lowest clear bit above 11).
uint64_t sized_page(uint64_t e) { return uint64_t(1) << (1 + __builtin_ctzll(~(e | 0xfff))); }
}  // namespace

AmdviDomain::AmdviDomain(Driver& d, uint16_t domid)
    : d_(d), domid_(domid), levels_(d.levels()), root_(d.alloc(4096)) {
    d_.domains_.insert(this);
}

AmdviDomain::~AmdviDomain() {
    if (orphaned_) return;
    d_.domains_.erase(this);
    d_.free_domid(domid_);
}

// Every power of two from 4 KiB whose leaf sits below the top level, without 512 GiB.
uint64_t AmdviDomain::page_sizes() const {
    return ((uint64_t(1) << shift(levels_)) - 1) & ~uint64_t(0xfff) & ~k512G;
}

uint64_t AmdviDomain::aperture_end() const {
    const unsigned bits = shift(levels_) + 9;
    return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

// Level 1 holds only pages; above it NextLevel 0 or 7 makes an entry a page.
bool AmdviDomain::is_leaf(uint64_t e, unsigned level) const {
    const unsigned nl = pte_next_level(e);
    return level == 1 || nl == kNextLevelPage || nl == kNextLevelSized;
}

uint64_t AmdviDomain::slot(uint64_t iova, unsigned level, bool create) {
    uint64_t table = root_;
    for (unsigned l = levels_; l > level; --l) {
        const uint64_t at = table + index(iova, l) * 8;
        uint64_t e = d_.m_.read64(at);
        if (e & kPtePr) {
            if (is_leaf(e, l)) return 0;
            table = e & kAddr51_12;
            continue;
        }
        if (!create) return 0;
        const uint64_t t = d_.alloc(4096);
        if (!t) return 0;
        d_.write_entry(at, t | pte_next_level_field(l - 1) | kPtePr | kPteIr | kPteIw);
        table = t;
    }
    return table + index(iova, level) * 8;
}

AmdviDomain::Leaf AmdviDomain::find(uint64_t iova) const {
    Leaf r;
    uint64_t table = root_;
    for (unsigned l = levels_;; --l) {
        const uint64_t at = table + index(iova, l) * 8, e = d_.m_.read64(at);
        r.level = l;
        if (!(e & kPtePr)) return r;
        if (is_leaf(e, l)) {
            r.size = pte_next_level(e) == kNextLevelSized ? sized_page(e) : uint64_t(1) << shift(l);
            const uint64_t count = std::max<uint64_t>(1, r.size >> shift(l));
            r.slot = table + (index(iova, l) & ~(count - 1)) * 8;  // first_pte_l7
            r.entry = e;
            return r;
        }
        table = e & kAddr51_12;
    }
}

bool AmdviDomain::empty_table(uint64_t table, unsigned level) const {
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t e = d_.m_.read64(table + i * 8);
        if (!(e & kPtePr)) continue;
        if (is_leaf(e, level) || !empty_table(e & kAddr51_12, level - 1)) return false;
    }
    return true;
}

// iommu_v1_map_pages for one page: PAGE_SIZE_LEVEL and PAGE_SIZE_PTE_COUNT place it,
// PR, FC and the permissions fill it. A page may take the place of a table its range no
// longer uses; the unit may still cache that table, so the range is flushed (Linux's
// `updated`). Anything else in the way is EEXIST (iommufd never maps over a mapping).
Errno AmdviDomain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
    if (!(prot & (kRead | kWrite))) return Errno::Inval;
    if (iova > aperture_end() || size - 1 > aperture_end() - iova) return Errno::Fault;
    if (!size || (size & (size - 1)) || !(page_sizes() & size) || (iova | pa) % size) return Errno::Inval;
    if ((pa + size - 1) >> 52) return Errno::Inval;  // IOMMU_OUT_ADDR_BIT_SIZE
    const unsigned s = log2(size), level = (s - 12) / 9 + 1;
    const uint64_t count = uint64_t(1) << ((s - 12) % 9);
    const uint64_t at = slot(iova, level, true);
    if (!at) return Errno::Exist;
    bool replaces_table = false;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t e = d_.m_.read64(at + i * 8);
        if (!(e & kPtePr)) continue;
        if (is_leaf(e, level) || !empty_table(e & kAddr51_12, level - 1)) return Errno::Exist;
        replaces_table = true;
    }
    uint64_t pte = count > 1 ? ((pa | (size - 1)) & ~(size >> 1) & kAddr51_12) | pte_next_level_field(kNextLevelSized)
                             : pa & kAddr51_12;
    pte |= kPtePr | kPteFc | (prot & kRead ? kPteIr : 0) | (prot & kWrite ? kPteIw : 0);
    for (uint64_t i = 0; i < count; ++i) d_.write_entry(at + i * 8, pte);
    if (replaces_table) d_.flush_pages(domid_, iova, size);
    return Errno::Ok;
}

// iommu_v1_unmap_pages: each page found is cleared in all its entries; holes are skipped
// a level's span at a time.
void AmdviDomain::clear(uint64_t iova, uint64_t size, uint64_t& first, uint64_t& end) {
    first = ~uint64_t(0);
    end = 0;
    const uint64_t last = iova + size - 1;
    for (uint64_t a = iova; a <= last && a <= aperture_end();) {
        const Leaf lf = find(a);
        uint64_t span = uint64_t(1) << shift(lf.level);
        if (lf.size) {
            span = lf.size;
            const uint64_t count = std::max<uint64_t>(1, lf.size >> shift(lf.level));
            for (uint64_t i = 0; i < count; ++i) d_.write_entry(lf.slot + i * 8, 0);
            const uint64_t start = a & ~(span - 1);
            first = std::min(first, start);
            end = std::max(end, start + span);
        }
        const uint64_t next = (a & ~(span - 1)) + span;
        if (next <= a) break;  // the top of the address space
        a = next;
    }
}

void AmdviDomain::unmap(uint64_t iova, uint64_t size) {
    uint64_t first, end;
    clear(iova, size, first, end);
    if (end > first) d_.flush_pages(domid_, first, end - first);
}

void AmdviDomain::unmap_deferred(uint64_t iova, uint64_t size) {
    uint64_t first, end;
    clear(iova, size, first, end);
}

void AmdviDomain::flush_all() { d_.flush_domain(domid_); }

uint64_t AmdviDomain::iova_to_phys(uint64_t iova) const {
    if (iova > aperture_end()) return 0;
    const Leaf lf = find(iova);
    if (!lf.size) return 0;
    return (lf.entry & kAddr51_12 & ~(lf.size - 1)) | (iova & (lf.size - 1));
}

}  // namespace iommufd::amdvi
