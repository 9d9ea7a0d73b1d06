#include "models/iommufd/drivers/vtd/vtd_driver.h"

#include "models/sim/params.h"

namespace iommufd::vtd {
namespace {

// Register offsets and fields, VT-d spec chapter 11 (Linux: include/linux/intel-iommu.h,
// now drivers/iommu/intel/iommu.h).
constexpr uint32_t kCapReg = 0x08, kEcapReg = 0x10, kGcmdReg = 0x18, kGstsReg = 0x1c;
constexpr uint32_t kRtaddrReg = 0x20, kIqtReg = 0x88, kIqaReg = 0x90;
constexpr uint32_t kGcmdTe = 1u << 31, kGcmdSrtp = 1u << 30, kGcmdQie = 1u << 26;
constexpr uint32_t kGstsPersistent = (1u << 31) | (1u << 26) | (1u << 25) | (1u << 23);  // TES QIES IRES CFIS
uint64_t bits(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }
unsigned cap_sagaw(uint64_t cap) { return unsigned(bits(cap, 8, 5)); }
unsigned cap_sllps(uint64_t cap) { return unsigned(bits(cap, 34, 4)); }
bool cap_psi(uint64_t cap) { return bits(cap, 39, 1); }
unsigned cap_mamv(uint64_t cap) { return unsigned(bits(cap, 48, 6)); }
bool ecap_coherent(uint64_t ecap) { return ecap & 1; }
bool ecap_qi(uint64_t ecap) { return ecap & 2; }
bool ecap_sc(uint64_t ecap) { return ecap & (1u << 7); }

// Second-level paging entry (spec 9.8): R 0, W 1, PS 7, SNP 11, address 51:12.
constexpr uint64_t kSlR = 1, kSlW = 2, kSlPs = 1u << 7, kSlSnp = 1u << 11;
constexpr uint64_t kAddrMask = ((uint64_t(1) << 52) - 1) & ~uint64_t(0xfff);

// Invalidation descriptors (spec 6.5.2): type 3:0, granularity 5:4, DID 31:16.
constexpr uint64_t kDescContext = 1, kDescIotlb = 2, kDescWait = 5;
constexpr uint64_t kWaitStatusWrite = 1u << 5;

}  // namespace

void DriverCosts::bind(sim::ParamBinder& b) {
    b.f64("mmio_ns", mmio_ns, "ns", "driver CPU time per register access", 0, 1e6);
    b.f64("table_write_ns", table_write_ns, "ns", "driver CPU time per table entry written", 0, 1e6);
    b.f64("descriptor_ns", descriptor_ns, "ns", "driver CPU time per invalidation descriptor", 0, 1e6);
    b.f64("wait_ns", wait_ns, "ns", "driver CPU time waiting for an invalidation to complete", 0, 1e9);
}

// A second-level table set for one domain ID.
class VtdDomain : public Domain {
public:
    VtdDomain(Driver& d, uint16_t did) : d_(d), did_(did), root_(d.new_table()) {}
    uint64_t page_sizes() const override {
        const unsigned sllps = cap_sllps(d_.cap_);
        return 4096 | (sllps & 1 ? uint64_t(1) << 21 : 0) | (sllps & 2 ? uint64_t(1) << 30 : 0);
    }
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    void unmap(uint64_t iova, uint64_t size) override;
    bool enforce_cache_coherency() override;
    uint16_t did() const { return did_; }
    uint64_t root() const { return root_; }

private:
    static uint64_t index(uint64_t iova, unsigned level) { return (iova >> (12 + 9 * (level - 1))) & 511; }
    static uint64_t level_size(unsigned level) { return uint64_t(4096) << (9 * (level - 1)); }
    // The entry for `iova` at `level`, creating tables above it; 0 if a large page is in the way.
    uint64_t slot(uint64_t iova, unsigned level, bool create);
    // Whether the table at `table` (of entries at `level`) maps nothing.
    bool empty_table(uint64_t table, unsigned level);

