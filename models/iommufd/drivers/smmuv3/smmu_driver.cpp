#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

#include <algorithm>

#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/requester_ops.h"
#include "models/sim/params.h"

namespace iommufd::smmuv3 {

using namespace enc;

void DriverParams::bind(sim::ParamBinder& b) {
    b.f64("mmio_ns", mmio_ns, "ns", "driver CPU time per register access (illustrative)", 0, 1e6);
    b.f64("table_write_ns", table_write_ns, "ns",
          "driver CPU time per page-table, STE or CD word written (illustrative)", 0, 1e6);
    b.f64("command_ns", command_ns, "ns", "driver CPU time per command queued (illustrative)", 0, 1e6);
    b.f64("wait_ns", wait_ns, "ns", "driver CPU time polling a CMD_SYNC, at least (the unit's command time when longer; illustrative)", 0, 1e9);
    b.u32("pasid_bits", pasid_bits, "bits",
          "PASID width devices report; CD tables hold 2^min(this, IDR1.SSIDSIZE) CDs", 0, 20);
}

Driver::Driver(Machine& m, FrameAllocator& pages, const DriverParams& costs)
    : m_(m),
      pages_(pages),
      costs_(costs),
      evtq_{kEvtqProd, kEvtqCons, 32, "events.overflows",
            "event queue overflows seen in EVENTQ_PROD.OVFLG (records were lost)"},
      priq_{kPriqProd, kPriqCons, kPriqEntryBytes, "pri.overflows",
            "PRI queue overflows seen in PRIQ_PROD.OVFLG (page requests were lost)"} {}

// A domain may outlive its driver (torn down in another order at the end of a run):
// it then has no unit to flush.
Driver::~Driver() {
    for (SmmuDomain* d : domains_) d->orphan();
}

// Zeroed memory for tables and queues, naturally aligned as the SMMU requires of
// queues and level-2 stream tables (at least 4 KiB: the allocator's unit).
uint64_t Driver::alloc(uint64_t bytes) {
    bytes = std::max<uint64_t>(bytes, 4096);
    const auto pa = pages_.allocate(bytes, bytes);
    return pa ? *pa : 0;
}

// A table, STE or CD word; cleaned to memory when the unit's walks do not snoop
// (Linux syncs non-coherent tables with the DMA API).
void Driver::write_entry(uint64_t pa, uint64_t value) {
    m_.write64(pa, value);
    if (!coherent_) m_.flush(pa, 8);
    ++table_writes_;
    cpu_ns_ += costs_.table_write_ns;
}

Errno Driver::fail(const char* key, std::string reason, const char* unit_key) {
    failure_ = {key, std::move(reason), unit_key};
    return Errno::OpNotSupp;
}

// What arm_smmu_device_hw_probe refuses (ENXIO there), plus a unit without the 4K
// granule, which this driver's domains need. The unit keys name the IDR field
// that straps the capability, `smmuv3.<field in lower case>` (the hardware's
// parameter names are not final).
Errno Driver::check_idrs() {
    const uint32_t idr0 = idr_[0], idr1 = idr_[1];
    if (!idr0_s1p(idr0) && !idr0_s2p(idr0))
        return fail("", "the SMMU implements neither stage 1 nor stage 2 (IDR0.S1P, S2P)", "smmuv3.s1p");
    if (!(idr0_ttf(idr0) & 2)) return fail("", "the SMMU lacks AArch64 tables (IDR0.TTF)", "smmuv3.ttf");
    const unsigned endian = idr0_ttendian(idr0);
    if (endian != 0 && endian != 2)
        return fail("", "the SMMU cannot walk little-endian tables (IDR0.TTENDIAN)", "smmuv3.ttendian");
    if (idr1 & kIdr1TablesPreset) return fail("", "embedded implementation (IDR1.TABLES_PRESET)", "smmuv3.tables_preset");
    if (idr1 & kIdr1QueuesPreset) return fail("", "embedded implementation (IDR1.QUEUES_PRESET)", "smmuv3.queues_preset");
    if (idr1 & kIdr1Rel) return fail("", "embedded implementation (IDR1.REL)", "smmuv3.rel");
    // One batch of 64 commands and its CMD_SYNC must fit (CMDQ_BATCH_ENTRIES).
    if (idr1_cmdqs(idr1) <= 6)
        return fail("", "a command queue of 64 entries or fewer (IDR1.CMDQS)", "smmuv3.cmdqs");
    if (!idr5_gran4k(idr_[5]))
        return fail("", "the SMMU lacks the 4K granule the CPU's pages need (IDR5.GRAN4K)", "smmuv3.gran4k");
    return Errno::Ok;
}

Errno Driver::probe() {
    for (unsigned i = 0; i < 6; ++i) idr_[i] = uint32_t(mmio_.read(kIdr0 + 4 * i, 4));
    iidr_ = uint32_t(mmio_.read(kIidr, 4));
    aidr_ = uint32_t(mmio_.read(kAidr, 4));
    if (Errno e = check_idrs(); e != Errno::Ok) return e;
    coherent_ = idr0_cohacc(idr_[0]);
    hyp_ = idr_[0] & (1u << 9);
    asid_bits_ = idr0_asid16(idr_[0]) ? 16 : 8;
    vmid_bits_ = idr0_vmid16(idr_[0]) ? 16 : 8;
    sid_bits_ = idr1_sidsize(idr_[1]);
    ssid_bits_ = std::min(idr1_ssidsize(idr_[1]), costs_.pasid_bits);
    ril_ = idr3_ril(idr_[3]);
    idr0_ats_ = idr0_ats(idr_[0]);
    ips_ = idr5_oas(idr_[5]) == 7 ? 5 : idr5_oas(idr_[5]);
    oas_ = oas_bits(ips_);
    if (Errno e = init_queues(); e != Errno::Ok) return e;
    if (Errno e = init_strtab(); e != Errno::Ok) return e;
    return reset();
}

// Queues of at most 256 commands (4 KiB), 128 events (4 KiB) and, with IDR0.PRI, 256
// page requests (4 KiB): Linux takes as many as IDR1 allows, which a simulation does
// not need; smaller queues only wait or overflow sooner.
Errno Driver::init_queues() {
    cmdq_shift_ = std::min(idr1_cmdqs(idr_[1]), 8u);
    evtq_.shift = std::min(idr1_eventqs(idr_[1]), 7u);
    cmdq_ = alloc(uint64_t(16) << cmdq_shift_);
    evtq_.base = alloc(uint64_t(32) << evtq_.shift);
    if (idr0_pri(idr_[0])) {
        priq_.shift = std::min(idr1_priqs(idr_[1]), 8u);
        priq_.base = alloc(uint64_t(kPriqEntryBytes) << priq_.shift);
        if (!priq_.base) return Errno::NoMem;
    }
    return cmdq_ && evtq_.base ? Errno::Ok : Errno::NoMem;
}

// Writes CR0 and polls CR0ACK until it matches (arm_smmu_write_reg_sync).
bool Driver::cr0_write(uint32_t value) {
    mmio_.write(kCr0, value, 4);
    for (int i = 0; i < 16; ++i)
        if (uint32_t(mmio_.read(kCr0Ack, 4)) == value) return true;
    return false;
}

// arm_smmu_device_reset. Interrupts: the PRI queue's (the unit's page-request
// interrupt, ats.h) where there is a PRI queue, the event queue's where the unit can
// stall; other events are polled (drain_events).
Errno Driver::reset() {
    if (!cr0_write(0)) return fail("", "CR0ACK did not acknowledge disabling the SMMU");
    mmio_.write(kCr1, kCr1WbIsh, 4);
    mmio_.write(kCr2, kCr2Ptm | kCr2RecInvSid, 4);
    mmio_.write(kStrtabBase, (strtab_ & kAddr51_6) | kStrtabRa, 8);
    mmio_.write(kStrtabBaseCfg, strtab_cfg_, 4);
    mmio_.write(kCmdqBase, cmdq_ | kQueueRaWa | cmdq_shift_, 8);
    mmio_.write(kCmdqProd, 0, 4);
    mmio_.write(kCmdqCons, 0, 4);
    if (!cr0_write(kCr0CmdqEn)) return fail("", "CR0ACK did not acknowledge CMDQEN");
    issue({{kOpCfgiAll, 31}});  // CFGI_ALL: CFGI_STE_RANGE with Range 31
    if (hyp_) issue({{0x20, 0}});  // TLBI_EL2_ALL
    issue({{kOpTlbiNsnhAll, 0}});
    reset_queue(evtq_, kEvtqBase);
    uint32_t enables = kCr0CmdqEn | kCr0EvtqEn;
    if (!cr0_write(enables)) return fail("", "CR0ACK did not acknowledge EVTQEN");
    if (priq_.base) {
        reset_queue(priq_, kPriqBase);
        if (!cr0_write(enables |= kCr0PriqEn)) return fail("", "CR0ACK did not acknowledge PRIQEN");
    }
    if (idr0_ats_ && !cr0_write(enables |= kCr0AtsChk)) return fail("", "CR0ACK did not acknowledge ATSCHK");
    // arm_smmu_setup_irqs: IRQ_CTRL through IRQ_CTRLACK. The event interrupt only where
    // stalls can need an answer; other events are polled (drain_events).
    const uint32_t irqs = (priq_.base ? kIrqPriqEn : 0) | (idr0_stall_model(idr_[0]) != 1 ? kIrqEvtqEn : 0);
    if (irqs) {
        mmio_.write(kIrqCtrl, irqs, 4);
        for (int i = 0; i < 16 && uint32_t(mmio_.read(kIrqCtrlAck, 4)) != irqs; ++i) {
        }
    }
    if (!cr0_write(enables | kCr0SmmuEn)) return fail("", "CR0ACK did not acknowledge SMMUEN");
    return Errno::Ok;
}

bool Driver::stage1() const { return idr0_s1p(idr_[0]); }

unsigned Driver::s2_ias() const {
    const unsigned ias = std::max(idr0_ttf(idr_[0]) == 3 ? 40u : 0u, oas_);
    return std::min(ias, 48u);
}

Errno Driver::alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out) {
    drain_events();
    const bool s2p = idr0_s2p(idr_[0]);
    if (hwpt_flags & ~uint32_t(kHwptNestParent)) return Errno::OpNotSupp;
    if (hwpt_flags && !(stage1() && s2p)) return Errno::OpNotSupp;  // ARM_SMMU_FEAT_NESTING
    const bool s2 = hwpt_flags || !stage1();
    const uint16_t tag = alloc_tag(s2);
    if (!tag) return Errno::NoSpc;
    using Stage = SmmuDomain::Stage;
    out = std::make_unique<SmmuDomain>(*this, s2 ? Stage::S2 : Stage::S1, tag, hwpt_flags != 0);
    return Errno::Ok;
}

