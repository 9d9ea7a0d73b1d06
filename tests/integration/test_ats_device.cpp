// A device with ATS and PRI behind the engine's pipeline, driven by a scripted unit
// whose answers each test chooses: what the device does with a completion without
// access (a page request, or untranslated), a PRG response, Unsupported Request, and
// a Translation Request that an invalidation overtakes. Both timing modes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/iommu/pipeline.h"
#include "models/memory/memory_controller.h"
#include "models/pcie/link.h"
#include "models/pcie/root_complex.h"
#include "models/pcie/traffic_generator.h"
#include "tests/support/scripted_unit.h"

namespace {

// Answers every request in the lookup stage. Translation Requests: identity 4 KiB
// pages, with access once `granted`, R=W=0 before; `ur`: Unsupported Request.
struct ScriptUnit : testutil::ScriptedUnit {
    bool granted = false, ur = false, accept_pri = true;
    iommu::PrgResponse answer = iommu::PrgResponse::Success;
    unsigned page_requests = 0, translation_requests = 0;
    std::function<void()> on_tr;  // told of each TR as it is answered
    bool lookup(const iommu::Request& r, iommu::Result& out) override {
        out = iommu::untranslated(r);
        if (r.at != iommu::At::TranslationRequest) return true;
        ++translation_requests;
        if (on_tr) on_tr();
        out.fault = ur;
        out.pa = r.iova & ~uint64_t(0xfff);
        out.read = out.write = granted;
        return true;
    }
    // Software answers at once: the page is made accessible on Success.
    bool page_request(const iommu::PageRequest& pr) override {
        ++page_requests;
        if (!accept_pri) return false;
        granted = answer == iommu::PrgResponse::Success;
        iommu::PageResponse resp;
        resp.sid = pr.sid;
        resp.prg_index = pr.prg_index;
        resp.code = answer;
        endpoints->page_response(resp);
        return true;
    }
};

struct ToDevice : iommu::Endpoints {
    pcie::TrafficGenerator* dev = nullptr;
    void invalidate(const iommu::AtsInvalidation& inv) override { dev->invalidate_atc(inv); }
    void page_response(const iommu::PageResponse& r) override { dev->page_response(r); }
};

pcie::GeneratorParams device(bool pri) {
    pcie::GeneratorParams p = testutil::one_page_reads();
    p.ats = true;
    p.pri = pri;
    return p;
}

struct Rig {
    tlmx::Mode mode;
    ScriptUnit unit;
    ToDevice eps;
    memory::MemoryController memory;
    iommu::Pipeline pipeline;
    pcie::RootComplex rc;
    pcie::Link link;
    pcie::TrafficGenerator dev;