    Driver& d_;
    uint16_t did_;
    bool snp_ = false;
    bool has_mappings_ = false;
    uint64_t root_;
};

// intel_iommu_enforce_cache_coherency: only before the first mapping, and only where
// the unit has snoop control.
bool VtdDomain::enforce_cache_coherency() {
    if (snp_) return true;
    if (!ecap_sc(d_.ecap_) || has_mappings_) return false;
    snp_ = true;
    return true;
}

bool VtdDomain::empty_table(uint64_t table, unsigned level) {
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t e = d_.m_.read64(table + i * 8);
        if (!(e & (kSlR | kSlW))) continue;
        if (level == 1 || (e & kSlPs) || !empty_table(e & kAddrMask, level - 1)) return false;
    }
    return true;
}

uint64_t VtdDomain::slot(uint64_t iova, unsigned level, bool create) {
    uint64_t table = root_;
    for (unsigned l = d_.levels_; l > level; --l) {
        const uint64_t at = table + index(iova, l) * 8;
        uint64_t e = d_.m_.read64(at);
        if (e & kSlPs) return 0;
        if (!(e & (kSlR | kSlW))) {
            if (!create) return 0;
            e = d_.new_table() | kSlR | kSlW;
            d_.write_entry(at, e);
        }
        table = e & kAddrMask;
    }
    return table + index(iova, level) * 8;
}

Errno VtdDomain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
    unsigned level = 1;
    while (level_size(level) < size) ++level;
    if (level_size(level) != size || !(page_sizes() & size) || (iova | pa) % size) return Errno::Inval;
    const uint64_t at = slot(iova, level, true);
    if (!at) return Errno::Exist;
    // A large leaf may take the place of a lower table its range no longer uses (the
    // unmap that emptied it already flushed the paging-structure caches).
    const uint64_t old = d_.m_.read64(at);
    if ((old & (kSlR | kSlW)) && ((old & kSlPs) || level == 1 || !empty_table(old & kAddrMask, level - 1)))
        return Errno::Exist;
    uint64_t e = (pa & kAddrMask) | (level > 1 ? kSlPs : 0) | (snp_ ? kSlSnp : 0);
    has_mappings_ = true;
    if (prot & kRead) e |= kSlR;
    if (prot & kWrite) e |= kSlW;
    d_.write_entry(at, e);
    return Errno::Ok;
}

// Clears every leaf in the range, then invalidates strictly.
void VtdDomain::unmap(uint64_t iova, uint64_t size) {
    for (uint64_t a = iova; a < iova + size;) {
        uint64_t step = 4096;
        for (unsigned level = 1; level <= 3; ++level) {
            const uint64_t at = slot(a, level, false);
            if (!at) continue;
            const uint64_t e = d_.m_.read64(at);
            if (!(e & (kSlR | kSlW)) || (level > 1 && !(e & kSlPs))) continue;
            d_.write_entry(at, 0);
            step = level_size(level);
            break;
        }
        a = (a & ~(step - 1)) + step;
    }
    d_.invalidate_iotlb(did_, iova, size);
    d_.wait();
}

// ---- driver ------------------------------------------------------------------------

Driver::Driver(Machine& m, FrameAllocator& pages, const DriverCosts& costs)
    : m_(m), pages_(pages), costs_(costs) {}

Driver::~Driver() = default;

uint64_t Driver::new_table() {
    const auto page = pages_.allocate(4096, 4096);
    return page ? *page : 0;
}

void Driver::write_entry(uint64_t pa, uint64_t value) {
    m_.write64(pa, value);
    if (!ecap_coherent(ecap_)) m_.flush(pa, 8);
    ++table_writes_;
    cpu_ns_ += costs_.table_write_ns;
}

