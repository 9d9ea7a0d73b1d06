#include "platforms/cli/help_text.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <boost/program_options.hpp>

#include "models/sim/error.h"
#include "models/sim/suggest.h"
#include "platforms/cli/prepare.h"
#include "workloads/workload.h"

namespace cli {
namespace {

constexpr const char* kUsage =
    "usage: iommu-sim [--config FILE]... [--KEY=VALUE]... [--seed N] [--mode timing|atomic]\n"
    "                 [--stats-json PATH] [--stats-schema PATH] [--record-trace PATH] [--timeline PATH]\n"
    "                 [--check-isolation] [--out DIR] [--timeline-events CLASS[,CLASS...]] [--quiet]\n"
    "                 [--help]\n"
    "       iommu-sim --dump-config [--config FILE]... [--KEY=VALUE]...\n"
    "                 (the effective configuration as INI, with where each value came from)\n"
    "       iommu-sim --version | --list-configs | --list-workloads\n"
    "       iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE]...\n"
    "                 [--set KEY=VALUE]...   (offline translation; see README)\n"
    "       iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]\n"
    "                 [--stats-schema PATH] [--record-trace PATH] [--set KEY=VALUE]...\n"
    "                 [--check-isolation] [--out DIR] [--quiet]\n"
    "                 (replay mapping-engine operations; see traces/FORMAT.md)\n"
    "       iommu-sim csv --keys KEY[,KEY...] STATS.json...\n"
    "                 (chosen statistics of runs as CSV, one row per file)\n"
    "       iommu-sim compare A.json B.json [C.json...] [--keys KEY[,KEY...]]\n"
    "                 (statistics of runs side by side, with ratios to the first)\n"
    "       iommu-sim help [SECTION]   (subcommands and parameter sections; one section)\n"
    "Runs the platform a configuration describes. Every parameter below can be set in an\n"
    "INI file (section = the part before the last dot) or overridden on the command line.\n"
    "[link] and [dev] apply to every link and device; [link0], [dev1], ... to one.\n"
    "Each subcommand takes --help.\n";

constexpr const char* kSubcommands[][2] = {
    {"(none)", "run the platform a configuration describes, write its statistics"},
    {"walk", "translate requests offline from a memory image, without simulating time"},
    {"replay", "replay a trace of mapping-engine operations and DMA"},
    {"csv", "chosen statistics of runs as CSV, one row per file"},
    {"compare", "statistics of runs side by side, with ratios to the first"},
    {"help", "this list; help SECTION: one section's parameters"},
};

// Sections in name order, each with its listed parameters in declaration order.
std::map<std::string, std::vector<const sim::ParamInfo*>> by_section(const sim::ParamSchema& schema) {
    std::map<std::string, std::vector<const sim::ParamInfo*>> out;
    for (const sim::ParamInfo& p : schema.entries())
        if (p.listed) out[section_of(p.key)].push_back(&p);
    return out;
}

std::string natural_number(const sim::ParamInfo& p, const std::string& text) {
    if (p.unit != "B") return text;
    try {
        return natural_bytes(std::stoull(text));
    } catch (const std::exception&) {
        return text;
    }
}

void print_params(std::ostream& os, const std::vector<const sim::ParamInfo*>& params) {
    constexpr size_t kMaxKeyColumn = 40;
    const auto head = [](const sim::ParamInfo& p) { return "  --" + p.key + "=" + natural_default(p); };
    size_t column = 0;
    for (const auto* p : params) column = std::max(column, std::min(head(*p).size() + 2, kMaxKeyColumn));
    for (const auto* p : params) {
        std::string line = head(*p);
        std::string text = (p->unit.empty() ? "" : "[" + p->unit + "] ") + p->desc;
        if (const std::string v = valid_text(*p); !v.empty()) text += " (" + v + ")";
        if (line.size() + 2 > column) {
            os << line << "\n";
            line.clear();
        }
        line.resize(column, ' ');
        os << line << wrap(text, column, column) << "\n";
    }
}

void print_sections(std::ostream& os, const sim::ParamSchema& schema) {
    for (const auto& [section, params] : by_section(schema)) {
        os << "\n[" << section << "]\n";
        print_params(os, params);
    }
}

// The first sentence of the comment block a configuration file opens with.
std::string first_sentence(std::istream& in) {
    std::string text, line;
    while (std::getline(in, line) && line.rfind("#", 0) == 0) {
        text += " " + line.substr(line.find_first_not_of("# ") == std::string::npos ? line.size()
                                                                                   : line.find_first_not_of("# "));
        const size_t end = text.find(". ");
        if (end != std::string::npos) return text.substr(1, end);
        if (!text.empty() && text.back() == '.') break;
    }
    return text.empty() ? "" : text.substr(1);
}

sim::ParamSchema default_schema() { return schema_for(sim::Config{}); }

}  // namespace

std::string natural_bytes(uint64_t bytes) {
    static const char kSuffix[] = "KMGT";
    int i = -1;
    while (bytes != 0 && i < 3 && bytes % 1024 == 0) bytes /= 1024, ++i;
    return std::to_string(bytes) + (i < 0 ? "" : std::string(1, kSuffix[i]));
}

std::string natural_default(const sim::ParamInfo& p) {
    return p.type == "uint" ? natural_number(p, p.default_text) : p.default_text;
}

std::string valid_text(const sim::ParamInfo& p) {
    if (!p.values.empty()) return p.values;
    if (p.type == "bool") return "true|false";
    if (p.type != "uint" && p.type != "real") return p.range_text;
    const size_t dots = p.range_text.find("..");
    if (dots == std::string::npos) return p.range_text;
    const std::string lo = p.range_text.substr(0, dots), hi = p.range_text.substr(dots + 2);
    if (p.type == "uint" && hi == std::to_string(UINT64_MAX)) return natural_number(p, lo) + " or more";
    return natural_number(p, lo) + ".." + natural_number(p, hi);
}

std::string wrap(const std::string& text, size_t used, size_t indent, size_t columns) {
    std::istringstream words(text);
    std::string out, word;
    size_t at = used;
    bool first = true;
    while (words >> word) {
        if (!first && at + 1 + word.size() > columns) {
            out += "\n" + std::string(indent, ' ');
            at = indent;
            first = true;
        }
        if (!first) out += ' ', ++at;
        out += word;
        at += word.size();
        first = false;
    }
    return out;
}

std::string section_of(const std::string& key) {
    const size_t dot = key.rfind('.');
    return dot == std::string::npos ? "" : key.substr(0, dot);
}

bool print_section(std::ostream& os, const sim::ParamSchema& schema, const std::string& section) {
    bool any = false;
    for (const auto& [name, params] : by_section(schema)) {
        if (name != section && name.rfind(section + ".", 0) != 0) continue;
        os << (any ? "\n[" : "[") << name << "]\n";
        print_params(os, params);
        any = true;
    }
    return any;
}

void print_help(std::ostream& out, const sim::Config& cfg) {
    out << kUsage;
    print_sections(out, schema_for(cfg));
    out << "\niommu-sim help SECTION for one section\n";
}

int run_help(const std::vector<std::string>& args) {
    const sim::ParamSchema schema = default_schema();
    if (args.empty()) {
        std::cout << kUsage << "\nsubcommands:\n";
        for (const auto& s : kSubcommands) std::cout << "  " << s[0] << std::string(10 - std::strlen(s[0]), ' ') << s[1] << "\n";
        std::string sections;
        for (const auto& kv : by_section(schema)) sections += (sections.empty() ? "" : " ") + kv.first;
        std::cout << "\nparameter sections (iommu-sim help SECTION):\n  " << wrap(sections, 2, 2) << "\n";
        return 0;
    }
    std::ostringstream out;
    if (args.size() > 1 || !print_section(out, schema, args[0])) {
        std::vector<std::string> names;
        for (const auto& kv : by_section(schema)) names.push_back(kv.first);
        const std::string what = args.size() > 1 ? "help takes one section" : "no such parameter section";
        std::cerr << "iommu-sim: command line: " << sim::printable_input(args.back()) << ": " << what
                  << sim::did_you_mean(args.back(), names) << "\n";
        return sim::kExitBadInput;
    }
    std::cout << out.str();
    return 0;
}

int list_configs(std::ostream& out) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory("configs", ec)) {
        std::cerr << "iommu-sim: configs: no such directory here (--list-configs lists ./configs/*.ini; run it "
                     "from the repository root)\n";
        return sim::kExitBadInput;
    }
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator("configs", ec))
        if (e.path().extension() == ".ini") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    size_t width = 0;
    for (const auto& n : names) width = std::max(width, n.size());
    for (const auto& n : names) {
        std::ifstream in("configs/" + n);
        const std::string head = "  configs/" + n + std::string(width - n.size() + 2, ' ');
        out << head << wrap(first_sentence(in), head.size(), head.size()) << "\n";
    }
    return 0;
}

void list_workloads(std::ostream& out) {
    for (const workload::TypeInfo& t : workload::types())
        out << "  " << t.name << std::string(14 - std::strlen(t.name), ' ') << t.what << "\n";
}

bool subcommand_help(const std::vector<std::string>& args, const char* usage,
                     const std::function<void(boost::program_options::options_description&)>& describe,
                     const std::string& positional) {
    if (std::find(args.begin(), args.end(), "--help") == args.end()) return false;
    boost::program_options::options_description all, shown("options", unsigned(kHelpColumns));
    describe(all);
    for (const auto& o : all.options())
        if (o->long_name() != positional) shown.add(o);
    shown.add_options()("help", "this text");
    std::cout << usage << "\n" << shown;
    return true;
}

}  // namespace cli
