// The scalable-mode VT-d walk. Every table here is raw qwords written from the spec's
// bit positions (VT-d 9.4-9.8): nothing is shared with the walker's decoder.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "models/memory/sparse_memory.h"
#include "models/vtd/scalable_walker.h"

namespace {

using vtd::ScalableWalker;
namespace smf = vtd::sm_fault;

constexpr uint64_t B(unsigned n) { return uint64_t(1) << n; }

// Root / context / directory / PASID entry: P bit 0, FPD bit 1.
constexpr uint64_t P = B(0), FPD = B(1);
// Scalable context entry, low qword: PASIDE bit 3 (PDTS 11:9 left 0: 128-entry directory).
constexpr uint64_t PASIDE = B(3);
// PASID entry qword 0: AW 4:2, PGTT 8:6. Qword 1: PGSNP bit 24. Qword 2: SRE 0, ERE 1,
// FLPM 3:2, WPE 4, NXE 5.
constexpr uint64_t aw(uint64_t v) { return v << 2; }
constexpr uint64_t SSADE = B(9);  // PASID entry qword 0: second-level A/D enable
constexpr uint64_t pgtt(uint64_t v) { return v << 6; }
constexpr uint64_t PGSNP = B(24);
constexpr uint64_t SRE = B(0), ERE = B(1), WPE = B(4), NXE = B(5);
constexpr uint64_t flpm(uint64_t v) { return v << 2; }
// Second-level entry: R 0, W 1, PS 7, A 8, D 9, SNP 11.
constexpr uint64_t R = B(0), W = B(1), PS = B(7), A = B(8), D = B(9), SNP = B(11);
// First-level entry: P 0, R/W 1, U/S 2, PS 7, XD 63.
constexpr uint64_t FP = B(0), FRW = B(1), FUS = B(2), XD = B(63);
constexpr uint64_t FUSER = FP | FRW | FUS;

constexpr uint64_t kRoot = 0x10000, kCtxLower = 0x11000, kCtxUpper = 0x12000;
constexpr uint64_t kDir = 0x13000, kTable0 = 0x14000, kTable1 = 0x15000;
constexpr uint64_t kSl = 0x20000, kFl = 0x30000, kFl5 = 0x38000, kNestSl = 0x50000;

struct Rig {
    memory::SparseMemory mem;
    vtd::Capabilities caps;

    Rig() {
        caps.smts = caps.pasid = caps.flts = caps.slts = caps.nest = true;
        // Bus 0: both halves present. Bus 2: lower present, upper not.
        mem.write_u64(kRoot + 0 * 16, kCtxLower | P);
        mem.write_u64(kRoot + 0 * 16 + 8, kCtxUpper | P);
        mem.write_u64(kRoot + 2 * 16, kCtxLower | P);
        contexts();
        mem.write_u64(kDir + 0 * 8, kTable0 | P);    // PASIDs 0-63
        mem.write_u64(kDir + 1 * 8, kTable1 | P | FPD);  // 64-127, FPD
        mem.write_u64(kDir + 3 * 8, FPD);            // 192-255: not present, FPD
        pasid_entries();
        second_level();
        first_level();
        nested();
    }

