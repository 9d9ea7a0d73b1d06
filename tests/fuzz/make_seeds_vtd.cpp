// Writes the VT-d fuzzers' seeds: make_seeds_vtd CORPUS_DIR (tests/fuzz/corpus).
//
// vtd_mmio: the real VT-d driver probes a unit, attaches a device to a domain and maps
// a few pages; every register write and table qword it makes is recorded in the
// target's input language (vtd_ops.h), then requests for mapped and unmapped
// addresses, an unmap, and the unmapped page asked again. The fuzzer starts from
// units that translate.
//
// vtd_iq: descriptor sequences as the specification lays them out (6.5.2), 16 bytes
// each (lo, hi).
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/memory/sparse_memory.h"
#include "platforms/machine.h"
#include "tests/fuzz/driver_session.h"
#include "tests/fuzz/seed_writer.h"
#include "tests/fuzz/vtd_ops.h"

namespace {

using namespace fuzz::vtd;

using fuzz::Encoder;
using fuzz::write_file;

// The driver's machine, every write it makes also encoded as an op.
class Recorder : public platform::StoreMachine {
public:
    Recorder(iommu::Unit& unit, memory::SparseMemory& mem, Encoder& out)
        : StoreMachine(unit, mem), out_(out) {}
    void write_reg(uint32_t offset, uint64_t v, unsigned size) override {
        out_.put(size == 8 ? kWrite64 : kWrite32, 1);
        out_.put(offset, 2);
        out_.put(v, size);
        StoreMachine::write_reg(offset, v, size);
    }
    void write64(uint64_t pa, uint64_t v) override {
        if (pa < kWindow || pa - kWindow >= kWindowBytes || pa % 8)
            throw std::runtime_error("the driver wrote outside the table window");
        out_.put(kStore, 1);
        out_.put((pa - kWindow) / 8, 3);
        out_.put(v, 8);
        StoreMachine::write64(pa, v);
    }

private:
    Encoder& out_;
};

using fuzz::Mapping;

constexpr uint16_t kSid = 0x0810;  // bus 8, device 2, function 0

// The driver sets the unit up and maps `maps`; each is asked for (read, then write),
// then an address nobody mapped; the first mapping is unmapped and asked again.
std::string driver_seed(uint8_t variant, const std::vector<Mapping>& maps) {
    Encoder out;
    out.put(variant, 1);
    fuzz::DriverSession<Recorder> session("vtd", variant_settings(variant), {kMemoryBytes, kWindow, kWindowBytes},
                                          kSid, maps, out);
    for (const Mapping& m : maps) {
        out.translate(kTranslate, kSid, m.iova + 0x123, fuzz::kRd);
        out.translate(kTranslate, kSid, m.iova + m.size - 8, fuzz::kWr | fuzz::kNoSnoop);
    }
    out.translate(kTranslate, kSid, 0x7654'3000, fuzz::kRd);
    out.translate(kTranslate, kSid + 1, maps[0].iova, fuzz::kRd);  // a requester without a context entry
    session.domain().unmap(maps[0].iova, maps[0].size);
    out.translate(kTranslate, kSid, maps[0].iova, fuzz::kRd);
    return out.bytes();
}

// Descriptors for vtd_iq, lo then hi (spec 6.5.2.1-6.5.2.8).
namespace desc {
uint64_t type(unsigned t, unsigned g) { return t | (g << 4); }
const uint64_t kContextGlobal[2] = {type(1, 1), 0};
const uint64_t kContextDevice[2] = {type(1, 3) | uint64_t(5) << 16 | uint64_t(kSid) << 32, 0};
const uint64_t kIotlbGlobal[2] = {type(2, 1), 0};
const uint64_t kIotlbDomain[2] = {type(2, 2) | uint64_t(5) << 16, 0};
const uint64_t kIotlbPage[2] = {type(2, 3) | uint64_t(5) << 16, 0x4000'0000 | 4};  // AM 4: 16 pages
const uint64_t kPasidIotlbPage[2] = {type(6, 3) | uint64_t(5) << 16 | uint64_t(7) << 32, 0x8000 | 1};
const uint64_t kPasidCacheGlobal[2] = {type(7, 3), 0};
const uint64_t kIec[2] = {type(4, 0), 0};
const uint64_t kDeviceTlb[2] = {type(3, 0) | uint64_t(kSid) << 32, 0x5000};
// SW (bit 5), status data 63:32; the status address in the upper qword.
const uint64_t kWaitStatus[2] = {type(5, 0) | 1u << 5 | uint64_t(0xc0ffee) << 32, 0x20'0000};
const uint64_t kWaitInterrupt[2] = {type(5, 0) | 1u << 4, 0};
const uint64_t kInvalid[2] = {0, 0};  // type 0: the queue stops here with IQE
}  // namespace desc

}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds_vtd CORPUS_DIR\n");
        return 2;
    }
    const std::string mmio = std::string(argv[1]) + "/vtd_mmio/", iq = std::string(argv[1]) + "/vtd_iq/";
    const std::vector<Mapping>& pages = fuzz::kSmallPages;
    const std::vector<Mapping>& large = fuzz::kLargePage;
    try {
        write_file(mmio + "legacy", driver_seed(0, pages));
        write_file(mmio + "scalable", driver_seed(kScalable, pages));
        write_file(mmio + "legacy-2m", driver_seed(0, large));
        write_file(mmio + "scalable-2m-cm", driver_seed(kScalable | kCachingMode, large));
        write_file(mmio + "pasid-one-record", driver_seed(kScalable | kPasid | kOneFaultRecord, pages));
        using namespace desc;
        write_file(iq + "probe", fuzz::qword_pairs({kContextGlobal, kPasidCacheGlobal, kIotlbGlobal, kWaitStatus}));
        write_file(iq + "attach", fuzz::qword_pairs({kContextDevice, kIotlbDomain, kWaitStatus, kWaitInterrupt}));
        write_file(iq + "unmap", fuzz::qword_pairs({kIotlbPage, kPasidIotlbPage, kDeviceTlb, kIec, kWaitStatus}));
        write_file(iq + "error", fuzz::qword_pairs({kIotlbPage, kWaitStatus, kInvalid, kIotlbGlobal}));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seeds_vtd: %s\n", e.what());
        return 1;
    }
    return 0;
}
