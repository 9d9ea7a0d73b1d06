// Helpers shared by the memory unit tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/sim/params.h"
#include "models/sim/stats.h"

namespace memtest {

// Reads a statistic through the public JSON path, so the test also pins its name.
inline nlohmann::json stat(const sim::StatGroup& g, const std::string& name) {
    nlohmann::json j = nlohmann::json::object();
    g.write(j, "t");
    return j.at("t." + name);
}

inline uint64_t counter(const sim::StatGroup& g, const std::string& name) {
    return stat(g, name).get<uint64_t>();
}

// A binder that records every declared field and overrides values by name.
class TestBinder : public sim::ParamBinder {
public:
    struct Field {
        std::string unit, desc;
    };
    std::map<std::string, Field> fields;
    std::map<std::string, uint64_t> u64_values;
    std::map<std::string, double> f64_values;

    void u64(const char* name, uint64_t& v, const char* unit, const char* desc, uint64_t,
             uint64_t) override {
        fields[name] = {unit, desc};
        if (auto it = u64_values.find(name); it != u64_values.end()) v = it->second;
    }
    void f64(const char* name, double& v, const char* unit, const char* desc, double,
             double) override {
        fields[name] = {unit, desc};
        if (auto it = f64_values.find(name); it != f64_values.end()) v = it->second;
    }
    void flag(const char* name, bool&, const char* desc) override { fields[name] = {"", desc}; }
    void choice(const char* name, std::string&, const std::vector<std::string>&,
                const char* desc) override {
        fields[name] = {"", desc};
    }
    void text(const char* name, std::string&, const char* desc) override {
        fields[name] = {"", desc};
    }
};

}  // namespace memtest