uint64_t Driver::mmio_read(uint32_t offset, unsigned size) {
    ++mmio_;
    cpu_ns_ += costs_.mmio_ns;
    return m_.read_reg(offset, size);
}

void Driver::mmio_write(uint32_t offset, uint64_t value, unsigned size) {
    ++mmio_;
    cpu_ns_ += costs_.mmio_ns;
    m_.write_reg(offset, value, size);
}

// One GCMD command: the persistent enables GSTS reports, plus the bit; then poll GSTS.
void Driver::gcmd(uint32_t bit) {
    const uint32_t sts = uint32_t(mmio_read(kGstsReg, 4)) & kGstsPersistent;
    mmio_write(kGcmdReg, sts | bit, 4);
    for (int i = 0; i < 16 && !(mmio_read(kGstsReg, 4) & bit); ++i) {
    }
}

Errno Driver::probe() {
    cap_ = mmio_read(kCapReg, 8);
    ecap_ = mmio_read(kEcapReg, 8);
    if (!ecap_qi(ecap_)) return Errno::OpNotSupp;
    const unsigned sagaw = cap_sagaw(cap_);
    levels_ = sagaw & 4 ? 4 : sagaw & 2 ? 3 : sagaw & 8 ? 5 : 0;
    if (!levels_) return Errno::OpNotSupp;
    root_ = new_table();
    queue_ = new_table();   // QS=0: 256 16-byte descriptors
    status_ = new_table();  // the wait descriptors' status word
    if (!root_ || !queue_ || !status_) return Errno::NoMem;
    mmio_write(kIqtReg, 0, 8);
    mmio_write(kIqaReg, queue_, 8);
    gcmd(kGcmdQie);
    mmio_write(kRtaddrReg, root_, 8);  // TTM=00: legacy mode
    gcmd(kGcmdSrtp);
    submit(kDescContext | (1u << 4), 0);  // global context-cache invalidation
    submit(kDescIotlb | (1u << 4), 0);    // global IOTLB invalidation
    wait();
    gcmd(kGcmdTe);
    return Errno::Ok;
}

Errno Driver::alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out) {
    if (hwpt_flags) return Errno::OpNotSupp;
    out = std::make_unique<VtdDomain>(*this, next_did_++);
    return Errno::Ok;
}

bool Driver::can_enforce_cache_coherency() const { return ecap_sc(ecap_); }

namespace {

class VtdDevice : public DeviceOps {
public:
    VtdDevice(Driver& d, uint16_t sid) : d_(d), sid_(sid) {}
    ~VtdDevice() override {
        if (attached_) d_.detach(sid_);
    }
    Errno alloc_domain(uint32_t flags, std::unique_ptr<Domain>& out) override {
        return d_.alloc_domain(flags, out);
    }
    Errno attach(Domain& dom) override {
        const Errno e = d_.attach(dom, sid_);
        attached_ |= e == Errno::Ok;
        return e;
    }
    void detach() override {
        if (attached_) d_.detach(sid_);
        attached_ = false;
    }
    bool can_enforce_cache_coherency() const override { return d_.can_enforce_cache_coherency(); }
    HwInfo hw_info() const override { return d_.hw_info(); }

private:
    Driver& d_;
    uint16_t sid_;
    bool attached_ = false;
};

}  // namespace

std::unique_ptr<DeviceOps> Driver::device(uint16_t sid) { return std::make_unique<VtdDevice>(*this, sid); }

HwInfo Driver::hw_info() const {
    HwInfo h;
    h.type = 1;  // IOMMU_HW_INFO_TYPE_INTEL_VTD
    h.cap_reg = cap_;
    h.ecap_reg = ecap_;
    return h;
}

