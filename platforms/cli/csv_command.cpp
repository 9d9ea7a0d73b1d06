#include "platforms/cli/csv_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include "models/sim/cli.h"
#include "models/sim/error.h"
#include "platforms/cli/stats_file.h"
#include "platforms/walk_input.h"

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

}  // namespace

int run_csv(const std::vector<std::string>& args) {
    std::vector<std::string> key_args, files;
    std::ostringstream out;
    try {
        po::options_description d("csv");
        d.add_options()("keys", po::value(&key_args)->required()->composing(), "statistics")(
            "files", po::value(&files)->composing(), "statistics files");
        po::positional_options_description pos;
        pos.add("files", -1);
        sim::parse_options(d, args, &pos);
        const std::vector<std::string> keys = split_keys(key_args);
        if (files.empty()) throw sim::InputError("command line: no statistics files named (iommu-sim csv --keys KEYS FILE...)");
        out << "file";
        for (const std::string& k : keys) out << "," << k;
        out << "\n";
        for (const std::string& f : files) {
            std::ifstream in = platform::open_input(f);
            const nlohmann::json stats = read_stats(in, f);
            out << csv_cell(nlohmann::json(f), f, "file");
            for (const std::string& k : keys) out << "," << stats_cell(stats, k, f);
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
