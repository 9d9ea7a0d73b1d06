#include "workloads/nic_ring.h"

#include "models/sim/error.h"
#include "workloads/clock.h"
#include "workloads/nic_dma.h"

namespace workload {

using sc_core::sc_time;
using namespace nic;

namespace {

constexpr uint64_t kPage = iommufd::kPageSize;
// The kernel's virtual addresses for rings and buffers, and the IOVAs they map at.
constexpr uint64_t kRingVa = 0x7e00'0000'0000, kBufferVa = 0x7f00'0000'0000;
constexpr uint64_t kRingIova = 0x1000'0000, kBufferIova = 0x4000'0000;

}  // namespace

class NicRing::RxQueue : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(RxQueue);
    RxQueue(sc_core::sc_module_name name, NicRing& nic, unsigned index, uint32_t ring)
        : sc_module(name), nic(nic), index(index), slots(ring), irq(nic.p_.irq_delay_ns) {
        SC_THREAD(poll);
    }

    NicRing& nic;
    const unsigned index;
    std::vector<Slot> slots;    // by descriptor index
    uint64_t head = 0;          // descriptors the NIC has taken
    uint64_t tail = 0;          // descriptors posted (visible after the doorbell)
    uint32_t refilled = 0;      // refilled since the last doorbell
    uint64_t ring_iova = 0;
    IrqPoll irq;                // descriptors the NIC has written back

private:
    // NAPI: up to a budget of frames, then the doorbell; until no frame is left.
    void poll() {
        for (;;) {
            irq.sleep();
            while (!irq.empty()) {
                for (uint32_t n = 0; n < nic.p_.napi_budget && !irq.empty(); ++n) {
                    nic.host_.wait_for_core(index);
                    wait(until(nic.process(*this, irq.take())));
                }
                nic.host_.wait_for_core(index);
                wait(until(nic.doorbell(*this)));
            }
        }
    }
};

NicRing::NicRing(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
                 const NicParams& p)
    : MappedWorkload(name, p.queues),
      p_(p),
      sys_(sys),
      dev_(sys.device(p.device)),
      sizes_(SizeMix::parse(p.sizes, 64, 4096)),
      rng_(pc.sim.seed, "nic"),
      per_packet_(p.mapping == "per_packet") {
    if (p_.direction != "tx")
        for (unsigned q = 0; q < p_.queues; ++q)
            queues_.push_back(std::make_unique<RxQueue>(("rxq" + std::to_string(q)).c_str(), *this, q, p_.rx_ring));
    if (p_.direction != "rx") {
        tx_ = std::make_unique<NicTx>("tx", p_, dev_, dma_, host_, pc.sim.seed);
        add_child("tx", *tx_);
    }
    setup(pc);
    dev_.on_fed_done([this](uint64_t c, bool ok, bool) { dma_done(c, ok); });
    if (p_.direction != "tx") SC_METHOD(arrive);
}

NicRing::~NicRing() = default;

// The driver's probe and open: the engine's context, an IOAS the NIC is attached to,
// the rings mapped once, every descriptor posted with a mapped buffer.
void NicRing::setup(const platform::PlatformConfig& pc) {
    dma_.open(sys_, pc, p_.device);
    const iommufd::DriverCost before = host_.spent();
    const uint64_t ring_bytes = (p_.rx_ring * kDescriptorBytes + kPage - 1) / kPage * kPage;
    const uint64_t slots = p_.rx_ring + pc.engine.policy().batch + p_.napi_budget + 1;  // IOVAs a queue may hold
    bool ok = dma_.mmap(kRingVa, ring_bytes * p_.queues) &&
              dma_.mmap(kBufferVa, uint64_t(p_.rx_ring) * p_.queues * kPage);
    for (unsigned q = 0; ok && q < queues_.size(); ++q) {
        RxQueue& rq = *queues_[q];
        rq.ring_iova = kRingIova + q * ring_bytes;
        ok = dma_.map_coherent(kRingVa + q * ring_bytes, ring_bytes, rq.ring_iova);
        dma_.add_queue(kBufferIova + q * slots * kPage, slots, kPage);
        for (uint32_t i = 0; ok && i < p_.rx_ring; ++i) {
            rq.slots[i].buffer = uint32_t(buffers_.size());
            buffers_.push_back({kBufferVa + buffers_.size() * kPage, 0});
            ok = map(q, buffers_.back());
        }
        rq.tail = p_.rx_ring;
    }
    if (tx_) ok = ok && tx_->setup(p_.tx_ring + pc.engine.policy().batch + p_.napi_budget + 1);
    if (!ok) throw sim::InputError("nic: the mapping engine could not set the rings up");
    setup_ns_.sample((host_.spent() - before).cpu_ns);
}