    void ctx(uint64_t table, unsigned devfn, uint64_t lo, uint64_t hi) {
        mem.write_u64(table + (devfn % 128) * 32, lo);
        mem.write_u64(table + (devfn % 128) * 32 + 8, hi);
    }
    void contexts() {
        ctx(kCtxLower, 8, kDir | PASIDE | P, 1);       // RID_PASID 1 (second level)
        ctx(kCtxUpper, 0x88, kDir | PASIDE | P, 2);    // devfn 136: RID_PASID 2 (first level)
        ctx(kCtxLower, 10, FPD, 0);                    // not present, FPD
        ctx(kCtxLower, 11, kDir | P, 1);               // PASIDE clear
        ctx(kCtxLower, 12, kDir | PASIDE | FPD | P, 1);
        ctx(kCtxLower, 13, kDir | PASIDE | P, 0xfffff);  // RID_PASID beyond 128*64
        ctx(kCtxLower, 14, kDir | PASIDE | P, 2 | B(20));  // RID_PASID 2, RID_PRIV
        ctx(kCtxLower, 15, kDir | PASIDE | P, 6 | B(20));  // RID_PASID 6 (no SRE), RID_PRIV
    }
    void pte(uint64_t table, unsigned idx, uint64_t q0, uint64_t q1, uint64_t q2) {
        mem.write_u64(table + idx * 64, q0);
        mem.write_u64(table + idx * 64 + 8, q1);
        mem.write_u64(table + idx * 64 + 16, q2);
    }
    void pasid_entries() {
        pte(kTable0, 1, kSl | pgtt(2) | aw(2) | P, 1, 0);
        pte(kTable0, 2, pgtt(1) | P, 2, kFl | SRE | ERE | WPE | NXE);
        pte(kTable0, 3, kNestSl | pgtt(3) | aw(2) | P, 3, 0x1000 | SRE | ERE | WPE | NXE);
        pte(kTable0, 4, pgtt(4) | P, 4, 0);
        pte(kTable0, 5, pgtt(1) | P, 5 | PGSNP, kFl | SRE | ERE | WPE | NXE);
        pte(kTable0, 6, pgtt(1) | P, 6, kFl | WPE | NXE);  // no SRE, no ERE
        pte(kTable0, 7, pgtt(1) | P, 7, kFl | SRE);        // WPE=0, NXE=0
        // 8: all zero, not present.
        pte(kTable0, 9, FPD, 0, 0);                        // not present, FPD
        pte(kTable0, 10, kSl | pgtt(2) | aw(2) | P, 10 | PGSNP, 0);
        pte(kTable0, 11, pgtt(5) | P, 11, 0);              // PGTT 5: reserved encoding
        pte(kTable0, 12, pgtt(1) | P, 12, kFl5 | flpm(1) | SRE);  // 5-level
        pte(kTable0, 13, kSl | pgtt(2) | aw(3) | P, 13, 0);       // 5-level SL
        pte(kTable0, 14, kSl | pgtt(2) | aw(2) | B(10) | P, 14, 0);  // reserved bit 10
        pte(kTable0, 15, kNestSl | pgtt(3) | aw(1) | P, 15, (uint64_t(1) << 40));  // FLPTPTR > 39 bits
        pte(kTable0, 16, pgtt(1) | P, 16, kFl | SRE | ERE);  // NXE=0
        pte(kTable1, 0, pgtt(1) | P, 64, kFl | SRE | ERE | WPE | NXE);  // PASID 64
        pte(kTable0, 17, kSl | pgtt(2) | aw(2) | SSADE | P, 17, 0);     // SL with A/D
    }
    void second_level() {
        mem.write_u64(kSl + 0 * 8, 0x21000 | R | W);
        mem.write_u64(0x21000 + 0 * 8, 0x22000 | R | W);
        mem.write_u64(0x21000 + 1 * 8, 0x80000000 | PS | R | W);  // 1 GiB at iova 1 GiB
        mem.write_u64(0x22000 + 0 * 8, 0x23000 | R | W);
        mem.write_u64(0x22000 + 1 * 8, 0x40000000 | PS | R | W);  // 2 MiB at iova 2 MiB
        mem.write_u64(0x23000 + 1 * 8, 0x80001000 | R);          // read-only
        mem.write_u64(0x23000 + 2 * 8, 0x80002000 | R | W | SNP);
        mem.write_u64(0x23000 + 3 * 8, 0x80003000 | R | W);
        mem.write_u64(0x23000 + 4 * 8, 0x80004000 | W);          // write-only
        // 0x23000[5]: not present.
    }
    void first_level() {
        mem.write_u64(kFl5 + 0 * 8, kFl | FUSER);                // PML5E -> the PML4
        mem.write_u64(kFl + 0 * 8, 0x31000 | FUSER);
        mem.write_u64(0x31000 + 0 * 8, 0x32000 | FUSER);
        mem.write_u64(0x31000 + 1 * 8, 0xc0000000 | PS | FUSER);  // 1 GiB at iova 1 GiB
        mem.write_u64(0x32000 + 0 * 8, 0x33000 | FUSER);
        mem.write_u64(0x32000 + 1 * 8, 0xa0000000 | PS | FUSER);  // 2 MiB at iova 2 MiB
        mem.write_u64(0x33000 + 1 * 8, 0x90001000 | FUSER);
        mem.write_u64(0x33000 + 2 * 8, 0x90002000 | FP | FUS);    // user, read-only
        mem.write_u64(0x33000 + 3 * 8, 0x90003000 | FP | FRW);    // supervisor
        mem.write_u64(0x33000 + 4 * 8, 0x90004000 | FUSER | XD);
        // 0x33000[5]: not present.
        mem.write_u64(0x33000 + 6 * 8, 0x90006000 | FUSER | B(50));  // bit 50 >= HAW 46
    }
    // Nested (PASID 3): second level at 0x50000 maps GPA 0-2 MiB to HPA 0x600000 with
    // one 2 MiB page, GPA 0x400000 to HPA 0x900000 with a 4 KiB page, GPA 0x600000
    // write-only, and GPA 1 GiB to HPA 16 MiB with a 2 MiB page. The first-level tables
    // live at GPAs 0x1000-0x4000 (HPA 0x601000-0x604000).
    void nested() {
        mem.write_u64(kNestSl + 0 * 8, 0x51000 | R | W);
        mem.write_u64(0x51000 + 0 * 8, 0x52000 | R | W);
        mem.write_u64(0x51000 + 1 * 8, 0x53000 | R | W);
        mem.write_u64(0x52000 + 0 * 8, 0x600000 | PS | R | W);
        mem.write_u64(0x52000 + 2 * 8, 0x54000 | R | W);
        mem.write_u64(0x52000 + 3 * 8, 0x55000 | R | W);
        mem.write_u64(0x54000 + 0 * 8, 0x900000 | R | W);
        mem.write_u64(0x55000 + 0 * 8, 0x700000 | W);
        mem.write_u64(0x53000 + 0 * 8, 0x1000000 | PS | R | W);
        const uint64_t hpa = 0x600000;
        mem.write_u64(hpa + 0x1000 + 0 * 8, 0x2000 | FUSER);
        mem.write_u64(hpa + 0x2000 + 0 * 8, 0x3000 | FUSER);
        mem.write_u64(hpa + 0x2000 + 1 * 8, 0x40000000 | PS | FUSER);  // 1 GiB
        mem.write_u64(hpa + 0x3000 + 0 * 8, 0x4000 | FUSER);
        mem.write_u64(hpa + 0x3000 + 1 * 8, 0x400000 | PS | FUSER);    // 2 MiB
        mem.write_u64(hpa + 0x3000 + 2 * 8, 0x600000 | FUSER);         // table at a W-only GPA
        mem.write_u64(hpa + 0x4000 + 5 * 8, 0x5000 | FUSER);
    }

