// The SMMUv3 register file, its queues and its walks, driven by arbitrary MMIO writes
// (pages 0 and 1), table and queue writes and DMA requests (the input language:
// smmuv3_ops.h). No simulation is elaborated: the unit's functional path (read, write,
// translate) is plain C++.
//
// Properties: nothing throws (misuse is answered by events and error bits); every
// fault reason is an event the unit can name; a success is a power-of-two page of at
// least 4 KiB holding the address at the same offset, and grants the access asked; a
// request asked twice in a row gets the same answer while the caches are coherent with
// memory (Coherence); the event queue's PROD only advances by one record into a queue
// that has room, or toggles OVFLG on a full one; the command queue's CONS never passes
// PROD.
//
// Seeds (corpus/smmuv3_mmio) are what the SMMUv3 driver does to probe, attach and map,
// then requests; build-fuzz/tests/fuzz/make_seeds_smmuv3 tests/fuzz/corpus rewrites
// them. FUZZ_SMMUV3_TRACE=1 prints every answer (to see what an input reaches).
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/format.h"
#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"
#include "platforms/archs.h"
#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/mmio_ops.h"
#include "tests/fuzz/smmuv3_ops.h"
#include "tests/fuzz/unit_config.h"
#include "tests/fuzz/watched_memory.h"

namespace {

using namespace fuzz::smmuv3;
using fuzz::Watched;
namespace reg = ::smmuv3::reg;
using ::smmuv3::QueueIndex;

const iommu::UnitConfig& unit_config(uint8_t variant) {
    return fuzz::variant_config("smmuv3", variant % kVariants, variant_settings(variant % kVariants));
}

// Software that changes an STE, a CD, a table or a register the walk reads owes the
// SMMU invalidations (IHI 0070 §3.21 "Structure access rules and update procedures",
// §4.3, §4.4); until it has paid them, a cached answer may legally differ from a walk.
// Paid in full: CFGI_ALL and TLBI_NSNH_ALL, both after the change, with no translation
// between a change and the CFGI_ALL (it could fill the TLB from a stale STE or CD).
// The unit's own event records and CMD_SYNC MSI writes are changes too, where they land
// on memory it has read.
class Coherence {
public:
    explicit Coherence(iommu::Unit& unit) {
        unit.on_invalidate = [this](const char* kind, const std::string&) { applied(kind); };
    }
    void translating() {
        filled_ = true;
        if (!config_) tlb_ = false;  // the TLB may now hold entries of a stale configuration
    }
    void changed() {
        if (filled_) config_ = tlb_ = false;
    }
    bool coherent() const { return config_ && tlb_; }

private:
    void applied(const std::string& kind) {
        config_ |= kind == "CMD_CFGI_ALL";
        tlb_ |= kind == "CMD_TLBI_NSNH_ALL";
    }
    bool filled_ = false, config_ = true, tlb_ = true;
};

// Where the queue behind base register `base_reg` wraps (its effective LOG2SIZE).
QueueIndex queue_index(const iommu::Unit& unit, uint32_t base_reg, unsigned largest) {
    const auto base = ::smmuv3::decode_queue_base(unit.read(base_reg, 8));
    return QueueIndex(std::min(base.log2size, largest));
}

// §7.2, §7.4: one request records at most one event: PROD advances by one into a
// queue with room, or, full, toggles OVFLG (unless an overflow is still unacknowledged).
void check_event_prod(const ::smmuv3::SmmuUnit& unit, uint32_t before, uint32_t cons, uint32_t after) {
    if (after == before) return;
    const QueueIndex qi = queue_index(unit, reg::EVENTQ_BASE, unit.caps().eventqs);
    const std::string where = " (EVENTQ_PROD " + sim::hex(before) + " -> " + sim::hex(after) + ", CONS " +
                              sim::hex(cons) + ", log2size " + std::to_string(qi.log2size()) + ")";
    if (after == qi.advance(before)) {
        if (qi.full(before, cons)) fuzz::fail("an event recorded into a full queue" + where);
        if (QueueIndex::overflow_pending(before, cons)) fuzz::fail("an event recorded while overflowed" + where);
        return;
    }
    if (after == QueueIndex::toggle_overflow(before)) {
        if (!qi.full(before, cons) || QueueIndex::overflow_pending(before, cons))
            fuzz::fail("OVFLG toggled without a new overflow" + where);
        return;
    }
    fuzz::fail("EVENTQ_PROD moved other than by one record or OVFLG" + where);
}

// §3.5: the SMMU consumes from CONS towards PROD and never past it; only the index,
// the wrap flag and ERR change.
void check_cmdq_cons(const ::smmuv3::SmmuUnit& unit, uint32_t before, uint32_t after) {
    if (after == before) return;
    const QueueIndex qi = queue_index(unit, reg::CMDQ_BASE, unit.caps().cmdqs);
    const uint32_t prod = uint32_t(unit.read(reg::CMDQ_PROD, 4));
    const uint32_t mask = (qi.entries() << 1) - 1;
    const std::string where = " (CMDQ_CONS " + sim::hex(before) + " -> " + sim::hex(after) + ", PROD " +
                              sim::hex(prod) + ")";
    if (((before ^ after) & ~mask & ~QueueIndex::ERR_MASK) != 0)
        fuzz::fail("CMDQ_CONS changed outside its index, wrap and ERR" + where);
    if (((after - before) & mask) > ((prod - before) & mask)) fuzz::fail("CMDQ_CONS passed CMDQ_PROD" + where);
}

class Run {
public:
    Run(uint8_t variant)
        : host_(mem_, kMemoryBytes),
          unit_(platform::find_arch("smmuv3")->hardware->make(unit_config(variant), host_)),
          smmu_(static_cast<::smmuv3::SmmuUnit&>(*unit_)),
          coherence_(*unit_) {}

