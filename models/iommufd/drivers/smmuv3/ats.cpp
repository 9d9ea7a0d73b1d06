// ATS and PRI for devices behind the SMMU (IHI 0070 3.9 PCIe ATS, 3.9.2 PRI queue, 4.5.1
// CMD_ATC_INV, 4.7.1 CMD_PRI_RESP), as Linux's arm_smmu_attach_prepare/commit,
// arm_smmu_enable_ats, arm_smmu_atc_inv_to_cmd and arm_smmu_priq_thread do it.
#include "models/iommufd/drivers/endpoint.h"
#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

// arm_smmu_ats_supported: the unit (IDR0.ATS) and the device (its ATS capability).
bool Driver::ats_supported(uint16_t sid) { return idr0_ats_ && devices_[sid].caps.ats; }

void Driver::set_endpoint(DeviceState& dev, bool on) {
    set_endpoint_ats(dev.caps, priq_.base && dev.caps.pri, on);
    dev.ats = on;
}

// Before the STE changes: a device leaving ATS stops issuing translated requests and
// translation requests before its STE stops granting them (pci_disable_ats ahead of
// the STE write, so that nothing in flight meets an STE that refuses it).
void Driver::ats_prepare(uint16_t sid, bool ats) {
    DeviceState& dev = devices_[sid];
    if (dev.ats && !ats) set_endpoint(dev, false);
}

// After the STE is live: the old domain stops invalidating this ATC and the new one
// (when it uses ATS) starts; whatever the ATC holds from before is dropped with one
// whole-ATC CMD_ATC_INV and CMD_SYNC (arm_smmu_atc_inv_master), then ATS is turned on
// at a device that did not have it (arm_smmu_enable_ats).
void Driver::ats_commit(uint16_t sid, SmmuDomain* d, bool ats) {
    DeviceState& dev = devices_[sid];
    if (dev.ats_domain) dev.ats_domain->ats_sids_.erase(sid);
    dev.ats_domain = ats ? d : nullptr;
    if (ats) d->ats_sids_.insert(sid);
    if (dev.eats || ats) issue({atc_inv(sid, 0, 0)});
    dev.eats = ats;
    if (ats && !dev.ats) set_endpoint(dev, true);
}

// The smallest naturally aligned power of two of 4 KiB pages covering the range: its
// log2 is the highest bit in which the first and last page numbers differ, plus one.
Cmd Driver::atc_inv(uint16_t sid, uint64_t iova, uint64_t size) {
    Cmd c{kOpAtcInv | uint64_t(sid) << 32, kAtcInvSizeAll};
    if (!size) return c;
    const uint64_t first = iova >> 12, last = (iova + size - 1) >> 12;
    unsigned log2_span = 0;
    while ((first ^ last) >> log2_span) ++log2_span;
    c.hi = ((first >> log2_span) << (log2_span + 12)) | log2_span;
    return c;
}

// arm_smmu_handle_ppr without an IOPF handler: the group is denied when its last request
// arrives (PCIe "Invalid Request"); requests before it need no answer.
void Driver::handle_ppr(uint64_t entry) {
    const uint64_t dw0 = m_.read64(entry), dw1 = m_.read64(entry + 8);
    count("pri.requests", "page requests read from the PRI queue");
    if (!(dw0 & kPriqLast)) return;
    const uint64_t ssv = dw0 & kPriqSsv ? kCmdSsv | bits(dw0, 32, 20) << 12 : 0;
    pri_responses_.push_back({kOpPriResp | ssv | bits(dw0, 0, 32) << 32, bits(dw1, 0, 9) | kPriRespDeny << 12});
}

void Driver::service_page_requests() {
    if (!priq_.base) return;
    drain_events();
    pri_responses_.clear();
    consume(priq_, &Driver::handle_ppr);
    if (pri_responses_.empty()) return;
    for (size_t i = 0; i < pri_responses_.size(); ++i)
        count("pri.responses", "PRI_RESP commands sent (Deny: no fault handler)");
    issue(pri_responses_);
}

}  // namespace iommufd::smmuv3
