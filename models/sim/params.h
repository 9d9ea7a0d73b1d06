// Parameters: declared once, next to the code that uses them.
//
// A model's parameter struct has one bind() function that names every field:
//
//   struct Params {
//       uint64_t latency_ns = 80;
//       void bind(sim::ParamBinder& b) {
//           b.u64("latency_ns", latency_ns, "ns", "fixed DRAM access latency", 0, 1000000);
//       }
//   };
//
// The same bind() serves two binders: ParamSchema::declare() records name, default
// (the field's initial value), unit, range and description for --help and for the
// unknown-key check; ParamReader reads and validates values from a Config.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

class Config;

class ParamBinder {
public:
    virtual ~ParamBinder() = default;
    // Integers accept decimal, 0x-hex, and for unit "B" the binary suffixes K, M, G, T.
    virtual void u64(const char* name, uint64_t& v, const char* unit, const char* desc,
                     uint64_t min, uint64_t max) = 0;
    virtual void f64(const char* name, double& v, const char* unit, const char* desc,
                     double min, double max) = 0;
    // true/false, 1/0, yes/no, on/off
    virtual void flag(const char* name, bool& v, const char* desc) = 0;
    // one of a fixed list of words
    virtual void choice(const char* name, std::string& v, const std::vector<std::string>& choices,
                        const char* desc) = 0;
    virtual void text(const char* name, std::string& v, const char* desc) = 0;

    // The values a field just bound actually takes, when its range would mislead
    // (a page size in 4096..1G takes three): "4K|2M|1G", listed by help. The field's
    // validate() still enforces them.
    virtual void valid_values(const char* name, const char* values) { (void)name, (void)values; }

    // Convenience for narrower integer fields.
    void u32(const char* name, uint32_t& v, const char* unit, const char* desc, uint32_t min,
             uint32_t max);
};

// One declared parameter, as --help lists it.
struct ParamInfo {
    std::string key;        // full key: "section.name"
    std::string type;       // "uint", "real", "bool", "choice", "text"
    std::string default_text;
    std::string unit;       // "" when dimensionless
    std::string range_text; // "0..1000000", "sequential|random|strided", ""
    std::string desc;
    bool listed = true;     // false: accepted but not listed in --help (per-instance copies)
    std::string values;     // what the field takes when range_text misleads: "4K|2M|1G"
};

// Every parameter the run accepts.
class ParamSchema {
public:
    // Calls bind on a declaring binder that records "section.name" for every field.
    // listed=false hides the entries from --help (per-instance sections such as dev0
    // that repeat a listed template section such as dev).
    void declare(const std::string& section, const std::function<void(ParamBinder&)>& bind,
                 bool listed = true);
    bool has(const std::string& key) const;
    const std::vector<ParamInfo>& entries() const { return entries_; }
    // Throws InputError naming the origin of the first key (in Config order) that was
    // never declared: "FILE:LINE: KEY: unknown parameter".
    void check_known(const Config& cfg) const;

private:
    std::vector<ParamInfo> entries_;
};

// Reads a parameter struct from a Config. Each field is looked up as "section.name",
// then, if a fallback section is given, as "fallback.name"; absent keys keep the
// field's current value. Bad values throw InputError naming origin and key.
class ParamReader : public ParamBinder {
public:
    ParamReader(const Config& cfg, std::string section, std::string fallback = "");
    void u64(const char* name, uint64_t& v, const char* unit, const char* desc, uint64_t min,
             uint64_t max) override;
    void f64(const char* name, double& v, const char* unit, const char* desc, double min,
             double max) override;
    void flag(const char* name, bool& v, const char* desc) override;
    void choice(const char* name, std::string& v, const std::vector<std::string>& choices,
                const char* desc) override;
    void text(const char* name, std::string& v, const char* desc) override;

    // "ORIGIN: KEY" for the key a field's value came from ("default: SECTION.NAME" when
    // none was given), for errors found by checks across fields after reading.
    std::string where(const char* name) const;

private:
    const std::string* lookup(const char* name, std::string& key_out) const;
    const Config& cfg_;
    std::string section_, fallback_;
};

// A byte count as configurations write it: decimal or 0x-hex, optionally K, M, G or T
// (binary). False when `text` is not one or does not fit 64 bits.
bool parse_bytes(std::string_view text, uint64_t& out);

// Reads a parameter struct from a section (with an optional fallback section), then
// runs its validate(), which checks what ranges cannot express and throws
// InputError("NAME: reason"); the error is re-thrown naming origin and full key.
template <class P>
P read_checked(const Config& cfg, const std::string& section, const std::string& fallback = "");

// Re-throws InputError("NAME: reason") from `check` as "ORIGIN: KEY: reason". A check
// across fields names them all, "A|B: reason": the first the configuration sets is
// blamed (else A), so the user sees the key they wrote.
void with_origin(const ParamReader& r, const std::function<void()>& check);

// Reads into a fresh parameter struct: read<Params>(cfg, "memory").
template <class P>
P read_params(const Config& cfg, const std::string& section, const std::string& fallback = "") {
    P p;
    ParamReader r(cfg, section, fallback);
    p.bind(r);
    return p;
}

template <class P>
P read_checked(const Config& cfg, const std::string& section, const std::string& fallback) {
    P p;
    ParamReader r(cfg, section, fallback);
    p.bind(r);
    with_origin(r, [&] { p.validate(); });
    return p;
}

}  // namespace sim
