// The configuration as `iommu-sim` reads it: an INI file, then the command line (one
// argument a line), then every parameter, cross-check and limit (cli::prepare). Input:
// the INI text, a line "%%", the arguments. Bad input must end in one InputError
// naming the file ("fuzz.ini:LINE: KEY ...") or the command line, never anything else.
#include <iostream>
#include <sstream>

#include "models/sim/error.h"
#include "platforms/cli/help_text.h"
#include "platforms/cli/prepare.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// Who an error may blame: the file, the command line, or a default the checks
// compare a given value against.
bool blames_input(const std::string& what) {
    for (const char* who : {"fuzz.ini:", "command line", "default:"})
        if (what.rfind(who, 0) == 0) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<std::string> p = fuzz::parts(data, size, 2);
    try {
        sim::CommandLine cl = sim::parse_command_line(lines(p[1]));
        cl.config_files.clear();  // the fuzzed file is the only one read
        sim::Config ini;
        ini.load_ini_text(p[0], "fuzz.ini");
        const sim::Config cfg = sim::build_config(cl, ini);
        if (cl.help) {
            std::ostringstream help;
            cli::print_help(help, cfg);
            return 0;
        }
        cli::prepare(cl, cfg);
    } catch (const sim::InputError& e) {
        if (!blames_input(e.what())) fuzz::fail(std::string("error names no input: ") + e.what());
    }
    return 0;
}
