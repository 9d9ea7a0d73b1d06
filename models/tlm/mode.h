// The two timing modes of every model (DESIGN.md, "Functional core, timing shell").
#pragma once

#include <string>

namespace tlmx {

enum class Mode {
    Atomic,  // TLM loosely-timed: b_transport, annotated delays, a quantum keeper
    Timing,  // TLM approximately-timed: 4-phase nb_transport, finite queues, back-pressure
};

inline Mode parse_mode(const std::string& s) { return s == "atomic" ? Mode::Atomic : Mode::Timing; }

}  // namespace tlmx
