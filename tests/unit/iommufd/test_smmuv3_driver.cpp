// The mapping engine's SMMUv3 driver against a small fake register file
// (smmuv3_driver_rig.h): probe, stage-1 domains, invalidation, identity, hw_info.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/iommufd/context.h"
#include "models/iommufd/drivers/smmuv3/arch.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "tests/unit/iommufd/one_device_engine.h"
#include "tests/unit/iommufd/smmuv3_driver_rig.h"

using namespace smmu_driver_rig;

TEST_CASE("smmuv3 driver: probe programs CR1, CR2, the stream table and the queues, then "
          "enables them through CR0ACK and invalidates as Linux's reset does",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    REQUIRE(r.probed == Errno::Ok);
    FakeSmmu& u = *r.unit;
    using namespace ::smmuv3;
    // CR0: cleared, then CMDQEN, CMDQEN|EVTQEN, and SMMUEN last.
    std::vector<uint64_t> cr0;
    for (const auto& w : u.writes)
        if (w.first == reg::CR0) cr0.push_back(w.second);
    CHECK(cr0 == std::vector<uint64_t>{0, cr0::CMDQEN, cr0::CMDQEN | cr0::EVENTQEN,
                                       cr0::CMDQEN | cr0::EVENTQEN | cr0::SMMUEN});
    const uint64_t cr1v = u.regs[reg::CR1];
    CHECK(cr1::TABLE_SH.get(cr1v) == 3);
    CHECK(cr1::TABLE_IC.get(cr1v) == 1);
    CHECK(cr1::QUEUE_OC.get(cr1v) == 1);
    CHECK(u.regs[reg::CR2] & cr2::RECINVSID);
    // Stream table, command queue and the first commands before the event queue.
    CHECK(u.first_write(reg::STRTAB_BASE) < u.first_write(reg::CR0, cr0::CMDQEN));
    CHECK(u.first_write(reg::CMDQ_BASE) < u.first_write(reg::CR0, cr0::CMDQEN));
    CHECK(u.first_write(reg::CMDQ_PROD) < u.first_write(reg::EVENTQ_BASE));
    CHECK(u.first_write(reg::EVENTQ_BASE) < u.first_write(reg::CR0, cr0::CMDQEN | cr0::EVENTQEN));
    CHECK(u.first_write(reg::EVENTQ_PROD) < u.writes.size());
    CHECK(u.first_write(reg::EVENTQ_CONS) < u.writes.size());
    REQUIRE(u.cmds.size() == 4);
    CHECK(u.cmds[0].cfgi_all());
    CHECK(u.ops() == std::vector<Opcode>{Opcode::CFGI_STE_RANGE, Opcode::SYNC, Opcode::TLBI_NSNH_ALL, Opcode::SYNC});
    CHECK(u.cmds[1].cs == sync_cs::SEV);
    CHECK(u.bad_commands == 0);
    // 16-bit StreamIDs: two-level, SPLIT 8, 2^16 STEs.
    const auto st = decode_strtab(u.regs[reg::STRTAB_BASE], uint32_t(u.regs[reg::STRTAB_BASE_CFG]), r.caps());
    CHECK(st.two_level);
    CHECK(st.split == 8);
    CHECK_FALSE(st.split_reserved);
    CHECK(st.log2size == 16);
    CHECK(r.driver->two_level());
    CHECK(queue_base::LOG2SIZE.get(u.regs[reg::CMDQ_BASE]) == 8);
    CHECK(r.stat("waits") == 2);
    CHECK(r.stat("sync_timeouts") == 0);
}

TEST_CASE("smmuv3 driver: few StreamIDs make a linear table of abort STEs",
          "[iommufd][smmuv3-driver]") {
    Idrs i;
    i.idr1 = (i.idr1 & ~uint32_t(0x3f)) | 6;  // SIDSIZE 6
    Rig r(i);
    REQUIRE(r.probed == Errno::Ok);
    const auto st = ::smmuv3::decode_strtab(r.unit->regs[reg::STRTAB_BASE],
                                            uint32_t(r.unit->regs[reg::STRTAB_BASE_CFG]), r.caps());
    CHECK_FALSE(st.two_level);
    CHECK(st.log2size == 6);
    for (uint32_t sid : {0u, 17u, 63u}) {
        const ::smmuv3::Ste s = r.ste(sid);
        CHECK(s.v);
        CHECK(s.abort());
    }
    // A StreamID beyond SIDSIZE cannot be attached.
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    CHECK(r.driver->attach(*d, 64) == Errno::Inval);
}

