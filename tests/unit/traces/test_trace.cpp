// The trace reader and writer (traces/FORMAT.md): every operation and value form,
// each error naming file, line and key, round trips, and mutated traces that either
// read or fail with one line.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/sim/error.h"
#include "models/sim/rng.h"
#include "traces/trace.h"

namespace {

const char* kExample = R"(# every operation once
0      process name=p0 user=u0 rlimit_memlock=4G
0      mmap process=p0 user_va=0x7f0000000000 length=2M hugepage
1.5    iommufd_open name=fd0 process=p0    # a comment after an operation
+1us   ioas_alloc name=ioas0 fd=fd0
+500   ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x7f0000000000 length=64K iova=0x100000
10us   ioas_copy dst_ioas_id=ioas0 src_ioas_id=ioas0 flags=readable src_iova=0x100000 length=4K
10us   ioas_unmap ioas_id=ioas0 iova=0x100000 length=0x10000
+2.5ms ioas_iova_ranges ioas_id=ioas0 num_iovas=4
+0     ioas_allow_iovas ioas_id=ioas0 iovas=0x1000-0xffff,0x100000-0x1fffff
+0     ioas_allow_iovas ioas_id=ioas0 iovas=none
+0     option option_id=rlimit_mode op=set val64=1
+0     option option_id=huge_pages op=get object_id=ioas0
+0     hwpt_alloc name=hwpt0 dev_id=dev0 pt_id=ioas0 flags=nest_parent
+0     device_attach dev_id=dev0 pt_id=hwpt0
+0     access_pin name=pin0 ioas_id=ioas0 iova=0x100000 length=8K flags=write
+0     access_unpin name=pin0
+0     dma dev=dev0 iova=0x100000 length=64 dir=read pasid=5 nosnoop
+0     munmap process=p0 user_va=0x7f0000000000 length=2M
+0     destroy id=ioas0
)";

std::vector<trace::Op> read(const std::string& text) {
    std::istringstream in(text);
    return trace::parse(in, "t.trace");
}

}  // namespace

TEST_CASE("Trace: every operation, times, numbers, flags and ranges", "[trace]") {
    const auto ops = read(kExample);
    REQUIRE(ops.size() == 19);
    CHECK(ops[0].line == 2);
    CHECK(ops[0].number("rlimit_memlock") == (uint64_t(4) << 30));
    CHECK(ops[1].has("hugepage"));
    CHECK(ops[1].number("length") == (2u << 20));
    CHECK(ops[2].time_ps == 1500);
    CHECK(ops[3].time_ps == 1500 + 1000000);
    CHECK(ops[4].time_ps == 1500 + 1000000 + 500000);
    CHECK(ops[5].time_ps == 10000000);
    CHECK(ops[7].time_ps == 10000000 + 2500000000ull);
    CHECK(ops[4].flag_names("flags") == std::vector<std::string>{"fixed_iova", "readable", "writeable"});
    CHECK(ops[4].number("length") == 0x10000);
    CHECK(ops[4].text("ioas_id") == "ioas0");
    const auto ranges = ops[8].ranges("iovas");
    REQUIRE(ranges.size() == 2);
    CHECK(ranges[1].start == 0x100000);
    CHECK(ranges[1].last == 0x1fffff);
    CHECK(ops[9].ranges("iovas").empty());
    CHECK(ops[16].has("nosnoop"));
    CHECK(ops[16].number("pasid") == 5);
    CHECK(ops[16].number_or("absent", 7) == 7);
}

TEST_CASE("Trace reader: the typed fields say what the text says", "[trace]") {
    auto ops = read(kExample);
    ops.push_back(read("0 ioas_map ioas_id=7 flags=0x5 user_va=0x1000 length=4K\n")[0]);
    for (const trace::Op& op : ops) {
        INFO(trace::format(op));
        CHECK(op.kind != trace::Kind::none);
        for (size_t k = 0; k < size_t(trace::Key::count); ++k) {
            const auto key = trace::Key(k);
            const std::string name = trace::key_name(key);
            REQUIRE(op.has(key) == op.has(name));
            if (!op.has(key)) continue;
            CHECK(op.text(key) == op.text(name));
            bool numeric = false;
            CHECK(op.number(key) == trace::parse_number(op.text(name), numeric));
            CHECK(op.numeric(key) == numeric);
        }
    }
    CHECK(ops[4].kind == trace::Kind::ioas_map);
    CHECK(ops[4].number(trace::Key::user_va) == 0x7f0000000000);
    CHECK_FALSE(ops[4].numeric(trace::Key::flags));
    CHECK(ops[16].kind == trace::Kind::dma);
    CHECK(ops.back().numeric(trace::Key::flags));
    CHECK(ops.back().number(trace::Key::ioas_id) == 7);
    // Of several missing keys, the first by name is reported (as the written order
    // would not: dma's iova, ioas_copy's src_ioas_id).
    CHECK_THROWS_WITH(read("0 dma dev=dev0\n"), "t.trace:1: dma: missing key 'dir'");
    CHECK_THROWS_WITH(read("0 ioas_copy dst_ioas_id=a\n"), "t.trace:1: ioas_copy: missing key 'flags'");
}

