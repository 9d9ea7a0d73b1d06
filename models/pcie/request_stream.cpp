#include "models/pcie/request_stream.h"

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace pcie {

void GeneratorParams::bind(sim::ParamBinder& b) {
    b.u64("requests", requests, "", "requests to issue (after the write_first pass)", 0,
          uint64_t(1) << 40);
    b.u64("size", size, "B", "bytes per request", 1, 1 << 16);
    b.f64("read_fraction", read_fraction, "", "share of requests that are reads", 0, 1);
    b.choice("pattern", pattern, {"sequential", "random", "strided"},
             "address pattern within the window");
    b.u64("base", base, "B", "bus address where the window starts", 0, uint64_t(1) << 62);
    b.u64("window", window, "B", "size of the address window", 1, uint64_t(1) << 48);
    b.u64("stride", stride, "B", "strided pattern: distance between requests", 1,
          uint64_t(1) << 40);
    b.flag("write_first", write_first, "first write the whole window once, sequentially");
    b.u32("tags", tags, "", "outstanding non-posted requests (PCIe tags)", 1, 1024);
    b.u32("posted_credits", posted_credits, "",
          "posted-header credits: writes outstanding until the host has taken them; 0: unlimited",
          0, 1 << 16);
    b.f64("interval_ns", interval_ns, "ns",
          "minimum time between issues of one engine; 0: back to back; what read_interval_ns "
          "and write_interval_ns default to", 0, 1e9);
    b.f64("read_interval_ns", read_interval_ns, "ns",
          "the read engine's minimum time between issues; -1: interval_ns", -1, 1e9);
    b.f64("write_interval_ns", write_interval_ns, "ns",
          "the write engine's minimum time between issues; -1: interval_ns", -1, 1e9);
    b.f64("latency_ns", latency_ns, "ns",
          "device-internal time from a request's last completion (a read's data, a write's "
          "acknowledgement) to its end, off the link and holding no tag or credit", 0, 1e9);
    b.f64("start_ns", start_ns, "ns", "time of the first request", 0, 1e12);
    b.u32("requester_id", requester_id, "", "requester ID (bus<<8 | dev<<3 | fn)", 0, 0xffff);
    b.flag("pasid_valid", pasid_valid, "requests carry a PASID prefix");
    b.u32("pasid", pasid, "", "PASID value", 0, 0xfffff);
    b.flag("privileged", privileged, "PASID prefix: privileged-mode request");
    b.flag("execute", execute, "PASID prefix: execute request");
    b.flag("no_snoop", no_snoop, "set the No Snoop attribute");
    b.flag("relaxed_ordering", relaxed_ordering, "set the Relaxed Ordering attribute");
    b.u32("traffic_class", traffic_class, "", "traffic class", 0, 7);
    b.choice("preload", preload, {"none", "memory", "cpu"},
             "before the run the window holds the pattern: not at all, in memory, or in the "
             "CPU cache (dirty)");
    b.flag("verify", verify, "check read data against the pattern");
    b.flag("ats", ats, "ATS capability: the device asks the IOMMU for translations and caches them "
                       "(ATC); the driver enables ATS when it attaches the device");
    b.flag("pri", pri, "Page Request Interface: a translation without access becomes a page "
                       "request to software (needs ats)");
    b.flag("stall", stall, "tolerates stalled transactions (firmware \"dma-can-stall\"): on SMMUv3 "
                           "with smmuv3.stall_model 0 its driver sets CD.S");
    atc.bind(b);
    b.u64("data_seed", data_seed, "", "seed of the data pattern", 0, ~uint64_t(0));
}

void GeneratorParams::validate() const {
    if (size > window)
        throw sim::InputError("size|window: " + std::to_string(size) + " is larger than the window (" +
                              std::to_string(window) + ")");
    if ((privileged || execute) && !pasid_valid)
        throw sim::InputError(std::string(privileged ? "privileged" : "execute") +
                              ": needs pasid_valid (a PASID prefix)");
    if (pri && !ats) throw sim::InputError("pri: needs ats (PRI is part of ATS)");
    atc.validate();
    if (preload != "none" && window > (uint64_t(1) << 30))
        throw sim::InputError("preload|window: a window of " + std::to_string(window) +
                              " bytes is too large to preload (1 GiB at most)");
}

RequestStream::RequestStream(const GeneratorParams& p, uint64_t seed, const std::string& name)
    : p_(p),
      kind_(p.pattern == "random"    ? Kind::Random
            : p.pattern == "strided" ? Kind::Strided
                                      : Kind::Sequential),
      rng_(seed, name),
      slots_(p.window / p.size) {
    first_pass_ = p.write_first ? slots_ : 0;
    total_ = first_pass_ + p.requests;
    if (!done()) make(0);
}

void RequestStream::advance() {
    if (++issued_ < total_) make(issued_);
}

// Addresses are request-aligned within the window; reads and writes are drawn only
// when the mix needs a draw, so a pure pattern spends no random numbers on it.
void RequestStream::make(uint64_t i) {
    const uint32_t size = uint32_t(p_.size);
    next_.size = size;
    if (i < first_pass_) {
        next_.addr = p_.base + i * size;
        next_.read = false;
        return;
    }
    const uint64_t k = i - first_pass_;
    uint64_t off;
    if (kind_ == Kind::Sequential)
        off = (k % slots_) * size;
    else if (kind_ == Kind::Random)
        off = rng_.uniform(slots_) * size;
    else
        off = (k * p_.stride) % (p_.window - size + 1);
    bool read = p_.read_fraction >= 1.0;
    if (p_.read_fraction > 0.0 && p_.read_fraction < 1.0) read = rng_.chance(p_.read_fraction);
    next_.addr = p_.base + off;
    next_.read = read;
}

}  // namespace pcie
