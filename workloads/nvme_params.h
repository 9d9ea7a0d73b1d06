// [nvme]: the nvme workload (nvme.h).
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace workload {

struct NvmeParams {
    uint32_t device = 0;             // the platform device that is the (first) SSD
    uint32_t devices = 1;            // SSDs: platform devices device .. device + devices - 1
    uint32_t queues = 4;             // I/O SQ/CQ pairs per SSD; queue i of every SSD on core i
    uint32_t queue_depth = 32;       // commands outstanding per queue (closed loop)
    uint64_t ios = 20000;            // commands per SSD, all its queues together
    std::string io_sizes = "4096";   // transfer sizes: SIZE[:WEIGHT],... (size_mix.h)
    double read_fraction = 0.7;      // share of Read commands (the device writes host memory)
    double media_read_ns = 50000;    // command fetched to data ready, Read
    double media_write_ns = 20000;   // command fetched to data taken, Write
    double stack_ns = 1500;          // CPU time per I/O outside the DMA API
    double irq_delay_ns = 1000;      // completion to poll on an idle queue
    double start_ns = 1000;          // the first submission

    // Transfer sizes: whole memory pages, up to 128 KiB (a PRP list of 31 entries).
    static constexpr uint32_t kMinIo = 4096, kMaxIo = 131072;

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason").
    void validate() const;
};

}  // namespace workload
