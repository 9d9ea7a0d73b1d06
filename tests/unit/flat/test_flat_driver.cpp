// The FLAT driver against vectors written by hand from flat_spec.h, through a Machine
// that records every register access and answers as the spec says a unit would. No
// flat::Unit here: what the driver writes is checked bit by bit.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "tests/support/flat/flat_driver.h"

using iommufd::Errno;

namespace {

constexpr uint32_t CAP = 0x000, CTRL = 0x008, STATUS = 0x00C, DEVTAB = 0x010;
constexpr uint32_t INV = 0x018, INV_ADDR = 0x020;
constexpr uint64_t GO = uint64_t(1) << 63;

// IOVA_BITS 32 (a 1M-entry, 8 MiB table per domain), SC, COH.
constexpr uint64_t kCap = 0x30020;
constexpr uint64_t kPages = 0x1000'0000;     // the driver's frames start here
constexpr uint64_t kDevtab = kPages;         // 512 KiB
constexpr uint64_t kTable1 = 0x1008'0000;    // domain 1's table
constexpr uint16_t kSid = 0x0108;

struct Access {
    char op;  // 'r' or 'w'
    uint32_t offset;
    uint64_t value;
    unsigned size;
    bool operator==(const Access& o) const {
        return op == o.op && offset == o.offset && value == o.value && size == o.size;
    }
};

std::ostream& operator<<(std::ostream& os, const Access& a) {
    return os << a.op << " 0x" << std::hex << a.offset << " = 0x" << a.value << std::dec << " /"
              << a.size;
}

// Registers as a spec-following unit shows them: STATUS.ENS follows CTRL.EN, GO reads 0.
struct RecordingMachine : iommufd::Machine {
    memory::SparseMemory mem;
    uint64_t cap = kCap;
    bool status_follows = true;
    uint32_t ctrl = 0;
    std::vector<Access> log;
    std::vector<uint64_t> flushed;

