// [nic]: the nic_ring workload (nic_ring.h).
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace workload {

struct NicParams {
    uint32_t device = 0;             // the platform device that is the NIC
    std::string direction = "rx";    // rx | tx | both
    uint32_t queues = 4;             // queue pairs, each served by its own core (RSS / XPS)
    double line_rate_gbps = 100;     // offered load: packets back to back on the wire
    uint64_t packets = 20000;        // packets per direction, all queues together
    std::string sizes = "1500";      // frame sizes: SIZE[:WEIGHT],... (size_mix.h)
    uint32_t rx_ring = 1024;         // descriptors per queue
    uint32_t tx_ring = 1024;
    uint32_t txqueuelen = 1000;      // frames the qdisc holds per queue before dropping
    std::string mapping = "per_packet";  // per_packet | page_pool
    uint32_t napi_budget = 64;       // packets per poll before the doorbell
    double stack_ns = 300;           // CPU time per packet outside the DMA API
    double irq_delay_ns = 2000;      // completion to poll on an idle queue (moderation)
    uint64_t fifo = 512 * 1024;      // NIC packet buffer: bytes waiting for DMA
    double start_ns = 1000;          // the first packet's arrival

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason").
    void validate() const;
};

}  // namespace workload
