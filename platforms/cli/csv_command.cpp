#include "platforms/cli/csv_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "models/sim/cli.h"
#include "models/sim/error.h"

namespace po = boost::program_options;

namespace cli {
namespace {

std::vector<std::string> split_keys(const std::vector<std::string>& given) {
    std::vector<std::string> keys;
    for (const std::string& g : given) {
        std::stringstream in(g);
        for (std::string k; std::getline(in, k, ',');)
            if (!k.empty()) keys.push_back(k);
    }
    if (keys.empty()) throw sim::InputError("command line: --keys: no statistic named");
    return keys;
}

// A statistics file nests three levels (statistic, field, buckets); deeper nesting is
// refused while parsing, so nothing walks it recursively.
constexpr int kMaxDepth = 16;

nlohmann::json load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw sim::InputError(path + ": cannot open file");
    const nlohmann::json::parser_callback_t depth_limit = [&](int depth, nlohmann::json::parse_event_t,
                                                              nlohmann::json&) {
        if (depth > kMaxDepth)
            throw sim::InputError(path + ": not a statistics file (nested deeper than " +
                                  std::to_string(kMaxDepth) + " levels)");
        return true;
    };
    nlohmann::json j = nlohmann::json::parse(in, depth_limit, false);
    if (j.is_discarded() || !j.is_object()) throw sim::InputError(path + ": not a statistics file (JSON object)");
    return j;
}

// A value as a CSV cell: numbers as JSON writes them (exact), text quoted when needed.
std::string cell(const nlohmann::json& v, const std::string& file, const std::string& key) {
    if (v.is_structured()) throw sim::InputError(file + ": " + key + ": not a number or text");
    if (!v.is_string()) return v.dump();
    const std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// The statistic `key`, or field F of statistic K where key = K.F.
std::string lookup(const nlohmann::json& stats, const std::string& key, const std::string& file) {
    const auto fail = [&](const std::string& why) -> std::string {
        throw sim::InputError(file + ": " + key + ": " + why);
    };
    if (auto it = stats.find(key); it != stats.end()) {
        if (it->is_object()) fail("an average or histogram: name a field (" + key + ".mean, ...)");
        return cell(*it, file, key);
    }
    const size_t dot = key.rfind('.');
    if (dot == std::string::npos) fail("no such statistic");
    auto it = stats.find(key.substr(0, dot));
    if (it == stats.end() || !it->is_object()) fail("no such statistic");
    auto f = it->find(key.substr(dot + 1));
    if (f == it->end() || f->is_array()) fail("no such field (count, sum, mean, min, max, p50, p99)");
    return cell(*f, file, key);
}

}  // namespace

int run_csv(const std::vector<std::string>& args) {
    std::vector<std::string> key_args, files;
    std::ostringstream out;
    try {
        po::options_description d("csv");
        d.add_options()("keys", po::value(&key_args)->required()->composing(), "statistics")(
            "files", po::value(&files)->required()->composing(), "statistics files");
        po::positional_options_description pos;
        pos.add("files", -1);
        sim::parse_options(d, args, &pos);
        const std::vector<std::string> keys = split_keys(key_args);
        out << "file";
        for (const std::string& k : keys) out << "," << k;
        out << "\n";
        for (const std::string& f : files) {
            const nlohmann::json stats = load(f);
            out << cell(nlohmann::json(f), f, "file");
            for (const std::string& k : keys) out << "," << lookup(stats, k, f);
            out << "\n";
        }
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    std::cout << out.str();
    return 0;
}

}  // namespace cli
