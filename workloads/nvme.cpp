#include "workloads/nvme.h"

#include <algorithm>
#include <functional>

#include "models/sim/error.h"
#include "workloads/clock.h"

namespace workload {

using sc_core::sc_time;

namespace {

constexpr uint64_t kPage = kPrpPageBytes;
constexpr uint64_t kMaxIo = NvmeParams::kMaxIo;
// NVMe Base Specification, Submission Queue Entry (64 B) and Completion Queue Entry (16 B).
constexpr uint32_t kSqEntryBytes = 64, kCqEntryBytes = 16;
// The kernel's virtual addresses for queues and buffers, and the IOVAs they map at.
constexpr uint64_t kQueueVa = 0x7e00'0000'0000, kBufferVa = 0x7f00'0000'0000;
constexpr uint64_t kQueueIova = 0x1000'0000, kBufferIova = 0x1'0000'0000;

enum Step : uint64_t { kSqFetch = 0, kPrpFetch = 1, kData = 2, kCqPost = 3 };
uint64_t cookie(uint32_t index, Step s) { return uint64_t(index) << 2 | s; }

uint64_t page_round(uint64_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

}  // namespace

// An I/O SQ/CQ pair of one SSD and the core that serves it.
class Nvme::IoQueue : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(IoQueue);
    IoQueue(sc_core::sc_module_name name, Nvme& nvme, unsigned index)
        : sc_module(name),
          nvme(nvme),
          index(index),
          ssd(index / nvme.p_.queues),
          core(index % nvme.p_.queues),
          entries(nvme.p_.queue_depth + 1),
          irq(nvme.p_.irq_delay_ns) {
        SC_THREAD(run);
    }

