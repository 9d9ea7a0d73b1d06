// What the command buffer's commands (48882 §2.4, command_buffer.h) do to an
// AmdviUnit: its DTE cache, IOTLB and PDE cache, the devices behind it (ATS
// invalidations, PRG responses) and STATUS. Every invalidation is told to
// on_invalidate (the timeline) with its fields as JSON.
#include <cstdio>
#include <string>

#include "models/amdvi/amdvi_unit.h"
#include "models/sim/format.h"

namespace amdvi {
namespace {

// A JSON string of sim::hex's form ("\"0x1f\"").
std::string hex(uint64_t v) { return "\"" + sim::hex(v) + "\""; }

// Whether the 2^shift bytes from prefix << shift overlap [first, last].
bool overlaps(uint64_t prefix, unsigned shift, uint64_t first, uint64_t last) {
    const uint64_t lo = prefix << shift, hi = lo + ((uint64_t(1) << shift) - 1);
    return lo <= last && hi >= first;
}

}  // namespace

// INVALIDATE_DEVTAB_ENTRY: the device's cached DTE. Translations made through it stay
// in the IOTLB: they are tagged by DomainID, and software invalidates the domain's
// pages when it changes the tables (§2.4 "Invalidate Device Table Entry").
void AmdviUnit::invalidate_dte(uint16_t devid) {
    if (on_invalidate) on_invalidate(command_name(CommandOp::INVALIDATE_DEVTAB_ENTRY), "\"devid\":" + std::to_string(devid));
    dte_cache_.invalidate_if([&](const DteKey& k, const Dte&) { return k.device_id == devid; });
}

// INVALIDATE_IOMMU_PAGES: the IOTLB entries of the domain whose page overlaps the range;
// PDE=1 the cached page directory entries covering it too, PDE=0 leaves them (the
// spec's PDE bit: "only page table entries" unless set; Linux always sets it).
// GN=1 names the guest translations of `pasid` (the range is in guest virtual
// addresses; no guest directory entries are cached). GN=0 names the host tables: the
// domain's host entries in the range, and every nested guest entry of the domain,
// whose GPA the IOTLB does not keep to compare with the range.
void AmdviUnit::invalidate_pages(uint16_t domain, uint32_t pasid, uint64_t first, uint64_t last, bool pde,
                                 bool gn) {
    if (on_invalidate)
        on_invalidate(command_name(CommandOp::INVALIDATE_IOMMU_PAGES),
                      "\"domain\":" + std::to_string(domain) + ",\"pasid\":" + std::to_string(pasid) +
                          ",\"first\":" + hex(first) + ",\"last\":" + hex(last) + ",\"pde\":" + std::to_string(pde) +
                          ",\"gn\":" + std::to_string(gn));
    iotlb_.invalidate_if([&](const IotlbKey& k, const IotlbValue& v) {
        if (k.domain_id != domain) return false;
        if (gn) return k.guest && k.pasid == pasid && overlaps(k.vpn, k.size_log2, first, last);
        return k.guest ? v.nested : overlaps(k.vpn, k.size_log2, first, last);
    });
    if (gn || !pde) return;
    pde_cache_.invalidate_if([&](const PdeKey& k, const PdeStep&) {
        return k.domain_id == domain && overlaps(k.prefix, level_shift(k.level), first, last);
    });
}

// INVALIDATE_IOTLB_PAGES: the ATS Invalidate Request goes to the device; it has
// completed when invalidate() returns, so a later COMPLETION_WAIT covers it.
void AmdviUnit::invalidate_iotlb(const iommu::AtsInvalidation& inv) {
    if (on_invalidate)
        on_invalidate(command_name(CommandOp::INVALIDATE_IOTLB_PAGES),
                      "\"sid\":" + std::to_string(inv.sid) + ",\"pasid_valid\":" + std::to_string(inv.pasid_valid) +
                          ",\"pasid\":" + std::to_string(inv.pasid) + ",\"addr\":" + hex(inv.addr) +
                          ",\"size\":" + hex(inv.size));
    if (endpoints) endpoints->invalidate(inv);
}

// INVALIDATE_INTERRUPT_TABLE: interrupt remapping is not modelled, so the unit caches
// no interrupt remapping table entries; the command is told and completes.
void AmdviUnit::invalidate_interrupt_table(uint16_t devid) {
    if (on_invalidate)
        on_invalidate(command_name(CommandOp::INVALIDATE_INTERRUPT_TABLE), "\"devid\":" + std::to_string(devid));
}

// COMPLETE_PPR_REQUEST: the PRG Response Message to the device.
void AmdviUnit::complete_ppr(const iommu::PageResponse& r) {
    if (endpoints) endpoints->page_response(r);
}

// INVALIDATE_IOMMU_ALL: every cache the unit keeps.
void AmdviUnit::invalidate_all() {
    if (on_invalidate) on_invalidate(command_name(CommandOp::INVALIDATE_IOMMU_ALL), "");
    dte_cache_.invalidate_all();
    iotlb_.invalidate_all();
    pde_cache_.invalidate_all();
    iotlb_sizes_ = 0;
}

// COMPLETION_WAIT with I=1: the command buffer has set STATUS.ComWaitInt. The
// interrupt it raises with CONTROL.ComWaitIntEn has no hook on iommu::Unit (drivers
// poll the store), so the unit only counts it.
void AmdviUnit::completion_wait_interrupt() {
    if (ctrl_ & ctrl::COM_WAIT_INT_EN) ++comwait_interrupts_;
}

}  // namespace amdvi
