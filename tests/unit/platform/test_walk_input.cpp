// The inputs of `iommu-sim walk`: memory images, request lists, --reg and --set. Valid
// text must read back exactly; any other text must stop with one line that names the
// file, the line and the token, and leave nothing behind.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/memory/sparse_memory.h"
#include "models/sim/error.h"
#include "models/sim/rng.h"
#include "platforms/walk_input.h"
#include "tests/support/temp_files.h"

namespace fs = std::filesystem;
using platform::WalkRequest;

namespace {

using testutil::input_error;
using testutil::TempDir;

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

size_t load_image(const std::string& text, memory::SparseMemory& mem,
                  const std::string& name = "img.txt") {
    std::istringstream in(text);
    return platform::load_memory_image(in, name, mem);
}

// The error an image gives; a marker spoils it if the image left anything in memory.
std::string image_error(const std::string& text) {
    memory::SparseMemory mem;
    const std::string msg = input_error([&] { load_image(text, mem); });
    return mem.frames() == 0 ? msg : msg + " <memory written>";
}

std::vector<WalkRequest> load_requests(const std::string& text,
                                       const std::string& name = "reqs.txt") {
    std::istringstream in(text);
    return platform::load_walk_requests(in, name);
}

std::string request_error(const std::string& text) {
    return input_error([&] { load_requests(text); });
}

uint8_t byte_at(const memory::SparseMemory& mem, uint64_t addr) {
    uint8_t b = 0;
    mem.read(addr, &b, 1);
    return b;
}

// Byte k of a little-endian 64-bit value, written out here rather than taken from
// SparseMemory::write_u64, so the test checks the layout and not the helper.
uint8_t le_byte(uint64_t value, unsigned k) { return uint8_t((value >> (8 * k)) & 0xff); }

void check_qword(const memory::SparseMemory& mem, uint64_t addr, uint64_t value) {
    for (unsigned k = 0; k < 8; ++k) {
        INFO("byte " << k << " of the qword at " << addr);
        CHECK(byte_at(mem, addr + k) == le_byte(value, k));
    }
}

// "NAME:LINE: reason" with LINE in [1, lines]; checks and returns whether it is so.
bool names_a_line(const std::string& msg, const std::string& name, size_t lines) {
    if (!starts_with(msg, name + ":")) return false;
    const size_t colon = msg.find(':', name.size() + 1);
    if (colon == std::string::npos) return false;
    const std::string digits = msg.substr(name.size() + 1, colon - name.size() - 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const unsigned long line = std::stoul(digits);
    return line >= 1 && line <= lines && msg.compare(colon, 2, ": ") == 0;
}

size_t line_count(const std::string& text) {
    size_t n = 1;
    for (char c : text) n += c == '\n';
    return n;
}

void shuffle(std::vector<std::string>& v, sim::Rng& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.uniform(i)]);
}

std::string hex(uint64_t v, bool upper) {
    std::ostringstream s;
    s << (upper ? std::uppercase : std::nouppercase) << std::hex << v;
    return s.str();
}

}  // namespace

// --- memory image ---------------------------------------------------------------------

TEST_CASE("memory image: each qword lands little-endian at ADDRESS + 8*i", "[walk_input]") {
    memory::SparseMemory mem;
    const std::string text =
        "# page tables\n"
        "0x1000: 0x0123456789abcdef 0xFEDCBA9876543210\n"
        "2000: 1 # one\n"
        "0X3000:ff   " + std::string(70, '0') + "7\n"
        "\n"
        "  \t\n"
        "\t0x4003 :\tAbCdEf  \n"
        "fffffffffffffff8: 0x8877665544332211";
    REQUIRE(load_image(text, mem) == 7);
    check_qword(mem, 0x1000, 0x0123456789abcdefull);
    check_qword(mem, 0x1008, 0xfedcba9876543210ull);
    check_qword(mem, 0x2000, 1);
    check_qword(mem, 0x3000, 0xff);
    check_qword(mem, 0x3008, 7);  // leading zeros do not count against 64 bits
    check_qword(mem, 0x4003, 0xabcdef);  // any alignment
    check_qword(mem, 0xfffffffffffffff8ull, 0x8877665544332211ull);  // the very top
    CHECK(byte_at(mem, 0x0fff) == 0);
    CHECK(byte_at(mem, 0x1010) == 0);
    CHECK(byte_at(mem, 0x4002) == 0);
    CHECK(mem.frames() == 5);
}

