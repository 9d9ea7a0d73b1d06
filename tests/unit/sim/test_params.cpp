// Configuration files, parameter values, the schema and the command line: every bad
// input must stop the run with one line that names the file, the line and the key.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/value_semantic.hpp>

#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/sim/rng.h"
#include "tests/support/temp_files.h"

namespace fs = std::filesystem;

namespace {

using testutil::input_error;
using testutil::TempDir;

std::string load_error(const std::string& path) {
    return input_error([&] { sim::Config().load_ini(path); });
}

struct DramParams {
    uint64_t latency_ns = 80;
    uint64_t capacity = uint64_t(1) << 30;
    uint32_t banks = 8;
    double rate_gbps = 12.5;
    bool snoop = true;
    std::string policy = "open";
    std::string trace;

    void bind(sim::ParamBinder& b) {
        b.u64("latency_ns", latency_ns, "ns", "fixed access latency", 1, 1000000);
        b.u64("capacity", capacity, "B", "memory size", 0, UINT64_MAX);
        b.u32("banks", banks, "", "banks per rank", 1, 64);
        b.f64("rate_gbps", rate_gbps, "Gbit/s", "peak rate", 0.5, 1000);
        b.flag("snoop", snoop, "snoop the CPU cache");
        b.choice("policy", policy, {"open", "closed", "adaptive"}, "row buffer policy");
        b.text("trace", trace, "trace file");
    }
};

DramParams read_dram(const sim::Config& cfg) { return sim::read_params<DramParams>(cfg, "dram"); }

// The message for one command-line value of one dram field.
std::string dram_error(const std::string& name, const std::string& value) {
    sim::Config cfg;
    cfg.set("dram." + name, value);
    return input_error([&] { read_dram(cfg); });
}

DramParams dram_with(const std::string& name, const std::string& value) {
    sim::Config cfg;
    cfg.set("dram." + name, value);
    return read_dram(cfg);
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

// ---------------------------------------------------------------- Config, INI files

TEST_CASE("load_ini reads sections, keys, values and the line of each key", "[config]") {
    TempDir dir;
    const std::string path = dir.write("platform.ini",
                                       "# platform\n"                 // 1
                                       "top = 1\n"                    // 2
                                       "\n"                           // 3
                                       "[dram]\n"                     // 4
                                       "  latency_ns =  90  # ns\n"   // 5
                                       "policy=closed\r\n"            // 6
                                       "[iommu.iotlb]\n"              // 7
                                       "entries = 0x80\n"             // 8
                                       "path =\n"                     // 9
                                       "walk.slots\t=\tx y");         // 10, no final newline
    sim::Config cfg;
    cfg.load_ini(path);

    CHECK(cfg.keys() == std::vector<std::string>{"top", "dram.latency_ns", "dram.policy",
                                                 "iommu.iotlb.entries", "iommu.iotlb.path",
                                                 "iommu.iotlb.walk.slots"});
    CHECK(*cfg.find("top") == "1");
    CHECK(*cfg.find("dram.latency_ns") == "90");
    CHECK(*cfg.find("dram.policy") == "closed");
    CHECK(*cfg.find("iommu.iotlb.entries") == "0x80");
    CHECK(cfg.find("iommu.iotlb.path")->empty());
    CHECK(*cfg.find("iommu.iotlb.walk.slots") == "x y");
    CHECK(cfg.origin("top").str() == path + ":2");
    CHECK(cfg.origin("dram.latency_ns").str() == path + ":5");
    CHECK(cfg.origin("dram.policy").str() == path + ":6");
    CHECK(cfg.origin("iommu.iotlb.entries").str() == path + ":8");
    CHECK(cfg.origin("iommu.iotlb.walk.slots").str() == path + ":10");
    CHECK(cfg.find("dram") == nullptr);
}

TEST_CASE("Origin text and Config::set", "[config]") {
    CHECK(sim::Origin{"a.ini", 7}.str() == "a.ini:7");
    CHECK(sim::Origin{"command line", 0}.str() == "command line");

    sim::Config cfg;
    CHECK(cfg.origin("x.y").str() == "default");
    cfg.set("x.y", "1", {"a.ini", 3});
    cfg.set("x.z", "2");
    cfg.set("x.y", "5");
    CHECK(*cfg.find("x.y") == "5");
    CHECK(cfg.origin("x.y").str() == "command line");
    CHECK(cfg.keys() == std::vector<std::string>{"x.y", "x.z"});  // first-given order
}

TEST_CASE("load_ini: a missing file or a directory cannot be opened", "[config]") {
    TempDir dir;
    const std::string missing = dir.path("missing.ini");
    CHECK(load_error(missing) == missing + ": cannot open file");
    const std::string folder = dir.path("");
    CHECK(load_error(folder) == folder + ": cannot open file");
}

TEST_CASE("load_ini: malformed lines name the file, the line and the text", "[config]") {
    struct Case {
        std::string text;
        int line;
        std::string shown;
    };
    const Case cases[] = {
        {"[a]\nb=1\njust words\n", 3, "just words"},
        {"[a]\n = 5\n", 2, "= 5"},                 // empty key
        {"[a]\n\t=\n", 2, "="},                     // empty key, empty value
        {"[a\nb=1\n", 1, "[a"},                     // unclosed header
        {"x=1\n[]\n", 2, "[]"},                     // empty section
        {"[a b]\nc=1\n", 1, "[a b]"},
        {"[a..b]\n", 1, "[a..b]"},
        {"[.a]\n", 1, "[.a]"},
        {"[a.]\n", 1, "[a.]"},
        {"[a] x\n", 1, "[a] x"},
        {"[a]=1\n", 1, "[a]=1"},                    // '[' starts a header, not a key
        {"[[a]]\n", 1, "[[a]]"},
        {"[a]\nb c = 1\n", 2, "b c = 1"},           // space inside a key
        {"a.=1\n", 1, "a.=1"},
        {"a..b=1\n", 1, "a..b=1"},
        {"  k#=1\n", 1, "k#=1"},                    // '#' comments out the '='
        {";comment\n", 1, ";comment"},              // only '#' starts a comment
        {"a=1\r\nno equals\r\n", 2, "no equals"},   // CR is blank, not text
        {"bad\x01\xff=1\n", 1, "bad\\x01\\xFF=1"},  // control bytes escaped
    };
    TempDir dir;
    int n = 0;
    for (const Case& c : cases) {
        const std::string path = dir.write("bad" + std::to_string(n++) + ".ini", c.text);
        INFO(c.text);
        CHECK(load_error(path) ==
              path + ":" + std::to_string(c.line) + ": malformed line '" + c.shown + "'");
    }
}

TEST_CASE("load_ini: a long malformed line is cut to keep the message short", "[config]") {
    TempDir dir;
    const std::string path = dir.write("long.ini", std::string(500, 'w') + "\n");
    CHECK(load_error(path) == path + ":1: malformed line '" + std::string(80, 'w') + "...'");
}

TEST_CASE("load_ini: a key given twice names the second line and the full key", "[config]") {
    TempDir dir;
    const std::string same_section = dir.write("a.ini", "[a]\nb=1\nc=2\nb=3\n");
    CHECK(load_error(same_section) == same_section + ":4: a.b: given twice");
    const std::string dotted = dir.write("b.ini", "a.b=1\n[a]\nb=2\n");
    CHECK(load_error(dotted) == dotted + ":3: a.b: given twice");
    const std::string reopened = dir.write("c.ini", "[a]\nb=1\n[c]\nb=1\n[a]\n\nb=2\n");
    CHECK(load_error(reopened) == reopened + ":7: a.b: given twice");
}

TEST_CASE("load_ini: a bad file leaves the config unchanged", "[config]") {
    TempDir dir;
    sim::Config cfg;
    cfg.load_ini(dir.write("good.ini", "[a]\nb=1\n"));
    const std::string bad = dir.write("bad.ini", "[a]\nb=2\nc=3\noops\n");
    CHECK_THROWS_AS(cfg.load_ini(bad), sim::InputError);
    CHECK(*cfg.find("a.b") == "1");
    CHECK(cfg.keys() == std::vector<std::string>{"a.b"});
}

TEST_CASE("load_ini: a later file replaces an earlier file's value", "[config]") {
    TempDir dir;
    const std::string platform = dir.write("platform.ini", "[dram]\nlatency_ns=80\npolicy=open\n");
    const std::string workload = dir.write("workload.ini", "\n[dram]\nlatency_ns=85\n");
    sim::Config cfg;
    cfg.load_ini(platform);
    cfg.load_ini(workload);
    CHECK(*cfg.find("dram.latency_ns") == "85");
    CHECK(cfg.origin("dram.latency_ns").str() == workload + ":3");
    CHECK(cfg.origin("dram.policy").str() == platform + ":3");
    CHECK(cfg.keys() == std::vector<std::string>{"dram.latency_ns", "dram.policy"});
}

// ---------------------------------------------------------------- ParamReader

TEST_CASE("ParamReader reads every kind of field, and absent keys keep the default", "[params]") {
    TempDir dir;
    sim::Config cfg;
    cfg.load_ini(dir.write("dram.ini",
                           "[dram]\nlatency_ns = 0x5A\ncapacity = 2G\nbanks = 16\n"
                           "rate_gbps = 25.6\nsnoop = off\npolicy = adaptive\ntrace = a b.trc\n"));
    const DramParams p = read_dram(cfg);
    CHECK(p.latency_ns == 90);
    CHECK(p.capacity == (uint64_t(2) << 30));
    CHECK(p.banks == 16);
    CHECK(p.rate_gbps == 25.6);
    CHECK_FALSE(p.snoop);
    CHECK(p.policy == "adaptive");
    CHECK(p.trace == "a b.trc");

    const DramParams defaults = read_dram(sim::Config());
    CHECK(defaults.latency_ns == 80);
    CHECK(defaults.capacity == (uint64_t(1) << 30));
    CHECK(defaults.banks == 8);
    CHECK(defaults.rate_gbps == 12.5);
    CHECK(defaults.snoop);
    CHECK(defaults.policy == "open");
    CHECK(defaults.trace.empty());
}

TEST_CASE("ParamReader: integers in decimal, hex and binary byte suffixes", "[params]") {
    const std::pair<const char*, uint64_t> good[] = {
        {"0", 0},
        {"007", 7},
        {"4096", 4096},
        {"0x2A", 42},
        {"0X2a", 42},
        {"0xffffffffffffffff", UINT64_MAX},
        {"18446744073709551615", UINT64_MAX},
        {"1K", 1024},
        {"4K", 4096},
        {"2M", uint64_t(2) << 20},
        {"1G", uint64_t(1) << 30},
        {"3T", uint64_t(3) << 40},
        {"0x10K", 16384},
        {"0K", 0},
        {"16777215T", UINT64_MAX - ((uint64_t(1) << 40) - 1)},  // largest T that fits
    };
    for (const auto& [text, value] : good) {
        INFO(text);
        CHECK(dram_with("capacity", text).capacity == value);
    }
}

TEST_CASE("ParamReader: integers reject negatives, garbage and overflow", "[params]") {
    for (const char* text : {"-1", "+1", "", " 1", "1 ", "1.5", "1e3", "abc", "0x", "0x-1",
                             "0xg", "1k", "K", "1KK", "1KB", "1Ki", "0b101", "1_000"}) {
        INFO(text);
        CHECK(dram_error("capacity", text) ==
              std::string("command line: dram.capacity: '") + text +
                  "' is not an unsigned integer");
    }
    // Suffixes belong to byte sizes only.
    CHECK(dram_error("latency_ns", "4K") ==
          "command line: dram.latency_ns: '4K' is not an unsigned integer");
    // Too large for 64 bits is a range error, not a syntax error.
    for (const char* text : {"18446744073709551616", "99999999999999999999999",
                             "0x10000000000000000", "16777216T", "0xffffffffffffffffK"}) {
        INFO(text);
        CHECK(dram_error("capacity", text) == std::string("command line: dram.capacity: ") +
                                                  text + " is out of range 0..18446744073709551615");
    }
}

TEST_CASE("ParamReader: integer ranges are inclusive", "[params]") {
    CHECK(dram_with("latency_ns", "1").latency_ns == 1);
    CHECK(dram_with("latency_ns", "1000000").latency_ns == 1000000);
    CHECK(dram_error("latency_ns", "0") ==
          "command line: dram.latency_ns: 0 is out of range 1..1000000");
    CHECK(dram_error("latency_ns", "1000001") ==
          "command line: dram.latency_ns: 1000001 is out of range 1..1000000");
    CHECK(dram_error("latency_ns", "0xF4241") ==
          "command line: dram.latency_ns: 0xF4241 is out of range 1..1000000");

    CHECK(dram_with("banks", "64").banks == 64);
    CHECK(dram_error("banks", "65") == "command line: dram.banks: 65 is out of range 1..64");
    // Would wrap to 0 if narrowed to 32 bits before the range check.
    CHECK(dram_error("banks", "4294967296") ==
          "command line: dram.banks: 4294967296 is out of range 1..64");
}

TEST_CASE("ParamReader: real numbers are plain decimals within range", "[params]") {
    const std::pair<const char*, double> good[] = {
        {"12.5", 12.5}, {"1e3", 1000.0}, {"1E2", 100.0}, {"+2.5", 2.5}, {"5.", 5.0},
        {"0.5", 0.5},   {"1000", 1000.0}, {"2.5e+1", 25.0}, {"250e-1", 25.0},
    };
    for (const auto& [text, value] : good) {
        INFO(text);
        CHECK(dram_with("rate_gbps", text).rate_gbps == value);
    }
    for (const char* text : {"inf", "-inf", "nan", "NaN", "infinity", "0x1p3", "1.5x", "",
                             "e5", ".", "-", "1e", "1e+", "1,5", " 1", "1 ", "1..2", "--1"}) {
        INFO(text);
        CHECK(dram_error("rate_gbps", text) ==
              std::string("command line: dram.rate_gbps: '") + text + "' is not a number");
    }
    CHECK(dram_error("rate_gbps", "0.25") ==
          "command line: dram.rate_gbps: 0.25 is out of range 0.5..1000");
    CHECK(dram_error("rate_gbps", "-3") ==
          "command line: dram.rate_gbps: -3 is out of range 0.5..1000");
    CHECK(dram_error("rate_gbps", "1000.001") ==
          "command line: dram.rate_gbps: 1000.001 is out of range 0.5..1000");
    CHECK(dram_error("rate_gbps", "1e999") ==
          "command line: dram.rate_gbps: 1e999 is out of range 0.5..1000");
}

TEST_CASE("ParamReader: flags take the usual words", "[params]") {
    for (const char* text : {"true", "1", "yes", "on", "TRUE", "On"}) {
        INFO(text);
        DramParams p = dram_with("snoop", text);
        CHECK(p.snoop);
    }
    sim::Config cfg;
    cfg.set("dram.snoop", "false");
    DramParams p;
    for (const char* text : {"false", "0", "no", "off", "No"}) {
        INFO(text);
        p.snoop = true;
        cfg.set("dram.snoop", text);
        sim::ParamReader reader(cfg, "dram");
        p.bind(reader);
        CHECK_FALSE(p.snoop);
    }
    for (const char* text : {"2", "y", "n", "", "truee", "enabled"}) {
        INFO(text);
        CHECK(dram_error("snoop", text) ==
              std::string("command line: dram.snoop: '") + text + "' is not a boolean");
    }
}

TEST_CASE("ParamReader: a choice must be one of the list, exactly", "[params]") {
    CHECK(dram_with("policy", "closed").policy == "closed");
    for (const char* text : {"Closed", "close", "", "open "}) {
        INFO(text);
        CHECK(dram_error("policy", text) == std::string("command line: dram.policy: '") + text +
                                                "' is not one of open|closed|adaptive");
    }
}

TEST_CASE("ParamReader: errors from a file name the file and line of the key", "[params]") {
    TempDir dir;
    const std::string path =
        dir.write("dram.ini", "[dram]\nlatency_ns = 90\n\nbanks = many\nsnoop = maybe\n");
    sim::Config cfg;
    cfg.load_ini(path);
    CHECK(input_error([&] { read_dram(cfg); }) ==
          path + ":4: dram.banks: 'many' is not an unsigned integer");
    cfg.set("dram.banks", "4");  // fixed on the command line; the next bad key shows
    CHECK(input_error([&] { read_dram(cfg); }) ==
          path + ":5: dram.snoop: 'maybe' is not a boolean");
}

TEST_CASE("ParamReader: a value with control bytes stays on one line", "[params]") {
    CHECK(dram_error("policy", "a\nb\r") ==
          "command line: dram.policy: 'a\\x0Ab\\x0D' is not one of open|closed|adaptive");
}

TEST_CASE("ParamReader: an instance section falls back to its template section", "[params]") {
    sim::Config cfg;
    cfg.set("dram.latency_ns", "70", {"t.ini", 2});
    cfg.set("dram.banks", "4", {"t.ini", 3});
    cfg.set("dram1.banks", "2", {"t.ini", 5});
    const auto p0 = sim::read_params<DramParams>(cfg, "dram0", "dram");
    CHECK(p0.latency_ns == 70);
    CHECK(p0.banks == 4);
    const auto p1 = sim::read_params<DramParams>(cfg, "dram1", "dram");
    CHECK(p1.banks == 2);  // the instance's own key wins
    const auto alone = sim::read_params<DramParams>(cfg, "dram1");
    CHECK(alone.latency_ns == 80);  // no fallback given: default

    cfg.set("dram.rate_gbps", "fast", {"t.ini", 9});
    CHECK(input_error([&] { sim::read_params<DramParams>(cfg, "dram0", "dram"); }) ==
          "t.ini:9: dram.rate_gbps: 'fast' is not a number");
}

TEST_CASE("ParamReader: a template key given later wins over an instance key given earlier", "[params]") {
    sim::Config cfg;
    cfg.load_ini_text("[dram]\nbanks = 4\n[dram0]\nbanks = 2\nlatency_ns = 60\n", "base.ini");
    CHECK(sim::read_params<DramParams>(cfg, "dram0", "dram").banks == 2);  // one file: the instance
    cfg.load_ini_text("[dram]\nlatency_ns = 90\n", "later.ini");
    CHECK(sim::read_params<DramParams>(cfg, "dram0", "dram").latency_ns == 90);  // a later file
    cfg.set("dram.banks", "16");  // the command line wins over every file
    CHECK(sim::read_params<DramParams>(cfg, "dram0", "dram").banks == 16);
    cfg.set("dram0.banks", "8");  // and on it the instance still wins
    CHECK(sim::read_params<DramParams>(cfg, "dram0", "dram").banks == 8);
    // A bad command-line template value is read, and named, though a file gave the
    // instance's own (it was shadowed and never checked).
    cfg.set("dram.latency_ns", "-5");
    CHECK(input_error([&] { sim::read_params<DramParams>(cfg, "dram0", "dram"); }) ==
          "command line: dram.latency_ns: '-5' is not an unsigned integer");
}

// ---------------------------------------------------------------- ParamSchema

TEST_CASE("ParamSchema records name, type, default, unit and range of every field", "[params]") {
    sim::ParamSchema schema;
    schema.declare("dram", [](sim::ParamBinder& b) { DramParams().bind(b); });
    const auto& e = schema.entries();
    REQUIRE(e.size() == 7);

    CHECK(e[0].key == "dram.latency_ns");
    CHECK(e[0].type == "uint");
    CHECK(e[0].default_text == "80");
    CHECK(e[0].unit == "ns");
    CHECK(e[0].range_text == "1..1000000");
    CHECK(e[0].desc == "fixed access latency");
    CHECK(e[0].listed);

    CHECK(e[1].key == "dram.capacity");
    CHECK(e[1].default_text == "1073741824");  // byte sizes print as plain decimal
    CHECK(e[1].unit == "B");
    CHECK(e[1].range_text == "0..18446744073709551615");

    CHECK(e[2].key == "dram.banks");
    CHECK(e[2].type == "uint");
    CHECK(e[2].default_text == "8");
    CHECK(e[2].range_text == "1..64");

    CHECK(e[3].type == "real");
    CHECK(e[3].default_text == "12.5");
    CHECK(e[3].unit == "Gbit/s");
    CHECK(e[3].range_text == "0.5..1000");

    CHECK(e[4].type == "bool");
    CHECK(e[4].default_text == "true");
    CHECK(e[4].range_text.empty());

    CHECK(e[5].type == "choice");
    CHECK(e[5].default_text == "open");
    CHECK(e[5].range_text == "open|closed|adaptive");

    CHECK(e[6].type == "text");
    CHECK(e[6].default_text.empty());
    CHECK(e[6].unit.empty());
}

TEST_CASE("ParamSchema: declaring changes no field and repeats are recorded once", "[params]") {
    sim::ParamSchema schema;
    DramParams p;
    p.latency_ns = 33;
    schema.declare("dram", [&](sim::ParamBinder& b) { p.bind(b); });
    schema.declare("dram", [&](sim::ParamBinder& b) { p.bind(b); });
    CHECK(p.latency_ns == 33);
    CHECK(schema.entries().size() == 7);
    CHECK(schema.entries()[0].default_text == "33");
}

TEST_CASE("ParamSchema: the first unknown key in config order is named with its origin", "[params]") {
    sim::ParamSchema schema;
    schema.declare("dram", [](sim::ParamBinder& b) { DramParams().bind(b); });
    schema.declare("dram0", [](sim::ParamBinder& b) { DramParams().bind(b); }, false);
    CHECK(schema.has("dram.banks"));
    CHECK(schema.has("dram0.banks"));
    CHECK_FALSE(schema.has("dram1.banks"));
    CHECK_FALSE(schema.has("dram"));

    TempDir dir;
    const std::string path =
        dir.write("p.ini", "[dram]\nbanks = 4\nlatncy_ns = 9\n[dram0]\nbanks=2\nfoo = 1\n");
    sim::Config cfg;
    cfg.load_ini(path);
    cfg.set("zzz.first_on_command_line", "1");
    CHECK(input_error([&] { schema.check_known(cfg); }) ==
          path + ":3: dram.latncy_ns: unknown parameter; did you mean 'dram.latency_ns'?");

    sim::Config known;
    known.set("dram0.banks", "2");
    CHECK_NOTHROW(schema.check_known(known));
    known.set("iommu.iotlb.entries", "128");
    CHECK(input_error([&] { schema.check_known(known); }) ==
          "command line: iommu.iotlb.entries: unknown parameter");
}

// ---------------------------------------------------------------- command line

TEST_CASE("parse_command_line: fixed options", "[cli]") {
    const sim::CommandLine cl = sim::parse_command_line(
        {"--config", "a.ini", "--config=b.ini", "--stats-json", "out.json", "--quiet", "-h"});
    CHECK(cl.help);
    CHECK(cl.quiet);
    CHECK(cl.config_files == std::vector<std::string>{"a.ini", "b.ini"});
    CHECK(cl.stats_json == "out.json");
    CHECK(cl.overrides.empty());

    const sim::CommandLine none = sim::parse_command_line({});
    CHECK_FALSE(none.help);
    CHECK_FALSE(none.quiet);
    CHECK(none.config_files.empty());
    CHECK(none.stats_json.empty());
}

TEST_CASE("parse_command_line: overrides keep command-line order", "[cli]") {
    const sim::CommandLine cl = sim::parse_command_line(
        {"--dram.latency_ns=90", "--seed", "7", "--config", "a.ini", "--iommu.iotlb.entries",
         "128", "--mode=timing", "--x.y=a=b", "--m=1", "--sim.seed=9"});
    using Overrides = std::vector<std::pair<std::string, std::string>>;
    CHECK(cl.overrides == Overrides{{"dram.latency_ns", "90"},
                                    {"sim.seed", "7"},
                                    {"iommu.iotlb.entries", "128"},
                                    {"sim.mode", "timing"},
                                    {"x.y", "a=b"},
                                    {"m", "1"},  // not guessed as --mode
                                    {"sim.seed", "9"}});
    CHECK(cl.config_files == std::vector<std::string>{"a.ini"});
}

TEST_CASE("parse_command_line: anything but an option or --key=value is an error", "[cli]") {
    using Args = std::vector<std::string>;
    const std::pair<Args, std::string> cases[] = {
        {{"bare"}, "bare"},
        {{"--quiet", "bare"}, "bare"},
        {{"--a=1", "--dangling"}, "--dangling"},
        {{"--a", "--b=2"}, "--a"},
        {{"--a", "1", "2"}, "2"},
        {{"-x"}, "-x"},
        {{"-x", "1"}, "-x"},
        {{"--=5"}, "--=5"},
        {{"--a=1", "--", "--b=2"}, "--b=2"},
    };
    for (const auto& [args, token] : cases) {
        INFO(args.front() << " ... " << args.back());
        CHECK(input_error([&] { sim::parse_command_line(args); }) ==
              "command line: '" + token + "': expected --key=value");
    }
    // Boost's own complaints about fixed options become one-line InputErrors too.
    for (const Args& args : {Args{"--config"}, Args{"--quiet=yes"}, Args{"--seed"},
                             Args{"--stats-json"}, Args{"--a="}}) {
        const std::string msg = input_error([&] { sim::parse_command_line(args); });
        INFO(msg);
        CHECK(starts_with(msg, "command line: "));
        CHECK(msg.find('\n') == std::string::npos);
    }
}

// Found by the config fuzz target: Boost 1.74 filled its message placeholders forever
// when a token held one. Each of these hung before po_message escaped the '%'.
TEST_CASE("parse_command_line and parse_options: a token holding Boost's placeholders", "[cli]") {
    using Args = std::vector<std::string>;
    const std::string fuzzed("--\xed%h\x9b\x93\x8f" "ct\0\0\0%canonical_option% =", 33);
    const std::string msg = input_error([&] { sim::parse_command_line(Args{"--seed", "4", fuzzed}); });
    INFO(msg);
    CHECK(starts_with(msg, "command line: the argument for option '--\\xED\\x25h"));

    namespace po = boost::program_options;
    po::options_description d("csv");
    std::vector<std::string> keys;
    d.add_options()("keys", po::value(&keys)->required(), "statistics");
    for (const Args& args : {Args{"--%canonical_option%"}, Args{"--%option%"}, Args{"--keys"},
                             Args{"--%value%=1"}, Args{"--%original_token%", "x"}}) {
        const std::string m = input_error([&] { sim::parse_options(d, args); });
        INFO(m);
        CHECK(starts_with(m, "command line: "));
        CHECK(m.find('\n') == std::string::npos);
    }
}

TEST_CASE("build_config: files in order, then command-line overrides win", "[cli]") {
    TempDir dir;
    const std::string platform =
        dir.write("platform.ini", "[dram]\nlatency_ns = 80\npolicy = open\n[sim]\nseed = 1\n");
    const std::string workload = dir.write("workload.ini", "[dram]\nlatency_ns = 85\n");
    const sim::Config cfg = sim::build_config(sim::parse_command_line(
        {"--config", platform, "--dram.banks", "2", "--config=" + workload,
         "--dram.latency_ns=90", "--seed", "5"}));

    CHECK(*cfg.find("dram.latency_ns") == "90");
    CHECK(cfg.origin("dram.latency_ns").str() == "command line");
    CHECK(*cfg.find("dram.policy") == "open");
    CHECK(cfg.origin("dram.policy").str() == platform + ":3");
    CHECK(*cfg.find("sim.seed") == "5");
    CHECK(cfg.keys() == std::vector<std::string>{"dram.latency_ns", "dram.policy", "sim.seed",
                                                 "dram.banks"});
    const DramParams p = read_dram(cfg);
    CHECK(p.latency_ns == 90);
    CHECK(p.banks == 2);

    const std::string missing = dir.path("nope.ini");
    CHECK(input_error([&] { sim::build_config(sim::parse_command_line({"--config", missing})); }) ==
          missing + ": cannot open file");
}

// ---------------------------------------------------------------- fuzz

namespace {

const char* const kOddLines[] = {
    "[x]", "[", "]", "=", "==", "a=", "=b", "[a.b]", "a.b.c = 1", "#", "[]", "k = v # c",
    "   ", "\t", "[ a ]", "a = [b]", "[a]]", "k == v", "x.y.z", ";k=v", "[a=b]", "k=v\r",
};

std::string random_bytes(sim::Rng& rng, size_t max_len) {
    std::string s(rng.uniform(max_len) + 1, ' ');
    for (char& c : s) c = char(rng.uniform(256));
    return s;
}

// One random edit of the kind a careless hand or a broken tool makes.
void mutate(std::vector<std::string>& lines, sim::Rng& rng) {
    if (lines.empty()) lines.push_back("");
    std::string& line = lines[rng.uniform(lines.size())];
    const size_t at = rng.uniform(line.size() + 1);
    switch (rng.uniform(7)) {
    case 0: line.insert(at, random_bytes(rng, 8)); break;
    case 1: lines.insert(lines.begin() + long(rng.uniform(lines.size() + 1)),
                         kOddLines[rng.uniform(std::size(kOddLines))]); break;
    case 2: line.resize(at); break;
    case 3: line.insert(at, 1, "=[]#. \t\r"[rng.uniform(8)]); break;
    case 4: lines.push_back(line); break;
    case 5: lines.erase(lines.begin() + long(rng.uniform(lines.size()))); break;
    default: lines.insert(lines.begin() + long(rng.uniform(lines.size() + 1)),
                          random_bytes(rng, 20)); break;
    }
}

// On success every key must sit on the line its origin names, with its value.
void check_origins(const sim::Config& cfg, const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (const std::string& key : cfg.keys()) {
        const int n = cfg.origin(key).line;
        REQUIRE(n >= 1);
        REQUIRE(size_t(n) <= lines.size());
        const std::string line = lines[size_t(n) - 1].substr(0, lines[size_t(n) - 1].find('#'));
        const auto eq = line.find('=');
        REQUIRE(eq != std::string::npos);
        const std::string name = trim(line.substr(0, eq));
        CHECK(key.size() >= name.size());
        CHECK(key.compare(key.size() - name.size(), name.size(), name) == 0);
        CHECK(*cfg.find(key) == trim(line.substr(eq + 1)));
    }
}

}  // namespace

TEST_CASE("load_ini fuzz: a mutated file loads or fails with one line naming it", "[config][fuzz]") {
    const std::vector<std::string> base = {
        "# platform", "[sim]", "seed = 42", "mode = timing", "", "[iommu.iotlb]",
        "entries = 128  # per level", "ways = 8", "[dram]", "latency_ns = 80", "policy=open",
    };
    sim::Rng rng(20240601, "fuzz.ini");
    TempDir dir;
    int loaded = 0, rejected = 0;
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::string> lines = base;
        for (uint64_t m = rng.uniform(4) + 1; m > 0; --m) mutate(lines, rng);
        std::string text;
        for (const auto& l : lines) text += l + (rng.chance(0.1) ? "\r\n" : "\n");
        if (rng.chance(0.2)) text.resize(rng.uniform(text.size() + 1));  // cut anywhere
        const std::string path = dir.write("fuzz" + std::to_string(i) + ".ini", text);
        INFO("file " << i << ":\n" << text);
        sim::Config cfg;
        try {
            cfg.load_ini(path);
            ++loaded;
            check_origins(cfg, text);
        } catch (const sim::InputError& e) {
            ++rejected;
            const std::string msg = e.what();
            CHECK(starts_with(msg, path + ":"));
            CHECK(msg.find('\n') == std::string::npos);
            CHECK(msg.find('\r') == std::string::npos);
            CHECK(cfg.keys().empty());
        }
    }
    // Both outcomes must be common, or the fuzzing exercises only one path.
    CHECK(loaded > 200);
    CHECK(rejected > 200);
}

namespace {

struct FuzzParams {
    uint64_t size = 0;
    uint64_t slots = 16;
    double ratio = 0.5;
    bool on = false;
    void bind(sim::ParamBinder& b) {
        b.u64("size", size, "B", "", 0, UINT64_MAX);
        b.u64("slots", slots, "", "", 16, 65536);
        b.f64("ratio", ratio, "", "", -1, 1);
        b.flag("on", on, "");
    }
};

// Decimal digits only: the exact value, or nothing when it exceeds 64 bits.
std::optional<uint64_t> decimal_value(const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    unsigned __int128 v = 0;
    for (char c : s) {
        v = v * 10 + unsigned(c - '0');
        if (v > UINT64_MAX) return std::nullopt;
    }
    return uint64_t(v);
}

}  // namespace

TEST_CASE("ParamReader fuzz: random values read within range or fail with one line", "[params][fuzz]") {
    // Mostly digits, so that well-formed numbers are common, salted with everything
    // that may turn one into garbage.
    const std::string odd = "xXKMGTabefinEN+-.  \t#=\x01\x7f\xff\n";
    sim::Rng rng(7, "fuzz.values");
    int accepted = 0, rejected = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string value(rng.uniform(14), ' ');
        for (char& c : value)
            c = rng.chance(0.8) ? char('0' + rng.uniform(10)) : odd[rng.uniform(odd.size())];
        const char* name = std::array{"size", "slots", "ratio", "on"}[rng.uniform(4)];
        sim::Config cfg;
        cfg.set(std::string("p.") + name, value);
        INFO(name << " = '" << value << "'");
        try {
            const auto p = sim::read_params<FuzzParams>(cfg, "p");
            ++accepted;
            CHECK((p.slots >= 16 && p.slots <= 65536));
            CHECK((p.ratio >= -1 && p.ratio <= 1));
            if (std::string(name) == "ratio") CHECK(p.ratio == std::strtod(value.c_str(), nullptr));
            if (auto exact = decimal_value(value); exact && std::string(name) == "size")
                CHECK(p.size == *exact);
        } catch (const sim::InputError& e) {
            ++rejected;
            const std::string msg = e.what();
            CHECK(starts_with(msg, std::string("command line: p.") + name + ": "));
            CHECK(msg.find('\n') == std::string::npos);
            if (std::string(name) == "size") CHECK_FALSE(decimal_value(value).has_value());
        }
    }
    CHECK(accepted > 1000);
    CHECK(rejected > 1000);
}

TEST_CASE("ParamReader fuzz: any 64-bit value reads back from decimal, hex and suffix forms",
          "[params][fuzz]") {
    sim::Rng rng(11, "fuzz.roundtrip");
    for (int i = 0; i < 5000; ++i) {
        const uint64_t v = rng.next_u64() >> rng.uniform(64);
        std::ostringstream hex;
        hex << "0x" << std::hex << v;
        const unsigned unit = unsigned(rng.uniform(4));  // K, M, G, T
        const uint64_t scaled = v >> (10 * (unit + 1));
        const std::string forms[] = {std::to_string(v), hex.str(),
                                     std::to_string(scaled) + "KMGT"[unit]};
        const uint64_t expected[] = {v, v, scaled << (10 * (unit + 1))};
        for (int f = 0; f < 3; ++f) {
            sim::Config cfg;
            cfg.set("p.size", forms[f]);
            INFO(forms[f]);
            CHECK(sim::read_params<FuzzParams>(cfg, "p").size == expected[f]);
        }
    }
}
