// Processes as the mapping engine sees them: a user whose processes share one
// locked-memory count, and each process's address space, a set of anonymous or
// huge-page mappings whose pages are backed by frames of host memory on first use
// (as a page fault or get_user_pages would allocate them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/iommufd/errno.h"

namespace iommufd {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kHugePageSize = uint64_t(1) << 21;

// Host physical frames for user memory: handed out upward from `base`, deterministic,
// never reused (a freed frame would need the CPU caches' view of it flushed).
class FrameAllocator {
public:
    FrameAllocator(uint64_t base, uint64_t size) : next_(base), end_(base + size) {}
    // `bytes` (a multiple of 4 KiB) aligned to `align`; nullopt when memory is exhausted.
    std::optional<uint64_t> allocate(uint64_t bytes, uint64_t align);

private:
    uint64_t next_, end_;
};

// A uid: in per-user accounting every process of the user charges this count.
struct User {
    std::string name;
    uint64_t locked_pages = 0;  // user->locked_vm
};

// The frames behind one mapping's pages (4 KiB or 2 MiB units), by page index, as runs
// of consecutive pages on consecutive frames: a buffer touched in order, the common
// case, is one entry however large.
class FrameRuns {
public:
    // The frame of page `index`; 0 when it has none yet.
    uint64_t find(uint64_t index) const;
    // Page `index` (without one) gets `frame`.
    void add(uint64_t index, uint64_t frame);
    explicit FrameRuns(uint64_t unit) : unit_(unit) {}

private:
    struct Run {
        uint64_t count, frame;  // pages, and the first one's frame
    };
    uint64_t unit_;
    std::map<uint64_t, Run> runs_;  // by first page index
};

class Process {
public:
    Process(std::string name, User& user, uint64_t rlimit_memlock, FrameAllocator& frames)
        : name_(std::move(name)), user_(user), rlimit_(rlimit_memlock), frames_(frames) {}

    // A new mapping at a fixed address: page-aligned (2 MiB for huge pages), non-empty,
    // not overlapping another: else EINVAL; ENOMEM beyond the user address space
    // (x86-64 TASK_SIZE, 2^47 - 4 KiB). Frames come on first use, so a large mapping
    // costs only what is touched.
    Errno mmap(uint64_t va, uint64_t length, bool hugepage);
    // Removes mappings [va, va + length) covers entirely; EINVAL if it cuts one or
    // covers none. Pages already pinned stay pinned (the pin holds the frame).
    Errno munmap(uint64_t va, uint64_t length);
    // Whether every page of [va, va + length) is mapped.
    bool mapped(uint64_t va, uint64_t length) const;
    // The frame backing the 4 KiB page holding `va`, allocated on first use; nullopt
    // when `va` is not mapped or host memory is exhausted.
    std::optional<uint64_t> frame(uint64_t va);

    const std::string& name() const { return name_; }
    User& user() { return user_; }
    uint64_t rlimit_pages() const { return rlimit_ / kPageSize; }
    uint64_t locked_pages = 0;  // mm->locked_vm

private:
    struct Mapping {
        uint64_t length;
        bool hugepage;
        FrameRuns frames;  // by backing page index (4 KiB or 2 MiB)
    };
    const Mapping* find(uint64_t va, uint64_t* start) const;

    std::string name_;
    User& user_;
    uint64_t rlimit_;
    FrameAllocator& frames_;
    std::map<uint64_t, Mapping> maps_;  // by start address
};

}  // namespace iommufd
