// AMD-Vi MMIO register offsets and fields (AMD I/O Virtualization Technology (IOMMU)
// Specification 48882 rev 3.x, §3.4 "IOMMU MMIO Registers"; the same values as Linux
// drivers/iommu/amd/amd_iommu_types.h MMIO_* / CONTROL_* / FEATURE_* and QEMU
// hw/i386/amd_iommu.h AMDVI_MMIO_*). All registers are 64 bits wide.
#pragma once

#include <cstdint>

#include "models/amdvi/bits.h"

namespace amdvi {

namespace reg {
constexpr uint32_t DEV_TABLE_BASE = 0x0000;  // §3.4.1 Device Table Base Address
constexpr uint32_t CMD_BUF_BASE = 0x0008;    // §3.4.2 Command Buffer Base Address
constexpr uint32_t EVT_LOG_BASE = 0x0010;    // §3.4.3 Event Log Base Address
constexpr uint32_t CONTROL = 0x0018;         // §3.4.4 IOMMU Control
constexpr uint32_t EXCL_BASE = 0x0020;       // §3.4.5 Exclusion Base
constexpr uint32_t EXCL_LIMIT = 0x0028;      // §3.4.5 Exclusion Range Limit
constexpr uint32_t EXT_FEATURE = 0x0030;     // §3.4.6 Extended Feature (read-only)
constexpr uint32_t PPR_LOG_BASE = 0x0038;    // §3.4.7 PPR Log Base Address
constexpr uint32_t CMD_HEAD = 0x2000;        // §3.4.10 Command Buffer Head Pointer
constexpr uint32_t CMD_TAIL = 0x2008;        // Command Buffer Tail Pointer
constexpr uint32_t EVT_HEAD = 0x2010;        // Event Log Head Pointer
constexpr uint32_t EVT_TAIL = 0x2018;        // Event Log Tail Pointer
constexpr uint32_t STATUS = 0x2020;          // §3.4.11 IOMMU Status
constexpr uint32_t PPR_HEAD = 0x2030;        // PPR Log Head Pointer
constexpr uint32_t PPR_TAIL = 0x2038;        // PPR Log Tail Pointer
}  // namespace reg

// Device Table Base Address: DevTabBase 51:12, Size 8:0 (the table is Size + 1 4 KiB
// pages: 128 entries per page).
namespace devtab {
constexpr uint64_t ADDR = mask(51, 12);
constexpr Field SIZE{0, 9};
constexpr uint64_t WRITABLE = ADDR | SIZE.mask();
constexpr uint64_t bytes(uint64_t reg) { return (SIZE.get(reg) + 1) << 12; }
}  // namespace devtab

// Command buffer, event log and PPR log base registers: base 51:12, length 59:56
// (2^Len entries of 16 bytes; Len 0-7 are reserved, 8 = 256 entries .. 15 = 32768).
namespace ring {
constexpr uint64_t ADDR = mask(51, 12);
constexpr Field LEN{56, 4};
constexpr uint64_t WRITABLE = ADDR | LEN.mask();
constexpr unsigned MIN_LEN = 8;
constexpr uint64_t entries(uint64_t reg) {
    return uint64_t(1) << (LEN.get(reg) < MIN_LEN ? MIN_LEN : LEN.get(reg));
}
// Head and tail pointers: a byte offset into the buffer, bits 18:4.
constexpr uint64_t PTR = mask(18, 4);
constexpr unsigned ENTRY_BYTES = 16;
}  // namespace ring

// IOMMU Control (§3.4.4; Linux CONTROL_*).
namespace ctrl {
constexpr uint64_t IOMMU_EN = uint64_t(1) << 0;
constexpr uint64_t HT_TUN_EN = uint64_t(1) << 1;
constexpr uint64_t EVENT_LOG_EN = uint64_t(1) << 2;
constexpr uint64_t EVENT_INT_EN = uint64_t(1) << 3;
constexpr uint64_t COM_WAIT_INT_EN = uint64_t(1) << 4;
constexpr Field INV_TIMEOUT{5, 3};
constexpr uint64_t PASS_PW = uint64_t(1) << 8;
constexpr uint64_t RES_PASS_PW = uint64_t(1) << 9;
constexpr uint64_t COHERENT = uint64_t(1) << 10;  // the IOMMU's own table reads snoop
constexpr uint64_t ISOC = uint64_t(1) << 11;
constexpr uint64_t CMD_BUF_EN = uint64_t(1) << 12;
constexpr uint64_t PPR_LOG_EN = uint64_t(1) << 13;
constexpr uint64_t PPR_INT_EN = uint64_t(1) << 14;
constexpr uint64_t PPR_EN = uint64_t(1) << 15;
constexpr uint64_t GT_EN = uint64_t(1) << 16;
constexpr uint64_t GA_EN = uint64_t(1) << 17;
constexpr uint64_t SMIF_EN = uint64_t(1) << 22;
constexpr uint64_t SLF_WB_DIS = uint64_t(1) << 23;
constexpr uint64_t SMIF_LOG_EN = uint64_t(1) << 24;
constexpr Field GAM_EN{25, 3};
constexpr uint64_t GA_LOG_EN = uint64_t(1) << 28;
constexpr uint64_t GA_INT_EN = uint64_t(1) << 29;
constexpr Field DEV_TBL_SEG_EN{34, 3};
constexpr uint64_t EPH_EN = uint64_t(1) << 45;
constexpr Field HAD_UPDATE{46, 2};
constexpr uint64_t XT_EN = uint64_t(1) << 50;
constexpr uint64_t INT_CAP_XT_EN = uint64_t(1) << 51;
}  // namespace ctrl

// IOMMU Status (§3.4.11; Linux MMIO_STATUS_*). Interrupt and overflow bits are
// write-1-to-clear; the Run bits are read-only.
namespace status {
constexpr uint64_t EVENT_OVERFLOW = uint64_t(1) << 0;
constexpr uint64_t EVENT_LOG_INT = uint64_t(1) << 1;
constexpr uint64_t COM_WAIT_INT = uint64_t(1) << 2;
constexpr uint64_t EVENT_LOG_RUN = uint64_t(1) << 3;
constexpr uint64_t CMD_BUF_RUN = uint64_t(1) << 4;
constexpr uint64_t PPR_OVERFLOW = uint64_t(1) << 5;
constexpr uint64_t PPR_INT = uint64_t(1) << 6;
constexpr uint64_t PPR_LOG_RUN = uint64_t(1) << 7;
constexpr uint64_t GA_LOG_RUN = uint64_t(1) << 8;
constexpr uint64_t GA_OVERFLOW = uint64_t(1) << 9;
constexpr uint64_t GA_INT = uint64_t(1) << 10;
constexpr uint64_t PPR_OVERFLOW_B = uint64_t(1) << 11;
constexpr uint64_t EVENT_OVERFLOW_B = uint64_t(1) << 15;
constexpr uint64_t PPR_OVERFLOW_EARLY_B = uint64_t(1) << 17;
constexpr uint64_t PPR_OVERFLOW_EARLY = uint64_t(1) << 18;
constexpr uint64_t W1C = EVENT_OVERFLOW | EVENT_LOG_INT | COM_WAIT_INT | PPR_OVERFLOW | PPR_INT | GA_OVERFLOW |
                         GA_INT | PPR_OVERFLOW_B | EVENT_OVERFLOW_B | PPR_OVERFLOW_EARLY_B | PPR_OVERFLOW_EARLY;
}  // namespace status

// Exclusion Base (ExEn 0, Allow 1, base 51:12) and Range Limit (51:12; bits 11:0 are
// taken as all ones) (§3.4.5, §2.3.1 exclusion range).
namespace excl {
constexpr uint64_t EX_EN = uint64_t(1) << 0;
constexpr uint64_t ALLOW = uint64_t(1) << 1;
constexpr uint64_t ADDR = mask(51, 12);
}  // namespace excl

// Extended Feature Register (§3.4.6; Linux FEATURE_*).
namespace efr {
constexpr Field PREF_SUP{0, 1};
constexpr Field PPR_SUP{1, 1};
constexpr Field XT_SUP{2, 1};
constexpr Field NX_SUP{3, 1};
constexpr Field GT_SUP{4, 1};
constexpr Field IA_SUP{6, 1};
constexpr Field GA_SUP{7, 1};
constexpr Field HE_SUP{8, 1};
constexpr Field PC_SUP{9, 1};
constexpr Field HATS{10, 2};  // host table levels: 0 four, 1 five, 2 six, 3 reserved
constexpr Field GATS{12, 2};  // guest table levels: 0 four, 1 five
constexpr Field GLX_SUP{14, 2};  // GCR3 table levels: 0 one, 1 two
constexpr Field SMIF_SUP{16, 2};
constexpr Field SMIF_RC{18, 3};
constexpr Field GAM_SUP{21, 3};
constexpr Field DUAL_PPR_LOG_SUP{24, 2};
constexpr Field DUAL_EVENT_LOG_SUP{28, 2};
constexpr Field PAS_MAX{32, 5};  // the largest PASID is 2^(PASmax + 1) - 1
constexpr Field US_SUP{37, 1};
constexpr Field DEV_TBL_SEG_SUP{38, 2};
constexpr Field PPR_OVRFLW_EARLY_SUP{40, 1};
constexpr Field PPR_AUTO_RSP_SUP{41, 1};
constexpr Field MARC_SUP{42, 2};
constexpr Field BLK_STOP_MRK_SUP{44, 1};
constexpr Field PERF_OPT_SUP{45, 1};
constexpr Field MSI_CAP_MMIO_SUP{46, 1};
constexpr Field GIO_SUP{48, 1};
constexpr Field HA_SUP{49, 1};
constexpr Field EPH_SUP{50, 1};
constexpr Field ATTR_FW_SUP{51, 1};
constexpr Field HD_SUP{52, 1};
constexpr Field INV_IOTLB_TYPE_SUP{54, 1};
constexpr Field SNP_SUP{63, 1};
}  // namespace efr

}  // namespace amdvi
