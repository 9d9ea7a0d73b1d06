#include "workloads/nic_tx.h"

#include <algorithm>

#include "workloads/clock.h"
#include "workloads/irq_poll.h"
#include "workloads/nic_dma.h"

namespace workload {

using sc_core::sc_time;
using namespace nic;

namespace {

constexpr uint64_t kPage = iommufd::kPageSize;
// The kernel's virtual addresses for TX rings and buffers, and the IOVAs they map at.
constexpr uint64_t kRingVa = 0x7d00'0000'0000, kBufferVa = 0x7c00'0000'0000;
constexpr uint64_t kRingIova = 0x2000'0000, kBufferIova = 0x8000'0000;

}  // namespace

class NicTx::TxQueue : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(TxQueue);
    TxQueue(sc_core::sc_module_name name, NicTx& tx, unsigned index)
        : sc_module(name), tx(tx), index(index), slots(tx.p_.tx_ring), irq(tx.p_.irq_delay_ns) {
        SC_THREAD(xmit);
        SC_THREAD(clean_up);
    }
    struct Frame {
        uint32_t size;
        sim::ps_t sent;
    };
    struct Slot {
        uint32_t size = 0;
        uint32_t left = 0;  // DMAs of the frame not yet complete
        sim::ps_t sent = 0;
        uint64_t va = 0, iova = 0;  // the buffer page and where it is mapped
    };
    bool full() const { return posted - cleaned == slots.size(); }
    bool idle() const { return qdisc.empty() && posted == cleaned && irq.idle(); }

    NicTx& tx;
    const unsigned index;
    unsigned slot_queue = 0;       // its IOVA slots in the DMA API
    std::deque<Frame> qdisc;
    std::vector<Slot> slots;       // by descriptor index
    std::vector<uint64_t> free;    // buffer pages (VA), LIFO
    uint64_t posted = 0;           // descriptors written (visible after the doorbell)
    uint64_t visible = 0;          // descriptors the NIC was told of
    uint64_t cleaned = 0;          // descriptors cleaned up
    uint64_t ring_iova = 0;
    IrqPoll irq;                   // descriptors written back
    sc_core::sc_event work;        // a frame queued, or a descriptor freed

private:
    // The qdisc's dequeue: post frames while the ring has room, a doorbell per batch.
    void xmit() {
        for (;;) {
            while (qdisc.empty() || full()) wait(work);
            for (uint32_t n = 0; n < tx.p_.napi_budget && !qdisc.empty() && !full(); ++n) {
                tx.host_.wait_for_core(index);
                wait(until(tx.post(*this)));
            }
            tx.host_.wait_for_core(index);
            wait(until(tx.doorbell(*this)));
            tx.fetch(*this);
        }
    }
    void clean_up() {
        for (;;) {
            irq.sleep();
            while (!irq.empty()) {
                tx.host_.wait_for_core(index);
                wait(until(tx.clean(*this, irq.take())));
            }
        }
    }
};

NicTx::NicTx(sc_core::sc_module_name name, const NicParams& p, pcie::TrafficGenerator& dev, DmaApi& dma,
             HostDriver& host, uint64_t seed)
    : sc_module(name), p_(p), dev_(dev), dma_(dma), host_(host), sizes_(SizeMix::parse(p.sizes, 64, 4096)),
      rng_(seed, "nic.tx") {
    for (unsigned q = 0; q < p_.queues; ++q)
        queues_.push_back(std::make_unique<TxQueue>(("txq" + std::to_string(q)).c_str(), *this, q));
    SC_METHOD(send);
    SC_METHOD(wire);
    sensitive << wire_event_;
    dont_initialize();
}

NicTx::~NicTx() = default;

bool NicTx::setup(uint64_t slots_per_queue) {
    const uint64_t ring_bytes = (p_.tx_ring * kDescriptorBytes + kPage - 1) / kPage * kPage;
    bool ok = dma_.mmap(kRingVa, ring_bytes * p_.queues) &&
              dma_.mmap(kBufferVa, uint64_t(p_.tx_ring) * p_.queues * kPage);
    for (unsigned q = 0; ok && q < p_.queues; ++q) {
        TxQueue& tq = *queues_[q];
        tq.ring_iova = kRingIova + q * ring_bytes;
        ok = dma_.map_coherent(kRingVa + q * ring_bytes, ring_bytes, tq.ring_iova);
        tq.slot_queue = dma_.add_queue(kBufferIova + q * slots_per_queue * kPage, slots_per_queue, kPage);
        for (uint32_t i = p_.tx_ring; i-- > 0;) tq.free.push_back(kBufferVa + (q * p_.tx_ring + i) * kPage);
    }
    return ok;
}

