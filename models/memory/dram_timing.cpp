#include "models/memory/dram_timing.h"

#include <algorithm>
#include <string>

#include "models/sim/error.h"
#include "models/sim/pow2.h"

namespace memory {

void DramParams::bind(sim::ParamBinder& b) {
    b.u32("channels", channels, "", "memory channels", 1, 64);
    b.u32("banks", banks, "", "banks per channel", 1, 1024);
    b.u64("interleave", interleave, "B",
          "bytes mapped to one channel before moving to the next (power of two)", 1,
          1ull << 30);
    b.f64("latency_ns", latency_ns, "ns", "arrival at an idle bank to the first data beat",
          0, 1e6);
    b.f64("bank_busy_ns", bank_busy_ns, "ns", "how long an access occupies its bank", 0,
          1e6);
    b.f64("channel_gbytes", channel_gbytes, "GB/s", "data bus bandwidth per channel",
          1e-3, 1e4);
}

void DramParams::validate() const {
    if (channels == 0) throw sim::InputError("channels: must be at least 1");
    if (banks == 0) throw sim::InputError("banks: must be at least 1");
    if (!interleave || (interleave & (interleave - 1)))
        throw sim::InputError("interleave: " + std::to_string(interleave) +
                              " is not a power of two");
    if (!(latency_ns >= 0)) throw sim::InputError("latency_ns: must be >= 0");
    if (!(bank_busy_ns >= 0)) throw sim::InputError("bank_busy_ns: must be >= 0");
    if (!(channel_gbytes > 0)) throw sim::InputError("channel_gbytes: must be > 0");
}

namespace {

// Validates before any member sized from the parameters is built.
const DramParams& checked(const DramParams& p) {
    p.validate();
    return p;
}

}  // namespace

DramTiming::DramTiming(const DramParams& p)
    : params_(checked(p)),
      latency_ps_(sim::ns_to_ps(p.latency_ns)),
      bank_busy_ps_(sim::ns_to_ps(p.bank_busy_ns)),
      interleave_shift_(sim::log2_floor(p.interleave)),
      channel_shift_(sim::log2_floor(p.channels)),
      pow2_geometry_(sim::is_pow2(p.channels) && sim::is_pow2(p.banks)),
      bank_free_(size_t(p.channels) * p.banks, 0),
      channel_free_(p.channels, 0),
      // GB/s * 8 = Gbit/s; scaling by 8 is exact in binary, so rounding is that of B/GBps.
      burst_(p.channel_gbytes * 8.0, std::min<uint64_t>(p.interleave, kMemoBytes) + 1) {}

sim::ps_t DramTiming::access(uint64_t addr, uint32_t bytes, bool write, sim::ps_t arrival) {
    if (!bytes) return arrival;
    ++accesses_;
    (write ? bytes_written_ : bytes_read_) += bytes;
    sim::ps_t done = arrival;
    const uint64_t il = params_.interleave;
    while (bytes) {
        uint32_t n = uint32_t(std::min<uint64_t>(bytes, il - (addr & (il - 1))));
        done = std::max(done, chunk(addr, n, arrival));
        addr += n;  // wraps modulo 2^64, as memory does
        bytes -= n;
    }
    latency_.sample(sim::ps_to_ns(done - arrival));
    return done;
}

// channel = block % channels, bank = block / channels % banks (block = a / interleave).
void DramTiming::locate(uint64_t a, uint32_t& ch, uint32_t& bank) const {
    const uint64_t block = a >> interleave_shift_;
    if (pow2_geometry_) {
        ch = uint32_t(block & (params_.channels - 1));
        bank = uint32_t((block >> channel_shift_) & (params_.banks - 1));
    } else {
        ch = uint32_t(block % params_.channels);
        bank = uint32_t(block / params_.channels % params_.banks);
    }
}

sim::ps_t DramTiming::chunk(uint64_t a, uint32_t bytes, sim::ps_t arrival) {
    uint32_t ch, bank;
    locate(a, ch, bank);

    sim::ps_t& bf = bank_free(ch, bank);
    sim::ps_t start = std::max(arrival, bf);
    if (start > arrival) ++bank_conflicts_;
    bf = start + bank_busy_ps_;

    sim::ps_t& cf = channel_free_[ch];
    sim::ps_t burst = std::max(start + latency_ps_, cf);
    if (burst > start + latency_ps_) ++channel_conflicts_;
    cf = burst + burst_(bytes);
    return cf;
}

}  // namespace memory
