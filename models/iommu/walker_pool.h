// Page-walk slots with miss merging, the engine's bound on concurrent table walks.
//
// A miss for a page that is already being walked joins that walk instead of starting
// its own (the hazard check of gem5's SMMUv3 model and of real walkers); with every
// slot busy, a miss waits, in arrival order, and misses waiting for the same page
// merge too. Time-agnostic: the timing shell decides when walks finish, this core
// decides who walks and who waits. Slots are few (real IOMMUs: 4-64), so lookups are
// linear over small arrays whose capacity is reserved up front.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/sim/stats.h"

namespace iommu {

template <class Page, class Waiter>
class WalkerPool : public sim::StatGroup {
public:
    enum class Outcome { Started, Merged, Queued };

    explicit WalkerPool(uint32_t slots) : slots_(slots) {
        for (Slot& s : slots_) s.waiters.reserve(16);
    }

    // A miss for `page`: it starts a walk in a free slot, joins the walk (running or
    // waiting) of the same page, or waits for a slot.
    Outcome request(const Page& page, const Waiter& w) {
        if (Slot* s = running(page)) {
            s->waiters.push_back(w);
            ++merged_;
            return Outcome::Merged;
        }
        for (Pending& p : pending_)
            if (p.page == page) {
                p.waiters.push_back(w);
                ++merged_;
                return Outcome::Merged;
            }
        if (Slot* s = free_slot()) {
            start(*s, page, {w});
            return Outcome::Started;
        }
        pending_.push_back({page, {w}});
        ++queued_;
        max_pending_ = std::max<uint64_t>(max_pending_, pending_.size());
        return Outcome::Queued;
    }

    // The walk of `page` finished: appends its waiters (the one that started it
    // first) to `done`, frees the slot and starts the oldest waiting page, if any.
    // Returns whether a waiting page started (its page in *started).
    bool complete(const Page& page, std::vector<Waiter>& done, Page* started = nullptr) {
        Slot* s = running(page);
        if (!s) return false;
        done.insert(done.end(), s->waiters.begin(), s->waiters.end());
        s->busy = false;
        s->waiters.clear();
        if (pending_.empty()) return false;
        Pending next = std::move(pending_.front());
        pending_.pop_front();
        start(*s, next.page, next.waiters);
        if (started) *started = next.page;
        return true;
    }

    // The slot walking `page` (-1 when none), and the request that started a slot's
    // walk: the first waiter, whose own translation the walk is.
    int slot_of(const Page& page) const {
        for (size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].busy && slots_[i].page == page) return int(i);
        return -1;
    }
    const Waiter& leader(unsigned slot) const { return slots_.at(slot).waiters.front(); }

    uint32_t busy() const {
        return uint32_t(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.busy; }));
    }
    size_t waiting_pages() const { return pending_.size(); }
    bool walking(const Page& page) const {
        return std::any_of(slots_.begin(), slots_.end(),
                           [&](const Slot& s) { return s.busy && s.page == page; });
    }

private:
    struct Slot {
        bool busy = false;
        Page page{};
        std::vector<Waiter> waiters;
    };
    struct Pending {
        Page page;
        std::vector<Waiter> waiters;
    };
    Slot* running(const Page& page) {
        for (Slot& s : slots_)
            if (s.busy && s.page == page) return &s;
        return nullptr;
    }
    Slot* free_slot() {
        for (Slot& s : slots_)
            if (!s.busy) return &s;
        return nullptr;
    }
    void start(Slot& s, const Page& page, const std::vector<Waiter>& waiters) {
        s.busy = true;
        s.page = page;
        s.waiters.assign(waiters.begin(), waiters.end());
        ++started_;
    }

    std::vector<Slot> slots_;
    std::deque<Pending> pending_;
    sim::Counter started_{*this, "walks", "", "walks started"};
    sim::Counter merged_{*this, "merged", "", "misses that joined a walk of the same page"};
    sim::Counter queued_{*this, "queued", "", "walks that waited for a free slot"};
    uint64_t max_pending_ = 0;
    sim::Formula max_pending_stat_{*this, "max_waiting", "", "most pages waiting for a slot",
                                   [this] { return double(max_pending_); }};
};

}  // namespace iommu
