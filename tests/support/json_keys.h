// The member names of a JSON object, sorted: tests compare key sets of statistics and
// schemas with it.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace testutil {

inline std::set<std::string> json_keys(const nlohmann::json& j) {
    std::set<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
    return out;
}

}  // namespace testutil
