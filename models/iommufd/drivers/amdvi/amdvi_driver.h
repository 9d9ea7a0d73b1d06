// The AMD-Vi driver of the mapping engine: what Linux's drivers/iommu/amd (init.c,
// iommu.c, io_pgtable.c) does for an iommufd domain, written from the AMD IOMMU
// specification (48882) apart from the hardware model (models/amdvi decodes what this
// encodes; neither includes the other).
//
// probe() follows Linux's init order: reads the Extended Feature Register and refuses a
// unit whose host tables are shallower than DriverParams::levels (EFR.HATS); allocates
// the device table (every entry V=1 TV=1: DMA blocked, init_device_table_dma), the
// command buffer, the completion-wait semaphore, the event log and, with EFR.PPRSup,
// the PPR log (512 entries each); then early_enable_iommu: CONTROL cleared of the
// enables, Coherent and InvTimeout set, Device Table Base, Command Buffer Base with
// CMD_HEAD/TAIL 0 and CmdBufEn, Event Log Base with EVT_HEAD/TAIL 0 and EventLogEn, GTEn
// with EFR.GTSup, IommuEn; INVALIDATE_IOMMU_ALL (or, without EFR.IASup, every DTE and
// every DomainID) and COMPLETION_WAIT; then, as Linux's later init stages, the PPR log
// (PPREn, base, head/tail, PPRIntEn, PPRLogEn) and EventIntEn. Every CONTROL change is a
// read-modify-write (iommu_feature_enable). ComWaitIntEn stays clear: Linux polls the
// completion-wait semaphore instead. Whether the unit's walks snoop is read back from
// CONTROL.Coherent; table writes are flushed (Machine::flush) when it did not stick.
//
// Domains (amdvi_domain.h): a DomainID from 1 and v1 host tables of `levels` levels.
// Devices (device_table.cpp): attach writes the 256-bit DTE in Linux's update_dte256
// order, then INVALIDATE_DEVTAB_ENTRY (and INVALIDATE_IOTLB_PAGES of the whole IOTLB
// for an ATS device) and COMPLETION_WAIT; detach writes Linux's blocked DTE (V only).
// Commands (command_buffer.cpp) go one at a time with a CMD_TAIL doorbell each, as
// Linux's iommu_queue_command; their CPU time is the command buffer's lock
// (DriverCost::queue_ns). The event and PPR logs (logs.cpp) are read when the unit
// raises their interrupts (service_events, service_page_requests).
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

namespace iommufd::amdvi {

class AmdviDomain;

// [iommufd.amdvi]: table depth, device table size, ATS support as firmware reports it,
// CPU time per action (illustrative, like [iommufd.vtd]).
struct DriverParams {
    uint32_t levels = 4;           // host table levels of every domain (DTE Mode): 48-bit IOVAs
    uint32_t last_devid = 0xffff;  // the highest DeviceID the device table holds (Linux last_bdf)
    // The unit's IotlbSup (its PCI capability header, which the driver cannot read through
    // the register page: firmware's IVHD reports it). Off: no device gets ATS.
    bool iotlb_sup = true;
    double mmio_ns = 100;         // one register access (uncached)
    double table_write_ns = 10;   // one 8-byte page-table or device-table word written
    double command_ns = 50;       // one 16-byte command written into the buffer
    double wait_ns = 500;         // a COMPLETION_WAIT: doorbell to the semaphore stored

    void bind(sim::ParamBinder& b);
};

// One 16-byte command: `lo` holds dwords 0-1, `hi` dwords 2-3.
struct Cmd {
    uint64_t lo = 0, hi = 0;
};

class Driver : public iommufd::Driver {
public:
    Driver(Machine& m, FrameAllocator& pages, const DriverParams& params);
    ~Driver() override;

    Errno probe() override;
    ProbeFailure probe_failure() const override { return failure_; }
    // amd_iommu_domain_alloc_paging_flags for v1 tables: no flags; EOPNOTSUPP for dirty
    // tracking (HAD is not driven), nesting and PASID domains, and any other flag.
    Errno alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out);
    // Linux's identity domain: one DomainID for every device attached to it, DTE Mode 0.
    Errno alloc_identity_domain(std::unique_ptr<Domain>& out);
    Errno attach(Domain& d, uint16_t devid);
    Errno detach(uint16_t devid);
    // IOMMU_CAP_ENFORCE_CACHE_COHERENCY: every leaf has FC (amd_iommu_capable).
    bool can_enforce_cache_coherency() const { return true; }
    // IOMMU_HW_INFO_TYPE_AMD (4), struct iommu_hw_info_amd { efr; efr2; }.
    HwInfo hw_info() const;
    // amd_iommu_get_resv_regions: the x86 MSI window.
    std::vector<IovaRange> reserved_regions(uint16_t devid) const;
    std::unique_ptr<DeviceOps> device(uint16_t devid, const iommufd::EndpointCaps& caps) override;
    // amd_iommu_int_thread_pprlog (logs.cpp): drains the PPR log; a request closing its
    // group is answered with COMPLETE_PPR_REQUEST, Response Failure (no fault handler).
    void service_page_requests() override;
    // amd_iommu_int_thread_evtlog (logs.cpp): reads and counts the event log by event
    // code, restarting the log after an overflow.
    void service_events() override;
    double mmio_ns() const override { return params_.mmio_ns; }
    DriverCost spent() const override {
        return {cpu_ns_, queue_ns_, tables_.count(), commands_.value(), waits_.value()};
    }

