// Help for people: the top-level --help grouped by parameter section, `iommu-sim help
// [SECTION]`, --list-configs and --list-workloads. Defaults read as a configuration
// would write them (4K, 1G), lines wrap at 100 columns.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "models/sim/config.h"
#include "models/sim/params.h"

namespace boost::program_options {
class options_description;
}

namespace cli {

constexpr size_t kHelpColumns = 100;

// A byte count with the largest binary suffix that divides it: 4096 -> "4K", 2^30 ->
// "1G", 4097 -> "4097", 0 -> "0".
std::string natural_bytes(uint64_t bytes);

// A parameter's default as a configuration would write it (sizes with K/M/G/T).
std::string natural_default(const sim::ParamInfo& p);

// What a parameter accepts, for help: its listed values when they exist, choices
// as "a|b", numeric ranges in natural form ("4K..1G", "64 or more"), "" for text.
std::string valid_text(const sim::ParamInfo& p);

// `text` as lines of at most `columns`, the first starting after `used` columns
// already written, the rest indented by `indent`; words longer than a line stay whole.
std::string wrap(const std::string& text, size_t used, size_t indent, size_t columns = kHelpColumns);

// "iommu.iotlb.ways" -> "iommu.iotlb".
std::string section_of(const std::string& key);

// The listed parameters of `section` (and of the sections under it, "vtd" includes
// "vtd.iotlb"), one block each; false when there are none.
bool print_section(std::ostream& os, const sim::ParamSchema& schema, const std::string& section);

// --help: the usage, then every listed parameter by section (sorted).
void print_help(std::ostream& out, const sim::Config& cfg);

// `iommu-sim help [SECTION]`; args: everything after "help". Returns the exit status.
int run_help(const std::vector<std::string>& args);

// --list-configs: configs/*.ini in the current directory with their first comment
// line; --list-workloads: [workload] type's values with one line each.
int list_configs(std::ostream& out);
void list_workloads(std::ostream& out);

// `SUB --help` for a subcommand: true when args hold --help (then `usage` and the
// options are printed on stdout and the caller returns 0), checked before parsing so
// that required options do not stand in the way.
// `positional`: the option bare words go to, which the usage line shows and the list
// of options does not.
bool subcommand_help(const std::vector<std::string>& args, const char* usage,
                     const std::function<void(boost::program_options::options_description&)>& describe,
                     const std::string& positional = "");

}  // namespace cli
