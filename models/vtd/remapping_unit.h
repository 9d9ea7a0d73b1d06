// One VT-d DMA-remapping hardware unit, as software sees it: the register page (VT-d
// spec chapter 10-11) and the translation of requests through the tables in memory.
// Plain C++; the SystemC shell puts it on the DMA path.
//
// Functional here: VER, CAP, ECAP (strapped), GCMD/GSTS with the SRTP, TE and QIE
// handshakes, RTADDR, FSTS, FECTL, the fault recording registers with overflow (PFO),
// register-based invalidation (CCMD, IVA/IOTLB) and the invalidation queue (IQA, IQT,
// IQH, ICS, 128- and 256-bit descriptors), over a context-cache and an IOTLB.
// ATS (spec 4.1-4.2): translation requests and translated requests gated by the context
// entry (legacy TT=01b, scalable DTE); device-TLB invalidation descriptors reach the
// devices through Unit::endpoints. Page requests (ECAP.PRS, spec 7.5) go into the page
// request queue (page_request_queue.h); page group responses go back to the device.
// Stored only, for now: FEDATA/FEADDR/FEUADDR.
// Translation: legacy mode (RTADDR.TTM=00) and scalable mode (TTM=01), each through
// its caches (scalable: context-cache, PASID-cache and the PASID-tagged IOTLB; the
// paging-structure caches serve legacy walks only).
// As an iommu::Translator, the same unit runs under the engine's timing shell: the
// lookup stage answers from the caches, walks run in walker slots whose reads the
// shell carries to memory; translate() is the functional loop over the same steps.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <memory>
#include <vector>

#include "models/iommu/cache_geometry.h"
#include "models/iommu/command_cost.h"
#include "models/iommu/config_shortcut.h"
#include "models/iommu/translation.h"
#include "models/iommu/slotted_unit.h"
#include "models/sim/stats.h"
#include "models/vtd/caches.h"
#include "models/vtd/capabilities.h"
#include "models/vtd/invalidation.h"
#include "models/vtd/page_request_queue.h"
#include "models/vtd/walk_slot.h"

namespace vtd {

using iommu::CacheGeometry;
using iommu::HostMemory;

struct UnitParams {
    CacheGeometry iotlb{16, 4, "lru"};
    CacheGeometry context_cache{4, 4, "lru"};
    CacheGeometry pasid_cache{4, 4, "lru"};
    CacheGeometry walk_cache{4, 4, "lru"};  // each level: PDE, PDPE, PML4E, PML5E
    iommu::CommandCost iq;  // [vtd.iq]: the invalidation queue's processing time
    uint64_t seed = 1;
};

class RemappingUnit : public iommu::SlottedUnit<WalkSlot> {
public:
    RemappingUnit(const Capabilities& caps, const UnitParams& p, HostMemory& mem);
    ~RemappingUnit() override;

    // MMIO, 4 or 8 bytes at an offset of the 4 KiB register page. Unknown offsets
    // read 0 and ignore writes, as reserved registers do.
    uint64_t read(uint32_t offset, unsigned size) const override;
    void write(uint32_t offset, uint64_t value, unsigned size) override;

    // Platform straps for the read-only capability registers.
    void strap_cap(uint64_t cap) { caps_.set_cap(cap); }
    void strap_ecap(uint64_t ecap) { caps_.set_ecap(ecap); }
    const Capabilities& caps() const { return caps_; }

    bool translation_enabled() const { return gsts_ & (1u << 31); }
    // Active translation table mode (latched by SRTP): 0 legacy, 1 scalable.
    unsigned ttm() const { return unsigned(root_ >> 10) & 3; }

    // translate(): with translation disabled, DMA passes untranslated; a fault is
    // recorded in the fault recording registers unless FPD says not to.
    // "0x5 WRITE": the fault reason (spec 7.1.3 legacy, 7.1.4 scalable) by its name.
    std::string fault_text(uint32_t reason) const override;

    // iommu::Translator: the same translation in stages, for the timing shell.
    bool lookup(const iommu::Request& r, iommu::Result& out) override;
    bool reads_ahead() const override { return true; }  // legacy mode; scalable answers none
    uint64_t walk_read_ahead(const iommu::Request& r) const override;
    uint64_t output_ahead(const iommu::Request& r) const override;
    iommu::Result merged(const iommu::Request& r, const iommu::Result& walked) override;
    bool walks_snoop() const override { return caps_.c; }
    // Applies one invalidation request (from registers or the queue); on_invalidate
    // hears of it first.
    void invalidate(const Invalidation& inv);
    uint64_t command_cycles() const override { return iq_clock_.cycles(); }
    // A page request (spec 7.5): queued when ECAP.PRS is set, the unit translates in
    // scalable mode, the device's context entry has PRE and PQA_REG is set up; refused
    // (false) otherwise, with a fault recorded where the spec records one.
    bool page_request(const iommu::PageRequest& pr) override;

