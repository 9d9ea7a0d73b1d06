// --out DIR: a run directory from which the run can be repeated and read later.
//
//   DIR/config.ini   the effective configuration (--dump-config): --config DIR/config.ini
//                    runs the same simulation
//   DIR/cmdline.txt  the command line, shell-quoted, one line
//   DIR/version.txt  version and commit
//   DIR/stats.json   the statistics, as --stats-json writes them (after the run)
//   DIR/stats.schema.json  each statistic's description, unit and kind, as
//                    --stats-schema writes them (after the run)
#pragma once

#include <string>
#include <vector>

namespace cli {

// Before anything is simulated: creates DIR (parents too), checks DIR/stats.json,
// DIR/stats.schema.json and the run's other `outputs` (which may name files inside DIR) writable, and only then
// writes config.ini, cmdline.txt and version.txt, so that bad input leaves no run
// files. Throws sim::InputError "DIR: cannot create directory" or "PATH: cannot write
// file".
void start_run_dir(const std::string& dir, const std::string& config_ini,
                   const std::vector<std::string>& argv, std::vector<std::string> outputs);

// DIR/stats.json
std::string run_dir_stats(const std::string& dir);
// DIR/stats.schema.json
std::string run_dir_schema(const std::string& dir);

// Each word quoted for a POSIX shell where it needs it, joined by spaces.
std::string shell_quoted(const std::vector<std::string>& words);

}  // namespace cli
