#include "traces/trace.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "models/sim/error.h"

namespace trace {
namespace {

enum class Type { Number, Name, MapFlags, HwptFlags, Enum, Ranges, Bare };

struct Key {
    Type type;
    bool required;
    std::vector<std::string> choices;  // Enum
};
using Schema = std::map<std::string, std::map<std::string, Key>>;

// The operations and their keys: FORMAT.md keeps the same table.
const Schema& schema() {
    const Key num{Type::Number, true, {}}, opt_num{Type::Number, false, {}};
    const Key name{Type::Name, true, {}}, opt_name{Type::Name, false, {}};
    const Key flags{Type::MapFlags, true, {}};
    static const Schema s = {
        {"process", {{"name", name}, {"user", name}, {"rlimit_memlock", num}}},
        {"mmap", {{"process", name}, {"user_va", num}, {"length", num}, {"hugepage", {Type::Bare, false, {}}}}},
        {"munmap", {{"process", name}, {"user_va", num}, {"length", num}}},
        {"iommufd_open", {{"name", name}, {"process", name}}},
        {"ioas_alloc", {{"name", name}, {"fd", opt_name}}},
        {"ioas_map", {{"ioas_id", name}, {"flags", flags}, {"user_va", num}, {"length", num},
                      {"iova", opt_num}, {"fd", opt_name}, {"process", opt_name}}},
        {"ioas_copy", {{"dst_ioas_id", name}, {"src_ioas_id", name}, {"flags", flags},
                       {"src_iova", num}, {"length", num}, {"dst_iova", opt_num}, {"fd", opt_name}}},
        {"ioas_unmap", {{"ioas_id", name}, {"iova", num}, {"length", num}, {"fd", opt_name}}},
        {"ioas_iova_ranges", {{"ioas_id", name}, {"num_iovas", opt_num}, {"fd", opt_name}}},
        {"ioas_allow_iovas", {{"ioas_id", name}, {"iovas", {Type::Ranges, true, {}}}, {"fd", opt_name}}},
        {"option", {{"option_id", {Type::Enum, true, {"rlimit_mode", "huge_pages"}}},
                    {"op", {Type::Enum, true, {"set", "get"}}}, {"object_id", opt_name},
                    {"val64", opt_num}, {"fd", opt_name}}},
        {"destroy", {{"id", name}, {"fd", opt_name}}},
        {"hwpt_alloc", {{"name", name}, {"dev_id", name}, {"pt_id", name},
                        {"flags", {Type::HwptFlags, false, {}}}, {"fd", opt_name}}},
        {"device_attach", {{"dev_id", name}, {"pt_id", name}, {"fd", opt_name}}},
        {"get_hw_info", {{"dev_id", name}, {"fd", opt_name}}},
        {"access_pin", {{"name", name}, {"ioas_id", name}, {"iova", num}, {"length", num},
                        {"flags", {Type::Enum, false, {"read", "write"}}}, {"fd", opt_name}}},
        {"access_unpin", {{"name", name}, {"fd", opt_name}}},
        {"dma", {{"dev", name}, {"iova", num}, {"length", num},
                 {"dir", {Type::Enum, true, {"read", "write"}}}, {"pasid", opt_num},
                 {"nosnoop", {Type::Bare, false, {}}}, {"priv", {Type::Bare, false, {}}},
                 {"exec", {Type::Bare, false, {}}}}},
    };
    return s;
}

const std::vector<std::string> kMapFlags = {"fixed_iova", "readable", "writeable"};
const std::vector<std::string> kHwptFlags = {"nest_parent", "dirty_tracking"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const std::string& x : v)
        if (x == s) return true;
    return false;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : "|") + x;
    return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

bool parse_range(const std::string& text, Range& r) {
    const size_t dash = text.find('-');
    if (dash == std::string::npos) return false;
    bool a = false, b = false;
    r.start = parse_number(text.substr(0, dash), a);
    r.last = parse_number(text.substr(dash + 1), b);
    return a && b;
}

// The reason a value is bad for its key, or "" when it is good.
std::string check_value(const Key& k, const std::string& v) {
    bool ok = false;
    switch (k.type) {
        case Type::Number:
            parse_number(v, ok);
            return ok ? "" : "'" + v + "' is not a number";
        case Type::Name: return v.empty() ? "empty value" : "";
        case Type::Enum:
            return contains(k.choices, v) ? "" : "'" + v + "' is not one of " + join(k.choices);
        case Type::Bare: return v.empty() ? "" : "takes no value";
        case Type::Ranges: {
            if (v == "none") return "";
            Range r;
            for (const std::string& part : split(v, ','))
                if (!parse_range(part, r)) return "'" + part + "' is not a range START-LAST";
            return "";
        }
        case Type::MapFlags:
        case Type::HwptFlags: {
            parse_number(v, ok);
            if (ok) return "";
            const auto& known = k.type == Type::MapFlags ? kMapFlags : kHwptFlags;
            for (const std::string& f : split(v, '|'))
                if (!contains(known, f)) return "unknown flag '" + f + "'";
            return "";
        }
    }
    return "";
}

// TIME: [+]NUMBER[ns|us|ms]; false when malformed.
bool parse_time(const std::string& token, bool& relative, uint64_t& ps) {
    std::string t = token;
    relative = !t.empty() && t[0] == '+';
    if (relative) t.erase(0, 1);
    double scale = 1000;  // ns -> ps
    for (const auto& [unit, mult] : {std::pair<const char*, double>{"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}}) {
        const std::string u = unit;
        if (t.size() > u.size() && t.compare(t.size() - u.size(), u.size(), u) == 0) {
            t.erase(t.size() - u.size());
            scale = mult;
            break;
        }
    }
    if (t.empty() || t.find_first_not_of("0123456789.") != std::string::npos ||
        t.find('.') != t.rfind('.') || t[0] == '.' || t.back() == '.')
        return false;
    const double v = std::stod(t) * scale;
    if (!(v < 1.8e19)) return false;
    ps = uint64_t(std::llround(v));
    return true;
}

std::string show_time(uint64_t ps) {
    std::string s = std::to_string(ps / 1000);
    if (const uint64_t frac = ps % 1000) {
        char buf[8];
        std::snprintf(buf, sizeof buf, ".%03llu", static_cast<unsigned long long>(frac));
        std::string f = buf;
        while (f.back() == '0') f.pop_back();
        s += f;
    }
    return s;
}

class Reader {
public:
    explicit Reader(std::string name) : name_(std::move(name)) {}
    void line(const std::string& raw, uint64_t n, std::vector<Op>& out);

private:
    [[noreturn]] void fail(uint64_t n, const std::string& msg) const {
        throw sim::InputError(name_ + ":" + std::to_string(n) + ": " + msg);
    }
    void arguments(Op& op, const std::vector<std::string>& tokens);

    std::string name_;
    uint64_t prev_ps_ = 0;
};

void Reader::line(const std::string& raw, uint64_t n, std::vector<Op>& out) {
    std::istringstream in(raw.substr(0, raw.find('#')));
    std::vector<std::string> tokens;
    for (std::string t; in >> t;) tokens.push_back(t);
    if (tokens.empty()) return;
    Op op;
    op.line = n;
    bool relative = false;
    uint64_t ps = 0;
    if (!parse_time(tokens[0], relative, ps)) fail(n, "'" + tokens[0] + "' is not a time");
    if (tokens.size() < 2) fail(n, "missing operation after the time");
    op.time_ps = relative ? prev_ps_ + ps : ps;
    if (op.time_ps < prev_ps_)
        fail(n, "time " + tokens[0] + " is earlier than the previous line's " + show_time(prev_ps_) + "ns");
    prev_ps_ = op.time_ps;
    op.op = tokens[1];
    if (!schema().count(op.op)) fail(n, "unknown operation '" + op.op + "'");
    arguments(op, tokens);
    out.push_back(std::move(op));
}

void Reader::arguments(Op& op, const std::vector<std::string>& tokens) {
    const auto& keys = schema().at(op.op);
    for (size_t i = 2; i < tokens.size(); ++i) {
        const size_t eq = tokens[i].find('=');
        const std::string key = tokens[i].substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : tokens[i].substr(eq + 1);
        auto k = keys.find(key);
        if (k == keys.end()) fail(op.line, op.op + "." + key + ": unknown key");
        if (op.has(key)) fail(op.line, op.op + "." + key + ": given twice");
        if (eq == std::string::npos && k->second.type != Type::Bare)
            fail(op.line, op.op + "." + key + ": needs a value (key=value)");
        if (const std::string why = check_value(k->second, value); !why.empty())
            fail(op.line, op.op + "." + key + ": " + why);
        op.args.emplace_back(key, value);
    }
    for (const auto& [key, k] : keys)
        if (k.required && !op.has(key)) fail(op.line, op.op + ": missing key '" + key + "'");
}

}  // namespace

uint64_t parse_number(const std::string& text, bool& ok) {
    ok = false;
    std::string t = text;
    unsigned shift = 0;
    if (!t.empty()) {
        const char s = t.back();
        shift = s == 'K' ? 10 : s == 'M' ? 20 : s == 'G' ? 30 : s == 'T' ? 40 : 0;
        if (shift) t.pop_back();
    }
    const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    const std::string digits = hex ? t.substr(2) : t;
    if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") !=
                              std::string::npos)
        return 0;
    uint64_t v = 0;
    for (char c : digits) {
        const unsigned d = c <= '9' ? unsigned(c - '0') : unsigned((c | 0x20) - 'a' + 10);
        const unsigned base = hex ? 16 : 10;
        if (v > (~uint64_t(0) - d) / base) return 0;
        v = v * base + d;
    }
    if (shift && (v >> (64 - shift))) return 0;
    ok = true;
    return v << shift;
}

bool Op::has(const std::string& key) const {
    for (const auto& a : args)
        if (a.first == key) return true;
    return false;
}

const std::string& Op::text(const std::string& key) const {
    for (const auto& a : args)
        if (a.first == key) return a.second;
    throw std::out_of_range("trace op " + op + " has no key " + key);
}

uint64_t Op::number(const std::string& key) const {
    bool ok = false;
    return parse_number(text(key), ok);
}

uint64_t Op::number_or(const std::string& key, uint64_t dflt) const {
    return has(key) ? number(key) : dflt;
}

std::vector<std::string> Op::flag_names(const std::string& key) const {
    bool numeric = false;
    parse_number(text(key), numeric);
    return numeric ? std::vector<std::string>{} : split(text(key), '|');
}

std::vector<Range> Op::ranges(const std::string& key) const {
    std::vector<Range> out;
    if (text(key) == "none") return out;
    for (const std::string& part : split(text(key), ',')) {
        Range r;
        parse_range(part, r);
        out.push_back(r);
    }
    return out;
}

bool Op::operator==(const Op& o) const { return time_ps == o.time_ps && op == o.op && args == o.args; }

std::vector<Op> parse(std::istream& in, const std::string& name) {
    Reader reader(name);
    std::vector<Op> ops;
    uint64_t n = 0;
    for (std::string line; std::getline(in, line);) reader.line(line, ++n, ops);
    return ops;
}

std::vector<Op> read_file(const std::string& path) {
    // A directory opens as a stream that reads nothing: an empty trace, not an error.
    std::error_code ec;
    std::ifstream in(path);
    if (!in || std::filesystem::is_directory(path, ec)) throw sim::InputError(path + ": cannot open file");
    return parse(in, path);
}

std::string format(const Op& op) {
    std::string s = show_time(op.time_ps) + " " + op.op;
    for (const auto& [key, value] : op.args) s += " " + (value.empty() ? key : key + "=" + value);
    return s;
}

void write(std::ostream& out, const std::vector<Op>& ops) {
    for (const Op& op : ops) out << format(op) << "\n";
}

}  // namespace trace
