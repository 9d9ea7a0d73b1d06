// How nic_ring's DMAs are told apart when they complete: a cookie holds the queue,
// the descriptor index, the step, and whether it belongs to the transmit side.
#pragma once

#include <cstdint>

namespace workload::nic {

enum Step : uint64_t { kDescriptorRead = 0, kData = 1, kWriteBack = 2 };
constexpr uint64_t kTx = uint64_t(1) << 39;
constexpr uint64_t kDescriptorBytes = 16;
constexpr uint64_t kWireOverhead = 20;  // preamble + start delimiter (8) and inter-frame gap (12)

inline uint64_t cookie(unsigned queue, uint32_t idx, Step s, bool tx = false) {
    return uint64_t(queue) << 40 | (tx ? kTx : 0) | uint64_t(idx) << 2 | s;
}
inline unsigned queue_of(uint64_t c) { return unsigned(c >> 40); }
inline uint32_t index_of(uint64_t c) { return uint32_t((c & (kTx - 1)) >> 2); }
inline Step step_of(uint64_t c) { return Step(c & 3); }

}  // namespace workload::nic