bool NicRing::finished() const {
    if (tx_ && !tx_->finished()) return false;
    const bool rx = !queues_.empty();
    if ((rx && arrived_.value() < p_.packets) || fifo_bytes_ || dev_.finished() == false) return false;
    for (const auto& q : queues_)
        if (!q->irq.idle()) return false;
    return true;
}

// One frame off the wire, then wait for the next.
void NicRing::arrive() {
    if (!started_) {
        started_ = true;
        next_trigger(sc_time::from_value(sim::ns_to_ps(p_.start_ns)));
        return;
    }
    if (arrived_.value() == p_.packets) return;
    const uint32_t size = sizes_.draw(rng_);
    RxQueue& q = *queues_[arrived_.value() % p_.queues];
    if (arrived_.value() == 0) first_arrival_ = now();
    ++arrived_;
    arrived_bytes_ += size;
    wire_end_ = now() + sim::transfer_ps(size + kWireOverhead, p_.line_rate_gbps);
    next_trigger(until(wire_end_));
    if (fifo_bytes_ + size > p_.fifo) {
        ++fifo_full_;
        return;
    }
    if (q.head == q.tail) {
        ++no_descriptor_;
        return;
    }
    const uint32_t idx = uint32_t(q.head++ % p_.rx_ring);
    Slot& s = q.slots[idx];
    s = {s.buffer, size, 3, now()};
    fifo_bytes_ += size;
    const uint64_t desc = q.ring_iova + idx * kDescriptorBytes;
    pcie::Request r{desc, uint32_t(kDescriptorBytes), true};
    r.at_ps = now();
    r.cookie = cookie(q.index, idx, kDescriptorRead);
    dev_.feed(r);
    r = {buffers_[s.buffer].iova, size, false};
    r.at_ps = now();
    r.cookie = cookie(q.index, idx, kData);
    dev_.feed(r);
    r = {desc, uint32_t(kDescriptorBytes), false};
    r.at_ps = now();
    r.cookie = cookie(q.index, idx, kWriteBack);
    dev_.feed(r);
}

void NicRing::dma_done(uint64_t c, bool ok) {
    if (c & kTx) return tx_->dma_done(c, ok);
    RxQueue& q = *queues_[queue_of(c)];
    const uint32_t idx = index_of(c);
    Slot& s = q.slots[idx];
    dma_errors_ += !ok;
    if (step_of(c) == kData) fifo_bytes_ -= s.size;
    if (--s.left == 0) q.irq.completed(idx);
}

// The driver's work for one completed frame, on the queue's core; returns when it ends.
sim::ps_t NicRing::process(RxQueue& q, uint32_t idx) {
    Slot& s = q.slots[idx];
    Buffer& b = buffers_[s.buffer];
    iommufd::DriverCost at = host_.spent();
    if (per_packet_) unmap(q.index, b);
    sim::ps_t end = host_.charge(q.index, at, "rx: unmap, stack", p_.stack_ns);
    ++packets_;
    bytes_ += s.size;
    latency_.sample(sim::ps_to_ns(end - s.arrived));
    last_delivery_ = std::max(last_delivery_, end);
    // The stack is done with the page; it goes back to the ring, mapped anew.
    at = host_.spent();
    if (per_packet_ && !map(q.index, b)) ++engine_errors_;
    end = host_.charge(q.index, at, "rx: map");
    ++q.refilled;
    return end;
}

sim::ps_t NicRing::doorbell(RxQueue& q) {
    ++doorbells_;
    const sim::ps_t end = host_.mmio(q.index, "rx doorbell");
    q.tail += q.refilled;
    q.refilled = 0;
    return end;
}

bool NicRing::map(unsigned queue, Buffer& b) { return dma_.map(queue, b.va, kPage, b.iova); }

void NicRing::unmap(unsigned queue, Buffer& b) {
    if (!dma_.unmap(queue, b.iova, kPage)) {
        ++engine_errors_;
        return;
    }
    b.iova = 0;
}

// The first frame to the last one done, either direction.
double NicRing::span_ns() const {
    const sim::ps_t start = sim::ns_to_ps(p_.start_ns);
    const sim::ps_t end = std::max(last_delivery_, tx_ ? tx_->last_clean() : 0);
    return end > start ? sim::ps_to_ns(end - start) : 0.0;
}

}  // namespace workload
