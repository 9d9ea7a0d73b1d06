#include "workloads/dma_api.h"

#include "models/sim/error.h"
#include "workloads/clock.h"

namespace workload {

DmaApi::DmaApi(HostDriver& host) : host_(host), stale_(host.stats()) {}

DmaApi::~DmaApi() = default;

void DmaApi::open(platform::System& sys, const platform::PlatformConfig& pc, const std::vector<uint32_t>& devices) {
    host_.open(sys, pc, devices);
    direct_ = dev().direct();
    if (direct_) return;  // nothing to invalidate
    deferred_ = pc.engine.policy().deferred;
    flushes_seen_.assign(devices.size(), 0);
    flushed_.assign(devices.size(), false);
    iommufd::Context& ctx = dev().context();
    ctx.set_flush_policy(pc.engine.policy(), [] { return now(); }, stale_.recorder(deferred_));
    if (deferred_) {
        stale_.watch(sys, [this](uint16_t sid, uint64_t iova) { return dev().unflushed(sid, iova); });
        flush_timer_ = std::make_unique<platform::FlushTimer>(
            "flush", [this] { flush_timeout(); }, [this] { return dev().context().flush_deadline_ps(); });
    }
}

bool DmaApi::mmap(uint64_t va, uint64_t bytes) {
    if (dev().process().mmap(va, bytes, false) != iommufd::Errno::Ok) return false;
    if (!direct_) return true;
    uint64_t pa = 0;
    return dev().physical(va, bytes, pa);  // backs every page, in order
}

bool DmaApi::map_coherent(unsigned d, uint64_t va, uint64_t bytes, uint64_t& iova) {
    return direct_ ? dev().physical(va, bytes, iova) : dev().map(d, va, bytes, iova);
}

unsigned DmaApi::add_queue(unsigned d, uint64_t base, uint64_t slots, uint64_t slot_bytes) {
    queues_.push_back({d, {}, base, base + slots * slot_bytes, slot_bytes});
    queues_.back().cache.reserve(direct_ ? 0 : slots);
    return unsigned(queues_.size() - 1);
}

// An IOVA from the queue's cache, else a fresh one.
bool DmaApi::map(unsigned queue, uint64_t va, uint64_t bytes, uint64_t& iova) {
    if (direct_) return dev().physical(va, bytes, iova);
    Slots& q = queues_[queue];
    if (q.cache.empty() && q.next == q.end) {
        dev().iopt(q.dev).flush();  // every IOVA waits in the flush queue: flush now
        release_flushed();
    }
    if (!q.cache.empty()) {
        iova = q.cache.back();
        q.cache.pop_back();
    } else {
        iova = q.next;
        q.next += q.bytes;
    }
    const bool ok = host_.map(q.dev, va, bytes, iova);
    release_flushed();
    return ok;
}

bool DmaApi::unmap(unsigned queue, uint64_t iova, uint64_t bytes) {
    if (direct_) return true;
    if (!host_.unmap(queues_[queue].dev, iova, bytes)) return false;
    if (deferred_) {
        unflushed_.push_back({queue, iova});
        release_flushed();
        flush_timer_->schedule();
    } else {
        queues_[queue].cache.push_back(iova);
    }
    return true;
}

// IOVAs unmapped in an IOAS flushed since go back to their queues, in unmap order.
void DmaApi::release_flushed() {
    bool any = false;
    for (unsigned d = 0; d < flushes_seen_.size(); ++d) {
        const uint64_t flushes = dev().iopt(d).flushes();
        flushed_[d] = flushes != flushes_seen_[d];
        flushes_seen_[d] = flushes;
        any |= flushed_[d];
    }
    if (!any) return;
    size_t kept = 0;
    for (const FreedIova& f : unflushed_) {
        if (flushed_[queues_[f.queue].dev])
            queues_[f.queue].cache.push_back(f.iova);
        else
            unflushed_[kept++] = f;
    }
    unflushed_.resize(kept);
}

// The flush queue's timer (fq_flush_timeout) runs on core 0.
void DmaApi::flush_timeout() {
    const iommufd::DriverCost at = host_.spent();
    dev().context().flush_if_due();
    if (host_.spent().cpu_ns > at.cpu_ns) host_.charge(0, at, "flush timer");
    release_flushed();
}

}  // namespace workload
