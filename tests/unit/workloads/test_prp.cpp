// PRPs against the NVMe Base Specification's rules ("Physical Region Page Entry and
// List"): PRP1 is the first page with its offset, PRP2 the second page when the
// transfer ends there, else a PRP list of every page after the first.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "workloads/prp.h"

using workload::build_prp;
using workload::Prp;

namespace {
constexpr uint64_t kBuf = 0x1'0000'0000, kList = 0x1000'8000;
}

TEST_CASE("One page: PRP1 only", "[prp]") {
    std::vector<uint64_t> list{7};
    const Prp p = build_prp(kBuf, 4096, kList, list);
    CHECK(p.prp1 == kBuf);
    CHECK(p.prp2 == 0);
    CHECK_FALSE(p.list);
    CHECK(list.empty());
    CHECK(build_prp(kBuf + 512, 512, kList, list).prp1 == kBuf + 512);
    CHECK(workload::prp_pages(kBuf + 512, 3584) == 1);
}

TEST_CASE("Two pages: PRP2 is the second page", "[prp]") {
    std::vector<uint64_t> list;
    Prp p = build_prp(kBuf, 8192, kList, list);
    CHECK(p.prp1 == kBuf);
    CHECK(p.prp2 == kBuf + 4096);
    CHECK_FALSE(p.list);
    CHECK(list.empty());
    // An offset first page: 4 KiB from offset 0x200 ends in the second page.
    p = build_prp(kBuf + 0x200, 4096, kList, list);
    CHECK(p.prp1 == kBuf + 0x200);
    CHECK(p.prp2 == kBuf + 4096);
}

TEST_CASE("Three pages: PRP2 points to a list of pages 2 and 3", "[prp]") {
    std::vector<uint64_t> list;
    const Prp p = build_prp(kBuf, 12288, kList, list);
    CHECK(p.prp1 == kBuf);
    CHECK(p.prp2 == kList);
    CHECK(p.list);
    CHECK(list == std::vector<uint64_t>{kBuf + 4096, kBuf + 8192});
    // 8 KiB from an offset spans three pages.
    CHECK(build_prp(kBuf + 0x800, 8192, kList, list).list);
    CHECK(list == std::vector<uint64_t>{kBuf + 4096, kBuf + 8192});
}

TEST_CASE("A 128 KiB transfer: a list of 31 page-aligned entries", "[prp]") {
    std::vector<uint64_t> list;
    list.reserve(31);
    const uint64_t* storage = list.data();
    const Prp p = build_prp(kBuf, 131072, kList, list);
    CHECK(p.prp1 == kBuf);
    CHECK(p.prp2 == kList);
    REQUIRE(list.size() == 31);
    for (size_t i = 0; i < list.size(); ++i) CHECK(list[i] == kBuf + (i + 1) * 4096);
    CHECK(list.data() == storage);  // no allocation once the capacity is there
}

TEST_CASE("A list longer than a page is refused", "[prp]") {
    std::vector<uint64_t> list;
    CHECK(build_prp(kBuf, 513 * 4096, kList, list).list);
    CHECK(list.size() == 512);
    CHECK_THROWS_AS(build_prp(kBuf, 514 * 4096, kList, list), std::length_error);
}
