// One opened /dev/iommu (Linux's iommufd_ctx): objects by ID and the operations of the
// uAPI (include/uapi/linux/iommufd.h), each returning the errno Linux returns for the
// same input: IOAS_ALLOC, IOAS_MAP, IOAS_UNMAP, IOAS_COPY, IOAS_IOVA_RANGES,
// IOAS_ALLOW_IOVAS, OPTION (RLIMIT_MODE, HUGE_PAGES), DESTROY, HWPT_ALLOC (paging
// HWPTs; nested ones need driver data this model does not take), GET_HW_INFO, device
// bind, attach and replace (to an IOAS through an automatic HWPT, or to a HWPT), and
// in-kernel access pins. Object IDs are the lowest free, from 1, as Linux's xarray
// hands them out (drivers/iommu/iommufd/main.c).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
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

class Context;

// A device the engine can bind: its reserved IOVA regions (the MSI window, host bridge
// windows, in any order), its IOMMU driver, and the context that owns its DMA while
// bound (iommu_device_claim_dma_owner: one owner at a time).
struct Device {
    std::string name;
    std::vector<IovaRange> reserved;
    DeviceOps* ops = nullptr;
    const Context* owner = nullptr;
};

class Context {
public:
    explicit Context(Process& owner) : owner_(owner) {}
    // Closing the file (iommufd_fops_release): detaches every device and destroys
    // every object, unmapping all areas through the driver; not after abandon().
    ~Context();
    // The run is over: the context goes without the driver work a close does (no
    // detach, unmap or invalidation per area), so that a simulator holding a million
    // mappings exits in the time it takes to free them. Only the devices are released.
    void abandon() { abandoned_ = true; }

    Errno ioas_alloc(uint32_t& out_ioas_id);
    Errno destroy(uint32_t id);
    // The pages are the caller's (Linux pins current->mm's): `caller`, or the process
    // that opened the context.
    Errno ioas_map(uint32_t ioas_id, uint32_t flags, uint64_t user_va, uint64_t length,
                   uint64_t& iova, Process* caller = nullptr);
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

    // Binds a device: a device object ID. EPERM while another context owns it.
    Errno bind(Device& dev, uint32_t& out_dev_id);
    // IOMMU_HWPT_ALLOC over an IOAS: a paging domain for the device's unit holding the
    // IOAS's mappings, attached to nothing yet. EOPNOTSUPP for flags the unit cannot
    // honour, EINVAL when `pt_id` is not an IOAS.
    Errno hwpt_alloc(uint32_t dev_id, uint32_t pt_id, uint32_t flags, uint32_t& out_hwpt_id);
    Errno get_hw_info(uint32_t dev_id, HwInfo& out);
    // Attaches a bound device to a HWPT, or to an IOAS through the first automatic HWPT
    // that takes it (else a new one); an attached device is replaced onto the new
    // HWPT without a gap (VFIO's ATTACH_IOMMUFD_PT). A device that can enforce cache
    // coherency only takes a HWPT that does (EINVAL). A device bound more than once
    // has one attachment, as its iommu_group has in Linux: another object of it joins
    // the HWPT it uses (EINVAL for any other), a replace moves them all, and its DMA
    // is blocked when the last one detaches. `out_pt_id`: the HWPT used.
    Errno attach(uint32_t dev_id, uint32_t pt_id, uint32_t* out_pt_id = nullptr);
    Errno detach(uint32_t dev_id);

    RlimitMode rlimit_mode() const { return mode_; }
    IoPagetable* iopt(uint32_t ioas_id);
    // How unmaps invalidate, for every IOAS now and later (io_pagetable.h FlushPolicy).
    void set_flush_policy(const FlushPolicy& p, std::function<uint64_t()> now_ps,
                          std::function<void(uint64_t)> stale_window = {});
    // Deferred invalidation across the context's IOASes: flush those whose oldest
    // queued unmap timed out; the earliest such time (0: nothing queued); whether the
    // device `dev_id` translating `iova` uses an unmapped, unflushed translation.
    void flush_if_due();
    uint64_t flush_deadline_ps() const;
    bool unflushed(uint32_t dev_id, uint64_t iova) const;
    // What device `dev_id` may reach at `iova` through the IOAS it is attached to.
    Reach reach(uint32_t dev_id, uint64_t iova) const;

private:
    bool abandoned_ = false;
    struct Ioas {
        IoPagetable iopt;
        unsigned hwpts = 0;  // HWPTs over it
    };
    struct Hwpt {
        uint32_t ioas = 0;
        std::unique_ptr<Domain> domain;
        bool auto_domain = false;
        bool enforce_cc = false;
        unsigned devices = 0;
    };
    struct BoundDevice {
        Device* dev;
        uint32_t hwpt = 0;  // 0: not attached
    };
    Ioas* find_ioas(uint32_t id);
    uint32_t alloc_id();
    Errno new_hwpt(Device& dev, uint32_t ioas_id, uint32_t flags, bool auto_domain, uint32_t& id);
    Errno auto_attach(BoundDevice& bd, uint32_t ioas_id, uint32_t& hwpt_id);
    Errno use_hwpt(BoundDevice& bd, uint32_t hwpt_id);
    std::vector<BoundDevice*> attached_siblings(const BoundDevice& bd);
    Errno reserve_regions(Ioas& a, const std::vector<BoundDevice*>& objs);
    void release_hwpt(uint32_t hwpt_id);
    void destroy_hwpt(uint32_t hwpt_id);

    Process& owner_;
    RlimitMode mode_ = RlimitMode::PerUser;
    FlushPolicy flush_policy_;
    std::function<uint64_t()> now_ps_;
    std::function<void(uint64_t)> stale_window_;
    std::set<uint32_t> ids_;  // every live object's ID
    std::map<uint32_t, std::unique_ptr<Ioas>> ioas_;
    std::map<uint32_t, std::unique_ptr<Hwpt>> hwpts_;
    std::map<uint32_t, BoundDevice> devices_;
};

}  // namespace iommufd
