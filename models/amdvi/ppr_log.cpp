#include "models/amdvi/ppr_log.h"

namespace amdvi {
namespace {

constexpr uint64_t kPageServiceRequest = 0x1;  // PPR code 63:60 (Linux PPR_REQ_FAULT)
// Flags 59:48 (Linux PPR_FLAG_EXEC 0x002, _READ 0x004, _WRITE 0x020, _US 0x040, _GN 0x100).
constexpr unsigned kExec = 49, kRead = 50, kWrite = 53, kUser = 54, kGuest = 56;

}  // namespace

// Without a PASID TLP Prefix a request is neither privileged nor execute (PCIe), so US = 1.
std::array<uint64_t, 2> encode_ppr_entry(const iommu::PageRequest& pr) {
    const uint64_t pasid = pr.pasid_valid ? pr.pasid & 0xfffff : 0;
    const uint64_t tag = (pr.prg_index & 0x1ffu) | uint64_t(pr.last) << 9;
    uint64_t q0 = pr.sid | (pasid & 0xffff) << 16 | tag << 32 | (pasid >> 16) << 42 | kPageServiceRequest << 60;
    q0 |= uint64_t(pr.exec && pr.pasid_valid) << kExec | uint64_t(pr.read) << kRead |
          uint64_t(pr.write) << kWrite | uint64_t(!(pr.priv && pr.pasid_valid)) << kUser |
          uint64_t(pr.pasid_valid) << kGuest;
    return {q0, pr.addr & ~uint64_t(0xfff)};
}

uint32_t PprLog::status_bits() const {
    return (overflow_ ? kPprOverflow : 0) | (interrupt_ ? kPprInt : 0) | (running_ ? kPprLogRun : 0);
}

void PprLog::clear_status(uint32_t w1c) {
    overflow_ = overflow_ && !(w1c & kPprOverflow);
    interrupt_ = interrupt_ && !(w1c & kPprInt);
}

PprLog::Outcome PprLog::push(const iommu::PageRequest& pr, iommu::HostMemory& mem) {
    if (overflow_) return Outcome::Overflow;  // no entries until software clears it
    if (!running_) return Outcome::NotRunning;
    if (ring_.full(tail_, head_)) {
        overflow_ = true;
        running_ = false;
        return Outcome::Overflow;
    }
    const auto e = encode_ppr_entry(pr);
    const uint64_t at = ring_.address(tail_);
    // The qword with the PPR code last: Linux polls for a non-zero code to see an entry land.
    if (!mem.write_u64(at + 8, e[1]) || !mem.write_u64(at, e[0])) return Outcome::WriteFailed;
    tail_ = ring_.next(tail_);
    interrupt_ = true;
    return Outcome::Logged;
}

}  // namespace amdvi