    Rig(const std::string& m, bool pri)
        : mode(tlmx::parse_mode(m)),
          memory("memory", {}, {}, {}, mode),
          pipeline("iommu", {}, unit, mode),
          rc("rc", {}, mode),
          link("link", {}, mode),
          dev("dev", device(pri), 1, mode) {
        unit.endpoints = &eps;
        eps.dev = &dev;
        dev.socket.bind(link.device_side);
        link.host_side.bind(rc.port(0));
        rc.host.bind(pipeline.upstream);
        pipeline.downstream.bind(memory.socket);
        dev.enable_ats(true);
        dev.enable_pri(pri);
    }
    void run() { sc_core::sc_start(); }
    uint64_t stat(const sc_core::sc_object& o, const sim::StatGroup& g, const std::string& name) {
        nlohmann::json j;
        g.write(j, o.name());
        const std::string key = std::string(o.name()) + "." + name;
        return j.contains(key) ? j.at(key).get<uint64_t>() : 0;
    }
    uint64_t dev_stat(const std::string& n) { return stat(dev, dev, n); }
    uint64_t iommu_stat(const std::string& n) { return stat(pipeline, pipeline, n); }
};

void no_access_with_pri(const std::string& mode) {
    Rig rig(mode, true);
    rig.run();
    CHECK(rig.dev.reads() == 8);
    CHECK(rig.dev.error_completions() == 0);
    CHECK(rig.unit.page_requests == 1);
    CHECK(rig.dev_stat("pri.page_requests") == 1);
    CHECK(rig.dev_stat("pri.responses.success") == 1);
    CHECK(rig.dev_stat("ats.no_access") == 1);
    CHECK(rig.dev_stat("ats.translated") == 8);
    CHECK(rig.iommu_stat("pcie.pri.page_requests") == 1);
    CHECK(rig.iommu_stat("pcie.ats.no_access") == 1);
}

void invalid_request_fails(const std::string& mode) {
    Rig rig(mode, true);
    rig.unit.answer = iommu::PrgResponse::InvalidRequest;
    rig.run();
    CHECK(rig.dev.reads() == 0);
    CHECK(rig.dev.error_completions() == 8);
    CHECK(rig.dev_stat("pri.responses.invalid_request") >= 1);
}

void refused_page_request_fails(const std::string& mode) {
    Rig rig(mode, true);
    rig.unit.accept_pri = false;
    rig.run();
    CHECK(rig.dev.error_completions() == 8);
    CHECK(rig.dev_stat("pri.responses.failure") >= 1);
    CHECK(rig.iommu_stat("pcie.pri.refused") >= 1);
}

void no_access_without_pri(const std::string& mode) {
    Rig rig(mode, false);
    rig.run();
    CHECK(rig.dev.reads() == 8);
    CHECK(rig.dev_stat("ats.untranslated") >= 1);
    CHECK(rig.dev_stat("ats.translated") == 0);
    CHECK(rig.dev_stat("pri.page_requests") == 0);
}

void unsupported_request_fails(const std::string& mode) {
    Rig rig(mode, true);
    rig.unit.ur = true;
    rig.run();
    CHECK(rig.dev.reads() == 0);
    CHECK(rig.dev.error_completions() == 8);
    CHECK(rig.iommu_stat("pcie.ats.unsupported") >= 1);
}

// The first TR is overtaken by an invalidation of its page while the unit answers
// it: its completion must not fill the ATC; the device asks again.
void overtaken_tr_retries(const std::string& mode) {
    Rig rig(mode, false);
    rig.unit.granted = true;
    rig.unit.on_tr = [&rig] {
        if (rig.unit.translation_requests != 1) return;
        iommu::AtsInvalidation inv;
        inv.sid = 0x0100;
        inv.addr = 0x10'0000;
        inv.size = 4096;
        rig.eps.invalidate(inv);
    };
    rig.run();
    CHECK(rig.dev.reads() == 8);
    CHECK(rig.dev_stat("ats.stale") == 1);
    CHECK(rig.dev_stat("ats.translation_requests") == 2);
    CHECK(rig.dev_stat("ats.translated") == 8);
}

}  // namespace

TEST_CASE("ATS device, timing: no access with PRI pages in, then translates", "[integration][ats]") {
    no_access_with_pri("timing");
}
TEST_CASE("ATS device, atomic: no access with PRI pages in, then translates", "[integration][ats]") {
    no_access_with_pri("atomic");
}
TEST_CASE("ATS device, timing: an Invalid Request response fails the requests", "[integration][ats]") {
    invalid_request_fails("timing");
}
TEST_CASE("ATS device, atomic: an Invalid Request response fails the requests", "[integration][ats]") {
    invalid_request_fails("atomic");
}
TEST_CASE("ATS device, timing: a page request the unit refuses gets Response Failure",
          "[integration][ats]") {
    refused_page_request_fails("timing");
}
TEST_CASE("ATS device, atomic: a page request the unit refuses gets Response Failure",
          "[integration][ats]") {
    refused_page_request_fails("atomic");
}
TEST_CASE("ATS device, timing: no access without PRI goes untranslated", "[integration][ats]") {
    no_access_without_pri("timing");
}
TEST_CASE("ATS device, atomic: no access without PRI goes untranslated", "[integration][ats]") {
    no_access_without_pri("atomic");
}
TEST_CASE("ATS device, timing: Unsupported Request fails the requests", "[integration][ats]") {
    unsupported_request_fails("timing");
}
TEST_CASE("ATS device, atomic: Unsupported Request fails the requests", "[integration][ats]") {
    unsupported_request_fails("atomic");
}
TEST_CASE("ATS device, timing: a TR overtaken by an invalidation fills nothing and is retried",
          "[integration][ats]") {
    overtaken_tr_retries("timing");
}
TEST_CASE("ATS device, atomic: a TR overtaken by an invalidation fills nothing and is retried",
          "[integration][ats]") {
    overtaken_tr_retries("atomic");
}
