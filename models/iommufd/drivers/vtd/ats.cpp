// ATS and PRI for devices behind a VT-d unit (spec 4 "Support for Device-TLBs", 6.5.2.5
// device-TLB invalidate descriptor, 7.4-7.7 page requests and page group responses), as
// Linux's iommu_enable_pci_caps, qi_flush_dev_iotlb, intel_iommu_enable_prq and
// prq_event_thread do it.
#include "models/iommufd/drivers/endpoint.h"
#include "models/iommufd/drivers/vtd/encoding.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"

namespace iommufd::vtd {

using namespace enc;

// info->ats_supported: the unit has device-TLBs (ECAP.DT) and the device ATS.
bool Driver::ats_supported(uint16_t sid) { return ecap_dt(ecap_) && devices_[sid].caps.ats; }

// info->pri_supported: a page request queue (scalable mode with ECAP.PRS) and PRI at
// the device, which also needs ATS.
bool Driver::pri_supported(uint16_t sid) { return prq_ && devices_[sid].caps.pri && ats_supported(sid); }

void Driver::set_endpoint(DeviceState& dev, bool on) {
    set_endpoint_ats(dev.caps, prq_ && dev.caps.pri, on);
    dev.ats = on;
}

// A device leaving ATS stops using it before its entry stops admitting it.
void Driver::ats_prepare(uint16_t sid, bool ats) {
    DeviceState& dev = devices_[sid];
    if (dev.ats && !ats) set_endpoint(dev, false);
}

// After the entry is live and the caches are clean: the device moves to the new
// domain's list; its device-TLB, which may hold the old domain's translations, is
// invalidated whole (with a wait) when either entry admitted ATS, and ATS is turned on.
void Driver::ats_commit(uint16_t sid, uint16_t did, bool ats) {
    DeviceState& dev = devices_[sid];
    if (dev.entry_ats) ats_sids_[dev.did].erase(sid);
    if (ats) ats_sids_[did].insert(sid);
    if (dev.entry_ats || ats) {
        invalidate_dev_tlb(sid, 0, 0);
        wait();
    }
    dev.entry_ats = ats;
    dev.did = did;
    if (ats && !dev.ats) set_endpoint(dev, true);
}

// PFSID is the requester itself (no virtual functions); MIP 0 (the device's queue
// depth is not known: 0 stands for 32). With mask m > 0 the address has its low m - 1
// page bits set and S=1.
void Driver::invalidate_dev_tlb(uint16_t sid, uint64_t iova, uint64_t bytes) {
    const unsigned mask = bytes ? psi_mask(iova, bytes) : 52;
    uint64_t addr = bytes ? ((iova >> 12) >> mask) << (mask + 12) : 0;
    if (mask) addr = (addr | ((uint64_t(1) << (11 + mask)) - 1)) & ~uint64_t(0xfff);
    const uint64_t pfsid = uint64_t(sid & 0xf) << 12 | uint64_t(sid >> 4) << 52;
    submit(kDescDevIotlb | pfsid | uint64_t(sid) << 32, addr | (mask ? kDevIotlbS : 0));
}

// intel_iommu_enable_prq: head and tail 0, the queue's address with PQS 0 (one page,
// where Linux takes 16: the model's requests are few), then the interrupt unmasked.
void Driver::enable_prq() {
    const auto page = pages_.allocate(kPrqBytes, kPrqBytes);
    if (!page) return;
    prq_ = *page;
    mmio_.write(kPqhReg, 0, 8);
    mmio_.write(kPqtReg, 0, 8);
    mmio_.write(kPqaReg, prq_, 8);
    mmio_.write(kPectlReg, 0, 4);
}

void Driver::count(const std::string& name, const char* desc) {
    auto& c = counts_[name];
    if (!c) c = std::make_unique<sim::Counter>(*this, name, "", desc);
    ++*c;
}

// Without an IOPF handler intel_prq_report fails and handle_bad_prq_event answers a
// request that closes its group (LPIG) or carries private data with Invalid Request:
// one page group response descriptor and a wait.
void Driver::handle_page_request(uint64_t desc) {
    const uint64_t q0 = m_.read64(desc), q1 = m_.read64(desc + 8);
    count("pri.requests", "page request descriptors read from the page request queue");
    if (!(q1 & kPrLpig) && !(q0 & (1u << 9))) return;
    const uint64_t pasid = q0 & kPrPasidPresent ? (1u << 4) | bits(q0, 32, 20) << 32 : 0;
    submit(kDescPageGroupResp | pasid | kRespInvalid << 12 | bits(q0, 16, 16) << 16,
           bits(q1, 3, 9) << 3 | (q1 & kPrLpig));
    wait();
    count("pri.responses", "page group responses sent (Invalid Request: no fault handler)");
}

void Driver::service_page_requests() {
    if (!prq_) return;
    const uint64_t ring = kPrqBytes - kPageReqBytes;  // PRQ_RING_MASK
    mmio_.write(kPrsReg, kPrsPpr, 4);
    const uint64_t tail = mmio_.read(kPqtReg, 8) & ring;
    for (uint64_t head = mmio_.read(kPqhReg, 8) & ring; head != tail; head = (head + kPageReqBytes) & ring)
        handle_page_request(prq_ + head);
    mmio_.write(kPqhReg, tail, 8);
    if (!(mmio_.read(kPrsReg, 4) & kPrsPro)) return;
    count("pri.overflows", "page request queue overflows seen in PRS.PRO (requests were lost)");
    if ((mmio_.read(kPqhReg, 8) & ring) == (mmio_.read(kPqtReg, 8) & ring)) mmio_.write(kPrsReg, kPrsPro, 4);
}

}  // namespace iommufd::vtd
