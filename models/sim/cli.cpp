#include "models/sim/cli.h"

#include <fstream>
#include <optional>

#include <boost/program_options/errors.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <boost/program_options/value_semantic.hpp>

#include "models/sim/error.h"
#include "models/sim/po_error.h"

namespace sim {

namespace po = boost::program_options;

namespace {

po::options_description fixed_options() {
    po::options_description d;
    d.add_options()
        ("help,h", "")
        ("config", po::value<std::string>(), "")
        ("stats-json", po::value<std::string>(), "")
        ("stats-schema", po::value<std::string>(), "")
        ("quiet", "")
        ("record-trace", po::value<std::string>(), "")
        ("timeline", po::value<std::string>(), "")
        ("out", po::value<std::string>(), "")
        ("dump-config", "")
        ("version", "")
        ("timeline-events", po::value<std::string>(), "")
        ("seed", po::value<std::string>(), "")
        ("mode", po::value<std::string>(), "")
        ("check-isolation", "");
    return d;
}

// Guessing would turn an override such as "--m=x" into "--mode=x".
constexpr int kStyle = po::command_line_style::default_style &
                       ~po::command_line_style::allow_guessing;

[[noreturn]] void not_an_override(const std::string& token) {
    throw InputError("command line: '" + printable_input(token) + "': expected --key=value");
}

std::string first_token(const po::option& opt) {
    return opt.original_tokens.empty() ? opt.string_key : opt.original_tokens.front();
}

// Boost reads "--key value" of an unknown key as a valueless "--key" followed by a
// positional word; this joins the two back into one override.
class OverrideCollector {
public:
    explicit OverrideCollector(CommandLine& cl) : cl_(cl) {}

    void option(const po::option& opt) {
        if (opt.position_key >= 0) return word(opt);
        finish_pending();
        if (opt.unregistered) return unknown_option(opt);
        known_option(opt);
    }

    void finish_pending() {
        if (pending_) not_an_override(*pending_);
    }

private:
    void word(const po::option& opt) {
        // After "--", Boost passes "--x=1" on as a word; only a bare word is a value.
        const std::string token = first_token(opt);
        if (!pending_ || opt.value.size() != 1 || opt.value.front() != token)
            not_an_override(pending_ ? *pending_ : token);
        cl_.overrides.emplace_back(pending_->substr(2), token);
        pending_.reset();
    }

    void unknown_option(const po::option& opt) {
        const std::string token = first_token(opt);
        if (token.rfind("--", 0) != 0 || opt.string_key.empty()) not_an_override(token);
        if (opt.value.empty())
            pending_ = token;
        else
            cl_.overrides.emplace_back(opt.string_key, opt.value.front());
    }

    void known_option(const po::option& opt) {
        const std::string& key = opt.string_key;
        const std::string value = opt.value.empty() ? "" : opt.value.front();
        if (key == "help") cl_.help = true;
        else if (key == "quiet") cl_.quiet = true;
        else if (key == "config") cl_.config_files.push_back(value);
        else if (key == "stats-json") cl_.stats_json = value;
        else if (key == "stats-schema") cl_.stats_schema = value;
        else if (key == "record-trace") cl_.record_trace = value;
        else if (key == "timeline") cl_.timeline = value;
        else if (key == "out") cl_.out_dir = value;
        else if (key == "dump-config") cl_.dump_config = true;
        else if (key == "version") cl_.version = true;
        else if (key == "timeline-events") cl_.timeline_events = value;
        else if (key == "seed") cl_.overrides.emplace_back("sim.seed", value);
        else if (key == "mode") cl_.overrides.emplace_back("sim.mode", value);
        else if (key == "check-isolation") cl_.overrides.emplace_back("sim.check_isolation", "true");
    }

    CommandLine& cl_;
    std::optional<std::string> pending_;  // "--key" still waiting for its value
};

}  // namespace

void check_outputs_writable(const std::vector<std::string>& paths) {
    for (const std::string& p : paths) {
        if (p.empty()) continue;
        std::ofstream probe(p, std::ios::app);
        if (!probe) throw InputError(p + ": cannot write file");
    }
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
    const po::options_description desc = fixed_options();
    CommandLine cl;
    OverrideCollector collect(cl);
    try {
        // Options are visited in order: overrides keep command-line order, and a repeated
        // --config adds a file each time.
        const po::parsed_options parsed =
            po::command_line_parser(args).options(desc).style(kStyle).allow_unregistered().run();
        for (const po::option& opt : parsed.options) collect.option(opt);
    } catch (po::error& e) {
        throw InputError("command line: " + po_message(e));
    }
    collect.finish_pending();
    return cl;
}

Config build_config(const CommandLine& cl, Config cfg) {
    for (const auto& file : cl.config_files) cfg.load_ini(file);
    for (const auto& [key, value] : cl.overrides) cfg.set(key, value);
    return cfg;
}

void parse_options(const boost::program_options::options_description& d,
                   const std::vector<std::string>& args,
                   const boost::program_options::positional_options_description* positional) {
    namespace po = boost::program_options;
    try {
        po::variables_map vm;
        po::command_line_parser parser(args);
        parser.options(d).style(po::command_line_style::default_style &
                                ~po::command_line_style::allow_guessing);
        if (positional) parser.positional(*positional);
        po::store(parser.run(), vm);
        po::notify(vm);
    } catch (po::error& e) {
        throw InputError("command line: " + po_message(e));
    }
}

}  // namespace sim