    // Drives a walk to the end; fail_at makes that access (1-based) report an error.
    // A/D updates are written to memory; `writes` counts them.
    iommu::Result walk(const iommu::Request& r, unsigned* reads = nullptr, unsigned fail_at = 0,
                       unsigned* writes = nullptr) {
        ScalableWalker w(caps, kRoot);
        w.start(r);
        unsigned n = 0, nw = 0;
        while (!w.done()) {
            ++n;
            REQUIRE(n <= 64);
            if (w.write_pending()) {
                ++nw;
                if (n != fail_at) mem.write_u64(w.read_address(), w.write_value());
                w.supply(0, n != fail_at);
            } else {
                w.supply(mem.read_u64(w.read_address()), n != fail_at);
            }
        }
        CHECK(w.reads() == n - nw);
        CHECK(w.writes() == nw);
        if (reads) *reads = n - nw;
        if (writes) *writes = nw;
        return w.result();
    }
};

struct Req {
    iommu::Request r;
    explicit Req(uint16_t sid, uint64_t iova) {
        r.sid = sid;
        r.iova = iova;
        r.read = true;
    }
    Req& pasid(uint32_t p) { r.pasid_valid = true; r.pasid = p; return *this; }
    Req& write() { r.read = false; r.write = true; return *this; }
    Req& priv() { r.priv = true; return *this; }
    Req& exec() { r.exec = true; return *this; }
    Req& no_snoop() { r.no_snoop = true; return *this; }
    operator const iommu::Request&() const { return r; }
};

constexpr uint16_t kDev = 0x0008;       // bus 0, devfn 8
constexpr uint16_t kDevUpper = 0x0088;  // bus 0, devfn 136

void check_fault(const iommu::Result& res, uint32_t reason, bool record = true) {
    CHECK(res.fault);
    CHECK(res.reason == reason);
    CHECK(res.record == record);
}

}  // namespace

