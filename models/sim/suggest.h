// "Did you mean": the declared name closest to one a user mistyped, for the one-line
// errors about unknown parameters, registers and help sections.
#pragma once

#include <string>
#include <vector>

namespace sim {

// Edits (insert, delete, replace, swap two neighbours) that turn a into b.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate within edit distance 2 of `word` (the nearest; the first of equals),
// else the nearest one that shares `word`'s last dot-separated component
// ("iommu.walker" -> "iommu.walkers"; "vtd.walkers" -> "iommu.walkers"); "" when none.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

// "; did you mean 'NAME'?" for closest_name, or "" when there is none.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sim
