// The effective configuration written back as INI (--dump-config, a run directory's
// config.ini), and its digest (the statistics' sim.config_digest).
//
// Every listed parameter appears, given or default; a per-instance key ([dev0]) only
// when the configuration gives it or its template ([dev]) overrides it. Each line says
// where its value came from. Loading the text as the only --config file reads back the
// same parameters.
#pragma once

#include <cstdint>
#include <string>

#include "models/sim/config.h"
#include "models/sim/params.h"

namespace sim {

// INI text grouped into sorted [section]s, keys sorted, each line ending in
// "# ORIGIN" ("# default", "# configs/x.ini:12", "# command line"). A template
// section's default ([dev], whose instances have defaults of their own) is written
// commented out: given, it would replace every instance's own default.
// Throws InputError "ORIGIN: KEY: ..." for a value INI cannot hold ('#', line break,
// blanks at either end).
std::string dump_config(const Config& cfg, const ParamSchema& schema);

// FNV-1a 64 (16 hex digits) of the dump without its comments and commented-out lines:
// the same for configurations that set the same values, whatever their files' order,
// comments or layout.
std::string config_digest(const Config& cfg, const ParamSchema& schema);

// FNV-1a 64 of `text`.
uint64_t fnv1a64(const std::string& text);

}  // namespace sim
