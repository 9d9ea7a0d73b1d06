// The AMD-Vi command buffer (48882 §2.4 "Commands", §3.4.2, §3.4.10) with the device
// table and page tables it invalidates. The input:
//
//   variant byte (amdvi_ops.h's straps), then records, each an opcode byte (modulo 3):
//     kCommands   count u8, then count % 32 + 1 commands of 16 bytes (dwords 0-3)
//     kTable      qword u16, value u64     a qword of the tables (kTables, 64 KiB: the
//                                          device table's 256 DTEs, then page tables)
//     kTranslate  sid u16, iova u64, flags u8, pasid u24 (dma_request.h)
//
// The prologue is a driver's: device table, a 256-entry command buffer, event log and
// PPR log, then CONTROL with IommuEn, EventLogEn, CmdBufEn, PPRLogEn, PPREn and
// ComWaitIntEn (§3.4.4): CmdBufRun must follow. A batch of commands is written at the
// tail and the tail rung. The head stops exactly at the first command the spec makes
// illegal on this unit (`legal`, written from §2.4's figures per dword, apart from the
// unit's decoder) or whose COMPLETION_WAIT store cannot land, with CmdBufRun clear and
// one event logged: ILLEGAL_COMMAND_ERROR naming the command's address, or
// COMMAND_HARDWARE_ERROR naming the store's; with none, the head reaches the tail, no
// event is logged and CmdBufRun stays set. Software then skips the command (CMD_HEAD,
// alternately replacing it by a harmless one) and restarts the buffer by clearing and
// setting CmdBufEn; it resumes, to the next stop. Every executed INVALIDATE_IOTLB_PAGES
// sends one well-formed ATS invalidation, every COMPLETE_PPR_REQUEST one PRG response;
// COMPLETION_WAIT stores land and I=1 sets STATUS.ComWaitInt. Translations: no crash,
// a named event code or a well-formed translation (dma_request.h).
//
// Seeds: make_seeds_amdvi (see there).
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/amdvi/amdvi_unit.h"
#include "models/amdvi/regs.h"
#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/format.h"
#include "platforms/archs.h"
#include "tests/fuzz/amdvi_ops.h"
#include "tests/fuzz/checked_endpoints.h"
#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/unit_config.h"