TEST_CASE("Scalable: second-level only, 4 KiB, 2 MiB and 1 GiB leaves", "[vtd][scalable]") {
    Rig rig;
    unsigned reads = 0;
    auto res = rig.walk(Req(kDev, 0x1234).pasid(1), &reads);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x80001234);
    CHECK(res.page_size == 4096);
    CHECK(res.read);
    CHECK_FALSE(res.write);
    CHECK(reads == 1 + 2 + 1 + 3 + 4);  // root, context, directory, PASID entry, 4 levels
    res = rig.walk(Req(kDev, 0x200000 + 0x12345).pasid(1));
    CHECK(res.pa == 0x40012345);
    CHECK(res.page_size == (2u << 20));
    res = rig.walk(Req(kDev, 0x40000000 + 0x123456).pasid(1));
    CHECK(res.pa == 0x80123456);
    CHECK(res.page_size == (1u << 30));
    CHECK(res.write);
}

TEST_CASE("Scalable: a request without PASID uses RID_PASID", "[vtd][scalable]") {
    Rig rig;
    // devfn 8: RID_PASID 1 is the second-level entry.
    auto res = rig.walk(Req(kDev, 0x3010));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x80003010);
    // devfn 136 takes the upper context pointer; its RID_PASID 2 is first level.
    res = rig.walk(Req(kDevUpper, 0x1010));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90001010);
    // RID_PRIV (bit 84) makes requests without PASID supervisor requests.
    check_fault(rig.walk(Req(kDevUpper, 0x3000)), smf::SGN_PRIVILEGE);
    res = rig.walk(Req(0x000e, 0x3000));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90003000);
    check_fault(rig.walk(Req(0x000f, 0x3000)), smf::SPT_SRE);
    // RID_PASID beyond the 128-entry directory.
    check_fault(rig.walk(Req(0x000d, 0x1000)), smf::SCT_RID_PASID);
}

TEST_CASE("Scalable: devfn >= 128 uses the upper context-table pointer", "[vtd][scalable]") {
    Rig rig;
    auto res = rig.walk(Req(kDevUpper, 0x1234).pasid(1));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x80001234);
    // Bus 2 has only its lower half present.
    CHECK_FALSE(rig.walk(Req(0x0208, 0x1234).pasid(1)).fault);
    check_fault(rig.walk(Req(0x0288, 0x1234).pasid(1)), smf::SRT_NOT_PRESENT);
}

TEST_CASE("Scalable: first-level only, 4 KiB, 2 MiB, 1 GiB and 5-level", "[vtd][scalable]") {
    Rig rig;
    unsigned reads = 0;
    auto res = rig.walk(Req(kDev, 0x1abc).pasid(2), &reads);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90001abc);
    CHECK(res.page_size == 4096);
    CHECK(res.read);
    CHECK(res.write);
    CHECK(reads == 7 + 4);
    res = rig.walk(Req(kDev, 0x200000 + 0x1234).pasid(2));
    CHECK(res.pa == 0xa0001234);
    CHECK(res.page_size == (2u << 20));
    res = rig.walk(Req(kDev, 0x40000000 + 0x123456).pasid(2));
    CHECK(res.pa == 0xc0123456);
    CHECK(res.page_size == (1u << 30));
    // Without CAP.FL1GP, PS in a PDPE is reserved.
    rig.caps.fl1gp = false;
    check_fault(rig.walk(Req(kDev, 0x40000000).pasid(2)), smf::SFL_RESERVED);
    // FLPM=1 needs CAP.FL5LP.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(12)), smf::SPT_INVALID);
    rig.caps.fl5lp = true;
    res = rig.walk(Req(kDev, 0x1abc).pasid(12), &reads);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90001abc);
    CHECK(reads == 7 + 5);
}

TEST_CASE("Scalable: first-level input must be canonical", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(kDev, uint64_t(1) << 47).pasid(2)), smf::SGN_NON_CANONICAL);
    // The upper canonical half walks (and here finds PML4E 256 not present).
    check_fault(rig.walk(Req(kDev, ~uint64_t(0) << 47).pasid(2)), smf::SFL_NOT_PRESENT);
}

