// A timeline of a run in the Chrome / Perfetto trace-event JSON format
// (ui.perfetto.dev and chrome://tracing open it): spans ("X" events, a start and a
// duration) and instants ("i") on named tracks, grouped into processes; flows ("s"/"f")
// that link a span on one track to a span on another; counters ("C"). Events are
// written as they happen, so a long run costs disk, not memory; timestamps are in
// microseconds with picosecond precision.
//
// Slices of one track must nest or be disjoint for Perfetto to draw them, so spans that
// may overlap (concurrent DMAs, walks) go on lanes: tracks "dma 0", "dma 1"... of which
// each span takes the lowest free one (sim::LaneSet).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/sim/lane_set.h"

namespace sim {

class Timeline {
public:
    // Event classes, selected with --timeline-events (default all).
    enum Class : unsigned { Dma, Translation, Walk, Fault, Inv, Ats, Cpu, Counter, Flow, Classes };
    static constexpr unsigned all_classes = (1u << Classes) - 1;
    // "dma,walk" -> a mask of classes ("" = all); InputError "command line:
    // --timeline-events: unknown class 'x' (valid: dma, ...)" for a name not in the list.
    static unsigned parse_classes(const std::string& list);

    // Throws InputError "PATH: cannot write file".
    explicit Timeline(const std::string& path, unsigned classes = all_classes);
    ~Timeline();  // completes the JSON unless close() has
    // Completes the JSON and closes the file; false when any write failed (a full disk
    // shows only here). Later events are dropped.
    bool close();
    const std::string& path() const { return path_; }
    Timeline(const Timeline&) = delete;
    Timeline& operator=(const Timeline&) = delete;

    bool wants(Class c) const { return (classes_ >> c) & 1u; }
    // A track `name` inside the group `group` (one per device, one per IOMMU stage);
    // 0, on which nothing is written, when class `c` is not selected.
    int track(const std::string& group, const std::string& name, Class c);
    // `args` is a JSON object's members without braces ("\"iova\":\"0x1000\""), or "".
    void span(int track, const char* name, uint64_t start_ps, uint64_t end_ps, const std::string& args = "");
    void instant(int track, const char* name, uint64_t at_ps, const std::string& args = "");

    // Lanes "name 0", "name 1"... in `group` (0 when class `c` is not selected); a span
    // on them goes to the lowest lane free at its start. Returns the lane's track (for
    // flows), 0 when not written.
    int lanes(const std::string& group, const std::string& name, Class c);
    int lane_span(int lanes, const char* name, uint64_t start_ps, uint64_t end_ps, const std::string& args = "");

    // A flow from the span of `track` that holds at_ps to the span of another track that
    // holds a later time: a new id (0 when flows are not selected), then its two ends.
    uint64_t new_flow() { return wants(Flow) ? ++flows_ : 0; }
    void flow_start(int track, uint64_t id, uint64_t at_ps);
    void flow_end(int track, uint64_t id, uint64_t at_ps);

    // A counter `name` of `group` (0 when counters are not selected); set() writes a
    // value, called when it changes.
    int counter(const std::string& group, const std::string& name);
    void set(int counter, uint64_t at_ps, uint64_t value);

    uint64_t events() const { return events_; }

private:
    void event(const char* head, int track, uint64_t at_ps, const std::string& tail);
    int group_id(const std::string& group);
    const char* sep() { return first_ ? (first_ = false, "") : ","; }

    struct Lanes {
        int pid;
        std::string name;
        LaneSet set;
        std::vector<int> tracks;  // by lane
    };
    std::string path_;
    std::FILE* f_;
    unsigned classes_;
    std::string groups_;  // "\n"-separated names; the index + 1 is the pid
    std::vector<Lanes> lanes_;
    std::vector<std::string> counters_;  // by counter - 1: the name
    std::vector<int> counter_pids_;
    int tracks_ = 0;
    uint64_t events_ = 0;
    uint64_t flows_ = 0;
    bool first_ = true;
};

}  // namespace sim