TEST_CASE("memory image: comments and blank lines anywhere, CRLF line ends", "[walk_input]") {
    memory::SparseMemory mem;
    const std::string text =
        "# zz: not an entry\r\n"
        "\r\n"
        "0x10: 1 # 2 zz : ! \r\n"
        "0x18: 2# no blank before the comment\r\n"
        "   # indented comment\n"
        "0x20: 3 4\r\n"
        "0x30:5#";
    REQUIRE(load_image(text, mem) == 5);
    check_qword(mem, 0x10, 1);
    check_qword(mem, 0x18, 2);
    check_qword(mem, 0x20, 3);
    check_qword(mem, 0x28, 4);
    check_qword(mem, 0x30, 5);
    CHECK(byte_at(mem, 0x38) == 0);
}

TEST_CASE("memory image: an empty image stores nothing", "[walk_input]") {
    memory::SparseMemory mem;
    CHECK(load_image("", mem) == 0);
    CHECK(load_image("\n\n# only comments\n  \t \r\n", mem) == 0);
    CHECK(mem.frames() == 0);
}

TEST_CASE("memory image: a later line overwrites the bytes it overlaps", "[walk_input]") {
    memory::SparseMemory mem;
    REQUIRE(load_image("0x10: 0x1111111111111111 0x2222222222222222\n0x14: 0\n", mem) == 3);
    for (uint64_t a = 0x10; a < 0x14; ++a) CHECK(byte_at(mem, a) == 0x11);
    for (uint64_t a = 0x14; a < 0x1c; ++a) CHECK(byte_at(mem, a) == 0);
    for (uint64_t a = 0x1c; a < 0x20; ++a) CHECK(byte_at(mem, a) == 0x22);
}

TEST_CASE("memory image: every malformed line is named with its reason", "[walk_input]") {
    const std::string expected = "expected 'ADDRESS: QWORD ...'";
    CHECK(image_error("0x1000: 1\n0x1008: zz\n") == "img.txt:2: 'zz' is not a hex number");
    CHECK(image_error("zz: 1") == "img.txt:1: 'zz' is not a hex number");
    CHECK(image_error("\n\n# c\n\n0x1000 1 2\n") == "img.txt:5: " + expected);
    CHECK(image_error("0x1000:") == "img.txt:1: " + expected);
    CHECK(image_error("0x1000: # 5") == "img.txt:1: " + expected);
    CHECK(image_error("0x1000") == "img.txt:1: " + expected);
    CHECK(image_error(": 1") == "img.txt:1: " + expected);
    CHECK(image_error("1 2: 3") == "img.txt:1: " + expected);
    CHECK(image_error("0x: 1") == "img.txt:1: '0x' is not a hex number");
    CHECK(image_error("0x10: -1") == "img.txt:1: '-1' is not a hex number");
    CHECK(image_error("0x10: +1") == "img.txt:1: '+1' is not a hex number");
    CHECK(image_error("0x10: 0x0x1") == "img.txt:1: '0x0x1' is not a hex number");
    CHECK(image_error("0x10: 1_000") == "img.txt:1: '1_000' is not a hex number");
    CHECK(image_error("0x10: 1:2") == "img.txt:1: '1:2' is not a hex number");
    CHECK(image_error("0x10: 1 g") == "img.txt:1: 'g' is not a hex number");
    CHECK(image_error("0x10: x10") == "img.txt:1: 'x10' is not a hex number");
}

TEST_CASE("memory image: values beyond 64 bits and data past 2^64 - 1 are refused", "[walk_input]") {
    CHECK(image_error("0x10: 0x1ffffffffffffffff") ==
          "img.txt:1: '0x1ffffffffffffffff' does not fit 64 bits");
    CHECK(image_error("0x10: 1\n10000000000000000: 1") ==
          "img.txt:2: '10000000000000000' does not fit 64 bits");
    CHECK(image_error("0x10: 1 ffffffffffffffff 10000000000000000") ==
          "img.txt:1: '10000000000000000' does not fit 64 bits");
    CHECK(image_error("fffffffffffffff8: 1 2") ==
          "img.txt:1: '2' runs past the top of the address space");
    CHECK(image_error("fffffffffffffffc: 1") ==
          "img.txt:1: '1' runs past the top of the address space");
    CHECK(image_error("ffffffffffffffff: 1") ==
          "img.txt:1: '1' runs past the top of the address space");
}

