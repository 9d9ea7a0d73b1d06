#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "models/memory/dram_timing.h"
#include "models/sim/error.h"
#include "tests/unit/memory/memory_test_util.h"

using memory::DramParams;
using memory::DramTiming;

namespace {

// 16 GB/s makes transfers round numbers: 64 B = 4000 ps, 128 B = 8000, 256 B = 16000.
// latency 80000 ps, bank busy 40000 ps; 4 channels x 16 banks, 256 B interleave, so
// bank 0 of channel 0 holds [0, 256), [16384, 16640), ...; [1024, 1280) is its bank 1.
DramParams round_params() {
    DramParams p;
    p.channel_gbytes = 16;
    return p;
}

}  // namespace

TEST_CASE("DramParams: bind names each field and interleave must be a power of two",
          "[memory][dram]") {
    memtest::TestBinder b;
    DramParams p;
    p.bind(b);
    REQUIRE(b.fields.size() == 6);
    CHECK(b.fields.at("channels").unit == "");
    CHECK(b.fields.at("banks").unit == "");
    CHECK(b.fields.at("interleave").unit == "B");
    CHECK(b.fields.at("latency_ns").unit == "ns");
    CHECK(b.fields.at("bank_busy_ns").unit == "ns");
    CHECK(b.fields.at("channel_gbytes").unit == "GB/s");

    b.u64_values = {{"interleave", 384}};
    p.bind(b);  // reading does not judge; validate() does, naming the key
    CHECK_THROWS_AS(p.validate(), sim::InputError);
    CHECK_THROWS_WITH(p.validate(), Catch::StartsWith("interleave:"));
    DramParams zero_bw;
    zero_bw.channel_gbytes = 0;
    CHECK_THROWS_WITH(DramTiming{zero_bw}, Catch::Contains("channel_gbytes"));
}

TEST_CASE("DramTiming: unloaded access takes latency + transfer rounded to ps",
          "[memory][dram]") {
    DramTiming d{DramParams{}};  // 80 ns, 19.2 GB/s: 64 B = 3333.33 ps -> 3333
    CHECK(d.access(0x1000, 64, false, 1000000) == 1000000 + 80000 + 3333);
    CHECK(d.access(0x100, 32, false, 0) == 80000 + 1667);  // ch1; 1666.67 ps rounds up
    CHECK(memtest::counter(d, "accesses") == 2);
    CHECK(memtest::counter(d, "bytes_read") == 96);
    CHECK(memtest::counter(d, "bytes_written") == 0);
    CHECK(memtest::counter(d, "bank_conflicts") == 0);
    CHECK(memtest::counter(d, "channel_conflicts") == 0);
    auto lat = memtest::stat(d, "latency_ns");
    CHECK(lat.at("count").get<uint64_t>() == 2);
    CHECK(lat.at("min").get<double>() == Approx(81.667));
    CHECK(lat.at("max").get<double>() == Approx(83.333));
}

// Chunks up to 4 KiB take their burst time from a table made at construction; larger
// ones compute it. Both must round as sim::transfer_ps does.
TEST_CASE("DramTiming: burst times from the table and beyond it round alike",
          "[memory][dram]") {
    DramParams p;  // 19.2 GB/s: 8 B = 416.67 ps -> 417, 8 KiB = 426666.67 ps -> 426667
    p.interleave = 16384;
    DramTiming d{p};
    const sim::ps_t apart = 10000000;  // each access finds bank and channel idle
    CHECK(d.access(0, 8, false, 0) == 80000 + 417);
    CHECK(d.access(0, 4096, false, apart) == apart + 80000 + 213333);
    CHECK(d.access(0, 8192, false, 2 * apart) == 2 * apart + 80000 + 426667);
    CHECK(d.access(0, 16384, false, 3 * apart) == 3 * apart + 80000 + 853333);
}

TEST_CASE("DramTiming: two accesses to one bank", "[memory][dram]") {
    DramTiming d{round_params()};
    CHECK(d.access(0, 64, false, 0) == 84000);     // bank free at 40000, channel at 84000
    CHECK(d.access(16384, 64, true, 0) == 124000);  // starts 40000, burst 120000
    CHECK(memtest::counter(d, "bank_conflicts") == 1);
    CHECK(memtest::counter(d, "channel_conflicts") == 0);
    CHECK(memtest::counter(d, "bytes_read") == 64);
    CHECK(memtest::counter(d, "bytes_written") == 64);
    // Arriving after the bank is free again (80000) is no conflict.
    CHECK(d.access(0, 64, false, 90000) == 90000 + 84000);
    CHECK(memtest::counter(d, "bank_conflicts") == 1);
    CHECK(memtest::stat(d, "latency_ns").at("mean").get<double>() == Approx(292.0 / 3));
}

TEST_CASE("DramTiming: two accesses to one channel in different banks", "[memory][dram]") {
    DramTiming d{round_params()};
    CHECK(d.access(0, 256, false, 0) == 96000);     // burst 80000..96000
    CHECK(d.access(1024, 256, false, 0) == 112000);  // bank 1 free; bus busy until 96000
    CHECK(memtest::counter(d, "bank_conflicts") == 0);
    CHECK(memtest::counter(d, "channel_conflicts") == 1);
    // Other channels are independent.
    CHECK(d.access(256, 256, false, 0) == 96000);
    CHECK(memtest::counter(d, "channel_conflicts") == 1);
}