// Legacy root entry (spec 9.1): P 0, context-table pointer 63:12. Context entry (9.3):
// P 0, TT 3:2 = 00, SLPTPTR 63:12; AW 66:64, DID 87:72. The upper qword goes first so
// that the entry is complete once P is set.
Errno Driver::attach(Domain& dom, uint16_t sid) {
    auto* d = dynamic_cast<VtdDomain*>(&dom);
    if (!d) return Errno::Inval;
    const uint64_t root_entry = root_ + uint64_t(sid >> 8) * 16;
    uint64_t ctx_table = m_.read64(root_entry) & kAddrMask;
    if (!ctx_table) {
        ctx_table = new_table();
        write_entry(root_entry, ctx_table | 1);
    }
    const uint64_t entry = ctx_table + uint64_t(sid & 0xff) * 16;
    const bool replacing = m_.read64(entry) & 1;
    const uint16_t old_did = uint16_t(m_.read64(entry + 8) >> 8);
    write_entry(entry + 8, uint64_t(levels_ - 2) | uint64_t(d->did()) << 8);
    write_entry(entry, d->root() | 1);
    // The context-cache holds the entry under the domain it had (domain_context_clear_one).
    invalidate_context(sid, replacing ? old_did : d->did());
    if (replacing) submit(kDescIotlb | (2u << 4) | uint64_t(old_did) << 16, 0);
    wait();
    return Errno::Ok;
}

Errno Driver::detach(uint16_t sid) {
    const uint64_t ctx_table = m_.read64(root_ + uint64_t(sid >> 8) * 16) & kAddrMask;
    if (!ctx_table) return Errno::NoEnt;
    const uint64_t entry = ctx_table + uint64_t(sid & 0xff) * 16;
    const uint16_t did = uint16_t(m_.read64(entry + 8) >> 8);
    write_entry(entry, 0);
    write_entry(entry + 8, 0);
    invalidate_context(sid, did);
    submit(kDescIotlb | (2u << 4) | uint64_t(did) << 16, 0);  // the domain's translations
    wait();
    return Errno::Ok;
}

// Device-selective context-cache invalidation: G=11, DID 31:16, SID 47:32, FM 49:48 = 0.
void Driver::invalidate_context(uint16_t sid, uint16_t did) {
    submit(kDescContext | (3u << 4) | uint64_t(did) << 16 | uint64_t(sid) << 32, 0);
}

// Page-selective within 2^AM pages at an address aligned to them (spec 6.5.2.3);
// domain-selective when the range needs a mask beyond MAMV or PSI is absent.
void Driver::invalidate_iotlb(uint16_t did, uint64_t iova, uint64_t bytes) {
    const uint64_t first = iova >> 12, last = (iova + bytes - 1) >> 12;
    unsigned am = 0;
    while ((first >> am) != (last >> am)) ++am;
    if (!cap_psi(cap_) || am > cap_mamv(cap_)) {
        submit(kDescIotlb | (2u << 4) | uint64_t(did) << 16, 0);
        return;
    }
    submit(kDescIotlb | (3u << 4) | uint64_t(did) << 16, ((first >> am) << (am + 12)) | am);
}

void Driver::submit(uint64_t lo, uint64_t hi) {
    m_.write64(queue_ + tail_, lo);
    m_.write64(queue_ + tail_ + 8, hi);
    if (!ecap_coherent(ecap_)) m_.flush(queue_ + tail_, 16);
    tail_ = (tail_ + 16) % 4096;
    ++descriptors_;
    cpu_ns_ += costs_.descriptor_ns;
    mmio_write(kIqtReg, tail_, 8);
}

// A wait descriptor (IF 4, SW 5, FN 6, status data 63:32; status address in the upper
// qword) and a poll of the status word until the unit has written it.
void Driver::wait() {
    const uint32_t seq = ++wait_seq_;
    submit(kDescWait | kWaitStatusWrite | uint64_t(seq) << 32, status_);
    for (int i = 0; i < 64 && uint32_t(m_.read64(status_)) != seq; ++i) {
    }
    ++waits_;
    cpu_ns_ += costs_.wait_ns;
}

}  // namespace iommufd::vtd