TEST_CASE("memory image: bytes that break a line are shown escaped", "[walk_input]") {
    CHECK(image_error(std::string("0x10: 1\0", 8)) == "img.txt:1: '1\\x00' is not a hex number");
    // Only a CR that ends the line belongs to the line end.
    CHECK(image_error("0x10: 1\r2\r\n") == "img.txt:1: '1\\x0D2' is not a hex number");
    CHECK(image_error("0x10: 1\r\r\n") == "img.txt:1: '1\\x0D' is not a hex number");
    CHECK(image_error("0x10: \xff") == "img.txt:1: '\\xFF' is not a hex number");
    const std::string msg = image_error("0x10: " + std::string(500, 'q'));
    CHECK(msg == "img.txt:1: '" + std::string(80, 'q') + "...' is not a hex number");
}

TEST_CASE("memory image: a bad image leaves memory as it was", "[walk_input]") {
    memory::SparseMemory mem;
    mem.write_u64(0x10, 0xabc);
    const uint64_t digest = mem.digest();
    CHECK(input_error([&] { load_image("0x10: 5\n0x2000: 6\nzz", mem); }) ==
          "img.txt:3: expected 'ADDRESS: QWORD ...'");
    CHECK(mem.read_u64(0x10) == 0xabc);
    CHECK(mem.frames() == 1);
    CHECK(mem.digest() == digest);
}

TEST_CASE("memory image: read from a file, or the file is named", "[walk_input]") {
    TempDir dir;
    memory::SparseMemory mem;
    const std::string path = dir.write("img.txt", "0x40: 0xAA # x\r\n\r\n0x48: bb\r\n");
    CHECK(platform::load_memory_image(path, mem) == 2);
    check_qword(mem, 0x40, 0xaa);
    check_qword(mem, 0x48, 0xbb);

    const std::string bad = dir.write("bad.txt", "0x40: 1\n0x48 2\n");
    CHECK(input_error([&] { platform::load_memory_image(bad, mem); }) ==
          bad + ":2: expected 'ADDRESS: QWORD ...'");
    const std::string missing = dir.path("missing.txt");
    CHECK(input_error([&] { platform::load_memory_image(missing, mem); }) ==
          missing + ": cannot open file");
    const std::string folder = dir.path("");
    CHECK(input_error([&] { platform::load_memory_image(folder, mem); }) ==
          folder + ": cannot open file");
    CHECK(mem.frames() == 1);
}

// --- requests --------------------------------------------------------------------------

TEST_CASE("requests: every field, in any order, hex or decimal", "[walk_input]") {
    const auto reqs = load_requests(
        "sid=0x0008 iova=0x1000 access=r\n"
        "# a comment\n"
        "\n"
        "sid=8 iova=4096 access=w pasid=0x5 priv exec nosnoop   # trailing comment\n"
        "  nosnoop access=rw\tiova=0XFFFFFFFFFFFFFFFF sid=0xFFFF pasid=1048575\r\n"
        "pasid=0 access=r iova=18446744073709551615 sid=65535 exec\n"
        "sid=010 iova=0x0aBc access=w priv");
    REQUIRE(reqs.size() == 5);

    const WalkRequest& a = reqs[0];
    CHECK(a.sid == 8);
    CHECK(a.iova == 0x1000);
    CHECK((a.read && !a.write));
    CHECK_FALSE(a.pasid_valid);
    CHECK(a.pasid == 0);
    CHECK_FALSE((a.priv || a.exec || a.nosnoop));
    CHECK(a.line == 1);

    const WalkRequest& b = reqs[1];
    CHECK(b.sid == 8);
    CHECK(b.iova == 4096);
    CHECK((!b.read && b.write));
    CHECK((b.pasid_valid && b.pasid == 5));
    CHECK((b.priv && b.exec && b.nosnoop));
    CHECK(b.line == 4);

    const WalkRequest& c = reqs[2];
    CHECK(c.sid == 0xffff);
    CHECK(c.iova == UINT64_MAX);
    CHECK((c.read && c.write));
    CHECK((c.pasid_valid && c.pasid == 0xfffff));
    CHECK((!c.priv && !c.exec && c.nosnoop));
    CHECK(c.line == 5);

    const WalkRequest& d = reqs[3];
    CHECK((d.sid == 0xffff && d.iova == UINT64_MAX));
    CHECK((d.pasid_valid && d.pasid == 0));  // pasid=0 is a PASID
    CHECK((d.exec && !d.priv && !d.nosnoop));
    CHECK(d.line == 6);

    const WalkRequest& e = reqs[4];
    CHECK(e.sid == 10);  // decimal, not octal
    CHECK(e.iova == 0xabc);
    CHECK((e.priv && !e.read && e.write));
    CHECK(e.line == 7);
}

