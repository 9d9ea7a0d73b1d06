// The SMMUv3 driver's test rig: the driver over a small fake register file. What the
// driver writes (registers, queues, stream table, CDs, page tables) is decoded with
// the hardware model's own decoders and walker (models/smmuv3), which were written
// separately from the specification. The fake acknowledges CR0 into CR0ACK and
// consumes commands at once (CMDQ_CONS = CMDQ_PROD), recording them decoded.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"
#include "models/memory/sparse_memory.h"
#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/cd.h"
#include "models/smmuv3/command.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/ste.h"
#include "models/smmuv3/stream_table.h"
#include "models/smmuv3/vmsa.h"

namespace smmu_driver_rig {

using namespace iommufd;
namespace drv = iommufd::smmuv3;  // the driver; ::smmuv3 is the hardware model
namespace reg = ::smmuv3::reg;
using ::smmuv3::Opcode;

constexpr uint16_t kSid = 0x0108;

// IDRs of a unit Linux drives: S1 and S2, AArch64, coherent, 16-bit ASIDs, two-level
// stream tables, terminate model, 16-bit StreamIDs, 4K and 64K granules, 48-bit OAS.
struct Idrs {
    uint32_t idr0 = 0, idr1 = 0, idr3 = 0, idr5 = 0;
    Idrs() {
        using namespace ::smmuv3;
        idr0 = uint32_t(idr0::S1P.put(1) | idr0::S2P.put(1) | idr0::TTF.put(2) | idr0::COHACC.put(1) |
                        idr0::ASID16.put(1) | idr0::VMID16.put(1) | idr0::CD2L.put(1) | idr0::ST_LEVEL.put(1) |
                        idr0::STALL_MODEL.put(1));
        idr1 = uint32_t(idr1::SIDSIZE.put(16) | idr1::CMDQS.put(8) | idr1::EVENTQS.put(7));
        idr5 = uint32_t(idr5::OAS.put(5) | idr5::GRAN4K.put(1) | idr5::GRAN64K.put(1));
    }
};

// The SMMU's register file as far as the driver's probe and command queue need it.
struct FakeSmmu : Machine {
    memory::SparseMemory& mem;
    std::map<uint32_t, uint64_t> regs;
    std::vector<std::pair<uint32_t, uint64_t>> writes;  // register writes in order
    std::vector<::smmuv3::Command> cmds;
    std::vector<std::pair<uint64_t, uint64_t>> raw;  // the same commands' doublewords
    std::vector<uint64_t> stores;  // memory written, in order
    unsigned bad_commands = 0, cons_reads = 0, flushes = 0;
    bool consume = true;

    FakeSmmu(memory::SparseMemory& m, const Idrs& i) : mem(m) {
        regs[reg::IDR0] = i.idr0;
        regs[reg::IDR1] = i.idr1;
        regs[reg::IDR3] = i.idr3;
        regs[reg::IDR5] = i.idr5;
        regs[reg::IIDR] = 0x43b;
        regs[reg::AIDR] = 0x2;
    }
    uint64_t read_reg(uint32_t off, unsigned) override {
        if (off == reg::CR0ACK) return regs[reg::CR0];
        if (off == reg::IRQ_CTRLACK) return regs[reg::IRQ_CTRL];
        if (off == reg::CMDQ_CONS) ++cons_reads;
        return regs[off];
    }
    void write_reg(uint32_t off, uint64_t v, unsigned) override {
        writes.emplace_back(off, v);
        regs[off] = v;
        if (off == reg::CMDQ_PROD && consume) drain(uint32_t(v));
    }
    // Decodes every command from CONS up to `prod` and moves CONS there.
    void drain(uint32_t prod) {
        const uint64_t base = regs[reg::CMDQ_BASE];
        const unsigned log2 = unsigned(base & 31);
        const uint64_t q = base & ::smmuv3::queue_base::ADDR.mask();
        const uint32_t wrap_mask = (2u << log2) - 1;
        for (uint32_t c = uint32_t(regs[reg::CMDQ_CONS]); c != prod; c = (c + 1) & wrap_mask) {
            const uint64_t slot = q + uint64_t(c & ((1u << log2) - 1)) * 16;
            raw.emplace_back(mem.read_u64(slot), mem.read_u64(slot + 8));
            auto cmd = ::smmuv3::decode_command(mem.read_u64(slot), mem.read_u64(slot + 8));
            if (cmd)
                cmds.push_back(*cmd);
            else
                ++bad_commands;
        }
        regs[reg::CMDQ_CONS] = prod;
    }
    uint64_t read64(uint64_t pa) override { return mem.read_u64(pa); }
    void write64(uint64_t pa, uint64_t v) override {
        stores.push_back(pa);
        mem.write_u64(pa, v);
    }
    // Position of the last store to `pa`.
    size_t last_store(uint64_t pa) const {
        for (size_t i = stores.size(); i-- > 0;)
            if (stores[i] == pa) return i;
        return stores.size();
    }
    void flush(uint64_t, uint64_t) override { ++flushes; }
    std::vector<Opcode> ops() const {
        std::vector<Opcode> o;
        for (const auto& c : cmds) o.push_back(c.op);
        return o;
    }
    // Index of the first write of `value` to `off` (or of any value if `value` is ~0).
    size_t first_write(uint32_t off, uint64_t value = ~uint64_t(0)) const {
        for (size_t i = 0; i < writes.size(); ++i)
            if (writes[i].first == off && (value == ~uint64_t(0) || writes[i].second == value)) return i;
        return writes.size();
    }
};

struct Rig {
    memory::SparseMemory mem;
    Idrs idrs;
    std::unique_ptr<FakeSmmu> unit;
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<drv::Driver> driver;
    Errno probed = Errno::Ok;

