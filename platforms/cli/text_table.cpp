#include "platforms/cli/text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cli {

std::string decimal(double v, int places) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", places, std::fabs(v));
    std::string digits(buf);
    const size_t point = std::min(digits.find('.'), digits.size());
    std::string out = digits.substr(point);
    for (size_t i = 0; i < point; ++i) {
        if (i > 0 && i % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), digits[point - 1 - i]);
    }
    // "-0" is not a figure anyone wants to read.
    return v < 0 && out.find_first_not_of("0.,") != std::string::npos ? "-" + out : out;
}

std::string grouped(double v) { return decimal(v, 0); }

std::string percent(double part, double whole) {
    if (!(whole > 0)) return "-";
    // 99.96% is not 100.0%: a rate short of all gets the places that show it.
    int places = 1;
    while (places < 4 && part < whole && decimal(100 * part / whole, places) == "100." + std::string(places, '0'))
        ++places;
    return decimal(100 * part / whole, places) + "%";
}

std::string binary_size(double bytes) {
    static const char* const kSuffix[] = {"K", "M", "G", "T"};
    double v = bytes;
    int unit = -1;
    while (unit < 3 && v >= 1024 && std::fmod(v, 1024) == 0) {
        v /= 1024;
        ++unit;
    }
    return unit < 0 ? grouped(bytes) : grouped(v) + kSuffix[unit];
}

std::string figure(double v) {
    if (std::isfinite(v) && v == std::floor(v)) return grouped(v);
    return decimal(v, std::fabs(v) < 100 ? 2 : std::fabs(v) < 10000 ? 1 : 0);
}

void TextTable::print(std::ostream& os, const std::string& indent) const {
    std::vector<size_t> width(header_.size(), 0);
    const auto widen = [&](const std::vector<std::string>& row) {
        for (size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    };
    widen(header_);
    for (const auto& row : rows_) widen(row);
    const auto line = [&](const std::vector<std::string>& row) {
        std::string text = indent;
        for (size_t c = 0; c < width.size(); ++c) {
            const std::string cell = c < row.size() ? row[c] : "";
            const std::string pad(width[c] - cell.size(), ' ');
            text += c == 0 ? cell + pad : "  " + pad + cell;
        }
        os << text.substr(0, text.find_last_not_of(' ') + 1) << '\n';
    };
    if (std::any_of(header_.begin(), header_.end(), [](const std::string& h) { return !h.empty(); }))
        line(header_);
    for (const auto& row : rows_) line(row);
}

}  // namespace cli