TEST_CASE("requests: no requests in an empty or comment-only file", "[walk_input]") {
    CHECK(load_requests("").empty());
    CHECK(load_requests("# nothing\n\n \t\r\n").empty());
}

TEST_CASE("requests: a missing field or a bad access is named with its line", "[walk_input]") {
    CHECK(request_error("sid=1 iova=0 access=r\n# c\nsid=1 iova=0 access=x\n") ==
          "reqs.txt:3: access: 'x' is not r, w or rw");
    CHECK(request_error("sid=1 iova=0 access=r\n\n\niova=1 access=r\n") ==
          "reqs.txt:4: missing sid");
    CHECK(request_error("sid=1 access=r") == "reqs.txt:1: missing iova");
    CHECK(request_error("sid=1 iova=2") == "reqs.txt:1: missing access");
    CHECK(request_error("priv # only a flag") == "reqs.txt:1: missing sid");
    CHECK(request_error("sid=1 iova=0 access=R") == "reqs.txt:1: access: 'R' is not r, w or rw");
    CHECK(request_error("sid=1 iova=0 access=wr") == "reqs.txt:1: access: 'wr' is not r, w or rw");
    CHECK(request_error("sid=1 iova=0 access=") == "reqs.txt:1: access: '' is not r, w or rw");
}

TEST_CASE("requests: each key and flag at most once", "[walk_input]") {
    const std::string base = "sid=1 iova=2 access=r pasid=3 priv exec nosnoop ";
    CHECK(request_error(base + "sid=1") == "reqs.txt:1: sid: given twice");
    CHECK(request_error(base + "iova=0x2") == "reqs.txt:1: iova: given twice");
    CHECK(request_error(base + "access=w") == "reqs.txt:1: access: given twice");
    CHECK(request_error(base + "pasid=3") == "reqs.txt:1: pasid: given twice");
    CHECK(request_error(base + "priv") == "reqs.txt:1: priv: given twice");
    CHECK(request_error(base + "exec") == "reqs.txt:1: exec: given twice");
    CHECK(request_error(base + "nosnoop") == "reqs.txt:1: nosnoop: given twice");
    // A key given twice is reported before its second value is read.
    CHECK(request_error("sid=1 sid=zz iova=0 access=r") == "reqs.txt:1: sid: given twice");
}

TEST_CASE("requests: numbers out of range or not numbers", "[walk_input]") {
    const std::string rest = " iova=0 access=r";
    CHECK(request_error("sid=0x10000" + rest) == "reqs.txt:1: sid: '0x10000' does not fit 16 bits");
    CHECK(request_error("sid=65536" + rest) == "reqs.txt:1: sid: '65536' does not fit 16 bits");
    CHECK(request_error("sid=1 iova=0 access=r pasid=0x100000") ==
          "reqs.txt:1: pasid: '0x100000' does not fit 20 bits");
    CHECK(request_error("sid=1 iova=0 access=r pasid=1048576") ==
          "reqs.txt:1: pasid: '1048576' does not fit 20 bits");
    CHECK(request_error("sid=1 access=r iova=0x10000000000000000") ==
          "reqs.txt:1: iova: '0x10000000000000000' does not fit 64 bits");
    CHECK(request_error("sid=1 access=r iova=18446744073709551616") ==
          "reqs.txt:1: iova: '18446744073709551616' does not fit 64 bits");
    CHECK(request_error("sid=99999999999999999999999" + rest) ==
          "reqs.txt:1: sid: '99999999999999999999999' does not fit 16 bits");
    CHECK(request_error("sid=zz" + rest) == "reqs.txt:1: sid: 'zz' is not a number");
    CHECK(request_error("sid=" + rest) == "reqs.txt:1: sid: '' is not a number");
    CHECK(request_error("sid=0x" + rest) == "reqs.txt:1: sid: '0x' is not a number");
    CHECK(request_error("sid=-1" + rest) == "reqs.txt:1: sid: '-1' is not a number");
    CHECK(request_error("sid=+1" + rest) == "reqs.txt:1: sid: '+1' is not a number");
    CHECK(request_error("sid=1f" + rest) == "reqs.txt:1: sid: '1f' is not a number");
    CHECK(request_error("sid=1 access=r iova=1e3") == "reqs.txt:1: iova: '1e3' is not a number");
    CHECK(request_error("sid=1=2" + rest) == "reqs.txt:1: sid: '1=2' is not a number");
}