TEST_CASE("DramTiming: address to channel and bank mapping", "[memory][dram]") {
    DramTiming d{round_params()};
    // Blocks 0, 4, 8, ..., 60 of channel 0 are its banks 0..15: no bank waits for another.
    for (uint64_t bank = 0; bank < 16; ++bank) d.access(bank * 1024, 64, false, 0);
    CHECK(memtest::counter(d, "bank_conflicts") == 0);
    CHECK(memtest::counter(d, "channel_conflicts") == 15);
    d.access(16 * 1024, 64, false, 0);  // block 64: channel 0, bank 0 again
    CHECK(memtest::counter(d, "bank_conflicts") == 1);
    // Blocks 1, 2, 3 are channels 1, 2, 3: idle buses.
    for (uint64_t ch = 1; ch < 4; ++ch) CHECK(d.access(ch * 256, 64, false, 0) == 84000);
    CHECK(memtest::counter(d, "channel_conflicts") == 16);
}

TEST_CASE("DramTiming: channels and banks that are not powers of two", "[memory][dram]") {
    DramParams p = round_params();
    p.channels = 3;
    p.banks = 5;
    DramTiming d{p};
    CHECK(d.access(0, 64, false, 0) == 84000);         // block 0: channel 0, bank 0
    CHECK(d.access(3 * 256, 64, false, 0) == 88000);   // block 3: channel 0, bank 1
    CHECK(memtest::counter(d, "bank_conflicts") == 0);
    CHECK(d.access(15 * 256, 64, false, 0) == 124000); // block 15: channel 0, bank 0
    CHECK(memtest::counter(d, "bank_conflicts") == 1);
    CHECK(d.access(256, 64, false, 0) == 84000);       // block 1: channel 1, idle
    CHECK(d.access(5 * 256, 64, false, 0) == 84000);   // block 5: channel 2, bank 1
    CHECK(memtest::counter(d, "channel_conflicts") == 1);  // only block 3's burst waited
}

TEST_CASE("DramTiming: an access is split at interleave boundaries across channels",
          "[memory][dram]") {
    DramTiming d{round_params()};
    // [128, 256) ch0: 88000; [256, 512) ch1: 96000; [512, 640) ch2: 88000.
    CHECK(d.access(128, 512, false, 0) == 96000);
    CHECK(memtest::counter(d, "accesses") == 1);
    CHECK(memtest::counter(d, "bytes_read") == 512);
    CHECK(d.access(768, 64, false, 0) == 84000);    // ch3 was never touched
    CHECK(d.access(512, 64, false, 0) == 124000);   // ch2 bank 0: starts 40000
    CHECK(d.access(1280, 64, false, 0) == 100000);  // ch1 bank 1 idle, bus busy to 96000
    CHECK(memtest::counter(d, "channel_conflicts") == 1);
}

TEST_CASE("DramTiming: an access past 2^64 - 1 wraps to 0", "[memory][dram]") {
    DramTiming d{round_params()};
    // [2^64 - 128, 2^64): ch3 bank15, 8000 ps; [0, 128): ch0 bank0, 8000 ps.
    CHECK(d.access(~uint64_t(0) - 127, 256, false, 0) == 88000);
    CHECK(d.access(0, 64, false, 0) == 124000);  // bank 0 of channel 0 was taken
    CHECK(d.access(0, 0, false, 5) == 5);        // empty: completes at arrival
    CHECK(memtest::counter(d, "accesses") == 2);
}

TEST_CASE("DramTiming: random traffic is bounded below and deterministic",
          "[memory][dram]") {
    const DramParams p;  // defaults: 19.2 GB/s, so transfers round
    DramTiming a{p}, b{p};
    std::mt19937_64 rng(2024);
    sim::ps_t now = 0;
    uint64_t read = 0, written = 0;
    for (int i = 0; i < 5000; ++i) {
        now += rng() % 20000;
        uint64_t addr = rng() % (uint64_t(1) << 34);
        uint32_t bytes = 1 + uint32_t(rng() % 1024);
        bool write = rng() & 1;
        (write ? written : read) += bytes;
        // The largest chunk bounds the transfer from below.
        uint64_t first = std::min<uint64_t>(bytes, 256 - addr % 256);
        uint64_t biggest = std::max<uint64_t>(first, std::min<uint64_t>(bytes - first, 256));
        sim::ps_t done = a.access(addr, bytes, write, now);
        INFO("access " << i);
        REQUIRE(done >= now + 80000 + sim::transfer_ps(biggest, 19.2 * 8));
        REQUIRE(b.access(addr, bytes, write, now) == done);
    }
    CHECK(memtest::counter(a, "bytes_read") == read);
    CHECK(memtest::counter(a, "bytes_written") == written);
    CHECK(memtest::counter(a, "bank_conflicts") > 0);
    CHECK(memtest::counter(a, "channel_conflicts") > 0);
    nlohmann::json ja, jb;
    a.write(ja, "m");
    b.write(jb, "m");
    CHECK(ja == jb);
}
