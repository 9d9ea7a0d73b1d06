#include "platforms/cli/csv_command.h"

#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include "models/sim/cli.h"
#include "models/sim/error.h"
#include "platforms/cli/help_text.h"
#include "platforms/cli/stats_file.h"

namespace po = boost::program_options;

namespace cli {
namespace {

constexpr const char* kUsage =
    "usage: iommu-sim csv --keys KEY[,KEY...] STATS.json...\n"
    "Prints chosen statistics of runs as CSV, one row per statistics file (the first column);\n"
    "a key names a statistic or a field of an average or histogram (K.mean, K.p99, K.count).\n";

void describe(po::options_description& d, std::vector<std::string>& keys, std::vector<std::string>& files) {
    d.add_options()("keys", po::value(&keys)->required()->composing(), "statistics (comma-separated; repeatable)")(
        "files", po::value(&files)->composing(), "statistics files (positional)");
}

std::vector<std::string> required_keys(const std::vector<std::string>& given) {
    const std::vector<std::string> keys = split_keys(given);
    if (keys.empty()) throw sim::InputError("command line: --keys: no statistic named");
    return keys;
}

}  // namespace

int run_csv(const std::vector<std::string>& args) {
    std::vector<std::string> key_args, files;
    if (subcommand_help(args, kUsage, [&](po::options_description& d) { describe(d, key_args, files); }, "files"))
        return 0;
    return run_stats_command([&](std::ostream& out) {
        po::options_description d("csv");
        describe(d, key_args, files);
        po::positional_options_description pos;
        pos.add("files", -1);
        sim::parse_options(d, args, &pos);
        const std::vector<std::string> keys = required_keys(key_args);
        if (files.empty()) throw sim::InputError("command line: no statistics files named (iommu-sim csv --keys KEYS FILE...)");
        out << "file";
        for (const std::string& k : keys) out << "," << k;
        out << "\n";
        for (const std::string& f : files) {
            const nlohmann::json stats = read_stats_file(f);
            out << csv_cell(nlohmann::json(f), f, "file");
            for (const std::string& k : keys) out << "," << stats_cell(stats, k, f);
            out << "\n";
        }
    });
}

}  // namespace cli
