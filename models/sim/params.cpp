#include "models/sim/params.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <sstream>
#include <string_view>

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/suggest.h"

namespace sim {

namespace {

std::string join_key(const std::string& section, const char* name) {
    return section.empty() ? std::string(name) : section + "." + name;
}

// Shortest text that reads back as the same double, independent of the C locale.
std::string real_text(double v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string join_choices(const std::vector<std::string>& choices) {
    std::string out;
    for (const auto& c : choices) out += (out.empty() ? "" : "|") + c;
    return out;
}

enum class Parsed { ok, not_valid, too_large };

// Decimal or 0x-hex digits, optionally followed (for byte sizes) by K, M, G or T.
Parsed parse_unsigned(std::string_view text, bool binary_suffix, uint64_t& out) {
    static constexpr std::string_view kSuffixes = "KMGT";  // 2^10, 2^20, 2^30, 2^40
    unsigned shift = 0;
    if (binary_suffix && !text.empty()) {
        if (const size_t i = kSuffixes.find(text.back()); i != std::string_view::npos) {
            shift = 10 * unsigned(i + 1);
            text.remove_suffix(1);
        }
    }
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    // from_chars takes no sign for unsigned types, so "-1" and "+1" are not valid.
    if (text.empty()) return Parsed::not_valid;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
    if (ptr != end || ec == std::errc::invalid_argument) return Parsed::not_valid;
    if (ec == std::errc::result_out_of_range || out > (UINT64_MAX >> shift))
        return Parsed::too_large;
    out <<= shift;
    return Parsed::ok;
}

// A plain real number: [+-]digits[.digits][e[+-]digits]. Excludes what from_chars
// would also take (inf, nan, hex floats), which are never meant in a configuration.
bool is_plain_real(std::string_view s) {
    size_t i = 0, digits = 0;
    auto skip_digits = [&] {
        size_t n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++n;
        return n;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    digits += skip_digits();
    if (i < s.size() && s[i] == '.') ++i, digits += skip_digits();
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (skip_digits() == 0) return false;
    }
    return i == s.size();
}

enum class ParsedReal { ok, not_valid, too_large };

ParsedReal parse_real(std::string_view text, double& out) {
    if (!is_plain_real(text)) return ParsedReal::not_valid;
    if (text.front() == '+') text.remove_prefix(1);  // from_chars takes no '+'
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc::result_out_of_range) return ParsedReal::too_large;
    return ptr == text.data() + text.size() && ec == std::errc() ? ParsedReal::ok
                                                                 : ParsedReal::not_valid;
}

bool parse_flag(std::string_view text, bool& out) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; });
    for (const char* word : {"true", "1", "yes", "on"}) {
        if (lower == word) {
            out = true;
            return true;
        }
    }
    for (const char* word : {"false", "0", "no", "off"}) {
        if (lower == word) {
            out = false;
            return true;
        }
    }
    return false;
}

// Records every field of a parameter struct for --help and the unknown-key check.
class DeclaringBinder : public ParamBinder {
public:
    DeclaringBinder(std::string section, bool listed, std::vector<ParamInfo>& out)
        : section_(std::move(section)), listed_(listed), out_(out) {}

    void u64(const char* name, uint64_t& v, const char* unit, const char* desc, uint64_t min,
             uint64_t max) override {
        add(name, "uint", std::to_string(v), unit, std::to_string(min) + ".." + std::to_string(max),
            desc);
    }
    void f64(const char* name, double& v, const char* unit, const char* desc, double min,
             double max) override {
        add(name, "real", real_text(v), unit, real_text(min) + ".." + real_text(max), desc);
    }
    void flag(const char* name, bool& v, const char* desc) override {
        add(name, "bool", v ? "true" : "false", "", "", desc);
    }
    void choice(const char* name, std::string& v, const std::vector<std::string>& choices,
                const char* desc) override {
        add(name, "choice", v, "", join_choices(choices), desc);
    }
    void text(const char* name, std::string& v, const char* desc) override {
        add(name, "text", v, "", "", desc);
    }
    void valid_values(const char* name, const char* values) override {
        for (auto& e : out_)
            if (e.key == join_key(section_, name)) e.values = values;
    }

private:
    void add(const char* name, const char* type, std::string default_text, const char* unit,
             std::string range_text, const char* desc) {
        out_.push_back(ParamInfo{join_key(section_, name), type, std::move(default_text), unit,
                                 std::move(range_text), desc, listed_, ""});
    }

    std::string section_;
    bool listed_;
    std::vector<ParamInfo>& out_;
};

}  // namespace

void ParamBinder::u32(const char* name, uint32_t& v, const char* unit, const char* desc,
                      uint32_t min, uint32_t max) {
    uint64_t wide = v;
    u64(name, wide, unit, desc, min, max);
    v = uint32_t(wide);  // the reader enforced wide <= max, which fits
}

// ---- ParamSchema ----

void ParamSchema::declare(const std::string& section,
                          const std::function<void(ParamBinder&)>& bind, bool listed) {
    std::vector<ParamInfo> found;
    DeclaringBinder binder(section, listed, found);
    bind(binder);
    // The same section may be declared by several users; the first declaration stands.
    for (auto& info : found)
        if (!has(info.key)) entries_.push_back(std::move(info));
}