    Nvme& nvme;
    const unsigned index;     // of all queues; the DMA API's queue
    const unsigned ssd, core; // its SSD; its queue number there and host core
    const uint32_t entries;   // per queue: a full queue holds one less (Full Queue)
    uint64_t sq_iova = 0, cq_iova = 0;
    uint64_t sq_tail = 0;     // entries the driver has written
    uint64_t cq_tail = 0;     // entries the device has posted
    IrqPoll irq;              // command identifiers the device has completed

private:
    // Fill the queue, then per completion submit the next command; the CQ head
    // doorbell after the completions found.
    void run() {
        wait(sc_time::from_value(sim::ns_to_ps(nvme.p_.start_ns)));
        irq.poll();
        for (uint32_t cid = 0; cid < nvme.p_.queue_depth;) {
            if (!submit(cid++)) break;
        }
        for (;;) {
            while (!irq.empty()) {
                while (!irq.empty()) {
                    const uint32_t cid = irq.take();
                    nvme.host_.wait_for_core(core);
                    wait(until(nvme.complete(*this, cid)));
                    submit(cid);
                }
                nvme.host_.wait_for_core(core);
                wait(until(nvme.cq_doorbell(*this)));
            }
            irq.sleep();
        }
    }
    // The next command in slot `cid`, unless its SSD has submitted all. Asked once the
    // core is ours: another SSD's queue on the same core may submit meanwhile.
    bool submit(uint32_t cid) {
        nvme.host_.wait_for_core(core);
        if (!nvme.more(*this)) return false;
        wait(until(nvme.submit(*this, cid)));
        nvme.ring(*this, cid);
        return true;
    }
};

Nvme::Nvme(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
           const NvmeParams& p)
    : MappedWorkload(name, p.queues),
      p_(p),
      sys_(sys),
      sizes_(SizeMix::parse(p.io_sizes, NvmeParams::kMinIo, NvmeParams::kMaxIo, NvmeParams::kMinIo)),
      rng_(pc.sim.seed, "nvme") {
    for (unsigned s = 0; s < p_.devices; ++s) {
        ssds_.push_back(std::make_unique<Ssd>(sys.device(p_.device + s)));
        ssds_.back()->dev.on_fed_done([this](uint64_t c, bool ok, bool) { dma_done(c, ok); });
        if (p_.devices > 1) add_child("ssd" + std::to_string(s), *ssds_.back());
    }
    // One SSD keeps the queue names it always had.
    for (unsigned q = 0; q < p_.queues * p_.devices; ++q) {
        const std::string ssd = p_.devices > 1 ? "ssd" + std::to_string(q / p_.queues) + "_" : "";
        queues_.push_back(std::make_unique<IoQueue>((ssd + "ioq" + std::to_string(q % p_.queues)).c_str(), *this, q));
    }
    setup(pc);
    SC_METHOD(media_due);
    sensitive << due_event_;
    dont_initialize();
}

Nvme::~Nvme() = default;

// The driver's probe of every SSD: an IOAS it is attached to (each its own); per
// queue its SQ, CQ and the commands' PRP list pages mapped once, and an IOVA slot of
// kMaxIo per I/O in flight. The SSDs' IOVAs are alike, each in its own IOAS.
void Nvme::setup(const platform::PlatformConfig& pc) {
    std::vector<uint32_t> devices;
    for (unsigned s = 0; s < p_.devices; ++s) devices.push_back(p_.device + s);
    dma_.open(sys_, pc, devices);
    const iommufd::DriverCost before = host_.spent();
    const uint32_t depth = p_.queue_depth, entries = depth + 1;
    const uint64_t sq_bytes = page_round(entries * kSqEntryBytes), cq_bytes = page_round(entries * kCqEntryBytes);
    const uint64_t queue_bytes = sq_bytes + cq_bytes + depth * kPage;
    const uint64_t slots = depth + pc.engine.policy().batch + 1;  // IOVAs a queue may hold
    const uint64_t queues = queues_.size();
    bool ok = dma_.mmap(kQueueVa, queue_bytes * queues) && dma_.mmap(kBufferVa, uint64_t(depth) * queues * kMaxIo);
    commands_.resize(size_t(depth) * queues);
    due_.reserve(commands_.size());
    for (unsigned q = 0; ok && q < queues; ++q) {
        IoQueue& ioq = *queues_[q];
        ioq.sq_iova = kQueueIova + ioq.core * queue_bytes;
        ok = dma_.map_coherent(ioq.ssd, kQueueVa + q * queue_bytes, queue_bytes, ioq.sq_iova);
        ioq.cq_iova = ioq.sq_iova + sq_bytes;
        dma_.add_queue(ioq.ssd, kBufferIova + ioq.core * slots * kMaxIo, slots, kMaxIo);
        for (uint32_t cid = 0; cid < depth; ++cid) {
            Command& c = command(ioq, cid);
            c.va = kBufferVa + (uint64_t(q) * depth + cid) * kMaxIo;
            c.list_iova = ioq.cq_iova + cq_bytes + cid * kPage;
            c.prp_list.reserve(kMaxIo / kPage - 1);
        }
    }
    if (!ok) throw sim::InputError("nvme: the mapping engine could not set the queues up");
    setup_ns_.sample((host_.spent() - before).cpu_ns);
}

Nvme::Command& Nvme::command(const IoQueue& q, uint32_t cid) {
    return commands_[size_t(q.index) * p_.queue_depth + cid];
}

bool Nvme::more(const IoQueue& q) const { return ssds_[q.ssd]->submitted < p_.ios; }

bool Nvme::finished() const {
    for (const auto& s : ssds_)
        if (s->ios.value() < p_.ios || !s->dev.finished()) return false;
    for (const auto& q : queues_)
        if (!q->irq.idle()) return false;
    return true;
}

// The driver's submission, on the queue's core: map the buffer, build the PRPs, write
// the SQ entry, ring the SQ tail doorbell. Returns when the doorbell write ends.
sim::ps_t Nvme::submit(IoQueue& q, uint32_t cid) {
    Command& c = command(q, cid);
    Ssd& ssd = *ssds_[q.ssd];
    if (submitted_ == 0) first_submission_ = now();
    if (ssd.submitted++ == 0) ssd.first_submission = now();
    c.seq = submitted_++;
    c.bytes = sizes_.draw(rng_);
    c.read = rng_.chance(p_.read_fraction);
    c.submitted = now();
    const iommufd::DriverCost at = host_.spent();
    if (!dma_.map(q.index, c.va, c.bytes, c.iova)) ++engine_errors_;
    host_.charge(q.core, at, "submit: map, PRPs");
    c.prp = build_prp(c.iova, c.bytes, c.list_iova, c.prp_list);
    prp_lists_ += c.prp.list;
    c.sq_slot = uint32_t(q.sq_tail++ % q.entries);
    ++doorbells_;
    return host_.mmio(q.core, "SQ doorbell");
}

// The SQ tail doorbell has reached the device: it fetches the entry.
void Nvme::ring(IoQueue& q, uint32_t cid) {
    const Command& c = command(q, cid);
    feed(q, q.sq_iova + uint64_t(c.sq_slot) * kSqEntryBytes, kSqEntryBytes, true,
         cookie(uint32_t(&c - commands_.data()), kSqFetch), true);
}

// The driver's handling of one completion, on the queue's core; returns when it ends.
sim::ps_t Nvme::complete(IoQueue& q, uint32_t cid) {
    Command& c = command(q, cid);
    const iommufd::DriverCost at = host_.spent();
    if (!dma_.unmap(q.index, c.iova, c.bytes)) ++engine_errors_;
    Ssd& ssd = *ssds_[q.ssd];
    ssd.dev.forget_writes(c.iova, c.bytes);  // the IOVA will map another buffer
    const sim::ps_t end = host_.charge(q.core, at, "complete: unmap, stack", p_.stack_ns);
    ++ios_;
    ++ssd.ios;
    ssd.last_completion = std::max(ssd.last_completion, end);
    bytes_ += c.bytes;
    ++(c.read ? read_ios_ : write_ios_);
    latency_.sample(sim::ps_to_ns(end - c.submitted));
    last_completion_ = std::max(last_completion_, end);
    return end;
}

sim::ps_t Nvme::cq_doorbell(IoQueue& q) {
    ++doorbells_;
    return host_.mmio(q.core, "CQ doorbell");
}

// A fetch (SQ entry, PRP list) goes ahead of the data and CQ entries the device has
// not sent yet: the controller's command fetch engine does not wait for its data
// engine. Fed in one order, a burst of submissions' fetches waited out tens of
// microseconds of other commands' data, then began their media time together; the
// queues ran in convoys and the link idled between them.
void Nvme::feed(const IoQueue& q, uint64_t addr, uint32_t bytes, bool read, uint64_t c, bool fetch) {
    pcie::Request r{addr, bytes, read};
    r.at_ps = now();
    r.cookie = c;
    r.priority = fetch;
    ssds_[q.ssd]->dev.feed(r);
}

// The device's progress through a command, one completed DMA at a time.
void Nvme::dma_done(uint64_t c, bool ok) {
    const uint32_t index = uint32_t(c >> 2);
    Command& cmd = commands_[index];
    IoQueue& q = *queues_[index / p_.queue_depth];
    dma_errors_ += !ok;
    switch (Step(c & 3)) {
    case kSqFetch:
        if (!cmd.prp.list) return media(index);
        return feed(q, cmd.prp.prp2, uint32_t(cmd.prp_list.size() * kPrpEntryBytes), true, cookie(index, kPrpFetch),
                    true);
    case kPrpFetch:
        return media(index);
    case kData:
        if (cmd.read) return finish(q, index);  // a Read's CQ entry went right behind its data
        if (--cmd.left) return;
        return post_cq(q, index);
    case kCqPost:
        return finish(q, index);
    }
}

// The 16 B Completion Queue Entry, next in the device's order.
void Nvme::post_cq(IoQueue& q, uint32_t index) {
    feed(q, q.cq_iova + q.cq_tail++ % q.entries * kCqEntryBytes, kCqEntryBytes, false, cookie(index, kCqPost));
}

// One of a Read's data writes or its CQ entry write has landed: the host sees the
// completion once all have (the model's IOMMU may finish a later posted write first).
void Nvme::finish(IoQueue& q, uint32_t index) {
    Command& c = commands_[index];
    if (c.read && --c.left) return;
    q.irq.completed(index % p_.queue_depth);
}

// The media time starts when the command (and its PRP list) has been fetched.
void Nvme::media(uint32_t index) {
    const Command& c = commands_[index];
    const sim::ps_t at = now() + sim::ns_to_ps(c.read ? p_.media_read_ns : p_.media_write_ns);
    due_.push_back({at, c.seq, index});
    std::push_heap(due_.begin(), due_.end(), std::greater<Due>());
    due_event_.notify(until(at));  // an earlier pending notification stays
}

// Feeds the data phase of every command whose media time is over.
void Nvme::media_due() {
    while (!due_.empty() && due_.front().at <= now()) {
        std::pop_heap(due_.begin(), due_.end(), std::greater<Due>());
        const uint32_t index = due_.back().command;
        due_.pop_back();
        transfer(index);
    }
    if (!due_.empty()) due_event_.notify(until(due_.front().at));
}

// The data, a memory page at a time where the PRPs point: the device writes host
// memory for a Read and reads it for a Write. Sizes are whole pages (NvmeParams).
// A Read's CQ entry follows its data writes at once: posted writes stay in order
// (PCIe Base Specification, §2.4.1 Transaction Ordering Rules), so a controller does
// not wait for them (it could not tell when they land). Waiting put every CQ entry
// behind the data of commands due meanwhile, and the queues went in convoys.
// A Write's CQ entry waits for the read completions: it needs the data.
void Nvme::transfer(uint32_t index) {
    Command& c = commands_[index];
    IoQueue& q = *queues_[index / p_.queue_depth];
    const uint32_t pages = prp_pages(c.prp.prp1, c.bytes);
    c.left = pages + c.read;  // a Read also waits for its CQ entry write
    for (uint32_t i = 0; i < pages; ++i) {
        const uint64_t page = i == 0 ? c.prp.prp1 : c.prp.list ? c.prp_list[i - 1] : c.prp.prp2;
        feed(q, page, uint32_t(kPage), !c.read, cookie(index, kData));
    }
    if (c.read) post_cq(q, index);
}

double Nvme::span_ns() const {
    return last_completion_ > first_submission_ ? sim::ps_to_ns(last_completion_ - first_submission_) : 0.0;
}

}  // namespace workload
