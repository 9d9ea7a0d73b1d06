// Statistics, named by module path and written as JSON.
//
// A model that keeps statistics derives from StatGroup and declares each statistic as
// a member that registers itself:
//
//   class Link : public sc_core::sc_module, public sim::StatGroup {
//       sim::Counter tlps_{*this, "up.tlps", "", "TLPs sent upstream"};
//   };
//
// collect_stats() (stats_tree.h) walks the SystemC object tree and writes every
// statistic of every StatGroup as "<module path>.<stat name>"; describe_stats() gives
// each such key's description, unit and kind. A functional core that is not a SystemC
// object is attached to its owner with add_child().
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sim {

class Stat;

class StatGroup {
public:
    StatGroup() = default;
    StatGroup(const StatGroup&) = delete;
    StatGroup& operator=(const StatGroup&) = delete;
    virtual ~StatGroup() = default;

    // The child's statistics appear as "<path>.<name>.<stat>".
    void add_child(const std::string& name, const StatGroup& child);
    // The child's statistics appear as "<name>.<stat>", at the top, not under this
    // group: statistics that keep one name whichever module owns them (the mapping
    // engine's "iommufd.*", whichever workload drives it).
    void add_top_child(const std::string& name, const StatGroup& child);
    // Adds "<path>.<stat>" for every statistic of this group and its children.
    void write(nlohmann::json& out, const std::string& path) const;
    // Adds the same keys as write(), each an object {"description", "kind", "unit"}
    // (Stat::kind(), Stat::schema_unit()): what the value means, not the value.
    void write_descriptions(nlohmann::json& out, const std::string& path) const;
    void reset_stats();

private:
    friend class Stat;
    // Calls fn("<path>.<stat>", stat) for this group's statistics, then its children's.
    void each_stat(const std::string& path,
                   const std::function<void(const std::string&, const Stat&)>& fn) const;
    std::vector<Stat*> stats_;
    struct Child {
        std::string name;
        const StatGroup* group;
        bool top;  // named from the top, not under this group's path
    };
    std::vector<Child> children_;
};

class Stat {
public:
    Stat(StatGroup& group, std::string name, std::string unit, std::string desc);
    Stat(const Stat&) = delete;
    Stat& operator=(const Stat&) = delete;
    virtual ~Stat() = default;
    const std::string& name() const { return name_; }
    const std::string& unit() const { return unit_; }
    const std::string& desc() const { return desc_; }
    // "counter", "average", "histogram" or "formula": the value's JSON shape
    // (platforms/stats.schema.json).
    virtual const char* kind() const = 0;
    // The declared unit, or for a statistic declared without one: "count" for a
    // Counter (events counted), "1" for any other (a dimensionless ratio or sample).
    // A value that is no quantity at all (a digest) is declared with unit "none".
    std::string schema_unit() const;
    virtual void write_value(nlohmann::json& out) const = 0;
    virtual void reset() = 0;

private:
    std::string name_, unit_, desc_;
};

// A 64-bit event count. JSON: a number.
class Counter : public Stat {
public:
    using Stat::Stat;
    Counter& operator++() { ++v_; return *this; }
    Counter& operator+=(uint64_t n) { v_ += n; return *this; }
    uint64_t value() const { return v_; }
    const char* kind() const override { return "counter"; }
    void write_value(nlohmann::json& out) const override;
    void reset() override { v_ = 0; }

private:
    uint64_t v_ = 0;
};

// A sample into a summary (count, sum, min, max). The first sample sets both bounds: a
// max starting at 0 would be wrong for all-negative samples. Inline, as are the
// samplers below: devices and memory sample once or twice per DMA.
inline void add_sample(double v, uint64_t& n, double& sum, double& min, double& max) {
    min = n ? std::min(min, v) : v;
    max = n ? std::max(max, v) : v;
    sum += v;
    ++n;
}

// Count, mean, min and max of samples. JSON: {"count","max","mean","min","sum"}.
class Average : public Stat {
public:
    using Stat::Stat;
    void sample(double v) { add_sample(v, n_, sum_, min_, max_); }
    uint64_t count() const { return n_; }
    double mean() const { return n_ ? sum_ / double(n_) : 0.0; }
    double min() const { return n_ ? min_ : 0.0; }
    double max() const { return n_ ? max_ : 0.0; }
    double sum() const { return sum_; }
    const char* kind() const override { return "average"; }
    void write_value(nlohmann::json& out) const override;
    void reset() override;

private:
    uint64_t n_ = 0;
    double sum_ = 0, min_ = std::numeric_limits<double>::max(), max_ = 0;
};

// Linear buckets of bucket_width starting at 0, the last bucket also holding
// everything above. JSON: Average's fields plus "bucket_width" and "buckets" (counts),
// and "p50", "p99" estimated as the upper edge of the bucket holding that quantile, or
// the largest sample where that is lower (the last bucket is open above; a sample on
// nothing but bucket 0's lower part would otherwise report an edge no sample reached).
class Histogram : public Stat {
public:
    Histogram(StatGroup& group, std::string name, std::string unit, std::string desc,
              double bucket_width, unsigned buckets);
    void sample(double v) {
        const double pos = v / width_;
        const size_t last = counts_.size() - 1;
        size_t bucket = 0;  // below 0 (and NaN) counts in the first bucket
        if (pos >= double(last))
            bucket = last;
        else if (pos > 0)
            bucket = size_t(pos);
        ++counts_[bucket];
        add_sample(v, avg_n_, sum_, min_, max_);
    }
    uint64_t count() const { return avg_n_; }
    double mean() const { return avg_n_ ? sum_ / double(avg_n_) : 0.0; }
    double min() const { return avg_n_ ? min_ : 0.0; }
    double max() const { return max_; }
    const std::vector<uint64_t>& buckets() const { return counts_; }
    double quantile(double q) const;  // min(upper edge of the bucket holding q, max)
    void write_value(nlohmann::json& out) const override;
    void reset() override;
    const char* kind() const override { return "histogram"; }

private:
    double width_;
    std::vector<uint64_t> counts_;
    uint64_t avg_n_ = 0;
    double sum_ = 0, min_ = std::numeric_limits<double>::max(), max_ = 0;
};

// A value derived from other state when statistics are written (a rate, a ratio).
class Formula : public Stat {
public:
    Formula(StatGroup& group, std::string name, std::string unit, std::string desc,
            std::function<double()> fn);
    double value() const { return fn_(); }
    const char* kind() const override { return "formula"; }
    void write_value(nlohmann::json& out) const override;
    void reset() override {}

private:
    std::function<double()> fn_;
};

}  // namespace sim
