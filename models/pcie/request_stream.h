// What a traffic generator asks for, in order: the functional core of the device,
// independent of timing, so both timing modes issue the same requests.
#pragma once

#include <cstdint>
#include <string>

#include "models/pcie/atc.h"
#include "models/sim/rng.h"

namespace sim { class ParamBinder; }

namespace pcie {

struct GeneratorParams {
    uint64_t requests = 10000;        // after the write_first pass
    uint64_t size = 64;               // bytes per request
    double read_fraction = 1.0;       // share of reads; the rest are writes
    std::string pattern = "sequential";  // sequential | random | strided
    uint64_t base = uint64_t(1) << 32;   // start of the window (bus address)
    uint64_t window = 1 << 20;        // bytes the addresses fall in
    uint64_t stride = 4096;           // strided: distance between requests
    bool write_first = false;         // first write the whole window once, sequentially
    uint32_t tags = 64;               // outstanding non-posted requests (the read engine)
    uint32_t posted_credits = 0;      // posted-header credits (the write engine); 0: unlimited
    double interval_ns = 0;           // minimum time between issues (0: as fast as allowed)
    double read_interval_ns = -1;     // the read engine's; < 0: interval_ns
    double write_interval_ns = -1;    // the write engine's; < 0: interval_ns
    double latency_ns = 0;            // device-internal, completion side (traffic_generator.h)
    double start_ns = 0;              // first issue
    uint32_t requester_id = 0x0100;   // bus 1, device 0, function 0
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool privileged = false;
    bool execute = false;
    bool no_snoop = false;
    bool relaxed_ordering = false;
    uint32_t traffic_class = 0;
    std::string preload = "memory";   // none | memory | cpu: who writes the pattern first
    bool verify = true;               // check read data against the pattern
    uint64_t data_seed = 1;           // pattern seed (data_pattern.h)
    bool ats = false;                 // ATS capability: translations cached in the device's ATC
    bool pri = false;                 // Page Request Interface (needs ats)
    bool stall = false;               // tolerates stalled transactions ("dma-can-stall")
    AtcParams atc;                    // atc.entries, atc.ways

    void bind(sim::ParamBinder& b);
    double engine_interval_ns(bool read) const {
        const double v = read ? read_interval_ns : write_interval_ns;
        return v < 0 ? interval_ns : v;
    }
    // Throws sim::InputError("NAME: reason") for what ranges cannot express.
    void validate() const;
};

struct Request {
    uint64_t addr;
    uint32_t size;
    bool read;
    // Requests fed to a device (TrafficGenerator::feed, from a trace) carry their own
    // PASID and No Snoop and a cookie their completion reports; synthetic ones take the
    // device's parameters.
    bool fed = false;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool no_snoop = false;
    bool privileged = false, execute = false;
    uint64_t at_ps = 0;  // fed: not issued before this time
    uint64_t cookie = 0;
    // fed: goes ahead of the fed requests not yet issued that lack it (a device's own
    // arbitration, such as an NVMe controller's command fetches before its data)
    bool priority = false;
    bool untranslated = false;  // ATS: issue untranslated (the ATC cannot serve it)
};

class RequestStream {
public:
    RequestStream(const GeneratorParams& p, uint64_t seed, const std::string& stream_name);
    bool done() const { return issued_ == total_; }
    uint64_t total() const { return total_; }
    // The next request; call only when !done().
    const Request& peek() const { return next_; }
    void advance();

private:
    // Request i's address, size and direction into next_ (its other fields never change).
    void make(uint64_t i);

    enum class Kind { Sequential, Random, Strided };
    GeneratorParams p_;
    Kind kind_;
    sim::Rng rng_;
    uint64_t first_pass_, total_, issued_ = 0, slots_;
    Request next_{};
};

}  // namespace pcie
