// DramTiming: when a memory access completes. The timing core of the memory
// controller; it holds no data (SparseMemory / CoherentCache do).
//
// An access is split at interleave boundaries; each chunk goes to one bank of one
// channel:
//   channel = (a / interleave) % channels,  bank = (a / (interleave * channels)) % banks
// (a = the chunk's first address). A chunk starts when it has arrived and its bank is
// free, occupies the bank for bank_busy, and its data burst starts latency after the
// start or when the channel's data bus frees up, whichever is later, lasting
// bytes / channel_gbytes. The access completes with its last burst, so an unloaded
// single-chunk access takes latency + transfer.
#pragma once

#include <cstdint>
#include <vector>

#include "models/sim/params.h"
#include "models/sim/stats.h"
#include "models/sim/time.h"
#include "models/sim/transfer_times.h"

namespace memory {

struct DramParams {
    uint32_t channels = 4;
    uint32_t banks = 16;          // per channel
    uint64_t interleave = 256;    // bytes, power of two
    double latency_ns = 80;       // arrival at an idle bank to the first data beat
    double bank_busy_ns = 40;     // how long an access occupies its bank
    double channel_gbytes = 19.2; // data bus, GB/s (1e9 bytes) per channel

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError naming the key on values the ranges cannot express.
    void validate() const;
};

class DramTiming : public sim::StatGroup {
public:
    explicit DramTiming(const DramParams& p);

    // Reserves banks and channels for [addr, addr + bytes) arriving at `arrival`;
    // returns when its last data beat is done. bytes == 0 completes at arrival.
    // Arrivals need not be monotonic: each resource is simply taken at max(want, free).
    sim::ps_t access(uint64_t addr, uint32_t bytes, bool write, sim::ps_t arrival);

    const DramParams& params() const { return params_; }
    // No access of any bytes completes sooner after its arrival.
    sim::ps_t min_latency() const { return latency_ps_; }

private:
    sim::ps_t chunk(uint64_t addr, uint32_t bytes, sim::ps_t arrival);
    void locate(uint64_t addr, uint32_t& ch, uint32_t& bank) const;
    sim::ps_t& bank_free(uint32_t ch, uint32_t bank) {
        return bank_free_[size_t(ch) * params_.banks + bank];
    }

    DramParams params_;
    sim::ps_t latency_ps_, bank_busy_ps_;
    // The address map as shifts and masks: interleave is a power of two; channels and
    // banks usually are (pow2_geometry_), else locate() divides.
    unsigned interleave_shift_, channel_shift_;
    bool pow2_geometry_;
    std::vector<sim::ps_t> bank_free_;     // [channel * banks + bank]
    std::vector<sim::ps_t> channel_free_;  // data bus of each channel
    // Burst time by chunk size (a chunk is at most interleave bytes).
    static constexpr uint64_t kMemoBytes = 4096;
    sim::TransferTimes burst_;

    sim::Counter accesses_{*this, "accesses", "", "accesses serviced"};
    sim::Counter bytes_read_{*this, "bytes_read", "B", "bytes read"};
    sim::Counter bytes_written_{*this, "bytes_written", "B", "bytes written"};
    sim::Counter bank_conflicts_{*this, "bank_conflicts", "",
                                 "chunks whose start waited for a busy bank"};
    sim::Counter channel_conflicts_{*this, "channel_conflicts", "",
                                    "data bursts that waited for a busy channel"};
    sim::Average latency_{*this, "latency_ns", "ns", "arrival to completion per access"};
};

}  // namespace memory
