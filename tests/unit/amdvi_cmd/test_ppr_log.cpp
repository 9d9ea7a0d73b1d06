// The AMD-Vi PPR log: page requests written as PAGE_SERVICE_REQUEST entries (checked
// against the test encoder), tail wrap, overflow with logging stopped until software
// restarts it, and the PprInt / PprOverflow / PprLogRun status bits.
#include <catch2/catch.hpp>

#include "models/amdvi/ppr_log.h"
#include "models/memory/sparse_memory.h"
#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"

using namespace amdvi;
namespace enc = amdvi_cmd_enc;

namespace {

constexpr uint64_t kMemSize = 16ull << 20;
constexpr uint64_t kBase = 0x200000;

struct PprRig {
    memory::SparseMemory store;
    iommu::StoreMemory mem{store, kMemSize};
    PprLog log;
    PprRig() {
        log.configure(kBase, 8);
        log.start();
    }
    enc::Record entry(uint32_t offset) {
        enc::Record r{};
        store.read(kBase + offset, r.data(), 16);
        return r;
    }
};

iommu::PageRequest request(uint16_t sid, uint16_t prg, bool last = false) {
    iommu::PageRequest pr;
    pr.sid = sid;
    pr.read = true;
    pr.prg_index = prg;
    pr.last = last;
    pr.addr = 0x7f0000001000ull;
    return pr;
}

}  // namespace

TEST_CASE("amdvi cmd: a page request with a PASID as a PPR log entry", "[amdvi][ppr]") {
    PprRig r;
    iommu::PageRequest pr;
    pr.sid = 0x0810;
    pr.pasid_valid = true;
    pr.pasid = 0xabcde;
    pr.priv = true;
    pr.exec = true;
    pr.write = true;
    pr.last = true;
    pr.prg_index = 0x155;
    pr.addr = 0x00007fffdeadb000ull;
    CHECK(r.log.push(pr, r.mem) == PprLog::Outcome::Logged);
    enc::PprFields f;
    f.devid = 0x0810;
    f.pasid = 0xabcde;
    f.tag = 0x155 | 0x200;
    f.exec = f.write = f.gn = true;  // privileged: US clear
    f.addr = 0x00007fffdeadb000ull;
    CHECK(r.entry(0) == enc::ppr_entry(f));
    CHECK(r.log.tail() == 16);
    CHECK(r.log.status_bits() == (PprLog::kPprInt | PprLog::kPprLogRun));
}

TEST_CASE("amdvi cmd: a page request without a PASID is a user request with GN clear", "[amdvi][ppr]") {
    PprRig r;
    CHECK(r.log.push(request(0x0101, 7), r.mem) == PprLog::Outcome::Logged);
    enc::PprFields f;
    f.devid = 0x0101;
    f.tag = 7;
    f.read = f.user = true;
    f.addr = 0x7f0000001000ull;
    CHECK(r.entry(0) == enc::ppr_entry(f));
    // The model's own encoder gives the same words.
    const auto q = encode_ppr_entry(request(0x0101, 7));
    const auto e = enc::ppr_entry(f);
    CHECK(q[0] == (e[0] | uint64_t(e[1]) << 32));
    CHECK(q[1] == (e[2] | uint64_t(e[3]) << 32));
}

TEST_CASE("amdvi cmd: the PPR log tail wraps", "[amdvi][ppr]") {
    PprRig r;
    r.log.set_head(254 * 16);
    r.log.set_tail(254 * 16);
    for (uint16_t i = 0; i < 3; ++i) REQUIRE(r.log.push(request(i, i), r.mem) == PprLog::Outcome::Logged);
    CHECK(r.log.tail() == 16);
    CHECK((r.entry(0)[0] & 0xffff) == 2);
    CHECK((r.entry(255 * 16)[0] & 0xffff) == 1);
}

TEST_CASE("amdvi cmd: a full PPR log overflows, drops requests and stops until restarted", "[amdvi][ppr]") {
    PprRig r;
    for (uint16_t i = 0; i < 255; ++i) REQUIRE(r.log.push(request(i, 0), r.mem) == PprLog::Outcome::Logged);
    CHECK(r.log.tail() == 255 * 16);  // one entry short of the head: full
    CHECK(r.log.push(request(0x0bad, 1, true), r.mem) == PprLog::Outcome::Overflow);
    CHECK(r.log.tail() == 255 * 16);
    CHECK((r.entry(255 * 16)[0] & 0xffff) == 0);  // nothing written
    CHECK(r.log.status_bits() == (PprLog::kPprOverflow | PprLog::kPprInt));

    // Software consumes, but the overflow stays until cleared and the log restarted.
    r.log.set_head(255 * 16);
    r.log.start();
    CHECK(r.log.push(request(1, 2), r.mem) == PprLog::Outcome::Overflow);
    r.log.clear_status(PprLog::kPprOverflow | PprLog::kPprInt);
    CHECK(r.log.status_bits() == PprLog::kPprLogRun);
    CHECK(r.log.push(request(0x0abc, 3), r.mem) == PprLog::Outcome::Logged);
    CHECK((r.entry(255 * 16)[0] & 0xffff) == 0x0abc);
}

TEST_CASE("amdvi cmd: the PPR log takes nothing while stopped, and a failed write loses the request",
          "[amdvi][ppr]") {
    PprRig r;
    r.log.stop();
    CHECK(r.log.push(request(1, 0), r.mem) == PprLog::Outcome::NotRunning);
    CHECK(r.log.status_bits() == 0);
    r.log.configure(kMemSize, 8);  // the log lies past installed memory
    r.log.start();
    CHECK(r.log.push(request(1, 0), r.mem) == PprLog::Outcome::WriteFailed);
    CHECK(r.log.tail() == 0);
    CHECK(r.log.status_bits() == PprLog::kPprLogRun);
}
