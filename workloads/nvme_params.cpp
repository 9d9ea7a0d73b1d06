#include "workloads/nvme_params.h"

#include "models/sim/error.h"
#include "models/sim/params.h"
#include "workloads/size_mix.h"

namespace workload {

void NvmeParams::bind(sim::ParamBinder& b) {
    b.u32("device", device, "", "the platform device that is the SSD (the first, with several)", 0, 255);
    b.u32("devices", devices, "", "SSDs, each its own controller and queues: platform devices device, "
          "device + 1, ...", 1, 256);
    b.u32("queues", queues, "", "I/O submission/completion queue pairs per SSD; queue i of every SSD is "
          "served by host core i", 1, 64);
    b.u32("queue_depth", queue_depth, "", "commands outstanding per queue: a new one when one completes",
          1, 1024);
    b.u64("ios", ios, "", "commands submitted per SSD, all its queues together", 1, uint64_t(1) << 40);
    b.text("io_sizes", io_sizes,
           "transfer sizes in bytes, SIZE[:WEIGHT],..., 4096..131072 in multiples of 4096");
    b.f64("read_fraction", read_fraction, "", "share of Read commands (the rest are Writes)", 0, 1);
    b.f64("media_read_ns", media_read_ns, "ns", "Read: command fetched to data moving (illustrative)",
          0, 1e9);
    b.f64("media_write_ns", media_write_ns, "ns", "Write: command fetched to data moving (illustrative)",
          0, 1e9);
    b.f64("stack_ns", stack_ns, "ns", "CPU time per I/O outside the DMA API (illustrative)", 0, 1e9);
    b.f64("irq_delay_ns", irq_delay_ns, "ns", "completion to poll on an idle queue", 0, 1e9);
    b.f64("start_ns", start_ns, "ns", "the first submission", 0, 1e12);
}

void NvmeParams::validate() const {
    try {
        SizeMix::parse(io_sizes, kMinIo, kMaxIo, kMinIo);
    } catch (const sim::InputError& e) {
        throw sim::InputError(std::string("io_sizes: ") + e.what());
    }
}

}  // namespace workload
