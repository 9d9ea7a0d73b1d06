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

}  // namespace

Timeline::Timeline(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "w")) {
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

// pid = group, tid = track number; a track is encoded as pid * 1000 + tid.
int Timeline::track(const std::string& group, const std::string& name) {
    if (!f_) return 0;
    const int pid = group_id(group), tid = ++tracks_;
    std::fprintf(f_, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":%s}}",
                 sep(), pid, tid, quoted(name).c_str());
    return pid * 1000 + tid;
}

void Timeline::event(const char* head, int track, uint64_t at_ps, const std::string& tail) {
    if (!f_) return;
    std::fprintf(f_, "%s\n{%s,\"pid\":%d,\"tid\":%d,\"ts\":%" PRIu64 ".%06" PRIu64 "%s}", sep(), head, track / 1000,
                 track % 1000, at_ps / 1000000, at_ps % 1000000, tail.c_str());
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

}  // namespace sim