    void write(uint32_t offset, uint64_t value, unsigned bytes) {
        const uint32_t cons = uint32_t(smmu_.read(reg::CMDQ_CONS, 4));
        // The queues' doorbells and acknowledgements change nothing a walk reads.
        if (offset != reg::CMDQ_PROD && offset != reg::GERRORN && offset != reg::EVENTQ_CONS) coherence_.changed();
        smmu_.write(offset, value, bytes);
        unit_wrote(host_.take_writes());
        // Software may set CONS itself, and a new base moves where the queue wraps.
        const auto covers = [&](uint32_t r, unsigned n) { return offset < r + n && r < offset + bytes; };
        if (!covers(reg::CMDQ_CONS, 4) && !covers(reg::CMDQ_BASE, 8))
            check_cmdq_cons(smmu_, cons, uint32_t(smmu_.read(reg::CMDQ_CONS, 4)));
    }
    void read(uint32_t offset, unsigned bytes) { smmu_.read(offset, bytes); }
    void store(uint64_t pa, uint64_t value) {
        mem_.write_u64(pa, value);
        coherence_.changed();
    }
    // The second answer comes from the caches the first one filled (or walks the same
    // memory again): either way it must be the first answer.
    void translate(const iommu::Request& r) {
        static const bool trace = std::getenv("FUZZ_SMMUV3_TRACE");
        coherence_.translating();
        const iommu::Result first = answer(r);
        if (trace) std::fprintf(stderr, "%s\n", fuzz::show(r, first).c_str());
        fuzz::check_answer(r, first, !first.fault || smmu_.fault_text(first.reason).find("UNKNOWN") == std::string::npos);
        const bool coherent = coherence_.coherent();
        const iommu::Result again = answer(r);
        if (coherent && !fuzz::same(first, again))
            fuzz::fail("asked twice: " + fuzz::show(r, first) + ", then " + fuzz::show(r, again));
    }

private:
    iommu::Result answer(const iommu::Request& r) {
        const uint32_t prod = uint32_t(smmu_.read(reg::EVENTQ_PROD, 4));
        const uint32_t cons = uint32_t(smmu_.read(reg::EVENTQ_CONS, 4));
        const auto base = ::smmuv3::decode_queue_base(smmu_.read(reg::EVENTQ_BASE, 8));
        const iommu::Result res = unit_->translate(r);
        const uint32_t after = uint32_t(smmu_.read(reg::EVENTQ_PROD, 4));
        check_event_prod(smmu_, prod, cons, after);
        // The walk's own access flag and dirty state updates rewrite the descriptor it
        // read, as the cached entry already says; only the event record is a change.
        std::vector<Watched::Write> records;
        const QueueIndex qi = queue_index(smmu_, reg::EVENTQ_BASE, smmu_.caps().eventqs);
        const uint64_t at = base.addr + uint64_t(qi.index(prod)) * 32;
        for (const auto& w : host_.take_writes())
            if (after != prod && w.pa >= at && w.pa < at + 32) records.push_back(w);
        unit_wrote(records);
        return res;
    }
    void unit_wrote(const std::vector<Watched::Write>& writes) {
        if (host_.any_read(writes)) coherence_.changed();
    }

    memory::SparseMemory mem_;
    Watched host_;
    std::unique_ptr<iommu::Unit> unit_;
    ::smmuv3::SmmuUnit& smmu_;
    Coherence coherence_;
};

static_assert(int(kTranslate) == fuzz::kMmioTranslate && int(kOpCount) == fuzz::kMmioOps, "smmuv3_ops.h: the common ops");

void run(fuzz::Bytes& in) {
    Run unit(in.u8());
    while (!in.empty()) fuzz::mmio_op(in, fuzz::MmioOp(in.u8() % kOpCount), unit, {mmio_offset, kWindow, kWindowQwords});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    fuzz::no_escape([&] { run(in); });
    return 0;
}
