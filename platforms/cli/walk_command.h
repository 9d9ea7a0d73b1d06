// `iommu-sim walk`: translate requests offline on the same hardware model, from a
// memory image, without simulating time.
//
//   iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE ...]
//                  [--set key=value ...]
//
// Prints one JSON object per request on stdout. Bad input: exit status 2 and one
// line naming the file and line (or the command-line argument).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cli {

// What the command line asks for, the files aside.
struct WalkJob {
    std::string arch;
    std::vector<std::string> regs, sets;  // NAME=VALUE, key=value
};

// The walk itself: every request of `requests` translated against `image` by a unit
// the job programs, one JSON line each to `out`. Throws sim::InputError, naming the
// file (by the names given) or the command line, before anything is written.
void walk(const WalkJob& job, std::istream& image, const std::string& image_name, std::istream& requests,
          const std::string& requests_name, std::ostream& out);

// args: everything after "walk". Returns the exit status.
int run_walk(const std::vector<std::string>& args);

}  // namespace cli
