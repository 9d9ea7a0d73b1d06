// Lanes for concurrent spans: Perfetto draws the slices of one track only when they
// nest or are disjoint, so spans that overlap in time (outstanding DMAs, parallel walks)
// each take a lane, a track of their own. A span takes the lowest lane whose previous
// span ended by its start; lanes are numbered in the order first used, so the same run
// always gives the same lanes.
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

class LaneSet {
public:
    // The lane for a span [start_ps, end_ps); the lane is busy until end_ps.
    unsigned place(uint64_t start_ps, uint64_t end_ps) {
        unsigned lane = 0;
        while (lane < free_at_.size() && free_at_[lane] > start_ps) ++lane;
        if (lane == free_at_.size()) free_at_.push_back(0);
        free_at_[lane] = end_ps > start_ps ? end_ps : start_ps;
        return lane;
    }
    unsigned size() const { return unsigned(free_at_.size()); }

private:
    std::vector<uint64_t> free_at_;  // by lane: when its last span ends
};

}  // namespace sim