std::unique_ptr<Domain> Driver::alloc_identity_domain() { return std::make_unique<IdentityDomain>(); }

bool Driver::can_enforce_cache_coherency() const { return coherent_; }

// The window Linux reserves for MSI doorbells on Arm (MSI_IOVA_BASE 0x8000000,
// MSI_IOVA_LENGTH 0x100000, IOMMU_RESV_SW_MSI).
std::vector<IovaRange> Driver::reserved_regions(uint16_t) const { return {{0x800'0000, 0x80f'ffff}}; }

std::unique_ptr<DeviceOps> Driver::device(uint16_t sid, const iommufd::EndpointCaps& caps) {
    devices_[sid].caps = caps;
    return std::make_unique<RequesterOps<Driver>>(*this, sid);
}

// struct iommu_hw_info_arm_smmuv3 { flags; __reserved; idr[6]; iidr; aidr; } as
// arm_smmu_hw_info fills it, without the two zero words (as the VT-d driver leaves out
// iommu_hw_info_vtd's); no dirty tracking capability.
HwInfo Driver::hw_info() const {
    HwInfo h;
    h.type = 2;  // IOMMU_HW_INFO_TYPE_ARM_SMMUV3
    for (unsigned i = 0; i < 6; ++i) h.data.emplace_back("idr[" + std::to_string(i) + "]", idr_[i]);
    h.data.emplace_back("iidr", iidr_);
    h.data.emplace_back("aidr", aidr_);
    return h;
}

// The lowest free ASID or VMID from 1: arm_smmu_domain_finalise_s1's xa_alloc and
// finalise_s2's ida_alloc_range(1, 2^vmid_bits - 1); 0 is left unused, as Linux
// reserves it.
uint16_t Driver::alloc_tag(bool vmid) {
    std::set<uint16_t>& used = vmid ? vmids_ : asids_;
    const uint32_t limit = uint32_t(1) << (vmid ? vmid_bits_ : asid_bits_);
    uint32_t tag = 1;
    for (uint16_t u : used) {
        if (u != tag) break;
        ++tag;
    }
    if (tag >= limit) return 0;
    used.insert(uint16_t(tag));
    return uint16_t(tag);
}

void Driver::free_tag(bool vmid, uint16_t tag) { (vmid ? vmids_ : asids_).erase(tag); }

}  // namespace iommufd::smmuv3
