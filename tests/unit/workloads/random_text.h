// Fuzz input for the workloads' parsers: up to max_len - 1 characters of `alphabet`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "models/sim/rng.h"

inline std::string random_text(sim::Rng& rng, std::string_view alphabet, uint64_t max_len) {
    std::string text;
    const uint64_t len = rng.uniform(max_len);
    for (uint64_t k = 0; k < len; ++k) text += alphabet[rng.uniform(alphabet.size())];
    return text;
}