TEST_CASE("Scalable: nested translation, page size is the smaller stage's", "[vtd][scalable]") {
    Rig rig;
    unsigned reads = 0;
    // FL 4 KiB leaf over a 2 MiB SL page. Each of the 4 FL entries is fetched after a
    // 3-read SL walk of its GPA, then the output GPA takes one more SL walk.
    auto res = rig.walk(Req(kDev, 0x5123).pasid(3), &reads);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x605123);
    CHECK(res.page_size == 4096);
    CHECK(reads == 7 + 4 * (3 + 1) + 3);
    // FL 2 MiB leaf -> GPA 0x400123, mapped by a 4 KiB SL page.
    res = rig.walk(Req(kDev, 0x200123).pasid(3));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x900123);
    CHECK(res.page_size == 4096);
    // FL 1 GiB leaf -> GPA 1 GiB + 0x123, mapped by a 2 MiB SL page.
    res = rig.walk(Req(kDev, 0x40000123).pasid(3).write());
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x1000123);
    CHECK(res.page_size == (2u << 20));
    CHECK(res.write);
    // A FL table whose GPA the second level maps write-only cannot be read.
    check_fault(rig.walk(Req(kDev, 0x400000).pasid(3)), smf::SFL_NESTED_READ);
    // FLPTPTR above the 39-bit second-level width.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(15)), smf::SFL_NESTED_ADDR);
}

TEST_CASE("Scalable: pass-through", "[vtd][scalable]") {
    Rig rig;
    unsigned reads = 0;
    auto res = rig.walk(Req(kDev, 0x12345678).pasid(4).write(), &reads);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x12345678);
    CHECK(res.page_size == 4096);
    CHECK(res.write);
    CHECK(reads == 7);
    check_fault(rig.walk(Req(kDev, uint64_t(1) << 46).pasid(4)), smf::SGN_ADDR_BEYOND_HAW);
}

TEST_CASE("Scalable: U/S and privileged requests", "[vtd][scalable]") {
    Rig rig;
    // A user request to a supervisor page.
    check_fault(rig.walk(Req(kDev, 0x3000).pasid(2)), smf::SGN_PRIVILEGE);
    // A supervisor request with SRE reaches supervisor and user pages alike.
    auto res = rig.walk(Req(kDev, 0x3000).pasid(2).priv());
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90003000);
    CHECK_FALSE(rig.walk(Req(kDev, 0x1000).pasid(2).priv()).fault);
    // Without SRE a supervisor request is blocked at the PASID entry.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(6).priv()), smf::SPT_SRE);
}

TEST_CASE("Scalable: R/W and WPE", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(kDev, 0x2000).pasid(2).write()), smf::SGN_WRITE);
    auto res = rig.walk(Req(kDev, 0x2000).pasid(2));
    REQUIRE_FALSE(res.fault);
    CHECK_FALSE(res.write);
    // WPE=1: supervisor writes obey R/W too; WPE=0 (PASID 7): they do not.
    check_fault(rig.walk(Req(kDev, 0x2000).pasid(2).write().priv()), smf::SGN_WRITE);
    res = rig.walk(Req(kDev, 0x2000).pasid(7).write().priv());
    REQUIRE_FALSE(res.fault);
    CHECK(res.write);
    // Second level: write to a read-only page, read from a write-only page.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(1).write()), smf::SGN_WRITE);
    check_fault(rig.walk(Req(kDev, 0x4000).pasid(1)), smf::SGN_READ);
    CHECK_FALSE(rig.walk(Req(kDev, 0x4000).pasid(1).write()).fault);
}

TEST_CASE("Scalable: XD with an execute request", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(kDev, 0x4000).pasid(2).exec()), smf::SGN_EXECUTE);
    CHECK_FALSE(rig.walk(Req(kDev, 0x4000).pasid(2)).fault);  // reads ignore XD
    CHECK_FALSE(rig.walk(Req(kDev, 0x1000).pasid(2).exec()).fault);
    // NXE=0 (PASID 16): XD is not checked.
    CHECK_FALSE(rig.walk(Req(kDev, 0x4000).pasid(16).exec()).fault);
    // ERE=0 blocks execute requests at the PASID entry.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(6).exec()), smf::SPT_ERE);
}