namespace {

using namespace fuzz::amdvi;
namespace reg = ::amdvi::reg;
namespace ctrl = ::amdvi::ctrl;
namespace status = ::amdvi::status;

enum Record : uint8_t { kCommands, kTable, kTranslateOp, kRecords };

constexpr uint64_t kTables = 0x10'0000, kTableBytes = 0x1'0000;  // Size 1: 8 KiB of DTEs first
constexpr uint64_t kCmdBuf = 0x20'0000, kEvtLog = 0x21'0000, kPprLog = 0x22'0000;
constexpr uint64_t kLen256 = uint64_t(8) << 56, kRingBytes = 256 * 16;
constexpr unsigned kMaxBatch = 32;

using Words = std::array<uint32_t, 4>;
constexpr Words kHarmless = {0, 0x2000'0000u, 0, 0};  // INVALIDATE_DEVTAB_ENTRY of DeviceID 0

// What makes a command legal on this unit (§2.4, one figure per command; the EFR bits
// §3.4.6 names for the optional ones), per dword: an opcode 1-8, no reserved bit set.
struct Legal {
    bool guest, inv_all, prefetch, ppr;

    bool operator()(const Words& d) const {
        const bool gn = d[2] & 4;
        switch (d[1] >> 28) {
            case 1: return !(d[1] & 0x0ff0'0000);  // S, I, F, store address 51:3; data
            case 2:                                // INVALIDATE_DEVTAB_ENTRY: DeviceID
            case 5: return !(d[0] & 0xffff'0000) && !(d[1] & 0x0fff'ffff) && !d[2] && !d[3];
            case 3:  // INVALIDATE_IOMMU_PAGES: PASID, DomainID; S, PDE, GN, address 63:12
                return !(d[0] & 0xfff0'0000) && !(d[1] & 0x0fff'0000) && !(d[2] & 0xff8) && (!gn || guest);
            case 4:  // INVALIDATE_IOTLB_PAGES: DeviceID, PASID, MaxPend, QueueId; S, GN, Type 5:4
                return !(d[2] & 0xfca) && (!gn || guest);
            case 6:  // PREFETCH_IOMMU_PAGES: DeviceID, PFCount, PASID; S, GN, Inval
                return prefetch && !(d[0] & 0x00ff'0000) && !(d[1] & 0x0ff0'0000) && !(d[2] & 0xfea) &&
                       (!gn || guest);
            case 7:  // COMPLETE_PPR_REQUEST: DeviceID, PASID, GN, Completion Tag
                return ppr && !(d[0] & 0xffff'0000) && !(d[1] & 0x0ff0'0000) && !(d[2] & ~4u) && !(d[3] & 0xffff'0000);
            case 8: return inv_all && !d[0] && !(d[1] & 0x0fff'ffff) && !d[2] && !d[3];
            default: return false;
        }
    }
};

unsigned opcode(const Words& d) { return d[1] >> 28; }
uint64_t store_address(const Words& d) { return (d[0] & ~7u) | uint64_t(d[1] & 0xfffff) << 32; }
bool stores(const Words& d) { return opcode(d) == 1 && (d[0] & 1); }

class Unit {
public:
    explicit Unit(uint8_t variant)
        : host_(mem_, kMemoryBytes),
          unit_(platform::find_arch("amdvi")->hardware->make(fuzz::variant_config("amdvi", variant % kVariants,
                                                                                   variant_settings(variant % kVariants)),
                                                              host_)),
          amd_(static_cast<::amdvi::AmdviUnit&>(*unit_)),
          legal_{!(variant & kNoGuest), !(variant & kNoInvAll), bool(variant & kPrefetch), true} {
        unit_->endpoints = &endpoints_;
        amd_.write(reg::DEV_TABLE_BASE, kTables | 1, 8);
        amd_.write(reg::CMD_BUF_BASE, kCmdBuf | kLen256, 8);
        amd_.write(reg::EVT_LOG_BASE, kEvtLog | kLen256, 8);
        amd_.write(reg::PPR_LOG_BASE, kPprLog | kLen256, 8);
        amd_.write(reg::CONTROL,
                   ctrl::IOMMU_EN | ctrl::EVENT_LOG_EN | ctrl::CMD_BUF_EN | ctrl::PPR_LOG_EN | ctrl::PPR_EN |
                       ctrl::COM_WAIT_INT_EN | ctrl::COHERENT,
                   8);
        if (!(reg64(reg::STATUS) & status::CMD_BUF_RUN)) fuzz::fail("CmdBufRun clear after CmdBufEn and IommuEn");
    }

    void table(uint64_t qword, uint64_t value) { mem_.write_u64(kTables + 8 * (qword % (kTableBytes / 8)), value); }

    void translate(const iommu::Request& r) {
        const iommu::Result res = unit_->translate(r);
        fuzz::check_answer(r, res, !res.fault || amd_.fault_text(res.reason).find("UNKNOWN") == std::string::npos);
        consume_events();
    }

    void commands(std::vector<Words> cs) {
        const uint64_t first = tail_;
        for (const Words& c : cs) put(c);
        const bool exact = !stores_into_buffer(cs);
        amd_.write(reg::CMD_TAIL, tail_, 8);
        size_t from = 0;
        for (unsigned restarts = 0;; ++restarts) {
            size_t stop = from;
            while (stop < cs.size() && legal_(cs[stop]) && !store_fails(cs[stop])) ++stop;
            if (!exact) return drain();
            executed(cs, from, stop);
            const uint64_t at = (first + 16 * stop) % kRingBytes;
            const std::string where = " (command " + std::to_string(stop) + " of " + std::to_string(cs.size()) +
                                      ", CMD_HEAD " + sim::hex(reg64(reg::CMD_HEAD)) + ")";
            if (reg64(reg::CMD_HEAD) != at) fuzz::fail("CMD_HEAD is not at the first stopping command" + where);
            const bool running = reg64(reg::STATUS) & status::CMD_BUF_RUN;
            if (stop == cs.size()) {
                if (!running) fuzz::fail("CmdBufRun clear with every command legal" + where);
                if (reg64(reg::EVT_TAIL) != evt_tail_) fuzz::fail("an event logged with every command legal" + where);
                return;
            }
            if (running) fuzz::fail("CmdBufRun still set at an illegal command" + where);
            check_stop_event(cs[stop], kCmdBuf + at, where);
            recover(cs, stop, restarts % 2);
            from = stop + (restarts % 2 == 0);
        }
    }

private:
    uint64_t reg64(uint32_t offset) const { return amd_.read(offset, 8); }
    void put(const Words& c) {
        mem_.write(kCmdBuf + tail_, c.data(), 16);
        tail_ = (tail_ + 16) % kRingBytes;
    }
    static bool store_fails(const Words& d) { return stores(d) && store_address(d) + 8 > kMemoryBytes; }
    // A COMPLETION_WAIT store into the buffer rewrites commands: where the buffer stops
    // no longer follows from the input.
    static bool stores_into_buffer(const std::vector<Words>& cs) {
        for (const Words& d : cs)
            if (stores(d) && store_address(d) + 8 > kCmdBuf && store_address(d) < kCmdBuf + kRingBytes) return true;
        return false;
    }
    // Commands [from, stop) ran: their messages and their stores.
    void executed(const std::vector<Words>& cs, size_t from, size_t stop) {
        unsigned inv = 0, resp = 0;
        bool interrupt = false;
        std::map<uint64_t, uint64_t> landed;
        for (size_t i = from; i < stop; ++i) {
            inv += opcode(cs[i]) == 4;
            resp += opcode(cs[i]) == 7;
            interrupt |= opcode(cs[i]) == 1 && (cs[i][0] & 2);
            if (stores(cs[i])) landed[store_address(cs[i])] = cs[i][2] | uint64_t(cs[i][3]) << 32;
        }
        if (endpoints_.invalidations != inv || endpoints_.responses != resp)
            fuzz::fail(std::to_string(endpoints_.invalidations) + " ATS invalidations and " +
                       std::to_string(endpoints_.responses) + " PRG responses for " + std::to_string(inv) + " and " +
                       std::to_string(resp) + " commands");
        endpoints_.invalidations = endpoints_.responses = 0;
        for (const auto& [addr, data] : landed)
            if (!in_a_log(addr) && mem_.read_u64(addr) != data)
                fuzz::fail("COMPLETION_WAIT store at " + sim::hex(addr) + ": " + sim::hex(mem_.read_u64(addr)) +
                           ", asked " + sim::hex(data));
        const bool int_set = reg64(reg::STATUS) & status::COM_WAIT_INT;
        if (interrupt && !int_set) fuzz::fail("COMPLETION_WAIT I=1 left STATUS.ComWaitInt clear");
        amd_.write(reg::STATUS, status::COM_WAIT_INT, 8);
    }
    // The unit's records land in the logs: a store there may be overwritten.
    static bool in_a_log(uint64_t a) {
        return (a >= kEvtLog && a < kEvtLog + kRingBytes) || (a >= kPprLog && a < kPprLog + kRingBytes);
    }
    // §2.5: one record, ILLEGAL_COMMAND_ERROR (5) with the command's address or
    // COMMAND_HARDWARE_ERROR (6) with the store's.
    void check_stop_event(const Words& d, uint64_t cmd_addr, const std::string& where) {
        const uint64_t tail = reg64(reg::EVT_TAIL);
        if (tail != (evt_tail_ + 16) % kRingBytes) fuzz::fail("not one event at a stopping command" + where);
        const uint64_t q0 = mem_.read_u64(kEvtLog + evt_tail_), q1 = mem_.read_u64(kEvtLog + evt_tail_ + 8);
        const bool illegal = !legal_(d);
        if ((q0 >> 60) != (illegal ? 5u : 6u) || q1 != (illegal ? cmd_addr : store_address(d)))
            fuzz::fail("the stop's event is " + sim::hex(q0) + " " + sim::hex(q1) + where);
        consume_events();
    }
    void consume_events() {
        evt_tail_ = reg64(reg::EVT_TAIL);
        amd_.write(reg::EVT_HEAD, evt_tail_, 8);
    }
    // Software's way past a stop: skip the command by CMD_HEAD (allowed while stopped)
    // or put a harmless command in its place; then CmdBufEn off and on.
    void recover(std::vector<Words>& cs, size_t stop, bool replace) {
        const uint64_t head = reg64(reg::CMD_HEAD);
        if (replace) {
            cs[stop] = kHarmless;
            mem_.write(kCmdBuf + head, kHarmless.data(), 16);
        } else {
            amd_.write(reg::CMD_HEAD, (head + 16) % kRingBytes, 8);
        }
        const uint64_t c = reg64(reg::CONTROL);
        amd_.write(reg::CONTROL, c & ~ctrl::CMD_BUF_EN, 8);
        amd_.write(reg::CONTROL, c, 8);
    }
    // Where the stops cannot be predicted: software waits for the buffer to drain,
    // skipping whatever stops it.
    void drain() {
        for (unsigned i = 0; i < kMaxBatch + 1 && reg64(reg::CMD_HEAD) != tail_; ++i) {
            if (reg64(reg::STATUS) & status::CMD_BUF_RUN) fuzz::fail("CmdBufRun set short of CMD_TAIL");
            amd_.write(reg::CMD_HEAD, (reg64(reg::CMD_HEAD) + 16) % kRingBytes, 8);
            const uint64_t c = reg64(reg::CONTROL);
            amd_.write(reg::CONTROL, c & ~ctrl::CMD_BUF_EN, 8);
            amd_.write(reg::CONTROL, c, 8);
        }
        if (reg64(reg::CMD_HEAD) != tail_) fuzz::fail("the buffer does not drain");
        endpoints_.invalidations = endpoints_.responses = 0;
        amd_.write(reg::STATUS, status::COM_WAIT_INT, 8);
        consume_events();
    }

    memory::SparseMemory mem_;
    iommu::StoreMemory host_;
    std::unique_ptr<iommu::Unit> unit_;
    ::amdvi::AmdviUnit& amd_;
    Legal legal_;
    fuzz::CheckedEndpoints endpoints_;
    uint64_t tail_ = 0, evt_tail_ = 0;
};

void run(fuzz::Bytes& in) {
    Unit unit(in.u8());
    while (!in.empty()) {
        switch (in.u8() % kRecords) {
            case kCommands: {
                std::vector<Words> cs(in.u8() % kMaxBatch + 1);
                for (Words& c : cs)
                    for (uint32_t& d : c) d = in.u32();
                unit.commands(std::move(cs));
                break;
            }
            case kTable: {
                const uint64_t qword = in.u16();
                unit.table(qword, in.u64());
                break;
            }
            case kTranslateOp: unit.translate(fuzz::request(in)); break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    fuzz::no_escape([&] { run(in); });
    return 0;
}
