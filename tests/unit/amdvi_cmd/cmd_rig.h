// A command buffer over sparse memory with a fake unit that records what the commands
// asked of it, for the AMD-Vi command tests.
#pragma once

#include <string>
#include <vector>

#include "models/amdvi/command_buffer.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/stats.h"
#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"

namespace amdvi_test {

struct PagesCall {
    uint16_t domain;
    uint32_t pasid;
    uint64_t first, last;
    bool pde, gn;
};

class FakeUnit : public amdvi::CommandTarget {
public:
    void invalidate_dte(uint16_t devid) override { log("dte", devid); }
    void invalidate_pages(uint16_t domain, uint32_t pasid, uint64_t first, uint64_t last, bool pde,
                          bool gn) override {
        pages.push_back({domain, pasid, first, last, pde, gn});
        calls.push_back("pages");
    }
    void invalidate_iotlb(const iommu::AtsInvalidation& inv) override {
        iotlb.push_back(inv);
        calls.push_back("iotlb");
    }
    void invalidate_interrupt_table(uint16_t devid) override { log("irt", devid); }
    void complete_ppr(const iommu::PageResponse& r) override {
        responses.push_back(r);
        calls.push_back("ppr");
    }
    void invalidate_all() override { calls.push_back("all"); }
    void completion_wait_interrupt() override { calls.push_back("comwait_int"); }
    // The record as the unit's event log would write it, in dwords.
    bool log_event(const amdvi::Event& e) override {
        const auto q = amdvi::encode_event(e);
        events.push_back({uint32_t(q[0]), uint32_t(q[0] >> 32), uint32_t(q[1]), uint32_t(q[1] >> 32)});
        return true;
    }

    std::vector<std::string> calls;
    std::vector<PagesCall> pages;
    std::vector<iommu::AtsInvalidation> iotlb;
    std::vector<iommu::PageResponse> responses;
    std::vector<amdvi_cmd_enc::Record> events;

private:
    void log(const char* what, uint16_t devid) { calls.push_back(std::string(what) + ":" + std::to_string(devid)); }
};

// Memory below 16 MiB; the buffer at kBase with 2^8 entries, running, every feature on.
struct CmdRig {
    static constexpr uint64_t kMemSize = 16ull << 20;
    static constexpr uint64_t kBase = 0x100000;

    memory::SparseMemory store;
    iommu::StoreMemory mem{store, kMemSize};
    sim::StatGroup stats;
    iommu::CommandCost cost;
    iommu::CommandClock clock{stats, cost, "command_cycles"};
    FakeUnit unit;
    amdvi::CommandBuffer cmdbuf{unit, mem, clock};
    uint32_t tail = 0;

    CmdRig() {
        cmdbuf.configure(kBase, 8);
        cmdbuf.set_features({true, true, true, true});
        cmdbuf.start();
    }
    // Writes `c` at the tail and moves the tail on (wrapping), as a driver does.
    uint64_t put(const amdvi_cmd_enc::Cmd& c) {
        const uint64_t at = kBase + tail;
        store.write(at, c.data(), 16);
        tail = (tail + 16) % (256 * 16);
        return at;
    }
    amdvi::CommandBuffer::Result ring() { return cmdbuf.process(tail); }
};

}  // namespace amdvi_test