TEST_CASE("Trace: each bad line is one error naming file, line and key", "[trace]") {
    const std::string open = "0 process name=p0 user=u0 rlimit_memlock=1G\n";
    const std::pair<std::string, std::string> cases[] = {
        {"0 ioas_map ioas_id=a flags=readable user_va=0x1000 length=x12\n",
         "t.trace:1: ioas_map.length: 'x12' is not a number"},
        {open + "\n0 ioas_mapp ioas_id=a\n", "t.trace:3: unknown operation 'ioas_mapp'"},
        {"0 ioas_unmap ioas_id=a length=4K\n", "t.trace:1: ioas_unmap: missing key 'iova'"},
        {"0 ioas_alloc name=a colour=red\n", "t.trace:1: ioas_alloc.colour: unknown key"},
        {"0 ioas_unmap ioas_id=a iova=1 iova=2 length=1\n", "t.trace:1: ioas_unmap.iova: given twice"},
        {"10us ioas_alloc name=a\n5us ioas_alloc name=b\n",
         "t.trace:2: time 5us is earlier than the previous line's 10000ns"},
        {"0 dma dev=d iova=0 length=64 dir=sideways\n",
         "t.trace:1: dma.dir: 'sideways' is not one of read|write"},
        {"0 ioas_map ioas_id=a flags=readable|huge user_va=0 length=1\n",
         "t.trace:1: ioas_map.flags: unknown flag 'huge'"},
        {"soon ioas_alloc name=a\n", "t.trace:1: 'soon' is not a time"},
        {"0 ioas_unmap ioas_id=a iova=0x1ffffffffffffffff length=1\n",
         "t.trace:1: ioas_unmap.iova: '0x1ffffffffffffffff' is not a number"},
        {"0 mmap process=p0 user_va=0 length=20000000T\n",
         "t.trace:1: mmap.length: '20000000T' is not a number"},
        {"0 ioas_allow_iovas ioas_id=a iovas=5\n", "t.trace:1: ioas_allow_iovas.iovas: '5' is not a range"},
        {"0 mmap process=p0 user_va=0 length=4K hugepage=yes\n", "t.trace:1: mmap.hugepage: takes no value"},
        {"0 ioas_alloc name\n", "t.trace:1: ioas_alloc.name: needs a value"},
    };
    for (const auto& [text, want] : cases) {
        INFO(text);
        CHECK_THROWS_WITH(read(text), Catch::StartsWith(want));
    }
    CHECK_THROWS_WITH(trace::read_file("/nonexistent/x.trace"), "/nonexistent/x.trace: cannot open file");
}

TEST_CASE("Trace: what is written reads back the same", "[trace]") {
    const auto ops = read(kExample);
    std::ostringstream out;
    trace::write(out, ops);
    const auto again = read(out.str());
    REQUIRE(again.size() == ops.size());
    for (size_t i = 0; i < ops.size(); ++i) CHECK(again[i] == ops[i]);
    // Random valid traces, times in ps with fractions of a ns.
    sim::Rng rng(2026, "trace-round-trip");
    std::vector<trace::Op> random;
    uint64_t t = 0;
    for (int i = 0; i < 3000; ++i) {
        trace::Op op;
        t += rng.uniform(5000);
        op.time_ps = t;
        op.op = "ioas_map";
        op.args = {{"ioas_id", "ioas" + std::to_string(rng.uniform(4))},
                   {"flags", rng.chance(0.5) ? "readable" : "fixed_iova|writeable"},
                   {"user_va", "0x" + std::to_string(rng.uniform(1000000))},
                   {"length", std::to_string(1 + rng.uniform(64)) + "K"}};
        random.push_back(op);
    }
    std::ostringstream rout;
    trace::write(rout, random);
    const auto back = read(rout.str());
    REQUIRE(back.size() == random.size());
    size_t differ = 0;
    for (size_t i = 0; i < back.size(); ++i) differ += !(back[i] == random[i]);
    CHECK(differ == 0);
}

