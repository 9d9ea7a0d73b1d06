#include "platforms/cli/compare_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>
#include "models/sim/cli.h"
#include "models/sim/error.h"
#include "platforms/cli/help_text.h"
#include "platforms/cli/stats_file.h"

namespace po = boost::program_options;

namespace cli {
namespace {

using Flat = std::map<std::string, double>;

// The figures a reader looks at first, shown even when equal; '*' stands for one key
// component (dev0, iotlb, ...).
const char* const kHeadline[] = {
    "sim.time_ns",
    "system.dev*.reads",
    "system.dev*.writes",
    "system.dev*.read_gbps",
    "system.dev*.write_gbps",
    "system.dev*.read_latency_ns.mean",
    "system.dev*.read_latency_ns.p99",
    "system.dev*.write_latency_ns.mean",
    "system.iommu.*.hit_rate",
    "system.memory.reads",
    "system.memory.writes",
    "nic.rx.gbps",
    "nic.rx.packets",
    "nic.rx.dropped_no_descriptor",
    "nic.cpu_ns_per_packet",
    "nvme.kiops",
};

// '*' matches one or more characters other than '.'.
bool glob_match(const char* p, const char* s) {
    if (*p == '\0') return *s == '\0';
    if (*p != '*') return *p == *s && glob_match(p + 1, s + 1);
    for (const char* t = s; *t != '\0' && *t != '.'; ++t)
        if (glob_match(p + 1, t + 1)) return true;
    return false;
}

bool headline(const std::string& key) {
    return std::any_of(std::begin(kHeadline), std::end(kHeadline),
                       [&](const char* p) { return glob_match(p, key.c_str()); });
}

std::string group_thousands(std::string digits) {
    const size_t start = digits[0] == '-' ? 1 : 0;
    for (size_t i = digits.size(); i > start + 3; i -= 3) digits.insert(i - 3, ",");
    return digits;
}

std::string ratio_cell(const Flat& a, const Flat& b, const std::string& key) {
    const auto x = a.find(key), y = b.find(key);
    if (x == a.end() || y == b.end()) return "-";
    if (x->second == 0) return y->second == 0 ? "1.000" : "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", y->second / x->second);
    return buf;
}

// The rows `key` names in `runs`: the statistic or field itself, else every statistic
// under it as a prefix (a histogram's fields, a component's statistics).
std::vector<std::string> resolve(const std::vector<Flat>& runs, const std::string& key) {
    for (const Flat& f : runs)
        if (f.count(key)) return {key};
    std::set<std::string> under;
    for (const Flat& f : runs)
        for (auto it = f.lower_bound(key + "."); it != f.end() && it->first.rfind(key + ".", 0) == 0; ++it)
            under.insert(it->first);
    return std::vector<std::string>(under.begin(), under.end());
}

std::optional<double> value_of(const Flat& f, const std::string& key) {
    const auto it = f.find(key);
    return it == f.end() ? std::nullopt : std::optional<double>(it->second);
}

std::vector<std::string> default_keys(const std::vector<Flat>& runs) {
    std::set<std::string> all;
    for (const Flat& f : runs)
        for (const auto& kv : f) all.insert(kv.first);
    std::vector<std::string> out;
    for (const std::string& k : all) {
        const bool differs = std::any_of(runs.begin(), runs.end(),
                                         [&](const Flat& f) { return value_of(f, k) != value_of(runs[0], k); });
        if (differs || headline(k)) out.push_back(k);
    }
    return out;
}

void print_table(std::ostream& os, const std::vector<std::string>& files, const std::vector<CompareRow>& rows) {
    std::vector<std::string> head{"statistic"};
    for (size_t i = 0; i < files.size(); ++i) {
        const char letter = char('A' + i);
        os << letter << "  " << sim::printable_input(files[i], 2000) << "\n";
        head.push_back(std::string(1, letter));
    }
    for (size_t i = 1; i < files.size(); ++i) head.push_back(std::string(1, char('A' + i)) + "/A");
    std::vector<size_t> width(head.size());
    for (size_t c = 0; c < head.size(); ++c) width[c] = head[c].size();
    for (const CompareRow& r : rows) {
        width[0] = std::max(width[0], r.key.size());
        for (size_t c = 0; c < r.cells.size(); ++c) width[c + 1] = std::max(width[c + 1], r.cells[c].size());
    }
    const auto line = [&](const std::string& key, const std::vector<std::string>& cells) {
        std::string l = key + std::string(width[0] - key.size(), ' ');
        for (size_t c = 0; c < cells.size(); ++c) l += "  " + std::string(width[c + 1] - cells[c].size(), ' ') + cells[c];
        os << l << "\n";
    };
    os << "\n";
    line(head[0], std::vector<std::string>(head.begin() + 1, head.end()));
    for (const CompareRow& r : rows) line(r.key, r.cells);
}

constexpr size_t kMaxFiles = 26;  // named A to Z in the table

constexpr const char* kUsage =
    "usage: iommu-sim compare A.json B.json [C.json...] [--keys KEY[,KEY...]]\n"
    "Shows statistics files side by side, with each file's ratio to the first (B/A, C/A).\n"
    "Without --keys: every numeric statistic that differs, and the headline figures. A key\n"
    "names a statistic, a field of an average or histogram (K.mean, K.p99) or a prefix\n"
    "(system.iommu: every statistic under it). \"-\": the file has no such statistic.\n";

}  // namespace