    explicit Rig(Idrs i = Idrs(), const drv::DriverParams& params = {}) : idrs(i) {
        unit = std::make_unique<FakeSmmu>(mem, idrs);
        driver = std::make_unique<drv::Driver>(*unit, pages, params);
        probed = driver->probe();
    }
    ::smmuv3::Caps caps() const { return ::smmuv3::decode_idrs(idrs.idr0, idrs.idr1, idrs.idr3, idrs.idr5); }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        driver->write(j, "d");
        return j.at(std::string("d.") + name).get<uint64_t>();
    }
    // Where the SMMU finds the STE of `sid`.
    uint64_t ste_addr(uint32_t sid) {
        const auto st = ::smmuv3::decode_strtab(unit->regs[reg::STRTAB_BASE], uint32_t(unit->regs[reg::STRTAB_BASE_CFG]),
                                                caps());
        auto look = ::smmuv3::locate_ste(st, sid);
        if (look.step == ::smmuv3::Step::ReadL1) look = ::smmuv3::locate_ste_l2(st, sid, mem.read_u64(look.addr));
        REQUIRE(look.step == ::smmuv3::Step::Entry);
        return look.addr;
    }
    ::smmuv3::Ste ste(uint32_t sid) { return ::smmuv3::decode_ste(words(ste_addr(sid)).data()); }
    // Where the SMMU finds the CD of SSID 0 (substream 0's, through a level-1
    // descriptor when the table has two levels).
    uint64_t cd_addr(const ::smmuv3::Ste& s) {
        auto look = ::smmuv3::locate_cd(s, false, 0);
        if (look.step == ::smmuv3::Step::ReadL1) look = ::smmuv3::locate_cd_l2(s, 0, mem.read_u64(look.addr));
        REQUIRE(look.step == ::smmuv3::Step::Entry);
        return look.addr;
    }
    ::smmuv3::Cd cd(const ::smmuv3::Ste& s) { return ::smmuv3::decode_cd(words(cd_addr(s)).data()); }
    std::vector<uint64_t> words(uint64_t pa) {
        std::vector<uint64_t> w(8);
        for (unsigned i = 0; i < 8; ++i) w[i] = mem.read_u64(pa + 8 * i);
        return w;
    }
    // A walk of `iova` by kSid as the SMMU would make it: through its CD's tables for a
    // stage-1 STE, its STE's stage-2 tables for a stage-2 one.
    iommu::Result walk(uint64_t iova, bool write) {
        const ::smmuv3::Ste st = ste(kSid);
        ::smmuv3::Stage1Config s1;
        ::smmuv3::Stage2Config s2;
        ::smmuv3::VmsaWalk w;
        if (st.config == ::smmuv3::ste_config::S2_TRANS) {
            s2.ttb = st.s2ttb;
            s2.t0sz = st.s2t0sz;
            s2.sl0 = st.s2sl0;
            REQUIRE(st.s2tg == 0);
            s2.ps_bits = ::smmuv3::s2_effective_ps_bits(st, caps());
            s2.affd = st.s2affd;
            s2.ptw = st.s2ptw;
            REQUIRE(::smmuv3::check(s2, caps().oas_bits()) == ::smmuv3::ConfigError::None);
            w.configure(nullptr, &s2);
        } else {
            const ::smmuv3::Cd c = cd(st);
            s1.ttb0 = c.ttb0;
            s1.t0sz = c.t0sz;
            REQUIRE(::smmuv3::decode_tg0(c.tg0, s1.tg0));
            s1.ips_bits = ::smmuv3::cd_effective_ips_bits(c, caps());
            s1.epd0 = c.epd0;
            s1.affd = c.affd;
            s1.ha = c.ha;
            s1.hd = c.hd;
            REQUIRE(::smmuv3::check(s1) == ::smmuv3::ConfigError::None);
            w.configure(&s1, nullptr);
        }
        iommu::Request r;
        r.sid = kSid;
        r.iova = iova;
        r.read = !write;
        r.write = write;
        w.start(r);
        for (int steps = 0; !w.done(); ++steps) {
            REQUIRE(steps < 20);
            REQUIRE_FALSE(w.write_pending());  // AF is set in every leaf: no write-back
            w.supply(mem.read_u64(w.read_address()), true);
        }
        return w.result();
    }
};

}  // namespace smmu_driver_rig
