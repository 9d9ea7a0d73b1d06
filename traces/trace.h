// The text trace of mapping-engine operations and DMA (traces/FORMAT.md): a reader
// that validates every line before anything is replayed, and a writer whose output
// reads back to the same operations.
#pragma once

#include <array>
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

// The operations and keys of FORMAT.md, so that a replay decides by number what the
// reader decoded once (Op::kind, Op::has(Key)...).
enum class Kind : uint8_t {
    none,  // an Op not made by a Reader
    process, mmap, munmap, iommufd_open, ioas_alloc, ioas_map, ioas_copy, ioas_unmap,
    ioas_iova_ranges, ioas_allow_iovas, option, destroy, hwpt_alloc, device_attach,
    get_hw_info, access_pin, access_unpin, dma,
};
enum class Key : uint8_t {
    name, user, rlimit_memlock, process, user_va, length, hugepage, ioas_id, flags, iova, fd,
    dst_ioas_id, src_ioas_id, src_iova, dst_iova, num_iovas, iovas, option_id, op, object_id,
    val64, id, dev_id, pt_id, dev, dir, pasid, nosnoop, priv, exec,
    count
};
const char* key_name(Key k);  // "user_va"

struct Op {
    uint64_t line = 0;     // 1-based line in the file
    uint64_t time_ps = 0;  // absolute
    std::string op;        // "ioas_map"
    // key -> value text, in the order written; a bare flag word (hugepage, nosnoop)
    // has the value "".
    std::vector<std::pair<std::string, std::string>> args;

    // Decoded by the Reader as it checks the line (an Op built otherwise has only the
    // text above): the operation, and per key 1 + its index in args (0: not given)
    // and its value as a number (0 when the value is not one).
    Kind kind = Kind::none;
    std::array<uint8_t, size_t(Key::count)> at{};
    std::array<uint64_t, size_t(Key::count)> num{};
    bool has(Key k) const { return at[size_t(k)] != 0; }
    const std::string& text(Key k) const { return args.at(at[size_t(k)] - 1u).second; }
    uint64_t number(Key k) const { return num[size_t(k)]; }
    uint64_t number_or(Key k, uint64_t dflt) const { return has(k) ? number(k) : dflt; }
    bool numeric(Key k) const { return numeric_ >> size_t(k) & 1; }  // a number, not names

    // By name, from the text: for Ops built by hand too.
    bool has(const std::string& key) const;
    const std::string& text(const std::string& key) const;  // std::out_of_range if absent
    uint64_t number(const std::string& key) const;          // validated when read
    uint64_t number_or(const std::string& key, uint64_t dflt) const;
    std::vector<std::string> flag_names(const std::string& key) const;  // numeric: {}
    std::vector<Range> ranges(const std::string& key) const;           // "none": {}
    bool operator==(const Op& o) const;

private:
    friend class Reader;
    uint32_t numeric_ = 0;  // bit per Key
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
    [[noreturn]] void fail(const Op& op, std::string_view key, const std::string& why) const;

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
