#include "platforms/cli/summary_sections.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <vector>

#include "platforms/cli/text_table.h"

namespace cli {
namespace {

using nlohmann::json;

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// Calls f(key, value) for every statistic whose key starts with p, in key order.
template <class F>
void for_prefix(const json& s, const std::string& p, F f) {
    if (!s.is_object()) return;
    const auto& m = s.get_ref<const json::object_t&>();
    for (auto it = m.lower_bound(p); it != m.end() && starts_with(it->first, p); ++it) f(it->first, it->second);
}

std::string latency_cell(const json& s, const std::string& key, const char* f) {
    return stat_field(s, key, "count") > 0 ? figure(stat_field(s, key, f)) : "-";  // none: no figure
}

unsigned count_numbered(const json& s, const std::string& prefix, const std::string& suffix) {
    unsigned n = 0;
    while (s.contains(prefix + std::to_string(n) + suffix)) ++n;
    return n;
}

// A workload figure's unit, "" for a count; false: not a headline figure. Errors and
// stale DMA show only when they happened.
bool headline(const std::string& last, double v, std::string& unit) {
    unit = "";
    if (last == "gbps" || ends_with(last, "_gbps")) return unit = "Gb/s", true;
    if (last == "kiops") return unit = "kIOPS", true;
    if (last == "cpu_utilization") return unit = "%", true;
    if (starts_with(last, "cpu_ns_per_")) return unit = "ns", true;
    if (last == "packets" || last == "arrived" || last == "copies" || ends_with(last, "ios") ||
        starts_with(last, "dropped") || last == "drops")
        return true;
    return (ends_with(last, "errors") || last == "stale") && v != 0;
}

std::string column_name(const std::string& field) {
    if (field == "gbps") return "Gb/s";
    if (field == "kiops") return "kIOPS";
    if (ends_with(field, "_ns")) return field.substr(0, field.size() - 3) + " ns";
    return field;
}

// One numbered subgroup's statistic: "window_4096.gbps" (family "window", number 4096,
// labelled by the number) or "ssd0.ios" (family "ssd", labelled "ssd0").
struct Member {
    std::string family, field;
    uint64_t number = 0;
    bool joined = false;  // the number is part of the name: ssd0
};

bool numbered(const std::string& rest, Member& m) {
    const size_t dot = rest.find('.');
    if (dot == std::string::npos || rest.find('.', dot + 1) != std::string::npos) return false;
    size_t digits = dot;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(rest[digits - 1]))) --digits;
    if (digits == dot || digits == 0 || digits + 19 < dot) return false;
    m.joined = rest[digits - 1] != '_';
    m.family = rest.substr(0, m.joined ? digits : digits - 1);
    m.number = std::strtoull(rest.c_str() + digits, nullptr, 10);
    m.field = rest.substr(dot + 1);
    return !m.family.empty();
}

// A family's rows: number -> field -> value; a table once it has two.
struct Family {
    bool joined = false;
    std::map<uint64_t, std::map<std::string, double>> rows;
};

void print_family(std::ostream& os, const std::string& name, const Family& family) {
    std::vector<std::string> fields;
    for (const auto& row : family.rows)
        for (const auto& f : row.second)
            if (std::find(fields.begin(), fields.end(), f.first) == fields.end()) fields.push_back(f.first);
    std::vector<std::string> header{name};
    for (const auto& f : fields) header.push_back(column_name(f));
    TextTable t(header);
    for (const auto& row : family.rows) {
        std::vector<std::string> cells{family.joined ? name + std::to_string(row.first)
                                                     : binary_size(double(row.first))};
        for (const auto& f : fields) {
            auto it = row.second.find(f);
            cells.push_back(it == row.second.end() ? "-" : figure(it->second));
        }
        t.add(cells);
    }
    t.print(os);
}