TEST_CASE("smmuv3 driver: probe refuses what it cannot drive and names the IDR field",
          "[iommufd][smmuv3-driver]") {
    struct Case {
        const char* key;
        uint32_t Idrs::*reg;
        uint32_t clear, set;
    };
    using namespace ::smmuv3;
    const uint32_t s12 = uint32_t(idr0::S1P.mask() | idr0::S2P.mask());
    const Case cases[] = {
        {"smmuv3.s1p", &Idrs::idr0, s12, 0},
        {"smmuv3.ttf", &Idrs::idr0, uint32_t(idr0::TTF.mask()), uint32_t(idr0::TTF.put(1))},
        {"smmuv3.ttendian", &Idrs::idr0, 0, uint32_t(idr0::TTENDIAN.put(3))},
        {"smmuv3.tables_preset", &Idrs::idr1, 0, uint32_t(idr1::TABLES_PRESET.put(1))},
        {"smmuv3.cmdqs", &Idrs::idr1, uint32_t(idr1::CMDQS.mask()), uint32_t(idr1::CMDQS.put(6))},
        {"smmuv3.gran4k", &Idrs::idr5, uint32_t(idr5::GRAN4K.mask()), 0},
    };
    for (const Case& c : cases) {
        Idrs i;
        i.*c.reg = (i.*c.reg & ~c.clear) | c.set;
        Rig r(i);
        INFO(c.key);
        CHECK(r.probed == Errno::OpNotSupp);
        CHECK(r.driver->probe_failure().unit_key == c.key);
        CHECK_FALSE(r.driver->probe_failure().reason.empty());
        CHECK(r.unit->first_write(reg::CR0, cr0::SMMUEN) == r.unit->writes.size());
    }
}

TEST_CASE("smmuv3 driver: attach writes the CD, then a stage-1 STE, each invalidated and "
          "synced, and both decode to the domain and pass the hardware's checks",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    r.unit->cmds.clear();
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    const auto ops = r.unit->ops();
    // CD: dwords 1-7 then V (CFGI_CD, SYNC twice); STE likewise (CFGI_STE, SYNC twice).
    CHECK(ops == std::vector<Opcode>{Opcode::CFGI_CD, Opcode::SYNC, Opcode::CFGI_CD, Opcode::SYNC,
                                     Opcode::CFGI_STE, Opcode::SYNC, Opcode::CFGI_STE, Opcode::SYNC});
    for (const auto& c : r.unit->cmds)
        if (c.op != Opcode::SYNC) {
            CHECK(c.sid == kSid);
            CHECK(c.leaf);
        }
    const ::smmuv3::Ste s = r.ste(kSid);
    // Dword 0 (V) of each entry is stored after the rest of it, the STE after the CD.
    const uint64_t cd_pa = s.s1_context_ptr;
    CHECK(r.unit->last_store(cd_pa + 8) < r.unit->last_store(cd_pa));
    CHECK(r.unit->last_store(cd_pa + 24) < r.unit->last_store(cd_pa));
    const uint64_t ste_pa = r.ste_addr(kSid);
    CHECK(r.unit->last_store(ste_pa + 8) < r.unit->last_store(ste_pa));
    CHECK(r.unit->last_store(cd_pa) < r.unit->last_store(ste_pa + 8));
    CHECK(s.v);
    CHECK(s.config == ::smmuv3::ste_config::S1_TRANS);
    CHECK(s.s1fmt == ::smmuv3::s1fmt::LINEAR);
    CHECK(s.s1cdmax == 0);
    CHECK(s.s1dss == ::smmuv3::s1dss::SSID0);
    CHECK(s.eats == ::smmuv3::eats::ABORT);
    CHECK(s.strw == ::smmuv3::strw::NSEL1);
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    const ::smmuv3::Cd c = r.cd(s);
    CHECK_FALSE(::smmuv3::check_cd(c, r.caps()));
    const auto& sd = dynamic_cast<const drv::SmmuDomain&>(*d);
    CHECK(c.v);
    CHECK(c.aa64);
    CHECK(c.r);
    CHECK(c.a);
    CHECK(c.t0sz == 16);
    CHECK(c.tg0 == 0);
    CHECK(c.ips == 5);
    CHECK(c.epd1);
    CHECK_FALSE(c.epd0);
    CHECK(c.sh0 == 3);  // io-pgtable-arm's coherent walk: Write-Back Inner Shareable
    CHECK(c.irgn0 == 1);
    CHECK(c.orgn0 == 1);
    CHECK(c.asid == sd.asid());
    CHECK(c.ttb0 == sd.root());
    CHECK(c.mair == 0xf404ff44);
    // A second domain gets another ASID; replacing rewrites the CD, not the STE.
    std::unique_ptr<Domain> d2;
    REQUIRE(r.driver->alloc_domain(0, d2) == Errno::Ok);
    CHECK(dynamic_cast<const drv::SmmuDomain&>(*d2).asid() != sd.asid());
    r.unit->cmds.clear();
    REQUIRE(r.driver->attach(*d2, kSid) == Errno::Ok);
    for (const auto& cmd : r.unit->cmds) CHECK(cmd.op != Opcode::CFGI_STE);
    CHECK(r.cd(r.ste(kSid)).asid == dynamic_cast<const drv::SmmuDomain&>(*d2).asid());
}

