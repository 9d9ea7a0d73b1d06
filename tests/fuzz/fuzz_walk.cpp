// `iommu-sim walk` without its files: the memory image and request parsers, the
// --reg and --set assignments, and every request translated by the unit they program.
// Input: lines "arch NAME", "reg NAME=VALUE", "set KEY=VALUE"; a line "%%"; the
// image; "%%"; the requests. Bad input must end in one InputError naming the file or
// the command line; architectural misuse in the tables gets faults. The requests run
// twice: the second pass meets warm caches (context, PASID, IOTLB, walk caches) over
// tables nothing has changed, so it must print what the first printed (check_second_pass).
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

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

// A translation's page as the caches may hold it: where it starts in both spaces, its
// size and what it allows.
std::string page_of(const nlohmann::json& answer) {
    if (!answer.contains("pa")) return "";
    const uint64_t size = answer["page_size"], mask = size - 1;
    const uint64_t iova = std::stoull(answer["iova"].get<std::string>(), nullptr, 16);
    const uint64_t pa = std::stoull(answer["pa"].get<std::string>(), nullptr, 16);
    nlohmann::json page = answer;  // whichever request walked it: a domain's requesters share it
    // What the request asked, not the page: snoop follows its No Snoop unless the page
    // forces snooping (AMD-Vi FC), so a nosnoop walk's page serves a snooped request.
    for (const char* asked : {"sid", "pasid", "access", "snoop"}) page.erase(asked);
    page["iova"] = iova & ~mask;
    page["pa"] = pa & ~mask;
    return page.dump();
}

// The second pass meets warm caches over unchanged tables, so each answer must be the
// walk's, or a page the first pass's walks produced: a page of several entries
// (AMD-Vi NextLevel=7) whose entries software did not replicate answers from the IOTLB
// for IOVAs whose own entry says otherwise, as the architecture leaves it undefined.
void check_second_pass(const std::string& out) {
    std::vector<nlohmann::json> answers;
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);) answers.push_back(nlohmann::json::parse(l));
    if (answers.size() % 2) fuzz::fail("an odd number of answers for two passes");
    const size_t half = answers.size() / 2;
    std::set<std::string> walked;
    for (size_t i = 0; i < half; ++i) walked.insert(page_of(answers[i]));
    for (size_t i = 0; i < half; ++i) {
        const nlohmann::json &walk = answers[i], &cached = answers[half + i];
        if (cached != walk && (!cached.contains("pa") || !walked.count(page_of(cached))))
            fuzz::fail("request " + std::to_string(i + 1) + ": the cached answer " + cached.dump() +
                       " is neither the walk's " + walk.dump() + " nor a page the walks produced");
    }
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
