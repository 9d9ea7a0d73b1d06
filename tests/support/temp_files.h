// Test helpers shared by the input-parser tests: a scratch directory removed on exit,
// and the message of the InputError a call throws.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "models/sim/error.h"

namespace testutil {

class TempDir {
public:
    TempDir() {
        static int serial = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("iommu-sim-test-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string write(const std::string& name, const std::string& text) const {
        const std::filesystem::path file = path_ / name;
        std::ofstream(file, std::ios::binary) << text;
        return file.string();
    }
    std::string path(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// The InputError message that f throws, or a marker that fails any comparison.
inline std::string input_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const sim::InputError& e) {
        return e.what();
    }
    return "<no InputError>";
}

}  // namespace testutil
