#include "models/sim/suggest.h"

#include <algorithm>

namespace sim {

namespace {

std::string last_component(const std::string& key) {
    const size_t dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
// commonest typing slip.
size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
    // Keys can be long user input; beyond this no declared name is within reach anyway.
    if (word.size() > 200) return "";
    constexpr size_t kNear = 2;
    const std::string last = last_component(word);
    const std::string* best = nullptr;
    size_t best_distance = 0;
    bool best_near = false;
    for (const std::string& c : candidates) {
        const size_t dist = edit_distance(word, c);
        const bool near = dist <= kNear && dist < word.size();  // not any short word for "x"
        if (!near && last_component(c) != last) continue;
        if (!best || (near && !best_near) || (near == best_near && dist < best_distance)) {
            best = &c;
            best_distance = dist;
            best_near = near;
        }
    }
    return best ? *best : "";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string c = closest_name(word, candidates);
    return c.empty() ? "" : "; did you mean '" + c + "'?";
}

}  // namespace sim
