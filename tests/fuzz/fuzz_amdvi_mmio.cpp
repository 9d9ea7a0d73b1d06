// The AMD-Vi register page, its command buffer, logs and walks, driven by arbitrary
// MMIO writes and reads, table writes, DMA requests (untranslated, ATS) and page
// requests (the input language: amdvi_ops.h). No simulation is elaborated: the unit's
// functional path (read, write, translate, page_request) is plain C++.
//
// Properties: nothing throws (misuse is answered by events and error bits); every
// fault reason is an event code the unit names; a success is a power-of-two page of at
// least 4 KiB holding the address at the same offset, and grants the access asked; a
// request asked twice in a row gets the same answer while the caches are coherent with
// memory (Coherence); a request logs at most one event (48882 §2.5): EVT_TAIL moves by
// one record, never onto EVT_HEAD, only for a fault, with the fault's code and the
// requester's DeviceID, and a recorded fault is logged whenever EventLogRun is set
// with room in memory; CMD_HEAD never passes CMD_TAIL, and a doorbell leaves CmdBufRun
// set only with the buffer drained (§3.4.10); a page request is logged exactly when
// PPR_TAIL moves by one entry.
//
// Seeds (corpus/amdvi_mmio) are what the AMD-Vi driver does to probe, attach and map,
// then requests; build-fuzz/tests/fuzz/make_seeds_amdvi tests/fuzz/corpus rewrites
// them. FUZZ_AMDVI_TRACE=1 prints every answer (to see what an input reaches).
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "models/amdvi/amdvi_unit.h"
#include "models/amdvi/regs.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/format.h"
#include "platforms/archs.h"
#include "tests/fuzz/amdvi_ops.h"
#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/mmio_ops.h"
#include "tests/fuzz/unit_config.h"
#include "tests/fuzz/watched_memory.h"

namespace {

using namespace fuzz::amdvi;
using fuzz::Watched;
namespace reg = ::amdvi::reg;

const iommu::UnitConfig& unit_config(uint8_t variant) {
    return fuzz::variant_config("amdvi", variant % kVariants, variant_settings(variant % kVariants));
}

// A circular buffer as its base register describes it (§3.4.2, §3.4.3, §3.4.7): Len
// 59:56, 2^Len 16-byte entries, the reserved lengths below 8 read as 256 entries.
struct Ring {
    uint64_t base, bytes;
    explicit Ring(uint64_t reg)
        : base(reg & 0x000f'ffff'ffff'f000ull), bytes(uint64_t(16) << std::max<uint64_t>(8, (reg >> 56) & 0xf)) {}
    uint64_t at(uint64_t pointer) const { return pointer & 0x7fff0 & (bytes - 1); }
    uint64_t next(uint64_t pointer) const { return (at(pointer) + 16) & (bytes - 1); }
};

// Software that changes a DTE, a page table or a register the unit reads owes it
// invalidations (§2.4: INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES); until it has
// paid them, a cached answer may legally differ from a walk. Paid in full here by
// INVALIDATE_IOMMU_ALL after the last change: it empties every cache at once. The
// unit's own writes (event and PPR records, COMPLETION_WAIT stores, A/D updates) are
// changes too, where they land on memory it has read.
class Coherence {
public:
    explicit Coherence(iommu::Unit& unit) {
        unit.on_invalidate = [this](const char* kind, const std::string&) {
            coherent_ |= std::string(kind) == "INVALIDATE_IOMMU_ALL";
        };
    }
    void changed() { coherent_ = false; }
    bool coherent() const { return coherent_; }

private:
    bool coherent_ = true;
};

class Run {
public:
    explicit Run(uint8_t variant)
        : host_(mem_, kMemoryBytes),
          unit_(platform::find_arch("amdvi")->hardware->make(unit_config(variant), host_)),
          amd_(static_cast<::amdvi::AmdviUnit&>(*unit_)),
          coherence_(*unit_) {}

    void write(uint32_t offset, uint64_t value, unsigned bytes) {
        const uint64_t head = reg64(reg::CMD_HEAD);
        // Doorbells and acknowledgements change nothing a translation reads.
        if (offset != reg::CMD_TAIL && offset != reg::EVT_HEAD && offset != reg::PPR_HEAD && offset != reg::STATUS)
            coherence_.changed();
        amd_.write(offset, value, bytes);
        unit_wrote(host_.take_writes());
        // Software may set CMD_HEAD itself while the buffer is stopped, and a new base
        // moves where the buffer wraps.
        const uint32_t base = offset & ~7u;
        if (base != reg::CMD_HEAD && base != reg::CMD_BUF_BASE) check_cmd_head(head);
        if (base == reg::CMD_TAIL || base == reg::CONTROL) check_drained();
    }
    void read(uint32_t offset, unsigned bytes) { amd_.read(offset, bytes); }
    void store(uint64_t pa, uint64_t value) {
        mem_.write_u64(pa, value);
        coherence_.changed();
    }
    // The second answer comes from the caches the first one filled (or walks the same
    // memory again): either way it must be the first answer.
    void translate(const iommu::Request& r) {
        static const bool trace = std::getenv("FUZZ_AMDVI_TRACE");
        const iommu::Result first = answer(r);
        if (trace) std::fprintf(stderr, "%s\n", fuzz::show(r, first).c_str());
        fuzz::check_answer(r, first, !first.fault || amd_.fault_text(first.reason).find("UNKNOWN") == std::string::npos);
        const bool coherent = coherence_.coherent();
        const iommu::Result again = answer(r);
        if (coherent && !fuzz::same(first, again))
            fuzz::fail("asked twice: " + fuzz::show(r, first) + ", then " + fuzz::show(r, again));
    }
    void page_request(const iommu::PageRequest& pr) {
        const Ring ring(reg64(reg::PPR_LOG_BASE));
        const uint64_t tail = reg64(reg::PPR_TAIL);
        const bool logged = amd_.page_request(pr);
        unit_wrote(host_.take_writes());
        const uint64_t after = reg64(reg::PPR_TAIL);
        if (logged ? after != ring.next(tail) : after != tail)
            fuzz::fail("PPR_TAIL " + sim::hex(tail) + " -> " + sim::hex(after) + (logged ? ", logged" : ", refused"));
    }

private:
    uint64_t reg64(uint32_t offset) const { return amd_.read(offset, 8); }

