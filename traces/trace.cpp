#include "traces/trace.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <tuple>

#include "models/sim/error.h"

namespace trace {

uint64_t number_of(std::string_view text, bool& ok);

namespace {

enum class Type { Number, Name, MapFlags, HwptFlags, Enum, Ranges, Bare };

struct KeySpec {
    Key key;
    Type type;
    bool required;
    std::vector<std::string> choices;  // Enum
};
struct OpSpec {
    Kind kind;
    std::vector<KeySpec> keys;  // by name: of several keys missing, the first is reported
    std::array<int8_t, size_t(Key::count)> index{};  // per Key: its place in keys, or -1
};

constexpr std::string_view kOpNames[] = {
    "", "process", "mmap", "munmap", "iommufd_open", "ioas_alloc", "ioas_map", "ioas_copy", "ioas_unmap",
    "ioas_iova_ranges", "ioas_allow_iovas", "option", "destroy", "hwpt_alloc", "device_attach",
    "get_hw_info", "access_pin", "access_unpin", "dma"};
static_assert(std::size(kOpNames) == size_t(Kind::dma) + 1);

constexpr std::string_view kKeyNames[] = {
    "name", "user", "rlimit_memlock", "process", "user_va", "length", "hugepage", "ioas_id", "flags", "iova",
    "fd", "dst_ioas_id", "src_ioas_id", "src_iova", "dst_iova", "num_iovas", "iovas", "option_id", "op",
    "object_id", "val64", "id", "dev_id", "pt_id", "dev", "dir", "pasid", "nosnoop", "priv", "exec"};
static_assert(std::size(kKeyNames) == size_t(Key::count));

// The operations and their keys: FORMAT.md keeps the same table.
std::vector<OpSpec> make_schema() {
    using K = Key;
    const auto num = [](K k) { return KeySpec{k, Type::Number, true, {}}; };
    const auto opt_num = [](K k) { return KeySpec{k, Type::Number, false, {}}; };
    const auto name = [](K k) { return KeySpec{k, Type::Name, true, {}}; };
    const auto opt_name = [](K k) { return KeySpec{k, Type::Name, false, {}}; };
    const auto bare = [](K k) { return KeySpec{k, Type::Bare, false, {}}; };
    const KeySpec map_flags{K::flags, Type::MapFlags, true, {}}, fd = opt_name(K::fd);
    const KeySpec read_write{K::flags, Type::Enum, false, {"read", "write"}};
    std::vector<OpSpec> s = {
        {Kind::process, {name(K::name), name(K::user), num(K::rlimit_memlock)}},
        {Kind::mmap, {name(K::process), num(K::user_va), num(K::length), bare(K::hugepage)}},
        {Kind::munmap, {name(K::process), num(K::user_va), num(K::length)}},
        {Kind::iommufd_open, {name(K::name), name(K::process)}},
        {Kind::ioas_alloc, {name(K::name), fd}},
        {Kind::ioas_map, {name(K::ioas_id), map_flags, num(K::user_va), num(K::length), opt_num(K::iova), fd,
                          opt_name(K::process)}},
        {Kind::ioas_copy, {name(K::dst_ioas_id), name(K::src_ioas_id), map_flags, num(K::src_iova),
                           num(K::length), opt_num(K::dst_iova), fd}},
        {Kind::ioas_unmap, {name(K::ioas_id), num(K::iova), num(K::length), fd}},
        {Kind::ioas_iova_ranges, {name(K::ioas_id), opt_num(K::num_iovas), fd}},
        {Kind::ioas_allow_iovas, {name(K::ioas_id), {K::iovas, Type::Ranges, true, {}}, fd}},
        {Kind::option, {{K::option_id, Type::Enum, true, {"rlimit_mode", "huge_pages"}},
                        {K::op, Type::Enum, true, {"set", "get"}}, opt_name(K::object_id), opt_num(K::val64), fd}},
        {Kind::destroy, {name(K::id), fd}},
        {Kind::hwpt_alloc, {name(K::name), name(K::dev_id), name(K::pt_id),
                            {K::flags, Type::HwptFlags, false, {}}, fd}},
        {Kind::device_attach, {name(K::dev_id), name(K::pt_id), fd}},
        {Kind::get_hw_info, {name(K::dev_id), fd}},
        {Kind::access_pin, {name(K::name), name(K::ioas_id), num(K::iova), num(K::length), read_write, fd}},
        {Kind::access_unpin, {name(K::name), fd}},
        {Kind::dma, {name(K::dev), num(K::iova), num(K::length), {K::dir, Type::Enum, true, {"read", "write"}},
                     opt_num(K::pasid), bare(K::nosnoop), bare(K::priv), bare(K::exec)}},
    };
    // schema()[kind - 1] is the operation of that Kind.
    std::sort(s.begin(), s.end(), [](const OpSpec& a, const OpSpec& b) { return a.kind < b.kind; });
    for (OpSpec& op : s) {
        std::sort(op.keys.begin(), op.keys.end(), [](const KeySpec& a, const KeySpec& b) {
            return kKeyNames[size_t(a.key)] < kKeyNames[size_t(b.key)];
        });
        op.index.fill(-1);
        for (size_t i = 0; i < op.keys.size(); ++i) op.index[size_t(op.keys[i].key)] = int8_t(i);
    }
    return s;
}

// Names to their number (a Kind or a Key) through a small open-addressed table: a
// million-line trace looks up every operation and key of every line by name.
template <size_t N>
class NameTable {
public:
    explicit NameTable(const std::string_view (&names)[N]) : names_(names) {
        slot_.fill(kEmpty);
        for (size_t i = 0; i < N; ++i) {
            size_t h = hash(names[i]);
            while (slot_[h] != kEmpty) h = (h + 1) % kSlots;
            slot_[h] = uint8_t(i);
        }
    }
    // The number of `name`, or N when it is none of the names.
    size_t find(std::string_view name) const {
        for (size_t h = hash(name); slot_[h] != kEmpty; h = (h + 1) % kSlots)
            if (names_[slot_[h]] == name) return slot_[h];
        return N;
    }

private:
    static constexpr size_t kSlots = 128;  // a power of two, over 2N: short probes
    static constexpr uint8_t kEmpty = 0xff;
    static_assert(N < kSlots / 2);
    static size_t hash(std::string_view s) {
        return s.empty() ? 0 : (s.size() * 31 + uint8_t(s[0]) * 7 + uint8_t(s.back()) * 3 + uint8_t(s[s.size() / 2])) % kSlots;
    }
    const std::string_view (&names_)[N];
    std::array<uint8_t, kSlots> slot_;
};

const std::vector<OpSpec>& schema() {
    static const std::vector<OpSpec> s = make_schema();
    return s;
}

// The operation named `name`, or null.
const OpSpec* spec_of(std::string_view name) {
    static const NameTable ops(kOpNames);
    const size_t kind = ops.find(name);
    return kind == 0 || kind > schema().size() ? nullptr : &schema()[kind - 1];  // "" is Kind::none
}

// The key named `name`, or Key::count.
Key key_of(std::string_view name) {
    static const NameTable keys(kKeyNames);
    return Key(keys.find(name));
}

constexpr std::string_view kMapFlags[] = {"fixed_iova", "readable", "writeable"};
constexpr std::string_view kHwptFlags[] = {"nest_parent", "dirty_tracking"};

template <class Names>
bool contains(const Names& v, std::string_view s) {
    for (std::string_view x : v)
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

bool parse_range(std::string_view text, Range& r) {
    const size_t dash = text.find('-');
    if (dash == std::string_view::npos) return false;
    bool a = false, b = false;
    r.start = number_of(text.substr(0, dash), a);
    r.last = number_of(text.substr(dash + 1), b);
    return a && b;
}

template <class F>
bool each_part(std::string_view text, char sep, const F& f) {
    for (size_t at = 0;;) {
        const size_t end = std::min(text.find(sep, at), text.size());
        if (!f(text.substr(at, end - at))) return false;
        if (end == text.size()) return true;
        at = end + 1;
    }
}

// The reason a value is bad for its key, or "" when it is good; `numeric`: the value
// reads as a number.
std::string check_value(const KeySpec& k, std::string_view v, bool numeric) {
    const auto quoted = [](std::string_view t) { return "'" + std::string(t) + "'"; };
    switch (k.type) {
        case Type::Number: return numeric ? "" : quoted(v) + " is not a number";
        case Type::Name: return v.empty() ? "empty value" : "";
        case Type::Enum:
            return contains(k.choices, v) ? "" : quoted(v) + " is not one of " + join(k.choices);
        case Type::Bare: return v.empty() ? "" : "takes no value";
        case Type::Ranges: {
            if (v == "none") return "";
            std::string why;
            each_part(v, ',', [&](std::string_view part) {
                Range r;
                if (!parse_range(part, r)) why = quoted(part) + " is not a range START-LAST";
                return why.empty();
            });
            return why;
        }
        case Type::MapFlags:
        case Type::HwptFlags: {
            if (numeric) return "";
            std::string why;
            each_part(v, '|', [&](std::string_view f) {
                if (!(k.type == Type::MapFlags ? contains(kMapFlags, f) : contains(kHwptFlags, f)))
                    why = "unknown flag " + quoted(f);
                return why.empty();
            });
            return why;
        }
    }
    return "";
}

// TIME: [+]DIGITS[.DIGITS][ns|us|ms] in ps, exactly (a double holds every ps only below
// 2^53, and show_time() writes any of them), a finer fraction rounded to the nearest ps,
// half away from zero; false when malformed or past 2^64 - 1 ps.
bool parse_time(std::string_view t, bool& relative, uint64_t& ps) {
    relative = !t.empty() && t[0] == '+';
    if (relative) t.remove_prefix(1);
    uint64_t scale = 1000;  // ns -> ps
    unsigned places = 3;    // decimal places of the unit that are whole ps
    for (const auto& [unit, mult, p] : {std::tuple<std::string_view, uint64_t, unsigned>{"ns", 1000, 3},
                                        {"us", 1000000, 6}, {"ms", 1000000000, 9}}) {
        if (t.size() > unit.size() && t.substr(t.size() - unit.size()) == unit) {
            t.remove_suffix(unit.size());
            scale = mult;
            places = p;
            break;
        }
    }
    const size_t dot = t.find('.');
    const std::string_view whole = t.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
    const auto digits = [](std::string_view d) {
        return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!digits(whole) || (dot != std::string_view::npos && !digits(frac))) return false;
    uint64_t v = 0;
    for (char c : whole)
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, uint64_t(c - '0'), &v)) return false;
    if (__builtin_mul_overflow(v, scale, &v)) return false;
    uint64_t part = 0;  // the fraction's whole ps, then rounded by the next digit
    for (unsigned i = 0; i < places; ++i) part = part * 10 + uint64_t(i < frac.size() ? frac[i] - '0' : 0);
    part += frac.size() > places && frac[places] >= '5';
    return !__builtin_add_overflow(v, part, &ps);
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

[[noreturn]] void fail_at(const std::string& name, uint64_t n, const std::string& msg) {
    throw sim::InputError(name + ":" + std::to_string(n) + ": " + msg);
}

// The last time a line may have: 2^63 - 1 ps (about 107 days), which leaves the
// simulation's 64-bit clock as much room again for the work after the trace's last line.
constexpr uint64_t kLastTimePs = (uint64_t(1) << 63) - 1;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Per byte: whether it ends a token (white space or the '#' of a comment), so that the
// loop below tests one table entry per byte.
struct TokenEnds {
    bool at[256] = {};
    TokenEnds() {
        for (int c = 0; c < 256; ++c) at[c] = is_space(char(c)) || c == '#';
    }
    bool operator()(char c) const { return at[static_cast<unsigned char>(c)]; }
};

// The high bit of each of the eight bytes of `w` (little-endian) that may end a token:
// one below 0x21 (white space and the other control bytes) or '#'. No token end is
// missed, and the lowest marked byte is exact: a false mark can only follow a true one
// (a borrow); a control byte that ends no token only sends tokenize() on byte by byte.
// Bytes below n, as in "Bit Twiddling Hacks" (hasless): (w - n*ones) & ~w & high
// bits; '#' is a zero byte of w ^ '#'s.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "tokenize() reads the first byte as the lowest");
uint64_t may_end_token(uint64_t w) {
    constexpr uint64_t ones = ~uint64_t(0) / 255, high = ones * 0x80;
    const uint64_t hash = w ^ (ones * uint8_t('#'));
    return (((w - ones * 0x21) & ~w) | ((hash - ones) & ~hash)) & high;
}

// The whitespace-separated tokens of `text` before any '#' (a loop over the bytes: a
// trace of a million lines spends most of its reading time here).
void tokenize(std::string_view text, std::vector<std::string_view>& tokens) {
    static const TokenEnds ends;
    tokens.clear();
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p != end && *p != '#') {
        if (ends(*p)) {
            ++p;
            continue;
        }
        const char* start = p;
        for (uint64_t w; end - p >= 8; p += 8) {  // eight bytes at a time, to the first mark
            std::memcpy(&w, p, 8);
            if (const uint64_t marks = may_end_token(w)) {
                p += __builtin_ctzll(marks) / 8;
                break;
            }
        }
        while (p != end && !ends(*p)) ++p;
        tokens.emplace_back(start, size_t(p - start));
    }
}

// Per byte: its value as a hex digit (either case), or 0xff: one look-up a digit for
// the numbers a million-line trace is mostly made of.
struct DigitValues {
    uint8_t value[256];
    DigitValues() {
        std::fill(std::begin(value), std::end(value), uint8_t(0xff));
        for (int d = 0; d < 10; ++d) value['0' + d] = uint8_t(d);
        for (int d = 0; d < 6; ++d) value['a' + d] = value['A' + d] = uint8_t(10 + d);
    }
    unsigned operator()(char c) const { return value[static_cast<unsigned char>(c)]; }
};

// Sets op.args[n] to key=value, reusing the strings an earlier line left there (the
// key is most often the one the line before had there).
void set_arg(Op& op, size_t n, std::string_view key, std::string_view value) {
    if (op.args.size() <= n) op.args.emplace_back();
    if (op.args[n].first != key) op.args[n].first.assign(key);
    op.args[n].second.assign(value);
}

}  // namespace