TEST_CASE("Scalable: PGSNP and SNP force snooping, else No Snoop decides", "[vtd][scalable]") {
    Rig rig;
    CHECK_FALSE(rig.walk(Req(kDev, 0x3000).pasid(1).no_snoop()).snoop);
    CHECK(rig.walk(Req(kDev, 0x3000).pasid(1)).snoop);
    CHECK(rig.walk(Req(kDev, 0x2000).pasid(1).no_snoop()).snoop);   // SNP leaf
    CHECK(rig.walk(Req(kDev, 0x3000).pasid(10).no_snoop()).snoop);  // PGSNP, SL
    CHECK_FALSE(rig.walk(Req(kDev, 0x1000).pasid(2).no_snoop()).snoop);
    CHECK(rig.walk(Req(kDev, 0x1000).pasid(5).no_snoop()).snoop);   // PGSNP, FL
    CHECK(rig.walk(Req(kDev, 0x1000).pasid(2)).snoop);
    // Without ECAP.SC both bits are reserved.
    rig.caps.sc = false;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(5)), smf::SPT_RESERVED);
    check_fault(rig.walk(Req(kDev, 0x2000).pasid(1)), smf::SSL_RESERVED);
}

TEST_CASE("Scalable: not present at every structure", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(0x0108, 0x1000).pasid(1)), smf::SRT_NOT_PRESENT);  // bus 1
    check_fault(rig.walk(Req(0x0009, 0x1000).pasid(1)), smf::SCT_NOT_PRESENT);
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(128)), smf::SPD_NOT_PRESENT);
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(8)), smf::SPT_NOT_PRESENT);
    check_fault(rig.walk(Req(kDev, 0x5000).pasid(2)), smf::SFL_NOT_PRESENT);
    check_fault(rig.walk(Req(kDev, 0x5000).pasid(1)), smf::SSL_NOT_PRESENT);
}

TEST_CASE("Scalable: FPD silences qualified faults only", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(0x000a, 0x1000)), smf::SCT_NOT_PRESENT, false);   // context
    check_fault(rig.walk(Req(0x000c, 0x5000).pasid(2)), smf::SFL_NOT_PRESENT, false);
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(192)), smf::SPD_NOT_PRESENT, false);  // directory
    check_fault(rig.walk(Req(kDev, 0x5000).pasid(64)), smf::SFL_NOT_PRESENT, false);
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(9)), smf::SPT_NOT_PRESENT, false);  // PASID entry
    // Failed reads are not qualified: they are recorded even under FPD.
    check_fault(rig.walk(Req(0x000c, 0x1000).pasid(2), nullptr, 3), smf::SCT_ACCESS, true);
    check_fault(rig.walk(Req(0x000c, 0x1000).pasid(2), nullptr, 4), smf::SPD_ACCESS, true);
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(64), nullptr, 5), smf::SPT_ACCESS, true);
    // ... but a failed paging-structure read is.
    check_fault(rig.walk(Req(0x000c, 0x1000).pasid(2), nullptr, 9), smf::SFL_ACCESS, false);
}

TEST_CASE("Scalable: read errors give each structure's access fault", "[vtd][scalable]") {
    Rig rig;
    const iommu::Request sl = Req(kDev, 0x1000).pasid(1), fl = Req(kDev, 0x1000).pasid(2);
    check_fault(rig.walk(sl, nullptr, 1), smf::SRT_ACCESS);
    check_fault(rig.walk(sl, nullptr, 2), smf::SCT_ACCESS);
    check_fault(rig.walk(sl, nullptr, 3), smf::SCT_ACCESS);
    check_fault(rig.walk(sl, nullptr, 4), smf::SPD_ACCESS);
    check_fault(rig.walk(sl, nullptr, 5), smf::SPT_ACCESS);
    check_fault(rig.walk(sl, nullptr, 7), smf::SPT_ACCESS);
    check_fault(rig.walk(sl, nullptr, 8), smf::SSL_TOP_ACCESS);
    check_fault(rig.walk(sl, nullptr, 9), smf::SSL_ACCESS);
    check_fault(rig.walk(fl, nullptr, 8), smf::SFL_TOP_ACCESS);
    check_fault(rig.walk(fl, nullptr, 9), smf::SFL_ACCESS);
    // Nested: reads 8-10 walk the second level for the PML4E's GPA, 11 fetches it.
    const iommu::Request nest = Req(kDev, 0x5000).pasid(3);
    check_fault(rig.walk(nest, nullptr, 8), smf::SSL_TOP_ACCESS);
    check_fault(rig.walk(nest, nullptr, 9), smf::SSL_ACCESS);
    check_fault(rig.walk(nest, nullptr, 11), smf::SFL_TOP_ACCESS);
    check_fault(rig.walk(nest, nullptr, 15), smf::SFL_ACCESS);
}

