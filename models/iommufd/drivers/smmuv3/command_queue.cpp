// The command queue as Linux's arm_smmu_cmdq_issue_cmdlist uses it: commands written at
// PROD, PROD advanced with one register write per batch, a CMD_SYNC last, and the
// driver polling CMDQ_CONS until the unit has consumed it (IHI 0070 3.5 queues, 4.7
// CMD_SYNC). The queue's lock is the time spent here (DriverCost::queue_ns).
#include <algorithm>

#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

namespace {

constexpr size_t kBatch = 64;  // Linux CMDQ_BATCH_ENTRIES

// CMD_SYNC completing with SEV, MSH/MSIATTR as Linux writes them (the driver polls
// CONS rather than an MSI: arm_smmu_cmdq_build_sync_cmd without MSI polling).
Cmd sync_cmd() { return {kOpSync | kSyncCsSev << 12 | uint64_t(kShIsh) << 22 | kMemattrOiwb << 24, 0}; }

}  // namespace

uint32_t Driver::queue_used() const { return (prod_ - cons_) & ((2u << cmdq_shift_) - 1); }

// Polls CONS until `n` entries are free (queue full: indexes equal, wrap bits differ).
void Driver::wait_for_space(uint32_t n) {
    for (int i = 0; i < 64 && (1u << cmdq_shift_) - queue_used() < n; ++i)
        cons_ = uint32_t(mmio_.read(kCmdqCons, 4)) & ((2u << cmdq_shift_) - 1);
}

void Driver::push(const Cmd* cmds, size_t n) {
    wait_for_space(uint32_t(n));
    for (size_t i = 0; i < n; ++i) {
        const uint64_t slot = cmdq_ + uint64_t(prod_ & ((1u << cmdq_shift_) - 1)) * 16;
        m_.write64(slot, cmds[i].lo);
        m_.write64(slot + 8, cmds[i].hi);
        if (!coherent_) m_.flush(slot, 16);
        prod_ = (prod_ + 1) & ((2u << cmdq_shift_) - 1);
        ++commands_;
        cpu_ns_ += costs_.command_ns;
        queue_ns_ += costs_.command_ns;
    }
    mmio_.write(kCmdqProd, prod_, 4);
    queue_ns_ += costs_.mmio_ns;
}

// CONS reaching PROD means the CMD_SYNC, the last command, has completed. A CONS.ERR
// stops the queue until software acts (Linux's gerror handler); it ends the wait here.
void Driver::wait_for_sync() {
    bool done = false;
    for (int i = 0; i < 64 && !done; ++i) {
        const uint32_t cons = uint32_t(mmio_.read(kCmdqCons, 4));
        queue_ns_ += costs_.mmio_ns;
        cons_ = cons & ((2u << cmdq_shift_) - 1);
        done = cons_ == prod_;
        if (cons & kConsErrMask) break;
    }
    if (!done) ++timeouts_;
    ++waits_;
    const double ns = completion_.ns(costs_.wait_ns);  // the unit's time for the batch
    cpu_ns_ += ns;
    queue_ns_ += ns;
}

void Driver::push_batches(const std::vector<Cmd>& cmds) {
    for (size_t i = 0; i < cmds.size(); i += kBatch) push(&cmds[i], std::min(kBatch, cmds.size() - i));
}

void Driver::issue(std::vector<Cmd> cmds) {
    cmds.push_back(sync_cmd());
    push_batches(cmds);
    wait_for_sync();
}

// __arm_smmu_tlb_inv_range (CMD_TLBI_NH_VA or CMD_TLBI_S2_IPA, alike but for the tag):
// one command per granule, or with IDR3.RIL range commands of (NUM + 1) << SCALE pages, TG = 4K and
// TTL the level of a leaf granule (3 for 4K, 2 for 2M, 1 for 1G).
void Driver::tlbi_range(std::vector<Cmd>& out, uint64_t op_tag, uint64_t iova, uint64_t size, uint64_t granule,
                        bool leaf) const {
    const uint64_t end = iova + size;
    Cmd base{op_tag, leaf ? 1u : 0u};
    uint64_t pages = 0;
    if (ril_) {
        pages = size >> 12;
        base.hi |= uint64_t(1) << 10;  // TG: 4K
        unsigned log2g = 0;
        while ((uint64_t(1) << log2g) < granule) ++log2g;
        if (leaf)
            base.hi |= uint64_t(4 - (log2g - 3) / 9) << 8;
        else if ((pages & 31) == 1)
            ++pages;  // Linux avoids NUM=0 SCALE=0 for non-leaf ranges (errata)
    }
    uint64_t step = granule;
    while (iova < end) {
        Cmd c = base;
        if (ril_) {
            unsigned scale = 0;
            while (!((pages >> scale) & 1)) ++scale;
            const uint64_t num = (pages >> scale) & 31;
            c.lo |= (num - 1) << 12 | uint64_t(scale) << 20;
            step = num << (scale + 12);
            pages -= num << scale;
        }
        c.hi |= iova & ~uint64_t(0xfff);
        out.push_back(c);
        iova += step;
    }
}

}  // namespace iommufd::smmuv3
