// The SMMUv3 driver of the mapping engine: what Linux's drivers/iommu/arm/arm-smmu-v3
// and io-pgtable-arm do for an iommufd domain, written from the SMMUv3 specification
// (IHI 0070) apart from the hardware model (models/smmuv3 decodes what this encodes;
// neither includes the other).
//
// probe() (arm_smmu_device_hw_probe, arm_smmu_device_reset): reads IDR0/1/3/5, refuses
// what it cannot drive, allocates the command and event queues and the stream table
// (linear when SIDSIZE <= 8 or two-level tables are absent, else two-level with
// SPLIT=8, every STE an abort STE), programs CR1, CR2, STRTAB_BASE(_CFG) and the
// queues, enables CMDQEN, invalidates (CFGI_ALL, TLBI_NSNH_ALL, each with CMD_SYNC),
// then EVTQEN and SMMUEN, each through the CR0/CR0ACK handshake.
// alloc_domain(): a stage-1 domain (SmmuDomain) with its own ASID, or a stage-2 one
// with its own VMID for IOMMU_HWPT_ALLOC_NEST_PARENT or on a unit without stage 1.
// attach() (stream_table.cpp, cd_table.cpp): for stage 1 the device's CD table
// (linear or two-level as Linux sizes it) and its CD for SSID 0, then its STE; for
// stage 2 the STE alone; each written so the unit never sees half an entry, each
// followed by CFGI_* and CMD_SYNC. Commands go through the command queue in batches
// ending in CMD_SYNC, whose completion the driver sees by polling CMDQ_CONS.
// The event queue (event_queue.cpp) is read as Linux's event interrupt thread reads
// it, whenever the driver acts and the queue is not empty (the model has no
// interrupts: see drain_events).
// ATS (ats.cpp): on a unit with IDR0.ATS, a device whose PCI capabilities offer ATS
// gets STE.EATS=0b01 when attached to a paging domain, and its ATS enabled after the
// STE is live; its domain's invalidations then reach its ATC (CMD_ATC_INV after the
// TLBI's CMD_SYNC). Identity domains get a bypass STE, where the SMMU ignores EATS,
// so ATS stays off there, as Linux's arm_smmu_attach_prepare decides.
// PRI (ats.cpp): on a unit with IDR0.PRI, the PRI queue is set up at probe and
// service_page_requests() answers each page request group with PRI_RESP Deny.
// Stalls: a stall-enabled device's stage-1 CD has S = 1 (else S1STALLD where the unit
// could stall); every event with Stall = 1 is answered with CMD_RESUME Abort, as Linux
// does without an I/O page fault handler.
//
// Every action costs CPU time from DriverParams (illustrative figures, not measured).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/driver.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/process.h"
#include "models/sim/stats.h"

namespace sim { class ParamBinder; }

namespace iommufd::smmuv3 {

class SmmuDomain;

// [iommufd.smmuv3]: CPU time per action, illustrative (like [iommufd.vtd]).
struct DriverParams {
    double mmio_ns = 100;         // one register access (uncached)
    double table_write_ns = 10;   // one 8-byte table, STE or CD word written
    double command_ns = 50;       // one 16-byte command written into the queue
    double wait_ns = 500;         // a CMD_SYNC: doorbell to CMDQ_CONS caught up
    // The PASID width devices report (PCI PASID capability); a device's CD table has
    // 2^min(this, IDR1.SSIDSIZE) entries (Linux's master->ssid_bits). 0: no PASID
    // capability, one CD.
    uint32_t pasid_bits = 0;

    void bind(sim::ParamBinder& b);
};

// One 16-byte command, as written into the queue.
struct Cmd {
    uint64_t lo = 0, hi = 0;
};

class Driver : public iommufd::Driver {
public:
    Driver(Machine& m, FrameAllocator& pages, const DriverParams& costs);
    ~Driver() override;

