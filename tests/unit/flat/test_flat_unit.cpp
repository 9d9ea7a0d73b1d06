// The FLAT hardware against vectors written by hand from flat_spec.h: every number
// below (offsets, bits, addresses) is the test's own reading of the spec, not the
// unit's constants.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/sim/rng.h"
#include "tests/support/flat/flat_arch.h"
#include "tests/support/flat/flat_unit.h"
#include "tests/support/requests.h"

namespace {

// Registers (flat_spec.h section 1).
constexpr uint32_t CAP = 0x000, CTRL = 0x008, STATUS = 0x00C, DEVTAB = 0x010;
constexpr uint32_t INV = 0x018, INV_ADDR = 0x020, FSTS = 0x028;
constexpr uint32_t FREC_ADDR0 = 0x100, FREC_INFO0 = 0x108;
constexpr uint64_t GO = uint64_t(1) << 63, ERR = uint64_t(1) << 62;

// IOVA_BITS 36 (0x24), NFR field 3 (4 records), SC, COH.
constexpr uint64_t kCap = 0x30324;
constexpr uint64_t kMemory = uint64_t(1) << 32;  // 4 GiB installed

constexpr uint64_t kDevtab = 0x10000;
constexpr uint16_t kSid = 0x0108;                 // entry at 0x10840
constexpr uint64_t kTable = 0x100000;             // domain 5's page table
constexpr uint64_t kDte = 0x0005'0000'0010'0003;  // DID 5, TABLE 0x100000, T, V
constexpr uint64_t kIova = 0x7000'0123;           // page 0x70000: PTE at 0x480000
constexpr uint64_t kPteAt = 0x480000;
constexpr uint64_t kPte = 0xabcde003;             // FRAME 0xabcde000, W, R

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, kMemory};
    flat::Unit unit;

    explicit Rig(uint64_t cap = kCap) : unit(params(cap), host) {
        mem.write_u64(kDevtab + 8 * kSid, kDte);
        mem.write_u64(kPteAt, kPte);
    }
    static flat::UnitParams params(uint64_t cap) {
        flat::UnitParams p;
        p.cap = cap;
        return p;
    }
    void enable() {
        unit.write(DEVTAB, kDevtab, 8);
        unit.write(CTRL, 1, 4);
        REQUIRE(unit.read(STATUS, 4) == 1);
    }
    iommu::Result access(uint64_t iova, bool write, uint16_t sid = kSid) {
        return unit.translate(testutil::dma(sid, iova, write));
    }
    uint64_t stat(const std::string& name) {
        nlohmann::json j;
        // iommu::Unit::write (MMIO) hides sim::StatGroup::write (statistics).
        static_cast<const sim::StatGroup&>(unit).write(j, "u");
        return j.at("u." + name).get<uint64_t>();
    }
    void invalidate(uint64_t inv, uint64_t addr = 0) {
        unit.write(INV_ADDR, addr, 8);
        unit.write(INV, inv | GO, 8);
        REQUIRE((unit.read(INV, 8) & GO) == 0);
    }
};

}  // namespace

TEST_CASE("flat: a miss walks the device entry and the PTE, then the IOTLB hits") {
    Rig rig;
    rig.enable();
    auto r = rig.access(kIova, false);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0xabcde123);
    CHECK(r.page_size == 4096);
    CHECK(r.read);
    CHECK(r.write);
    CHECK(rig.stat("walks") == 1);
    CHECK(rig.stat("walk_reads") == 2);

    r = rig.access(kIova + 8, true);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0xabcde12b);
    CHECK(rig.stat("walks") == 1);
    CHECK(rig.stat("iotlb.hits") == 1);
    CHECK(rig.stat("translations") == 2);

    // Another page of the same device: the device cache spares the entry read.
    rig.mem.write_u64(kTable + 8 * 1, 0x5000001);
    r = rig.access(0x1ff0, false);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x5000ff0);
    CHECK_FALSE(r.write);
    CHECK(rig.stat("walks") == 2);
    CHECK(rig.stat("walk_reads") == 3);
    CHECK(rig.stat("device_cache.hits") >= 1);
}

