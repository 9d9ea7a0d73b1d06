// The AMD-Vi Peripheral Page Request (PPR) log, a functional core (48882 "Peripheral
// Page Service Request" logging; MMIO PPR Log Base 0038h with PPRLen 59:56, PPR_HEAD
// 2030h, PPR_TAIL 2038h, STATUS 2020h): the IOMMU writes each PCIe Page Request it
// takes as a 16-byte PAGE_SERVICE_REQUEST entry at the tail and advances the tail;
// software consumes from the head and answers with COMPLETE_PPR_REQUEST.
// - PprLogRun (STATUS bit 7) is set while CONTROL.PPRLogEn and IommuEn are both set
//   (start/stop); nothing is logged while it is clear.
// - A request that finds the log full (its tail one entry behind the head) is discarded
//   and sets PprOverflow (bit 5, W1C); logging stops (PprLogRun clears) until software
//   clears the overflow and sets PPRLogEn again, the restart Linux's
//   amd_iommu_restart_ppr_log performs. The auto-response to a lost request
//   (CONTROL.PPRAutoRspEn) is not modelled; AmdviUnit::page_request reports the loss
//   so that the platform answers Response Failure (unit_ppr.cpp).
// - Each entry written sets PprInt (bit 6, W1C); the unit interrupts when
//   CONTROL.PprIntEn is set, for PprInt as for PprOverflow.
#pragma once

#include <array>
#include <cstdint>

#include "models/amdvi/circular_buffer.h"
#include "models/iommu/ats.h"
#include "models/iommu/host_memory.h"

namespace amdvi {

// The PAGE_SERVICE_REQUEST entry (Linux amd_iommu_types.h PPR_*): qword 0 DeviceID 15:0,
// PASID[15:0] 31:16, PPR tag 41:32 (PRG index 8:0, Last 9), PASID[19:16] 45:42, flags
// 59:48 (execute 49, read 50, write 53, US 54: user, RZ 55, GN 56: the PASID is valid),
// PPR code 63:60 = 1; qword 1 the page address 63:12.
std::array<uint64_t, 2> encode_ppr_entry(const iommu::PageRequest& pr);

class PprLog {
public:
    static constexpr uint32_t kPprOverflow = 1u << 5;  // STATUS bits this core owns
    static constexpr uint32_t kPprInt = 1u << 6;
    static constexpr uint32_t kPprLogRun = 1u << 7;

    enum class Outcome { Logged, Overflow, NotRunning, WriteFailed };

    // PPR Log Base (0038h): PPRBase 51:12, PPRLen 59:56.
    void configure(uint64_t base, unsigned pprlen) { ring_ = CircularBuffer::of(base, pprlen); }
    void set_head(uint64_t value) { head_ = ring_.offset(value); }
    void set_tail(uint64_t value) { tail_ = ring_.offset(value); }  // software, while stopped
    uint32_t head() const { return head_; }
    uint32_t tail() const { return tail_; }

    void start() { running_ = true; }
    void stop() { running_ = false; }
    uint32_t status_bits() const;
    void clear_status(uint32_t w1c);

    // Logs `pr` at the tail. WriteFailed: the entry's memory write failed; the request is
    // lost and the tail stays.
    Outcome push(const iommu::PageRequest& pr, iommu::HostMemory& mem);

private:
    CircularBuffer ring_;
    uint32_t head_ = 0, tail_ = 0;
    bool running_ = false, overflow_ = false, interrupt_ = false;
};

}  // namespace amdvi
