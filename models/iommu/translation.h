// What every architecture's translation produces, whatever its tables look like.
//
// The engine (models/iommu) is vendor-neutral; each architecture supplies a walker: a
// small state machine whose step() asks for one 8-byte read at a physical address or
// finishes with a translation or a fault. How the three map onto it:
//
// - Intel VT-d: context = root table -> context entry (legacy) or scalable root ->
//   context -> PASID directory -> PASID table entry; the walk is the second-level table
//   (3-5 levels), the first-level x86 table, or first-level over second-level (nested:
//   every first-level table pointer is itself translated by the second level).
// - AMD-Vi: context = device table entry (by requester ID) and, with a PASID, the GCR3
//   table; the walk is the host page table whose entries may skip levels (NextLevel
//   < level-1) and encode non-standard page sizes with NextLevel=7; guest tables
//   (GCR3) over host tables are the nested case.
// - Arm SMMUv3: context = stream table (linear or two-level) -> STE -> context
//   descriptor (by SubstreamID); the walk is a VMSAv8-64 table with a 4K, 16K or 64K
//   granule, stage 1, stage 2, or stage 1 whose table addresses are IPAs translated
//   by stage 2 (Config=0b111).
//
// Fault codes stay architectural (VT-d fault reasons, AMD event types, SMMUv3 event
// IDs): the engine carries them without interpreting them.
#pragma once

#include <cstdint>

namespace iommu {

// The PCIe AT field of a request (ATS: PCIe Base Spec 10.1).
enum class At : uint8_t { Untranslated = 0, TranslationRequest = 1, Translated = 2 };

// A DMA request as the IOMMU sees it.
struct Request {
    At at = At::Untranslated;
    uint16_t sid = 0;        // requester ID / StreamID
    uint64_t iova = 0;
    bool read = false;
    bool write = false;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool priv = false;       // privileged-mode request (PASID prefix)
    bool exec = false;       // execute request (PASID prefix)
    bool no_snoop = false;   // the request's No Snoop attribute
};

// The outcome of a translation.
struct Result {
    bool fault = false;
    uint32_t reason = 0;       // architectural fault code when fault
    bool record = true;        // false: the fault is not reported (e.g. VT-d FPD=1)
    uint64_t pa = 0;           // translated address of iova
    uint64_t page_size = 0;    // size of the leaf that translated
    bool read = false;         // permissions granted, combined over levels and stages
    bool write = false;
    bool snoop = true;         // the access goes to memory snooped
    bool force_snoop = false;  // the tables force snooping whatever the request says
                               // (VT-d SNP/PGSNP with ECAP.SC, AMD-Vi FC)
    // The fault stalled the transaction (SMMUv3 stall model): fault is set too, and the
    // unit names it by `stag` until it tells Unit::on_stall_end to retry or terminate it.
    bool stall = false;
    uint16_t stag = 0;
};

// Translation disabled (not yet enabled by software): the request goes to memory at
// its own address, with its own No Snoop attribute.
inline Result untranslated(const Request& r) {
    Result out;
    out.pa = r.iova;
    out.page_size = 4096;
    out.read = out.write = true;
    out.snoop = !r.no_snoop;
    return out;
}

// One 8-byte table read a walker asks for.
struct ReadRequest {
    uint64_t pa;
};

}  // namespace iommu
