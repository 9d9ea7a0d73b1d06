// The VT-d translation caches and their invalidation, by register and by queue.
// Cached entries keep translating until software invalidates them, as on hardware.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/vtd/invalidation.h"
#include "tests/unit/vtd/vtd_rig.h"

namespace {

constexpr uint64_t kPte = 0x6008;        // PTE of iova 0x1000 (devfn 8 and 9)
constexpr uint64_t kCtx8 = 0x2000 + 8 * 16;
constexpr uint64_t kQueue = 0x10000;     // invalidation queue base

// Descriptors written from spec 6.5.2: type 3:0, granularity 5:4, DID 31:16, ...
uint64_t cc_desc(unsigned g, uint16_t did = 0, uint16_t sid = 0, unsigned fm = 0) {
    return 1 | (uint64_t(g) << 4) | (uint64_t(did) << 16) | (uint64_t(sid) << 32) | (uint64_t(fm) << 48);
}
uint64_t iotlb_desc(unsigned g, uint16_t did = 0) { return 2 | (uint64_t(g) << 4) | (uint64_t(did) << 16); }
uint64_t wait_desc(bool sw, bool iflag, uint32_t data) {
    return 5 | (uint64_t(iflag) << 4) | (uint64_t(sw) << 5) | (uint64_t(data) << 32);
}

struct QueueRig : Rig {
    uint64_t tail = 0;
    explicit QueueRig(bool wide = false) {
        enable();
        unit.write(reg::IQA, kQueue | (wide ? 1u << 11 : 0), 8);  // QS=0: one 4 KiB page
        unit.write(reg::IQT, 0, 8);
        unit.write(reg::GCMD, unit.read(reg::GSTS, 4) | vtd::gcmd::QIE, 4);
    }
    // Queues descriptors and moves the tail past them.
    void submit(std::initializer_list<std::pair<uint64_t, uint64_t>> descs, unsigned stride = 16) {
        for (auto& d : descs) {
            mem.write_u64(kQueue + tail, d.first);
            mem.write_u64(kQueue + tail + 8, d.second);
            tail += stride;
        }
        unit.write(reg::IQT, tail, 8);
    }
    uint64_t pa(uint16_t sid = 8) { return access(sid, 0x1000, false).pa; }
};

}  // namespace

TEST_CASE("An IOTLB entry keeps translating after the table changes, until invalidated",
          "[vtd][invalidation]") {
    QueueRig r;
    CHECK(r.pa() == 0x80001000);
    r.mem.write_u64(kPte, 0x90002001);  // software remaps the page
    CHECK(r.pa() == 0x80001000);         // stale, as on hardware
    r.submit({{iotlb_desc(2, 2), 0}});   // another domain: no effect
    CHECK(r.pa() == 0x80001000);
    r.submit({{iotlb_desc(2, 1), 0}});   // domain 1
    CHECK(r.pa() == 0x90002000);
    r.mem.write_u64(kPte, 0xa0003001);
    // Page-selective: ADDR 0x0 with AM=0 misses the page at 0x1000; AM=1 covers it.
    r.submit({{iotlb_desc(3, 1), 0x0}});
    CHECK(r.pa() == 0x90002000);
    r.submit({{iotlb_desc(3, 1), 0x0 | 1}});
    CHECK(r.pa() == 0xa0003000);
    r.mem.write_u64(kPte, 0xb0004001);
    r.submit({{iotlb_desc(1), 0}});      // global
    CHECK(r.pa() == 0xb0004000);
}

TEST_CASE("The context-cache keeps a context entry until a context invalidation",
          "[vtd][invalidation]") {
    QueueRig r;
    CHECK(r.pa() == 0x80001000);
    r.mem.write_u64(kCtx8, 0);                       // software clears the context entry
    r.submit({{iotlb_desc(1), 0}});                   // IOTLB alone is not enough
    CHECK_FALSE(r.access(8, 0x1000, false).fault);    // the context-cache still has it
    r.submit({{cc_desc(3, 0, 0x0c, 3), 0}});          // device 0x0c, FM=3: functions 0x08-0x0f
    CHECK(r.access(8, 0x1000, false).reason == vtd::fault::CONTEXT_NOT_PRESENT);
    r.mem.write_u64(kCtx8, 0x3001);                   // faults are never cached:
    CHECK_FALSE(r.access(8, 0x1000, false).fault);    // the next request walks afresh
    r.mem.write_u64(kCtx8, 0);
    r.submit({{cc_desc(2, 2), 0}, {iotlb_desc(1), 0}});  // domain 2: not ours
    CHECK_FALSE(r.access(8, 0x1000, false).fault);
    r.submit({{cc_desc(2, 1), 0}, {iotlb_desc(1), 0}});  // domain 1, then the IOTLB
    CHECK(r.access(8, 0x1000, false).reason == vtd::fault::CONTEXT_NOT_PRESENT);
}

