#include "platforms/walk_input.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string_view>

#include "models/memory/sparse_memory.h"
#include "models/sim/error.h"

namespace platform {

namespace {

using std::string_view;

constexpr string_view kBlank = " \t";

// Input text inside a message: quoted, non-printable bytes escaped, long text cut.
std::string shown(string_view text) { return "'" + sim::printable_input(text) + "'"; }

enum class Num { ok, invalid, too_large };

// Digits of `base` only: no sign, prefix or blanks.
Num parse_digits(string_view digits, int base, uint64_t& out) {
    if (digits.empty()) return Num::invalid;
    const char* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, out, base);
    if (ptr != end) return Num::invalid;
    return ec == std::errc() ? Num::ok : Num::too_large;
}

bool has_hex_prefix(string_view s) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// Memory images: hex, 0x optional.
Num parse_hex(string_view text, uint64_t& out) {
    if (has_hex_prefix(text)) text.remove_prefix(2);
    return parse_digits(text, 16, out);
}

// Requests and registers: 0x-hex or decimal.
Num parse_number(string_view text, uint64_t& out) {
    return has_hex_prefix(text) ? parse_digits(text.substr(2), 16, out)
                                : parse_digits(text, 10, out);
}

std::vector<string_view> split_words(string_view s) {
    std::vector<string_view> words;
    size_t begin = 0;
    while ((begin = s.find_first_not_of(kBlank, begin)) != string_view::npos) {
        const size_t end = std::min(s.find_first_of(kBlank, begin), s.size());
        words.push_back(s.substr(begin, end - begin));
        begin = end;
    }
    return words;
}

// Reads a file line by line and names the current line in errors.
class LineReader {
public:
    LineReader(std::istream& in, const std::string& name) : in_(in), name_(name) {}

    // The next line without its CRLF's CR and its comment; false at the end of the input.
    bool next(string_view& content) {
        if (!std::getline(in_, raw_)) {
            if (in_.bad()) throw sim::InputError(name_ + ": read error");
            return false;
        }
        ++line_;
        string_view s(raw_);
        if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
        content = s.substr(0, s.find('#'));
        return true;
    }

    int line() const { return line_; }

    [[noreturn]] void fail(const std::string& reason) const {
        throw sim::InputError(name_ + ":" + std::to_string(line_) + ": " + reason);
    }

private:
    std::istream& in_;
    const std::string& name_;
    std::string raw_;
    int line_ = 0;
};


// --- memory image ---

struct Qword {
    uint64_t addr, value;
};

uint64_t hex_word(string_view word, const LineReader& at) {
    uint64_t v = 0;
    const Num r = parse_hex(word, v);
    if (r == Num::invalid) at.fail(shown(word) + " is not a hex number");
    if (r == Num::too_large) at.fail(shown(word) + " does not fit 64 bits");
    return v;
}

// "ADDRESS: QWORD [QWORD ...]" (comment already removed); appends the qwords to out.
void parse_image_line(string_view content, const LineReader& at, std::vector<Qword>& out) {
    const char* const kExpected = "expected 'ADDRESS: QWORD ...'";
    const size_t colon = content.find(':');
    if (colon == string_view::npos) {
        if (split_words(content).empty()) return;  // blank line
        at.fail(kExpected);
    }
    const auto address = split_words(content.substr(0, colon));
    const auto values = split_words(content.substr(colon + 1));
    if (address.size() != 1 || values.empty()) at.fail(kExpected);
    const uint64_t base = hex_word(address[0], at);
    for (uint64_t i = 0; i < values.size(); ++i) {
        const uint64_t value = hex_word(values[i], at);
        // Its last byte, base + 8i + 7, must not pass 2^64 - 1 (8i + 7 cannot overflow:
        // i is below the line's length).
        if (8 * i + 7 > UINT64_MAX - base)
            at.fail(shown(values[i]) + " runs past the top of the address space");
        out.push_back({base + 8 * i, value});
    }
}

// --- requests ---

// The tokens of a request line; a token's value is its bit in RequestParser::seen_.
enum Token : unsigned { kSid, kIova, kAccess, kPasid, kPriv, kExec, kNosnoop, kUnknown };
constexpr std::array<string_view, kUnknown> kTokenNames = {"sid",  "iova", "access", "pasid",
                                                           "priv", "exec", "nosnoop"};
constexpr Token kFirstFlag = kPriv;  // the tokens from here on take no value

Token token_of(string_view name) {
    for (unsigned t = 0; t < kUnknown; ++t)
        if (kTokenNames[t] == name) return Token(t);
    return kUnknown;
}

// One request line, its words already split.
class RequestParser {
public:
    explicit RequestParser(const LineReader& at) : at_(at) { req_.line = at.line(); }