// The stack sends one frame, then waits for the wire time of the next.
void NicTx::send() {
    if (!started_) {
        started_ = true;
        next_trigger(sc_time::from_value(sim::ns_to_ps(p_.start_ns)));
        return;
    }
    if (sent_.value() == p_.packets) return;
    const uint32_t size = sizes_.draw(rng_);
    TxQueue& q = *queues_[sent_.value() % p_.queues];
    if (sent_.value() == 0) first_send_ = now();
    ++sent_;
    next_trigger(sc_time::from_value(sim::transfer_ps(size + kWireOverhead, p_.line_rate_gbps)));
    if (q.qdisc.size() >= p_.txqueuelen) {
        ++dropped_;
        return;
    }
    q.qdisc.push_back({size, now()});
    q.work.notify(sc_core::SC_ZERO_TIME);
}

// ndo_start_xmit for the qdisc's next frame: map its page, write the descriptor.
sim::ps_t NicTx::post(TxQueue& q) {
    const TxQueue::Frame f = q.qdisc.front();
    q.qdisc.pop_front();
    TxQueue::Slot& s = q.slots[q.posted++ % p_.tx_ring];
    s = {f.size, 3, f.sent, q.free.back(), 0};
    q.free.pop_back();
    const iommufd::DriverCost at = host_.spent();
    if (!dma_.map(q.slot_queue, s.va, kPage, s.iova)) ++engine_errors_;
    return host_.charge(q.index, at, "tx: map, stack", p_.stack_ns);
}

sim::ps_t NicTx::doorbell(TxQueue& q) {
    ++doorbells_;
    return host_.mmio(q.index, "tx doorbell");
}

// After the tail write: the NIC fetches each new descriptor and its frame.
void NicTx::fetch(TxQueue& q) {
    for (; q.visible < q.posted; ++q.visible) {
        const uint32_t idx = uint32_t(q.visible % p_.tx_ring);
        pcie::Request r{q.ring_iova + idx * kDescriptorBytes, uint32_t(kDescriptorBytes), true};
        r.at_ps = now();
        r.cookie = cookie(q.index, idx, kDescriptorRead, true);
        dev_.feed(r);
        r = {q.slots[idx].iova, q.slots[idx].size, true};
        r.at_ps = now();
        r.cookie = cookie(q.index, idx, kData, true);
        dev_.feed(r);
    }
}

void NicTx::dma_done(uint64_t c, bool ok) {
    TxQueue& q = *queues_[queue_of(c)];
    const uint32_t idx = index_of(c);
    TxQueue::Slot& s = q.slots[idx];
    dma_errors_ += !ok;
    if (step_of(c) == kData) {  // the frame is in the NIC: onto the wire after the one before
        wire_free_ = std::max(wire_free_, now()) + sim::transfer_ps(s.size + kWireOverhead, p_.line_rate_gbps);
        if (leaving_.empty()) wire_event_.notify(until(wire_free_));
        leaving_.push_back({q.index, idx, wire_free_});
    }
    if (--s.left == 0) q.irq.completed(idx);
}

// Frames that have left the wire: their descriptors are written back.
void NicTx::wire() {
    for (; !leaving_.empty() && leaving_.front().done <= now(); leaving_.pop_front()) {
        const Leaving& l = leaving_.front();
        pcie::Request r{queues_[l.queue]->ring_iova + l.idx * kDescriptorBytes, uint32_t(kDescriptorBytes), false};
        r.at_ps = now();
        r.cookie = cookie(l.queue, l.idx, kWriteBack, true);
        dev_.feed(r);
    }
    if (!leaving_.empty()) wire_event_.notify(until(leaving_.front().done));
}

// The TX clean-up of one written-back descriptor: unmap, free, room in the ring.
sim::ps_t NicTx::clean(TxQueue& q, uint32_t idx) {
    TxQueue::Slot& s = q.slots[idx];
    const iommufd::DriverCost at = host_.spent();
    if (!dma_.unmap(q.slot_queue, s.iova, kPage)) ++engine_errors_;
    const sim::ps_t end = host_.charge(q.index, at, "tx: unmap");
    q.free.push_back(s.va);
    ++q.cleaned;
    ++packets_;
    bytes_ += s.size;
    latency_.sample(sim::ps_to_ns(end - s.sent));
    last_clean_ = std::max(last_clean_, end);
    q.work.notify(sc_core::SC_ZERO_TIME);
    return end;
}

bool NicTx::finished() const {
    if (sent_.value() < p_.packets || !leaving_.empty()) return false;
    for (const auto& q : queues_)
        if (!q->idle()) return false;
    return true;
}

}  // namespace workload