    // The register offset and width of a register by its spec name ("RTADDR_REG").
    static std::optional<std::pair<uint32_t, unsigned>> offset_of(const std::string& name,
                                                                  const Capabilities& caps);
    // Every name offset_of knows, sorted.
    static std::vector<std::string> register_names();

private:
    bool write_half(uint32_t offset, uint64_t value);
    void write_gcmd(uint32_t v);
    void write_iqt(uint64_t v);
    void process_queue();
    void begin(WalkSlot& w, const iommu::Request& r) override;
    iommu::Result end(WalkSlot& w) override;
    iommu::HostMemory& walk_memory() override { return mem_; }
    bool lookup_scalable(const iommu::Request& r, iommu::Result& out);
    void begin_scalable(WalkSlot& w, const iommu::Request& r);
    void end_scalable(WalkSlot& w);
    Iotlb::Slot iotlb_probe(uint16_t did, uint32_t pasid, uint64_t iova, IotlbKey& key);
    bool iotlb_hit(uint16_t did, const iommu::Request& r, iommu::Result& out);
    void iotlb_fill(uint16_t did, uint32_t pasid, const iommu::Request& r, const iommu::Result& res,
                    const IotlbValue& attrs = {});
    void invalidate_iotlb(unsigned g, uint16_t did, uint64_t addr, unsigned am,
                          std::optional<uint32_t> pasid = std::nullopt);
    void invalidate_pasid_cache(const Invalidation& inv);
    void respond_page_group(const Invalidation& inv);
    bool page_requests_enabled(const iommu::PageRequest& pr);
    bool context_answer(const iommu::Request& r, const ContextValue& ctx, iommu::Result& out);
    void answer_translation_request(const iommu::Request& r, iommu::Result& res) const;
    bool start_from_walk_cache(LegacyWalker& w, const iommu::Request& r, const ContextValue& c);
    bool start_ahead(LegacyWalker& walk, const iommu::Request& r) const;  // read-ahead
    // The walker walk_read_ahead started, which output_ahead continues when it is asked
    // about the same request (a hint only: the caches may have changed in between).
    mutable std::optional<LegacyWalker> ahead_;
    void fill_walk_caches(const LegacyWalker& w, uint16_t did, uint64_t iova);
    void report(const iommu::Request& r, const iommu::Result& res);
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
    uint64_t iqa_ = 0, iqh_ = 0, iqt_ = 0;
    uint32_t ics_ = 0;
    PageRequestQueue prq_;
    HostMemory& mem_;
    ContextCache context_cache_;
    PasidCache pasid_cache_;
    Iotlb iotlb_;
    // Large leaves (2 MiB: bit 0, 1 GiB: bit 1) filled since the IOTLB was last emptied
    // whole. A probe at a size never filled cannot hit, so a miss skips it; probes have
    // no side effects, so this changes the cost of a miss, never its outcome.
    unsigned iotlb_large_sizes_ = 0;
    // Lookup-stage hits of a recent requester's context and PASID-table entries.
    iommu::ConfigShortcut<ContextCache> context_shortcut_;
    iommu::ConfigShortcut<PasidCache> pasid_shortcut_;
    std::vector<std::unique_ptr<WalkCache>> walk_caches_;  // [0] PDE (level 2) .. [3] PML5E

    iommu::CommandClock iq_clock_;
    sim::Counter translations_{*this, "translations", "", "requests translated or faulted"};
    sim::Counter walks_{*this, "walks", "", "table walks started"};
    sim::Counter walk_reads_{*this, "walk_reads", "", "8-byte table reads by walks"};
    sim::Counter walk_writes_{*this, "walk_writes", "", "A/D flag updates written by walks"};
    sim::Counter faults_{*this, "faults", "", "translation faults"};
    std::map<uint32_t, std::unique_ptr<sim::Counter>> fault_reasons_;  // by reason code
    sim::Counter inv_context_{*this, "inv.context", "", "context-cache invalidations"};
    sim::Counter inv_iotlb_{*this, "inv.iotlb", "", "IOTLB invalidations"};
    sim::Counter inv_pasid_iotlb_{*this, "inv.pasid_iotlb", "", "PASID-based IOTLB invalidations"};
    sim::Counter inv_pasid_cache_{*this, "inv.pasid_cache", "", "PASID-cache invalidations"};
    sim::Counter inv_device_tlb_{*this, "inv.device_tlb", "", "device-TLB invalidations (sent to the devices)"};
    sim::Counter inv_iec_{*this, "inv.iec", "", "interrupt entry cache invalidations"};
    sim::Counter inv_wait_{*this, "inv.wait", "", "invalidation wait descriptors"};
    sim::Counter iq_errors_{*this, "iq.errors", "", "invalid queue descriptors (FSTS.IQE)"};
};

}  // namespace vtd