bool ParamSchema::has(const std::string& key) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const ParamInfo& e) { return e.key == key; });
}

void ParamSchema::check_known(const Config& cfg) const {
    for (const auto& key : cfg.keys()) {
        if (has(key)) continue;
        std::vector<std::string> declared;
        for (const auto& e : entries_) declared.push_back(e.key);
        throw InputError(cfg.origin(key).str() + ": " + printable_input(key) + ": unknown parameter" +
                         did_you_mean(key, declared));
    }
}

// ---- ParamReader ----

ParamReader::ParamReader(const Config& cfg, std::string section, std::string fallback)
    : cfg_(cfg), section_(std::move(section)), fallback_(std::move(fallback)) {}

// The section's key, else the fallback's; but a fallback key given by a later source
// ([dev] on the command line over a file's [dev0]) wins.
const std::string* ParamReader::lookup(const char* name, std::string& key_out) const {
    const std::string key = join_key(section_, name);
    if (!fallback_.empty()) {
        const std::string fallback = join_key(fallback_, name);
        if (!cfg_.has(key) || cfg_.later(fallback, key)) {
            key_out = fallback;
            return cfg_.find(fallback);
        }
    }
    key_out = key;
    return cfg_.find(key);
}

namespace {

[[noreturn]] void bad_value(const Config& cfg, const std::string& key, const std::string& what) {
    throw InputError(cfg.origin(key).str() + ": " + key + ": " + what);
}

std::string quoted(const std::string& value) { return "'" + printable_input(value) + "'"; }

}  // namespace

void ParamReader::u64(const char* name, uint64_t& v, const char* unit, const char*,
                      uint64_t min, uint64_t max) {
    std::string key;
    const std::string* text = lookup(name, key);
    if (!text) return;
    uint64_t parsed = 0;
    const Parsed r = parse_unsigned(*text, std::strcmp(unit, "B") == 0, parsed);
    if (r == Parsed::not_valid) bad_value(cfg_, key, quoted(*text) + " is not an unsigned integer");
    if (r == Parsed::too_large || parsed < min || parsed > max)
        bad_value(cfg_, key, printable_input(*text) + " is out of range " + std::to_string(min) +
                                 ".." + std::to_string(max));
    v = parsed;
}

void ParamReader::f64(const char* name, double& v, const char*, const char*, double min,
                      double max) {
    std::string key;
    const std::string* text = lookup(name, key);
    if (!text) return;
    double parsed = 0;
    const ParsedReal r = parse_real(*text, parsed);
    if (r == ParsedReal::not_valid) bad_value(cfg_, key, quoted(*text) + " is not a number");
    if (r == ParsedReal::too_large || parsed < min || parsed > max)
        bad_value(cfg_, key, printable_input(*text) + " is out of range " + real_text(min) + ".." +
                                 real_text(max));
    v = parsed;
}

void ParamReader::flag(const char* name, bool& v, const char*) {
    std::string key;
    const std::string* text = lookup(name, key);
    if (text && !parse_flag(*text, v)) bad_value(cfg_, key, quoted(*text) + " is not a boolean");
}

void ParamReader::choice(const char* name, std::string& v, const std::vector<std::string>& choices,
                         const char*) {
    std::string key;
    const std::string* text = lookup(name, key);
    if (!text) return;
    if (std::find(choices.begin(), choices.end(), *text) == choices.end())
        bad_value(cfg_, key, quoted(*text) + " is not one of " + join_choices(choices));
    v = *text;
}

void ParamReader::text(const char* name, std::string& v, const char*) {
    std::string key;
    if (const std::string* text = lookup(name, key)) v = *text;
}

}  // namespace sim

namespace sim {

// Used by checks across fields after reading (ParamReader::where in params.h).
std::string ParamReader::where(const char* name) const {
    std::string key;
    if (!lookup(name, key)) return "default: " + join_key(section_, name);
    return cfg_.origin(key).str() + ": " + key;
}

namespace {
// Of the keys a check across fields names ("A|B"), the first the configuration sets;
// else the first.
std::string blamed_key(const ParamReader& r, const std::string& names) {
    std::istringstream in(names);
    std::string first, name;
    while (std::getline(in, name, '|')) {
        if (first.empty()) first = name;
        if (r.where(name.c_str()).rfind("default: ", 0) != 0) return name;
    }
    return first;
}
}  // namespace

void with_origin(const ParamReader& r, const std::function<void()>& check) {
    try {
        check();
    } catch (const InputError& e) {
        const std::string msg = e.what();
        const size_t colon = msg.find(':');
        if (colon == std::string::npos) throw;
        const std::string blamed = blamed_key(r, msg.substr(0, colon));
        throw InputError(r.where(blamed.c_str()) + msg.substr(colon));
    }
}

bool parse_bytes(std::string_view text, uint64_t& out) {
    return parse_unsigned(text, true, out) == Parsed::ok;
}

}  // namespace sim
