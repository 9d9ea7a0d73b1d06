// Link arithmetic against values worked out by hand from the PCIe Base Specification
// and the pcie-bench figures in shared/reference/measurements.md.
#include <catch2/catch.hpp>

#include "models/pcie/link_config.h"

using pcie::LinkConfig;
using pcie::LinkParams;

namespace {
LinkParams gen3x8() { return LinkParams{}; }  // defaults: Gen3 x8, MPS 256, MRRS 512
}

TEST_CASE("Gen3 x8 bandwidth after encoding and data-link overhead", "[link]") {
    LinkConfig c(gen3x8());
    // 8 GT/s x 8 lanes x 128/130
    CHECK(c.raw_gbps() == Approx(63.0154).epsilon(1e-5));
    // measurements.md: 57.88 Gb/s left for TLPs (Ack and UpdateFC every 203 B, SKIP)
    CHECK(c.tlp_gbps() == Approx(57.88).margin(0.005));
}

TEST_CASE("Gen1 x1 and Gen2 x4 use 8b/10b and their own DLLP intervals", "[link]") {
    LinkParams p;
    p.gen = 1;
    p.width = 1;
    p.mps = 128;
    LinkConfig g1(p);
    CHECK(g1.raw_gbps() == Approx(2.0));
    // 1 - 2*8/237 - 4/1538
    CHECK(g1.tlp_gbps() == Approx(2.0 * (1 - 16.0 / 237 - 4.0 / 1538)));
    p.gen = 2;
    p.width = 4;
    p.mps = 512;
    LinkConfig g2(p);
    CHECK(g2.raw_gbps() == Approx(16.0));
    CHECK(g2.tlp_gbps() == Approx(16.0 * (1 - 16.0 / 205 - 4.0 / 1538)));
}

TEST_CASE("Later generations double the rate, Gen6 uses 242/256", "[link]") {
    LinkParams p;
    p.gen = 4;
    CHECK(LinkConfig(p).raw_gbps() == Approx(2 * 63.0154).epsilon(1e-5));
    p.gen = 5;
    p.width = 16;
    CHECK(LinkConfig(p).raw_gbps() == Approx(32.0 * 16 * 128 / 130));
    p.gen = 6;
    CHECK(LinkConfig(p).raw_gbps() == Approx(64.0 * 16 * 242 / 256));
}

TEST_CASE("Memory writes: TLPs of at most MPS, never across 4 KiB, 24 B overhead each",
          "[link]") {
    LinkConfig c(gen3x8());
    auto t = c.write_request(0x1000, 64);
    CHECK(t.tlps == 1);
    CHECK(t.bytes == 64 + 24);
    t = c.write_request(0x1000, 1500);  // 6 pieces of at most 256 B
    CHECK(t.tlps == 6);
    CHECK(t.bytes == 1500 + 6 * 24);
    t = c.write_request(0x10f0, 64);  // unaligned but inside one page: one TLP
    CHECK(t.tlps == 1);
    t = c.write_request(0x1ff0, 64);  // crosses the 0x2000 page boundary
    CHECK(t.tlps == 2);
    CHECK(t.bytes == 64 + 2 * 24);
    t = c.write_request(0x1f00, 1500);  // 256 up to the page, 4 x 256, 220
    CHECK(t.tlps == 6);
    t = c.write_request(0x1f80, 1500);  // 128 up to the page, 5 x 256, 92
    CHECK(t.tlps == 7);
    CHECK(t.bytes == 1500 + 7 * 24);
}

TEST_CASE("3-DW headers below 4 GiB unless addr64, ECRC adds 4 B", "[link]") {
    LinkParams p;
    p.addr64 = false;
    LinkConfig c(p);
    CHECK(c.write_request(0x1000, 64).bytes == 64 + 20);            // 8 + 12
    CHECK(c.write_request(0x100000000ull, 64).bytes == 64 + 24);    // 8 + 16
    p.ecrc = true;
    LinkConfig e(p);
    CHECK(e.write_request(0x1000, 64).bytes == 64 + 24);
    CHECK(e.completions(0x1000, 64).bytes == 64 + 24);              // 8 + 12 + 4
}

TEST_CASE("Reads: requests by MRRS, completions by MPS or RCB", "[link]") {
    LinkParams p;
    LinkConfig c(p);
    auto r = c.read_request(0, 2048);
    CHECK(r.tlps == 4);
    CHECK(r.bytes == 4 * 24);
    auto cpl = c.completions(0, 2048);
    CHECK(cpl.tlps == 8);
    CHECK(cpl.bytes == 2048 + 8 * 20);
    p.completion_split = "rcb";
    LinkConfig rcb(p);
    CHECK(rcb.completions(0, 2048).tlps == 32);
    CHECK(rcb.completions(0x20, 64).tlps == 2);  // 0x20..0x5f crosses the 64 B boundary
    // MPS split, unaligned start: the first completion ends on an RCB boundary.
    // 0x1020..0x1220: 0x1020-0x1100 (224 B), 0x1100-0x1200 (256 B), 0x1200-0x1220 (32 B).
    CHECK(c.completions(0x1020, 512).tlps == 3);
    p.mps = 1024;  // completions never span two read requests (MRRS 512)
    p.completion_split = "mps";
    CHECK(LinkConfig(p).completions(0, 2048).tlps == 4);
    CHECK(c.completion_without_data().bytes == 20);
}

TEST_CASE("A message without data (Page Request): one 4-DW header, 24 B, 28 B with ECRC", "[link]") {
    LinkParams p = gen3x8();
    p.addr64 = false;  // messages have 4-DW headers whatever the address width
    CHECK(LinkConfig(p).message().tlps == 1);
    CHECK(LinkConfig(p).message().bytes == 24);
    p.ecrc = true;
    CHECK(LinkConfig(p).message().bytes == 28);
}

// Requests of at most 128 B take a shortcut when they fit in a page: the same answers
// as cutting them, at and across the 4 KiB and RCB boundaries.
TEST_CASE("Small requests: one TLP within a page, cut at 4 KiB and RCB boundaries", "[link]") {
    LinkParams p;
    LinkConfig c(p);
    CHECK(c.write_request(0xfc0, 64).tlps == 1);
    CHECK(c.write_request(0xfc0, 64).bytes == 24 + 64);
    CHECK(c.write_request(0xfe0, 64).tlps == 2);  // crosses 0x1000
    CHECK(c.write_request(0xfe0, 64).bytes == 2 * 24 + 64);
    CHECK(c.read_request(0xf80, 128).tlps == 1);
    CHECK(c.read_request(0xf81, 128).tlps == 2);
    CHECK(c.completions(0xf80, 128).tlps == 1);     // one completion of 128 B (MPS 256)
    CHECK(c.completions(0xfc1, 64).tlps == 2);      // two requests: one completion each
    CHECK(c.write_request(0x40, 0).tlps == 0);      // nothing to send
    CHECK(c.completions(0x40, 0).tlps == 0);
    p.completion_split = "rcb";
    LinkConfig rcb(p);
    CHECK(rcb.completions(0x40, 64).tlps == 1);
    CHECK(rcb.completions(0x41, 64).tlps == 2);     // 0x41..0x80 touches two 64 B blocks
    CHECK(rcb.completions(0x41, 128).tlps == 3);
    CHECK(rcb.completions(0x41, 128).bytes == 3 * 20 + 128);
}
