// Replays a trace's control operations on the mapping engine, as user space would
// issue them, and logs each result in the op-log format (traces/FORMAT.md):
//   LINE OP ok [key=value ...]      LINE OP err ERRNO
//
// Objects are named in the trace (`ioas_alloc name=ioas0`, later `ioas_id=ioas0`);
// numbers are accepted too. Processes, users and iommufd contexts are created by the
// trace; devices are the platform's, bound to a context on first attach. check()
// resolves every name before anything runs, so a trace that names an object it never
// created stops with exit status 2, naming file and line.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/iommufd/context.h"
#include "models/iommufd/process.h"
#include "platforms/isolation.h"
#include "traces/trace.h"

namespace workload {

class Replayer : public platform::DmaOracle {
public:
    // The IOMMU driver's operations for the device with requester ID `sid`.
    using DeviceFactory = std::function<std::unique_ptr<iommufd::DeviceOps>(uint16_t sid)>;
    // A platform device; its reserved regions come from its driver.
    struct DeviceInfo {
        std::string name;  // "dev0"
        uint16_t sid;      // its requester ID
    };

    Replayer(std::vector<DeviceInfo> devices, const DeviceFactory& make_ops,
             iommufd::FrameAllocator& user_frames);
    ~Replayer() override;
    // A device reaches what the IOAS it is attached to maps, in the context that bound
    // it (the isolation check's oracle).
    iommufd::Reach reach(uint16_t sid, uint64_t iova) const override;

    // Throws sim::InputError "FILE:LINE: key: reason" for a name used before it is
    // defined or defined twice.
    static void check(const std::vector<trace::Op>& ops, const std::vector<DeviceInfo>& devices,
                      const std::string& file);
    // Applies one control operation (not dma); the op-log line.
    std::string apply(const trace::Op& op);

    iommufd::Process* process(const std::string& name);
    // The replay is over: the contexts go without unmapping everything through the
    // driver (iommufd::Context::abandon); the statistics are already taken.
    void abandon();

    // Deferred invalidation for every context, now and later (io_pagetable.h).
    void set_flush_policy(const iommufd::FlushPolicy& p, std::function<uint64_t()> now_ps,
                          std::function<void(uint64_t)> stale_window);
    void flush_if_due();
    uint64_t flush_deadline_ps() const;  // 0: nothing queued
    // Whether requester `sid` translating `iova` uses an unmapped, unflushed mapping.
    bool unflushed(uint16_t sid, uint64_t iova) const;

private:
    struct Fd {
        std::unique_ptr<iommufd::Context> ctx;
        std::map<std::string, uint32_t> ids;  // object name -> ID
        std::map<std::string, uint32_t> devices;  // platform device -> device object ID
    };
    struct Pin {
        Fd* fd;
        uint32_t ioas;
        uint64_t id;
    };
    Fd& fd_of(const trace::Op& op);
    uint32_t id_of(Fd& fd, const trace::Op& op, trace::Key key);
    // The device object of platform device `name` in `fd`, bound on first use.
    iommufd::Errno device_id(Fd& fd, const std::string& name, uint32_t& id);
    std::string control(Fd& fd, const trace::Op& op);
    std::string device_ops(Fd& fd, const trace::Op& op);
    std::string map_ops(Fd& fd, const trace::Op& op);

    std::vector<DeviceInfo> infos_;
    std::vector<std::unique_ptr<iommufd::DeviceOps>> ops_;  // outlive the contexts
    std::vector<std::unique_ptr<iommufd::Device>> devices_;
    iommufd::FrameAllocator& frames_;
    std::map<std::string, std::unique_ptr<iommufd::User>> users_;
    std::map<std::string, std::unique_ptr<iommufd::Process>> processes_;
    std::map<std::string, Fd> fds_;
    std::map<std::string, Pin> pins_;
    iommufd::FlushPolicy flush_;
    std::function<uint64_t()> now_ps_;
    std::function<void(uint64_t)> stale_window_;
};

}  // namespace workload
