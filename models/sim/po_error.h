// Boost.Program_options' error messages, made safe to print.
#pragma once

#include <string>

namespace boost::program_options {
class error;
}

namespace sim {

// The message of a Boost.Program_options error as one printable line (at most
// max_chars of it). Boost 1.74 fills an error's placeholders (%canonical_option%,
// %value%) in a loop that never ends when the input itself holds one ("--%value%"),
// so the input's '%' are escaped before the message is made.
std::string po_message(boost::program_options::error& e, std::size_t max_chars = 200);

}  // namespace sim
