// `iommu-sim walk`: translate requests offline on the same hardware model, from a
// memory image, without simulating time.
//
//   iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE ...]
//                  [--set key=value ...]
//
// Prints one JSON object per request on stdout. Bad input: exit status 2 and one
// line naming the file and line (or the command-line argument).
#pragma once

#include <string>
#include <vector>

namespace cli {

// args: everything after "walk". Returns the exit status.
int run_walk(const std::vector<std::string>& args);

}  // namespace cli