    // What probe found and chose, for tests and statistics.
    uint64_t efr() const { return efr_; }
    unsigned levels() const { return params_.levels; }
    bool coherent() const { return coherent_; }
    bool ppr_log() const { return ppr_log_ != 0; }
    uint16_t identity_domid() const { return identity_domid_; }

private:
    friend class AmdviDomain;
    // A device as iommufd found it, whether ATS (and PRI with it) is on at the device
    // (Linux's dev_data->ats_enabled), and the DomainID its DTE names (0: none).
    struct DeviceState {
        iommufd::EndpointCaps caps;
        bool ats = false;
        uint16_t domid = 0;
        const Domain* domain = nullptr;
    };
    // A DomainID's attached devices (Linux's pdom iommu_array refcount: no flushes
    // without one) and its devices with ATS, each invalidated with the IOTLB.
    struct DomainUse {
        unsigned devices = 0;
        std::set<uint16_t> ats;
    };

    Errno fail(const char* key, std::string reason, const char* unit_key = "");
    Errno check_features();
    Errno alloc_buffers();
    uint64_t alloc(uint64_t bytes);
    void init_device_table();
    void enable();
    void enable_ppr_log();
    // iommu_feature_enable / disable: CONTROL read, the bit changed, written back.
    void feature(unsigned bit, bool on);
    // Memory the unit wrote (log entries, the semaphore), made fresh for the CPU's read
    // when the unit does not snoop.
    void refresh(uint64_t pa, uint64_t bytes) {
        if (!coherent_) m_.flush(pa, bytes);
    }
    void flush_all_caches();
    void write_entry(uint64_t pa, uint64_t value) { tables_.write(pa, value, coherent_); }
    uint16_t alloc_domid();
    void free_domid(uint16_t id) { domids_.erase(id); }

    // command_buffer.cpp.
    void queue(const Cmd& c);
    void completion_wait();
    // amd_iommu_domain_flush_pages: INVALIDATE_IOMMU_PAGES (PDE) of [iova, iova + size)
    // in `domid`, INVALIDATE_IOTLB_PAGES for its ATS devices, COMPLETION_WAIT; nothing
    // when no device uses the DomainID.
    void flush_pages(uint16_t domid, uint64_t iova, uint64_t size);
    void flush_domain(uint16_t domid);  // every page (amd_iommu_domain_flush_all)
    // device_flush_dte: INVALIDATE_DEVTAB_ENTRY, and the device's whole IOTLB with ATS.
    void flush_dte(uint16_t devid);

    // device_table.cpp.
    uint64_t dte_address(uint16_t devid) const { return dev_table_ + uint64_t(devid) * 32; }
    void update_dte(uint16_t devid, const uint64_t (&dte)[4]);
    void set_domain(uint16_t devid, uint16_t domid, const Domain* d);
    void blocked_dte(uint16_t devid);

    // ats.cpp.
    bool ats_supported(uint16_t devid);
    bool pri_used(const DeviceState& dev) const;
    // ATS (and PRI with it) on or off at the device; off also ends its IOTLB invalidations.
    void set_endpoint(uint16_t devid, bool on);
    static Cmd inv_iotlb(uint16_t devid, uint64_t iova, uint64_t size);

    // logs.cpp.
    void count(const std::string& name, const char* desc);
    void poll_events();
    void poll_ppr_log();
    void handle_ppr(uint64_t lo);
    // amd_iommu_restart_log: re-enables a log that stopped after an overflow.
    void restart_log(unsigned int_bit, unsigned log_bit, uint32_t run_mask, uint32_t overflow_mask);

    Machine& m_;
    FrameAllocator& pages_;
    ProbeFailure failure_;
    DriverParams params_;
    uint64_t efr_ = 0, efr2_ = 0;
    bool coherent_ = false;
    uint64_t dev_table_ = 0, dev_table_bytes_ = 0;
    uint64_t cmd_buf_ = 0, sem_ = 0, evt_log_ = 0, ppr_log_ = 0;
    uint32_t cmd_head_ = 0, cmd_tail_ = 0;  // bytes, as Linux's cmd_buf_head / cmd_buf_tail
    uint64_t sem_val_ = 0;                  // the last completion-wait store datum
    bool need_sync_ = false;
    uint16_t identity_domid_ = 0;
    std::set<uint16_t> domids_;
    std::map<uint16_t, DeviceState> devices_;
    std::map<uint16_t, DomainUse> use_;
    std::set<AmdviDomain*> domains_;  // live domains, orphaned if the driver goes first
    std::vector<Cmd> ppr_responses_;
    double cpu_ns_ = 0, queue_ns_ = 0;

    TableWriter tables_{m_, *this, "page-table and device-table words written", params_.table_write_ns, cpu_ns_};
    sim::Counter commands_{*this, "commands", "", "commands queued, COMPLETION_WAIT included"};
    sim::Counter waits_{*this, "waits", "", "COMPLETION_WAITs polled"};
    sim::Counter timeouts_{*this, "wait_timeouts", "", "COMPLETION_WAITs whose semaphore store did not come while polled"};
    // events.<code> ("events.0x2"), events.overflows, ppr.*: made when first counted.
    std::map<std::string, std::unique_ptr<sim::Counter>> counts_;
    MmioPort mmio_{m_, *this, params_.mmio_ns, cpu_ns_};
    CompletionWait completion_{m_};
    sim::Formula cpu_{*this, "cpu_ns", "ns", "driver CPU time from DriverParams", [this] { return cpu_ns_; }};
};

}  // namespace iommufd::amdvi