// Times are read exactly, not through a double: above 2^53 ps a double cannot hold
// every picosecond, so a relative time there, written back absolute, read differently.
TEST_CASE("Trace: times read exactly to the picosecond, up to the last", "[trace]") {
    const auto ops = read("9007199254740.992 ioas_alloc name=a\n+0.001 ioas_alloc name=b\n"
                          "+0.001 ioas_alloc name=c\n9223372036854775.807 ioas_alloc name=d\n");
    REQUIRE(ops.size() == 4);
    CHECK(ops[1].time_ps == (uint64_t(1) << 53) + 1);
    CHECK(ops[2].time_ps == (uint64_t(1) << 53) + 2);
    CHECK(ops[3].time_ps == (uint64_t(1) << 63) - 1);
    std::ostringstream out;
    trace::write(out, ops);
    CHECK(read(out.str()) == ops);
    // A fraction finer than a picosecond rounds to the nearest one, half away from zero.
    const auto round = read("0.0004 ioas_alloc name=a\n+0.0005 ioas_alloc name=b\n+1.2345678us ioas_alloc name=c\n"
                            "+0.0000000015ms ioas_alloc name=d\n");
    CHECK(round[0].time_ps == 0);
    CHECK(round[1].time_ps == 1);
    CHECK(round[2].time_ps == 1 + 1234568);
    CHECK(round[3].time_ps == 1 + 1234568 + 2);
    // Past the last time (2^63 - 1 ps), and past 2^64 - 1 ps, absolute or relative.
    const std::string past = "is past the last a run can reach, 9223372036854775.807ns";
    CHECK_THROWS_WITH(read("9223372036854775.8075 ioas_alloc name=a\n"),
                      "t.trace:1: time 9223372036854775.8075 " + past);
    CHECK_THROWS_WITH(read("9223372036854775.807 ioas_alloc name=a\n+0.001 ioas_alloc name=b\n"),
                      "t.trace:2: time +0.001 " + past);
    CHECK_THROWS_WITH(read("9223372036854775ns ioas_alloc name=a\n+18446744073709551.615 ioas_alloc name=b\n"),
                      "t.trace:2: time +18446744073709551.615 " + past);
    CHECK_THROWS_WITH(read("18446744073709551.616 ioas_alloc name=a\n"),
                      "t.trace:1: '18446744073709551.616' is not a time");
}

TEST_CASE("Trace fuzz: mutated traces read or fail with one line naming the file", "[trace][fuzz]") {
    sim::Rng rng(2026, "trace-fuzz");
    const std::string base = kExample;
    const char alphabet[] = " =|+-.#\n0123456789abcdefxKMGTusn_iova";
    int failed = 0, read_ok = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string text = base;
        for (int m = 0, n = 1 + int(rng.uniform(4)); m < n; ++m) {
            const size_t at = rng.uniform(text.size());
            switch (rng.uniform(3)) {
                case 0: text[at] = alphabet[rng.uniform(sizeof alphabet - 1)]; break;
                case 1: text.erase(at, 1 + rng.uniform(8)); break;
                default: text.insert(at, text.substr(rng.uniform(text.size()), rng.uniform(12))); break;
            }
        }
        try {
            read(text);
            ++read_ok;
        } catch (const sim::InputError& e) {
            const std::string msg = e.what();
            if (msg.rfind("t.trace:", 0) != 0 || msg.find('\n') != std::string::npos) FAIL(msg);
            ++failed;
        }
    }
    CHECK(failed > 100);
    CHECK(read_ok > 0);
}

namespace {

// An endless trace made up as it is read: a reader that kept the lines, or read to
// the end before answering, would never return.
class EndlessTrace : public std::streambuf {
public:
    uint64_t lines_made = 0;

protected:
    int_type underflow() override {
        line_ = "+1us ioas_map ioas_id=ioas0 flags=fixed_iova|readable user_va=0x" + std::to_string(lines_made) +
                "000 length=4K iova=0x" + std::to_string(lines_made) + "000\n";
        ++lines_made;
        setg(line_.data(), line_.data(), line_.data() + line_.size());
        return traits_type::to_int_type(line_[0]);
    }

private:
    std::string line_;
};

}  // namespace

