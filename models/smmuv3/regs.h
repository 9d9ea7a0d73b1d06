// Arm SMMUv3 register offsets and fields (Arm IHI 0070, chapter 6 "Memory map and
// registers"; the same values as Linux drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h
// ARM_SMMU_* and gem5 src/dev/arm/smmu_v3_defs.hh). The registers occupy two 64 KiB
// pages (§6.1): page 0 from offset 0x0, page 1 from 0x10000.
#pragma once

#include <cstdint>

namespace smmuv3 {

namespace reg {
// Page 0 (§6.2, register map).
constexpr uint32_t IDR0 = 0x00;
constexpr uint32_t IDR1 = 0x04;
constexpr uint32_t IDR2 = 0x08;
constexpr uint32_t IDR3 = 0x0c;
constexpr uint32_t IDR4 = 0x10;
constexpr uint32_t IDR5 = 0x14;
constexpr uint32_t IIDR = 0x18;
constexpr uint32_t AIDR = 0x1c;
constexpr uint32_t CR0 = 0x20;
constexpr uint32_t CR0ACK = 0x24;
constexpr uint32_t CR1 = 0x28;
constexpr uint32_t CR2 = 0x2c;
constexpr uint32_t STATUSR = 0x40;
constexpr uint32_t GBPA = 0x44;
constexpr uint32_t AGBPA = 0x48;
constexpr uint32_t IRQ_CTRL = 0x50;
constexpr uint32_t IRQ_CTRLACK = 0x54;
constexpr uint32_t GERROR = 0x60;
constexpr uint32_t GERRORN = 0x64;
constexpr uint32_t GERROR_IRQ_CFG0 = 0x68;  // 64 bit
constexpr uint32_t GERROR_IRQ_CFG1 = 0x70;
constexpr uint32_t GERROR_IRQ_CFG2 = 0x74;
constexpr uint32_t STRTAB_BASE = 0x80;      // 64 bit
constexpr uint32_t STRTAB_BASE_CFG = 0x88;
constexpr uint32_t CMDQ_BASE = 0x90;        // 64 bit
constexpr uint32_t CMDQ_PROD = 0x98;
constexpr uint32_t CMDQ_CONS = 0x9c;
constexpr uint32_t EVENTQ_BASE = 0xa0;      // 64 bit
constexpr uint32_t EVENTQ_IRQ_CFG0 = 0xb0;  // 64 bit
constexpr uint32_t EVENTQ_IRQ_CFG1 = 0xb8;
constexpr uint32_t EVENTQ_IRQ_CFG2 = 0xbc;
constexpr uint32_t PRIQ_BASE = 0xc0;        // 64 bit
constexpr uint32_t PRIQ_IRQ_CFG0 = 0xd0;    // 64 bit
constexpr uint32_t PRIQ_IRQ_CFG1 = 0xd8;
constexpr uint32_t PRIQ_IRQ_CFG2 = 0xdc;
// Page 1: the event and PRI queue indexes live only here (§6.2). Page 0 offsets
// 0xa8/0xac/0xc8/0xcc are not these registers (Linux reaches them through its page-1
// fixup; register-in-page-0 is a Cavium erratum, ARM_SMMU_OPT_PAGE0_REGS_ONLY).
constexpr uint32_t PAGE1 = 0x10000;
constexpr uint32_t EVENTQ_PROD = PAGE1 + 0xa8;  // 0x100a8
constexpr uint32_t EVENTQ_CONS = PAGE1 + 0xac;  // 0x100ac
constexpr uint32_t PRIQ_PROD = PAGE1 + 0xc8;    // 0x100c8
constexpr uint32_t PRIQ_CONS = PAGE1 + 0xcc;    // 0x100cc
}  // namespace reg

// A field: bits [lo, lo + width). get() extracts it from a register value.
struct Field {
    unsigned lo;
    unsigned width;
    constexpr uint64_t mask() const { return ((width >= 64) ? ~uint64_t(0) : ((uint64_t(1) << width) - 1)) << lo; }
    constexpr uint64_t get(uint64_t v) const { return (v & mask()) >> lo; }
    constexpr uint64_t put(uint64_t x) const { return (x << lo) & mask(); }
};

// SMMU_IDR0 (§6.3).
namespace idr0 {
constexpr Field S2P{0, 1};
constexpr Field S1P{1, 1};
constexpr Field TTF{2, 2};          // 0b01 AArch32, 0b10 AArch64, 0b11 both
constexpr Field COHACC{4, 1};
constexpr Field BTM{5, 1};
constexpr Field HTTU{6, 2};         // 0b01 access flag, 0b10 access flag and dirty state
constexpr Field DORMHINT{8, 1};
constexpr Field HYP{9, 1};
constexpr Field ATS{10, 1};
constexpr Field NS1ATS{11, 1};
constexpr Field ASID16{12, 1};
constexpr Field MSI{13, 1};
constexpr Field SEV{14, 1};
constexpr Field ATOS{15, 1};
constexpr Field PRI{16, 1};
constexpr Field VMW{17, 1};
constexpr Field VMID16{18, 1};
constexpr Field CD2L{19, 1};
constexpr Field VATOS{20, 1};
constexpr Field TTENDIAN{21, 2};    // 0b00 mixed, 0b10 little, 0b11 big
constexpr Field ATSRECERR{23, 1};
constexpr Field STALL_MODEL{24, 2}; // 0b00 stall and terminate, 0b01 terminate only, 0b10 stall forced
constexpr Field TERM_MODEL{26, 1};
constexpr Field ST_LEVEL{27, 2};    // 0b00 linear only, 0b01 two-level too
constexpr unsigned TTF_AARCH32 = 1, TTF_AARCH64 = 2, TTF_BOTH = 3;
constexpr unsigned TTENDIAN_MIXED = 0, TTENDIAN_LE = 2, TTENDIAN_BE = 3;
constexpr unsigned STALL_MODEL_BOTH = 0, STALL_MODEL_TERMINATE = 1, STALL_MODEL_FORCE = 2;
}  // namespace idr0

// SMMU_IDR1 (§6.3).
namespace idr1 {
constexpr Field SIDSIZE{0, 6};
constexpr Field SSIDSIZE{6, 5};
constexpr Field PRIQS{11, 5};
constexpr Field EVENTQS{16, 5};
constexpr Field CMDQS{21, 5};
constexpr Field ATTR_PERMS_OVR{26, 1};
constexpr Field ATTR_TYPES_OVR{27, 1};
constexpr Field REL{28, 1};
constexpr Field QUEUES_PRESET{29, 1};
constexpr Field TABLES_PRESET{30, 1};
constexpr Field ECMDQ{31, 1};
}  // namespace idr1

// SMMU_IDR3 (§6.3).
namespace idr3 {
constexpr Field HAD{2, 1};
constexpr Field PBHA{3, 1};
constexpr Field XNX{4, 1};
constexpr Field PPS{5, 1};
constexpr Field MPAM{7, 1};
constexpr Field FWB{8, 1};
constexpr Field STT{9, 1};
constexpr Field RIL{10, 1};   // range invalidation (TLBI NUM/SCALE/TG/TTL)
constexpr Field BBML{11, 2};
}  // namespace idr3

// SMMU_IDR5 (§6.3).
namespace idr5 {
constexpr Field OAS{0, 3};    // 32, 36, 40, 42, 44, 48, 52 bits
constexpr Field GRAN4K{4, 1};
constexpr Field GRAN16K{5, 1};
constexpr Field GRAN64K{6, 1};
constexpr Field VAX{10, 2};   // 0b01: 52-bit VA with 64K granule
constexpr Field STALL_MAX{16, 16};
}  // namespace idr5

// SMMU_CR0 / SMMU_CR0ACK (§6.3): same bit positions.
namespace cr0 {
constexpr uint32_t SMMUEN = 1u << 0;
constexpr uint32_t PRIQEN = 1u << 1;
constexpr uint32_t EVENTQEN = 1u << 2;
constexpr uint32_t CMDQEN = 1u << 3;
constexpr uint32_t ATSCHK = 1u << 4;
constexpr Field VMW{6, 3};
}  // namespace cr0

// SMMU_CR1 (§6.3): table and queue fetch attributes.
namespace cr1 {
constexpr Field QUEUE_IC{0, 2};
constexpr Field QUEUE_OC{2, 2};
constexpr Field QUEUE_SH{4, 2};
constexpr Field TABLE_IC{6, 2};
constexpr Field TABLE_OC{8, 2};
constexpr Field TABLE_SH{10, 2};
}  // namespace cr1

// SMMU_CR2 (§6.3). RECINVSID resets UNKNOWN: C_BAD_STREAMID is recorded only when set.
namespace cr2 {
constexpr uint32_t E2H = 1u << 0;
constexpr uint32_t RECINVSID = 1u << 1;
constexpr uint32_t PTM = 1u << 2;
constexpr uint32_t REC_CFG_ATS = 1u << 3;  // with IDR0.ATSRECERR: record ATS/PRI configuration errors
}  // namespace cr2

// SMMU_GBPA (§6.3): attributes and abort for traffic while SMMUEN == 0.
namespace gbpa {
constexpr Field MEMATTR{0, 4};
constexpr Field MTCFG{4, 1};
constexpr Field ALLOCCFG{8, 4};
constexpr Field SHCFG{12, 2};
constexpr Field PRIVCFG{16, 2};
constexpr Field INSTCFG{18, 2};
constexpr uint32_t ABORT = 1u << 20;
constexpr uint32_t UPDATE = 1u << 31;
}  // namespace gbpa

// SMMU_IRQ_CTRL / SMMU_IRQ_CTRLACK (§6.3).
namespace irq_ctrl {
constexpr uint32_t GERROR_IRQEN = 1u << 0;
constexpr uint32_t PRIQ_IRQEN = 1u << 1;
constexpr uint32_t EVENTQ_IRQEN = 1u << 2;
}  // namespace irq_ctrl

// SMMU_GERROR / SMMU_GERRORN (§6.3): an error is active while the bits differ.
namespace gerror {
constexpr uint32_t CMDQ_ERR = 1u << 0;
constexpr uint32_t EVENTQ_ABT_ERR = 1u << 2;
constexpr uint32_t PRIQ_ABT_ERR = 1u << 3;
constexpr uint32_t MSI_CMDQ_ABT_ERR = 1u << 4;
constexpr uint32_t MSI_EVENTQ_ABT_ERR = 1u << 5;
constexpr uint32_t MSI_PRIQ_ABT_ERR = 1u << 6;
constexpr uint32_t MSI_GERROR_ABT_ERR = 1u << 7;
constexpr uint32_t SFM_ERR = 1u << 8;
constexpr uint32_t ALL = 0x1fd;
}  // namespace gerror

// SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG (§6.3).
namespace strtab_base {
constexpr Field ADDR{6, 46};  // 51:6
constexpr uint64_t RA = uint64_t(1) << 62;
}  // namespace strtab_base
namespace strtab_base_cfg {
constexpr Field LOG2SIZE{0, 6};
constexpr Field SPLIT{6, 5};
constexpr Field FMT{16, 2};   // 0b00 linear, 0b01 two-level
constexpr unsigned FMT_LINEAR = 0, FMT_2LVL = 1;
}  // namespace strtab_base_cfg

// SMMU_CMDQ_BASE, SMMU_EVENTQ_BASE, SMMU_PRIQ_BASE (§6.3).
namespace queue_base {
constexpr Field LOG2SIZE{0, 5};
constexpr Field ADDR{5, 47};  // 51:5
constexpr uint64_t RA_WA = uint64_t(1) << 62;  // RA for the command queue, WA for the others
}  // namespace queue_base

// SMMU_CMDQ_CONS.ERR (§6.3): why the command at CONS stopped the queue.
namespace cmdq_cons {
constexpr Field ERR{24, 7};
constexpr unsigned CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2, CERROR_ATC_INV_SYNC = 3;
}  // namespace cmdq_cons

}  // namespace smmuv3