    Errno probe() override;
    ProbeFailure probe_failure() const override { return failure_; }
    // arm_smmu_domain_alloc_paging_flags: no flags, a stage-1 domain (stage 2 on a
    // unit without stage 1); IOMMU_HWPT_ALLOC_NEST_PARENT, a stage-2 domain where the
    // unit has both stages (ARM_SMMU_FEAT_NESTING); EOPNOTSUPP otherwise, and for
    // dirty tracking (DBM leaves are not written).
    Errno alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out);
    // An identity domain: attached devices bypass translation (STE.Config=bypass), as
    // Linux's arm_smmu_identity_domain.
    std::unique_ptr<Domain> alloc_identity_domain();
    Errno alloc_identity_domain(std::unique_ptr<Domain>& out) { return out = alloc_identity_domain(), Errno::Ok; }
    Errno attach(Domain& d, uint16_t sid);
    Errno detach(uint16_t sid);
    // IOMMU_CAP_CACHE_COHERENCY: the unit's accesses are coherent (IDR0.COHACC).
    bool can_enforce_cache_coherency() const;
    // IOMMU_GET_HW_INFO: IOMMU_HW_INFO_TYPE_ARM_SMMUV3 (2), struct iommu_hw_info_arm_smmuv3.
    HwInfo hw_info() const;
    // arm_smmu_get_resv_regions: the software MSI window, for every device.
    std::vector<IovaRange> reserved_regions(uint16_t sid) const;
    std::unique_ptr<DeviceOps> device(uint16_t sid, const iommufd::EndpointCaps& caps) override;
    // arm_smmu_priq_thread (ats.cpp): consumes the PRI queue as drain_events does the
    // event queue; every request closing a group (Last) is answered with PRI_RESP Deny,
    // as Linux's arm_smmu_handle_ppr does, all of them followed by one CMD_SYNC.
    void service_page_requests() override;
    // arm_smmu_evtq_thread: consumes every record from EVENTQ_CONS to EVENTQ_PROD,
    // counting each by event ID, acknowledges an overflow by copying PROD.OVFLG to
    // CONS. The model raises no interrupt, so the driver calls this at each of its
    // operations (domain allocation, attach, detach, map, unmap, flush); its reading
    // of the pending state, which stands in for the interrupt line, costs nothing.
    void drain_events();
    // The event interrupt (enabled at probe where IDR0.STALL_MODEL allows stalls):
    // drain_events, which answers each stalled transaction with CMD_RESUME Abort.
    void service_events() override;
    double mmio_ns() const override { return costs_.mmio_ns; }
    DriverCost spent() const override {
        return {cpu_ns_, queue_ns_, table_writes_.value(), commands_.value(), waits_.value()};
    }

    // What probe chose, for tests and statistics.
    bool two_level() const { return two_level_; }
    unsigned ias() const { return 48; }
    // Stage 2's input size: Linux's smmu->ias (the OAS, at least 40 where IDR0.TTF also
    // has AArch32 tables), at most 48 (4K tables without LPA2).
    unsigned s2_ias() const;
    bool stage1() const;  // IDR0.S1P
    unsigned oas() const { return oas_; }
    bool range_invalidation() const { return ril_; }
    bool ats() const { return idr0_ats_; }
    bool pri() const { return priq_.base != 0; }

private:
    friend class SmmuDomain;
    // A device's CD table (Linux's arm_smmu_ctx_desc_cfg), made on its first stage-1
    // attach: linear, or two-level with level-2 tables of 1024 CDs made as needed.
    // The PCI capabilities iommufd found (device()), whether ATS (and PRI with it) is
    // enabled at the device (Linux's master->ats_enabled), and the domain whose
    // invalidations then reach its ATC.
    struct DeviceState {
        uint64_t cd_table = 0;
        unsigned s1cdmax = 0;
        bool two_level = false;
        iommufd::EndpointCaps caps;
        bool ats = false;   // enabled at the device
        bool eats = false;  // the live STE grants ATS
        SmmuDomain* ats_domain = nullptr;
    };
    // A queue the unit produces and the driver consumes (event queue, PRI queue):
    // PROD and CONS as last read / written, with wrap and overflow bits.
    struct InQueue {
        uint32_t prod_reg, cons_reg;
        unsigned entry_bytes;
        const char* overflow_stat;
        const char* overflow_desc;
        uint64_t base = 0;
        unsigned shift = 0;
        uint32_t prod = 0, cons = 0;
    };

