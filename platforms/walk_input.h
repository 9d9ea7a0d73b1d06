// The inputs of `iommu-sim walk`, the offline translation command:
//
//   iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE ...]
//                  [--set key=value ...]
//
// MEM, a text memory image: lines "ADDRESS: QWORD [QWORD ...]" in hex (0x optional, any
// case). QWORD i is stored little-endian at ADDRESS + 8*i; any address is accepted, but
// a line whose data would run past 2^64 - 1 is an error. Where lines overlap, the later
// line wins.
// REQS, one request a line: "sid=0x0008 iova=0x1000 access=r|w|rw [pasid=N] [priv]
// [exec] [nosnoop]", tokens in any order, each at most once; numbers 0x-hex or decimal.
// In both files '#' starts a comment, blank lines are ignored and a CRLF line end is
// read as LF.
//
// Bad input throws sim::InputError, one line "FILE:LINE: reason" naming the key or
// token at fault; nothing is returned or stored then. A file that cannot be read gives
// "PATH: cannot open file".
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace memory {
class SparseMemory;
}

namespace platform {

struct WalkRequest {
    uint16_t sid = 0;
    uint64_t iova = 0;
    bool read = false, write = false;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool priv = false, exec = false, nosnoop = false;
    int line = 0;  // line of the request in its file, for reports
};

// Loads the image into mem; returns the number of qwords stored. `name` is the file
// name used in error messages.
size_t load_memory_image(const std::string& path, memory::SparseMemory& mem);
size_t load_memory_image(std::istream& in, const std::string& name, memory::SparseMemory& mem);

std::vector<WalkRequest> load_walk_requests(const std::string& path);

// Opens an input file; "PATH: cannot open file" for one that cannot be read, or a
// directory.
std::ifstream open_input(const std::string& path);
std::vector<WalkRequest> load_walk_requests(std::istream& in, const std::string& name);

// --reg NAME=VALUE: NAME of letters, digits and '_', VALUE a 64-bit 0x-hex or decimal
// number. Errors read "command line: --reg 'TEXT': reason".
struct RegAssignment {
    std::string name;
    uint64_t value;
};
RegAssignment parse_reg_assignment(const std::string& text);

// --set key=value, split at the first '=' (the value may be empty; the key is checked
// later, against the parameter schema). Errors read "command line: --set 'TEXT': ...".
std::pair<std::string, std::string> parse_set_assignment(const std::string& text);

}  // namespace platform
