// SMMUv3 queue indexes (IHI 0070 §3.5, §6.3 SMMU_*Q_PROD/CONS, §7.4): index, wrap flag,
// full and empty, the overflow flag and CMDQ_CONS.ERR.
#include <catch2/catch.hpp>

#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"

using namespace smmuv3;

TEST_CASE("smmuv3: A queue of 2^n entries wraps with the flag at bit n", "[smmuv3][queue]") {
    const QueueIndex q(3);  // 8 entries: index 2:0, wrap bit 3
    CHECK(q.entries() == 8);
    uint32_t prod = 0;
    const uint32_t cons = 0;
    CHECK(q.empty(prod, cons));
    CHECK_FALSE(q.full(prod, cons));
    for (int i = 0; i < 7; ++i) prod = q.advance(prod);
    CHECK(prod == 7);
    CHECK(q.used(prod, cons) == 7);
    CHECK(q.space(prod, cons) == 1);
    prod = q.advance(prod);
    CHECK(prod == 0x8);  // index 0, wrap 1
    CHECK(q.index(prod) == 0);
    CHECK(q.wrap(prod));
    CHECK(q.full(prod, cons));
    CHECK_FALSE(q.empty(prod, cons));
    CHECK(q.used(prod, cons) == 8);
    // Consumer catches up, wraps too: empty again.
    CHECK(q.empty(prod, q.advance(cons, 8)));
    // The producer wraps back to wrap 0 after 16 entries.
    CHECK(q.advance(prod, 8) == 0);
    // Entries between a wrapped PROD and CONS.
    CHECK(q.used(0x8 | 2, 6) == 4);
    CHECK(q.used(2, 0x8 | 6) == 4);
}

TEST_CASE("smmuv3: A one-entry queue is only a wrap flag", "[smmuv3][queue]") {
    const QueueIndex q(0);
    CHECK(q.entries() == 1);
    CHECK(q.advance(0) == 1);
    CHECK(q.full(1, 0));
    CHECK(q.empty(1, 1));
    CHECK(q.advance(1) == 0);
}

TEST_CASE("smmuv3: Advancing keeps OVFLG and ERR, overflow is pending until acknowledged", "[smmuv3][queue]") {
    const QueueIndex q(4);
    uint32_t prod = QueueIndex::OVFLG | 15;
    prod = q.advance(prod);
    CHECK(prod == (QueueIndex::OVFLG | 0x10));

    uint32_t eprod = 3, econs = 3;
    CHECK_FALSE(QueueIndex::overflow_pending(eprod, econs));
    eprod = QueueIndex::toggle_overflow(eprod);  // the SMMU lost a record
    CHECK(QueueIndex::overflow_pending(eprod, econs));
    CHECK(q.empty(eprod, econs));  // OVFLG is not part of the index
    econs = QueueIndex::acknowledge_overflow(econs, eprod);
    CHECK((econs & QueueIndex::OVFLG) != 0);
    CHECK(q.index(econs) == 3);
    CHECK_FALSE(QueueIndex::overflow_pending(eprod, econs));
    eprod = QueueIndex::toggle_overflow(eprod);  // a second overflow toggles it back
    CHECK((eprod & QueueIndex::OVFLG) == 0);
    CHECK(QueueIndex::overflow_pending(eprod, econs));
}

TEST_CASE("smmuv3: CMDQ_CONS.ERR is bits 30:24", "[smmuv3][queue]") {
    uint32_t cons = 0x8 | 5;
    cons = QueueIndex::with_error(cons, cmdq_cons::CERROR_ILL);
    CHECK(cons == ((1u << 24) | 0xd));
    CHECK(QueueIndex::error(cons) == cmdq_cons::CERROR_ILL);
    CHECK(cmdq_cons::ERR.get(cons) == 1);
    cons = QueueIndex::with_error(cons, cmdq_cons::CERROR_ATC_INV_SYNC);
    CHECK(QueueIndex::error(cons) == 3);
    CHECK(QueueIndex(3).advance(cons) == ((3u << 24) | 0xe));
    CHECK(QueueIndex::with_error(cons, cmdq_cons::CERROR_NONE) == 0xd);
}

TEST_CASE("smmuv3: Queue base registers: address 51:5, LOG2SIZE 4:0", "[smmuv3][queue]") {
    const auto b = decode_queue_base((uint64_t(1) << 62) | 0x000fffff80001000ull | 0x13);
    CHECK(b.addr == 0x000fffff80001000ull);
    CHECK(b.log2size == 0x13);
    CHECK(b.allocate);
}
