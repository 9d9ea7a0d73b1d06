// Small formatting helpers shared by the commands' outputs (op log, traces, JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sim {

// "0x1f": lower-case hex with the 0x prefix, as traces, op logs and walk output write it.
inline std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

}  // namespace sim