    WalkRequest parse(const std::vector<string_view>& words) {
        for (string_view w : words) word(w);
        for (Token t : {kSid, kIova, kAccess})
            if (!seen(t)) at_.fail("missing " + std::string(kTokenNames[t]));
        return req_;
    }

private:
    void word(string_view w) {
        const size_t eq = w.find('=');
        const string_view name = w.substr(0, eq);
        const Token t = token_of(name);
        if (eq == string_view::npos) return flag(name, t);
        if (name.empty()) at_.fail(shown(w) + ": expected KEY=VALUE");
        if (t == kUnknown) at_.fail("unknown key " + shown(name));
        if (t >= kFirstFlag) at_.fail(std::string(name) + ": takes no value");
        once(t);
        const string_view value = w.substr(eq + 1);
        if (t == kSid) req_.sid = uint16_t(number(name, value, 16));
        if (t == kIova) req_.iova = number(name, value, 64);
        if (t == kAccess) access(value);
        if (t == kPasid) {
            req_.pasid = uint32_t(number(name, value, 20));
            req_.pasid_valid = true;
        }
    }

    void flag(string_view name, Token t) {
        if (t == kUnknown) at_.fail("unknown flag " + shown(name));
        const std::string key(name);
        if (t < kFirstFlag) at_.fail(key + ": expected " + key + "=VALUE");
        once(t);
        req_.priv |= t == kPriv;
        req_.exec |= t == kExec;
        req_.nosnoop |= t == kNosnoop;
    }

    bool seen(Token t) const { return (seen_ >> t) & 1u; }

    void once(Token t) {
        if (seen(t)) at_.fail(std::string(kTokenNames[t]) + ": given twice");
        seen_ |= 1u << t;
    }

    uint64_t number(string_view key, string_view value, unsigned bits) const {
        uint64_t v = 0;
        const Num r = parse_number(value, v);
        const std::string what = std::string(key) + ": " + shown(value);
        if (r == Num::invalid) at_.fail(what + " is not a number");
        if (r == Num::too_large || (bits < 64 && v >> bits))
            at_.fail(what + " does not fit " + std::to_string(bits) + " bits");
        return v;
    }

    void access(string_view value) {
        if (value != "r" && value != "w" && value != "rw")
            at_.fail("access: " + shown(value) + " is not r, w or rw");
        req_.read = value != "w";
        req_.write = value != "r";
    }

    const LineReader& at_;
    WalkRequest req_;
    unsigned seen_ = 0;
};

bool is_reg_name(string_view s) {
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    return !s.empty();
}

}  // namespace

std::ifstream open_input(const std::string& path) {
    std::error_code ec;
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path, ec))
        throw sim::InputError(path + ": cannot open file");
    return in;
}

size_t load_memory_image(std::istream& in, const std::string& name, memory::SparseMemory& mem) {
    LineReader reader(in, name);
    std::vector<Qword> qwords;
    string_view line;
    while (reader.next(line)) parse_image_line(line, reader, qwords);
    // Stored only once the whole image has parsed: a bad image leaves mem untouched.
    for (const Qword& q : qwords) mem.write_u64(q.addr, q.value);
    return qwords.size();
}

size_t load_memory_image(const std::string& path, memory::SparseMemory& mem) {
    std::ifstream in = open_input(path);
    return load_memory_image(in, path, mem);
}

std::vector<WalkRequest> load_walk_requests(std::istream& in, const std::string& name) {
    LineReader reader(in, name);
    std::vector<WalkRequest> requests;
    string_view line;
    while (reader.next(line))
        if (const auto words = split_words(line); !words.empty())
            requests.push_back(RequestParser(reader).parse(words));
    return requests;
}

std::vector<WalkRequest> load_walk_requests(const std::string& path) {
    std::ifstream in = open_input(path);
    return load_walk_requests(in, path);
}

RegAssignment parse_reg_assignment(const std::string& text) {
    const std::string where = "command line: --reg " + shown(text) + ": ";
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw sim::InputError(where + "expected NAME=VALUE");
    const string_view name = string_view(text).substr(0, eq);
    const string_view value = string_view(text).substr(eq + 1);
    if (!is_reg_name(name)) throw sim::InputError(where + shown(name) + " is not a register name");
    uint64_t v = 0;
    const Num r = parse_number(value, v);
    if (r == Num::invalid) throw sim::InputError(where + shown(value) + " is not a number");
    if (r == Num::too_large) throw sim::InputError(where + shown(value) + " does not fit 64 bits");
    return {std::string(name), v};
}

std::pair<std::string, std::string> parse_set_assignment(const std::string& text) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw sim::InputError("command line: --set " + shown(text) + ": expected key=value");
    return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace platform
