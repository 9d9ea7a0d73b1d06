#include "workloads/size_mix.h"

#include <sstream>

#include "models/sim/error.h"

namespace workload {

namespace {

uint64_t number(const std::string& s, const std::string& what) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
        throw sim::InputError(what + " '" + s + "' is not a number");
    return std::stoull(s);
}

}  // namespace

SizeMix SizeMix::parse(const std::string& text, uint32_t min, uint32_t max, uint32_t unit) {
    SizeMix mix;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        const size_t colon = item.find(':');
        const uint64_t size = number(item.substr(0, colon), "size");
        const uint64_t weight = colon == std::string::npos ? 1 : number(item.substr(colon + 1), "weight");
        if (size < min || size > max)
            throw sim::InputError("size " + std::to_string(size) + " outside " + std::to_string(min) +
                                  ".." + std::to_string(max));
        if (size % unit)
            throw sim::InputError("size " + std::to_string(size) + " is not a multiple of " + std::to_string(unit));
        if (weight == 0) throw sim::InputError("weight 0 for size " + std::to_string(size));
        mix.entries_.push_back({uint32_t(size), weight});
        mix.total_ += weight;
    }
    if (mix.entries_.empty() || text.back() == ',') throw sim::InputError("expected SIZE[:WEIGHT][,...]");
    return mix;
}

uint32_t SizeMix::draw(sim::Rng& rng) const {
    if (entries_.size() == 1) return entries_[0].size;
    uint64_t r = rng.uniform(total_);
    for (const Entry& e : entries_) {
        if (r < e.weight) return e.size;
        r -= e.weight;
    }
    return entries_.back().size;
}

double SizeMix::mean() const {
    double sum = 0;
    for (const Entry& e : entries_) sum += double(e.size) * double(e.weight);
    return sum / double(total_);
}

}  // namespace workload
