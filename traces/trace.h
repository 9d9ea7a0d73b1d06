// The text trace of mapping-engine operations and DMA (traces/FORMAT.md): a reader
// that validates every line before anything is replayed, and a writer whose output
// reads back to the same operations.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trace {

struct Range {
    uint64_t start = 0, last = 0;  // inclusive
};

struct Op {
    uint64_t line = 0;     // 1-based line in the file
    uint64_t time_ps = 0;  // absolute
    std::string op;        // "ioas_map"
    // key -> value text, in the order written; a bare flag word (hugepage, nosnoop)
    // has the value "".
    std::vector<std::pair<std::string, std::string>> args;

    bool has(const std::string& key) const;
    const std::string& text(const std::string& key) const;  // std::out_of_range if absent
    uint64_t number(const std::string& key) const;          // validated when read
    uint64_t number_or(const std::string& key, uint64_t dflt) const;
    std::vector<std::string> flag_names(const std::string& key) const;  // numeric: {}
    std::vector<Range> ranges(const std::string& key) const;           // "none": {}
    bool operator==(const Op& o) const;
};

// Decimal or 0x-hex, optionally times a binary suffix K, M, G or T; ok=false when the
// text is not such a number or does not fit in 64 bits.
uint64_t parse_number(const std::string& text, bool& ok);

// Reads a trace one operation at a time, checking each line as it goes, so that a
// trace of any length costs the memory of one line. Throws sim::InputError
// "NAME:LINE: message" at a bad line.
class Reader {
public:
    Reader(std::istream& in, std::string name);
    Reader(std::unique_ptr<std::istream> in, std::string name);
    explicit Reader(const std::string& path);  // "PATH: cannot open file"
    ~Reader();
    // The next operation into `op`, whose strings are reused; false at the end.
    bool next(Op& op);

private:
    void arguments(Op& op) const;

    std::unique_ptr<std::istream> owned_;
    std::istream* in_ = nullptr;
    std::string name_;
    uint64_t line_ = 0, prev_ps_ = 0;
    std::string buf_;
    std::vector<std::string_view> tokens_;  // into buf_
};

// The whole trace; throws sim::InputError "NAME:LINE: message" for the first bad line.
std::vector<Op> parse(std::istream& in, const std::string& name);
std::vector<Op> read_file(const std::string& path);  // "PATH: cannot open file"

// One line, without newline: absolute time in ns, the op, its arguments in order.
std::string format(const Op& op);
void write(std::ostream& out, const std::vector<Op>& ops);

}  // namespace trace
