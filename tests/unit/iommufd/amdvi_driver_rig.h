// The AMD-Vi driver's test rig: the driver over a small fake register file. What the
// driver writes (registers, device table, page tables, commands) is decoded here with
// test-local code written from the AMD IOMMU specification (48882), not with the
// driver's encoding header. The fake consumes commands as soon as CMD_TAIL moves
// (CMD_HEAD = CMD_TAIL), performs COMPLETION_WAIT stores, and records each command.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "models/iommufd/drivers/amdvi/amdvi_domain.h"
#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/memory/sparse_memory.h"

namespace amdvi_rig {

using namespace iommufd;
namespace drv = iommufd::amdvi;

// MMIO offsets (spec §3.4).
constexpr uint32_t DEV_TABLE_BASE = 0x0, CMD_BUF_BASE = 0x8, EVT_LOG_BASE = 0x10, CONTROL = 0x18;
constexpr uint32_t EXT_FEATURE = 0x30, PPR_LOG_BASE = 0x38, CMD_HEAD = 0x2000, CMD_TAIL = 0x2008;
constexpr uint32_t EVT_HEAD = 0x2010, EVT_TAIL = 0x2018, STATUS = 0x2020, PPR_HEAD = 0x2030, PPR_TAIL = 0x2038;
// CONTROL bits.
constexpr uint64_t IommuEn = 1, EventLogEn = 1 << 2, EventIntEn = 1 << 3, ComWaitIntEn = 1 << 4;
constexpr uint64_t Coherent = 1 << 10, CmdBufEn = 1 << 12, PPRLogEn = 1 << 13, PPRIntEn = 1 << 14;
constexpr uint64_t PPREn = 1 << 15, GTEn = 1 << 16;
// EFR fields: PPRSup 1, GTSup 4, IASup 6, HATS 11:10.
constexpr uint64_t PPRSup = 1 << 1, GTSup = 1 << 4, IASup = 1 << 6;
inline uint64_t hats(unsigned v) { return uint64_t(v) << 10; }

inline uint64_t field(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }

// One command as the spec lays it out: dwords 0-3, opcode dword 1 bits 31:28.
struct Command {
    uint32_t dw[4];
    unsigned op() const { return dw[1] >> 28; }
    // INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOTLB_PAGES, COMPLETE_PPR_REQUEST: DeviceID.
    uint16_t devid() const { return uint16_t(dw[0]); }
    // INVALIDATE_IOMMU_PAGES: DomainID dword 1 15:0; S, PDE, GN dword 2 bits 0-2;
    // address 63:12 over dwords 2-3.
    uint16_t domid() const { return uint16_t(dw[1]); }
    bool s() const { return dw[2] & 1; }
    bool pde() const { return dw[2] & 2; }
    bool gn() const { return dw[2] & 4; }
    uint64_t address() const { return (uint64_t(dw[3]) << 32 | dw[2]) & ~uint64_t(0xfff); }
    // COMPLETE_PPR_REQUEST: PASID dword 1 19:0, tag dword 3 8:0, status dword 3 15:12.
    uint32_t ppr_pasid() const { return dw[1] & 0xfffff; }
    unsigned ppr_tag() const { return dw[3] & 0x1ff; }
    unsigned ppr_status() const { return (dw[3] >> 12) & 0xf; }
    // INVALIDATE_IOTLB_PAGES: MaxPend dword 0 31:24, QueueId dword 1 15:0.
    unsigned maxpend() const { return dw[0] >> 24; }
    uint16_t queue_id() const { return uint16_t(dw[1]); }
};
enum Op : unsigned { COMPLETION_WAIT = 1, INV_DEVTAB = 2, INV_PAGES = 3, INV_IOTLB = 4, COMPLETE_PPR = 7, INV_ALL = 8 };

// The range an invalidation address names (spec §2.4.3): S=0 one 4 KiB page; S=1 the
// naturally aligned block whose size is 2 << (the lowest clear address bit above 11);
// bytes 0 when that is bit 63 (Linux's 0x7fff_ffff_ffff_f000: every page).
struct Range {
    uint64_t first, bytes;
};
inline Range inv_range(const Command& c) {
    if (!c.s()) return {c.address(), 4096};
    unsigned b = 12;
    while (b < 63 && ((c.address() >> b) & 1)) ++b;
    if (b == 63) return {0, 0};
    const uint64_t bytes = uint64_t(2) << b;
    return {c.address() & ~(bytes - 1), bytes};
}

struct FakeAmdvi : Machine {
    memory::SparseMemory& mem;
    std::map<uint32_t, uint64_t> regs;
    std::vector<std::pair<uint32_t, uint64_t>> writes;  // register writes in order
    std::vector<Command> cmds;
    std::vector<uint64_t> stores;  // memory written, in order
    unsigned flushes = 0;
    bool coherent_sticks = true;  // CONTROL.Coherent is writable (the unit's walks snoop)

