// `iommu-sim walk` without its files: the memory image and request parsers, the
// --reg and --set assignments, and every request translated by the unit they program.
// Input: lines "arch NAME", "reg NAME=VALUE", "set KEY=VALUE"; a line "%%"; the
// image; "%%"; the requests. Bad input must end in one InputError naming the file or
// the command line; architectural misuse in the tables gets faults.
#include <sstream>

#include "models/sim/error.h"
#include "platforms/cli/walk_command.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

cli::WalkJob job(const std::string& text) {
    cli::WalkJob j{"vtd", {}, {}};
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        const size_t sp = l.find(' ');
        const std::string word = l.substr(0, sp), rest = sp == std::string::npos ? "" : l.substr(sp + 1);
        if (word == "arch") j.arch = rest;
        if (word == "reg") j.regs.push_back(rest);
        if (word == "set") j.sets.push_back(rest);
    }
    return j;
}

bool blames_input(const std::string& what) {
    for (const char* who : {"image:", "requests:", "command line"})
        if (what.rfind(who, 0) == 0) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<std::string> p = fuzz::parts(data, size, 3);
    std::istringstream image(p[1]), requests(p[2]);
    std::ostringstream out;
    try {
        cli::walk(job(p[0]), image, "image", requests, "requests", out);
    } catch (const sim::InputError& e) {
        if (!blames_input(e.what())) fuzz::fail(std::string("error names no input: ") + e.what());
        if (!out.str().empty()) fuzz::fail("output written before an input error");
    }
    return 0;
}
