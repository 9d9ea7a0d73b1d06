#include "workloads/dma_api.h"

#include "models/sim/error.h"
#include "workloads/clock.h"

namespace workload {

DmaApi::DmaApi(sim::StatGroup& owner, HostDriver& host) : host_(host), stale_(owner) {}

DmaApi::~DmaApi() = default;

void DmaApi::open(platform::System& sys, const platform::PlatformConfig& pc, unsigned device) {
    host_.open(sys, pc, device);
    deferred_ = pc.engine.policy().deferred;
    iommufd::Context& ctx = dev().context();
    ctx.set_flush_policy(pc.engine.policy(), [] { return now(); }, stale_.recorder(deferred_));
    if (deferred_) {
        stale_.watch(sys, [this](uint16_t, uint64_t iova) { return dev().context().unflushed(dev().dev_id(), iova); });
        flush_timer_ = std::make_unique<platform::FlushTimer>(
            "flush", [this] { flush_timeout(); }, [this] { return dev().context().flush_deadline_ps(); });
    }
}

bool DmaApi::mmap(uint64_t va, uint64_t bytes) { return dev().process().mmap(va, bytes, false) == iommufd::Errno::Ok; }

bool DmaApi::map_coherent(uint64_t va, uint64_t bytes, uint64_t iova) { return dev().map(va, bytes, iova); }

unsigned DmaApi::add_queue(uint64_t base, uint64_t slots, uint64_t slot_bytes) {
    queues_.push_back({{}, base, base + slots * slot_bytes, slot_bytes});
    queues_.back().cache.reserve(slots);
    return unsigned(queues_.size() - 1);
}

// An IOVA from the queue's cache, else a fresh one.
bool DmaApi::map(unsigned queue, uint64_t va, uint64_t bytes, uint64_t& iova) {
    Slots& q = queues_[queue];
    if (q.cache.empty() && q.next == q.end) {
        dev().iopt().flush();  // every IOVA waits in the flush queue: flush now
        release_flushed();
    }
    if (!q.cache.empty()) {
        iova = q.cache.back();
        q.cache.pop_back();
    } else {
        iova = q.next;
        q.next += q.bytes;
    }
    const bool ok = host_.map(va, bytes, iova);
    release_flushed();
    return ok;
}

bool DmaApi::unmap(unsigned queue, uint64_t iova, uint64_t bytes) {
    if (!host_.unmap(iova, bytes)) return false;
    if (deferred_) {
        unflushed_.push_back({queue, iova});
        release_flushed();
        flush_timer_->schedule();
    } else {
        queues_[queue].cache.push_back(iova);
    }
    return true;
}

void DmaApi::release_flushed() {
    const uint64_t flushes = dev().iopt().flushes();
    if (flushes == flushes_seen_) return;
    flushes_seen_ = flushes;
    for (const FreedIova& f : unflushed_) queues_[f.queue].cache.push_back(f.iova);
    unflushed_.clear();
}

// The flush queue's timer (fq_flush_timeout) runs on core 0.
void DmaApi::flush_timeout() {
    const iommufd::DriverCost at = host_.spent();
    dev().context().flush_if_due();
    if (host_.spent().cpu_ns > at.cpu_ns) host_.charge(0, at, "flush timer");
    release_flushed();
}

}  // namespace workload
