// SparseMemory: the data of a 64-bit physical address space.
//
// 4 KiB frames are allocated on the first write that touches them; reading untouched
// bytes returns 0 and allocates nothing, so a terabyte-sized address space costs only
// what the workload writes. Addresses are modular: an access running past 2^64 - 1
// continues at 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "models/sim/stats.h"

namespace memory {

class SparseMemory : public sim::StatGroup {
public:
    static constexpr uint64_t kFrameBytes = 4096;

    void read(uint64_t addr, void* dst, size_t len) const;
    void write(uint64_t addr, const void* src, size_t len);
    // Little-endian 64-bit values, as the page tables of every modelled IOMMU use.
    uint64_t read_u64(uint64_t addr) const;
    void write_u64(uint64_t addr, uint64_t value);
    // Frames allocated so far (frames are never freed).
    size_t frames() const { return frames_.size(); }
    // A 53-bit digest of the contents (exact in a JSON number), independent of which
    // frames happen to be allocated: all-zero frames do not count. Visits frames in
    // address order, so equal contents give equal digests.
    uint64_t digest() const;

private:
    using Frame = std::array<uint8_t, kFrameBytes>;

    // Private, so it may hand out a mutable frame to write() from a const lookup.
    Frame* find(uint64_t frame_no) const;
    Frame& get_or_alloc(uint64_t frame_no);

    std::unordered_map<uint64_t, std::unique_ptr<Frame>> frames_;
    // One-entry cache of the last frame found: walks and bursts hit one frame in a row.
    // Only present frames are cached, and frames are never freed, so it never dangles.
    mutable uint64_t last_no_ = 0;
    mutable Frame* last_ = nullptr;

    sim::Counter frames_stat_{*this, "frames", "", "4 KiB frames allocated"};
};

}  // namespace memory