TEST_CASE("Register-based invalidation: CCMD and IOTLB_REG with IVA_REG", "[vtd][invalidation]") {
    Rig r;
    r.enable();
    CHECK(r.access(8, 0x1000, false).pa == 0x80001000);
    r.mem.write_u64(kPte, 0x90002001);
    const uint32_t iva = r.caps.iro * 16, iotlb = iva + 8;
    r.unit.write(iva, 0x5000, 8);                                       // another page
    r.unit.write(iotlb, (1ull << 63) | (3ull << 60) | (1ull << 32), 8);  // page, DID 1
    CHECK(r.access(8, 0x1000, false).pa == 0x80001000);
    r.unit.write(iva, 0x1000, 8);
    r.unit.write(iotlb, (1ull << 63) | (3ull << 60) | (1ull << 32), 8);
    CHECK(r.access(8, 0x1000, false).pa == 0x90002000);
    r.mem.write_u64(kCtx8, 0);
    r.unit.write(reg::CCMD, (1ull << 63) | (1ull << 61), 8);  // global context-cache
    r.unit.write(iotlb, (1ull << 63) | (1ull << 60), 8);      // global IOTLB
    CHECK(r.access(8, 0x1000, false).reason == vtd::fault::CONTEXT_NOT_PRESENT);
}

// Spec 10.2: software may write a 64-bit register as two 32-bit halves, the lower
// first. The command bit is in the upper half, so the command starts with it; a
// lower half alone starts nothing.
TEST_CASE("Register-based invalidation written as two 32-bit halves", "[vtd][invalidation]") {
    Rig r;
    r.enable();
    CHECK(r.access(8, 0x1000, false).pa == 0x80001000);
    r.mem.write_u64(kPte, 0x90002001);
    const uint32_t iva = r.caps.iro * 16, iotlb = iva + 8;
    const uint64_t page_did1 = (1ull << 63) | (3ull << 60) | (1ull << 32);
    r.unit.write(iva, 0x1000, 4);                     // IVA_REG low: ADDR 31:12
    r.unit.write(iva + 4, 0, 4);                      // IVA_REG high
    r.unit.write(iotlb, uint32_t(page_did1), 4);      // IOTLB_REG low: nothing yet
    CHECK(r.access(8, 0x1000, false).pa == 0x80001000);
    r.unit.write(iotlb + 4, page_did1 >> 32, 4);      // IVT: the invalidation
    CHECK(r.access(8, 0x1000, false).pa == 0x90002000);
    CHECK(r.unit.read(iotlb, 8) >> 57 == ((3ull << 3) | 3));  // IIRG page, IAIG page
    r.mem.write_u64(kCtx8, 0);
    r.unit.write(reg::CCMD, 0x0001, 4);               // DID 1, ICC not yet
    r.unit.write(iotlb + 4, (1ull << 31) | (1ull << 28), 4);  // global IOTLB
    CHECK(r.access(8, 0x1000, false).pa == 0x90002000);  // the context entry is cached
    r.unit.write(reg::CCMD + 4, (1u << 31) | (2u << 29), 4);  // ICC, CIRG=10: domain 1
    r.unit.write(iotlb + 4, (1ull << 31) | (1ull << 28), 4);
    CHECK(r.access(8, 0x1000, false).reason == vtd::fault::CONTEXT_NOT_PRESENT);
    CHECK((r.unit.read(reg::CCMD, 8) >> 59 & 3) == 2);  // CAIG: domain
}

// IQA's address runs above bit 31: both halves are kept.
TEST_CASE("IQA written as two 32-bit halves keeps both", "[vtd][invalidation]") {
    Rig r;
    r.unit.write(reg::IQA, 0x12345000 | (1u << 11) | 2, 4);
    r.unit.write(reg::IQA + 4, 0x7, 4);
    CHECK(r.unit.read(reg::IQA, 8) == 0x712345802ull);
}

TEST_CASE("Invalidation wait writes its status and sets ICS.IWC", "[vtd][invalidation]") {
    QueueRig r;
    r.submit({{wait_desc(true, true, 0xfeed), 0x20000}});
    CHECK(r.unit.read(reg::IQH, 8) == 16);
    uint32_t status = 0;
    r.mem.read(0x20000, &status, 4);
    CHECK(status == 0xfeed);
    CHECK(r.unit.read(reg::ICS, 4) == 1);
    r.unit.write(reg::ICS, 1, 4);  // IWC: write 1 to clear
    CHECK(r.unit.read(reg::ICS, 4) == 0);
}

TEST_CASE("256-bit descriptors: 32-byte stride, a misaligned tail is an error",
          "[vtd][invalidation]") {
    QueueRig r(true);
    r.pa();
    r.mem.write_u64(kPte, 0x90002001);
    r.submit({{wait_desc(true, false, 7), 0x20000}, {iotlb_desc(1), 0}}, 32);
    CHECK(r.unit.read(reg::IQH, 8) == 64);
    CHECK(r.pa() == 0x90002000);
    r.unit.write(reg::IQT, 64 + 16, 8);
    CHECK(r.unit.read(reg::FSTS, 4) & vtd::fsts::IQE);
}