std::map<std::string, Family> families_of(const json& s, const std::string& w) {
    std::map<std::string, Family> families;
    for_prefix(s, w + ".", [&](const std::string& key, const json& value) {
        Member m;
        if (!value.is_number() || !numbered(key.substr(w.size() + 1), m)) return;
        families[m.family].joined = m.joined;
        families[m.family].rows[m.number][m.field] = value.get<double>();
    });
    for (auto it = families.begin(); it != families.end();)
        it = it->second.rows.size() < 2 ? families.erase(it) : std::next(it);
    return families;
}

void print_workload(std::ostream& os, const json& s, const std::string& w) {
    const std::map<std::string, Family> families = families_of(s, w);
    TextTable figures({"", "", ""});
    for_prefix(s, w + ".", [&](const std::string& key, const json& value) {
        const std::string rest = key.substr(w.size() + 1);
        Member m;
        if (std::count(rest.begin(), rest.end(), '.') > 1 || (numbered(rest, m) && families.count(m.family)))
            return;
        const std::string last = rest.substr(rest.rfind('.') + 1);
        std::string unit;
        if (value.is_object() && ends_with(last, "latency_ns") && value.contains("mean")) {
            figures.add({rest + " mean", figure(stat_field(s, key, "mean")), "ns"});
            figures.add({rest + " p99", figure(stat_field(s, key, "p99")), "ns"});
        } else if (value.is_number() && headline(last, value.get<double>(), unit)) {
            const double v = value.get<double>() * (unit == "%" ? 100 : 1);
            figures.add({rest, unit == "%" ? decimal(v, 1) : figure(v), unit});
        }
    });
    if (figures.empty() && families.empty()) return;
    os << "workload " << w << "\n";
    figures.print(os);
    for (const auto& f : families) print_family(os, f.first, f.second);
}

void print_caches(std::ostream& os, const json& s) {
    const std::string p = "system.iommu.";
    TextTable t({"cache", "lookups", "hits", "hit rate"});
    for_prefix(s, p, [&](const std::string& key, const json& value) {
        if (!ends_with(key, ".lookups") || !value.is_number()) return;
        const std::string cache = key.substr(p.size(), key.size() - p.size() - 8);
        const double lookups = value.get<double>(), hits = stat_number(s, p + cache + ".hits");
        if (lookups > 0) t.add({cache, grouped(lookups), grouped(hits), percent(hits, lookups)});
    });
    if (!t.empty()) t.print(os);
}

void print_faults(std::ostream& os, const json& s) {
    const std::string p = "system.iommu.faults.0x";
    std::map<unsigned long, double> by_code;  // numeric order: 0x2 before 0x10
    for_prefix(s, p, [&](const std::string& key, const json& value) {
        if (value.is_number()) by_code[std::strtoul(key.c_str() + p.size(), nullptr, 16)] = value.get<double>();
    });
    if (by_code.empty()) return;
    TextTable t({"fault reason", "count"});
    for (const auto& c : by_code) {
        char code[24];
        std::snprintf(code, sizeof code, "0x%lx", c.first);
        t.add({code, grouped(c.second)});
    }
    t.print(os);
}

void print_invalidations(std::ostream& os, const json& s) {
    const std::string p = "system.iommu.inv.";
    std::string list;
    bool counted = false;
    for_prefix(s, p, [&](const std::string& key, const json& value) {
        counted = true;
        if (value.is_number() && value.get<double>() != 0)
            list += (list.empty() ? "" : ", ") + key.substr(p.size()) + " " + grouped(value.get<double>());
    });
    if (counted) os << "  invalidations: " << (list.empty() ? "none" : list) << "\n";
    // No inv.* counters (AMD-Vi): the commands, invalidations among them.
    if (list.empty() && s.contains("system.iommu.commands"))
        os << "  commands " << grouped(stat_number(s, "system.iommu.commands")) << "\n";
}

}  // namespace

double stat_number(const json& s, const std::string& key) {
    auto it = s.find(key);
    return it != s.end() && it->is_number() ? it->get<double>() : 0.0;
}

