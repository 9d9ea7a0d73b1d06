// The command buffer as Linux's iommu_queue_command and iommu_completion_wait use it
// (spec §2.4): each command copied at the driver's tail and announced with its own
// CMD_TAIL write; room checked against the head last read, CMD_HEAD read again when
// fewer than 0x20 bytes would be left; a COMPLETION_WAIT that stores an increasing
// sequence number to a semaphore the driver polls, queued only when a command needs it
// (need_sync). The time spent here is the command buffer's lock (DriverCost::queue_ns).
#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/iommufd/drivers/amdvi/encoding.h"

namespace iommufd::amdvi {

using namespace enc;

namespace {

constexpr int kPolls = 64;  // register or semaphore reads before giving up

// build_inv_address: one page as its address; more, S set and every bit below the
// highest bit in which the first and last byte differ set (so that the address's lowest
// clear bit above 11 gives the naturally aligned power of two covering the range); when
// that bit is above 51, every page (CMD_INV_IOMMU_ALL_PAGES_ADDRESS).
uint64_t inv_address(uint64_t iova, uint64_t size) {
    const uint64_t end = iova + size - 1;
    if ((iova >> 12) == (end >> 12)) return iova & ~uint64_t(0xfff);
    const unsigned msb_diff = 63 - unsigned(__builtin_clzll(end ^ iova));
    const uint64_t address = msb_diff > 51 ? kInvAllPagesAddress : iova | ((uint64_t(1) << msb_diff) - 1);
    return (address & ~uint64_t(0xfff)) | kInvS;
}

}  // namespace

void Driver::queue(const Cmd& c) {
    const uint32_t next_tail = (cmd_tail_ + 16) % kRingBytes;
    for (int i = 0; i < kPolls && (cmd_head_ - next_tail) % kRingBytes <= 0x20; ++i) {
        cmd_head_ = uint32_t(mmio_.read(kCmdHead, 4)) % kRingBytes;
        queue_ns_ += params_.mmio_ns;
    }
    const uint64_t slot = cmd_buf_ + cmd_tail_;
    m_.write64(slot, c.lo);
    m_.write64(slot + 8, c.hi);
    if (!coherent_) m_.flush(slot, 16);
    cmd_tail_ = next_tail;
    mmio_.write(kCmdTail, cmd_tail_, 4);
    ++commands_;
    cpu_ns_ += params_.command_ns;
    queue_ns_ += params_.command_ns + params_.mmio_ns;
    need_sync_ = true;
}

// COMPLETION_WAIT with S: the store address (8-byte aligned) over dwords 0-1, the datum
// in dwords 2-3. The driver polls the semaphore until the datum is there (wait_on_sem).
void Driver::completion_wait() {
    if (!need_sync_) return;
    const uint64_t datum = ++sem_val_;
    queue({(sem_ & kCwStoreAddr) | kCwStore | cmd_op(kOpCompletionWait), datum});
    need_sync_ = false;
    bool done = false;
    for (int i = 0; i < kPolls && !done; ++i) {
        refresh(sem_, 8);
        done = int64_t(m_.read64(sem_) - datum) >= 0;
    }
    if (!done) ++timeouts_;
    ++waits_;
    const double ns = completion_.ns(params_.wait_ns);  // the unit's time for the commands
    cpu_ns_ += ns;
    queue_ns_ += ns;
}

// build_inv_iommu_pages without a PASID: DomainID in dword 1, PDE always (Linux flushes
// the directory caches with the pages).
void Driver::flush_pages(uint16_t domid, uint64_t iova, uint64_t size) {
    const auto it = use_.find(domid);
    if (it == use_.end() || !it->second.devices) return;
    queue({uint64_t(domid) << 32 | cmd_op(kOpInvIommuPages), inv_address(iova, size) | kInvPde});
    for (uint16_t devid : it->second.ats) queue(inv_iotlb(devid, iova, size));
    completion_wait();
}

void Driver::flush_domain(uint16_t domid) { flush_pages(domid, 0, kInvAllPagesAddress | 0xfff); }

void Driver::flush_dte(uint16_t devid) {
    queue({devid | cmd_op(kOpInvDevtabEntry), 0});
    if (devices_[devid].ats) queue(inv_iotlb(devid, 0, ~uint64_t(0)));
}

// build_inv_iotlb_pages without a PASID: DeviceID dword 0 15:0, MaxPend 31:24 (the
// device's invalidate queue depth; 0: not known), QueueId dword 1 15:0 (Linux puts the
// DeviceID there too), the address as INVALIDATE_IOMMU_PAGES encodes it.
Cmd Driver::inv_iotlb(uint16_t devid, uint64_t iova, uint64_t size) {
    return {devid | uint64_t(devid) << 32 | cmd_op(kOpInvIotlbPages), inv_address(iova, size)};
}

}  // namespace iommufd::amdvi
