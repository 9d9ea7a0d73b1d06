// A process (4 GiB limit) with one device bound to an iommufd context: the setup of the
// "driver under iommufd" tests. The device's ops come from the driver under test; its
// reserved regions are the driver's unless a test gives others.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "models/iommufd/context.h"

namespace iommufd {

struct OneDeviceEngine {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 32};
    User user{"u0"};
    Process proc{"p0", user, uint64_t(1) << 32, frames};
    std::unique_ptr<DeviceOps> ops;
    Device dev;
    Context ctx{proc};  // last: it detaches the device before the rest goes
    uint32_t dev_id = 0;

    // `reserved`: the device's reserved regions (nullptr: the driver's).
    explicit OneDeviceEngine(std::unique_ptr<DeviceOps> device_ops, const std::vector<IovaRange>* reserved = nullptr)
        : ops(std::move(device_ops)), dev{"nic", reserved ? *reserved : ops->reserved_regions(), ops.get()} {
        REQUIRE(ctx.bind(dev, dev_id) == Errno::Ok);
    }
    // A new IOAS with the device attached to it (its HWPT in `pt`).
    uint32_t attach_new_ioas(uint32_t* pt = nullptr) {
        uint32_t ioas = 0;
        REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);
        REQUIRE(ctx.attach(dev_id, ioas, pt) == Errno::Ok);
        return ioas;
    }
};

}  // namespace iommufd
