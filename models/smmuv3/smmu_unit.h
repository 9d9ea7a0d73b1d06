// One Arm SMMUv3 (IHI 0070) as the simulator sees it: the register file of pages 0
// and 1 (§6), translation of requests through the stream table, CDs and VMSAv8-64
// tables (§3), the event queue (§7), the command queue (§4), over a configuration
// cache and a TLB. Plain C++; the engine's timing shell drives it as an
// iommu::SlottedUnit, translate() runs the same stages back to back.
//
// Functional: IDR0-5 (strapped), IIDR/AIDR, CR0/CR0ACK (acknowledged at once), CR1,
// CR2, GBPA with the UPDATE handshake, IRQ_CTRL/IRQ_CTRLACK, GERROR/GERRORN,
// STRTAB_BASE(_CFG), CMDQ_BASE/PROD/CONS, EVENTQ_BASE and page-1 EVENTQ_PROD/CONS,
// PRIQ_BASE and page-1 PRIQ_PROD/CONS (chapter 8, page_request()). ATS (§3.9):
// Translation Requests and Translated requests (ats.cpp), CMD_ATC_INV and CMD_PRI_RESP
// to the endpoints. Stalls (§3.12.2, stall.cpp): CD.S / STE.S2S, CMD_RESUME,
// CMD_STALL_TERM. Stored only: the *_IRQ_CFG registers, STATUSR, AGBPA. No wired
// interrupts or MSIs are modelled; a queued page request calls on_page_request_irq, a
// written event on_event_irq (each when IRQ_CTRL enables it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/iommu/cache_geometry.h"
#include "models/iommu/command_cost.h"
#include "models/iommu/config_shortcut.h"
#include "models/iommu/fault_counters.h"
#include "models/iommu/slotted_unit.h"
#include "models/sim/stats.h"
#include "models/smmuv3/caches.h"
#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/command.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/stream_table.h"
#include "models/smmuv3/walk_cache.h"
#include "models/smmuv3/walk_slot.h"

namespace smmuv3 {

using iommu::CacheGeometry;
using iommu::HostMemory;

// Cache defaults: gem5's SMMUv3 (main TLB 2048 entries 4-way, config cache 64 entries,
// walk caches in walk_cache.h; shared/reference/measurements.md), the config cache as
// 16 sets of 4 ways.
struct UnitParams {
    CacheGeometry tlb{512, 4, "lru"};
    CacheGeometry config_cache{16, 4, "lru"};
    WalkCacheParams walk_cache;
    iommu::CommandCost cmdq;  // [smmuv3.cmdq]
    uint64_t seed = 1;
};

class SmmuUnit : public iommu::SlottedUnit<WalkSlot> {
public:
    SmmuUnit(const Caps& caps, const UnitParams& p, HostMemory& mem);
    ~SmmuUnit() override;

    // MMIO, 4 or 8 bytes at an offset of the two 64 KiB pages (page 1 at 0x10000).
    uint64_t read(uint32_t offset, unsigned size) const override;
    void write(uint32_t offset, uint64_t value, unsigned size) override;

    // Platform straps of SMMU_IDR0..IDR5 (index 0..5); the model follows the fields
    // capabilities.h decodes.
    void strap_idr(unsigned n, uint32_t value);
    const Caps& caps() const { return caps_; }
    bool enabled() const { return cr0_ & cr0::SMMUEN; }
    // A register by its spec name ("SMMU_CR0", "SMMU_EVENTQ_PROD"), offset and width.
    static std::optional<std::pair<uint32_t, unsigned>> offset_of(const std::string& name);
    // Every name offset_of knows, sorted.
    static std::vector<std::string> register_names();

    // "0x10 F_TRANSLATION".
    std::string fault_text(uint32_t reason) const override;

    bool lookup(const iommu::Request& r, iommu::Result& out) override;
    iommu::Result merged(const iommu::Request& r, const iommu::Result& walked) override;
    bool walks_snoop() const override { return caps_.cohacc; }
    // config_walk.cpp: a fetch snoops as its structure's attributes say (§13).
    bool walk_snoops(const iommu::Walk& w) const override;

