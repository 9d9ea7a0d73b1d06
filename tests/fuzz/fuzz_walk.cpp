// `iommu-sim walk` without its files: the memory image and request parsers, the
// --reg and --set assignments, and every request translated by the unit they program.
// Input: lines "arch NAME", "reg NAME=VALUE", "set KEY=VALUE"; a line "%%"; the
// image; "%%"; the requests. Bad input must end in one InputError naming the file or
// the command line; architectural misuse in the tables gets faults. The requests run
// twice: the second pass meets warm caches (context, PASID, IOTLB, walk caches) over
// tables nothing has changed, so it must print exactly what the first printed.
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

void check_second_pass(const std::string& out) {
    const size_t half = out.size() / 2;
    if (out.compare(0, half, out, half, std::string::npos) != 0)
        fuzz::fail("a cached translation differs from the walk:\n" + out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<std::string> p = fuzz::parts(data, size, 3);
    std::string reqs = p[2];
    if (!reqs.empty() && reqs.back() != '\n') reqs += '\n';
    std::istringstream image(p[1]), requests(reqs + reqs);
    std::ostringstream out;
    try {
        cli::walk(job(p[0]), image, "image", requests, "requests", out);
    } catch (const sim::InputError& e) {
        if (!blames_input(e.what())) fuzz::fail(std::string("error names no input: ") + e.what());
        if (!out.str().empty()) fuzz::fail("output written before an input error");
        return 0;
    }
    check_second_pass(out.str());
    return 0;
}