TEST_CASE("Scalable: reserved bits", "[vtd][scalable]") {
    Rig rig;
    SECTION("root entry") {
        rig.mem.write_u64(kRoot, kCtxLower | B(1) | P);
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SRT_RESERVED);
    }
    SECTION("context entry, low qword bit 5 and high qword bit 21") {
        rig.ctx(kCtxLower, 8, kDir | PASIDE | B(5) | P, 1);
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SCT_RESERVED);
        rig.ctx(kCtxLower, 8, kDir | PASIDE | P, 1 | B(21));
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SCT_RESERVED);
    }
    SECTION("PASID directory entry") {
        rig.mem.write_u64(kDir, kTable0 | B(2) | P);
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SPD_RESERVED);
    }
    SECTION("PASID table entry") {
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(14)), smf::SPT_RESERVED);
    }
    SECTION("first-level: PS in a PML4E, address bits above HAW") {
        rig.mem.write_u64(kFl, 0x31000 | PS | FUSER);
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(2)), smf::SFL_RESERVED);
        rig.mem.write_u64(kFl, 0x31000 | FUSER);
        check_fault(rig.walk(Req(kDev, 0x6000).pasid(2)), smf::SFL_RESERVED);
    }
    SECTION("first-level: 2 MiB page with bit 13 set") {
        rig.mem.write_u64(0x32000 + 8, 0xa0000000 | B(13) | PS | FUSER);
        check_fault(rig.walk(Req(kDev, 0x200000).pasid(2)), smf::SFL_RESERVED);
    }
    SECTION("second-level: PS in a PML4E, 2 MiB page with bit 12 set") {
        rig.mem.write_u64(kSl, 0x21000 | PS | R | W);
        check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SSL_RESERVED);
        rig.mem.write_u64(kSl, 0x21000 | R | W);
        rig.mem.write_u64(0x22000 + 8, 0x40000000 | B(12) | PS | R | W);
        check_fault(rig.walk(Req(kDev, 0x200000).pasid(1)), smf::SSL_RESERVED);
    }
}

TEST_CASE("Scalable: unsupported PGTT and invalid PASID-entry programming", "[vtd][scalable]") {
    Rig rig;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(11)), smf::SPT_INVALID);  // PGTT 5
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(13)), smf::SPT_INVALID);  // AW 3, SAGAW lacks 5-level
    rig.caps.flts = false;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(2)), smf::SPT_INVALID);
    rig.caps.slts = false;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(1)), smf::SPT_INVALID);
    rig.caps.nest = false;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(3)), smf::SPT_INVALID);
    rig.caps.pt = false;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(4)), smf::SPT_INVALID);
}

TEST_CASE("Scalable: capability and PASID checks", "[vtd][scalable]") {
    Rig rig;
    // A PASID beyond the 2^(0+7)-entry directory, or beyond ECAP.PSS.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(128 * 64)), smf::SCT_PASID_TOO_LARGE);
    rig.caps.pss = 4;  // 5-bit PASIDs
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(32)), smf::SCT_PASID_TOO_LARGE);
    rig.caps.pss = 19;
    // PASIDE clear blocks requests with PASID, not those without.
    check_fault(rig.walk(Req(0x000b, 0x1000).pasid(1)), smf::SCT_PASID_DISABLED);
    CHECK_FALSE(rig.walk(Req(0x000b, 0x1000)).fault);
    // PASIDE set without ECAP.PASID is invalid programming.
    rig.caps.pasid = false;
    check_fault(rig.walk(Req(kDev, 0x1000)), smf::SCT_INVALID);
    // Second-level input above the 48-bit AGAW.
    rig.caps.pasid = true;
    check_fault(rig.walk(Req(kDev, uint64_t(1) << 48).pasid(1)), smf::SGN_ADDR_BEYOND_AW);
    // No scalable mode without ECAP.SMTS: no reads at all.
    rig.caps.smts = false;
    unsigned reads = 99;
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(1), &reads), smf::RTA_INVALID);
    CHECK(reads == 0);
}

