// An architecture's IOMMU driver as the mapping engine sees it: Linux's iommu_ops for
// one IOMMU instance. It probes the unit through its registers, hands out the
// DeviceOps of each device (domains, attach, reserved regions, hw_info), and says
// what it has spent so far, so that the timed host CPU and the statistics can charge
// each operation. Each driver folder (drivers/<arch>) defines one and a DriverArch;
// the registry (platforms/archs.cpp) pairs that with the hardware.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/iommufd/domain.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/process.h"
#include "models/sim/stats.h"

namespace sim {
class Config;
class ParamSchema;
}  // namespace sim

namespace iommufd {

// The machine as the driver's CPU sees it: the unit's register page and memory.
class Machine {
public:
    virtual ~Machine() = default;
    virtual uint64_t read_reg(uint32_t offset, unsigned size) = 0;
    virtual void write_reg(uint32_t offset, uint64_t value, unsigned size) = 0;
    virtual uint64_t read64(uint64_t pa) = 0;
    virtual void write64(uint64_t pa, uint64_t value) = 0;
    // Writes cached lines back to memory (clflush), for units whose walks do not snoop.
    virtual void flush(uint64_t pa, uint64_t bytes) = 0;
    // The time the unit has spent so far processing queued commands, ns: a completion
    // wait lasts until the unit is through the batch (0: the machine cannot tell).
    virtual double command_ns() { return 0; }
};

// The CPU's uncached accesses to the unit's registers, as a driver makes them: each
// counted (the driver's "mmio" statistic) and charged `ns` of CPU time.
class MmioPort {
public:
    MmioPort(Machine& m, sim::StatGroup& stats, const double& ns, double& cpu_ns)
        : m_(m), ns_(ns), cpu_ns_(cpu_ns), count_(stats, "mmio", "", "register accesses") {}
    uint64_t read(uint32_t offset, unsigned size) {
        charge();
        return m_.read_reg(offset, size);
    }
    void write(uint32_t offset, uint64_t value, unsigned size) {
        charge();
        m_.write_reg(offset, value, size);
    }

private:
    void charge() {
        ++count_;
        cpu_ns_ += ns_;
    }
    Machine& m_;
    const double& ns_;
    double& cpu_ns_;
    sim::Counter count_;
};

// The CPU's writes of 8-byte table words (page tables, device or stream table
// entries), as a driver makes them: each counted (the driver's "table_writes"
// statistic), charged `ns` of CPU time, and cleaned to memory (clflush) when the unit's
// walks do not snoop.
class TableWriter {
public:
    TableWriter(Machine& m, sim::StatGroup& stats, const char* desc, const double& ns, double& cpu_ns)
        : m_(m), ns_(ns), cpu_ns_(cpu_ns), count_(stats, "table_writes", "", desc) {}
    void write(uint64_t pa, uint64_t value, bool snooped) {
        m_.write64(pa, value);
        if (!snooped) m_.flush(pa, 8);
        ++count_;
        cpu_ns_ += ns_;
    }
    uint64_t count() const { return count_.value(); }

private:
    Machine& m_;
    const double& ns_;
    double& cpu_ns_;
    sim::Counter count_;
};

// How long a completion wait (CMD_SYNC, wait descriptor) keeps the CPU: polling until
// the unit is through every command queued since the last wait, so the unit's
// processing time of them, and never less than the poll itself (`poll_ns`).
class CompletionWait {
public:
    explicit CompletionWait(Machine& m) : m_(m), mark_(m.command_ns()) {}
    double ns(double poll_ns) {
        const double now = m_.command_ns(), unit_ns = now - mark_;
        mark_ = now;
        return unit_ns > poll_ns ? unit_ns : poll_ns;
    }

private:
    Machine& m_;
    double mark_;
};

// What a driver has spent so far; the difference of two readings is one operation's
// cost. `queue_ns` is the part spent on the invalidation or command queue (entries,
// doorbells, waits), which Linux does holding the queue's lock.
struct DriverCost {
    double cpu_ns = 0, queue_ns = 0;
    uint64_t table_writes = 0;
    uint64_t descriptors = 0;  // invalidation descriptors / commands queued
    uint64_t waits = 0;        // completion waits polled to the end
    DriverCost operator-(const DriverCost& o) const {
        return {cpu_ns - o.cpu_ns, queue_ns - o.queue_ns, table_writes - o.table_writes,
                descriptors - o.descriptors, waits - o.waits};
    }
};

// Why probe() failed: the driver's own parameter at fault (relative to its section),
// or else the unit's parameter that straps what is missing ("vtd.qi"), or neither
// (the unit as a whole); and the reason.
struct ProbeFailure {
    std::string key;
    std::string reason;
    std::string unit_key;
};

// What the PCI core found in a device's capabilities, which the driver consults when it
// attaches the device (Linux: pci_ats_supported, pci_pri_supported).
// The driver turns the capabilities on through the device's config space (ATS Control
// Enable, PCIe 10.5.1.3; PRI Control Enable, 10.5.2.2), as Linux's pci_enable_ats and
// pci_enable_pri do when a device is attached to a domain that uses them.
struct EndpointCaps {
    bool ats = false;  // ATS capability: the device caches translations (ATC)
    bool pri = false;  // Page Request Interface: the device asks for faulting pages
    bool stall = false;  // the device tolerates stalled transactions (firmware "dma-can-stall")
    std::function<void(bool)> enable_ats;  // writes ATS Control.Enable (may be empty)
    std::function<void(bool)> enable_pri;  // writes PRI Control.Enable (may be empty)
};

class Driver : public sim::StatGroup {
public:
    // Sets the unit up (tables, queues, enables). EOPNOTSUPP when the unit lacks what
    // the driver needs; probe_failure() says what.
    virtual Errno probe() = 0;
    virtual ProbeFailure probe_failure() const = 0;
    // The driver as iommufd sees it for the device with requester ID `sid` and
    // capabilities `caps` (detaches it when destroyed).
    virtual std::unique_ptr<DeviceOps> device(uint16_t sid, const EndpointCaps& caps) = 0;
    virtual DriverCost spent() const = 0;
    // The unit raised its page-request interrupt (ats.h; Unit::on_page_request_irq):
    // drain the page request queue and answer what needs an answer.
    virtual void service_page_requests() {}
    // The unit raised its event interrupt (Unit::on_event_irq): read the event queue
    // and answer what needs an answer (stalled transactions).
    virtual void service_events() {}
    // One uncached register access by the CPU, ns (what a device driver's doorbell
    // costs too).
    virtual double mmio_ns() const = 0;
};

// A driver's configuration ([iommufd.<arch>]), opaque outside its folder.
struct DriverConfig {
    virtual ~DriverConfig() = default;
};

struct DriverArch {
    void (*declare)(sim::ParamSchema& schema, const std::string& section);
    std::shared_ptr<const DriverConfig> (*read)(const sim::Config& cfg, const std::string& section);
    // Table pages and queues come from `pages` (zeroed host memory).
    std::unique_ptr<Driver> (*make)(Machine& machine, FrameAllocator& pages, const DriverConfig& config);
};

}  // namespace iommufd
