// A device issues what it is fed in order, except that a request fed with priority
// goes ahead of the fed requests it has not issued yet that lack it (behind earlier
// priority ones): an NVMe controller's command fetches do not wait for its data.
#include <catch2/catch.hpp>

#include <vector>

#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

namespace {

pcie::Request fed(uint64_t addr, bool read, bool priority) {
    pcie::Request r{addr, 64, read};
    r.priority = priority;
    return r;
}

// The addresses in the order the device issued them.
std::vector<uint64_t> issue_order(const char* mode) {
    platform::System sys("system", make_platform({{"sim.mode", mode}, {"dev.requests", "0"}}));
    std::vector<uint64_t> order;
    sys.device(0).on_issue([&](tlm::tlm_generic_payload& gp, const sc_core::sc_time&) {
        order.push_back(gp.get_address());
    });
    sys.device(0).feed(fed(0x1000, false, false));
    sys.device(0).feed(fed(0x2000, false, false));
    sys.device(0).feed(fed(0x3000, true, true));
    sys.device(0).feed(fed(0x4000, false, false));
    sys.device(0).feed(fed(0x5000, true, true));
    sys.preload();
    sys.run();
    return order;
}

}  // namespace

TEST_CASE("Fed requests with priority go first, each group in feed order (timing)", "[pcie][fed]") {
    CHECK(issue_order("timing") == std::vector<uint64_t>{0x3000, 0x5000, 0x1000, 0x2000, 0x4000});
}

TEST_CASE("Fed requests with priority go first, each group in feed order (atomic)", "[pcie][fed]") {
    CHECK(issue_order("atomic") == std::vector<uint64_t>{0x3000, 0x5000, 0x1000, 0x2000, 0x4000});
}
