#include "models/iommufd/context.h"

#include <algorithm>

namespace iommufd {
namespace {

constexpr uint64_t kU64Max = ~uint64_t(0);

unsigned prot_of(uint32_t flags) {
    return ((flags & kReadable) ? unsigned(kRead) : 0u) | ((flags & kWriteable) ? unsigned(kWrite) : 0u);
}

}  // namespace

Context::~Context() {
    for (auto& [id, d] : devices_) {
        if (d.hwpt && !abandoned_) detach(id);
        d.dev->owner = nullptr;
    }
    if (abandoned_) return;
    while (!hwpts_.empty()) destroy_hwpt(hwpts_.begin()->first);
}

// The lowest free ID from 1 (xa_alloc over XA_FLAGS_ALLOC1): a destroyed object's ID
// is handed out again.
uint32_t Context::alloc_id() {
    uint32_t id = 1;
    for (auto it = ids_.begin(); it != ids_.end() && *it == id; ++it) ++id;
    ids_.insert(id);
    return id;
}

Context::Ioas* Context::find_ioas(uint32_t id) {
    auto it = ioas_.find(id);
    return it == ioas_.end() ? nullptr : it->second.get();
}

IoPagetable* Context::iopt(uint32_t ioas_id) {
    Ioas* a = find_ioas(ioas_id);
    return a ? &a->iopt : nullptr;
}

Errno Context::ioas_alloc(uint32_t& out_ioas_id) {
    out_ioas_id = alloc_id();
    auto a = std::make_unique<Ioas>();
    a->iopt.set_flush_policy(flush_policy_, now_ps_, stale_window_);
    ioas_.emplace(out_ioas_id, std::move(a));
    return Errno::Ok;
}

void Context::set_flush_policy(const FlushPolicy& p, std::function<uint64_t()> now_ps,
                               std::function<void(uint64_t)> stale_window) {
    flush_policy_ = p;
    now_ps_ = std::move(now_ps);
    stale_window_ = std::move(stale_window);
    for (auto& [id, a] : ioas_) a->iopt.set_flush_policy(p, now_ps_, stale_window_);
}

// An IOAS under a HWPT and a HWPT a device uses are in use (EBUSY); a device object
// goes with its binding, not DESTROY.
Errno Context::destroy(uint32_t id) {
    if (devices_.count(id)) return Errno::Busy;
    if (auto h = hwpts_.find(id); h != hwpts_.end()) {
        if (h->second->devices) return Errno::Busy;
        destroy_hwpt(id);
        return Errno::Ok;
    }
    auto it = ioas_.find(id);
    if (it == ioas_.end()) return Errno::NoEnt;
    if (it->second->hwpts) return Errno::Busy;
    uint64_t unmapped = 0;
    it->second->iopt.unmap_all(unmapped);
    ioas_.erase(it);
    ids_.erase(id);
    return Errno::Ok;
}

// iommufd_ioas_map: the flags, then the sizes, then the IOAS, then the pages.
void Context::flush_if_due() {
    for (auto& [id, a] : ioas_) a->iopt.flush_if_due();
}

uint64_t Context::flush_deadline_ps() const {
    uint64_t d = 0;
    for (const auto& [id, a] : ioas_) {
        const uint64_t t = a->iopt.flush_deadline_ps();
        if (t && (!d || t < d)) d = t;
    }
    return d;
}

bool Context::unflushed(uint32_t dev_id, uint64_t iova) const {
    auto d = devices_.find(dev_id);
    if (d == devices_.end() || !d->second.hwpt) return false;
    return ioas_.at(hwpts_.at(d->second.hwpt)->ioas)->iopt.unflushed(iova);
}

Reach Context::reach(uint32_t dev_id, uint64_t iova) const {
    auto d = devices_.find(dev_id);
    if (d == devices_.end() || !d->second.hwpt) return {};
    return ioas_.at(hwpts_.at(d->second.hwpt)->ioas)->iopt.reach(iova);
}

Errno Context::ioas_map(uint32_t ioas_id, uint32_t flags, uint64_t user_va, uint64_t length,
                        uint64_t& iova, Process* caller) {
    if (flags & ~(kFixedIova | kWriteable | kReadable)) return Errno::OpNotSupp;
    if (iova == kU64Max || length == kU64Max) return Errno::Overflow;
    if (!(flags & (kWriteable | kReadable))) return Errno::Inval;
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    uint64_t end = 0;
    if (length == 0 || length > kU64Max - kPageSize) return Errno::Inval;
    if (__builtin_add_overflow(user_va, length, &end)) return Errno::Overflow;
    auto pages = std::make_shared<Pages>(caller ? *caller : owner_, user_va, length, flags & kWriteable, mode_);
    return a->iopt.map(pages, user_va % kPageSize, length, prot_of(flags), flags & kFixedIova, iova);
}

// A range that holds no area is ENOENT (../shared/reference/formats.md); a late-2025
// kernel change makes it succeed with length 0, as VFIO's type1 always did.
Errno Context::ioas_unmap(uint32_t ioas_id, uint64_t iova, uint64_t length, uint64_t& out_length) {
    out_length = 0;
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    if (iova == 0 && length == kU64Max) return a->iopt.unmap_all(out_length);
    if (iova == kU64Max || length == kU64Max) return Errno::Overflow;
    if (const Errno e = a->iopt.unmap(iova, length, out_length); e != Errno::Ok) return e;
    return out_length ? Errno::Ok : Errno::NoEnt;
}

// The source's pages are shared, not copied: the destination maps the same pinned
// pages, one area per source area, back to back (iopt_get_pages, iopt_map_pages).
Errno Context::ioas_copy(uint32_t dst_ioas_id, uint32_t src_ioas_id, uint32_t flags,
                         uint64_t src_iova, uint64_t length, uint64_t& dst_iova) {
    if (flags & ~(kFixedIova | kWriteable | kReadable)) return Errno::OpNotSupp;
    if (length == kU64Max || src_iova == kU64Max || dst_iova == kU64Max) return Errno::Overflow;
    if (!(flags & (kWriteable | kReadable))) return Errno::Inval;
    Ioas* src = find_ioas(src_ioas_id);
    if (!src) return Errno::NoEnt;
    std::vector<PagesSpan> spans;
    if (const Errno e = src->iopt.spans(src_iova, length, spans); e != Errno::Ok) return e;
    Ioas* dst = find_ioas(dst_ioas_id);
    if (!dst) return Errno::NoEnt;
    return dst->iopt.map_spans(spans, prot_of(flags), flags & kFixedIova, dst_iova);
}

Errno Context::ioas_iova_ranges(uint32_t ioas_id, uint32_t& num_iovas, std::vector<IovaRange>& out,
                                uint64_t& out_iova_alignment) {
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    const std::vector<IovaRange> ranges = a->iopt.iova_ranges();
    out_iova_alignment = a->iopt.iova_alignment();
    const uint32_t room = num_iovas;
    num_iovas = uint32_t(ranges.size());
    out.assign(ranges.begin(), ranges.begin() + std::min<size_t>(room, ranges.size()));
    return ranges.size() > room ? Errno::MsgSize : Errno::Ok;
}

Errno Context::ioas_allow_iovas(uint32_t ioas_id, const std::vector<IovaRange>& allowed) {
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    return a->iopt.allow(allowed);
}

// RLIMIT_MODE is the context's and changes only while it holds no objects (EBUSY,
// checked before the value); HUGE_PAGES belongs to an IOAS (iommufd_option_rlimit_mode,
// iommufd_ioas_option). The caller is taken to have CAP_SYS_RESOURCE.
Errno Context::option(uint32_t option_id, uint32_t op, uint32_t object_id, uint64_t& val64) {
    if (option_id == kOptionRlimitMode) {
        if (object_id != 0) return Errno::OpNotSupp;
        if (op == kOptionGet) {
            val64 = uint64_t(mode_);
            return Errno::Ok;
        }
        if (op != kOptionSet) return Errno::OpNotSupp;
        if (!ids_.empty()) return Errno::Busy;
        if (val64 > 1) return Errno::Inval;
        mode_ = RlimitMode(val64);
        return Errno::Ok;
    }
    if (option_id != kOptionHugePages) return Errno::OpNotSupp;
    Ioas* a = find_ioas(object_id);
    if (!a) return Errno::NoEnt;
    if (op == kOptionGet) {
        val64 = a->iopt.large_pages();
        return Errno::Ok;
    }
    if (op != kOptionSet) return Errno::OpNotSupp;
    if (val64 > 1) return Errno::Inval;
    return a->iopt.set_large_pages(val64 == 1);
}

Errno Context::access_pin(uint32_t ioas_id, uint64_t iova, uint64_t length, bool write,
                          uint64_t& out_pin, std::vector<uint64_t>& frames) {
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    return a->iopt.access_pin(iova, length, write, out_pin, frames);
}

Errno Context::access_unpin(uint32_t ioas_id, uint64_t pin) {
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    return a->iopt.access_unpin(pin);
}

// iommufd_device_bind claims the device's DMA for this context: a device another
// context has bound is EPERM (iommu_device_claim_dma_owner, drivers/iommu/iommu.c:
// a group owned by another owner), so no process can attach a device whose DMA
// another process's mappings steer.
Errno Context::bind(Device& dev, uint32_t& out_dev_id) {
    if (dev.owner && dev.owner != this) return Errno::Perm;
    dev.owner = this;
    out_dev_id = alloc_id();
    devices_.emplace(out_dev_id, BoundDevice{&dev, 0});
    return Errno::Ok;
}

Errno Context::get_hw_info(uint32_t dev_id, HwInfo& out) {
    auto d = devices_.find(dev_id);
    if (d == devices_.end()) return Errno::NoEnt;
    out = d->second.dev->ops->hw_info();
    return Errno::Ok;
}

// A paging HWPT over an IOAS (iommufd_hwpt_paging_alloc): the domain comes from the
// device's driver; a device that can enforce coherency gets a domain that does.
Errno Context::new_hwpt(Device& dev, uint32_t ioas_id, uint32_t flags, bool auto_domain,
                        uint32_t& id) {
    if (flags & ~(kHwptNestParent | kHwptDirtyTracking | kHwptFaultIdValid)) return Errno::OpNotSupp;
    if ((flags & kHwptDirtyTracking) && !(dev.ops->hw_info().capabilities & 1)) return Errno::OpNotSupp;
    if (flags & kHwptFaultIdValid) return Errno::NoEnt;  // no fault objects in this model
    Ioas& a = *ioas_.at(ioas_id);
    auto h = std::make_unique<Hwpt>();
    h->ioas = ioas_id;
    h->auto_domain = auto_domain;
    if (const Errno e = dev.ops->alloc_domain(flags, h->domain); e != Errno::Ok) return e;
    if (dev.ops->can_enforce_cache_coherency()) h->enforce_cc = h->domain->enforce_cache_coherency();
    if (const Errno e = a.iopt.attach(*h->domain); e != Errno::Ok) return e;
    ++a.hwpts;
    id = alloc_id();
    hwpts_.emplace(id, std::move(h));
    return Errno::Ok;
}

Errno Context::hwpt_alloc(uint32_t dev_id, uint32_t pt_id, uint32_t flags, uint32_t& out_hwpt_id) {
    auto d = devices_.find(dev_id);
    if (d == devices_.end()) return Errno::NoEnt;
    if (hwpts_.count(pt_id)) return Errno::OpNotSupp;  // nested: needs driver data
    if (!find_ioas(pt_id)) return Errno::Inval;
    return new_hwpt(*d->second.dev, pt_id, flags, false, out_hwpt_id);
}

Errno Context::attach(uint32_t dev_id, uint32_t pt_id, uint32_t* out_pt_id) {
    auto d = devices_.find(dev_id);
    if (d == devices_.end()) return Errno::NoEnt;
    uint32_t hwpt_id = pt_id;
    Errno e = Errno::Ok;
    if (hwpts_.count(pt_id))
        e = use_hwpt(d->second, pt_id);
    else if (find_ioas(pt_id))
        e = auto_attach(d->second, pt_id, hwpt_id);
    else
        return ids_.count(pt_id) ? Errno::Inval : Errno::NoEnt;
    if (e == Errno::Ok && out_pt_id) *out_pt_id = hwpt_id;
    return e;
}

// iommufd_device_auto_get_domain: any automatic HWPT of the IOAS that takes the device
// (EINVAL means incompatible: try the next), else a new one.
Errno Context::auto_attach(BoundDevice& bd, uint32_t ioas_id, uint32_t& hwpt_id) {
    for (const auto& [id, h] : hwpts_) {
        if (h->ioas != ioas_id || !h->auto_domain) continue;
        const Errno e = use_hwpt(bd, id);
        if (e == Errno::Inval) continue;
        hwpt_id = id;
        return e;
    }
    if (const Errno e = new_hwpt(*bd.dev, ioas_id, 0, true, hwpt_id); e != Errno::Ok) return e;
    const Errno e = use_hwpt(bd, hwpt_id);
    if (e != Errno::Ok) destroy_hwpt(hwpt_id);
    return e;
}

// The other objects of the same device (bound more than once) that are attached.
// They share one attachment, as Linux's iommufd_group does: the hardware has one
// domain per device, whichever object asked for it.
std::vector<Context::BoundDevice*> Context::attached_siblings(const BoundDevice& bd) {
    std::vector<BoundDevice*> out;
    for (auto& [id, other] : devices_)
        if (&other != &bd && other.dev == bd.dev && other.hwpt) out.push_back(&other);
    return out;
}

// Each object's copy of the device's reserved regions in `a`; all or nothing.
Errno Context::reserve_regions(Ioas& a, const std::vector<BoundDevice*>& objs) {
    for (BoundDevice* bd : objs) {
        for (const IovaRange& r : bd->dev->reserved) {
            const Errno e = a.iopt.reserve(r, bd);
            if (e == Errno::Ok) continue;
            for (BoundDevice* undo : objs) a.iopt.unreserve(undo);
            return e;
        }
    }
    return Errno::Ok;
}

// Attach, or replace the HWPT the device uses: its reserved regions move to the new
// IOAS, and the driver switches domains before the old HWPT lets go. A second object
// of an attached device joins its HWPT or gets EINVAL (iommufd_hw_pagetable_attach);
// a replace moves every attached object of the device (iommufd_device_do_replace).
Errno Context::use_hwpt(BoundDevice& bd, uint32_t hwpt_id) {
    if (bd.hwpt == hwpt_id) return Errno::Ok;
    std::vector<BoundDevice*> group = attached_siblings(bd);
    Hwpt& h = *hwpts_.at(hwpt_id);
    Ioas& a = *ioas_.at(h.ioas);
    if (!bd.hwpt && !group.empty()) {
        if (group.front()->hwpt != hwpt_id) return Errno::Inval;
        if (const Errno e = reserve_regions(a, {&bd}); e != Errno::Ok) return e;
        ++h.devices;
        bd.hwpt = hwpt_id;
        return Errno::Ok;
    }
    if (bd.dev->ops->can_enforce_cache_coherency() && !h.enforce_cc) {
        if (!h.domain->enforce_cache_coherency()) return Errno::Inval;
        h.enforce_cc = true;
    }
    group.push_back(&bd);
    const uint32_t old_id = bd.hwpt;
    const bool moves = !old_id || hwpts_.at(old_id)->ioas != h.ioas;
    if (moves)
        if (const Errno e = reserve_regions(a, group); e != Errno::Ok) return e;
    if (const Errno e = bd.dev->ops->attach(*h.domain); e != Errno::Ok) {
        if (moves)
            for (BoundDevice* m : group) a.iopt.unreserve(m);
        return e;
    }
    for (BoundDevice* m : group) {
        if (old_id && moves) ioas_.at(hwpts_.at(old_id)->ioas)->iopt.unreserve(m);
        ++h.devices;
        m->hwpt = hwpt_id;
    }
    if (old_id)
        for (size_t i = 0; i < group.size(); ++i) release_hwpt(old_id);
    return Errno::Ok;
}

// A device stopped using the HWPT: an automatic one goes with its last device.
void Context::release_hwpt(uint32_t hwpt_id) {
    Hwpt& h = *hwpts_.at(hwpt_id);
    if (--h.devices == 0 && h.auto_domain) destroy_hwpt(hwpt_id);
}

void Context::destroy_hwpt(uint32_t hwpt_id) {
    auto it = hwpts_.find(hwpt_id);
    Ioas& a = *ioas_.at(it->second->ioas);
    a.iopt.detach(*it->second->domain);
    --a.hwpts;
    hwpts_.erase(it);
    ids_.erase(hwpt_id);
}

Errno Context::detach(uint32_t dev_id) {
    auto d = devices_.find(dev_id);
    if (d == devices_.end()) return Errno::NoEnt;
    BoundDevice& bd = d->second;
    if (!bd.hwpt) return Errno::Inval;
    // The device's DMA is blocked once no object of it stays attached.
    if (attached_siblings(bd).empty()) bd.dev->ops->detach();
    ioas_.at(hwpts_.at(bd.hwpt)->ioas)->iopt.unreserve(&bd);
    const uint32_t old = bd.hwpt;
    bd.hwpt = 0;
    release_hwpt(old);
    return Errno::Ok;
}

}  // namespace iommufd
