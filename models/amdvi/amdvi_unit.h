// One AMD-Vi IOMMU (AMD spec 48882) as the simulator sees it: the MMIO register page
// (§3.4), translation of requests through the device table and host (v1) page tables
// (§2.2), the event log (§2.5), over a DTE cache, an IOTLB and a PDE cache. Plain
// C++; the engine's timing shell drives it as an iommu::SlottedUnit, translate() runs
// the same stages back to back.
//
// A request, in order: IommuEn=0 passes it untranslated; otherwise its DTE (cache, or
// four reads from the device table): V=0 passes it untranslated (IR/IW do not apply);
// TV=0 faults (IO_PAGE_FAULT, PR=0); Mode 0 passes it untranslated with the DTE's
// IR/IW; an address in the exclusion range (ExEn, and Allow or DTE.EX) passes
// untranslated; then the IOTLB, the PDE cache and the host walk. FC in the leaf forces
// snooping whatever the request's No Snoop says. A request with a PASID on a DTE with
// GV=1 (and CONTROL.GTEn) is a guest translation instead (unit_guest.cpp,
// guest_walk.h): the IOTLB by DomainID and PASID, then the GCR3 table and the guest
// tables, nested over the host table unless Mode is 0. With GIoV=1 as well, a request
// without a PASID is one too, of PASID 0 (a user, non-execute access). IO_PAGE_FAULT events are not logged
// when DTE.SA is set; Translation Requests (ATS) log no page faults: they are answered
// with R=W=0 (§2.1.3.2).
//
// Functional registers: DEV_TABLE_BASE, CONTROL (IommuEn, EventLogEn, EventIntEn,
// GTEn, CmdBufEn, PPRLogEn/PPREn/PprIntEn; Coherent the table reads' snooping),
// EXCL_BASE/EXCL_LIMIT, EXT_FEATURE (strapped), EVT_LOG_BASE, EVT_HEAD/EVT_TAIL, the
// command buffer (CMD_BUF_BASE, CMD_HEAD/CMD_TAIL: command_buffer.h, executed by
// unit_commands.cpp), the PPR log (PPR_LOG_BASE, PPR_HEAD/PPR_TAIL: ppr_log.h,
// page_request()), STATUS (W1C bits; CmdBufRun/ComWaitInt from the command buffer,
// the PPR bits from the PPR log). Other offsets read 0 and ignore writes.
//
// Statistics: translations, bypassed, walks, dte_reads, walk_reads and walk_writes
// (host, GCR3 and guest tables),
// faults (and faults.0xN by event code), events, events_lost, commands,
// comwait_interrupts, page_requests, page_requests_refused, cmdbuf.busy_cycles, and the caches' own under
// dte_cache.*, iotlb.*, pde_cache.*.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/amdvi/caches.h"
#include "models/amdvi/command_buffer.h"
#include "models/amdvi/features.h"
#include "models/amdvi/ppr_log.h"
#include "models/amdvi/regs.h"
#include "models/amdvi/straps.h"
#include "models/amdvi/walk_slot.h"
#include "models/iommu/cache_geometry.h"
#include "models/iommu/command_cost.h"
#include "models/iommu/config_shortcut.h"
#include "models/iommu/fault_counters.h"
#include "models/iommu/slotted_unit.h"
#include "models/sim/stats.h"

namespace amdvi {

// Cache defaults: sizes a Zen-generation IOMMU plausibly has (a 64-entry device table
// cache, a 512-entry IOTLB, a 128-entry page directory cache).
struct UnitParams {
    iommu::CacheGeometry dte_cache{16, 4, "lru"};
    iommu::CacheGeometry iotlb{64, 8, "lru"};
    iommu::CacheGeometry pde_cache{32, 4, "lru"};
    iommu::CommandCost cmdbuf;  // [amdvi.cmdbuf]
    uint64_t seed = 1;
};

class AmdviUnit : public iommu::SlottedUnit<WalkSlot>, public CommandTarget {
public:
    AmdviUnit(const Straps& straps, const UnitParams& p, iommu::HostMemory& mem);

    // amdvi_regs.cpp: MMIO, 4 or 8 bytes.
    uint64_t read(uint32_t offset, unsigned size) const override;
    void write(uint32_t offset, uint64_t value, unsigned size) override;
    // A register by its spec name ("DEV_TABLE_BASE"), at its offset; all are 8 bytes.
    static std::optional<uint32_t> offset_of(const std::string& name);
    // Every name offset_of knows, sorted.
    static std::vector<std::string> register_names();
    // The platform's strap of the read-only Extended Feature Register.
    void strap_efr(uint64_t efr);
    const Features& features() const { return features_; }
    bool enabled() const { return ctrl_ & ctrl::IOMMU_EN; }

    // "0x2 IO_PAGE_FAULT".
    std::string fault_text(uint32_t reason) const override;

    bool lookup(const iommu::Request& r, iommu::Result& out) override;
    iommu::Result merged(const iommu::Request& r, const iommu::Result& walked) override;
    bool walks_snoop() const override;
    // DTE.SD turns snooping off for a device's page table reads.
    bool walk_snoops(const iommu::Walk& w) const override;

    // event_log.cpp: writes a record at EVT_TAIL; false when it was lost (logging not
    // running, the log full: STATUS.EventOverflow, or the write failed).
    bool log_event(const Event& e) override;