    FakeAmdvi(memory::SparseMemory& m, uint64_t efr) : mem(m) { regs[EXT_FEATURE] = efr; }
    uint64_t read_reg(uint32_t off, unsigned) override { return regs[off]; }
    void write_reg(uint32_t off, uint64_t v, unsigned) override {
        writes.emplace_back(off, v);
        if (off == CONTROL && !coherent_sticks) v &= ~Coherent;
        if (off == STATUS) {  // RW1C
            regs[off] &= ~v;
            return;
        }
        regs[off] = v;
        if (off == CMD_TAIL) consume();
    }
    // Every command from CMD_HEAD to CMD_TAIL, wrapping at ComLen (59:56) entries.
    void consume() {
        const uint64_t base = regs[CMD_BUF_BASE] & 0x000f'ffff'ffff'f000;
        const uint64_t bytes = uint64_t(16) << field(regs[CMD_BUF_BASE], 56, 4);
        for (uint64_t h = regs[CMD_HEAD]; h != regs[CMD_TAIL]; h = (h + 16) % bytes) {
            const uint64_t lo = mem.read_u64(base + h), hi = mem.read_u64(base + h + 8);
            cmds.push_back({{uint32_t(lo), uint32_t(lo >> 32), uint32_t(hi), uint32_t(hi >> 32)}});
            if (cmds.back().op() == COMPLETION_WAIT && (lo & 1)) mem.write_u64(lo & 0x000f'ffff'ffff'fff8, hi);
        }
        regs[CMD_HEAD] = regs[CMD_TAIL];
    }
    uint64_t read64(uint64_t pa) override { return mem.read_u64(pa); }
    void write64(uint64_t pa, uint64_t v) override {
        stores.push_back(pa);
        mem.write_u64(pa, v);
    }
    void flush(uint64_t, uint64_t) override { ++flushes; }
    std::vector<unsigned> ops() const {
        std::vector<unsigned> o;
        for (const auto& c : cmds) o.push_back(c.op());
        return o;
    }
    // Index of the first write to `off` with all of `bits` set (writes.size() if none).
    size_t first_write(uint32_t off, uint64_t bits = 0) const {
        for (size_t i = 0; i < writes.size(); ++i)
            if (writes[i].first == off && (writes[i].second & bits) == bits) return i;
        return writes.size();
    }
    size_t last_store(uint64_t pa) const {
        for (size_t i = stores.size(); i-- > 0;)
            if (stores[i] == pa) return i;
        return stores.size();
    }
};

// The DTE fields a test checks (spec §2.2.2.1).
struct Dte {
    uint64_t q[4];
    bool v() const { return q[0] & 1; }
    bool tv() const { return q[0] & 2; }
    unsigned had() const { return unsigned(field(q[0], 7, 2)); }
    unsigned mode() const { return unsigned(field(q[0], 9, 3)); }
    uint64_t root() const { return q[0] & 0x000f'ffff'ffff'f000; }
    bool ppr() const { return field(q[0], 52, 1); }
    bool gv() const { return field(q[0], 55, 1); }
    bool ir() const { return field(q[0], 61, 1); }
    bool iw() const { return field(q[0], 62, 1); }
    uint16_t domid() const { return uint16_t(q[1]); }
    bool i() const { return field(q[1], 32, 1); }
};

// A page as a host-table walk (spec §2.2.3) finds it: the leaf entry, its level, the
// page size, and how many entries repeat it; fault when an entry is not present.
struct Page {
    bool fault = true;
    uint64_t entry = 0, size = 0, pa = 0;
    unsigned level = 0, copies = 0;
};

// EPYC-like EFR: PPRSup, GTSup, IASup, HATS 0 (four levels); the PPR log with PPRSup.
constexpr uint64_t kEfr = PPRSup | GTSup | IASup;
constexpr uint16_t kDev = 0x0108;

struct Rig {
    memory::SparseMemory mem;
    std::unique_ptr<FakeAmdvi> unit;
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<drv::Driver> driver;
    Errno probed = Errno::Ok;

