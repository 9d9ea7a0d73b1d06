// Writes the AMD-Vi fuzzers' seeds: make_seeds_amdvi CORPUS_DIR (tests/fuzz/corpus).
//
// amdvi_mmio: the real AMD-Vi driver probes a unit, allocates a domain, attaches a
// device and maps a few pages (a 256-entry device table keeps the seeds small); every
// register write and memory qword it makes is recorded in the target's input language
// (amdvi_ops.h), then requests for mapped and unmapped addresses, a DeviceID with the
// driver's blocking DTE and one beyond the table, an ATS Translation Request, a
// Translated request and a page request, an unmap, and the unmapped page asked again.
// The fuzzer starts from units that translate.
//
// amdvi_cmdbuf: a DTE and page tables from the test encoder (tests/support/amdvi),
// commands from the test command encoder (tests/support/amdvi_cmd), as 48882 lays
// them out, with translations between the batches (fuzz_amdvi_cmdbuf.cpp's records).
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/fuzz/amdvi_ops.h"
#include "tests/fuzz/driver_session.h"
#include "tests/fuzz/recorder.h"
#include "tests/fuzz/seed_writer.h"
#include "tests/support/amdvi/amdvi_tables.h"
#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"

namespace {

using namespace fuzz::amdvi;
using fuzz::Encoder;
using fuzz::Mapping;
using fuzz::write_file;
using Recorder = fuzz::Recorder<kRecordOps>;

constexpr uint16_t kSid = 0x0010;  // bus 0, device 2, function 0: within the 256 DTEs

// A kAts op: a Translation Request (tr) or a Translated request, then kTranslate's operands.
void ats(Encoder& out, bool tr, uint16_t sid, uint64_t iova) {
    out.put(kAts, 1);
    out.put(tr, 1);
    out.put(sid, 2);
    out.put(iova, 8);
    out.put(fuzz::kRd, 1);
    out.put(0, 3);
}

void page_request(Encoder& out, uint16_t sid, uint64_t addr, uint8_t flags, uint16_t prg) {
    out.put(kPageRequest, 1);
    out.put(sid, 2);
    out.put(addr, 8);
    out.put(flags, 1);
    out.put(0, 3);
    out.put(prg, 2);
}

std::string driver_seed(uint8_t variant, const std::vector<Mapping>& maps) {
    Encoder out;
    out.put(variant, 1);
    auto settings = variant_settings(variant);
    settings.push_back({"iommufd.amdvi.last_devid", "255"});
    fuzz::DriverSession<Recorder> session("amdvi", settings, {kMemoryBytes, kWindow, kWindowBytes}, kSid, maps, out);
    for (const Mapping& m : maps) {
        out.translate(kTranslate, kSid, m.iova + 0x123, fuzz::kRd);
        out.translate(kTranslate, kSid, m.iova + m.size - 8, fuzz::kWr | fuzz::kNoSnoop);
    }
    out.translate(kTranslate, kSid, 0x7654'3000, fuzz::kRd);
    out.translate(kTranslate, kSid + 1, maps[0].iova, fuzz::kRd);  // the driver's blocking DTE
    out.translate(kTranslate, 0x1234, maps[0].iova, fuzz::kRd);    // beyond the device table
    ats(out, true, kSid, maps[0].iova);
    ats(out, false, kSid, maps[0].iova);
    page_request(out, kSid, maps[0].iova, kPrRead | kPrLast, 3);
    session.domain().unmap(maps[0].iova, maps[0].size);
    out.translate(kTranslate, kSid, maps[0].iova, fuzz::kRd);
    return out.bytes();
}

// amdvi_cmdbuf's records (fuzz_amdvi_cmdbuf.cpp): kCommands 0, kTable 1, kTranslate 2.
namespace cmdbuf {

namespace enc = amdvi_cmd_enc;
namespace tab = amdvitest;

constexpr uint64_t kTables = 0x10'0000;     // the target's table window
constexpr uint64_t kRoot = kTables + 0x2000, kLeaves = kTables + 0x3000;
constexpr uint64_t kSem = 0x30'0000;        // a COMPLETION_WAIT semaphore
constexpr uint16_t kDomain = 5;

class Seed {
public:
    explicit Seed(uint8_t variant) { out_.put(variant, 1); }
    Seed& commands(std::initializer_list<enc::Cmd> cs) {
        out_.put(0, 1);
        out_.put(cs.size() - 1, 1);
        for (const enc::Cmd& c : cs)
            for (uint32_t d : c) out_.put(d, 4);
        return *this;
    }
    Seed& table(uint64_t pa, uint64_t value) {
        out_.put(1, 1);
        out_.put((pa - kTables) / 8, 2);
        out_.put(value, 8);
        return *this;
    }
    Seed& translate(uint16_t sid, uint64_t iova, uint8_t flags) {
        out_.translate(2, sid, iova, flags);
        return *this;
    }
    // DeviceID kSid: Mode 2 over kRoot, DomainID kDomain; 0x1000 -> `pa`.
    Seed& mapped(uint64_t pa) {
        tab::DteFields f;
        f.mode = 2;
        f.root = kRoot;
        f.domain = kDomain;
        f.i = true;
        f.ppr = true;
        const auto d = tab::dte(f);
        for (unsigned i = 0; i < 4; ++i) table(kTables + kSid * 32 + 8 * i, d[i]);
        table(kRoot, tab::pde(kLeaves, 1));
        return table(kLeaves + 8, tab::pte(pa));
    }
    const std::string& bytes() const { return out_.bytes(); }

private:
    Encoder out_;
};

std::string map_invalidate() {
    Seed s(0);
    s.mapped(0x8000'0000).translate(kSid, 0x1123, fuzz::kRd);
    s.table(kLeaves + 8, tab::pte(0x9000'0000));
    s.commands({enc::invalidate_iommu_pages(kDomain, 0, 0x1000, false, true, false), enc::invalidate_devtab_entry(kSid),
                enc::completion_wait(true, false, false, kSem, 0xfeed)});
    s.translate(kSid, 0x1123, fuzz::kWr);
    s.commands({enc::invalidate_iommu_all(), enc::completion_wait(true, true, false, kSem, 0xbeef)});
    return s.translate(kSid, 0x1ff8, fuzz::kRd).bytes();
}

std::string ats_ppr() {
    Seed s(0);
    s.mapped(0x8000'0000);
    s.commands({enc::invalidate_iotlb_pages(kSid, 0, 0, kSid, 0x1000, false, false),
                enc::invalidate_iotlb_pages(kSid, 7, 0, kSid, 0x7fff'ffff'ffff'f000, true, true),
                enc::complete_ppr_request(kSid, 7, true, 3, 0), enc::invalidate_interrupt_table(kSid),
                enc::completion_wait(false, true, true, 0, 0)});
    return s.translate(kSid, 0x1000, fuzz::kRd | fuzz::kWr).bytes();
}

std::string illegal() {
    Seed s(0);
    s.mapped(0x8000'0000);
    s.commands({enc::invalidate_devtab_entry(kSid), enc::raw_opcode(9), enc::invalidate_iommu_all(),
                enc::with_bit(enc::invalidate_devtab_entry(kSid), 2, 0),
                enc::completion_wait(true, false, false, uint64_t(1) << 40, 1),
                enc::completion_wait(true, false, false, kSem, 2)});
    return s.translate(kSid, 0x1123, fuzz::kRd).bytes();
}

std::string optional() {
    Seed s(kNoGuest | kNoInvAll | kPrefetch);
    s.mapped(0x8000'0000);
    s.commands({enc::invalidate_iommu_pages(kDomain, 1, 0x1000, false, true, true), enc::invalidate_iommu_all(),
                enc::prefetch_iommu_pages(kSid, 0, 1, 0x1000, false, false, false),
                enc::invalidate_iommu_pages(kDomain, 0, 0x7fff'ffff'ffff'f000, true, true, false),
                enc::completion_wait(true, false, false, kSem, 3)});
    return s.translate(kSid, 0x1123, fuzz::kRd).bytes();
}

// Ten batches of 32 wrap the 256-entry buffer.
std::string wrap() {
    Seed s(0);
    for (unsigned b = 0; b < 10; ++b) {
        const enc::Cmd w = enc::completion_wait(true, false, false, kSem + 8 * b, b);
        const enc::Cmd i = enc::invalidate_devtab_entry(uint16_t(b));
        s.commands({w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i, w, i});
    }
    return s.bytes();
}

}  // namespace cmdbuf

}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds_amdvi CORPUS_DIR\n");
        return 2;
    }
    const std::string mmio = std::string(argv[1]) + "/amdvi_mmio/", cb = std::string(argv[1]) + "/amdvi_cmdbuf/";
    try {
        write_file(mmio + "typical", driver_seed(0, fuzz::kSmallPages));
        write_file(mmio + "hats4-noguest-2m", driver_seed(kHats4 | kNoGuest, fuzz::kLargePage));
        write_file(mmio + "noinvall-prefetch", driver_seed(kNoInvAll | kPrefetch, fuzz::kSmallPages));
        write_file(mmio + "noad-noiotlb-2m", driver_seed(kNoAccessDirty | kNoIotlb, fuzz::kLargePage));
        write_file(cb + "map-invalidate", cmdbuf::map_invalidate());
        write_file(cb + "ats-ppr", cmdbuf::ats_ppr());
        write_file(cb + "illegal", cmdbuf::illegal());
        write_file(cb + "optional", cmdbuf::optional());
        write_file(cb + "wrap", cmdbuf::wrap());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seeds_amdvi: %s\n", e.what());
        return 1;
    }
    return 0;
}
