// One opened /dev/iommu (Linux's iommufd_ctx): objects by ID and the operations of the
// uAPI (include/uapi/linux/iommufd.h), each returning the errno Linux returns for the
// same input. Here so far: IOAS_ALLOC, IOAS_MAP, IOAS_UNMAP, IOAS_COPY,
// IOAS_IOVA_RANGES, IOAS_ALLOW_IOVAS, OPTION (RLIMIT_MODE, HUGE_PAGES), DESTROY, and
// device bind and attach to an IOAS through an automatic domain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/io_pagetable.h"
#include "models/iommufd/pages.h"
#include "models/iommufd/process.h"

namespace iommufd {

// IOMMU_IOAS_MAP / IOMMU_IOAS_COPY flags (enum iommufd_ioas_map_flags).
enum MapFlags : uint32_t {
    kFixedIova = 1u << 0,
    kWriteable = 1u << 1,
    kReadable = 1u << 2,
};
// IOMMU_OPTION (enum iommufd_option, enum iommufd_option_ops).
enum OptionId : uint32_t { kOptionRlimitMode = 0, kOptionHugePages = 1 };
enum OptionOp : uint32_t { kOptionSet = 0, kOptionGet = 1 };

// A device the engine can bind: its reserved IOVA regions (the MSI window, host bridge
// windows, in any order) and how to make a domain for it.
struct Device {
    std::string name;
    std::vector<IovaRange> reserved;
    std::function<std::unique_ptr<Domain>()> make_domain;
};

class Context {
public:
    explicit Context(Process& owner) : owner_(owner) {}
    ~Context();

    Errno ioas_alloc(uint32_t& out_ioas_id);
    Errno destroy(uint32_t id);
    Errno ioas_map(uint32_t ioas_id, uint32_t flags, uint64_t user_va, uint64_t length,
                   uint64_t& iova);
    Errno ioas_unmap(uint32_t ioas_id, uint64_t iova, uint64_t length, uint64_t& out_length);
    Errno ioas_copy(uint32_t dst_ioas_id, uint32_t src_ioas_id, uint32_t flags,
                    uint64_t src_iova, uint64_t length, uint64_t& dst_iova);
    // `num_iovas` in: room in `out`; out: how many ranges there are (EMSGSIZE if more
    // than the room, with the count still reported).
    Errno ioas_iova_ranges(uint32_t ioas_id, uint32_t& num_iovas, std::vector<IovaRange>& out,
                           uint64_t& out_iova_alignment);
    Errno ioas_allow_iovas(uint32_t ioas_id, const std::vector<IovaRange>& allowed);
    Errno option(uint32_t option_id, uint32_t op, uint32_t object_id, uint64_t& val64);
    // An in-kernel access (iommufd_access_pin_pages / unpin_pages) on an IOAS.
    Errno access_pin(uint32_t ioas_id, uint64_t iova, uint64_t length, bool write,
                     uint64_t& out_pin, std::vector<uint64_t>& frames);
    Errno access_unpin(uint32_t ioas_id, uint64_t pin);

    // Binds a device (a device object ID) and attaches it to an IOAS through a domain
    // made for it; the device's reserved regions are reserved in the IOAS.
    Errno bind(Device& dev, uint32_t& out_dev_id);
    Errno attach(uint32_t dev_id, uint32_t ioas_id);
    Errno detach(uint32_t dev_id);

    RlimitMode rlimit_mode() const { return mode_; }
    IoPagetable* iopt(uint32_t ioas_id);

private:
    struct Ioas {
        IoPagetable iopt;
        bool huge_pages = true;
        unsigned users = 0;  // attached devices
    };
    struct BoundDevice {
        Device* dev;
        uint32_t ioas = 0;  // 0: not attached
        std::unique_ptr<Domain> domain;
    };
    Ioas* find_ioas(uint32_t id);

    Process& owner_;
    RlimitMode mode_ = RlimitMode::PerUser;
    uint32_t next_id_ = 1;  // object IDs start at 1 (xarray XA_FLAGS_ALLOC1)
    std::map<uint32_t, std::unique_ptr<Ioas>> ioas_;
    std::map<uint32_t, BoundDevice> devices_;
};

}  // namespace iommufd
