// CAP_REG and ECAP_REG: what a VT-d implementation supports. A platform straps them;
// here they come from configuration (VtdParams) or a --reg CAP_REG=/ECAP_REG= value,
// and the model behaves exactly as the decoded fields say.
// Field positions: VT-d spec 11.4.2 and 11.4.3 (Linux cap_*/ecap_* macros).
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace vtd {

struct Capabilities {
    // CAP_REG
    uint32_t nd = 6;        // 2:0   domain-ID width: 4 + 2*ND bits
    bool cm = false;        // 7     caching mode
    uint32_t sagaw = 0x6;   // 12:8  bit 1: 39-bit 3-level, bit 2: 48-bit 4-level, bit 3: 57-bit 5-level
    uint32_t mgaw = 48;     // 21:16 maximum guest address width (field holds MGAW-1)
    uint32_t fro = 0x22;    // 33:24 fault recording offset, in 16-byte units
    uint32_t sllps = 0x3;   // 37:34 bit 0: 2 MiB, bit 1: 1 GiB second-level pages
    bool psi = true;        // 39    page-selective invalidation
    uint32_t nfr = 8;       // 47:40 number of fault recording registers (field holds NFR-1)
    uint32_t mamv = 18;     // 53:48 maximum address mask value
    bool fl1gp = true;      // 56    first-level 1 GiB pages
    bool fl5lp = false;     // 60    first-level 5-level paging
    // ECAP_REG
    bool c = true;          // 0     page-walk coherency
    bool qi = true;         // 1     queued invalidation
    bool dt = false;        // 2     device-TLB
    bool pt = true;         // 6     pass-through
    bool sc = true;         // 7     snoop control
    uint32_t iro = 0x50;    // 17:8  IOTLB register offset, in 16-byte units
    bool nest = false;      // 26
    bool prs = false;       // 29    page requests (a strap: off unless configured)
    bool pasid = false;     // 40
    uint32_t pss = 19;      // 39:35 PASID size supported (field holds bits-1)
    bool smts = false;      // 43    scalable-mode translation
    bool ssads = false;     // 45    second-level accessed/dirty
    bool slts = true;       // 46    second-level translation (scalable mode)
    bool flts = false;      // 47    first-level translation
    uint32_t haw = 46;      // host address width (ACPI DMAR), not a CAP field

    void bind(sim::ParamBinder& b);
    void validate() const;

    uint64_t cap() const;
    uint64_t ecap() const;
    // Replace the CAP/ECAP-derived fields with those of a register value.
    void set_cap(uint64_t v);
    void set_ecap(uint64_t v);

    uint32_t domain_id_bits() const { return 4 + 2 * nd; }
    bool supports_levels(unsigned levels) const { return sagaw & (1u << (levels - 2)); }
};

}  // namespace vtd