TEST_CASE("requests: unknown keys and flags, and flags with values", "[walk_input]") {
    const std::string base = "sid=1 iova=2 access=r ";
    CHECK(request_error(base + "foo=1") == "reqs.txt:1: unknown key 'foo'");
    CHECK(request_error("SID=1 iova=2 access=r") == "reqs.txt:1: unknown key 'SID'");
    CHECK(request_error(base + "snoop") == "reqs.txt:1: unknown flag 'snoop'");
    CHECK(request_error(base + "Priv") == "reqs.txt:1: unknown flag 'Priv'");
    CHECK(request_error(base + "priv=1") == "reqs.txt:1: priv: takes no value");
    CHECK(request_error(base + "nosnoop=") == "reqs.txt:1: nosnoop: takes no value");
    CHECK(request_error("sid iova=2 access=r") == "reqs.txt:1: sid: expected sid=VALUE");
    CHECK(request_error(base + "pasid") == "reqs.txt:1: pasid: expected pasid=VALUE");
    CHECK(request_error(base + "=1") == "reqs.txt:1: '=1': expected KEY=VALUE");
    CHECK(request_error(base + "sid:1") == "reqs.txt:1: unknown flag 'sid:1'");
    CHECK(request_error(base + std::string("pr\0iv", 5)) == "reqs.txt:1: unknown flag 'pr\\x00iv'");
    CHECK(request_error(base + "priv\rexec") == "reqs.txt:1: unknown flag 'priv\\x0Dexec'");
}

TEST_CASE("requests: read from a file, or the file is named", "[walk_input]") {
    TempDir dir;
    const std::string path = dir.write("reqs.txt", "sid=1 iova=2 access=r\r\n\r\nsid=3 iova=4 access=w\r\n");
    const auto reqs = platform::load_walk_requests(path);
    REQUIRE(reqs.size() == 2);
    CHECK((reqs[1].sid == 3 && reqs[1].iova == 4 && reqs[1].write && reqs[1].line == 3));

    const std::string bad = dir.write("bad.txt", "sid=1 iova=2 access=r\naccess=r\n");
    CHECK(input_error([&] { platform::load_walk_requests(bad); }) == bad + ":2: missing sid");
    const std::string missing = dir.path("none.txt");
    CHECK(input_error([&] { platform::load_walk_requests(missing); }) ==
          missing + ": cannot open file");
}

// --- --reg and --set -------------------------------------------------------------------

TEST_CASE("command line: --reg NAME=VALUE", "[walk_input]") {
    auto reg = platform::parse_reg_assignment("CAP_REG=0x00d2008c40660462");
    CHECK(reg.name == "CAP_REG");
    CHECK(reg.value == 0x00d2008c40660462ull);
    reg = platform::parse_reg_assignment("gcmd_2=42");
    CHECK((reg.name == "gcmd_2" && reg.value == 42));
    reg = platform::parse_reg_assignment("R=0XFFFFFFFFFFFFFFFF");
    CHECK((reg.name == "R" && reg.value == UINT64_MAX));

    auto err = [](const std::string& text) {
        return input_error([&] { platform::parse_reg_assignment(text); });
    };
    CHECK(err("CAP") == "command line: --reg 'CAP': expected NAME=VALUE");
    CHECK(err("=5") == "command line: --reg '=5': expected NAME=VALUE");
    CHECK(err("CAP=") == "command line: --reg 'CAP=': expected NAME=VALUE");
    CHECK(err("") == "command line: --reg '': expected NAME=VALUE");
    CHECK(err("CAP-REG=1") == "command line: --reg 'CAP-REG=1': 'CAP-REG' is not a register name");
    CHECK(err("CAP =1") == "command line: --reg 'CAP =1': 'CAP ' is not a register name");
    CHECK(err("CAP=zz") == "command line: --reg 'CAP=zz': 'zz' is not a number");
    CHECK(err("CAP= 1") == "command line: --reg 'CAP= 1': ' 1' is not a number");
    CHECK(err("CAP=1=2") == "command line: --reg 'CAP=1=2': '1=2' is not a number");
    CHECK(err("CAP=-1") == "command line: --reg 'CAP=-1': '-1' is not a number");
    CHECK(err("CAP=0x10000000000000000") ==
          "command line: --reg 'CAP=0x10000000000000000': '0x10000000000000000' does not fit 64 bits");
    CHECK(err("C\nAP=1") == "command line: --reg 'C\\x0AAP=1': 'C\\x0AAP' is not a register name");
}