    uint64_t read_reg(uint32_t o, unsigned s) override {
        uint64_t v = 0;
        if (o == CAP) v = cap;
        if (o == STATUS) v = status_follows ? ctrl : 0;
        log.push_back({'r', o, v, s});
        return v;
    }
    void write_reg(uint32_t o, uint64_t v, unsigned s) override {
        if (o == CTRL) ctrl = uint32_t(v);
        log.push_back({'w', o, v, s});
    }
    uint64_t read64(uint64_t pa) override { return mem.read_u64(pa); }
    void write64(uint64_t pa, uint64_t v) override { mem.write_u64(pa, v); }
    void flush(uint64_t pa, uint64_t) override { flushed.push_back(pa); }
};

struct Rig {
    RecordingMachine m;
    iommufd::FrameAllocator pages{kPages, 0x1000'0000};
    flat_driver::Driver driver{m, pages, flat_driver::DriverParams{}};

    explicit Rig(uint64_t cap = kCap) {
        m.cap = cap;
        REQUIRE(driver.probe() == Errno::Ok);
        m.log.clear();
    }
    std::unique_ptr<iommufd::Domain> domain() {
        std::unique_ptr<iommufd::Domain> d;
        REQUIRE(driver.device(kSid, {})->alloc_domain(0, d) == Errno::Ok);
        return d;
    }
    uint64_t stat(const std::string& name) {
        nlohmann::json j;
        driver.write(j, "d");
        return j.at("d." + name).get<uint64_t>();
    }
};

const auto R = iommufd::kRead, W = iommufd::kWrite;

}  // namespace

TEST_CASE("flat driver: probe reads CAP, writes DEVTAB, enables by handshake") {
    RecordingMachine m;
    iommufd::FrameAllocator pages{kPages, 0x1000'0000};
    flat_driver::Driver driver{m, pages, flat_driver::DriverParams{}};
    REQUIRE(driver.probe() == Errno::Ok);
    const std::vector<Access> want = {
        {'r', CAP, kCap, 8}, {'w', DEVTAB, kDevtab, 8}, {'w', CTRL, 1, 4}, {'r', STATUS, 1, 4}};
    CHECK(m.log == want);
    CHECK(driver.spent().cpu_ns == 400);  // four register accesses
    CHECK(driver.mmio_ns() == 100);
}

TEST_CASE("flat driver: probe failures say why") {
    RecordingMachine m;
    iommufd::FrameAllocator pages{kPages, 0x1000'0000};
    flat_driver::Driver driver{m, pages, flat_driver::DriverParams{}};
    SECTION("IOVA_BITS the driver cannot use") {
        m.cap = 0x30000 | 12;
        CHECK(driver.probe() == Errno::OpNotSupp);
        CHECK(driver.probe_failure().reason.find("IOVA_BITS is 12") != std::string::npos);
    }
    SECTION("STATUS never follows CTRL") {
        m.status_follows = false;
        CHECK(driver.probe() == Errno::OpNotSupp);
        CHECK(driver.probe_failure().reason.find("STATUS.ENS") != std::string::npos);
    }
}

TEST_CASE("flat driver: map writes the exact entry at TABLE + 8 * (IOVA >> 12)") {
    Rig rig;
    auto d = rig.domain();
    CHECK(d->page_sizes() == 4096);
    REQUIRE(d->map(0x3000, 0x7654'3000, 4096, R | W) == Errno::Ok);
    REQUIRE(d->map(0xffff'f000, 0x1000, 4096, R) == Errno::Ok);
    REQUIRE(d->map(0x5000, 0xffff'ffff'f000, 4096, W) == Errno::Ok);
    CHECK(rig.m.mem.read_u64(kTable1 + 0x18) == 0x7654'3003);
    CHECK(rig.m.mem.read_u64(kTable1 + 8 * 0xfffff) == 0x1001);
    CHECK(rig.m.mem.read_u64(kTable1 + 0x28) == 0xffff'ffff'f002);
    CHECK(rig.m.log.empty());  // mapping touches no register
    CHECK(rig.stat("table_writes") == 3);

    CHECK(d->map(0x1'0000'0000, 0x1000, 4096, R) == Errno::Inval);  // beyond IOVA_BITS
    CHECK(d->map(0x6000, 0x1000, 8192, R) == Errno::Inval);
    CHECK(d->map(0x6800, 0x1000, 4096, R) == Errno::Inval);
    CHECK(d->map(0x6000, 0x1800, 4096, R) == Errno::Inval);
    CHECK(d->map(0x6000, 0x1000, 4096, 0) == Errno::Inval);
    CHECK(d->map(0x6000, uint64_t(1) << 48, 4096, R) == Errno::Inval);
    CHECK(d->map(0x3000, 0x1000, 4096, R) == Errno::Exist);
    CHECK(rig.stat("table_writes") == 3);
}

TEST_CASE("flat driver: attach writes the device entry and invalidates the device") {
    Rig rig;
    auto dev = rig.driver.device(kSid, {});
    std::unique_ptr<iommufd::Domain> d1, d2;
    REQUIRE(dev->alloc_domain(0, d1) == Errno::Ok);
    REQUIRE(dev->alloc_domain(0, d2) == Errno::Ok);
    std::unique_ptr<iommufd::Domain> bad;
    CHECK(dev->alloc_domain(iommufd::kHwptNestParent, bad) == Errno::OpNotSupp);

    REQUIRE(dev->attach(*d1) == Errno::Ok);
    CHECK(rig.m.mem.read_u64(kDevtab + 0x840) == 0x0001'0000'1008'0003);
    std::vector<Access> want = {{'w', INV, GO | uint64_t(kSid) << 16 | 2, 8}, {'r', INV, 0, 8}};
    CHECK(rig.m.log == want);

    rig.m.log.clear();
    REQUIRE(dev->attach(*d2) == Errno::Ok);  // domain 2's table follows domain 1's 8 MiB
    CHECK(rig.m.mem.read_u64(kDevtab + 0x840) == 0x0002'0000'1088'0003);
    CHECK(rig.m.log == want);

    rig.m.log.clear();
    dev.reset();  // destroying the device detaches it: blocked
    CHECK(rig.m.mem.read_u64(kDevtab + 0x840) == 0x1);
    CHECK(rig.m.log == want);
}

TEST_CASE("flat driver: strict unmap clears and invalidates by page, then by domain") {
    Rig rig;
    auto d = rig.domain();
    for (uint64_t p = 0; p < 40; ++p) REQUIRE(d->map(p << 12, 0x200000 + (p << 12), 4096, R) == Errno::Ok);
    const auto before = rig.driver.spent();

    d->unmap(0x2000, 0x2000);
    CHECK(rig.m.mem.read_u64(kTable1 + 0x10) == 0);
    CHECK(rig.m.mem.read_u64(kTable1 + 0x18) == 0);
    CHECK(rig.m.mem.read_u64(kTable1 + 0x20) == 0x204001);
    const std::vector<Access> pages = {
        {'w', INV_ADDR, 0x2000, 8}, {'w', INV, GO | uint64_t(1) << 32 | 4, 8}, {'r', INV, 0, 8},
        {'w', INV_ADDR, 0x3000, 8}, {'w', INV, GO | uint64_t(1) << 32 | 4, 8}, {'r', INV, 0, 8}};
    CHECK(rig.m.log == pages);
    const auto cost = rig.driver.spent() - before;
    CHECK(cost.table_writes == 2);
    CHECK(cost.descriptors == 2);
    CHECK(cost.waits == 2);
    // Each invalidation: 50 composing + 3 register accesses + 500 waiting.
    CHECK(cost.queue_ns == 2 * 850);
    CHECK(cost.cpu_ns == 2 * 850 + 2 * 10);

    rig.m.log.clear();
    d->unmap(0x10000, 17 * 4096);  // 17 pages: the whole domain
    const std::vector<Access> domain = {{'w', INV, GO | uint64_t(1) << 32 | 3, 8}, {'r', INV, 0, 8}};
    CHECK(rig.m.log == domain);
    CHECK(rig.m.mem.read_u64(kTable1 + 8 * 0x20) == 0);
    CHECK(rig.m.mem.read_u64(kTable1 + 8 * 0x21) == 0x221001);

    rig.m.log.clear();
    d->unmap_deferred(0x21000, 4096);
    CHECK(rig.m.mem.read_u64(kTable1 + 8 * 0x21) == 0);
    CHECK(rig.m.log.empty());
    d->flush_all();
    CHECK(rig.m.log == domain);
}

TEST_CASE("flat driver: cache coherency needs CAP.SC and no mapping yet") {
    SECTION("with SC") {
        Rig rig;
        auto d = rig.domain();
        CHECK(rig.driver.device(kSid, {})->can_enforce_cache_coherency());
        REQUIRE(d->enforce_cache_coherency());
        REQUIRE(d->map(0x1000, 0x5000, 4096, R | W) == Errno::Ok);
        CHECK(rig.m.mem.read_u64(kTable1 + 8) == 0x5007);
        auto late = rig.domain();
        REQUIRE(late->map(0x1000, 0x5000, 4096, R) == Errno::Ok);
        CHECK_FALSE(late->enforce_cache_coherency());
    }
    SECTION("without SC, nor COH: every table write is flushed") {
        Rig rig(0x20);
        auto d = rig.domain();
        CHECK_FALSE(rig.driver.device(kSid, {})->can_enforce_cache_coherency());
        CHECK_FALSE(d->enforce_cache_coherency());
        REQUIRE(d->map(0x1000, 0x5000, 4096, R) == Errno::Ok);
        CHECK(rig.m.flushed == std::vector<uint64_t>{kTable1 + 8});
    }
}

TEST_CASE("flat driver: hw_info, reserved regions, statistics") {
    Rig rig;
    auto dev = rig.driver.device(kSid, {});
    const auto info = dev->hw_info();
    CHECK(info.type == 200);
    REQUIRE(info.data.size() == 1);
    CHECK(info.data[0].first == "cap");
    CHECK(info.data[0].second == kCap);
    CHECK(dev->reserved_regions().empty());
    for (const char* s : {"table_writes", "descriptors", "waits", "mmio", "cpu_ns"})
        CHECK_NOTHROW(rig.stat(s));
    CHECK(rig.stat("mmio") == 4);
}

TEST_CASE("flat driver: the plug-in reads its costs from its section") {
    const iommufd::DriverArch& arch = flat::driver_arch();
    sim::ParamSchema schema;
    arch.declare(schema, "iommufd.flat");
    for (const char* k : {"mmio_ns", "table_write_ns", "invalidation_ns", "wait_ns"})
        CHECK(schema.has(std::string("iommufd.flat.") + k));
    sim::Config cfg;
    cfg.set("iommufd.flat.mmio_ns", "7");
    RecordingMachine m;
    iommufd::FrameAllocator pages{kPages, 0x1000'0000};
    auto driver = arch.make(m, pages, *arch.read(cfg, "iommufd.flat"));
    CHECK(driver->mmio_ns() == 7);
    REQUIRE(driver->probe() == Errno::Ok);
    CHECK(driver->spent().cpu_ns == 28);
}
