// NVMe SSDs under a Linux-style driver that maps every I/O's buffer with the DMA
// API (dma_map_sg / dma_unmap_sg, dma_api.h), here through the mapping engine.
//
// Every SSD (nvme.devices of them, each its own platform device) is a controller with
// its own I/O queue pairs, as Linux's nvme driver makes per controller: queue i of
// every SSD is served by host core i, and each SSD is attached to its own IOAS (a PCI
// device's own default domain), or to an identity domain in pass-through; without an
// IOMMU the DMA API is direct (dma_api.h).
// The driver, per queue pair, keeps queue_depth commands outstanding
// (closed loop). Per command it maps the buffer at one IOVA, builds the PRPs (prp.h;
// a PRP list goes in the command's own list page), writes the 64 B Submission Queue
// Entry and rings the SQ tail doorbell (one MMIO write). An idle queue's completion
// raises an interrupt and the poll starts irq_delay_ns later; per completion it
// unmaps the buffer, finishes the I/O (stack_ns) and submits the next command; after
// the completions it rings the CQ head doorbell.
// The SSD, per command: fetches the SQ entry (64 B) and the PRP list if any (8 B an
// entry), waits the media time, moves the data in 4 KiB requests at the pages'
// IOVAs (it writes host memory for a Read, reads it for a Write), then posts the
// 16 B Completion Queue Entry: a Read's right behind its data writes (posted writes
// stay in order), a Write's once its data reads have completed. Every access is a DMA
// through the IOMMU. The device issues what it is fed in order, so commands wait out
// their media time here, in due order, and only their data phase is fed when due;
// its fetches (SQ entries, PRP lists) go ahead of data not yet sent (a controller's
// fetch engine does not wait for its data engine).
//
// Queues, PRP list pages and buffers are kernel memory; queues and list pages are
// DMA-coherent, mapped once. Entries are not written into memory: the device's
// accesses have their sizes and addresses, the data is the device's pattern.
// Statistics are for all SSDs together; with several, "ssd<N>" has each one's.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/dma_api.h"
#include "workloads/host_driver.h"
#include "workloads/irq_poll.h"
#include "workloads/prp.h"
#include "workloads/size_mix.h"
#include "workloads/workload.h"

namespace workload {

class Nvme : public MappedWorkload {
public:
    SC_HAS_PROCESS(Nvme);
    Nvme(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
         const NvmeParams& p);
    ~Nvme() override;
    bool finished() const override;

private:
    class IoQueue;
    // One SSD: its device, its commands, its rate.
    struct Ssd : sim::StatGroup {
        explicit Ssd(pcie::TrafficGenerator& d) : dev(d) {}
        pcie::TrafficGenerator& dev;
        uint64_t submitted = 0;
        sim::ps_t first_submission = 0, last_completion = 0;
        double span_ns() const {
            return last_completion > first_submission ? sim::ps_to_ns(last_completion - first_submission) : 0.0;
        }
        sim::Counter ios{*this, "ios", "", "commands completed"};
        sim::Formula kiops{*this, "kiops", "kIO/s", "commands completed, first submission to last completion",
                           [this] { return span_ns() > 0 ? double(ios.value()) * 1e6 / span_ns() : 0.0; }};
    };
    struct Command {             // one per queue and command identifier
        uint64_t va = 0;         // its buffer, kMaxIo of kernel memory
        uint64_t iova = 0;       // where the buffer is mapped for this I/O
        uint64_t list_iova = 0;  // its PRP list page
        std::vector<uint64_t> prp_list;
        Prp prp;
        uint32_t bytes = 0;
        bool read = true;        // a Read: the device writes host memory
        uint32_t sq_slot = 0;
        uint32_t left = 0;       // data DMAs not complete yet
        uint64_t seq = 0;        // submission order
        sim::ps_t submitted = 0;
    };
    struct Due {                 // a command whose media time runs
        sim::ps_t at;
        uint64_t seq;
        uint32_t command;
        bool operator>(const Due& o) const { return at != o.at ? at > o.at : seq > o.seq; }
    };

    void setup(const platform::PlatformConfig& pc);
    Command& command(const IoQueue& q, uint32_t cid);
    // driver
    bool more(const IoQueue& q) const;
    sim::ps_t submit(IoQueue& q, uint32_t cid);
    void ring(IoQueue& q, uint32_t cid);
    sim::ps_t complete(IoQueue& q, uint32_t cid);
    sim::ps_t cq_doorbell(IoQueue& q);
    // device
    void feed(const IoQueue& q, uint64_t addr, uint32_t bytes, bool read, uint64_t cookie, bool fetch = false);
    void dma_done(uint64_t cookie, bool ok);
    void media(uint32_t index);
    void media_due();
    void transfer(uint32_t index);
    void post_cq(IoQueue& q, uint32_t index);
    void finish(IoQueue& q, uint32_t index);
    double span_ns() const;

    NvmeParams p_;
    platform::System& sys_;
    std::vector<std::unique_ptr<Ssd>> ssds_;
    SizeMix sizes_;
    sim::Rng rng_;
    DmaApi dma_{host_};
    std::vector<std::unique_ptr<IoQueue>> queues_;  // SSD * queues + queue
    std::vector<Command> commands_;  // queue * queue_depth + command identifier
    std::vector<Due> due_;           // a min-heap by (at, seq)
    sc_core::sc_event due_event_;
    uint64_t submitted_ = 0;
    sim::ps_t first_submission_ = 0, last_completion_ = 0;

    sim::Counter ios_{*this, "ios", "", "commands completed"};
    sim::Counter bytes_{*this, "bytes", "B", "bytes the completed commands transferred"};
    sim::Counter read_ios_{*this, "read_ios", "", "Read commands completed"};
    sim::Counter write_ios_{*this, "write_ios", "", "Write commands completed"};
    sim::Counter prp_lists_{*this, "prp_lists", "", "commands whose PRP2 addressed a PRP list"};
    sim::Counter dma_errors_{*this, "dma_errors", "", "device DMAs that completed with an error"};
    sim::Counter engine_errors_{*this, "engine_errors", "", "map or unmap calls that failed"};
    sim::Counter doorbells_{*this, "doorbells", "", "SQ tail and CQ head writes"};
    sim::Histogram latency_{*this, "latency_ns", "ns", "submission to completion, driver work included",
                            2000.0, 500};
    sim::Average setup_ns_{*this, "setup_cpu_ns", "ns", "driver CPU time to map the queues and PRP list pages"};
    sim::Formula gbps_{*this, "gbps", "Gb/s", "bytes transferred, first submission to last completion",
                       [this] { return span_ns() > 0 ? double(bytes_.value()) * 8.0 / span_ns() : 0.0; }};
    sim::Formula kiops_{*this, "kiops", "kIO/s", "commands completed, first submission to last completion",
                        [this] { return span_ns() > 0 ? double(ios_.value()) * 1e6 / span_ns() : 0.0; }};
    sim::Formula cpu_per_io_{*this, "cpu_ns_per_io", "ns", "host CPU time (all cores) per completed command",
                             [this] { return ios_.value() ? host_.cpu().busy_ns() / double(ios_.value()) : 0.0; }};
    sim::Formula utilization_{*this, "cpu_utilization", "", "busy share of the queues' cores",
                              [this] { return span_ns() > 0 ? host_.cpu().busy_ns() / (span_ns() * p_.queues) : 0.0; }};
};

}  // namespace workload
