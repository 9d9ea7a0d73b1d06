#include <catch2/catch.hpp>

#include "models/host/cpu.h"

using host::Cpu;
using host::Work;

TEST_CASE("A core runs its work one piece after another", "[cpu]") {
    Cpu cpu(2);
    CHECK(cpu.run(0, 1000, {100, 0}) == 101'000);
    CHECK(cpu.run(0, 1000, {50, 0}) == 151'000);   // queued behind the first
    CHECK(cpu.run(0, 500'000, {10, 0}) == 510'000);  // idle in between
    CHECK(cpu.run(1, 1000, {100, 0}) == 101'000);  // the other core is free
    CHECK(cpu.free_at(0) == 510'000);
    CHECK(cpu.busy_ns() == Approx(260.0));
}

TEST_CASE("The locked part waits for the lock, spinning", "[cpu]") {
    Cpu cpu(2);
    // core 0: 100 ns unlocked then 500 ns locked: holds the lock 100..600 ns
    CHECK(cpu.run(0, 0, {600, 500}) == 600'000);
    // core 1 reaches its locked part at 50 ns, spins until 600, holds it until 1100
    CHECK(cpu.run(1, 0, {550, 500}) == 1'100'000);
    CHECK(cpu.busy_ns() == Approx(600.0 + 1100.0));
    // after the lock is free nobody waits
    CHECK(cpu.run(0, 2'000'000, {10, 10}) == 2'010'000);
}

TEST_CASE("Locked time beyond the work's length is all locked", "[cpu]") {
    Cpu cpu(1);
    CHECK(cpu.run(0, 0, {10, 40}) == 40'000);
}