TEST_CASE("command line: --set key=value splits at the first '='", "[walk_input]") {
    using Pair = std::pair<std::string, std::string>;
    CHECK(platform::parse_set_assignment("iommu.iotlb.entries=128") ==
          Pair("iommu.iotlb.entries", "128"));
    CHECK(platform::parse_set_assignment("a=b=c") == Pair("a", "b=c"));
    CHECK(platform::parse_set_assignment("k=") == Pair("k", ""));
    auto err = [](const std::string& text) {
        return input_error([&] { platform::parse_set_assignment(text); });
    };
    CHECK(err("novalue") == "command line: --set 'novalue': expected key=value");
    CHECK(err("=v") == "command line: --set '=v': expected key=value");
    CHECK(err("") == "command line: --set '': expected key=value");
    CHECK(err("a\nb") == "command line: --set 'a\\x0Ab': expected key=value");
}

// --- fuzzing ---------------------------------------------------------------------------

namespace {

// Bytes that matter to the parsers, and some that never should.
const std::string kFuzzBytes = std::string("0123456789abcdefABCDEFxXgz:=# \t\r\n\0\xff-+_", 38) +
                               "sidovaccesrwpnxtqk";

// Mutates a list of lines: byte edits, truncation, splicing and duplication.
void mutate(std::vector<std::string>& lines, sim::Rng& rng) {
    if (lines.empty()) lines.push_back("");
    std::string& l = lines[rng.uniform(lines.size())];
    const char byte = kFuzzBytes[rng.uniform(kFuzzBytes.size())];
    switch (rng.uniform(7)) {
        case 0: l.insert(l.begin() + long(rng.uniform(l.size() + 1)), byte); break;
        case 1: if (!l.empty()) l.erase(rng.uniform(l.size()), 1); break;
        case 2: if (!l.empty()) l[rng.uniform(l.size())] = byte; break;
        case 3: l.resize(rng.uniform(l.size() + 1)); break;
        case 4: {  // splice: the head of one line and the tail of another
            const std::string& other = lines[rng.uniform(lines.size())];
            l = l.substr(0, rng.uniform(l.size() + 1)) + other.substr(rng.uniform(other.size() + 1));
            break;
        }
        case 5: {  // duplicate a line (copied first: inserting may move it)
            const std::string copy = l;
            lines.insert(lines.begin() + long(rng.uniform(lines.size() + 1)), copy);
            break;
        }
        default: {  // a line of random bytes
            std::string junk(rng.uniform(24), ' ');
            for (char& c : junk) c = rng.chance(0.5) ? kFuzzBytes[rng.uniform(kFuzzBytes.size())]
                                                     : char(rng.uniform(256));
            lines.insert(lines.begin() + long(rng.uniform(lines.size() + 1)), junk);
        }
    }
}

// A fuzz input: some valid lines, mutated one to four times, joined by LF or CRLF, and
// now and then cut anywhere.
std::string fuzz_text(const std::vector<std::string>& valid, sim::Rng& rng) {
    std::vector<std::string> lines;
    for (uint64_t n = rng.uniform(6) + 1; n > 0; --n) lines.push_back(valid[rng.uniform(valid.size())]);
    for (uint64_t m = rng.uniform(4) + 1; m > 0; --m) mutate(lines, rng);
    std::string text;
    for (const auto& l : lines) text += l + (rng.chance(0.2) ? "\r\n" : "\n");
    if (rng.chance(0.2)) text.resize(rng.uniform(text.size() + 1));
    return text;
}

// A rejected fuzz input: one line "NAME:LINE: reason", LINE within the text.
void check_rejection(const sim::InputError& e, const std::string& name, const std::string& text) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(names_a_line(msg, name, line_count(text)));
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find('\r') == std::string::npos);
    CHECK(msg.find('\0') == std::string::npos);
}

}  // namespace

