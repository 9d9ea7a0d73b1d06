// The transmit side of nic_ring (nic_ring.h): the stack sends frames back to back at
// line rate, spread over the queues as XPS spreads flows, into each queue's qdisc
// (txqueuelen frames; beyond, the frame is dropped). The queue's core moves frames
// from the qdisc to the TX ring: per frame it maps a buffer page (dma_map_single),
// spends stack_ns and writes the descriptor; after napi_budget frames, or when the
// qdisc is empty or the ring full, it rings the doorbell. The NIC reads each new
// descriptor (16 B) and the frame (a DMA read of its size), sends it on the wire
// (size + 20 B at line rate, one frame after another) and writes the descriptor back
// (16 B). Write-backs interrupt the queue (irq_delay_ns when idle); its clean-up, on
// the same core, unmaps each buffer and frees the descriptor.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>

#include "models/pcie/traffic_generator.h"
#include "models/sim/stats.h"
#include "workloads/dma_api.h"
#include "workloads/host_driver.h"
#include "workloads/nic_params.h"
#include "workloads/size_mix.h"

namespace workload {

class NicTx : public sc_core::sc_module, public sim::StatGroup {
public:
    SC_HAS_PROCESS(NicTx);
    NicTx(sc_core::sc_module_name name, const NicParams& p, pcie::TrafficGenerator& dev, DmaApi& dma,
          HostDriver& host, uint64_t seed);
    ~NicTx() override;
    // The rings mapped once, the queues' buffer pages and IOVA slots; false when the
    // engine refuses.
    bool setup(uint64_t slots_per_queue);
    // A completion of one of its requests (cookie with nic::kTx).
    void dma_done(uint64_t cookie, bool ok);
    bool finished() const;
    uint64_t packets() const { return packets_.value(); }
    sim::ps_t last_clean() const { return last_clean_; }

private:
    class TxQueue;
    struct Leaving {  // a frame on the wire
        unsigned queue;
        uint32_t idx;
        sim::ps_t done;
    };
    void send();
    void wire();
    sim::ps_t post(TxQueue& q);
    sim::ps_t doorbell(TxQueue& q);
    void fetch(TxQueue& q);
    sim::ps_t clean(TxQueue& q, uint32_t idx);

    const NicParams& p_;
    pcie::TrafficGenerator& dev_;
    DmaApi& dma_;
    HostDriver& host_;
    SizeMix sizes_;
    sim::Rng rng_;
    bool started_ = false;
    std::vector<std::unique_ptr<TxQueue>> queues_;
    std::deque<Leaving> leaving_;  // in wire order
    sim::ps_t wire_free_ = 0, first_send_ = 0, last_clean_ = 0;
    sc_core::sc_event wire_event_;

    sim::Counter sent_{*this, "sent", "", "frames the stack sent"};
    sim::Counter dropped_{*this, "dropped_qdisc", "", "frames dropped: the queue's qdisc was full"};
    sim::Counter packets_{*this, "packets", "", "frames on the wire and cleaned up"};
    sim::Counter bytes_{*this, "bytes", "B", "bytes of those frames"};
    sim::Counter doorbells_{*this, "doorbells", "", "TX tail writes"};
    sim::Counter dma_errors_{*this, "dma_errors", "", "frame DMAs that completed with an error"};
    sim::Counter engine_errors_{*this, "engine_errors", "", "map or unmap calls that failed"};
    sim::Histogram latency_{*this, "latency_ns", "ns", "sent by the stack to cleaned up", 500.0, 400};
    sim::Formula gbps_{*this, "gbps", "Gb/s", "bytes sent, first send to last clean-up",
                       [this] { return sim::gbps(bytes_.value(), first_send_, last_clean_); }};
};

}  // namespace workload
