// A NIC at line rate through descriptor rings, under a Linux-style driver that maps
// every buffer with the DMA API (dma_map_page / dma_unmap_page), here through the
// mapping engine (iommufd's IOAS over the IOMMU driver's domain), or direct without an
// IOMMU or in pass-through (dma_api.h). `direction` chooses
// receive (below), transmit (nic_tx.h) or both, on the same queues and cores.
//
// The wire: frames arrive back to back at line_rate_gbps, each taking its size plus
// 20 B (preamble and inter-frame gap), spread over the queues round-robin as RSS
// spreads many flows. A frame that finds its queue without a posted descriptor, or
// the NIC's buffer (`fifo`) full, is dropped.
// The NIC, per frame: reads the descriptor (16 B), writes the frame into the buffer
// and writes the descriptor back (16 B): three DMAs through the IOMMU, in order.
// The driver, one core per queue: an idle queue's completion raises an interrupt and
// the poll starts irq_delay_ns later. Per frame it unmaps the buffer, passes the
// frame up the stack (stack_ns), and refills the descriptor with the recycled page
// mapped anew; after napi_budget frames, or when none are left, it rings the doorbell
// (one MMIO write), which makes the refills visible to the NIC.
// CPU time runs on host::Cpu: the driver's costs (DriverParams), the queued
// invalidation part under the invalidation queue's lock, so strict unmaps from many
// cores serialize as Linux's do on qi->q_lock.
// Buffers map through the DMA API (dma_api.h), one IOVA slot of a page per buffer.
// mapping=page_pool maps every RX buffer once (page_pool with PP_FLAG_DMA_MAP); TX
// frames are always mapped one by one.
//
// Descriptor rings are DMA-coherent memory mapped once; the packet data is the
// device's pattern (the CPU does not read it).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/dma_api.h"
#include "workloads/host_driver.h"
#include "workloads/irq_poll.h"
#include "workloads/nic_tx.h"
#include "workloads/size_mix.h"
#include "workloads/workload.h"

namespace workload {

class NicRing : public MappedWorkload {
public:
    SC_HAS_PROCESS(NicRing);
    NicRing(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
            const NicParams& p);
    ~NicRing() override;
    bool finished() const override;

private:
    class RxQueue;
    struct Slot {
        uint32_t buffer = 0;  // index in buffers_
        uint32_t size = 0;
        uint32_t left = 0;    // DMAs of the frame not yet complete
        sim::ps_t arrived = 0;
    };
    struct Buffer {
        uint64_t va = 0, iova = 0;  // iova 0: not mapped
    };

    void setup(const platform::PlatformConfig& pc);
    void arrive();
    void dma_done(uint64_t cookie, bool ok);
    sim::ps_t process(RxQueue& q, uint32_t idx);
    sim::ps_t doorbell(RxQueue& q);
    bool map(unsigned queue, Buffer& b);
    void unmap(unsigned queue, Buffer& b);
    double span_ns() const;

    NicParams p_;
    platform::System& sys_;
    pcie::TrafficGenerator& dev_;
    SizeMix sizes_;
    sim::Rng rng_;
    bool per_packet_;  // RX buffers mapped per packet, not once (page_pool)
    bool started_ = false;
    DmaApi dma_{host_};
    std::vector<std::unique_ptr<RxQueue>> queues_;
    std::unique_ptr<NicTx> tx_;
    std::vector<Buffer> buffers_;
    uint64_t fifo_bytes_ = 0;
    sim::ps_t first_arrival_ = 0, wire_end_ = 0, last_delivery_ = 0;

    sim::Counter arrived_{*this, "rx.arrived", "", "frames that arrived on the wire"};
    sim::Counter arrived_bytes_{*this, "rx.arrived_bytes", "B", "bytes of the frames that arrived"};
    sim::Counter packets_{*this, "rx.packets", "", "frames delivered to the stack"};
    sim::Counter bytes_{*this, "rx.bytes", "B", "bytes delivered to the stack"};
    sim::Counter no_descriptor_{*this, "rx.dropped_no_descriptor", "", "frames dropped: ring empty"};
    sim::Counter fifo_full_{*this, "rx.dropped_fifo", "", "frames dropped: NIC buffer full"};
    sim::Counter dma_errors_{*this, "rx.dma_errors", "", "frame DMAs that completed with an error"};
    sim::Counter engine_errors_{*this, "engine_errors", "", "map or unmap calls that failed"};
    sim::Counter doorbells_{*this, "doorbells", "", "RX tail writes"};
    sim::Histogram latency_{*this, "rx.latency_ns", "ns", "arrival to the stack", 500.0, 400};
    sim::Average setup_ns_{*this, "setup_cpu_ns", "ns", "driver CPU time to map the rings and fill them with mapped buffers"};
    sim::Formula offered_{*this, "rx.offered_gbps", "Gb/s", "frames arriving, over the arrival time",
                          [this] { return sim::gbps(arrived_bytes_.value(), first_arrival_, wire_end_); }};
    sim::Formula gbps_{*this, "rx.gbps", "Gb/s", "bytes delivered, first arrival to last delivery",
                       [this] { return sim::gbps(bytes_.value(), first_arrival_, last_delivery_); }};
    sim::Formula cpu_per_packet_{*this, "cpu_ns_per_packet", "ns",
                                 "host CPU time (all cores) per frame delivered or sent", [this] {
                                     const uint64_t n = packets_.value() + (tx_ ? tx_->packets() : 0);
                                     return n ? host_.cpu().busy_ns() / double(n) : 0.0;
                                 }};
    sim::Formula utilization_{*this, "cpu_utilization", "", "busy share of the queues' cores, first frame to the last one done",
                              [this] { return span_ns() > 0 ? host_.cpu().busy_ns() / (span_ns() * p_.queues) : 0.0; }};
};

}  // namespace workload
