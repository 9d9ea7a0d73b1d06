// Terminal text for the run summary: numbers with thousands separators and a sensible
// precision, and tables with aligned columns (first column left, the rest right);
// a header of empty strings is not printed.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cli {

std::string grouped(double v);                 // 1234567.8 -> "1,234,568"
std::string decimal(double v, int places);     // 1234.567, 2 -> "1,234.57"
std::string percent(double part, double whole);  // "66.5%", "99.95%"; "-" when whole is 0
std::string binary_size(double bytes);         // 4096 -> "4K", 3000 -> "3,000"
std::string figure(double v);  // whole: grouped; else 2 places below 100, 1 below 10,000

class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.empty(); }
    void print(std::ostream& os, const std::string& indent = "  ") const;

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace cli
