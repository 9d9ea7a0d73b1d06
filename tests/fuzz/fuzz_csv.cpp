// The statistics reader of `iommu-sim csv`: the first line of the input is the key
// list (KEY[,KEY...]), the rest the statistics file. Every key gets a cell or one
// InputError naming the file; nothing else may come out.
#include <sstream>

#include "models/sim/error.h"
#include "platforms/cli/stats_file.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const size_t eol = text.find('\n');
    std::istringstream keys(text.substr(0, eol)), in(eol == std::string::npos ? "" : text.substr(eol + 1));
    const std::string name = "fuzz.json";
    try {
        const nlohmann::json stats = cli::read_stats(in, name);
        for (std::string k; std::getline(keys, k, ',');) {
            try {
                const std::string cell = cli::stats_cell(stats, k, name);
                if (cell.find('\n') != std::string::npos && cell.front() != '"')
                    fuzz::fail("an unquoted CSV cell holds a newline: " + cell);
            } catch (const sim::InputError& e) {
                fuzz::check_names(e, name);
            }
        }
    } catch (const sim::InputError& e) {
        fuzz::check_names(e, name);
    }
    return 0;
}
