// One FLAT table walk (flat_spec.h section 4): the device-table entry, unless the
// device cache supplied it, then the page-table entry; at most two 8-byte reads. The
// checks are free functions too, so that the unit's lookup stage decides a request
// from cached entries exactly as a walk would from memory.
#pragma once

#include <cstdint>
#include <optional>

#include "models/iommu/translator.h"

namespace flat {

// The fault a device entry gives for `iova` (0: none; go on to the page table).
uint32_t device_fault(uint64_t dte, uint64_t iova, uint64_t cap);
// With CAP.ATS, the fault a device entry gives a request with AT set (section 7).
uint32_t ats_device_fault(const iommu::Request& r, uint64_t dte, uint64_t cap);
// A Translation Request's answer from the entry `pte` behind `res` (section 7).
iommu::Result tr_answer(const iommu::Result& res, uint64_t pte);
// The translation of `r` by a page-table entry, or its fault.
iommu::Result from_pte(const iommu::Request& r, uint64_t pte, uint64_t cap);

class Walker final : public iommu::Walk {
public:
    // A walk for `r`, from the device table at `devtab`, or from the device entry the
    // device cache holds.
    void start(const iommu::Request& r, uint64_t cap, uint64_t devtab,
               std::optional<uint64_t> cached_dte);

    bool done() const override { return step_ == Step::Done; }
    uint64_t read_address() const override { return addr_; }
    void supply(uint64_t qword, bool ok) override;

    const iommu::Request& request() const { return req_; }
    const iommu::Result& result() const { return res_; }
    unsigned reads() const { return reads_; }
    // A valid device entry this walk read from memory (for the device cache).
    std::optional<uint64_t> read_dte() const { return read_dte_; }
    // The present page-table entry that translated (for the IOTLB).
    std::optional<uint64_t> present_pte() const { return pte_; }
    uint16_t did() const { return did_; }

private:
    enum class Step { Device, Page, Done };
    void after_device(uint64_t dte);
    void fail(uint32_t reason);

    iommu::Request req_{};
    uint64_t cap_ = 0;
    Step step_ = Step::Done;
    uint64_t addr_ = 0;
    unsigned reads_ = 0;
    uint16_t did_ = 0;
    std::optional<uint64_t> read_dte_, pte_;
    iommu::Result res_{};
};

}  // namespace flat
