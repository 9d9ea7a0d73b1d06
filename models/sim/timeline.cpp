#include "models/sim/timeline.h"

#include <cinttypes>

#include "models/sim/error.h"

namespace sim {
namespace {

// Track and group names come from the model; keep them valid JSON strings.
std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        q += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    return q + "\"";
}

// By Timeline::Class.
const char* const class_names[] = {"dma", "translation", "walk", "fault", "inv", "ats", "cpu", "counter", "flow"};

// A track is one int: pid * 65536 + tid (a tid is never 0, so 0 is "no track").
constexpr int tid_span = 65536;

}  // namespace

unsigned Timeline::parse_classes(const std::string& list) {
    if (list.empty()) return all_classes;
    unsigned mask = 0;
    for (size_t at = 0; at <= list.size();) {
        size_t end = list.find(',', at);
        if (end == std::string::npos) end = list.size();
        const std::string name = list.substr(at, end - at);
        unsigned c = 0;
        while (c < Classes && name != class_names[c]) ++c;
        if (c == Classes) {
            std::string valid;
            for (const char* n : class_names) valid += (valid.empty() ? "" : ", ") + std::string(n);
            throw InputError("command line: --timeline-events: unknown class '" + name + "' (valid: " + valid + ")");
        }
        mask |= 1u << c;
        at = end + 1;
    }
    return mask;
}

Timeline::Timeline(const std::string& path, unsigned classes)
    : path_(path), f_(std::fopen(path.c_str(), "w")), classes_(classes) {
    if (!f_) throw InputError(path + ": cannot write file");
    std::fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", f_);
}

Timeline::~Timeline() { close(); }

bool Timeline::close() {
    if (!f_) return true;
    std::fputs("\n]}\n", f_);
    const bool failed = std::ferror(f_) != 0;
    const bool closed = std::fclose(f_) == 0;
    f_ = nullptr;
    return !failed && closed;
}

int Timeline::group_id(const std::string& group) {
    int id = 1;
    for (size_t at = 0; at < groups_.size(); ++id) {
        const size_t end = groups_.find('\n', at);
        if (groups_.compare(at, end - at, group) == 0) return id;
        at = end + 1;
    }
    groups_ += group + "\n";
    std::fprintf(f_, "%s\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":%s}}", sep(), id,
                 quoted(group).c_str());
    return id;
}

// pid = group, tid = track number.
int Timeline::track(const std::string& group, const std::string& name, Class c) {
    if (!f_ || !wants(c)) return 0;
    const int pid = group_id(group), tid = ++tracks_;
    std::fprintf(f_, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":%s}}",
                 sep(), pid, tid, quoted(name).c_str());
    return pid * tid_span + tid;
}

void Timeline::event(const char* head, int track, uint64_t at_ps, const std::string& tail) {
    if (!f_ || !track) return;
    std::fprintf(f_, "%s\n{%s,\"pid\":%d,\"tid\":%d,\"ts\":%" PRIu64 ".%06" PRIu64 "%s}", sep(), head, track / tid_span,
                 track % tid_span, at_ps / 1000000, at_ps % 1000000, tail.c_str());
    ++events_;
}

void Timeline::span(int track, const char* name, uint64_t start_ps, uint64_t end_ps, const std::string& args) {
    const uint64_t d = end_ps > start_ps ? end_ps - start_ps : 0;
    char dur[64];
    std::snprintf(dur, sizeof dur, ",\"dur\":%" PRIu64 ".%06" PRIu64, d / 1000000, d % 1000000);
    event((std::string("\"ph\":\"X\",\"name\":") + quoted(name)).c_str(), track, start_ps,
          dur + (args.empty() ? "" : ",\"args\":{" + args + "}"));
}

void Timeline::instant(int track, const char* name, uint64_t at_ps, const std::string& args) {
    event((std::string("\"ph\":\"i\",\"s\":\"t\",\"name\":") + quoted(name)).c_str(), track, at_ps,
          args.empty() ? "" : ",\"args\":{" + args + "}");
}

int Timeline::lanes(const std::string& group, const std::string& name, Class c) {
    if (!f_ || !wants(c)) return 0;
    lanes_.push_back(Lanes{group_id(group), name, LaneSet(), {}});
    return int(lanes_.size());
}

// A lane's track is named when first used, so an idle lane set shows no tracks.
int Timeline::lane_span(int lanes, const char* name, uint64_t start_ps, uint64_t end_ps, const std::string& args) {
    if (!f_ || !lanes) return 0;
    Lanes& l = lanes_[size_t(lanes - 1)];
    const unsigned lane = l.set.place(start_ps, end_ps);
    if (lane == l.tracks.size()) {
        const int tid = ++tracks_;
        std::fprintf(f_, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":%s}}",
                     sep(), l.pid, tid, quoted(l.name + " " + std::to_string(lane)).c_str());
        l.tracks.push_back(l.pid * tid_span + tid);
    }
    span(l.tracks[lane], name, start_ps, end_ps, args);
    return l.tracks[lane];
}

void Timeline::flow_start(int track, uint64_t id, uint64_t at_ps) {
    if (id) event("\"ph\":\"s\",\"name\":\"request\",\"cat\":\"flow\"", track, at_ps, ",\"id\":" + std::to_string(id));
}

// "bp":"e": the end binds to the span that holds it, not the next one to start.
void Timeline::flow_end(int track, uint64_t id, uint64_t at_ps) {
    if (id)
        event("\"ph\":\"f\",\"bp\":\"e\",\"name\":\"request\",\"cat\":\"flow\"", track, at_ps,
              ",\"id\":" + std::to_string(id));
}

int Timeline::counter(const std::string& group, const std::string& name) {
    if (!f_ || !wants(Counter)) return 0;
    counter_pids_.push_back(group_id(group));
    counters_.push_back(name);
    return int(counters_.size());
}

// Counters belong to the process; tid 0 is not a thread track.
void Timeline::set(int counter, uint64_t at_ps, uint64_t value) {
    if (!f_ || !counter) return;
    const size_t i = size_t(counter - 1);
    event(("\"ph\":\"C\",\"name\":" + quoted(counters_[i])).c_str(), counter_pids_[i] * tid_span, at_ps,
          ",\"args\":{\"value\":" + std::to_string(value) + "}");
}

}  // namespace sim
