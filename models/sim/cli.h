// The command line of iommu-sim's simulation commands, parsed with
// Boost.Program_options. Fixed options are listed here; every other "--key=value" or
// "--key value" is a parameter override applied to the Config.
#pragma once

#include <string>
#include <vector>

#include "models/sim/config.h"

namespace boost::program_options {
class options_description;
class positional_options_description;
}

namespace sim {

struct CommandLine {
    bool help = false;
    std::vector<std::string> config_files;  // --config FILE (repeatable, in order)
    std::string stats_json;                 // --stats-json PATH ("" = none)
    std::string stats_schema;               // --stats-schema PATH ("" = none)
    bool quiet = false;                     // --quiet: no human summary
    std::string record_trace;               // --record-trace PATH ("" = none)
    std::string timeline;                   // --timeline PATH ("" = none)
    std::string out_dir;                    // --out DIR: the run directory ("" = none)
    bool dump_config = false;               // --dump-config: print the configuration, run nothing
    bool version = false;                   // --version
    std::string timeline_events;            // --timeline-events dma,walk,... ("" = all)
    // Parameter overrides in command-line order. --seed N and --mode M are shorthands
    // for --sim.seed=N and --sim.mode=M.
    std::vector<std::pair<std::string, std::string>> overrides;
};

// args excludes the program name. Throws InputError "command line: ..." for a token
// that is neither a known option nor --key=value / --key value.
CommandLine parse_command_line(const std::vector<std::string>& args);

// A subcommand's fixed options (walk, replay, csv): no abbreviations, required ones
// enforced, bare words to `positional` when given; throws InputError "command line: ...".
void parse_options(const boost::program_options::options_description& d,
                   const std::vector<std::string>& args,
                   const boost::program_options::positional_options_description* positional = nullptr);

// Output files named on the command line, checked before a run so that a run is
// never lost for want of a place to write it: InputError "PATH: cannot write file".
// Empty paths are skipped.
void check_outputs_writable(const std::vector<std::string>& paths);

// Loads the config files in order over `base`, then applies the overrides (origin
// "command line").
Config build_config(const CommandLine& cl, Config base = {});

}  // namespace sim
