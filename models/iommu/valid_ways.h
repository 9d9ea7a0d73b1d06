// ValidWays: which ways of each set of a SetAssocCache hold an entry, one bit per way,
// so that a fill finds its set's lowest free way a word (64 ways) at a time instead of
// looking at every entry of a fully associative cache.
#pragma once

#include <cstdint>
#include <vector>

namespace iommu {

class ValidWays {
public:
    static constexpr uint32_t kNone = ~uint32_t(0);

    // Bits past the last way of a set are set for good, so they never look free.
    ValidWays(uint32_t sets, uint32_t ways) : words_((ways + 63) / 64), bits_(size_t(sets) * words_, 0) {
        if (ways % 64 == 0) return;
        const uint64_t padding = ~uint64_t(0) << (ways % 64);
        for (uint32_t s = 0; s < sets; ++s) bits_[size_t(s) * words_ + words_ - 1] = padding;
    }

    bool test(uint32_t set, uint32_t way) const { return word(set, way) >> (way % 64) & 1; }
    void mark(uint32_t set, uint32_t way) { word(set, way) |= bit(way); }
    void clear(uint32_t set, uint32_t way) { word(set, way) &= ~bit(way); }

    // The lowest way of `set` holding nothing, or kNone when the set is full.
    uint32_t lowest_free(uint32_t set) const {
        const uint64_t* w = &bits_[size_t(set) * words_];
        for (uint32_t i = 0; i < words_; ++i)
            if (~w[i]) return i * 64 + uint32_t(__builtin_ctzll(~w[i]));
        return kNone;
    }

private:
    static uint64_t bit(uint32_t way) { return uint64_t(1) << (way % 64); }
    uint64_t& word(uint32_t set, uint32_t way) { return bits_[size_t(set) * words_ + way / 64]; }
    const uint64_t& word(uint32_t set, uint32_t way) const { return bits_[size_t(set) * words_ + way / 64]; }

    uint32_t words_;  // per set
    std::vector<uint64_t> bits_;
};

}  // namespace iommu
