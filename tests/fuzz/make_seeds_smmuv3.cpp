// Writes the SMMUv3 fuzzers' seeds: make_seeds_smmuv3 CORPUS_DIR (tests/fuzz/corpus).
//
// smmuv3_mmio: the real SMMUv3 driver probes a unit, allocates a domain, attaches a
// device and maps a few pages; every register write and memory qword it makes is
// recorded in the target's input language (smmuv3_ops.h), then requests for mapped
// and unmapped addresses and unknown StreamIDs, an unmap, and the unmapped page asked
// again. The fuzzer starts from units that translate.
//
// smmuv3_cmdq: command sequences as chapter 4 lays them out, 16 bytes each (dword 0,
// dword 1).
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tests/fuzz/driver_session.h"
#include "tests/fuzz/recorder.h"
#include "tests/fuzz/seed_writer.h"
#include "tests/fuzz/smmuv3_ops.h"

namespace {

using namespace fuzz::smmuv3;

using fuzz::Encoder;
using fuzz::write_file;

using Recorder = fuzz::Recorder<kRecordOps>;

using fuzz::Mapping;

constexpr uint16_t kSid = 0x0010;  // bus 0, device 2, function 0: within 8-bit StreamIDs

// The driver sets the unit up and maps `maps`; each is asked for (read, then write),
// then an address nobody mapped and two StreamIDs nobody attached (one beyond 8-bit
// StreamIDs); the first mapping is unmapped and asked again.
std::string driver_seed(uint8_t variant, const std::vector<Mapping>& maps) {
    Encoder out;
    out.put(variant, 1);
    fuzz::DriverSession<Recorder> session("smmuv3", variant_settings(variant), {kMemoryBytes, kWindow, kWindowBytes},
                                          kSid, maps, out);
    for (const Mapping& m : maps) {
        out.translate(kTranslate, kSid, m.iova + 0x123, fuzz::kRd);
        out.translate(kTranslate, kSid, m.iova + m.size - 8, fuzz::kWr);
    }
    out.translate(kTranslate, kSid, 0x7654'3000, fuzz::kRd);
    out.translate(kTranslate, kSid + 1, maps[0].iova, fuzz::kRd);  // a StreamID without an attached device
    out.translate(kTranslate, 0x1234, maps[0].iova, fuzz::kRd);    // beyond SIDSIZE on the linear variant
    session.domain().unmap(maps[0].iova, maps[0].size);
    out.translate(kTranslate, kSid, maps[0].iova, fuzz::kRd);
    return out.bytes();
}

// Commands for smmuv3_cmdq, dword 0 then dword 1 (IHI 0070 chapter 4).
namespace cmd {
constexpr uint64_t kCfgiAll[2] = {0x04, 31};                                  // CFGI_STE_RANGE, Range 31
constexpr uint64_t kCfgiSte[2] = {0x03 | uint64_t(kSid) << 32, 1};            // Leaf
constexpr uint64_t kCfgiCd[2] = {0x05 | uint64_t(kSid) << 32, 1};
constexpr uint64_t kTlbiNhAsid[2] = {0x11 | uint64_t(1) << 48, 0};            // ASID 1
// TLBI_NH_VA ASID 1, NUM 3, SCALE 0, TG 4K, TTL 3, Leaf: four pages from 1 GiB.
constexpr uint64_t kTlbiNhVaRange[2] = {0x12 | 3u << 12 | uint64_t(1) << 48, 0x4000'0000 | 1u << 10 | 3u << 8 | 1};
constexpr uint64_t kTlbiNhVa[2] = {0x12 | uint64_t(1) << 48, 0x1000 | 1};
constexpr uint64_t kTlbiEl2VaRange[2] = {0x22 | 1u << 12 | uint64_t(1) << 48, 0x5000 | 1u << 10};
constexpr uint64_t kTlbiS2Ipa[2] = {0x2a | uint64_t(2) << 32, 0x8000};
constexpr uint64_t kTlbiNsnhAll[2] = {0x30, 0};
constexpr uint64_t kAtcInv[2] = {0x40 | uint64_t(kSid) << 32, 0x1000 | 2};
constexpr uint64_t kPriResp[2] = {0x41 | uint64_t(kSid) << 32, 2u << 12 | 5};
constexpr uint64_t kSyncSev[2] = {0x46 | 2u << 12, 0};
// CS = IRQ: MSIDATA 0xc0ffee at MSIADDR 2 MiB (outside the queue).
constexpr uint64_t kSyncMsi[2] = {0x46 | 1u << 12 | uint64_t(0xc0ffee) << 32, 0x20'0000};
constexpr uint64_t kIllegal[2] = {0x7f, 0};  // a reserved opcode: CERROR_ILL
}  // namespace cmd

}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds_smmuv3 CORPUS_DIR\n");
        return 2;
    }
    const std::string mmio = std::string(argv[1]) + "/smmuv3_mmio/", q = std::string(argv[1]) + "/smmuv3_cmdq/";
    const std::vector<Mapping>& pages = fuzz::kSmallPages;
    const std::vector<Mapping>& large = fuzz::kLargePage;
    try {
        write_file(mmio + "two-level", driver_seed(0, pages));
        write_file(mmio + "linear", driver_seed(kLinear, pages));
        write_file(mmio + "two-level-2m-httu", driver_seed(kHttu, large));
        write_file(mmio + "linear-norange-oas40-4k", driver_seed(kLinear | kNoRange | kOas40 | kOnly4k, large));
        using namespace cmd;
        write_file(q + "probe", fuzz::qword_pairs({kCfgiAll, kSyncSev, kTlbiNsnhAll, kSyncSev}));
        write_file(q + "attach", fuzz::qword_pairs({kCfgiSte, kCfgiCd, kTlbiNhAsid, kSyncMsi}));
        write_file(q + "unmap", fuzz::qword_pairs({kTlbiNhVaRange, kTlbiNhVa, kSyncSev, kTlbiEl2VaRange, kSyncMsi}));
        write_file(q + "optional", fuzz::qword_pairs({kTlbiS2Ipa, kAtcInv, kPriResp, kSyncMsi, kSyncSev}));
        write_file(q + "error", fuzz::qword_pairs({kTlbiNhVa, kSyncSev, kIllegal, kCfgiAll, kSyncMsi}));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seeds_smmuv3: %s\n", e.what());
        return 1;
    }
    return 0;
}
