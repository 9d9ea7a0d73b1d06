// Collects every statistic in the simulation by walking the SystemC object tree.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sim {

// A flat JSON object, "<module path>.<stat>" -> value, for every sc_object that is
// also a StatGroup, visited in tree order. Keys come out sorted (nlohmann::json), so
// equal runs give byte-identical files.
nlohmann::json collect_stats();

// The same keys as collect_stats(), each {"description", "kind", "unit"}
// (StatGroup::write_descriptions): what every statistic of this simulation means.
nlohmann::json describe_stats();

// Writes json.dump(1) plus a newline. Throws InputError "PATH: cannot write file".
void write_json_file(const std::string& path, const nlohmann::json& j);
// The same without an exception: false when the file cannot be written. After a run
// that switched SystemC thread stacks, an exception confuses AddressSanitizer, so the
// end of a run reports failures by value.
bool try_write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace sim
