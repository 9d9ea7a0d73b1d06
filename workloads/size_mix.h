// A packet-size distribution: "1500", or sizes with weights "64:7,576:4,1500:1" (the
// simple IMIX). Draws are deterministic from the run's seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/sim/rng.h"

namespace workload {

class SizeMix {
public:
    // Throws sim::InputError("reason") for text that is not SIZE[:WEIGHT][,...] with
    // sizes in [min, max], multiples of `unit`, and positive integer weights.
    static SizeMix parse(const std::string& text, uint32_t min, uint32_t max, uint32_t unit = 1);
    uint32_t draw(sim::Rng& rng) const;
    double mean() const;

private:
    struct Entry {
        uint32_t size;
        uint64_t weight;
    };
    std::vector<Entry> entries_;
    uint64_t total_ = 0;
};

}  // namespace workload