    // unit_commands.cpp: what the command buffer's commands do here (CommandTarget).
    void invalidate_dte(uint16_t devid) override;
    void invalidate_pages(uint16_t domain, uint32_t pasid, uint64_t first, uint64_t last, bool pde,
                          bool gn) override;
    void invalidate_iotlb(const iommu::AtsInvalidation& inv) override;
    void invalidate_interrupt_table(uint16_t devid) override;
    void complete_ppr(const iommu::PageResponse& r) override;
    void invalidate_all() override;
    void completion_wait_interrupt() override;
    uint64_t command_cycles() const override { return cmd_clock_.cycles(); }

    // unit_ppr.cpp: a Page Request Message into the PPR log.
    bool page_request(const iommu::PageRequest& pr) override;

    // device_walk.cpp: the slot's steps.
    void dte_read(WalkSlot& w, uint64_t qword, bool ok);
    void host_done(WalkSlot& w);
    // unit_guest.cpp
    void guest_done(WalkSlot& w);

private:
    // device_walk.cpp
    void begin(WalkSlot& w, const iommu::Request& r) override;
    iommu::Result end(WalkSlot& w) override;
    iommu::HostMemory& walk_memory() override { return mem_; }
    void got_dte(WalkSlot& w);
    bool ats_checks(WalkSlot& w);
    void start_host_walk(WalkSlot& w);
    HostWalkConfig host_config(const Dte& d) const;
    // unit_guest.cpp
    bool guest_enabled() const;
    static bool guest_request(const Dte& d, const iommu::Request& r);
    static iommu::Request as_guest(const iommu::Request& r);
    bool guest_allows(const iommu::Request& r, const IotlbValue& e) const;
    void start_guest_walk(WalkSlot& w);
    void guest_fault(WalkSlot& w, const GuestFault& f);
    void fill_guest(const WalkSlot& w);
    void fail(WalkSlot& w, const Event& e, bool record);
    Event request_event(const WalkSlot& w, uint8_t code) const;
    void answer_translation_request(WalkSlot& w) const;
    CommandFeatures command_features() const;
    // amdvi_unit.cpp: decisions shared by the lookup stage and the walk.
    bool excluded(const Dte& d, uint64_t iova) const;
    static bool permits(const iommu::Request& r, bool ir, bool iw);
    static iommu::Result mode0(const Dte& d, const iommu::Request& r);
    bool iotlb_hit(const Dte& d, const iommu::Request& r, iommu::Result& out);
    void fill_caches(const WalkSlot& w);
    void report(const iommu::Request& r, const iommu::Result& res, const Event& e, bool record);
    // amdvi_regs.cpp
    uint64_t read64(uint32_t base) const;
    void write64(uint32_t base, uint64_t v, uint64_t written);
    void write_control(uint64_t v);
    void write_status(uint64_t v);
    void ring_cmd_doorbell();
    // unit_ppr.cpp
    bool ppr_allowed(uint16_t device_id) const;

    Straps straps_;
    Features features_;
    uint64_t efr_ = 0;
    uint64_t devtab_ = 0, cmd_base_ = 0, evt_base_ = 0, ctrl_ = 0, excl_base_ = 0, excl_limit_ = 0, ppr_base_ = 0;
    // The CMD_HEAD, PPR_HEAD and PPR_TAIL registers live in cmdbuf_ and ppr_log_.
    uint64_t cmd_tail_ = 0, evt_head_ = 0, evt_tail_ = 0, status_ = 0;
    iommu::HostMemory& mem_;
    DteCache dte_cache_;
    Iotlb iotlb_;
    iommu::ConfigShortcut<DteCache> dte_shortcut_;  // lookup-stage hits of a recent requester's DTE
    PdeCache pde_cache_;
    uint64_t iotlb_sizes_ = 0;  // bit n: the IOTLB may hold entries of 2^n bytes
    iommu::CommandClock cmd_clock_;
    CommandBuffer cmdbuf_;
    PprLog ppr_log_;
    Event last_event_{};        // the last walk's event, for requests merged into it
    bool last_record_ = false;
    bool last_at_request_ = true;  // its address is the request's

    sim::Counter translations_{*this, "translations", "", "requests translated or faulted"};
    sim::Counter bypassed_{*this, "bypassed", "", "requests passed untranslated (IommuEn=0, DTE V=0, exclusion range)"};
    sim::Counter walks_{*this, "walks", "", "DTE fetches and table walks started"};
    sim::Counter dte_reads_{*this, "dte_reads", "", "8-byte device table entry reads"};
    sim::Counter walk_reads_{*this, "walk_reads", "", "8-byte page table reads (host, GCR3 and guest tables)"};
    sim::Counter walk_writes_{*this, "walk_writes", "", "accessed/dirty updates of host and guest page table entries"};
    sim::Counter faults_{*this, "faults", "", "translations that ended in a fault"};
    iommu::FaultCounters fault_codes_{*this, "faults by AMD-Vi event code"};  // faults.0x2
    sim::Counter events_{*this, "events", "", "event log entries written"};
    sim::Counter events_lost_{*this, "events_lost", "", "events lost (log stopped, full or failing)"};
    sim::Counter commands_{*this, "commands", "", "commands executed from the command buffer"};
    sim::Counter comwait_interrupts_{*this, "comwait_interrupts", "", "COMPLETION_WAIT interrupts (I=1 with ComWaitIntEn)"};
    sim::Counter page_requests_{*this, "page_requests", "", "page requests written to the PPR log"};
    sim::Counter ppr_refused_{*this, "page_requests_refused", "", "page requests not logged (refused or lost)"};
};

}  // namespace amdvi
