// Help text: sizes in the form a configuration writes them, valid values where a
// range would mislead, wrapping at a column.
#include <catch2/catch.hpp>

#include "platforms/cli/help_text.h"

namespace {

sim::ParamInfo param(const char* type, const char* default_text, const char* unit, const char* range) {
    return sim::ParamInfo{"s.k", type, default_text, unit, range, "d", true, ""};
}

}  // namespace

TEST_CASE("natural_bytes takes the largest binary suffix that divides", "[help]") {
    CHECK(cli::natural_bytes(0) == "0");
    CHECK(cli::natural_bytes(64) == "64");
    CHECK(cli::natural_bytes(4096) == "4K");
    CHECK(cli::natural_bytes(4097) == "4097");
    CHECK(cli::natural_bytes(6144) == "6K");
    CHECK(cli::natural_bytes(uint64_t(2) << 20) == "2M");
    CHECK(cli::natural_bytes(uint64_t(1) << 30) == "1G");
    CHECK(cli::natural_bytes(uint64_t(3) << 40) == "3T");
    CHECK(cli::natural_bytes(uint64_t(1) << 50) == "1024T");  // no suffix beyond T
}

TEST_CASE("natural_default and valid_text: sizes for bytes only, listed values first", "[help]") {
    CHECK(cli::natural_default(param("uint", "33554432", "B", "64..1073741824")) == "32M");
    CHECK(cli::natural_default(param("uint", "4096", "ns", "0..1000000")) == "4096");  // times as given
    CHECK(cli::natural_default(param("real", "1.5", "ns", "0..100")) == "1.5");
    CHECK(cli::valid_text(param("uint", "4096", "B", "64..1073741824")) == "64..1G");
    CHECK(cli::valid_text(param("uint", "4096", "B", "4096..18446744073709551615")) == "4K or more");
    CHECK(cli::valid_text(param("uint", "8", "", "1..4096")) == "1..4096");
    CHECK(cli::valid_text(param("choice", "lru", "", "lru|random")) == "lru|random");
    CHECK(cli::valid_text(param("bool", "true", "", "")) == "true|false");
    CHECK(cli::valid_text(param("text", "", "", "")).empty());
    sim::ParamInfo page = param("uint", "4096", "B", "4096..1073741824");
    page.values = "4K|2M|1G";
    CHECK(cli::valid_text(page) == "4K|2M|1G");
}

TEST_CASE("wrap breaks between words at the column and indents the rest", "[help]") {
    CHECK(cli::wrap("aa bb cc", 0, 2, 5) == "aa bb\n  cc");
    CHECK(cli::wrap("aa bb cc", 3, 3, 8) == "aa bb\n   cc");  // 3 + 5 columns fit 8
    CHECK(cli::wrap("aa bb cc", 3, 3, 7) == "aa\n   bb\n   cc");
    CHECK(cli::wrap("longerthanaline x", 0, 1, 5) == "longerthanaline\n x");
    CHECK(cli::wrap("  spaced   out  ", 0, 0, 100) == "spaced out");
    CHECK(cli::section_of("vtd.iotlb.ways") == "vtd.iotlb");
}