TEST_CASE("memory image fuzz: mutated images load or fail with one line", "[walk_input][fuzz]") {
    const std::vector<std::string> valid = {
        "0x1000: 0x1 0x2",        "2000: DEADBEEF cafe # c", "0X3000:0",
        "# 0x10: comment",        "",                        "  \t",
        "fffffffffffffff8: 1",    "10: ffffffffffffffff",    "0x4003 :\t12 34 56",
        "0x0: 0000000000000001",
    };
    sim::Rng rng(2024, "walk_input.fuzz.image");
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::string text = fuzz_text(valid, rng);
        INFO("input " << i << ": '" << sim::printable_input(text, 400) << "'");
        memory::SparseMemory mem;
        try {
            const size_t n = load_image(text, mem, "fuzz.img");
            ++loaded;
            CHECK(mem.frames() <= 2 * n);  // a qword touches one or two frames, no more
        } catch (const sim::InputError& e) {
            ++rejected;
            check_rejection(e, "fuzz.img", text);
            CHECK(mem.frames() == 0);  // never a partial result
        }
    }
    // Both outcomes must be common, or the fuzzing exercises only one path.
    CHECK(loaded > 500);
    CHECK(rejected > 500);
}

TEST_CASE("requests fuzz: mutated request lists load or fail with one line", "[walk_input][fuzz]") {
    const std::vector<std::string> valid = {
        "sid=0x0008 iova=0x1000 access=r",
        "sid=8 iova=4096 access=w pasid=0x5 priv exec nosnoop",
        "nosnoop access=rw\tiova=0XFFFFFFFFFFFFFFFF sid=0xFFFF pasid=1048575 # c",
        "# comment",
        "",
        "access=r sid=65535 iova=18446744073709551615",
        "  sid=1   iova=2  access=rw  priv  ",
    };
    sim::Rng rng(2025, "walk_input.fuzz.requests");
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::string text = fuzz_text(valid, rng);
        INFO("input " << i << ": '" << sim::printable_input(text, 400) << "'");
        try {
            const auto reqs = load_requests(text, "fuzz.reqs");
            ++loaded;
            int last_line = 0;
            for (const WalkRequest& r : reqs) {
                CHECK((r.read || r.write));
                CHECK(r.pasid <= 0xfffff);
                CHECK((r.pasid_valid || r.pasid == 0));
                CHECK(r.line > last_line);
                CHECK(size_t(r.line) <= line_count(text));
                last_line = r.line;
            }
        } catch (const sim::InputError& e) {
            ++rejected;
            check_rejection(e, "fuzz.reqs", text);
        }
    }
    CHECK(loaded > 500);
    CHECK(rejected > 500);
}

// --- round trips -----------------------------------------------------------------------

namespace {

// A random value of random width, so that short and full-width numbers both appear.
uint64_t random_value(sim::Rng& rng, unsigned max_bits = 64) {
    const unsigned bits = unsigned(rng.uniform(max_bits + 1));
    const uint64_t v = rng.next_u64();
    return bits == 64 ? v : v & ((uint64_t(1) << bits) - 1);
}

// Hex as an image writes it: 0x, 0X or no prefix, either case, some leading zeros.
std::string image_hex(uint64_t v, sim::Rng& rng) {
    const char* prefix[] = {"", "0x", "0X"};
    return prefix[rng.uniform(3)] + std::string(rng.uniform(3), '0') + hex(v, rng.chance(0.5));
}

// A request number: decimal, or 0x-hex of either case.
std::string request_number(uint64_t v, sim::Rng& rng) {
    if (rng.chance(0.5)) return std::to_string(v);
    return (rng.chance(0.8) ? "0x" : "0X") + hex(v, rng.chance(0.5));
}

std::string blanks(sim::Rng& rng, size_t at_least) {
    std::string s;
    for (size_t n = at_least + rng.uniform(3); n > 0; --n) s += rng.chance(0.7) ? ' ' : '\t';
    return s;
}

std::string filler_line(sim::Rng& rng) {
    return rng.chance(0.5) ? blanks(rng, 0) : blanks(rng, 0) + "# note: 0x1 zz sid=1";
}

std::string line_end(sim::Rng& rng) {
    const std::string comment = rng.chance(0.3) ? blanks(rng, 0) + "# c: 1 2 =" : "";
    return comment + (rng.chance(0.3) ? "\r\n" : "\n");
}

}  // namespace

