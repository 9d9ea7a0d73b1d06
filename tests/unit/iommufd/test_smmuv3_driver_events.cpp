// The SMMUv3 driver reading the event queue: records the fake register file
// (smmuv3_driver_rig.h) posts, encoded by the hardware model's encoder, are counted by
// event ID at the driver's next operation; the queue wraps; an overflow is
// acknowledged and counting resumes.
#include <catch2/catch.hpp>

#include "models/smmuv3/event.h"
#include "models/smmuv3/queue.h"
#include "tests/unit/iommufd/smmuv3_driver_rig.h"

using namespace smmu_driver_rig;

namespace {

// The unit's side of the event queue: records written at PROD, PROD advanced.
struct Poster {
    Rig& r;
    void post(uint8_t id, unsigned n) {
        const uint64_t base = r.unit->regs[reg::EVENTQ_BASE];
        const unsigned log2 = unsigned(base & 31);
        const uint64_t q = base & ::smmuv3::queue_base::ADDR.mask();
        uint32_t prod = uint32_t(r.unit->regs[reg::EVENTQ_PROD]);
        for (unsigned i = 0; i < n; ++i) {
            ::smmuv3::Event e;
            e.id = id;
            e.sid = kSid;
            e.input_addr = 0x1000 * i;
            const auto rec = ::smmuv3::encode_event(e);
            for (unsigned w = 0; w < 4; ++w) r.mem.write_u64(q + uint64_t(prod & ((1u << log2) - 1)) * 32 + 8 * w, rec[w]);
            prod = (prod & 0x8000'0000u) | ((prod + 1) & ((2u << log2) - 1));
        }
        r.unit->regs[reg::EVENTQ_PROD] = prod;
    }
    void overflow() { r.unit->regs[reg::EVENTQ_PROD] ^= 0x8000'0000u; }
    uint64_t count(const char* key) {
        nlohmann::json j;
        r.driver->write(j, "d");
        const std::string k = std::string("d.") + key;
        return j.contains(k) ? j.at(k).get<uint64_t>() : 0;
    }
    // Any driver operation: here a domain allocation.
    void operate() {
        std::unique_ptr<Domain> d;
        REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    }
};

}  // namespace

TEST_CASE("smmuv3 driver: the next operation reads the posted event records and counts them "
          "by event ID, writing EVENTQ_CONS", "[iommufd][smmuv3-driver]") {
    Rig r;
    Poster p{r};
    REQUIRE((r.unit->regs[reg::EVENTQ_BASE] & 31) == 7);  // 128 records
    const size_t writes = r.unit->writes.size();
    p.operate();  // nothing posted: the queue is not touched
    for (size_t i = writes; i < r.unit->writes.size(); ++i) CHECK(r.unit->writes[i].first != reg::EVENTQ_CONS);
    CHECK(p.count("events.0x10") == 0);
    p.post(::smmuv3::event::F_TRANSLATION, 3);
    p.post(::smmuv3::event::C_BAD_STE, 1);
    p.post(::smmuv3::event::F_PERMISSION, 2);
    const uint64_t mmio = r.stat("mmio");
    p.operate();
    CHECK(p.count("events.0x10") == 3);
    CHECK(p.count("events.0x04") == 1);
    CHECK(p.count("events.0x13") == 2);
    CHECK(p.count("events.overflows") == 0);
    CHECK(r.unit->regs[reg::EVENTQ_CONS] == 6);
    CHECK(r.stat("mmio") >= mmio + 6 + 2);  // CONS per record, PROD read twice
    p.operate();  // read once
    CHECK(p.count("events.0x10") == 3);
    // Past the end of the 128-entry queue: the wrap bit follows.
    p.post(::smmuv3::event::F_TRANSLATION, 100);
    p.operate();
    p.post(::smmuv3::event::F_ACCESS, 100);
    p.operate();
    CHECK(p.count("events.0x10") == 103);
    CHECK(p.count("events.0x12") == 100);
    CHECK(r.unit->regs[reg::EVENTQ_CONS] == ((206 & 127) | 128));
}

TEST_CASE("smmuv3 driver: an event queue overflow is counted and acknowledged by copying "
          "PROD.OVFLG to CONS, and counting resumes", "[iommufd][smmuv3-driver]") {
    Rig r;
    Poster p{r};
    p.post(::smmuv3::event::F_TRANSLATION, 128);  // full
    p.overflow();                                 // the next record was lost
    p.operate();
    CHECK(p.count("events.0x10") == 128);
    CHECK(p.count("events.overflows") == 1);
    const uint32_t cons = uint32_t(r.unit->regs[reg::EVENTQ_CONS]);
    CHECK(cons == (0x8000'0000u | 128));  // OVACKFLG = OVFLG, index 0 with the wrap bit
    CHECK_FALSE(::smmuv3::QueueIndex::overflow_pending(uint32_t(r.unit->regs[reg::EVENTQ_PROD]), cons));
    p.post(::smmuv3::event::F_PERMISSION, 2);
    p.operate();
    CHECK(p.count("events.0x13") == 2);
    CHECK(p.count("events.overflows") == 1);
    // A second overflow toggles OVFLG back; it is counted and acknowledged too.
    p.overflow();
    p.operate();
    CHECK(p.count("events.overflows") == 2);
    CHECK((r.unit->regs[reg::EVENTQ_CONS] & 0x8000'0000u) == 0);
}