    // One configuration-fetch step of a slot (WalkSlot::supply).
    void step(WalkSlot& w, uint64_t qword, bool ok);
    // Executes one decoded command (the queue's, or a test's); false: CERROR_ILL.
    bool execute(const Command& c);
    uint64_t command_cycles() const override { return cmdq_clock_.cycles(); }
    // pri_queue.cpp: a PCIe Page Request into the PRI queue (chapter 8).
    bool page_request(const iommu::PageRequest& pr) override;

private:
    // smmu_unit.cpp: the stages.
    void begin(WalkSlot& w, const iommu::Request& r) override;
    iommu::Result end(WalkSlot& w) override;
    iommu::HostMemory& walk_memory() override { return mem_; }
    bool disabled_answer(const iommu::Request& r, iommu::Result& out) const;
    bool cached_translation(const Ste& ste, const iommu::Request& r, bool stage1, iommu::Result& out);
    // ats.cpp: Translation Requests and Translated requests (§3.9.1).
    enum class AtsRoute { Translate, SplitTranslate, StageTwo, Pass, Forbidden, BadRequest, Abort };
    bool ats_lookup(const iommu::Request& r, iommu::Result& out);
    bool ats_precheck(const iommu::Request& r, iommu::Result& out, Event& e, bool& record) const;
    AtsRoute ats_route(const Ste& ste, const iommu::Request& r) const;
    bool ats_answer(AtsRoute route, const iommu::Request& r, iommu::Result& out, Event& e, bool& record) const;
    bool ats_deny(WalkSlot& w, uint8_t id);
    bool ats_retry_read_only(WalkSlot& w, const Fault& f);
    bool ats_records(const iommu::Request& r, uint8_t id, bool record) const;
    void grant(const iommu::Request& r, iommu::Result& res);
    void split_stage_answer(WalkSlot& w);
    uint64_t stu() const;
    // mem_attr.h: the incoming attributes after the STE's overrides (GBPA's when ste is
    // null: SMMUEN=0), an untranslated answer with them, and whether an access snoops.
    MemAttr incoming(const Ste* ste, const iommu::Request& r) const;
    iommu::Result bypass(const Ste* ste, const iommu::Request& r) const;
    bool snoops(const MemAttr& a) const { return caps_.cohacc && a.coherent(); }
    bool tlb_hit(const Ste& ste, const Cd* cd, const iommu::Request& r, iommu::Result& out);
    void tlb_fill(const WalkSlot& w);
    TlbKey tlb_key(const Ste& ste, const Cd* cd, uint64_t iova, unsigned log2) const;
    uint16_t asid(uint16_t a) const;
    uint16_t vmid(uint16_t v) const;
    bool report(const iommu::Request& r, const iommu::Result& res, const Event& e, bool record);
    // config_walk.cpp: the configuration fetch.
    void start_ste(WalkSlot& w);
    void got_ste(WalkSlot& w);
    void start_cd(WalkSlot& w);
    void fetch_cd(WalkSlot& w, WalkSlot::Phase p, uint64_t address);
    void got_cd(WalkSlot& w);
    void start_table_walk(WalkSlot& w);
    void finish_walk(WalkSlot& w);
    bool setup_stage2(WalkSlot& w);
    void fail(WalkSlot& w, uint8_t id, bool record = true, uint64_t fetch = 0);
    StreamTableConfig stream_table() const;
    // event_queue.cpp: false when the record was lost.
    bool record_event(const Event& e);
    // stall.cpp
    bool stalls(const WalkSlot& w, const Fault& f) const;
    void stall(const iommu::Request& r, iommu::Result& res, Event& e);
    void stall_unrecorded(iommu::Result& res);
    void end_stall(uint16_t stag, bool retry);
    void resume(const Command& c);
    void stall_term(uint32_t sid);
    void terminate_all_stalls();
    void stall_stats_seen();
    // command_queue.cpp
    void process_commands();
    bool allowed(const Command& c) const;
    void invalidate_config(const Command& c);
    void invalidate_tlb(const Command& c);
    void sync(const Command& c);
    void atc_invalidate(const Command& c);
    void pri_respond(const Command& c);
    // smmu_regs.cpp
    uint32_t read32(uint32_t offset) const;
    void write32(uint32_t offset, uint32_t v);
    void write_cr0(uint32_t v);
    void write_gerrorn(uint32_t v);
    void toggle_gerror(uint32_t bits) { gerror_ ^= bits & ~(gerror_ ^ gerrorn_); }
    uint64_t q(uint32_t offset) const { return reg(offset) | uint64_t(reg(offset + 4)) << 32; }
    uint32_t reg(uint32_t offset) const;

