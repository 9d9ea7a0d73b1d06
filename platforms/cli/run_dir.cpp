#include "platforms/cli/run_dir.h"

#include <filesystem>
#include <fstream>

#include "models/sim/cli.h"
#include "models/sim/error.h"
#include "platforms/cli/version.h"

namespace cli {
namespace {

std::string in_dir(const std::string& dir, const char* name) {
    return (std::filesystem::path(dir) / name).string();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw sim::InputError(path + ": cannot write file");
}

bool needs_quotes(const std::string& w) {
    if (w.empty()) return true;
    for (char c : w) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           std::string("_-./=:,+@%").find(c) != std::string::npos;
        if (!plain) return true;
    }
    return false;
}

}  // namespace

std::string shell_quoted(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) {
        if (!out.empty()) out += ' ';
        if (!needs_quotes(w)) {
            out += w;
            continue;
        }
        out += '\'';
        for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

std::string run_dir_stats(const std::string& dir) { return in_dir(dir, "stats.json"); }

std::string run_dir_schema(const std::string& dir) { return in_dir(dir, "stats.schema.json"); }

void start_run_dir(const std::string& dir, const std::string& config_ini,
                   const std::vector<std::string>& argv, std::vector<std::string> outputs) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec))
        throw sim::InputError(dir + ": cannot create directory");
    outputs.push_back(run_dir_stats(dir));
    outputs.push_back(run_dir_schema(dir));
    sim::check_outputs_writable(outputs);
    write_text(in_dir(dir, "config.ini"), config_ini);
    write_text(in_dir(dir, "cmdline.txt"), shell_quoted(argv) + "\n");
    write_text(in_dir(dir, "version.txt"), version_line() + "\n");
}

}  // namespace cli
