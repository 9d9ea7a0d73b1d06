// Intel VT-d register offsets and fields (VT-d Architecture Specification, chapter 11
// "Register Descriptions"; the same values as Linux include/linux/intel-iommu.h /
// drivers/iommu/intel/iommu.h DMAR_*_REG and QEMU hw/i386/intel_iommu_internal.h).
#pragma once

#include <cstdint>

namespace vtd {

namespace reg {
constexpr uint32_t VER = 0x00;      // version, 32 bit
constexpr uint32_t CAP = 0x08;      // capability, 64 bit
constexpr uint32_t ECAP = 0x10;     // extended capability, 64 bit
constexpr uint32_t GCMD = 0x18;     // global command, 32 bit
constexpr uint32_t GSTS = 0x1c;     // global status, 32 bit
constexpr uint32_t RTADDR = 0x20;   // root table address, 64 bit
constexpr uint32_t CCMD = 0x28;     // context command, 64 bit
constexpr uint32_t FSTS = 0x34;     // fault status, 32 bit
constexpr uint32_t FECTL = 0x38;    // fault event control, 32 bit
constexpr uint32_t FEDATA = 0x3c;
constexpr uint32_t FEADDR = 0x40;
constexpr uint32_t FEUADDR = 0x44;
constexpr uint32_t IQH = 0x80;      // invalidation queue head
constexpr uint32_t IQT = 0x88;      // invalidation queue tail
constexpr uint32_t IQA = 0x90;      // invalidation queue address
constexpr uint32_t ICS = 0x9c;      // invalidation completion status
constexpr uint32_t PQH = 0xc0;      // page request queue head, 64 bit (18:5)
constexpr uint32_t PQT = 0xc8;      // page request queue tail, 64 bit (18:5), hardware's
constexpr uint32_t PQA = 0xd0;      // page request queue address 63:12, size PQS 2:0
constexpr uint32_t PRS = 0xdc;      // page request status, 32 bit
constexpr uint32_t PECTL = 0xe0;    // page request event control, 32 bit
constexpr uint32_t PEDATA = 0xe4;
constexpr uint32_t PEADDR = 0xe8;
constexpr uint32_t PEUADDR = 0xec;
}  // namespace reg

// GCMD and GSTS share bit positions: a command bit and its status bit.
namespace gcmd {
constexpr uint32_t TE = 1u << 31;    // translation enable / TES
constexpr uint32_t SRTP = 1u << 30;  // set root table pointer / RTPS
constexpr uint32_t SFL = 1u << 29;
constexpr uint32_t EAFL = 1u << 28;
constexpr uint32_t WBF = 1u << 27;
constexpr uint32_t QIE = 1u << 26;   // queued invalidation enable / QIES
constexpr uint32_t IRE = 1u << 25;
constexpr uint32_t SIRTP = 1u << 24;
constexpr uint32_t CFI = 1u << 23;
}  // namespace gcmd

// RTADDR_REG: root table address 63:12, translation table mode 11:10.
constexpr uint64_t kRtaddrAddrMask = ~uint64_t(0xfff);
constexpr unsigned kTtmShift = 10;
enum class Ttm : unsigned { Legacy = 0, Scalable = 1, Reserved2 = 2, Abort = 3 };

// FSTS bits.
namespace fsts {
constexpr uint32_t PFO = 1u << 0;   // primary fault overflow (RW1C)
constexpr uint32_t PPF = 1u << 1;   // primary pending fault (RO: some F bit set)
constexpr uint32_t IQE = 1u << 4;
constexpr uint32_t ICE = 1u << 5;
constexpr uint32_t ITE = 1u << 6;
constexpr uint32_t PRO = 1u << 7;
constexpr unsigned FRI_SHIFT = 8;   // fault record index 15:8
}  // namespace fsts

// FECTL: interrupt mask 31, interrupt pending 30. PECTL_REG has the same two bits
// (spec 11.4.11.5; Linux DMA_FECTL_IM / DMAR_PECTL_REG).
namespace fectl {
constexpr uint32_t IM = 1u << 31;
constexpr uint32_t IP = 1u << 30;
}  // namespace fectl

// PRS_REG (spec 11.4.11.4; Linux DMA_PRS_PPR, DMA_PRS_PRO): both write 1 to clear.
namespace prs {
constexpr uint32_t PPR = 1u << 0;   // pending page request
constexpr uint32_t PRO = 1u << 1;   // page request overflow
}  // namespace prs

// Legacy-mode fault reasons (VT-d spec 7.1.3, Table "Unsuccessful Translated Requests").
namespace fault {
constexpr uint32_t ROOT_NOT_PRESENT = 0x1;
constexpr uint32_t CONTEXT_NOT_PRESENT = 0x2;
constexpr uint32_t CONTEXT_INVALID = 0x3;       // unsupported AW or TT, or SLPTPTR access error
constexpr uint32_t ADDRESS_BEYOND_AW = 0x4;     // above min(MGAW, AGAW)
constexpr uint32_t WRITE = 0x5;                 // no write permission
constexpr uint32_t READ = 0x6;                  // no read permission
constexpr uint32_t PAGING_ENTRY_ACCESS = 0x7;   // error reading a second-level entry
constexpr uint32_t ROOT_ACCESS = 0x8;
constexpr uint32_t CONTEXT_ACCESS = 0x9;
constexpr uint32_t ROOT_RESERVED = 0xa;
constexpr uint32_t CONTEXT_RESERVED = 0xb;
constexpr uint32_t PAGING_ENTRY_RESERVED = 0xc;
constexpr uint32_t BLOCKED_BY_TT = 0xd;         // request type not allowed by TT
}  // namespace fault

}  // namespace vtd
