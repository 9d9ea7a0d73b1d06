// One VT-d DMA-remapping hardware unit, as software sees it: the register page (VT-d
// spec chapter 10-11) and the translation of requests through the tables in memory.
// Plain C++; the SystemC shell puts it on the DMA path.
//
// Functional here: VER, CAP, ECAP (strapped), GCMD/GSTS with the SRTP and TE
// handshakes (and QIE's status), RTADDR, FSTS, FECTL, the fault recording registers
// with overflow (PFO), and the register-based invalidation commands' completion bits
// (CCMD.ICC, IOTLB.IVT; there are no translation caches yet). Stored only, for now:
// FEDATA/FEADDR/FEUADDR, IQH/IQT/IQA/ICS, the page request queue registers.
// Translation: legacy mode (RTADDR.TTM=00). Scalable mode is not modelled yet.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "models/iommu/translation.h"
#include "models/vtd/capabilities.h"

namespace vtd {

// Reads 8 bytes of host memory for the walk; sets ok=false when the read fails.
using TableReader = std::function<uint64_t(uint64_t pa, bool& ok)>;

class RemappingUnit {
public:
    explicit RemappingUnit(const Capabilities& caps);

    // MMIO, 4 or 8 bytes at an offset of the 4 KiB register page. Unknown offsets
    // read 0 and ignore writes, as reserved registers do.
    uint64_t read(uint32_t offset, unsigned size) const;
    void write(uint32_t offset, uint64_t value, unsigned size);

    // Platform straps for the read-only capability registers.
    void strap_cap(uint64_t cap) { caps_.set_cap(cap); }
    void strap_ecap(uint64_t ecap) { caps_.set_ecap(ecap); }
    const Capabilities& caps() const { return caps_; }

    bool translation_enabled() const { return gsts_ & (1u << 31); }
    // Active translation table mode (latched by SRTP): 0 legacy, 1 scalable.
    unsigned ttm() const { return unsigned(root_ >> 10) & 3; }

    // Translates one request; with translation disabled, DMA passes untranslated.
    // A fault is recorded in the fault recording registers unless FPD says not to.
    iommu::Result translate(const iommu::Request& r, const TableReader& read_table);

    // The register offset and width of a register by its spec name ("RTADDR_REG").
    static std::optional<std::pair<uint32_t, unsigned>> offset_of(const std::string& name,
                                                                  const Capabilities& caps);

private:
    void write_gcmd(uint32_t v);
    void write_fsts(uint32_t v);
    void record_fault(const iommu::Request& r, uint32_t reason);
    uint32_t fsts() const;
    uint32_t fault_reg(uint32_t offset) const;  // index of a fault record, or ~0u

    Capabilities caps_;
    uint32_t gsts_ = 0;
    uint64_t rtaddr_ = 0;    // as written
    uint64_t root_ = 0;      // latched by SRTP
    uint32_t fsts_rw1c_ = 0; // PFO and the queue error bits
    uint32_t fectl_ = 1u << 31;
    uint32_t first_pending_ = 0;
    uint32_t next_record_ = 0;
    struct FaultRecord {
        uint64_t lo = 0, hi = 0;  // FI; SID, PV/PP, FR, T, F
    };
    std::map<uint32_t, FaultRecord> records_;  // by index; absent = all zero
    std::map<uint32_t, uint64_t> stored_;      // registers kept as written
};

}  // namespace vtd
