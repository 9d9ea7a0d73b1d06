// What every fuzz target shares: the input cut into text parts, or read as a stream of
// little-endian integers, and the check every parser's error must pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

// The input as text parts separated by lines "%%" (seeds are readable files: a
// config, then a command line, ...). Missing parts are empty.
inline std::vector<std::string> parts(const uint8_t* data, size_t size, size_t count) {
    std::vector<std::string> out(count);
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    for (size_t i = 0; i + 1 < count; ++i) {
        const size_t cut = rest.find("\n%%\n");
        if (cut == std::string_view::npos) break;
        out[i] = std::string(rest.substr(0, cut + 1));
        rest.remove_prefix(cut + 4);
        if (i + 2 == count) break;
    }
    for (size_t i = 0; i < count; ++i)
        if (out[i].empty()) {
            out[i] = std::string(rest);
            break;
        }
    return out;
}

// Little-endian integers from the input; zeros once it is used up.
class Bytes {
public:
    Bytes(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
    bool empty() const { return p_ == end_; }
    uint64_t take(unsigned bytes) {
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes && p_ != end_; ++i) v |= uint64_t(*p_++) << (8 * i);
        return v;
    }
    uint8_t u8() { return uint8_t(take(1)); }
    uint16_t u16() { return uint16_t(take(2)); }
    uint32_t u32() { return uint32_t(take(4)); }
    uint64_t u64() { return take(8); }

private:
    const uint8_t* p_;
    const uint8_t* end_;
};

// A finding: the message, then abort() so libFuzzer keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz: %s\n", what.c_str());
    std::abort();
}

// Runs a unit's part of an input: the units answer misuse architecturally (faults,
// error bits), so an exception escaping is a finding.
template <class Body>
void no_escape(Body&& body) {
    try {
        body();
    } catch (const std::exception& e) {
        fail(std::string("an exception escaped the unit: ") + e.what());
    }
}

// A parser's error names the input it read: "NAME:..." or "NAME: ...".
inline void check_names(const std::exception& e, const std::string& name) {
    if (std::strncmp(e.what(), name.c_str(), name.size()) != 0 || e.what()[name.size()] != ':')
        fail(std::string("error does not name ") + name + ": " + e.what());
}

}  // namespace fuzz
