#include "workloads/dma_api.h"

#include "models/sim/error.h"

namespace workload {

namespace {

constexpr iommufd::IovaRange kMsiWindow{0xfee0'0000, 0xfeef'ffff};
constexpr unsigned kMapFlags = iommufd::kFixedIova | iommufd::kReadable | iommufd::kWriteable;

uint64_t now() { return sc_core::sc_time_stamp().value(); }

}  // namespace

DmaApi::DmaApi(sim::StatGroup& owner, host::Cpu& cpu) : owner_(owner), cpu_(cpu) {
    owner_.add_child("map", map_);
    owner_.add_child("unmap", unmap_);
}

DmaApi::~DmaApi() = default;

void DmaApi::open(platform::System& sys, const platform::PlatformConfig& pc, unsigned device,
                  const std::string& name) {
    engine_ = std::make_unique<platform::MappingEngine>(sys, pc.driver_params);
    owner_.add_child("vtd", engine_->driver);
    if (engine_->driver.probe() != iommufd::Errno::Ok)
        throw sim::InputError("iommu: the VT-d unit lacks what the driver needs (queued invalidation, SAGAW)");
    deferred_ = pc.engine.policy().deferred;
    kernel_ = std::make_unique<iommufd::Process>("kernel", user_, ~uint64_t(0), engine_->user_frames);
    ctx_ = std::make_unique<iommufd::Context>(*kernel_);
    ctx_->set_flush_policy(pc.engine.policy(), [] { return now(); }, stale_.recorder(deferred_));
    if (deferred_) {
        stale_.watch(sys, [this](uint16_t, uint64_t iova) { return ctx_->unflushed(dev_id_, iova); });
        flush_timer_ = std::make_unique<platform::FlushTimer>(
            "flush", [this] { flush_timeout(); }, [this] { return ctx_->flush_deadline_ps(); });
    }
    dev_ops_ = engine_->driver.device(uint16_t(pc.devs[device].requester_id));
    device_ = {name, {kMsiWindow}, dev_ops_.get()};
}

bool DmaApi::attach() {
    return ctx_->ioas_alloc(ioas_) == iommufd::Errno::Ok && ctx_->bind(device_, dev_id_) == iommufd::Errno::Ok &&
           ctx_->attach(dev_id_, ioas_) == iommufd::Errno::Ok;
}

bool DmaApi::mmap(uint64_t va, uint64_t bytes) { return kernel_->mmap(va, bytes, false) == iommufd::Errno::Ok; }

bool DmaApi::map_coherent(uint64_t va, uint64_t bytes, uint64_t iova) {
    return ctx_->ioas_map(ioas_, kMapFlags, va, bytes, iova) == iommufd::Errno::Ok;
}

unsigned DmaApi::add_queue(uint64_t base, uint64_t slots, uint64_t slot_bytes) {
    queues_.push_back({{}, base, base + slots * slot_bytes, slot_bytes});
    queues_.back().cache.reserve(slots);
    return unsigned(queues_.size() - 1);
}

// An IOVA from the queue's cache, else a fresh one.
bool DmaApi::map(unsigned queue, uint64_t va, uint64_t bytes, uint64_t& iova) {
    Slots& q = queues_[queue];
    if (q.cache.empty() && q.next == q.end) {
        ctx_->iopt(ioas_)->flush();  // every IOVA waits in the flush queue: flush now
        release_flushed();
    }
    if (!q.cache.empty()) {
        iova = q.cache.back();
        q.cache.pop_back();
    } else {
        iova = q.next;
        q.next += q.bytes;
    }
    const iommufd::vtd::Spent at = spent();
    uint64_t mapped = iova;
    const bool ok = ctx_->ioas_map(ioas_, kMapFlags, va, bytes, mapped) == iommufd::Errno::Ok;
    if (ok) map_.add(spent() - at);
    release_flushed();
    return ok;
}

bool DmaApi::unmap(unsigned queue, uint64_t iova, uint64_t bytes) {
    const iommufd::vtd::Spent at = spent();
    uint64_t unmapped = 0;
    if (ctx_->ioas_unmap(ioas_, iova, bytes, unmapped) != iommufd::Errno::Ok) return false;
    unmap_.add(spent() - at);
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
    const uint64_t flushes = ctx_->iopt(ioas_)->flushes();
    if (flushes == flushes_seen_) return;
    flushes_seen_ = flushes;
    for (const FreedIova& f : unflushed_) queues_[f.queue].cache.push_back(f.iova);
    unflushed_.clear();
}

// The flush queue's timer (fq_flush_timeout) runs on core 0.
void DmaApi::flush_timeout() {
    const iommufd::vtd::Spent at = spent();
    ctx_->flush_if_due();
    const iommufd::vtd::Spent s = spent() - at;
    if (s.cpu_ns > 0) cpu_.run(0, now(), {s.cpu_ns, s.queue_ns});
    release_flushed();
}

}  // namespace workload
