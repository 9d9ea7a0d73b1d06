#include "models/sim/config_dump.h"

#include <cstdio>
#include <map>
#include <set>

#include "models/sim/error.h"

namespace sim {
namespace {

struct Item {
    std::string value;
    std::string origin;  // "default", "FILE:LINE", "command line"
    bool active = true;  // false: written commented out
};

// section -> name -> item; std::map keeps both sorted.
using Sections = std::map<std::string, std::map<std::string, Item>>;

std::string section_of(const std::string& key) {
    const auto dot = key.rfind('.');
    return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::string name_of(const std::string& key) { return key.substr(key.rfind('.') + 1); }

// "dev0" -> "dev": the section an instance falls back to (ParamReader's fallback).
std::string template_of(const std::string& section) {
    return section.substr(0, section.find_last_not_of("0123456789") + 1);
}

// Sections whose keys instance sections fall back to: [dev] for [dev0], [dev1], ...
std::set<std::string> template_sections(const ParamSchema& schema) {
    std::set<std::string> listed, out;
    for (const ParamInfo& e : schema.entries())
        if (e.listed) listed.insert(section_of(e.key));
    for (const ParamInfo& e : schema.entries()) {
        const std::string t = template_of(section_of(e.key));
        if (!e.listed && listed.count(t)) out.insert(t);
    }
    return out;
}

Item given(const Config& cfg, const std::string& key) {
    return {*cfg.find(key), cfg.origin(key).str(), true};
}

// INI drops what follows '#', ends a value at a line break and trims blanks.
void check_writable(const std::string& key, const Item& item) {
    const std::string& v = item.value;
    const bool blank_end = !v.empty() && (v.front() == ' ' || v.front() == '\t' ||
                                          v.back() == ' ' || v.back() == '\t');
    if (blank_end || v.find_first_of("#\r\n") != std::string::npos)
        throw InputError(item.origin + ": " + printable_input(key) +
                         ": value cannot be written to an INI file ('#', a line break or "
                         "blanks at either end)");
}

// An instance key as ParamReader resolves it: its own value, unless its template's
// was given by a later source.
Item instance_item(const Config& cfg, const std::string& key) {
    const std::string t = template_of(section_of(key)) + "." + name_of(key);
    return given(cfg, cfg.has(t) && cfg.later(t, key) ? t : key);
}

Sections collect(const Config& cfg, const ParamSchema& schema) {
    const std::set<std::string> templates = template_sections(schema);
    Sections out;
    for (const ParamInfo& e : schema.entries()) {
        Item item;
        if (!e.listed) {
            if (!cfg.has(e.key)) continue;  // it falls back to its template, as here
            item = instance_item(cfg, e.key);
        } else if (cfg.has(e.key)) {
            item = given(cfg, e.key);
        } else {
            item = {e.default_text, "default", templates.count(section_of(e.key)) == 0};
        }
        out[section_of(e.key)][name_of(e.key)] = item;
    }
    return out;
}

std::string render(const Sections& sections, bool comments) {
    std::string out;
    if (comments)
        out += "# iommu-sim effective configuration: run it again with --config FILE\n";
    for (const auto& [section, items] : sections) {
        if (!section.empty()) out += (out.empty() ? "[" : "\n[") + section + "]\n";
        for (const auto& [name, item] : items) {
            if (!comments && !item.active) continue;
            const std::string line = name + " = " + item.value;
            if (!comments) {
                out += line + "\n";
                continue;
            }
            check_writable(section.empty() ? name : section + "." + name, item);
            out += (item.active ? "" : "# ") + line + "  # " + item.origin + "\n";
        }
    }
    return out;
}

}  // namespace

std::string dump_config(const Config& cfg, const ParamSchema& schema) {
    return render(collect(cfg, schema), true);
}

std::string config_digest(const Config& cfg, const ParamSchema& schema) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(fnv1a64(render(collect(cfg, schema), false))));
    return hex;
}

uint64_t fnv1a64(const std::string& text) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;  // FNV 64 prime
    }
    return h;
}

}  // namespace sim