    iommu::Result answer(const iommu::Request& r) {
        const Ring log(reg64(reg::EVT_LOG_BASE));
        const uint64_t tail = reg64(reg::EVT_TAIL), head = reg64(reg::EVT_HEAD);
        const bool running = reg64(reg::STATUS) & ::amdvi::status::EVENT_LOG_RUN;
        const iommu::Result res = unit_->translate(r);
        unit_wrote(host_.take_writes());
        check_event(r, res, log, tail, head, running);
        return res;
    }
    // §2.5: at most one record per request, at the tail, into room, naming its fault.
    void check_event(const iommu::Request& r, const iommu::Result& res, const Ring& log, uint64_t tail,
                     uint64_t head, bool running) {
        const uint64_t after = reg64(reg::EVT_TAIL);
        const std::string where = " (EVT_TAIL " + sim::hex(tail) + " -> " + sim::hex(after) + ", EVT_HEAD " +
                                  sim::hex(head) + "): " + fuzz::show(r, res);
        const bool room = log.next(tail) != log.at(head);
        const bool in_memory = log.base + log.at(tail) + 16 <= kMemoryBytes;
        if (after == tail) {
            if (res.fault && res.record && running && room && in_memory) fuzz::fail("a recorded fault not logged" + where);
            return;
        }
        if (after != log.next(tail) || !room) fuzz::fail("EVT_TAIL moved other than by one record into room" + where);
        if (!res.fault || !res.record) fuzz::fail("an event logged for a request that did not fault" + where);
        const uint64_t q0 = mem_.read_u64(log.base + log.at(tail));
        if ((q0 >> 60) != res.reason) fuzz::fail("the event's code is not the fault's" + where);
        if (uint16_t(q0) != r.sid) fuzz::fail("the event does not name the requester" + where);
    }
    // §3.4.10: the IOMMU consumes from CMD_HEAD towards CMD_TAIL and never past it.
    void check_cmd_head(uint64_t before) {
        const Ring ring(reg64(reg::CMD_BUF_BASE));
        const uint64_t after = reg64(reg::CMD_HEAD), tail = reg64(reg::CMD_TAIL);
        const uint64_t moved = (ring.at(after) - ring.at(before)) & (ring.bytes - 1);
        const uint64_t room = (ring.at(tail) - ring.at(before)) & (ring.bytes - 1);
        if (moved > room)
            fuzz::fail("CMD_HEAD " + sim::hex(before) + " -> " + sim::hex(after) + " passed CMD_TAIL " + sim::hex(tail));
    }
    // A doorbell runs the buffer to the tail unless a command stops it (CmdBufRun clear).
    void check_drained() {
        const Ring ring(reg64(reg::CMD_BUF_BASE));
        const uint64_t head = reg64(reg::CMD_HEAD), tail = reg64(reg::CMD_TAIL);
        if ((reg64(reg::STATUS) & ::amdvi::status::CMD_BUF_RUN) && ring.at(head) != ring.at(tail))
            fuzz::fail("CmdBufRun with CMD_HEAD " + sim::hex(head) + " short of CMD_TAIL " + sim::hex(tail));
    }
    void unit_wrote(const std::vector<Watched::Write>& writes) {
        if (host_.any_read(writes)) coherence_.changed();
    }

    memory::SparseMemory mem_;
    Watched host_;
    std::unique_ptr<iommu::Unit> unit_;
    ::amdvi::AmdviUnit& amd_;
    Coherence coherence_;
};

iommu::PageRequest page_request(fuzz::Bytes& in) {
    iommu::PageRequest pr;
    pr.sid = in.u16();
    pr.addr = in.u64() & ~uint64_t(0xfff);
    const uint8_t flags = in.u8();
    pr.pasid = uint32_t(in.take(3)) & 0xfffff;
    pr.prg_index = in.u16() & 0x1ff;
    pr.read = flags & kPrRead;
    pr.write = flags & kPrWrite;
    pr.exec = flags & kPrExec;
    pr.priv = flags & kPrPriv;
    pr.pasid_valid = flags & kPrPasid;
    pr.last = flags & kPrLast;
    return pr;
}

static_assert(int(kTranslate) == fuzz::kMmioTranslate && int(kAts) == fuzz::kMmioOps, "amdvi_ops.h: the common ops first");

void run(fuzz::Bytes& in) {
    Run unit(in.u8());
    while (!in.empty()) {
        const uint8_t op = in.u8() % kOpCount;
        if (op < fuzz::kMmioOps) {
            fuzz::mmio_op(in, fuzz::MmioOp(op), unit, {mmio_offset, kWindow, kWindowQwords});
        } else if (op == kAts) {
            const bool tr = in.u8() & 1;
            iommu::Request r = fuzz::request(in);
            r.at = tr ? iommu::At::TranslationRequest : iommu::At::Translated;
            // A Translation Request names a page and asks for no access (its answer
            // says what the tables grant: R=W=0 when nothing, §2.1.3.2).
            if (tr) r.iova &= ~uint64_t(0xfff), r.read = r.write = false;
            unit.translate(r);
        } else {
            unit.page_request(page_request(in));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    fuzz::no_escape([&] { run(in); });
    return 0;
}