uint64_t number_of(std::string_view t, bool& ok) {
    ok = false;
    unsigned shift = 0;
    if (!t.empty()) {
        const char s = t.back();
        shift = s == 'K' ? 10 : s == 'M' ? 20 : s == 'G' ? 30 : s == 'T' ? 40 : 0;
        if (shift) t.remove_suffix(1);
    }
    const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    const std::string_view digits = hex ? t.substr(2) : t;
    if (digits.empty()) return 0;
    static const DigitValues values;
    const unsigned base = hex ? 16 : 10;
    // Up to 15 hex or 19 decimal digits cannot overflow: most numbers skip the check.
    const bool may_overflow = digits.size() > (hex ? 15u : 19u);
    uint64_t v = 0;
    for (char c : digits) {
        const unsigned d = values(c);
        if (d >= base) return 0;
        if (!may_overflow) v = v * base + d;
        else if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v)) return 0;
    }
    if (shift && (v >> (64 - shift))) return 0;
    ok = true;
    return v << shift;
}

uint64_t parse_number(const std::string& text, bool& ok) { return number_of(text, ok); }

Reader::Reader(std::istream& in, std::string name) : in_(&in), name_(std::move(name)) {}

Reader::Reader(std::unique_ptr<std::istream> in, std::string name)
    : owned_(std::move(in)), in_(owned_.get()), name_(std::move(name)) {}

