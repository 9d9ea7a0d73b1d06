// The VT-d driver of the mapping engine: what Linux's drivers/iommu/intel does for an
// iommufd domain, written from the VT-d specification apart from the hardware model
// (models/vtd decodes what this encodes; neither includes the other).
//
// probe(): reads CAP/ECAP, allocates the root table and an invalidation queue, then
// enables them through GCMD/GSTS (SRTP, QIE, TE); RTADDR.TTM selects scalable mode
// where ECAP.SMTS and SLTS allow and the parameters ask (intel_iommu=sm_on), else
// legacy mode. alloc_domain(): a domain ID and a second-level table as deep as SAGAW
// allows (4 levels preferred). attach() (context_entries.cpp): in legacy mode the
// device's context entry (TT=untranslated); in scalable mode a scalable context entry,
// a PASID directory and table, and RID_PASID's PASID entry (PGTT=010); an identity
// domain (alloc_identity_domain, ECAP.PT) writes TT=10b or PGTT=100b instead; then
// device-selective context-cache (and PASID-cache) invalidation, and for a replaced
// domain a domain-selective IOTLB flush of the old domain ID. Domain::map writes
// second-level entries (R, W; SNP once the domain enforces coherency, which needs
// ECAP.SC and no mapping yet); large leaves replace emptied lower tables.
// Domain::unmap clears them and invalidates strictly: a page-selective IOTLB
// descriptor (domain-selective beyond MAMV) and a wait descriptor whose status write
// the driver polls.
//
// ATS and PRI (ats.cpp): on a unit with ECAP.DT a device with the ATS capability gets
// context TT=01b (legacy) or DTE in its scalable context entry, and ATS enabled once the
// entry is live; its domain's invalidations then add a device-TLB invalidate descriptor
// after the IOTLB's. Identity domains: in legacy mode TT=10b admits no translated
// requests, so ATS stays off; in scalable mode the pass-through PASID entry works with
// DTE, so ATS is on, as Linux's iommu_enable_pci_caps after intel_pasid_setup_pass_through.
// With ECAP.PRS in scalable mode the page request queue is set up at probe, PRE set in
// the context entry of a device with PRI, and service_page_requests() answers each page
// request group with Invalid Request.
//
// Every action costs CPU time from DriverParams; the statistics add it up.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "models/iommufd/domain.h"
#include "models/iommufd/driver.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/process.h"
#include "models/sim/stats.h"

namespace sim { class ParamBinder; }

namespace iommufd::vtd {

class VtdDomain;

struct DriverParams {
    bool scalable_mode = true;    // where ECAP.SMTS and SLTS allow (intel_iommu=sm_on)
    uint32_t levels = 0;          // second-level depth; 0: 4 where SAGAW allows, else 3, else 5
    double mmio_ns = 100;         // one register access (uncached)
    double table_write_ns = 10;   // one 8-byte table entry written (and flushed if needed)
    double descriptor_ns = 50;    // one queued-invalidation descriptor written
    double wait_ns = 500;         // an invalidation wait: doorbell to status seen

    void bind(sim::ParamBinder& b);
};

class Driver : public iommufd::Driver {
public:
    // Table pages and the queue come from `pages` (zeroed host memory).
    Driver(Machine& m, FrameAllocator& pages, const DriverParams& costs);
    ~Driver() override;

    // Sets the unit up; EOPNOTSUPP when it lacks what this driver needs (queued
    // invalidation, the second-level depth in SAGAW).
    Errno probe() override;
    ProbeFailure probe_failure() const override { return failure_; }
    // A DMA domain. IOMMU_HWPT_ALLOC's NEST_PARENT needs scalable mode and ECAP.NEST,
    // DIRTY_TRACKING scalable mode and ECAP.SLADS (SSADE in the PASID entry); else,
    // and for other flags, EOPNOTSUPP.
    Errno alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out);
    // A pass-through domain (context entry TT=10b, PASID entry PGTT=100b); EOPNOTSUPP
    // without ECAP.PT.
    Errno alloc_identity_domain(std::unique_ptr<Domain>& out);
    // Points requester `sid`'s context entry at the domain, replacing any other.
    Errno attach(Domain& d, uint16_t sid);
    Errno detach(uint16_t sid);
    // IOMMU_CAP_ENFORCE_CACHE_COHERENCY: snoop control (ECAP.SC).
    bool can_enforce_cache_coherency() const;
    // IOMMU_GET_HW_INFO: type INTEL_VTD with CAP_REG and ECAP_REG; no dirty tracking.
    HwInfo hw_info() const;
    // get_resv_regions: the x86 MSI window, for every requester.
    std::vector<IovaRange> reserved_regions(uint16_t sid) const;
    // The driver as iommufd sees it for requester `sid` (detaches it when destroyed).
    std::unique_ptr<DeviceOps> device(uint16_t sid, const iommufd::EndpointCaps& caps) override;
    double mmio_ns() const override { return costs_.mmio_ns; }
    // prq_event_thread (ats.cpp): clears PRS.PPR, handles the descriptors from PQH to
    // PQT, moves PQH to PQT, then clears PRS.PRO once the queue is empty.
    void service_page_requests() override;
    bool page_requests() const { return prq_ != 0; }