TEST_CASE("Scalable: random table contents always finish in bounded reads", "[vtd][scalable]") {
    std::mt19937_64 rng(0x5ca1ab1e);
    vtd::Capabilities caps;
    caps.smts = caps.pasid = caps.flts = caps.slts = caps.nest = true;
    for (int run = 0; run < 20000; ++run) {
        caps.fl5lp = rng() & 1;
        caps.sagaw = unsigned(rng() & 0x1f);
        caps.sc = rng() & 1;
        caps.dt = rng() & 1;
        caps.pt = rng() & 1;
        caps.pss = unsigned(rng() % 20);
        iommu::Request r;
        r.sid = uint16_t(rng());
        r.iova = (rng() & 1) ? rng() : rng() & 0xffffffffffull;
        r.read = rng() & 1;
        r.write = !r.read;
        r.pasid_valid = rng() & 1;
        r.pasid = uint32_t(rng() & ((rng() & 1) ? 0xfffff : 0x3f));
        r.priv = rng() & 1;
        r.exec = rng() & 1;
        r.no_snoop = rng() & 1;
        ScalableWalker w(caps, rng() & ~uint64_t(0xfff));
        w.start(r);
        unsigned n = 0;
        while (!w.done() && n < 100) {
            ++n;
            // Mostly-present, low-address entries reach deep into the walk.
            uint64_t v = rng();
            if (rng() % 4) v &= 0x3fffffffffull;
            if (rng() % 4) v |= 0x3;
            w.supply(v, rng() % 32 != 0);
        }
        REQUIRE(w.done());
        REQUIRE(n <= 42);
        REQUIRE(w.reads() == n);
        const auto& res = w.result();
        if (!res.fault) REQUIRE(res.page_size >= 4096);
    }
}

TEST_CASE("Scalable: SSADE sets A in every entry walked and D in the leaf of a write",
          "[vtd][scalable][ad]") {
    Rig rig;
    rig.caps.ssads = true;
    const uint64_t pml4e = kSl, pdpe = 0x21000, pde = 0x22000, pte1 = 0x23000 + 8, pte3 = 0x23000 + 24;
    unsigned reads = 0, writes = 0;
    // A read: A in all four entries, D nowhere.
    auto res = rig.walk(Req(kDev, 0x1000).pasid(17), &reads, 0, &writes);
    REQUIRE_FALSE(res.fault);
    CHECK(writes == 4);
    for (uint64_t e : {pml4e, pdpe, pde, pte1}) CHECK((rig.mem.read_u64(e) & (A | D)) == A);
    CHECK(rig.mem.read_u64(pte1) == (0x80001000 | R | A));  // nothing else changed
    // A write to another page: the upper entries already carry A; the leaf gets A and D.
    res = rig.walk(Req(kDev, 0x3000).pasid(17).write(), &reads, 0, &writes);
    REQUIRE_FALSE(res.fault);
    CHECK(writes == 1);
    CHECK(rig.mem.read_u64(pte3) == (0x80003000 | R | W | A | D));
    // Again: nothing left to set, nothing written.
    rig.walk(Req(kDev, 0x3000).pasid(17).write(), &reads, 0, &writes);
    CHECK(writes == 0);
    // A write the leaf forbids faults before any flag is set on that leaf.
    res = rig.walk(Req(kDev, 0x1000).pasid(17).write(), &reads, 0, &writes);
    check_fault(res, smf::SGN_WRITE);
    CHECK((rig.mem.read_u64(pte1) & D) == 0);
}

TEST_CASE("Scalable: without SSADE (or ECAP.SSADS) no entry is written", "[vtd][scalable][ad]") {
    Rig rig;
    rig.caps.ssads = true;
    unsigned reads = 0, writes = 0;
    rig.walk(Req(kDev, 0x3000).pasid(1).write(), &reads, 0, &writes);  // PASID 1: SSADE=0
    CHECK(writes == 0);
    CHECK(rig.mem.read_u64(0x23000 + 24) == (0x80003000 | R | W));
    rig.caps.ssads = false;  // SSADE is then a reserved bit
    check_fault(rig.walk(Req(kDev, 0x3000).pasid(17).write()), smf::SPT_RESERVED);
}

TEST_CASE("Scalable: a failed A/D write faults as a second-level access error",
          "[vtd][scalable][ad]") {
    Rig rig;
    rig.caps.ssads = true;
    // Accesses: root, context x2, directory, PASID entry x3, PML4E read, then its A write.
    check_fault(rig.walk(Req(kDev, 0x1000).pasid(17), nullptr, 9), smf::SSL_ACCESS);
    CHECK((rig.mem.read_u64(kSl) & A) == 0);
}