std::string readable_number(double v) {
    char buf[64];
    if (std::isnan(v) || std::isinf(v)) return v != v ? "nan" : v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return group_thousands(buf);
    }
    const double a = std::fabs(v);
    if (a >= 1000) {
        std::snprintf(buf, sizeof buf, "%.1f", v);
        const std::string s = buf;
        const size_t dot = s.find('.');
        return group_thousands(s.substr(0, dot)) + s.substr(dot);
    }
    if (a >= 1e-4) {
        const int decimals = std::max(0, 3 - int(std::floor(std::log10(a))));  // 4-5 significant digits
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

std::vector<std::pair<std::string, double>> flatten_stats(const nlohmann::json& stats) {
    std::vector<std::pair<std::string, double>> out;
    for (auto it = stats.begin(); it != stats.end(); ++it) {
        if (it->is_number()) out.emplace_back(it.key(), it->get<double>());
        if (!it->is_object()) continue;
        for (auto f = it->begin(); f != it->end(); ++f)
            if (f->is_number()) out.emplace_back(it.key() + "." + f.key(), f->get<double>());
    }
    return out;
}

std::vector<CompareRow> compare_rows(const std::vector<nlohmann::json>& stats, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& names) {
    std::vector<Flat> runs;
    for (const nlohmann::json& s : stats) {
        const auto flat = flatten_stats(s);
        runs.emplace_back(flat.begin(), flat.end());
    }
    std::vector<std::string> chosen;
    if (keys.empty()) chosen = default_keys(runs);
    for (const std::string& k : keys) {
        const std::vector<std::string> found = resolve(runs, k);
        if (found.empty()) {
            std::string others;
            for (size_t i = 1; i < names.size(); ++i) others += (i > 1 ? ", " : "") + names[i];
            throw sim::InputError(names[0] + ": " + sim::printable_input(k) + ": no such statistic (nor in " +
                                  others + ")");
        }
        chosen.insert(chosen.end(), found.begin(), found.end());
    }
    std::vector<CompareRow> rows;
    for (const std::string& k : chosen) {
        CompareRow r{k, {}};
        for (const Flat& f : runs) {
            const auto it = f.find(k);
            r.cells.push_back(it == f.end() ? "-" : readable_number(it->second));
        }
        for (size_t i = 1; i < runs.size(); ++i) r.cells.push_back(ratio_cell(runs[0], runs[i], k));
        rows.push_back(std::move(r));
    }
    return rows;
}

int run_compare(const std::vector<std::string>& args) {
    std::vector<std::string> key_args, files;
    const auto describe = [&](po::options_description& d) {
        d.add_options()("keys", po::value(&key_args)->composing(), "statistics to show (comma-separated; repeatable)")(
            "files", po::value(&files)->composing(), "statistics files (positional)");
    };
    if (subcommand_help(args, kUsage, describe, "files")) return 0;
    return run_stats_command([&](std::ostream& out) {
        po::options_description d("compare");
        describe(d);
        po::positional_options_description pos;
        pos.add("files", -1);
        sim::parse_options(d, args, &pos);
        if (files.size() < 2)
            throw sim::InputError("command line: compare needs two or more statistics files (iommu-sim compare A.json B.json)");
        if (files.size() > kMaxFiles)
            throw sim::InputError("command line: compare takes at most " + std::to_string(kMaxFiles) + " files (A to Z)");
        std::vector<nlohmann::json> stats;
        for (const std::string& f : files) stats.push_back(read_stats_file(f));
        print_table(out, files, compare_rows(stats, split_keys(key_args), files));
    });
}

}  // namespace cli
