// Bad input (a configuration file, a command line, a trace) is reported as one line
// that names the file, the line and the key; the command exits with status 2 before
// anything is simulated.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sim {

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

// Shows raw input text inside a one-line message: bytes outside printable ASCII become
// \xNN (a stray CR or NUL must not break the line), and text longer than max_chars is
// cut with "...".
inline std::string printable_input(std::string_view text, std::size_t max_chars = 80) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max_chars) return out + "...";
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            out += c;
        } else {
            const char* digits = "0123456789ABCDEF";
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0xf];
        }
    }
    return out;
}

// An error message as one terminal line: any input it quotes (a trace value, a csv
// field) may hold escape sequences, which are shown, not obeyed.
inline std::string message_line(const std::exception& e) { return printable_input(e.what(), 2000); }

// Exit status for bad input.
constexpr int kExitBadInput = 2;

}  // namespace sim