TEST_CASE("smmuv3 driver: 4K pages, 2M and 1G blocks walk to their PA with their rights",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    CHECK(d->page_sizes() == ((1u << 12) | (1u << 21) | (1u << 30)));
    CHECK(d->aperture_end() == (uint64_t(1) << 48) - 1);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 1u << 12, kRead) == Errno::Ok);
    REQUIRE(d->map(0x20'0000, 0x4020'0000, 1u << 21, kRead | kWrite) == Errno::Ok);
    REQUIRE(d->map(0x8000'0000, 0x1'4000'0000, 1u << 30, kRead | kWrite) == Errno::Ok);
    CHECK(d->map(0x10'0000, 0x8000'1000, 1u << 12, kRead) == Errno::Exist);
    CHECK(d->map(0x20'1000, 0x8000'1000, 1u << 12, kRead) == Errno::Exist);  // inside the block
    CHECK(d->map(0x30'1000, 0x8000'1000, 1u << 21, kRead) == Errno::Inval);  // misaligned
    CHECK(d->map(uint64_t(1) << 48, 0x8000'1000, 1u << 12, kRead) == Errno::Fault);
    iommu::Result res = r.walk(0x10'0123, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x8000'0123);
    CHECK(res.page_size == 4096);
    CHECK(r.walk(0x10'0123, true).reason == ::smmuv3::event::F_PERMISSION);  // read-only
    res = r.walk(0x21'2345, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x4021'2345);
    CHECK(res.page_size == (1u << 21));
    res = r.walk(0xbfff'fff8, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x1'7fff'fff8);
    CHECK(res.page_size == (1u << 30));
    CHECK(r.walk(0x40'0000, false).reason == ::smmuv3::event::F_TRANSLATION);
    // Coherent unit: no cache maintenance; its domains keep coherency.
    CHECK(r.unit->flushes == 0);
    CHECK(r.driver->can_enforce_cache_coherency());
    CHECK(d->enforce_cache_coherency());
}

TEST_CASE("smmuv3 driver: strict unmap issues TLBI_NH_VA per leaf and CMD_SYNC, and polls "
          "CMDQ_CONS until the unit has consumed them",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    const uint16_t asid = dynamic_cast<const drv::SmmuDomain&>(*d).asid();
    for (uint64_t i = 0; i < 3; ++i) REQUIRE(d->map(0x10'0000 + i * 4096, 0x8000'0000 + i * 4096, 4096, kRead) == Errno::Ok);
    REQUIRE(d->map(0x20'0000, 0x4020'0000, 1u << 21, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    const unsigned reads = r.unit->cons_reads;
    const uint64_t waits = r.stat("waits");
    d->unmap(0x10'0000, 3 * 4096);
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_NH_VA, Opcode::TLBI_NH_VA, Opcode::TLBI_NH_VA, Opcode::SYNC});
    for (uint64_t i = 0; i < 3; ++i) {
        CHECK(r.unit->cmds[i].asid == asid);
        CHECK(r.unit->cmds[i].addr == 0x10'0000 + i * 4096);
        CHECK(r.unit->cmds[i].leaf);
        CHECK(r.unit->cmds[i].tg == 0);  // no range invalidation without IDR3.RIL
    }
    CHECK(r.unit->cons_reads > reads);
    CHECK(r.stat("waits") == waits + 1);
    CHECK(r.walk(0x10'1000, false).fault);
    r.unit->cmds.clear();
    d->unmap(0x20'0000, 1u << 21);
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_NH_VA, Opcode::SYNC});
    CHECK(r.unit->cmds[0].addr == 0x20'0000);
    CHECK(r.walk(0x20'0000, false).reason == ::smmuv3::event::F_TRANSLATION);
    // A unit that never consumes: the poll gives up and says so.
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
    r.unit->consume = false;
    d->unmap(0x10'0000, 4096);
    CHECK(r.stat("sync_timeouts") == 1);
}

TEST_CASE("smmuv3 driver: with IDR3.RIL a run of leaves is one range TLBI with TG, TTL, NUM "
          "and SCALE", "[iommufd][smmuv3-driver]") {
    Idrs i;
    i.idr3 = uint32_t(::smmuv3::idr3::RIL.put(1));
    Rig r(i);
    REQUIRE(r.probed == Errno::Ok);
    CHECK(r.driver->range_invalidation());
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    for (uint64_t k = 0; k < 3; ++k) REQUIRE(d->map(0x10'0000 + k * 4096, 0x8000'0000 + k * 4096, 4096, kRead) == Errno::Ok);
    REQUIRE(d->map(0x40'0000, 0x4040'0000, 1u << 21, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    d->unmap(0x10'0000, 3 * 4096);
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_NH_VA, Opcode::SYNC});
    const auto& c = r.unit->cmds[0];
    CHECK(c.tg == 1);     // 4K
    CHECK(c.ttl == 3);    // level-3 leaves
    CHECK(c.num == 2);    // 3 pages
    CHECK(c.scale == 0);
    CHECK(c.addr == 0x10'0000);
    r.unit->cmds.clear();
    d->unmap(0x40'0000, 1u << 21);
    REQUIRE(r.unit->cmds.size() == 2);
    CHECK(r.unit->cmds[0].ttl == 2);  // a level-2 block: 512 pages = 1 << 9
    CHECK(r.unit->cmds[0].num == 0);
    CHECK(r.unit->cmds[0].scale == 9);
}

TEST_CASE("smmuv3 driver: deferred unmap queues nothing until flush_all, then "
          "TLBI_NH_ASID and CMD_SYNC", "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    const uint16_t asid = dynamic_cast<const drv::SmmuDomain&>(*d).asid();
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead | kWrite) == Errno::Ok);
    r.unit->cmds.clear();
    const uint64_t prods = r.unit->writes.size();
    d->unmap_deferred(0x10'0000, 4096);
    CHECK(r.unit->cmds.empty());
    CHECK(r.unit->writes.size() == prods);  // no doorbell either
    CHECK(r.walk(0x10'0000, false).fault);  // the table no longer maps it
    d->flush_all();
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_NH_ASID, Opcode::SYNC});
    CHECK(r.unit->cmds[0].asid == asid);
    // Freeing the domain flushes its ASID too (free_io_pgtable_ops).
    r.unit->cmds.clear();
    r.driver->detach(kSid);
    d.reset();
    CHECK(r.unit->ops().back() == Opcode::SYNC);
    CHECK(r.unit->ops()[r.unit->cmds.size() - 2] == Opcode::TLBI_NH_ASID);
}

TEST_CASE("smmuv3 driver: detach writes an abort STE, an identity domain a bypass STE",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    REQUIRE(r.driver->detach(kSid) == Errno::Ok);
    ::smmuv3::Ste s = r.ste(kSid);
    CHECK(s.v);
    CHECK(s.abort());
    auto id = r.driver->alloc_identity_domain();
    r.unit->cmds.clear();
    REQUIRE(r.driver->attach(*id, kSid) == Errno::Ok);
    s = r.ste(kSid);
    CHECK(s.v);
    CHECK(s.bypass());
    CHECK(s.shcfg == 1);  // incoming shareability
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    CHECK(r.unit->ops().back() == Opcode::SYNC);
    CHECK(r.unit->cmds.front().op == Opcode::CFGI_STE);
    // Back to translation through the stage-1 domain, device by device ops.
    auto ops = r.driver->device(kSid, {});
    REQUIRE(ops->attach(*d) == Errno::Ok);
    CHECK(r.ste(kSid).stage1());
    ops.reset();  // release_device: blocked again
    CHECK(r.ste(kSid).abort());
}

TEST_CASE("smmuv3 driver: DeviceOps' identity domain is the bypass STE, and a stage-1 domain "
          "replaces it", "[iommufd][smmuv3-driver]") {
    Rig r;
    auto ops = r.driver->device(kSid, {});
    std::unique_ptr<Domain> id, d;
    REQUIRE(ops->alloc_identity_domain(id) == Errno::Ok);
    REQUIRE(ops->attach(*id) == Errno::Ok);
    ::smmuv3::Ste s = r.ste(kSid);
    CHECK(s.v);
    CHECK(s.bypass());
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    CHECK(r.ste(kSid).stage1());
    REQUIRE(ops->attach(*id) == Errno::Ok);
    CHECK(r.ste(kSid).bypass());
}

TEST_CASE("smmuv3 driver: reserved MSI window, hw_info, flags and a non-coherent unit",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    auto ops = r.driver->device(kSid, {});
    const auto regions = ops->reserved_regions();
    REQUIRE(regions.size() == 1);
    CHECK(regions[0].start == 0x800'0000);
    CHECK(regions[0].last == 0x80f'ffff);
    const HwInfo h = ops->hw_info();
    CHECK(h.type == 2);  // IOMMU_HW_INFO_TYPE_ARM_SMMUV3
    CHECK(h.capabilities == 0);
    REQUIRE(h.data.size() == 8);  // idr[6], iidr, aidr (flags and __reserved are 0)
    CHECK(h.data[0] == std::make_pair(std::string("idr[0]"), uint64_t(r.idrs.idr0)));
    CHECK(h.data[1] == std::make_pair(std::string("idr[1]"), uint64_t(r.idrs.idr1)));
    CHECK(h.data[2] == std::make_pair(std::string("idr[2]"), uint64_t(0)));
    CHECK(h.data[5] == std::make_pair(std::string("idr[5]"), uint64_t(r.idrs.idr5)));
    CHECK(h.data[6] == std::make_pair(std::string("iidr"), uint64_t(0x43b)));
    CHECK(h.data[7] == std::make_pair(std::string("aidr"), uint64_t(2)));
    std::unique_ptr<Domain> d;
    CHECK(r.driver->alloc_domain(kHwptDirtyTracking, d) == Errno::OpNotSupp);
    // Without IDR0.COHACC: no coherency to enforce, and every table word is cleaned.
    Idrs i;
    i.idr0 &= ~uint32_t(::smmuv3::idr0::COHACC.mask());
    Rig nc(i);
    REQUIRE(nc.probed == Errno::Ok);
    CHECK_FALSE(nc.driver->can_enforce_cache_coherency());
    std::unique_ptr<Domain> d2;
    REQUIRE(nc.driver->alloc_domain(0, d2) == Errno::Ok);
    CHECK_FALSE(d2->enforce_cache_coherency());
    const unsigned flushes = nc.unit->flushes;
    REQUIRE(d2->map(0x1000, 0x2000, 4096, kRead) == Errno::Ok);
    CHECK(nc.unit->flushes > flushes);
    // io-pgtable-arm's non-coherent walk: Non-cacheable, Outer Shareable.
    REQUIRE(nc.driver->attach(*d2, kSid) == Errno::Ok);
    const ::smmuv3::Cd ncd = nc.cd(nc.ste(kSid));
    CHECK(ncd.irgn0 == 0);
    CHECK(ncd.orgn0 == 0);
    CHECK(ncd.sh0 == 2);
    // A domain that outlives its driver is left alone when it goes.
    nc.driver.reset();
    d2.reset();
}

TEST_CASE("smmuv3 driver: the plug-in reads its illustrative costs from [iommufd.smmuv3]",
          "[iommufd][smmuv3-driver]") {
    const DriverArch& arch = drv::driver_arch();
    sim::ParamSchema schema;
    arch.declare(schema, "iommufd.smmuv3");
    for (const char* k : {"mmio_ns", "table_write_ns", "command_ns", "wait_ns"})
        CHECK(schema.has(std::string("iommufd.smmuv3.") + k));
    sim::Config cfg;
    cfg.set("iommufd.smmuv3.mmio_ns", "7");
    cfg.set("iommufd.smmuv3.command_ns", "3");
    memory::SparseMemory mem;
    FakeSmmu unit(mem, Idrs());
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    auto driver = arch.make(unit, pages, *arch.read(cfg, "iommufd.smmuv3"));
    CHECK(driver->mmio_ns() == 7);
    REQUIRE(driver->probe() == Errno::Ok);
    const DriverCost c = driver->spent();
    CHECK(c.descriptors == 4);  // CFGI_ALL, SYNC, TLBI_NSNH_ALL, SYNC
    CHECK(c.waits == 2);
    CHECK(c.queue_ns > 4 * 3);
    CHECK(c.cpu_ns > c.queue_ns);
}

TEST_CASE("smmuv3 driver under iommufd: the MSI window is reserved, huge pages walk as 2 MiB "
          "blocks, also where a 4 KiB table was, and unmap invalidates",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    OneDeviceEngine e(r.driver->device(kSid, {}));
    Process& proc = e.proc;
    Context& ctx = e.ctx;
    const uint32_t ioas = e.attach_new_ioas();
    CHECK(r.ste(kSid).stage1());
    constexpr uint64_t kHuge = 0x7e00'0000'0000, kAnon = 0x7f00'0000'0000;
    REQUIRE(proc.mmap(kHuge, 8u << 20, true) == Errno::Ok);
    REQUIRE(proc.mmap(kAnon, 1u << 20, false) == Errno::Ok);
    const uint32_t rw = kReadable | kWriteable | kFixedIova;
    uint64_t msi = 0x800'0000, n = 0;
    CHECK(ctx.ioas_map(ioas, rw, kAnon, 0x1000, msi) == Errno::Inval);  // IOMMU_RESV_SW_MSI
    uint64_t iova = 0x40'0000;
    REQUIRE(ctx.ioas_map(ioas, rw, kHuge, 4u << 20, iova) == Errno::Ok);
    iommu::Result res = r.walk(iova + 0x21'2345, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (1u << 21));
    CHECK(res.pa == *proc.frame(kHuge + 0x20'0000) + 0x1'2345);
    r.unit->cmds.clear();
    REQUIRE(ctx.ioas_unmap(ioas, iova, 4u << 20, n) == Errno::Ok);
    const std::vector<Opcode> unmap_ops = r.unit->ops();
    CHECK(std::count(unmap_ops.begin(), unmap_ops.end(), Opcode::TLBI_NH_VA) >= 2);  // two 2 MiB blocks
    CHECK(unmap_ops.back() == Opcode::SYNC);
    CHECK(r.walk(iova, false).fault);
    // 4 KiB pages leave a level-3 table behind; a 2 MiB block takes its place, and the
    // walk caches that may hold the table are invalidated (a non-leaf TLBI).
    REQUIRE(ctx.ioas_map(ioas, rw, kAnon, 0x1000, iova) == Errno::Ok);
    CHECK(r.walk(iova, false).page_size == 4096);
    REQUIRE(ctx.ioas_unmap(ioas, iova, 0x1000, n) == Errno::Ok);
    r.unit->cmds.clear();
    REQUIRE(ctx.ioas_map(ioas, rw, kHuge, 4u << 20, iova) == Errno::Ok);
    res = r.walk(iova + 0x1000, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (1u << 21));
    bool non_leaf = false;
    for (const auto& c : r.unit->cmds) non_leaf |= c.op == Opcode::TLBI_NH_VA && !c.leaf;
    CHECK(non_leaf);
}

TEST_CASE("smmuv3 driver: more commands than the queue holds go in batches of 64 and wrap "
          "the queue, every one intact", "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    constexpr uint64_t kPages = 300;  // the queue holds 256
    for (uint64_t k = 0; k < kPages; ++k)
        REQUIRE(d->map(0x100'0000 + k * 4096, 0x8000'0000 + k * 4096, 4096, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    const size_t writes = r.unit->writes.size();
    d->unmap(0x100'0000, kPages * 4096);
    REQUIRE(r.unit->cmds.size() == kPages + 1);
    CHECK(r.unit->bad_commands == 0);
    for (uint64_t k = 0; k < kPages; ++k) CHECK(r.unit->cmds[k].addr == 0x100'0000 + k * 4096);
    CHECK(r.unit->cmds.back().op == Opcode::SYNC);
    unsigned doorbells = 0;
    for (size_t i = writes; i < r.unit->writes.size(); ++i) doorbells += r.unit->writes[i].first == reg::CMDQ_PROD;
    CHECK(doorbells == (kPages + 1 + 63) / 64);
    // PROD has wrapped past the end of the 256-entry queue: its wrap bit is set.
    CHECK(r.unit->regs[reg::CMDQ_PROD] & 256);
    CHECK(r.stat("sync_timeouts") == 0);
}