TEST_CASE("flat: each fault reason from hand-written tables") {
    Rig rig;
    rig.enable();
    rig.mem.write_u64(kDevtab + 8 * 0x0200, 0x1);  // V without T: blocked
    rig.mem.write_u64(kTable + 8 * 0x10, 0xaa000001);  // read only
    rig.mem.write_u64(kTable + 8 * 0x11, 0xbb000002);  // write only
    rig.mem.write_u64(kDevtab + 8 * 0x0300, 0x0006'7fff'0000'0003);  // TABLE above memory

    struct Case {
        uint16_t sid;
        uint64_t iova;
        bool write;
        uint32_t reason;
    };
    const Case cases[] = {
        {0x0101, 0x1000, false, 1},              // entry all zero: not valid
        {kSid, uint64_t(1) << 36, false, 2},     // beyond IOVA_BITS
        {kSid, 0x12000, false, 3},               // PTE zero
        {kSid, 0x10000, true, 4},                // write to read-only
        {kSid, 0x11000, false, 5},               // read of write-only
        {0x0300, 0x1000, false, 6},              // PTE read above memory
        {0x0200, 0x1000, false, 7},              // blocked
    };
    for (const Case& c : cases) {
        CAPTURE(c.sid, c.iova, c.reason);
        const auto r = rig.access(c.iova, c.write, c.sid);
        CHECK(r.fault);
        CHECK(r.reason == c.reason);
        // Twice: the second answer may come from the caches and must not differ.
        const auto again = rig.access(c.iova, c.write, c.sid);
        CHECK(again.fault);
        CHECK(again.reason == c.reason);
        rig.unit.write(FREC_INFO0, GO, 8);  // keep records free (F is bit 63)
        for (uint32_t i = 1; i < 4; ++i) rig.unit.write(FREC_INFO0 + 16 * i, GO, 8);
    }
    CHECK(rig.stat("faults") == 14);
    CHECK(rig.stat("faults.4") == 2);
    CHECK(rig.unit.fault_text(4) == "0x4 (write not permitted)");
}

TEST_CASE("flat: a request that reads and writes needs both R and W") {
    Rig rig;
    rig.enable();
    rig.mem.write_u64(kTable + 8 * 0x10, 0xaa000001);  // read only
    rig.mem.write_u64(kTable + 8 * 0x11, 0xbb000002);  // write only
    iommu::Request r;
    r.sid = kSid;
    r.read = r.write = true;
    r.iova = 0x10000;
    CHECK(rig.unit.translate(r).reason == 4);
    r.iova = 0x11000;
    CHECK(rig.unit.translate(r).reason == 5);
    r.iova = kIova;
    CHECK_FALSE(rig.unit.translate(r).fault);
}

TEST_CASE("flat: a device table above memory faults with reason 6, never crashes") {
    Rig rig;
    rig.unit.write(DEVTAB, 0x0000'7000'0000'0000, 8);
    rig.unit.write(CTRL, 1, 4);
    const auto r = rig.access(kIova, false);
    CHECK(r.fault);
    CHECK(r.reason == 6);
    CHECK(rig.stat("walk_reads") == 1);
}

TEST_CASE("flat: fault records hold address, requester, reason, direction, overflow") {
    Rig rig;
    rig.enable();
    rig.access(0x4321, true);  // PTE of page 4 is zero: reason 3, a write
    CHECK(rig.unit.read(FREC_ADDR0, 8) == 0x4321);
    CHECK(rig.unit.read(FREC_INFO0, 8) == (GO | uint64_t(1) << 32 | 3 << 16 | kSid));
    CHECK(rig.unit.read(FSTS, 4) == 1);
    rig.unit.write(FREC_INFO0, GO, 8);
    CHECK(rig.unit.read(FREC_INFO0, 8) == (uint64_t(1) << 32 | 3 << 16 | kSid));
    CHECK(rig.unit.read(FSTS, 4) == 0);

    // Four records: the next four fill records 1, 2, 3, 0; the fifth finds record 1
    // still full and is dropped.
    for (uint64_t i = 0; i < 5; ++i) rig.access(0x9000 + i * 0x1000, false);
    CHECK(rig.unit.read(FREC_ADDR0 + 16, 8) == 0x9000);
    CHECK(rig.unit.read(FREC_ADDR0, 8) == 0xc000);
    CHECK(rig.unit.read(FREC_INFO0, 8) == (GO | 3 << 16 | kSid));
    CHECK(rig.unit.read(FSTS, 4) == 3);
    rig.unit.write(FSTS, 2, 4);
    CHECK(rig.unit.read(FSTS, 4) == 1);
    // Records beyond NFR do not exist.
    CHECK(rig.unit.read(FREC_ADDR0 + 16 * 4, 8) == 0);
}

TEST_CASE("flat: a stale IOTLB entry stays until a PAGE, DOMAIN or ALL invalidation") {
    Rig rig;
    rig.enable();
    REQUIRE(rig.access(kIova, false).pa == 0xabcde123);
    rig.mem.write_u64(kPteAt, 0x12345003);

    // Without an invalidation, and with ones that do not cover the entry.
    CHECK(rig.access(kIova, false).pa == 0xabcde123);
    rig.invalidate(4 | uint64_t(6) << 32, 0x7000'0000);  // PAGE of DID 6
    rig.invalidate(4 | uint64_t(5) << 32, 0x7000'1000);  // PAGE of the next page
    rig.invalidate(3 | uint64_t(4) << 32);               // DOMAIN 4
    CHECK(rig.access(kIova, false).pa == 0xabcde123);

    SECTION("PAGE") { rig.invalidate(4 | uint64_t(5) << 32, 0x7000'0fff); }
    SECTION("DOMAIN") { rig.invalidate(3 | uint64_t(5) << 32); }
    SECTION("ALL") { rig.invalidate(1); }
    CHECK(rig.access(kIova, false).pa == 0x12345123);
}

TEST_CASE("flat: a changed device entry is seen after a DEVICE invalidation") {
    Rig rig;
    rig.enable();
    REQUIRE_FALSE(rig.access(kIova, false).fault);
    rig.mem.write_u64(kDevtab + 8 * kSid, 0x1);  // blocked
    rig.mem.write_u64(kPteAt, 0);                // and the page gone
    CHECK_FALSE(rig.access(kIova, false).fault);  // both cached
    std::string kind, args;
    rig.unit.on_invalidate = [&](const char* k, const std::string& a) {
        kind = k;
        args = a;
    };
    rig.invalidate(2 | uint64_t(kSid) << 16);
    CHECK(kind == "device");
    CHECK(args == "\"sid\":264");
    const auto r = rig.access(kIova, false);
    CHECK(r.fault);
    CHECK(r.reason == 7);
    CHECK(rig.stat("inv.device") == 1);
}

TEST_CASE("flat: INV with GO=0 does nothing, an invalid TYPE sets ERR") {
    Rig rig;
    rig.enable();
    rig.access(kIova, false);
    rig.mem.write_u64(kPteAt, 0x12345003);
    rig.unit.write(INV, 1, 8);  // ALL without GO
    CHECK(rig.access(kIova, false).pa == 0xabcde123);
    rig.unit.write(INV, 5 | GO, 8);
    CHECK(rig.unit.read(INV, 8) == (5 | ERR));
    CHECK(rig.stat("inv.errors") == 1);
    rig.unit.write(INV, 1 | GO, 8);
    CHECK(rig.unit.read(INV, 8) == 1);
    CHECK(rig.access(kIova, false).pa == 0x12345123);
}

TEST_CASE("flat: translation disabled passes addresses through") {
    Rig rig;
    auto r = rig.access(kIova, true);
    CHECK_FALSE(r.fault);
    CHECK(r.pa == kIova);
    CHECK(rig.stat("walks") == 0);

    rig.enable();
    CHECK(rig.access(kIova, true).pa == 0xabcde123);
    rig.unit.write(CTRL, 0, 4);
    CHECK(rig.unit.read(STATUS, 4) == 0);
    CHECK(rig.access(kIova, true).pa == kIova);
}

TEST_CASE("flat: enable latches DEVTAB, wrong sizes and unlisted offsets are ignored") {
    Rig rig;
    CHECK(rig.unit.read(CAP, 8) == kCap);
    CHECK(rig.unit.read(CAP, 4) == 0);
    rig.unit.write(CTRL, 1, 8);  // CTRL is 4 bytes
    CHECK(rig.unit.read(STATUS, 4) == 0);
    rig.unit.write(CAP, 0, 8);   // read-only
    CHECK(rig.unit.read(CAP, 8) == kCap);
    rig.unit.write(0x30, 0xffff, 8);
    CHECK(rig.unit.read(0x30, 8) == 0);
    rig.unit.write(DEVTAB, kDevtab | 0xfff, 8);
    CHECK(rig.unit.read(DEVTAB, 8) == kDevtab);

    rig.unit.write(CTRL, 1, 4);
    rig.unit.write(DEVTAB, 0x200000, 8);  // after enable: not used until the next
    CHECK(rig.access(kIova, false).pa == 0xabcde123);
}

TEST_CASE("flat: SNP forces snooping only with CAP.SC, AT is ignored") {
    for (const bool sc : {true, false}) {
        Rig rig(sc ? kCap : kCap & ~uint64_t(0x10000));
        rig.enable();
        rig.mem.write_u64(kPteAt, kPte | 4);
        iommu::Request r;
        r.sid = kSid;
        r.iova = kIova;
        r.read = true;
        r.no_snoop = true;
        r.at = iommu::At::Translated;
        const auto res = rig.unit.translate(r);
        REQUIRE_FALSE(res.fault);
        CHECK(res.pa == 0xabcde123);
        CHECK(res.force_snoop == sc);
        CHECK(res.snoop == sc);
        CHECK(rig.unit.walks_snoop());
    }
}

TEST_CASE("flat: the pipeline's stages: lookup, a walk in a slot, a merged request") {
    Rig rig;
    rig.enable();
    rig.unit.reserve_walks(2);
    iommu::Request r;
    r.sid = kSid;
    r.iova = kIova;
    r.read = true;
    iommu::Result out;
    REQUIRE_FALSE(rig.unit.lookup(r, out));
    iommu::Walk& w = rig.unit.begin_walk(1, r);
    REQUIRE_FALSE(w.done());
    CHECK(w.read_address() == kDevtab + 8 * kSid);
    w.supply(kDte, true);
    CHECK(w.read_address() == kPteAt);
    w.supply(kPte, true);
    REQUIRE(w.done());
    CHECK(rig.unit.end_walk(1).pa == 0xabcde123);

    iommu::Request other = r;
    other.iova = kIova + 0x10;
    CHECK(rig.unit.merged(other, rig.access(kIova, false)).pa == 0xabcde133);
    REQUIRE(rig.unit.lookup(other, out));
    CHECK(out.pa == 0xabcde133);
}

TEST_CASE("flat: the hardware plug-in reads [flat], straps, finds registers, enables") {
    const iommu::HardwareArch& arch = flat::hardware();
    sim::ParamSchema schema;
    arch.declare(schema);
    CHECK(schema.has("flat.iova_bits"));
    CHECK(schema.has("flat.iotlb.sets"));
    CHECK(schema.has("flat.device_cache.ways"));

    sim::Config cfg;
    cfg.set("flat.iova_bits", "40");
    cfg.set("flat.fault_records", "2");
    cfg.set("flat.coherent", "false");
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    auto unit = arch.make(*arch.read(cfg, 1), host);
    CHECK(unit->read(CAP, 8) == (0x28 | 0x100 | 0x10000));
    CHECK_FALSE(unit->walks_snoop());

    CHECK(arch.find_register(*unit, "FREC_INFO1")->offset == 0x118);
    CHECK_FALSE(arch.find_register(*unit, "FREC_INFO2"));
    CHECK(arch.find_register(*unit, "INV_ADDR")->offset == 0x20);
    CHECK(arch.strap(*unit, "CAP", 0x24));
    CHECK_FALSE(arch.strap(*unit, "CTRL", 1));
    CHECK(unit->read(CAP, 8) == 0x24);
    arch.enable(*unit);
    CHECK(unit->read(STATUS, 4) == 1);

    cfg.set("flat.iova_bits", "41");
    CHECK_THROWS_AS(arch.read(cfg, 1), sim::InputError);
}

TEST_CASE("flat: random tables, registers and requests: always an answer") {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 24};
    sim::Rng rng(7, "flat.robust");
    for (int round = 0; round < 20; ++round) {
        flat::UnitParams p;
        p.cap = rng.next_u64() & 0x3ff3f;
        flat::Unit unit(p, host);
        for (int i = 0; i < 64; ++i)
            mem.write_u64((rng.next_u64() & 0xfff8) , rng.next_u64() & 0x0000'0000'00ff'ffff);
        for (int i = 0; i < 32; ++i) unit.write(uint32_t(rng.next_u64() & 0x1f8), rng.next_u64(), 8);
        unit.write(CTRL, 1, 4);
        for (int i = 0; i < 200; ++i) {
            iommu::Request r;
            r.sid = uint16_t(rng.next_u64() & 0x1f);
            r.iova = rng.next_u64() >> (rng.next_u64() & 63);
            r.write = rng.next_u64() & 1;
            r.read = !r.write;
            const auto res = unit.translate(r);
            if (res.fault) CHECK((res.reason >= 1 && res.reason <= 7));
            else CHECK(res.page_size == 4096);
        }
    }
}
