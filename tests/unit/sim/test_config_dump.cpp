// --dump-config's text: every parameter with where it came from, and a file that reads
// back as the same parameters; the digest of the values alone.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "models/sim/config.h"
#include "models/sim/config_dump.h"
#include "models/sim/error.h"
#include "models/sim/params.h"

namespace {

struct Mem {
    uint64_t latency_ns = 80;
    std::string policy = "open";
    void bind(sim::ParamBinder& b) {
        b.u64("latency_ns", latency_ns, "ns", "latency", 0, 1000);
        b.choice("policy", policy, {"open", "closed"}, "row policy");
    }
};

struct Dev {
    uint64_t requests = 10;
    uint64_t base = 0;  // each instance has its own default in the platform
    void bind(sim::ParamBinder& b) {
        b.u64("requests", requests, "", "requests", 0, 1000000);
        b.u64("base", base, "B", "window base", 0, UINT64_MAX);
    }
};

template <class P>
std::function<void(sim::ParamBinder&)> binder() {
    return [](sim::ParamBinder& b) { P().bind(b); };
}

sim::ParamSchema schema() {
    sim::ParamSchema s;
    s.declare("memory", binder<Mem>());
    s.declare("dev", binder<Dev>());
    s.declare("dev0", binder<Dev>(), false);
    s.declare("dev1", binder<Dev>(), false);
    return s;
}

// A dump loaded as the only file.
sim::Config reload(const std::string& text) {
    sim::Config c;
    c.load_ini_text(text, "dumped.ini");
    return c;
}

}  // namespace

TEST_CASE("dump_config: sorted sections and keys, each naming where its value came from", "[config][dump]") {
    sim::Config cfg;
    cfg.load_ini_text("[memory]\n# a comment\npolicy = closed\n[dev1]\nrequests = 7\n", "configs/x.ini");
    cfg.set("memory.latency_ns", "90");
    const std::string dump = sim::dump_config(cfg, schema());
    CHECK(dump.find("[dev]\n") < dump.find("[dev1]\n"));
    CHECK(dump.find("[dev1]\n") < dump.find("[memory]\n"));
    CHECK(dump.find("latency_ns = 90  # command line\npolicy = closed  # configs/x.ini:3\n") !=
          std::string::npos);
    CHECK(dump.find("[dev1]\nrequests = 7  # configs/x.ini:5\n") != std::string::npos);
    // The template's defaults are comments: given, they would replace dev0's own.
    CHECK(dump.find("# base = 0  # default\n# requests = 10  # default\n") != std::string::npos);
    CHECK(dump.find("[dev0]") == std::string::npos);  // nothing given for it
}

TEST_CASE("dump_config: the dump reads back as the same values, instances included", "[config][dump]") {
    sim::Config cfg;
    cfg.load_ini_text("[dev]\nrequests = 5\n[dev0]\nrequests = 6\nbase = 4G\n", "a.ini");
    cfg.load_ini_text("[dev1]\nrequests = 8\n", "b.ini");
    cfg.set("dev.base", "0x1000");  // later than a.ini's dev0.base: it wins for dev0 too
    const sim::Config back = reload(sim::dump_config(cfg, schema()));
    for (const char* section : {"dev0", "dev1"}) {
        INFO(section);
        const Dev want = sim::read_params<Dev>(cfg, section, "dev");
        const Dev got = sim::read_params<Dev>(back, section, "dev");
        CHECK(got.requests == want.requests);
        CHECK(got.base == want.base);
    }
    CHECK(sim::read_params<Dev>(back, "dev0", "dev").base == 0x1000);
    CHECK(sim::read_params<Dev>(back, "dev1", "dev").requests == 8);
    CHECK(sim::config_digest(back, schema()) == sim::config_digest(cfg, schema()));
}

TEST_CASE("dump_config: a value INI cannot hold is an error naming its origin", "[config][dump]") {
    sim::Config cfg;
    cfg.set("memory.policy", "open#x");
    CHECK_THROWS_WITH(sim::dump_config(cfg, schema()),
                      Catch::StartsWith("command line: memory.policy: value cannot be written"));
    cfg.set("memory.policy", " open");
    CHECK_THROWS_AS(sim::dump_config(cfg, schema()), sim::InputError);
}

TEST_CASE("config_digest: values change it, comments and order do not", "[config][dump]") {
    sim::Config a, b, c;
    a.load_ini_text("[memory]\nlatency_ns = 90\npolicy = closed\n", "a.ini");
    b.load_ini_text("# same values\n[memory]\npolicy = closed   # why\n\nlatency_ns = 90\n", "b.ini");
    c.load_ini_text("[memory]\nlatency_ns = 91\npolicy = closed\n", "c.ini");
    const std::string da = sim::config_digest(a, schema());
    CHECK(da.size() == 16);
    CHECK(da == sim::config_digest(b, schema()));
    CHECK(da != sim::config_digest(c, schema()));
    CHECK(da != sim::config_digest(sim::Config(), schema()));
}

TEST_CASE("fnv1a64: the published FNV-1a 64 test values", "[config][dump]") {
    CHECK(sim::fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(sim::fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(sim::fnv1a64("foobar") == 0x85944171f73967e8ull);
}
