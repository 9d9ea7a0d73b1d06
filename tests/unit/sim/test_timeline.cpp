// Timeline lanes and event classes: overlapping spans go to separate lanes, the lowest
// free one; --timeline-events names classes and refuses unknown ones.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "models/sim/error.h"
#include "models/sim/lane_set.h"
#include "models/sim/timeline.h"

TEST_CASE("LaneSet: a span takes the lowest lane whose previous span ended by its start", "[timeline]") {
    sim::LaneSet l;
    CHECK(l.place(0, 10) == 0);
    CHECK(l.place(5, 20) == 1);   // lane 0 busy until 10
    CHECK(l.place(7, 8) == 2);
    CHECK(l.place(10, 30) == 0);  // lane 0 ended at 10 exactly: free
    CHECK(l.place(12, 13) == 2);  // lane 1 busy until 20, lane 2 free since 8
    CHECK(l.place(25, 26) == 1);
    CHECK(l.size() == 3);
}

TEST_CASE("Timeline: event classes by name, an unknown one listing the valid ones", "[timeline]") {
    using T = sim::Timeline;
    CHECK(T::parse_classes("") == T::all_classes);
    CHECK(T::parse_classes("walk") == 1u << T::Walk);
    CHECK(T::parse_classes("dma,inv,counter") == ((1u << T::Dma) | (1u << T::Inv) | (1u << T::Counter)));
    try {
        T::parse_classes("dma,walks");
        FAIL("no error");
    } catch (const sim::InputError& e) {
        CHECK(std::string(e.what()) ==
              "command line: --timeline-events: unknown class 'walks' (valid: dma, translation, walk, fault, inv, "
              "ats, cpu, counter, flow)");
    }
}

TEST_CASE("Timeline: lanes named when first used, classes not selected write nothing", "[timeline]") {
    const std::string path = "test_timeline.json";
    {
        sim::Timeline t(path, sim::Timeline::parse_classes("dma,flow"));
        const int dma = t.lanes("dev0", "dma", sim::Timeline::Dma);
        CHECK(t.lanes("iommu", "walks", sim::Timeline::Walk) == 0);
        CHECK(t.counter("iommu", "queue depth") == 0);
        const int a = t.lane_span(dma, "read", 0, 2000000);
        const int b = t.lane_span(dma, "read", 1000000, 3000000);
        CHECK(a != b);
        CHECK(t.lane_span(dma, "write", 2000000, 2500000) == a);
        t.flow_start(a, t.new_flow(), 1000000);
    }
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    const std::string json = s.str();
    CHECK(json.find("\"name\":\"dma 0\"") != std::string::npos);
    CHECK(json.find("\"name\":\"dma 1\"") != std::string::npos);
    CHECK(json.find("\"name\":\"dma 2\"") == std::string::npos);
    CHECK(json.find("walks") == std::string::npos);
    CHECK(json.find("\"ph\":\"s\",\"name\":\"request\",\"cat\":\"flow\",\"pid\":1,\"tid\":1,\"ts\":1.000000,\"id\":1") !=
          std::string::npos);
    std::remove(path.c_str());
}
