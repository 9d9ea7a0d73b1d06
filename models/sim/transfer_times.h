// Serialization times at one rate, memoised by size: the rounding of sim::transfer_ps
// (a division and an llround) paid once per size instead of on every transfer. The
// link's lanes and DRAM bursts move a handful of sizes millions of times.
#pragma once

#include <vector>

#include "models/sim/time.h"

namespace sim {

class TransferTimes {
public:
    // Sizes below `memo_bytes` are remembered; larger ones are computed each time.
    TransferTimes(double gbit_per_s, uint64_t memo_bytes) : gbps_(gbit_per_s), known_(memo_bytes) {}
    ps_t operator()(uint64_t bytes) {
        if (bytes >= known_.size()) return transfer_ps(bytes, gbps_);
        ps_t& t = known_[bytes];
        if (!t) t = transfer_ps(bytes, gbps_);  // 0: not yet known (or no time at all)
        return t;
    }

private:
    double gbps_;
    std::vector<ps_t> known_;
};

}  // namespace sim