Reader::Reader(const std::string& path) : name_(path) {
    // A directory opens as a stream that reads nothing: an empty trace, not an error.
    std::error_code ec;
    auto file = std::make_unique<std::ifstream>(path);
    if (!*file || std::filesystem::is_directory(path, ec)) throw sim::InputError(path + ": cannot open file");
    owned_ = std::move(file);
    in_ = owned_.get();
}

Reader::~Reader() = default;

bool Reader::next(Op& op) {
    while (std::getline(*in_, buf_)) {
        ++line_;
        tokenize(buf_, tokens_);
        if (tokens_.empty()) continue;
        op.line = line_;
        bool relative = false;
        uint64_t ps = 0;
        if (!parse_time(tokens_[0], relative, ps)) fail_at(name_, line_, "'" + std::string(tokens_[0]) + "' is not a time");
        if (tokens_.size() < 2) fail_at(name_, line_, "missing operation after the time");
        if (relative && __builtin_add_overflow(prev_ps_, ps, &ps)) ps = UINT64_MAX;
        if (ps > kLastTimePs)
            fail_at(name_, line_, "time " + std::string(tokens_[0]) + " is past the last a run can reach, " +
                                      show_time(kLastTimePs) + "ns");
        op.time_ps = ps;
        if (op.time_ps < prev_ps_)
            fail_at(name_, line_, "time " + std::string(tokens_[0]) + " is earlier than the previous line's " +
                                      show_time(prev_ps_) + "ns");
        prev_ps_ = op.time_ps;
        if (op.op != tokens_[1]) op.op.assign(tokens_[1]);
        arguments(op);
        return true;
    }
    return false;
}