    uint64_t cap() const { return cap_; }
    uint64_t ecap() const { return ecap_; }
    DriverCost spent() const override {
        return {cpu_ns_, queue_ns_, table_writes_.value(), descriptors_.value(), waits_.value()};
    }

    bool scalable() const { return scalable_; }

private:
    friend class VtdDomain;
    // What iommufd found in the device's PCI capabilities, whether ATS (and PRI with
    // it) is on at the device, whether its live entry admits ATS, and under which domain.
    struct DeviceState {
        iommufd::EndpointCaps caps;
        bool ats = false, entry_ats = false;
        uint16_t did = 0;
    };
    // ats.cpp.
    bool ats_supported(uint16_t sid);
    bool pri_supported(uint16_t sid);
    void set_endpoint(DeviceState& dev, bool on);
    void ats_prepare(uint16_t sid, bool ats);
    void ats_commit(uint16_t sid, uint16_t did, bool ats);
    // qi_flush_dev_iotlb: [iova, iova + bytes) (bytes 0: everything) of `sid`'s device-TLB.
    void invalidate_dev_tlb(uint16_t sid, uint64_t iova, uint64_t bytes);
    // The ATS devices of domain `did`, in order.
    const std::set<uint16_t>& ats_sids(uint16_t did) { return ats_sids_[did]; }
    void enable_prq();
    void handle_page_request(uint64_t desc);
    void count(const std::string& name, const char* desc);
    uint64_t new_table();
    void write_entry(uint64_t pa, uint64_t value);
    uint64_t context_table(uint16_t sid);
    uint64_t pasid_table(uint16_t sid);
    // The entry's fields that name the domain: legacy context entry qword 0 without P
    // (SLPTPTR, TT) and DID; PASID entry qword 0 without P (SLPTPTR, AW, PGTT, SSADE)
    // and qword 1 (DID, PGSNP).
    Errno attach_legacy(uint64_t lo, uint16_t did, uint16_t sid);
    Errno attach_scalable(uint64_t q0, uint64_t q1, uint16_t sid);
    Errno detach_legacy(uint16_t sid);
    Errno detach_scalable(uint16_t sid);
    void invalidate_context(uint16_t sid, uint16_t did);
    void invalidate_pasid(uint16_t did, uint32_t pasid);
    void invalidate_domain(uint16_t did);
    void invalidate_iotlb(uint16_t did, uint64_t iova, uint64_t bytes);
    // The address mask of the smallest aligned power of two of pages covering the range.
    static unsigned psi_mask(uint64_t iova, uint64_t bytes);
    void submit(uint64_t lo, uint64_t hi);
    void wait();
    void gcmd(uint32_t bit);

    Errno fail(const char* key, std::string reason, const char* unit_key = "");

    Machine& m_;
    FrameAllocator& pages_;
    ProbeFailure failure_;
    DriverParams costs_;
    uint64_t cap_ = 0, ecap_ = 0;
    unsigned levels_ = 4;
    bool scalable_ = false;
    std::map<uint16_t, uint64_t> pasid_tables_;  // requester -> its PASID table
    std::map<uint16_t, DeviceState> devices_;
    std::map<uint16_t, std::set<uint16_t>> ats_sids_;  // domain ID -> its ATS requesters
    uint64_t prq_ = 0;  // the page request queue (4 KiB: 128 descriptors), 0 without
    uint64_t root_ = 0, queue_ = 0, status_ = 0;
    uint64_t tail_ = 0;          // next descriptor slot, bytes
    uint32_t wait_seq_ = 0;
    uint16_t next_did_ = 1;      // DID 0 is reserved when CAP.CM is set; skip it always
    double cpu_ns_ = 0, queue_ns_ = 0;

    sim::Counter table_writes_{*this, "table_writes", "", "paging, context and root entries written"};
    sim::Counter descriptors_{*this, "descriptors", "", "invalidation descriptors queued"};
    sim::Counter waits_{*this, "waits", "", "invalidation waits polled to completion"};
    // pri.requests, pri.responses, pri.overflows: made on first use, so that a run
    // without page requests has none.
    std::map<std::string, std::unique_ptr<sim::Counter>> counts_;
    MmioPort mmio_{m_, *this, costs_.mmio_ns, cpu_ns_};
    CompletionWait completion_{m_};
    sim::Formula cpu_{*this, "cpu_ns", "ns", "driver CPU time from DriverParams",
                      [this] { return cpu_ns_; }};
};

}  // namespace iommufd::vtd
