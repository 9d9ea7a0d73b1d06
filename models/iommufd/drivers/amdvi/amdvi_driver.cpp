#include "models/iommufd/drivers/amdvi/amdvi_driver.h"

#include "models/iommufd/drivers/amdvi/amdvi_domain.h"
#include "models/iommufd/drivers/amdvi/encoding.h"
#include "models/iommufd/requester_ops.h"
#include "models/sim/params.h"

namespace iommufd::amdvi {

using namespace enc;

void DriverParams::bind(sim::ParamBinder& b) {
    b.u32("levels", levels, "", "host page-table levels of every domain (DTE Mode); 4 covers 48-bit IOVAs", 3, 6);
    b.u32("last_devid", last_devid, "",
          "highest DeviceID the device table holds (Linux last_bdf); sizes the table", 0, 0xffff);
    b.flag("iotlb_sup", iotlb_sup, "the unit's IotlbSup as firmware (IVHD) reports it: ATS for devices that offer it");
    b.f64("mmio_ns", mmio_ns, "ns", "driver CPU time per register access (illustrative)", 0, 1e6);
    b.f64("table_write_ns", table_write_ns, "ns", "driver CPU time per page-table or DTE word written (illustrative)",
          0, 1e6);
    b.f64("command_ns", command_ns, "ns", "driver CPU time per command written (illustrative)", 0, 1e6);
    b.f64("wait_ns", wait_ns, "ns",
          "driver CPU time polling a COMPLETION_WAIT, at least (the unit's command time when longer; illustrative)", 0,
          1e9);
}

Driver::Driver(Machine& m, FrameAllocator& pages, const DriverParams& params)
    : m_(m), pages_(pages), params_(params) {}

// A domain may outlive its driver (torn down in another order at the end of a run).
Driver::~Driver() {
    for (AmdviDomain* d : domains_) d->orphan();
}

// Zeroed whole pages, naturally aligned (Linux's iommu_alloc_pages of an order).
uint64_t Driver::alloc(uint64_t bytes) { return pages_.allocate(bytes, bytes).value_or(0); }

// EFR.HATS gives the deepest host table the unit walks (Linux amd_iommu_hpt_level =
// HATS + 4); HATS = 11b is reserved, and Linux then turns host translation off, which
// leaves this driver (v1 tables only) nothing to drive.
Errno Driver::check_features() {
    const unsigned hats = efr_hats(efr_);
    if (hats == 3)
        return fail("", "the unit's EFR.HATS is 11b (reserved): no host page tables to translate with", "amdvi.hats");
    if (params_.levels > 4 + hats)
        return fail("levels",
                    std::to_string(params_.levels) + "-level host tables exceed the unit's EFR.HATS (" +
                        std::to_string(4 + hats) + " levels)",
                    "amdvi.hats");
    return Errno::Ok;
}

Errno Driver::fail(const char* key, std::string reason, const char* unit_key) {
    failure_ = {key, std::move(reason), unit_key};
    return Errno::OpNotSupp;
}

// The device table holds last_devid + 1 entries rounded up to a power of two of pages
// (Linux tbl_size); the rings hold 512 entries (CMD_BUFFER_SIZE, EVT_BUFFER_SIZE,
// PPR_LOG_SIZE); the semaphore is a page of its own (alloc_cwwb_sem).
Errno Driver::alloc_buffers() {
    dev_table_bytes_ = 4096;
    while (dev_table_bytes_ < (uint64_t(params_.last_devid) + 1) * kDteBytes) dev_table_bytes_ *= 2;
    dev_table_ = alloc(dev_table_bytes_);
    cmd_buf_ = alloc(kRingBytes);
    sem_ = alloc(4096);
    evt_log_ = alloc(kRingBytes);
    if (efr_ppr(efr_)) ppr_log_ = alloc(kRingBytes);
    const bool ppr_ok = !efr_ppr(efr_) || ppr_log_;
    return dev_table_ && cmd_buf_ && sem_ && evt_log_ && ppr_ok ? Errno::Ok : Errno::NoMem;
}

// init_device_table_dma: every DeviceID V=1 TV=1 (Mode 0, IR=IW=0: DMA blocked) until a
// domain is attached; the table is cleaned to memory once, before the unit is enabled.
void Driver::init_device_table() {
    for (uint64_t devid = 0; devid <= params_.last_devid; ++devid)
        tables_.write(dte_address(uint16_t(devid)), kDteV | kDteTv, true);
    m_.flush(dev_table_, dev_table_bytes_);
}

void Driver::feature(unsigned b, bool on) {
    const uint64_t ctl = mmio_.read(kControl, 8);
    mmio_.write(kControl, on ? ctl | bit(b) : ctl & ~bit(b), 8);
}

// early_enable_iommu: iommu_disable, iommu_init_flags (Coherent; InvTimeout 1 s, whose
// read shows whether Coherent stuck), iommu_set_device_table, iommu_enable_command_buffer
// (with amd_iommu_reset_cmd_buffer), iommu_enable_event_buffer, iommu_enable_gt,
// iommu_enable, amd_iommu_flush_all_caches. Interrupt remapping (GA, XT) is not modelled.
void Driver::enable() {
    for (unsigned b : {kCtlCmdBufEn, kCtlEventIntEn, kCtlEventLogEn, kCtlPprLogEn, kCtlPprIntEn, kCtlIommuEn})
        feature(b, false);
    feature(kCtlCoherent, true);
    const uint64_t ctl = mmio_.read(kControl, 8);
    coherent_ = ctl & bit(kCtlCoherent);
    mmio_.write(kControl, (ctl & ~kCtlInvTimeoutMask) | kInvTimeout1s << 5, 8);
    mmio_.write(kDevTableBase, (dev_table_ & kAddr51_12) | (dev_table_bytes_ / 4096 - 1), 8);
    mmio_.write(kCmdBufBase, ring_base(cmd_buf_), 8);
    feature(kCtlCmdBufEn, false);
    mmio_.write(kCmdHead, 0, 4);
    mmio_.write(kCmdTail, 0, 4);
    cmd_head_ = cmd_tail_ = 0;
    feature(kCtlCmdBufEn, true);
    mmio_.write(kEvtLogBase, ring_base(evt_log_), 8);
    mmio_.write(kEvtHead, 0, 4);
    mmio_.write(kEvtTail, 0, 4);
    feature(kCtlEventLogEn, true);
    if (efr_gt(efr_)) feature(kCtlGtEn, true);
    feature(kCtlIommuEn, true);
    flush_all_caches();
}

// amd_iommu_enable_ppr_log.
void Driver::enable_ppr_log() {
    feature(kCtlPprEn, true);
    mmio_.write(kPprLogBase, ring_base(ppr_log_), 8);
    mmio_.write(kPprHead, 0, 4);
    mmio_.write(kPprTail, 0, 4);
    feature(kCtlPprIntEn, true);
    feature(kCtlPprLogEn, true);
}

// amd_iommu_flush_all_caches: INVALIDATE_IOMMU_ALL with EFR.IASup; else every DTE and
// every DomainID up to last_bdf, each batch closed by a COMPLETION_WAIT (the interrupt
// remapping tables Linux also flushes are not modelled).
void Driver::flush_all_caches() {
    if (efr_ia(efr_)) {
        queue({cmd_op(kOpInvIommuAll), 0});
        completion_wait();
        return;
    }
    for (uint64_t devid = 0; devid <= params_.last_devid; ++devid) queue({devid | cmd_op(kOpInvDevtabEntry), 0});
    completion_wait();
    for (uint64_t domid = 0; domid <= params_.last_devid; ++domid)
        queue({domid << 32 | cmd_op(kOpInvIommuPages), kInvAllPagesAddress | kInvPde | kInvS});
    completion_wait();
}

// EFR (and EFR2, 0 where the unit has none) first; then, once the unit is running, the
// PPR log and the event interrupt (Linux's IOMMU_PCI_INIT and IOMMU_INTERRUPTS_EN
// stages), and the identity domain's DomainID (amd_iommu_init_identity_domain).
Errno Driver::probe() {
    efr_ = mmio_.read(kExtFeature, 8);
    efr2_ = mmio_.read(kExtFeature2, 8);
    if (Errno e = check_features(); e != Errno::Ok) return e;
    if (Errno e = alloc_buffers(); e != Errno::Ok) return e;
    init_device_table();
    enable();
    if (ppr_log_) enable_ppr_log();
    feature(kCtlEventIntEn, true);
    identity_domid_ = alloc_domid();
    return Errno::Ok;
}

// amd_iommu_pdom_id_alloc: the lowest free DomainID in 1..65535 (0 stays unused); 0 when
// none is left.
uint16_t Driver::alloc_domid() {
    uint32_t id = 1;
    for (uint16_t used : domids_) {
        if (used != id) break;
        ++id;
    }
    if (id > 0xffff) return 0;
    domids_.insert(uint16_t(id));
    return uint16_t(id);
}

Errno Driver::alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out) {
    if (hwpt_flags) return Errno::OpNotSupp;
    const uint16_t id = alloc_domid();
    if (!id) return Errno::NoSpc;
    auto d = std::make_unique<AmdviDomain>(*this, id);
    if (!d->root()) return Errno::NoMem;  // the domain frees its DomainID
    out = std::move(d);
    return Errno::Ok;
}

Errno Driver::alloc_identity_domain(std::unique_ptr<Domain>& out) {
    out = std::make_unique<IdentityDomain>(*this, identity_domid_);
    return Errno::Ok;
}

HwInfo Driver::hw_info() const {
    HwInfo h;
    h.type = 4;  // IOMMU_HW_INFO_TYPE_AMD
    h.data = {{"efr", efr_}, {"efr2", efr2_}};
    return h;  // no IOMMU_HW_CAP_DIRTY_TRACKING: dirty tracking is not offered
}

// MSI_RANGE_START..MSI_RANGE_END (Linux also reserves the HyperTransport window
// 0xfd00000000-0xffffffffff unless EFR2 says the unit ignores it; not modelled).
std::vector<IovaRange> Driver::reserved_regions(uint16_t) const { return {{0xfee0'0000, 0xfeef'ffff}}; }

std::unique_ptr<DeviceOps> Driver::device(uint16_t devid, const iommufd::EndpointCaps& caps) {
    devices_[devid].caps = caps;
    return std::make_unique<RequesterOps<Driver>>(*this, devid);
}

}  // namespace iommufd::amdvi
