// Raw configuration: "section.key" -> value text, each remembering where it came from.
//
// INI files are read with Boost.Program_options (parse_config_file, sections become
// key prefixes, '#' starts a comment). Command-line overrides (--memory.latency_ns=90)
// are applied after the files and win. Values stay text here; ParamReader converts and
// validates them, so every error can name the file and line of the key.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sim {

struct Origin {
    std::string file;  // "command line" for overrides
    int line = 0;      // 0 when there is no line (command line)
    // "FILE:LINE" or "command line"
    std::string str() const;
};

class Config {
public:
    // Throws InputError: "PATH: cannot open file", "PATH:LINE: malformed line 'TEXT'",
    // "PATH:LINE: KEY: given twice". A key given twice in one file is an error; a later
    // file replaces an earlier file's value. A bad file leaves the Config unchanged.
    void load_ini(const std::string& path);
    // The same for text already read; `name` stands for the file in messages.
    void load_ini_text(const std::string& text, const std::string& name);
    // Sets or replaces a value (command-line overrides, tests).
    void set(const std::string& key, const std::string& value, Origin origin = {"command line", 0});

    bool has(const std::string& key) const { return values_.count(key) != 0; }
    // nullptr when absent
    const std::string* find(const std::string& key) const;
    // Origin of a key; {"default", 0} when absent.
    Origin origin(const std::string& key) const;
    // Both keys are given, and `a` by a later source than `b`: a later file than b's,
    // or the command line (set()) over a file. A fallback section's value given later
    // replaces a specific section's given earlier ("the command line wins").
    bool later(const std::string& a, const std::string& b) const;
    // Keys in the order they were first given (files first, then overrides).
    const std::vector<std::string>& keys() const { return order_; }

private:
    struct Entry {
        std::string value;
        Origin origin;
        unsigned source = 0;  // files count up from 1; set() is kOverride
    };
    static constexpr unsigned kOverride = ~0u;
    void put(const std::string& key, const std::string& value, Origin origin, unsigned source);
    std::map<std::string, Entry> values_;
    unsigned files_ = 0;  // files loaded so far
    std::vector<std::string> order_;
};

}  // namespace sim
