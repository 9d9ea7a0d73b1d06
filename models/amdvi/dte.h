// The 256-bit Device Table Entry (§2.2.2.1 "Device Table Entry Format"; Linux
// DTE_FLAG_* / DEV_ENTRY_*): four little-endian qwords, indexed by DeviceID from the
// Device Table Base. Only the DMA-translation fields are decoded; interrupt
// remapping (qword 2) is not modelled and its bits are not checked.
//
// Guest (GCR3) translation (guest_walk.h) uses GV, GLX, the GCR3 table root pointer
// and GuestPagingMode (qword 2 bits 55:54, DTE 183:182; Linux DTE_GPT_LEVEL_SHIFT).
#pragma once

#include <cstdint>

#include "models/amdvi/features.h"

namespace amdvi {

struct Dte {
    // Qword 0
    bool v = false;           // 0: the entry is valid (V=0: DMA passes untranslated)
    bool tv = false;          // 1: translation information valid
    unsigned had = 0;         // 8:7: host access (bit 7) / dirty (both) updates
    unsigned mode = 0;        // 11:9: host table levels; 0 no translation, 7 reserved
    uint64_t root = 0;        // 51:12: host page table root pointer
    bool ppr = false;         // 52: peripheral page requests allowed
    bool gprp = false;        // 53: guest PPR response with PASID
    bool giov = false;        // 54: guest I/O protection valid
    bool gv = false;          // 55: guest translation valid
    unsigned glx = 0;         // 57:56: GCR3 table levels
    uint64_t gcr3 = 0;        // GCR3 table root: [14:12] 60:58, [30:15] 95:80, [51:31] 127:107
    bool ir = false;          // 61: I/O read permission
    bool iw = false;          // 62: I/O write permission
    // Qword 1
    uint16_t domain_id = 0;   // 79:64
    bool i = false;           // 96: IOTLB enable (device ATS)
    bool se = false;          // 97: suppress repeated I/O page fault events
    bool sa = false;          // 98: suppress all I/O page fault events
    unsigned ioctl = 0;       // 100:99: port I/O control
    bool cache = false;       // 101: IOTLB cache hint
    bool sd = false;          // 102: snoop disable for the IOMMU's table reads
    bool ex = false;          // 103: allow the exclusion range
    unsigned sysmgt = 0;      // 105:104: system management message handling
    // Qword 2
    unsigned gpm = 0;         // 183:182: guest paging mode, 0 four levels, 1 five
    // Qword 3
    bool mode0_fc = false;    // 247: Mode 0 accesses are forced coherent
};

// Decodes the four qwords as read from memory.
Dte decode_dte(const uint64_t q[4]);

// What an entry with V=1 asks that the unit cannot do (§2.2.2.1, §2.5.3
// ILLEGAL_DEV_TABLE_ENTRY): a reserved bit set (RZ=1 in the event), or levels the
// unit does not walk (RZ=0): Mode 7 or deeper than EFR.HATS allows; with GV=1, a GLX
// beyond EFR.GLXSup or a guest paging mode beyond EFR.GATS.
enum class DteProblem { None, ReservedBit, BadMode };
DteProblem check_dte(const Dte& d, const uint64_t q[4], const Features& f);

// Where the entry of `device_id` lives, and whether it is inside the table the Device
// Table Base register describes (Size: (Size + 1) 4 KiB pages).
uint64_t dte_address(uint64_t devtab_reg, uint16_t device_id);
bool dte_in_table(uint64_t devtab_reg, uint16_t device_id);

}  // namespace amdvi