void Reader::fail(const Op& op, std::string_view key, const std::string& why) const {
    fail_at(name_, op.line, op.op + "." + std::string(key) + ": " + why);
}

// Checks the line's keys against its operation's and decodes each value once.
void Reader::arguments(Op& op) const {
    const OpSpec* spec = spec_of(op.op);
    if (!spec) fail_at(name_, op.line, "unknown operation '" + op.op + "'");
    op.kind = spec->kind;
    op.at.fill(0);
    op.numeric_ = 0;
    const std::vector<KeySpec>& keys = spec->keys;
    size_t n = 0;
    uint32_t given = 0;  // bit i: the operation's i-th key (by name) is on the line
    for (size_t i = 2; i < tokens_.size(); ++i, ++n) {
        const std::string_view t = tokens_[i];
        const size_t eq = t.find('=');
        const std::string_view key = t.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? "" : t.substr(eq + 1);
        const Key named = key_of(key);
        const int place = named == Key::count ? -1 : spec->index[size_t(named)];
        if (place < 0) fail(op, key, "unknown key");
        const size_t k = size_t(place);
        if (given & (1u << k)) fail(op, key, "given twice");
        given |= 1u << k;
        if (eq == std::string_view::npos && keys[k].type != Type::Bare) fail(op, key, "needs a value (key=value)");
        bool numeric = false;
        const uint64_t number = number_of(value, numeric);
        if (const std::string why = check_value(keys[k], value, numeric); !why.empty()) fail(op, key, why);
        set_arg(op, n, key, value);
        const size_t slot = size_t(keys[k].key);
        op.at[slot] = uint8_t(n + 1);
        op.num[slot] = number;
        op.numeric_ |= uint32_t(numeric) << slot;
    }
    op.args.resize(n);
    for (size_t k = 0; k < keys.size(); ++k)
        if (keys[k].required && !(given & (1u << k)))
            fail_at(name_, op.line, op.op + ": missing key '" + key_name(keys[k].key) + "'");
}

const char* key_name(Key k) { return kKeyNames[size_t(k)].data(); }  // each ends in NUL

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
    Reader reader(in, name);
    std::vector<Op> ops;
    for (Op op; reader.next(op);) ops.push_back(op);
    return ops;
}

std::vector<Op> read_file(const std::string& path) {
    Reader reader(path);
    std::vector<Op> ops;
    for (Op op; reader.next(op);) ops.push_back(op);
    return ops;
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
