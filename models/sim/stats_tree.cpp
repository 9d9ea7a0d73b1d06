#include "models/sim/stats_tree.h"

#include <fstream>

#include <systemc>

#include "models/sim/error.h"
#include "models/sim/stats.h"

namespace sim {

namespace {

// `add` is StatGroup::write or StatGroup::write_descriptions.
using AddStats = void (StatGroup::*)(nlohmann::json&, const std::string&) const;

void collect(const sc_core::sc_object& obj, AddStats add, nlohmann::json& out) {
    if (const auto* group = dynamic_cast<const StatGroup*>(&obj)) (group->*add)(out, obj.name());
    for (const sc_core::sc_object* child : obj.get_child_objects()) collect(*child, add, out);
}

nlohmann::json collect_tree(AddStats add) {
    nlohmann::json out = nlohmann::json::object();
    for (const sc_core::sc_object* top : sc_core::sc_get_top_level_objects()) collect(*top, add, out);
    return out;
}

}  // namespace

nlohmann::json collect_stats() { return collect_tree(&StatGroup::write); }

nlohmann::json describe_stats() { return collect_tree(&StatGroup::write_descriptions); }

bool try_write_json_file(const std::string& path, const nlohmann::json& j) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (file) file << j.dump(1) << '\n';
    file.close();
    // A full disk shows only when the buffer is flushed, hence the check after close().
    return bool(file);
}

void write_json_file(const std::string& path, const nlohmann::json& j) {
    if (!try_write_json_file(path, j)) throw InputError(path + ": cannot write file");
}

}  // namespace sim
