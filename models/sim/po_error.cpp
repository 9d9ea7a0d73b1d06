#include "models/sim/po_error.h"

#include <boost/program_options/errors.hpp>

#include "models/sim/error.h"

namespace sim {
namespace {

// Reaches the substitutions Boost keeps protected (the option and value text).
struct Substitutions : boost::program_options::error_with_option_name {
    static void escape_percent(boost::program_options::error_with_option_name& e) {
        for (auto& [placeholder, text] : e.*(&Substitutions::m_substitutions)) {
            std::string out;
            for (char c : text) out += c == '%' ? std::string("\\x25") : std::string(1, c);
            text = out;
        }
    }
};

}  // namespace

std::string po_message(boost::program_options::error& e, std::size_t max_chars) {
    if (auto* named = dynamic_cast<boost::program_options::error_with_option_name*>(&e))
        Substitutions::escape_percent(*named);
    return printable_input(e.what(), max_chars);
}

}  // namespace sim
