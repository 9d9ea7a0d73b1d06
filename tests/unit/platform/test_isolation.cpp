// The isolation rule (platforms/isolation.h) for each kind of reach the mapping engine
// reports: a device on an identity domain may reach all of memory untranslated, and
// nothing else.
#include <catch2/catch.hpp>

#include "platforms/isolation.h"

namespace {

iommu::Result translated(uint64_t pa, bool write) {
    iommu::Result r;
    r.pa = pa;
    r.read = true;
    r.write = write;
    return r;
}

}  // namespace

TEST_CASE("isolation: an identity domain reaches all of memory at the IOVA itself, nowhere else",
          "[isolation]") {
    const iommufd::Reach identity{iommufd::Reach::Identity, 0, true};
    CHECK_FALSE(platform::breach(0x100, 0x1'2345'6000, translated(0x1'2345'6000, true), identity));
    CHECK_FALSE(platform::breach(0x100, 0x40, translated(0x40, false), identity));
    const auto report = platform::breach(0x100, 0x1'2345'6000, translated(0x9'2345'6000, false), identity);
    REQUIRE(report);
    CHECK(*report == "requester 0x100 iova 0x123456000 translated to pa 0x923456000; the mapping engine "
                     "passes it through untranslated");
}

TEST_CASE("isolation: a paging domain reaches only what it maps, with its rights", "[isolation]") {
    const iommufd::Reach live{iommufd::Reach::Live, 0x8000'0000, false};
    CHECK_FALSE(platform::breach(0x100, 0x1000, translated(0x8000'0000, false), live));
    CHECK(platform::breach(0x100, 0x1000, translated(0x8000'0000, true), live));    // no write right
    CHECK(platform::breach(0x100, 0x1000, translated(0x1000, false), live));        // not 1:1
    CHECK(platform::breach(0x100, 0x1000, translated(0x1000, false), iommufd::Reach{}));
    iommu::Result fault;
    fault.fault = true;
    CHECK_FALSE(platform::breach(0x100, 0x1000, fault, iommufd::Reach{}));
}
