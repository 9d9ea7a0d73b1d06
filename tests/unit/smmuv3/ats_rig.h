// The SMMUv3 rig with ATS and PRI: IDR0.ATS/PRI strapped, a PRI queue of 8 entries at
// 0x50000, a fake set of endpoints that keeps what the unit sends them, and requests
// of the three PCIe address types.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/iommu/ats.h"
#include "tests/unit/smmuv3/unit_rig.h"

namespace smmu_rig {

constexpr uint64_t kPriq = 0x50000;

struct FakeEndpoints : iommu::Endpoints {
    std::vector<iommu::AtsInvalidation> invalidations;
    std::vector<iommu::PageResponse> responses;
    void invalidate(const iommu::AtsInvalidation& inv) override { invalidations.push_back(inv); }
    void page_response(const iommu::PageResponse& r) override { responses.push_back(r); }
};

struct AtsRig : Rig {
    FakeEndpoints eps;
    AtsRig() {
        caps.ats = caps.pri = true;
        rebuild();
        unit->endpoints = &eps;
    }
    // A Translation Request (PCIe 10.2.2): a read, asking for write unless NW.
    iommu::Result tr(uint32_t sid, uint64_t iova, bool nw = false) {
        iommu::Request r = testutil::dma(uint16_t(sid), iova, false);
        r.at = iommu::At::TranslationRequest;
        r.read = true;
        r.write = !nw;
        return unit->translate(r);
    }
    iommu::Result translated(uint32_t sid, uint64_t pa, bool write = false) {
        iommu::Request r = testutil::dma(uint16_t(sid), pa, write);
        r.at = iommu::At::Translated;
        return unit->translate(r);
    }
    void set_cr0(uint32_t bits) { unit->write(reg::CR0, bits, 4); }
    static constexpr uint32_t kOn = smmuv3::cr0::SMMUEN | smmuv3::cr0::CMDQEN | smmuv3::cr0::EVENTQEN;
    void enable_priq(unsigned log2size = 3) {
        unit->write(reg::PRIQ_BASE, kPriq | log2size, 8);
        set_cr0(kOn | smmuv3::cr0::PRIQEN | (uint32_t(unit->read(reg::CR0, 4)) & smmuv3::cr0::ATSCHK));
    }
    uint32_t priq_prod() const { return uint32_t(unit->read(reg::PRIQ_PROD, 4)); }
    smmu_enc::PriqEntry priq(unsigned i) {
        return smmu_enc::priq_entry(mem.read_u64(kPriq + i * 16), mem.read_u64(kPriq + i * 16 + 8));
    }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        unit->sim::StatGroup::write(j, "u");
        return j.at(std::string("u.") + name).get<uint64_t>();
    }
};

}  // namespace smmu_rig
