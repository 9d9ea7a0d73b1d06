// A timeline of a run in the Chrome / Perfetto trace-event JSON format
// (ui.perfetto.dev and chrome://tracing open it): spans ("X" events, a start and a
// duration) and instants ("i") on named tracks, grouped into processes. Events are
// written as they happen, so a long run costs disk, not memory; timestamps are in
// microseconds with picosecond precision.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sim {

class Timeline {
public:
    // Throws InputError "PATH: cannot write file".
    explicit Timeline(const std::string& path);
    ~Timeline();  // completes the JSON unless close() has
    // Completes the JSON and closes the file; false when any write failed (a full disk
    // shows only here). Later events are dropped.
    bool close();
    const std::string& path() const { return path_; }
    Timeline(const Timeline&) = delete;
    Timeline& operator=(const Timeline&) = delete;

    // A track `name` inside the group `group` (one per device, one per IOMMU stage).
    int track(const std::string& group, const std::string& name);
    // `args` is a JSON object's members without braces ("\"iova\":\"0x1000\""), or "".
    void span(int track, const char* name, uint64_t start_ps, uint64_t end_ps, const std::string& args = "");
    void instant(int track, const char* name, uint64_t at_ps, const std::string& args = "");
    uint64_t events() const { return events_; }

private:
    void event(const char* head, int track, uint64_t at_ps, const std::string& tail);
    int group_id(const std::string& group);
    const char* sep() { return first_ ? (first_ = false, "") : ","; }

    std::string path_;
    std::FILE* f_;
    std::string groups_;  // "\n"-separated names; the index + 1 is the pid
    int tracks_ = 0;
    uint64_t events_ = 0;
    bool first_ = true;
};

}  // namespace sim