TEST_CASE("An invalid descriptor stops the queue with IQE at that descriptor",
          "[vtd][invalidation]") {
    QueueRig r;
    r.submit({{wait_desc(true, false, 1), 0x20000}, {0xf, 0}, {wait_desc(true, false, 2), 0x20000}});
    CHECK(r.unit.read(reg::IQH, 8) == 16);  // stopped at the bad one
    CHECK(r.unit.read(reg::FSTS, 4) & vtd::fsts::IQE);
    uint32_t status = 0;
    r.mem.read(0x20000, &status, 4);
    CHECK(status == 1);
    // Software repairs the descriptor, clears IQE, and rings the doorbell again.
    r.mem.write_u64(kQueue + 16, iotlb_desc(1));
    r.unit.write(reg::FSTS, vtd::fsts::IQE, 4);
    r.unit.write(reg::IQT, r.tail, 8);
    CHECK(r.unit.read(reg::IQH, 8) == 48);
    r.mem.read(0x20000, &status, 4);
    CHECK(status == 2);
}

TEST_CASE("Descriptor decoding follows the spec's field positions", "[vtd][invalidation]") {
    auto cc = vtd::decode_descriptor(cc_desc(3, 0x1234, 0x0810, 2), 0, vtd::Capabilities{});
    REQUIRE(cc);
    CHECK(cc->type == vtd::InvType::ContextCache);
    CHECK(cc->granularity == 3);
    CHECK(cc->did == 0x1234);
    CHECK(cc->sid == 0x0810);
    CHECK(cc->function_mask == 2);
    auto p = vtd::decode_descriptor(6 | (3u << 4) | (7u << 16) | (0x12345ull << 32), 0xabc000 | 4, vtd::Capabilities{});
    REQUIRE(p);
    CHECK(p->pasid == 0x12345);
    CHECK(p->addr == 0xabc000);
    CHECK(p->address_mask == 4);
    CHECK_FALSE(vtd::decode_descriptor(0, 0, vtd::Capabilities{}));             // type 0
    CHECK_FALSE(vtd::decode_descriptor(0xa, 0, vtd::Capabilities{}));           // type 10
    CHECK_FALSE(vtd::decode_descriptor(2 | (1u << 9), 0, vtd::Capabilities{}));  // type bits 11:9
    CHECK_FALSE(vtd::decode_descriptor(2, 0, vtd::Capabilities{}));             // IOTLB granularity 0
}

namespace {
uint64_t walk_reads(RemappingUnit& u) {
    nlohmann::json j;
    u.sim::StatGroup::write(j, "u");  // (write() alone is the MMIO write)
    return j.at("u.walk_reads").get<uint64_t>();
}
}  // namespace

TEST_CASE("Paging-structure caches shorten walks and keep stale pointers until invalidated",
          "[vtd][invalidation]") {
    QueueRig r;
    r.mem.write_u64(0x6010, 0x80002001);  // iova 0x2000
    r.mem.write_u64(0x6018, 0x80003001);  // iova 0x3000
    r.access(8, 0x1000, false);
    const uint64_t cold = walk_reads(r.unit);
    CHECK(cold == 2 + 2 + 4);  // root and context entries (16 B each), 4 levels
    CHECK(r.access(8, 0x2000, false).pa == 0x80002000);
    CHECK(walk_reads(r.unit) == cold + 1);  // the PDE cache leaves only the PTE to read
    // Software moves the page table (PDE 0 -> 0x7000) without invalidating.
    r.mem.write_u64(0x7018, 0x90003001);
    r.mem.write_u64(0x5000, 0x7003);
    CHECK(r.access(8, 0x3000, false).pa == 0x80003000);  // walked from the stale PDE
    r.submit({{iotlb_desc(3, 1), 0x3000}});               // page-selective covers the PDE
    CHECK(r.access(8, 0x3000, false).pa == 0x90003000);
}

// A miss skips the large-page probes while no leaf of that size has been filled; the
// first 2 MiB fill, and every one after a global invalidation, must make them count.
TEST_CASE("A 2 MiB IOTLB entry hits after 4 KiB fills and after a global invalidation",
          "[vtd][invalidation]") {
    QueueRig r;
    constexpr uint64_t kPde1 = 0x5008;  // PDE of iova 0x200000: a 2 MiB leaf, R
    r.mem.write_u64(kPde1, 0x40000000 | 0x80 | 1);
    CHECK(r.pa() == 0x80001000);  // a 4 KiB fill first
    CHECK(r.access(8, 0x201000, false).pa == 0x40001000);
    r.mem.write_u64(kPde1, 0x60000000 | 0x80 | 1);  // remapped, not yet invalidated
    CHECK(r.access(8, 0x3ff000, false).pa == 0x401ff000);  // the cached 2 MiB entry
    r.submit({{iotlb_desc(1), 0}});  // global
    CHECK(r.pa() == 0x80001000);
    CHECK(r.access(8, 0x201000, false).pa == 0x60001000);  // walked again
    r.mem.write_u64(kPde1, 0x40000000 | 0x80 | 1);
    CHECK(r.access(8, 0x202000, false).pa == 0x60002000);  // and cached again
}