double stat_field(const json& s, const std::string& key, const char* f) {
    auto it = s.find(key);
    if (it == s.end() || !it->is_object()) return 0.0;
    auto v = it->find(f);
    return v != it->end() && v->is_number() ? v->get<double>() : 0.0;
}

void print_devices(std::ostream& os, const json& s) {
    TextTable t({"device", "reads", "writes", "rd Gb/s", "wr Gb/s", "rd mean ns", "rd p99 ns",
                 "wr mean ns", "wr p99 ns", "errors"});
    for (unsigned i = 0, n = count_numbered(s, "system.dev", ".reads"); i < n; ++i) {
        const std::string d = "system.dev" + std::to_string(i) + ".";
        t.add({"dev" + std::to_string(i), grouped(stat_number(s, d + "reads")),
               grouped(stat_number(s, d + "writes")), decimal(stat_number(s, d + "read_gbps"), 2),
               decimal(stat_number(s, d + "write_gbps"), 2), latency_cell(s, d + "read_latency_ns", "mean"),
               latency_cell(s, d + "read_latency_ns", "p99"), latency_cell(s, d + "write_latency_ns", "mean"),
               latency_cell(s, d + "write_latency_ns", "p99"),
               grouped(stat_number(s, d + "error_completions") + stat_number(s, d + "data_errors"))});
    }
    if (t.empty()) return;
    os << "devices (errors: error completions and data errors)\n";
    t.print(os);
}

void print_links(std::ostream& os, const json& s) {
    const double sim_ns = stat_number(s, "sim.time_ns");
    TextTable t({"link", "up Gb/s", "up busy", "down Gb/s", "down busy", "credit stalls"});
    for (unsigned i = 0, n = count_numbered(s, "system.link", ".up.busy_ns"); i < n && sim_ns > 0; ++i) {
        const std::string l = "system.link" + std::to_string(i) + ".";
        t.add({"link" + std::to_string(i), decimal(8 * stat_number(s, l + "up.payload_bytes") / sim_ns, 2),
               percent(stat_number(s, l + "up.busy_ns"), sim_ns),
               decimal(8 * stat_number(s, l + "down.payload_bytes") / sim_ns, 2),
               percent(stat_number(s, l + "down.busy_ns"), sim_ns), grouped(stat_number(s, l + "credit_stalls"))});
    }
    if (t.empty()) return;
    os << "links (payload over the simulated time; up: device to host)\n";
    t.print(os);
}

void print_iommu(std::ostream& os, const json& s) {
    const std::string p = "system.iommu.";
    if (!s.contains(p + "translations")) return;
    os << "iommu\n";
    os << "  translations " << grouped(stat_number(s, p + "translations")) << ", latency mean "
       << figure(stat_field(s, p + "translation_latency_ns", "mean")) << " ns, p99 "
       << figure(stat_field(s, p + "translation_latency_ns", "p99")) << " ns; faults "
       << grouped(stat_number(s, p + "faults")) << "\n";
    os << "  walks " << grouped(stat_number(s, p + "walks")) << ", latency mean "
       << figure(stat_field(s, p + "walk_latency_ns", "mean")) << " ns, p99 "
       << figure(stat_field(s, p + "walk_latency_ns", "p99")) << " ns; table reads "
       << grouped(stat_number(s, p + "walk_reads")) << ", writes " << grouped(stat_number(s, p + "walk_writes"))
       << "\n";
    print_caches(os, s);
    print_faults(os, s);
    print_invalidations(os, s);
}

void print_workloads(std::ostream& os, const json& s) {
    std::string last;
    for (auto it = s.begin(); it != s.end(); ++it) {
        const std::string w = it.key().substr(0, it.key().find('.'));
        if (w == last || w == "sim" || w == "system" || w == it.key()) continue;
        last = w;
        print_workload(os, s, w);
    }
}

}  // namespace cli