    Errno fail(const char* key, std::string reason, const char* unit_key = "");
    Errno check_idrs();
    Errno init_queues();
    Errno init_strtab();
    Errno reset();
    bool cr0_write(uint32_t value);
    uint64_t alloc(uint64_t bytes);
    void write_entry(uint64_t pa, uint64_t value);
    void init_abort_stes(uint64_t table, uint64_t count);
    uint64_t ste_address(uint16_t sid);
    void write_structure(uint64_t pa, const uint64_t (&want)[8], bool old_uses_rest, bool new_uses_rest,
                         const Cmd& cfgi);
    void write_ste(uint16_t sid, uint64_t ste, const uint64_t (&want)[8]);
    // cd_table.cpp: the CD table of `sid` and its CD for SSID 0.
    Errno alloc_cd_table(DeviceState& dev);
    uint64_t cd_address(DeviceState& dev, uint16_t sid, uint32_t ssid);
    Errno attach_s1(SmmuDomain& d, uint16_t sid, uint64_t ste, bool ats);
    // ats.cpp: whether `sid` gets ATS with a paging domain; ATS turned off at the device
    // before an STE without EATS goes in (prepare) and the ATC invalidated, ATS turned on
    // after one with EATS (commit).
    bool ats_supported(uint16_t sid);
    void ats_prepare(uint16_t sid, bool ats);
    void ats_commit(uint16_t sid, SmmuDomain* d, bool ats);
    void set_endpoint(DeviceState& dev, bool on);
    // CMD_ATC_INV of [iova, iova + size) for `sid`, as arm_smmu_atc_inv_to_cmd sizes it
    // (size 0: the whole ATC).
    static Cmd atc_inv(uint16_t sid, uint64_t iova, uint64_t size);
    void handle_ppr(uint64_t entry);
    // event_queue.cpp.
    void count(const std::string& name, const char* desc);
    void reset_queue(InQueue& q, uint32_t base_reg);
    // Reads entries from CONS to PROD as Linux's queue_remove_raw loop does, handing
    // each entry's address to `handle`, then acknowledges an overflow.
    void consume(InQueue& q, void (Driver::*handle)(uint64_t entry));
    void handle_event(uint64_t entry);
    void send_resumes();
    void push_batches(const std::vector<Cmd>& cmds);  // without a CMD_SYNC
    // arm_smmu_probe_device: stalls for a "dma-can-stall" device where IDR0.STALL_MODEL
    // allows them (0b00), for every device where it forces them (0b10).
    bool stall_enabled(uint16_t sid);
    // Queues `cmds` and a CMD_SYNC, in batches of at most 64, and waits for them.
    void issue(std::vector<Cmd> cmds);
    void push(const Cmd* cmds, size_t n);
    void wait_for_space(uint32_t n);
    void wait_for_sync();
    uint32_t queue_used() const;
    // The lowest free ASID or VMID from 1 (0 when none is left); free_tag returns it.
    uint16_t alloc_tag(bool vmid);
    void free_tag(bool vmid, uint16_t tag);
    // Invalidation of [iova, iova + size) cached as `granule` leaves (leaf) or also as
    // tables (!leaf), by TLBI_NH_VA or TLBI_S2_IPA: `op_tag` is the command's first
    // dword with opcode and ASID or VMID (__arm_smmu_tlb_inv_range's commands).
    void tlbi_range(std::vector<Cmd>& out, uint64_t op_tag, uint64_t iova, uint64_t size, uint64_t granule,
                    bool leaf) const;

    Machine& m_;
    FrameAllocator& pages_;
    ProbeFailure failure_;
    DriverParams costs_;
    uint32_t idr_[6] = {}, iidr_ = 0, aidr_ = 0;
    bool coherent_ = false, ril_ = false, two_level_ = false, hyp_ = false, idr0_ats_ = false;
    unsigned oas_ = 48, ips_ = 5, asid_bits_ = 8, vmid_bits_ = 8, sid_bits_ = 0, ssid_bits_ = 0;
    uint64_t strtab_ = 0, l1_entries_ = 0;
    uint32_t strtab_cfg_ = 0;
    uint64_t cmdq_ = 0;
    unsigned cmdq_shift_ = 0;
    uint32_t prod_ = 0, cons_ = 0;  // command queue indexes with their wrap bit
    InQueue evtq_, priq_;  // set up by the constructor
    std::vector<Cmd> pri_responses_;  // PRI_RESPs of the queue being serviced
    std::vector<Cmd> resumes_;        // CMD_RESUMEs for the stalls of the events read
    std::map<uint16_t, DeviceState> devices_;
    std::set<uint16_t> asids_, vmids_;
    std::set<SmmuDomain*> domains_;  // live domains, orphaned if the driver goes first
    double cpu_ns_ = 0, queue_ns_ = 0;

    sim::Counter table_writes_{*this, "table_writes", "", "page table, STE, CD and L1 words written"};
    sim::Counter commands_{*this, "commands", "", "commands queued, CMD_SYNC included"};
    sim::Counter waits_{*this, "waits", "", "CMD_SYNCs waited for"};
    sim::Counter timeouts_{*this, "sync_timeouts", "", "CMD_SYNCs CMDQ_CONS did not reach while polled"};
    // events.<ID> ("events.0x10"), events.overflows: made when first counted, so a run
    // without faults has none.
    std::map<std::string, std::unique_ptr<sim::Counter>> events_;
    MmioPort mmio_{m_, *this, costs_.mmio_ns, cpu_ns_};
    CompletionWait completion_{m_};
    sim::Formula cpu_{*this, "cpu_ns", "ns", "driver CPU time from DriverParams", [this] { return cpu_ns_; }};
};

}  // namespace iommufd::smmuv3
