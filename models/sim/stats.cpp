#include "models/sim/stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sim {

namespace {

std::string join_path(const std::string& path, const std::string& name) {
    if (name.empty()) return path;  // a child merged into its owner
    return path.empty() ? name : path + "." + name;
}

// JSON has no NaN or infinity; nlohmann would write null, which scripts choke on.
double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

void write_summary(nlohmann::json& out, uint64_t n, double sum, double min, double max) {
    out["count"] = n;
    out["sum"] = finite_or_zero(sum);
    out["mean"] = n ? finite_or_zero(sum / double(n)) : 0.0;
    out["min"] = n ? finite_or_zero(min) : 0.0;
    out["max"] = n ? finite_or_zero(max) : 0.0;
}

// Checked before the Stat base registers itself, so a bad histogram leaves no
// dangling entry in its group.
std::string checked_histogram_name(std::string name, double bucket_width, unsigned buckets) {
    if (!(bucket_width > 0) || buckets == 0)
        throw std::invalid_argument("histogram '" + name +
                                    "' needs a positive bucket width and at least one bucket");
    return name;
}

}  // namespace

// ---- StatGroup ----

void StatGroup::add_child(const std::string& name, const StatGroup& child) {
    children_.push_back({name, &child, false});
}

void StatGroup::add_top_child(const std::string& name, const StatGroup& child) {
    children_.push_back({name, &child, true});
}

void StatGroup::each_stat(const std::string& path,
                          const std::function<void(const std::string&, const Stat&)>& fn) const {
    for (const Stat* s : stats_) fn(join_path(path, s->name()), *s);
    for (const Child& c : children_) c.group->each_stat(c.top ? c.name : join_path(path, c.name), fn);
}

void StatGroup::write(nlohmann::json& out, const std::string& path) const {
    each_stat(path, [&](const std::string& key, const Stat& s) { s.write_value(out[key]); });
}

void StatGroup::write_descriptions(nlohmann::json& out, const std::string& path) const {
    each_stat(path, [&](const std::string& key, const Stat& s) {
        out[key] = {{"description", s.desc()}, {"kind", s.kind()}, {"unit", s.schema_unit()}};
    });
}

void StatGroup::reset_stats() {
    // Children are held const because writing only reads them, but each group holds
    // its Stat objects mutable, so a reset (after warm-up) reaches the whole subtree.
    std::function<void(const StatGroup&)> reset_tree = [&](const StatGroup& g) {
        for (Stat* s : g.stats_) s->reset();
        for (const Child& c : g.children_) reset_tree(*c.group);
    };
    reset_tree(*this);
}

// ---- Stat ----

Stat::Stat(StatGroup& group, std::string name, std::string unit, std::string desc)
    : name_(std::move(name)), unit_(std::move(unit)), desc_(std::move(desc)) {
    // Two statistics with one name would silently overwrite each other in the JSON.
    for (const Stat* s : group.stats_)
        if (s->name() == name_)
            throw std::logic_error("statistic '" + name_ + "' declared twice in one group");
    group.stats_.push_back(this);
}

std::string Stat::schema_unit() const {
    if (!unit_.empty()) return unit_;
    return std::string(kind()) == "counter" ? "count" : "1";
}

void Counter::write_value(nlohmann::json& out) const { out = v_; }

// ---- Average ----

void Average::write_value(nlohmann::json& out) const {
    out = nlohmann::json::object();
    write_summary(out, n_, sum_, min_, max_);
}

void Average::reset() {
    n_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<double>::max();
    max_ = 0;
}

// ---- Histogram ----

Histogram::Histogram(StatGroup& group, std::string name, std::string unit, std::string desc,
                     double bucket_width, unsigned buckets)
    : Stat(group, checked_histogram_name(std::move(name), bucket_width, buckets),
           std::move(unit), std::move(desc)),
      width_(bucket_width),
      counts_(buckets) {}

double Histogram::quantile(double q) const {
    if (avg_n_ == 0) return 0.0;
    const double rank = std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * double(avg_n_)));
    const size_t last = counts_.size() - 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < last; ++i) {
        seen += counts_[i];
        // No quantile lies above the largest sample (an edge can: all samples 0).
        if (double(seen) >= rank) return std::min(double(i + 1) * width_, max_);
    }
    // The last bucket is open above; its largest sample is its real upper edge.
    return max_;
}

void Histogram::write_value(nlohmann::json& out) const {
    out = nlohmann::json::object();
    write_summary(out, avg_n_, sum_, min_, max_);
    out["bucket_width"] = width_;
    out["buckets"] = counts_;
    out["p50"] = finite_or_zero(quantile(0.5));
    out["p99"] = finite_or_zero(quantile(0.99));
}

void Histogram::reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    avg_n_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<double>::max();
    max_ = 0;
}

// ---- Formula ----

Formula::Formula(StatGroup& group, std::string name, std::string unit, std::string desc,
                 std::function<double()> fn)
    : Stat(group, std::move(name), std::move(unit), std::move(desc)), fn_(std::move(fn)) {}

void Formula::write_value(nlohmann::json& out) const { out = finite_or_zero(fn_()); }

}  // namespace sim