TEST_CASE("Trace reader: streams, one operation per line read, its storage reused", "[trace]") {
    EndlessTrace endless;
    std::istream in(&endless);
    trace::Reader reader(in, "endless.trace");
    trace::Op op;
    for (uint64_t n = 1; n <= 100000; ++n) {
        REQUIRE(reader.next(op));
        REQUIRE(op.line == n);
        REQUIRE(op.time_ps == n * 1000000);
    }
    // No more was read than the lines returned (and one buffer's worth ahead).
    CHECK(endless.lines_made <= 100001);
    CHECK(op.number("iova") == 0x99999000);
    CHECK(op.args.size() == 5);
}

TEST_CASE("Trace reader: the same operations as parse, and a bad line stops it there", "[trace]") {
    std::istringstream in(kExample);
    trace::Reader reader(in, "t.trace");
    std::vector<trace::Op> streamed;
    for (trace::Op op; reader.next(op);) streamed.push_back(op);
    const auto whole = read(kExample);
    REQUIRE(streamed.size() == whole.size());
    for (size_t i = 0; i < whole.size(); ++i) CHECK((streamed[i] == whole[i] && streamed[i].line == whole[i].line));
    std::istringstream bad("0 ioas_alloc name=a\n1 ioas_alloc name=b colour=red\n");
    trace::Reader r2(bad, "t.trace");
    trace::Op op;
    CHECK(r2.next(op));
    CHECK_THROWS_WITH(r2.next(op), "t.trace:2: ioas_alloc.colour: unknown key");
}

// Tokens are found eight bytes at a time while no byte can end one: separators (the
// five white-space bytes a line can hold, '#') at random offsets around long tokens,
// and bytes of 0x80 and above in comments, must split as a byte-by-byte reading does.
TEST_CASE("Trace fuzz: separators and comments at any offset split lines as written", "[trace][fuzz]") {
    const std::vector<trace::Op> want = read(kExample);
    const char seps[] = {' ', '\t', '\r', '\v', '\f'};
    sim::Rng rng(11, "trace-separators");
    for (int round = 0; round < 300; ++round) {
        std::string text;
        std::istringstream lines(kExample);
        for (std::string line; std::getline(lines, line);) {
            std::istringstream words(line);
            for (std::string w; words >> w;) {
                if (w[0] == '#') {  // a comment: the rest of the line, after any separator
                    text += seps[rng.uniform(5)];
                    text += "#\xc3\xa9#" + std::string(rng.uniform(12), 'x');
                    break;
                }
                for (uint64_t n = 1 + rng.uniform(9); n-- > 0;) text += seps[rng.uniform(5)];
                text += w;
            }
            text += rng.chance(0.5) ? "#" + std::string(rng.uniform(20), 'c') + "\n" : "\n";
        }
        INFO("round " << round);
        CHECK(read(text) == want);
    }
}

TEST_CASE("Trace: a name of bytes above 0x7f is one token", "[trace]") {
    const auto ops = read("0 process name=\xc3\xa9t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80_long_name user=u rlimit_memlock=1\n");
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].text("name") == "\xc3\xa9t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80_long_name");
}

// Eight bytes at a time, a token stops at the first byte that may end one: a control
// byte that is no separator (below 0x21, not white space) is such a byte, but the token
// goes on past it, wherever it falls in the eight.
TEST_CASE("Trace fuzz: control bytes inside a name leave it one token", "[trace][fuzz]") {
    sim::Rng rng(12, "trace-control-bytes");
    for (int round = 0; round < 300; ++round) {
        std::string name = std::string(1 + rng.uniform(20), 'n');
        for (uint64_t n = 1 + rng.uniform(3); n-- > 0;) {
            char c = char(1 + rng.uniform(0x1f));  // 0x01..0x1f
            if (c >= '\t' && c <= '\r') c = 0x1f;  // those five are separators
            name.insert(rng.uniform(name.size() + 1), 1, c);
        }
        name += std::string(rng.uniform(12), 'e');
        INFO("round " << round);
        const auto ops = read("0 process user=u name=" + name + " rlimit_memlock=1\n");
        REQUIRE(ops.size() == 1);
        CHECK(ops[0].text("name") == name);
        CHECK(ops[0].text("rlimit_memlock") == "1");
    }
}
