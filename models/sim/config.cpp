#include "models/sim/config.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>

#include "models/sim/error.h"
#include "models/sim/po_error.h"

namespace sim {

std::string Origin::str() const {
    return line == 0 ? file : file + ":" + std::to_string(line);
}

const std::string* Config::find(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second.value;
}

Origin Config::origin(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? Origin{"default", 0} : it->second.origin;
}

bool Config::later(const std::string& a, const std::string& b) const {
    auto ia = values_.find(a), ib = values_.find(b);
    return ia != values_.end() && ib != values_.end() && ia->second.source > ib->second.source;
}

void Config::set(const std::string& key, const std::string& value, Origin origin) {
    put(key, value, std::move(origin), kOverride);
}

void Config::put(const std::string& key, const std::string& value, Origin origin, unsigned source) {
    auto [it, inserted] = values_.insert_or_assign(key, Entry{value, std::move(origin), source});
    if (inserted) order_.push_back(it->first);
}

namespace {

// Boost trims exactly these; the scan must agree with it on every key.
constexpr const char* kBlank = " \t\r\n";

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(kBlank);
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(kBlank);
    return std::string(s.substr(first, last - first + 1));
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

// "iommu.iotlb", "entries": non-empty words joined by single dots. Anything else could
// never name a parameter, and some of it ("[]") is undefined behaviour inside Boost.
bool is_dotted_name(std::string_view s) {
    bool word_started = false;
    for (char c : s) {
        if (c == '.') {
            if (!word_started) return false;
            word_started = false;
        } else if (is_name_char(c)) {
            word_started = true;
        } else {
            return false;
        }
    }
    return word_started;
}

struct KeyLine {
    std::string key;
    int line;
};

// Boost reports no line numbers, so a line-by-line scan that reads the text the way
// Boost does maps every key to its line. It also rejects what Boost would accept
// silently (empty key, "[a b]") and keys given twice.
class IniScanner {
public:
    explicit IniScanner(const std::string& path) : path_(path) {}

    std::vector<KeyLine> scan(const std::string& text) {
        std::istringstream in(text);
        std::string raw;
        int line = 0;
        while (std::getline(in, raw)) scan_line(raw, ++line);
        return std::move(keys_);
    }

private:
    void scan_line(const std::string& raw, int line) {
        const std::string s = trim(std::string_view(raw).substr(0, raw.find('#')));
        if (s.empty()) return;
        if (s.front() == '[') return section_header(s, raw, line);
        const auto eq = s.find('=');
        if (eq == std::string::npos) malformed(raw, line);
        const std::string name = trim(std::string_view(s).substr(0, eq));
        if (!is_dotted_name(name)) malformed(raw, line);
        const std::string key = prefix_ + name;
        if (!seen_.insert(key).second)
            throw InputError(where(line) + key + ": given twice");
        keys_.push_back({key, line});
    }

    void section_header(const std::string& s, const std::string& raw, int line) {
        const bool closed = s.size() >= 2 && s.back() == ']';
        const std::string section = closed ? s.substr(1, s.size() - 2) : "";
        if (!is_dotted_name(section)) malformed(raw, line);
        prefix_ = section + ".";
    }

    [[noreturn]] void malformed(const std::string& raw, int line) const {
        throw InputError(where(line) + "malformed line '" + printable_input(trim(raw)) + "'");
    }

    std::string where(int line) const { return path_ + ":" + std::to_string(line) + ": "; }

    std::string path_;
    std::string prefix_;
    std::set<std::string> seen_;
    std::vector<KeyLine> keys_;
};

std::string read_file(const std::string& path) {
    std::error_code ec;
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path, ec))
        throw InputError(path + ": cannot open file");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// (key, value) pairs in file order, as Boost reads them.
std::vector<std::pair<std::string, std::string>> parse_with_boost(const std::string& path,
                                                                  const std::string& text) {
    namespace po = boost::program_options;
    std::istringstream in(text);
    const po::options_description none;
    std::vector<std::pair<std::string, std::string>> out;
    try {
        for (const auto& opt : po::parse_config_file(in, none, true).options)
            out.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value.front());
    } catch (po::error& e) {
        // The scan rejects every line Boost rejects; this only keeps Boost's message
        // inside the InputError contract should the two ever disagree.
        throw InputError(path + ": " + po_message(e));
    }
    return out;
}

}  // namespace

void Config::load_ini(const std::string& path) { load_ini_text(read_file(path), path); }

void Config::load_ini_text(const std::string& text, const std::string& path) {
    const std::vector<KeyLine> lines = IniScanner(path).scan(text);
    const auto values = parse_with_boost(path, text);
    if (values.size() != lines.size())
        throw std::logic_error(path + ": INI scan and Boost disagree on the number of keys");
    for (size_t i = 0; i < values.size(); ++i)
        if (values[i].first != lines[i].key)
            throw std::logic_error(path + ": INI scan and Boost disagree on key " +
                                   lines[i].key);
    // Checked as a whole before any set(), so a bad file leaves the Config untouched.
    // A later file replaces an earlier file's value: files layer (platform, workload).
    const unsigned source = ++files_;
    for (size_t i = 0; i < values.size(); ++i)
        put(values[i].first, values[i].second, Origin{path, lines[i].line}, source);
}

}  // namespace sim
