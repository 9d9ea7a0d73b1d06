// The iommufd driver of the FLAT unit (flat_spec.h), written from the spec apart from
// the hardware: it encodes what flat::Unit decodes, and neither includes the other.
//
// probe(): reads CAP (IOVA_BITS must be 13..40), allocates the 512 KiB device table,
// writes DEVTAB, sets CTRL.EN and polls STATUS.ENS. alloc_domain(): a domain ID (from
// 1, never reused) and a one-level table of 2^(IOVA_BITS-12) entries. attach()/detach():
// one device-table entry write, then a DEVICE invalidation. Every invalidation is one
// INV write with GO (after INV_ADDR for PAGE) and a poll until GO clears.
//
// Costs come from DriverParams ([iommufd.flat]); queue_ns is the invalidation part.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/iommufd/driver.h"

namespace sim { class ParamBinder; }

namespace flat_driver {

struct DriverParams {
    double mmio_ns = 100;          // one register access (uncached)
    double table_write_ns = 10;    // one 8-byte entry written (and flushed if needed)
    double invalidation_ns = 50;   // composing one invalidation request
    double wait_ns = 500;          // an invalidation's GO poll, to completion

    void bind(sim::ParamBinder& b);
    void validate() const {}
};

class Domain;

class Driver : public iommufd::Driver {
public:
    Driver(iommufd::Machine& m, iommufd::FrameAllocator& pages, const DriverParams& p);

    iommufd::Errno probe() override;
    iommufd::ProbeFailure probe_failure() const override { return failure_; }
    std::unique_ptr<iommufd::DeviceOps> device(uint16_t sid, const iommufd::EndpointCaps& caps) override;
    iommufd::DriverCost spent() const override;
    double mmio_ns() const override { return p_.mmio_ns; }

    // What the device ops and domains ask of the driver.
    iommufd::Errno alloc_domain(uint32_t hwpt_flags, std::unique_ptr<iommufd::Domain>& out);
    // The flat unit has no bypass.
    iommufd::Errno alloc_identity_domain(std::unique_ptr<iommufd::Domain>&) { return iommufd::Errno::OpNotSupp; }
    iommufd::Errno attach(iommufd::Domain& d, uint16_t sid);
    void detach(uint16_t sid);
    iommufd::HwInfo hw_info() const;
    // Snoop control (CAP.SC) lets domains force snooping.
    bool can_enforce_cache_coherency() const;
    // None: the made-up unit reserves no IOVA range.
    std::vector<iommufd::IovaRange> reserved_regions(uint16_t) const { return {}; }
    uint64_t cap() const { return cap_; }
    unsigned iova_bits() const;
    void write_entry(uint64_t pa, uint64_t value);
    uint64_t read_entry(uint64_t pa) { return m_.read64(pa); }
    // One invalidation request (INV value without GO; INV_ADDR for PAGE) and its wait.
    void invalidate(uint64_t inv, uint64_t addr = 0);
    // After an IOTLB invalidation of domain `did`: the ATCs of its ATS devices, for
    // [iova, iova + size) page by page up to 16 pages, else whole (size 0: whole).
    void invalidate_atcs(uint16_t did, uint64_t iova, uint64_t size);

private:
    iommufd::Errno fail(iommufd::Errno e, std::string reason);

    iommufd::Machine& m_;
    iommufd::FrameAllocator& pages_;
    DriverParams p_;
    iommufd::ProbeFailure failure_;
    uint64_t cap_ = 0;
    uint64_t devtab_ = 0;
    uint32_t next_did_ = 1;
    std::map<uint16_t, iommufd::EndpointCaps> caps_;  // by requester ID
    std::map<uint16_t, uint16_t> ats_attached_;       // requester ID -> DID, ATS enabled
    bool ats_for(uint16_t sid) const;
    void ats_off(uint16_t sid);
    double cpu_ns_ = 0, queue_ns_ = 0;

    sim::Counter table_writes_{*this, "table_writes", "", "device and page-table entries written"};
    sim::Counter descriptors_{*this, "descriptors", "", "invalidation requests (INV writes with GO)"};
    sim::Counter waits_{*this, "waits", "", "invalidations polled to completion"};
    iommufd::MmioPort mmio_{m_, *this, p_.mmio_ns, cpu_ns_};
    sim::Formula cpu_{*this, "cpu_ns", "ns", "driver CPU time from DriverParams",
                      [this] { return cpu_ns_; }};
};

}  // namespace flat_driver

namespace flat {
// The FLAT driver as a plug-in; its section is the caller's ("iommufd.flat").
const iommufd::DriverArch& driver_arch();
}  // namespace flat
