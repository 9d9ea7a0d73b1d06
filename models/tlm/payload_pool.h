// A pool of generic payloads, each with a PcieAttr extension and its own data buffer,
// recycled through tlm_mm_interface so that the simulation hot path never allocates
// once the pool has grown to the number of transactions in flight.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <tlm>

#include "models/tlm/pcie_attr.h"

namespace tlmx {

class PayloadPool : public tlm::tlm_mm_interface {
public:
    PayloadPool();
    PayloadPool(const PayloadPool&) = delete;
    PayloadPool& operator=(const PayloadPool&) = delete;
    ~PayloadPool() override;

    // A payload with reference count 1, a cleared PcieAttr, and a data buffer of at
    // least `bytes` bytes (data pointer and length set). Release with gp->release().
    tlm::tlm_generic_payload* acquire(size_t bytes);
    void free(tlm::tlm_generic_payload* gp) override;
    size_t allocated() const { return slots_.size(); }
    size_t in_use() const { return slots_.size() - free_.size(); }

private:
    // A payload that owns its data buffer.
    struct Slot : PciePayload {
        std::vector<unsigned char> data;
        explicit Slot(tlm::tlm_mm_interface* mm) : PciePayload(mm) {}
    };
    std::vector<std::unique_ptr<Slot>> slots_;
    std::vector<Slot*> free_;
};

}  // namespace tlmx
