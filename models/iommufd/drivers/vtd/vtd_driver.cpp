#include "models/iommufd/drivers/vtd/vtd_driver.h"

#include "models/iommufd/drivers/vtd/encoding.h"
#include "models/iommufd/drivers/vtd/vtd_domain.h"
#include "models/iommufd/requester_ops.h"
#include "models/sim/params.h"

namespace iommufd::vtd {

using namespace enc;

void DriverParams::bind(sim::ParamBinder& b) {
    b.flag("scalable_mode", scalable_mode,
           "use scalable-mode tables where ECAP.SMTS and SLTS allow (intel_iommu=sm_on)");
    b.u32("levels", levels, "", "second-level table depth of every domain: 3, 4 or 5; 0: 4 where "
          "SAGAW allows, else 3, else 5", 0, 5);
    b.f64("mmio_ns", mmio_ns, "ns", "driver CPU time per register access (illustrative: none published)", 0, 1e6);
    b.f64("table_write_ns", table_write_ns, "ns", "driver CPU time per table entry written (illustrative)", 0, 1e6);
    b.f64("descriptor_ns", descriptor_ns, "ns", "driver CPU time per invalidation descriptor (illustrative)", 0, 1e6);
    b.f64("wait_ns", wait_ns, "ns", "driver CPU time polling an invalidation wait, at least (the unit's queue time when longer; illustrative)", 0, 1e9);
}

// ---- driver ------------------------------------------------------------------------

Driver::Driver(Machine& m, FrameAllocator& pages, const DriverParams& costs)
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

// One GCMD command: the persistent enables GSTS reports, plus the bit; then poll GSTS.
void Driver::gcmd(uint32_t bit) {
    const uint32_t sts = uint32_t(mmio_.read(kGstsReg, 4)) & kGstsPersistent;
    mmio_.write(kGcmdReg, sts | bit, 4);
    for (int i = 0; i < 16 && !(mmio_.read(kGstsReg, 4) & bit); ++i) {
    }
}

Errno Driver::fail(const char* key, std::string reason, const char* unit_key) {
    failure_ = {key, std::move(reason), unit_key};
    return Errno::OpNotSupp;
}

Errno Driver::probe() {
    cap_ = mmio_.read(kCapReg, 8);
    ecap_ = mmio_.read(kEcapReg, 8);
    if (!ecap_qi(ecap_)) return fail("", "the VT-d unit lacks queued invalidation (ECAP.QI)", "vtd.qi");
    const unsigned sagaw = cap_sagaw(cap_);
    if (costs_.levels == 1 || costs_.levels == 2)
        return fail("levels", std::to_string(costs_.levels) + "-level tables do not exist (3, 4 or 5)");
    if (costs_.levels)
        levels_ = sagaw & (1u << (costs_.levels - 2)) ? costs_.levels : 0;
    else
        levels_ = sagaw & 4 ? 4 : sagaw & 2 ? 3 : sagaw & 8 ? 5 : 0;
    if (!levels_)
        return costs_.levels
                   ? fail("levels", std::to_string(costs_.levels) + "-level tables are not in the unit's SAGAW (vtd.sagaw)")
                   : fail("", "the unit's SAGAW offers none of 3-, 4- or 5-level tables", "vtd.sagaw");
    root_ = new_table();
    queue_ = new_table();   // QS=0: 256 16-byte descriptors
    status_ = new_table();  // the wait descriptors' status word
    if (!root_ || !queue_ || !status_) return Errno::NoMem;
    mmio_.write(kIqtReg, 0, 8);
    mmio_.write(kIqaReg, queue_, 8);
    gcmd(kGcmdQie);
    scalable_ = costs_.scalable_mode && ecap_smts(ecap_) && ecap_slts(ecap_);
    mmio_.write(kRtaddrReg, root_ | (scalable_ ? kRtaddrTtmScalable : 0), 8);
    gcmd(kGcmdSrtp);
    submit(kDescContext | (1u << 4), 0);  // global context-cache invalidation
    if (scalable_) submit(kDescPasidCache | (3u << 4), 0);  // global PASID-cache invalidation
    submit(kDescIotlb | (1u << 4), 0);    // global IOTLB invalidation
    wait();
    if (scalable_ && ecap_prs(ecap_)) enable_prq();
    gcmd(kGcmdTe);
    return Errno::Ok;
}

Errno Driver::alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out) {
    const bool nest_parent = hwpt_flags & kHwptNestParent, dirty = hwpt_flags & kHwptDirtyTracking;
    if (hwpt_flags & ~uint32_t(kHwptNestParent | kHwptDirtyTracking)) return Errno::OpNotSupp;
    if ((nest_parent && !(scalable_ && ecap_nest(ecap_))) || (dirty && !(scalable_ && ecap_slads(ecap_))))
        return Errno::OpNotSupp;
    auto d = std::make_unique<VtdDomain>(*this, next_did_++);
    d->dirty_tracking = dirty;
    out = std::move(d);
    return Errno::Ok;
}