    Caps caps_;
    uint32_t idr_[6] = {};
    uint32_t cr0_ = 0, gbpa_ = 0, irq_ctrl_ = 0, gerror_ = 0, gerrorn_ = 0;
    uint32_t cmdq_cons_ = 0, evtq_prod_ = 0, priq_prod_ = 0;
    std::map<uint32_t, uint32_t> stored_;  // registers kept as written, by 4-byte offset
    HostMemory& mem_;
    ConfigCache config_cache_;
    Tlb tlb_;
    // Lookup-stage hits of a recent requester's STE and CD in the config cache.
    iommu::ConfigShortcut<ConfigCache> ste_shortcut_, cd_shortcut_;
    WalkCaches walk_caches_;
    uint64_t tlb_sizes_ = 0;  // bit n: the TLB may hold entries of 2^n bytes

    sim::Counter translations_{*this, "translations", "", "requests translated or faulted"};
    sim::Counter bypassed_{*this, "bypassed", "", "requests the lookup stage passed untranslated (SMMUEN=0, cached bypass STE)"};
    sim::Counter walks_{*this, "walks", "", "configuration fetches and table walks started"};
    sim::Counter config_reads_{*this, "config_reads", "", "8-byte STE/CD and level-1 descriptor reads"};
    sim::Counter walk_reads_{*this, "walk_reads", "", "8-byte translation table reads"};
    sim::Counter walk_writes_{*this, "walk_writes", "", "access flag / dirty state updates"};
    sim::Counter faults_{*this, "faults", "", "translations that ended in a fault"};
    iommu::FaultCounters fault_ids_{*this, "faults by SMMUv3 event ID"};  // faults.0x10
    sim::Counter events_{*this, "events", "", "event records written to the event queue"};
    sim::Counter events_lost_{*this, "events_lost", "", "events lost (queue full, overflowed or disabled)"};
    sim::Counter commands_{*this, "commands", "", "commands executed"};
    sim::Counter command_errors_{*this, "command_errors", "", "commands that stopped the queue (CMDQ_CONS.ERR)"};
    sim::Counter inv_config_{*this, "inv.config", "", "CFGI_* commands"};
    sim::Counter inv_tlb_{*this, "inv.tlb", "", "TLBI_* commands"};
    sim::Counter syncs_{*this, "syncs", "", "CMD_SYNC commands"};
    sim::Counter inv_atc_{*this, "inv.atc", "", "CMD_ATC_INV commands (ATS Invalidate Requests)"};
    sim::Counter ats_requests_{*this, "ats.requests", "", "ATS Translation Requests answered"};
    sim::Counter ats_denied_{*this, "ats.denied", "", "Translation Requests answered Success with R=W=0"};
    sim::Counter ats_translated_{*this, "ats.translated", "", "Translated requests let through"};
    sim::Counter pri_requests_{*this, "pri.requests", "", "page requests written to the PRI queue"};
    sim::Counter pri_lost_{*this, "pri.lost", "", "page requests lost to a full or overflowed PRI queue"};
    sim::Counter pri_responses_{*this, "pri.responses", "", "CMD_PRI_RESP commands"};
    iommu::CommandClock cmdq_clock_;
    std::map<uint16_t, uint32_t> stalled_;  // STAG -> StreamID of each stalled transaction
    uint16_t next_stag_ = 0;
    struct StallStats : sim::StatGroup {
        sim::Counter stalls{*this, "stall.stalls", "", "transactions stalled (events with Stall = 1)"};
        sim::Counter resumed{*this, "stall.resumed", "", "stalled transactions retried (CMD_RESUME)"};
        sim::Counter terminated{*this, "stall.terminated", "",
                                "stalled transactions terminated (CMD_RESUME, CMD_STALL_TERM, SMMUEN cleared)"};
        sim::Counter unrecorded{*this, "stall.unrecorded", "",
                                "stalls terminated at once: their event could not be written"};
    };
    std::unique_ptr<StallStats> stall_stats_;  // from the first stall on
};

}  // namespace smmuv3
