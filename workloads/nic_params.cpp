#include "workloads/nic_params.h"

#include "models/sim/error.h"
#include "models/sim/params.h"
#include "workloads/size_mix.h"

namespace workload {

void NicParams::bind(sim::ParamBinder& b) {
    b.u32("device", device, "", "the platform device that is the NIC", 0, 255);
    b.choice("direction", direction, {"rx", "tx", "both"},
             "rx: frames arrive from the wire; tx: the stack sends; both: each direction");
    b.u32("queues", queues, "", "queue pairs, each served by its own host core (RSS, XPS)", 1, 64);
    b.f64("line_rate_gbps", line_rate_gbps, "Gb/s", "offered load: frames back to back on the wire",
          0.001, 1600);
    b.u64("packets", packets, "", "frames per direction, all queues together", 1, uint64_t(1) << 40);
    b.text("sizes", sizes, "frame sizes in bytes, SIZE[:WEIGHT],... e.g. 64:7,576:4,1500:1");
    b.u32("rx_ring", rx_ring, "", "RX descriptors per queue", 1, 4096);
    b.u32("tx_ring", tx_ring, "", "TX descriptors per queue", 1, 4096);
    b.u32("txqueuelen", txqueuelen, "", "frames a queue's qdisc holds before it drops", 1, 1u << 20);
    b.choice("mapping", mapping, {"per_packet", "page_pool"},
             "per_packet: dma_map/unmap each buffer; page_pool: buffers stay mapped");
    b.u32("napi_budget", napi_budget, "", "packets a poll handles before ringing the doorbell", 1,
          4096);
    b.f64("stack_ns", stack_ns, "ns", "CPU time per packet outside the DMA API (illustrative)", 0, 1e9);
    b.f64("irq_delay_ns", irq_delay_ns, "ns", "completion to poll on an idle queue", 0, 1e9);
    b.u64("fifo", fifo, "B", "NIC packet buffer: bytes waiting for DMA before drops", 64,
          uint64_t(1) << 32);
    b.f64("start_ns", start_ns, "ns", "the first frame's arrival (RX) and send (TX)", 0, 1e12);
}

void NicParams::validate() const {
    try {
        SizeMix::parse(sizes, 64, 4096);
    } catch (const sim::InputError& e) {
        throw sim::InputError(std::string("sizes: ") + e.what());
    }
}

}  // namespace workload