    explicit Rig(uint64_t efr = kEfr, drv::DriverParams p = small(), bool coherent = true) {
        unit = std::make_unique<FakeAmdvi>(mem, efr);
        unit->coherent_sticks = coherent;
        driver = std::make_unique<drv::Driver>(*unit, pages, p);
        probed = driver->probe();
    }
    // A device table of 4 KiB (128 DeviceIDs) keeps probe quick; tests that size the
    // table ask for more.
    static drv::DriverParams small() {
        drv::DriverParams p;
        p.last_devid = 0x1ff;
        return p;
    }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        driver->write(j, "d");
        return j.contains(std::string("d.") + name) ? j.at(std::string("d.") + name).get<uint64_t>() : 0;
    }
    uint64_t dte_addr(uint16_t devid) { return (unit->regs[DEV_TABLE_BASE] & 0x000f'ffff'ffff'f000) + devid * 32u; }
    Dte dte(uint16_t devid) {
        Dte d;
        for (unsigned i = 0; i < 4; ++i) d.q[i] = mem.read_u64(dte_addr(devid) + 8 * i);
        return d;
    }
    // The walk from `devid`'s DTE: Mode levels, 9 index bits a level from bit 12; an
    // entry is a page at level 1, or with NextLevel 0 or 7; NextLevel 7's size is 2 <<
    // the lowest clear address bit above 11; the PA is the entry's address with the
    // page offset.
    Page walk(uint64_t iova, uint16_t devid = kDev) {
        const Dte d = dte(devid);
        Page p;
        uint64_t table = d.root();
        for (unsigned level = d.mode(); level >= 1; --level) {
            const unsigned shift = 12 + 9 * (level - 1);
            const uint64_t e = mem.read_u64(table + ((iova >> shift) & 511) * 8);
            if (!(e & 1)) return p;
            const unsigned nl = unsigned(field(e, 9, 3));
            if (level == 1 || nl == 0 || nl == 7) {
                p.fault = false;
                p.entry = e;
                p.level = level;
                p.size = uint64_t(1) << shift;
                if (nl == 7) {
                    unsigned b = 12;
                    while ((e >> b) & 1) ++b;
                    p.size = uint64_t(2) << b;
                }
                p.copies = unsigned(p.size >> shift);
                const uint64_t base = table + (((iova >> shift) & 511) & ~uint64_t(p.copies - 1)) * 8;
                for (unsigned i = 0; i < p.copies; ++i) CHECK(mem.read_u64(base + 8 * i) == e);
                p.pa = (e & 0x000f'ffff'ffff'f000 & ~(p.size - 1)) | (iova & (p.size - 1));
                return p;
            }
            REQUIRE(nl == level - 1);  // the driver never skips a level
            table = e & 0x000f'ffff'ffff'f000;
        }
        return p;
    }
};

// A rig whose device kDev (with `caps`) is attached to a fresh paging domain, the
// commands of probe and attach cleared.
struct Attached {
    Rig r;
    std::unique_ptr<DeviceOps> ops;
    std::unique_ptr<Domain> d;
    explicit Attached(EndpointCaps caps = {}, drv::DriverParams p = Rig::small(), uint64_t efr = kEfr)
        : r(efr, p) {
        REQUIRE(r.probed == Errno::Ok);
        ops = r.driver->device(kDev, caps);
        REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
        REQUIRE(ops->attach(*d) == Errno::Ok);
        r.unit->cmds.clear();
    }
    drv::AmdviDomain& dom() { return static_cast<drv::AmdviDomain&>(*d); }
    uint16_t domid() { return dom().domid(); }
};

}  // namespace amdvi_rig
