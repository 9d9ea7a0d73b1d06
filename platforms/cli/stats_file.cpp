#include "platforms/cli/stats_file.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "models/sim/error.h"
#include "platforms/walk_input.h"

namespace cli {

// A statistics file nests three levels (statistic, field, buckets); deeper nesting is
// refused while parsing, so nothing walks it recursively.
nlohmann::json read_stats(std::istream& in, const std::string& name) {
    const nlohmann::json::parser_callback_t depth_limit = [&](int depth, nlohmann::json::parse_event_t,
                                                              nlohmann::json&) {
        if (depth > kMaxStatsDepth)
            throw sim::InputError(name + ": not a statistics file (nested deeper than " +
                                  std::to_string(kMaxStatsDepth) + " levels)");
        return true;
    };
    nlohmann::json j = nlohmann::json::parse(in, depth_limit, false);
    if (j.is_discarded() || !j.is_object()) throw sim::InputError(name + ": not a statistics file (JSON object)");
    return j;
}

std::string csv_cell(const nlohmann::json& v, const std::string& file, const std::string& key) {
    if (v.is_structured()) throw sim::InputError(file + ": " + key + ": not a number or text");
    if (!v.is_string()) return v.dump();
    const std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string stats_cell(const nlohmann::json& stats, const std::string& key, const std::string& file) {
    const auto fail = [&](const std::string& why) -> std::string {
        throw sim::InputError(file + ": " + key + ": " + why);
    };
    if (auto it = stats.find(key); it != stats.end()) {
        if (it->is_object()) fail("an average or histogram: name a field (" + key + ".mean, ...)");
        return csv_cell(*it, file, key);
    }
    const size_t dot = key.rfind('.');
    if (dot == std::string::npos) fail("no such statistic");
    auto it = stats.find(key.substr(0, dot));
    if (it == stats.end() || !it->is_object()) fail("no such statistic");
    auto f = it->find(key.substr(dot + 1));
    if (f == it->end() || f->is_array()) fail("no such field (count, sum, mean, min, max, p50, p99)");
    return csv_cell(*f, file, key);
}

nlohmann::json read_stats_file(const std::string& path) {
    std::ifstream in = platform::open_input(path);
    return read_stats(in, path);
}

int run_stats_command(const std::function<void(std::ostream& out)>& body) {
    std::ostringstream out;
    try {
        body(out);
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    std::cout << out.str();
    return 0;
}

std::vector<std::string> split_keys(const std::vector<std::string>& given) {
    std::vector<std::string> keys;
    for (const std::string& g : given) {
        std::stringstream in(g);
        for (std::string k; std::getline(in, k, ',');)
            if (!k.empty()) keys.push_back(k);
    }
    return keys;
}

}  // namespace cli