TEST_CASE("memory image round trip: random images store exactly their bytes", "[walk_input][fuzz]") {
    sim::Rng rng(99, "walk_input.roundtrip.image");
    for (int image = 0; image < 300; ++image) {
        std::map<uint64_t, uint8_t> expected;  // byte address -> value, later lines win
        std::string text;
        size_t qwords = 0;
        for (uint64_t l = rng.uniform(20); l > 0; --l) {
            if (rng.chance(0.2)) text += filler_line(rng) + "\n";
            const uint64_t n = rng.uniform(6) + 1;
            uint64_t addr;
            switch (rng.uniform(3)) {
                case 0: addr = 0x1000 + rng.uniform(64); break;        // overlapping, unaligned
                case 1: addr = UINT64_MAX - 8 * n + 1; break;          // ends at the very top
                default: addr = rng.uniform(UINT64_MAX - 8 * n + 2);  // anywhere that fits
            }
            text += blanks(rng, 0) + image_hex(addr, rng) + blanks(rng, 0) + ":";
            for (uint64_t i = 0; i < n; ++i) {
                const uint64_t v = random_value(rng);
                text += blanks(rng, i == 0 ? 0 : 1) + image_hex(v, rng);
                for (unsigned k = 0; k < 8; ++k) expected[addr + 8 * i + k] = le_byte(v, k);
            }
            text += line_end(rng);
            qwords += n;
        }
        INFO("image " << image << ":\n" << text);
        memory::SparseMemory mem;
        REQUIRE(load_image(text, mem) == qwords);
        std::set<uint64_t> frames;
        for (const auto& [addr, byte] : expected) {
            frames.insert(addr / memory::SparseMemory::kFrameBytes);
            if (byte_at(mem, addr) != byte) FAIL("byte at 0x" << hex(addr, false));
        }
        CHECK(mem.frames() == frames.size());  // nothing written anywhere else
    }
}

TEST_CASE("requests round trip: random requests read back field by field", "[walk_input][fuzz]") {
    sim::Rng rng(77, "walk_input.roundtrip.requests");
    for (int file = 0; file < 300; ++file) {
        std::vector<WalkRequest> expected;
        std::string text;
        int line = 0;
        for (uint64_t n = rng.uniform(15); n > 0; --n) {
            if (rng.chance(0.2)) {
                text += filler_line(rng) + "\n";
                ++line;
            }
            WalkRequest r;
            r.sid = uint16_t(random_value(rng, 16));
            r.iova = random_value(rng);
            const uint64_t access = rng.uniform(3);
            r.read = access != 1;
            r.write = access != 0;
            r.pasid_valid = rng.chance(0.5);
            r.pasid = r.pasid_valid ? uint32_t(random_value(rng, 20)) : 0;
            r.priv = rng.chance(0.5);
            r.exec = rng.chance(0.5);
            r.nosnoop = rng.chance(0.5);
            r.line = ++line;
            expected.push_back(r);

            std::vector<std::string> tokens = {
                "sid=" + request_number(r.sid, rng), "iova=" + request_number(r.iova, rng),
                std::string("access=") + (access == 0 ? "r" : access == 1 ? "w" : "rw")};
            if (r.pasid_valid) tokens.push_back("pasid=" + request_number(r.pasid, rng));
            if (r.priv) tokens.push_back("priv");
            if (r.exec) tokens.push_back("exec");
            if (r.nosnoop) tokens.push_back("nosnoop");
            shuffle(tokens, rng);
            text += blanks(rng, 0);
            for (const auto& t : tokens) text += t + blanks(rng, 1);
            text += line_end(rng);
        }
        INFO("requests " << file << ":\n" << text);
        const auto got = load_requests(text);
        REQUIRE(got.size() == expected.size());
        for (size_t i = 0; i < got.size(); ++i) {
            const WalkRequest &g = got[i], &e = expected[i];
            INFO("request " << i);
            CHECK(g.sid == e.sid);
            CHECK(g.iova == e.iova);
            CHECK(g.read == e.read);
            CHECK(g.write == e.write);
            CHECK(g.pasid_valid == e.pasid_valid);
            CHECK(g.pasid == e.pasid);
            CHECK(g.priv == e.priv);
            CHECK(g.exec == e.exec);
            CHECK(g.nosnoop == e.nosnoop);
            CHECK(g.line == e.line);
        }
    }
}