Errno Driver::alloc_identity_domain(std::unique_ptr<Domain>& out) {
    if (!ecap_pt(ecap_)) return Errno::OpNotSupp;
    out = std::make_unique<VtdIdentityDomain>(next_did_++);
    return Errno::Ok;
}

bool Driver::can_enforce_cache_coherency() const { return ecap_sc(ecap_); }

// The interrupt window every x86 device reserves (intel_iommu_get_resv_regions:
// IOAPIC_RANGE_START..END).
std::vector<IovaRange> Driver::reserved_regions(uint16_t) const { return {{0xfee0'0000, 0xfeef'ffff}}; }

std::unique_ptr<DeviceOps> Driver::device(uint16_t sid, const iommufd::EndpointCaps& caps) {
    devices_[sid].caps = caps;
    return std::make_unique<RequesterOps<Driver>>(*this, sid);
}

HwInfo Driver::hw_info() const {
    HwInfo h;
    h.type = 1;  // IOMMU_HW_INFO_TYPE_INTEL_VTD
    h.data = {{"cap_reg", cap_}, {"ecap_reg", ecap_}};  // struct iommu_hw_info_vtd
    h.capabilities = scalable_ && ecap_slads(ecap_) ? 1 : 0;  // IOMMU_HW_CAP_DIRTY_TRACKING
    return h;
}

// Page-selective within 2^AM pages at an address aligned to them (spec 6.5.2.3);
// domain-selective when the range needs a mask beyond MAMV or PSI is absent.
unsigned Driver::psi_mask(uint64_t iova, uint64_t bytes) {
    const uint64_t first = iova >> 12, last = (iova + bytes - 1) >> 12;
    unsigned am = 0;
    while ((first >> am) != (last >> am)) ++am;
    return am;
}

void Driver::invalidate_iotlb(uint16_t did, uint64_t iova, uint64_t bytes) {
    const unsigned am = psi_mask(iova, bytes);
    if (!cap_psi(cap_) || am > cap_mamv(cap_)) {
        submit(kDescIotlb | (2u << 4) | uint64_t(did) << 16, 0);
        return;
    }
    submit(kDescIotlb | (3u << 4) | uint64_t(did) << 16, (((iova >> 12) >> am) << (am + 12)) | am);
}

void Driver::submit(uint64_t lo, uint64_t hi) {
    m_.write64(queue_ + tail_, lo);
    m_.write64(queue_ + tail_ + 8, hi);
    if (!ecap_coherent(ecap_)) m_.flush(queue_ + tail_, 16);
    tail_ = (tail_ + 16) % 4096;
    ++descriptors_;
    cpu_ns_ += costs_.descriptor_ns;
    queue_ns_ += costs_.descriptor_ns + costs_.mmio_ns;
    mmio_.write(kIqtReg, tail_, 8);
}

// A wait descriptor (IF 4, SW 5, FN 6, status data 63:32; status address in the upper
// qword) and a poll of the status word until the unit has written it.
void Driver::wait() {
    const uint32_t seq = ++wait_seq_;
    submit(kDescWait | kWaitStatusWrite | uint64_t(seq) << 32, status_);
    for (int i = 0; i < 64 && uint32_t(m_.read64(status_)) != seq; ++i) {
    }
    ++waits_;
    const double ns = completion_.ns(costs_.wait_ns);  // the unit's time for the batch
    cpu_ns_ += ns;
    queue_ns_ += ns;
}

}  // namespace iommufd::vtd
