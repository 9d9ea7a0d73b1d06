#include "models/iommufd/context.h"

#include <algorithm>

namespace iommufd {
namespace {

unsigned prot_of(uint32_t flags) {
    return ((flags & kReadable) ? unsigned(kRead) : 0u) | ((flags & kWriteable) ? unsigned(kWrite) : 0u);
}

}  // namespace

Context::~Context() {
    for (auto& [id, d] : devices_) detach(id);
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
    out_ioas_id = next_id_++;
    ioas_.emplace(out_ioas_id, std::make_unique<Ioas>());
    return Errno::Ok;
}

// An IOAS a device is attached to is in use (EBUSY); a device object goes with its
// binding, not DESTROY, here.
Errno Context::destroy(uint32_t id) {
    auto it = ioas_.find(id);
    if (it == ioas_.end()) return devices_.count(id) ? Errno::Busy : Errno::NoEnt;
    if (it->second->users) return Errno::Busy;
    uint64_t unmapped = 0;
    it->second->iopt.unmap_all(unmapped);
    ioas_.erase(it);
    return Errno::Ok;
}

Errno Context::ioas_map(uint32_t ioas_id, uint32_t flags, uint64_t user_va, uint64_t length,
                        uint64_t& iova) {
    if (flags & ~(kFixedIova | kWriteable | kReadable)) return Errno::OpNotSupp;
    if (!(flags & (kWriteable | kReadable))) return Errno::Inval;
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    uint64_t end = 0;
    if (length == 0) return Errno::Inval;
    if (__builtin_add_overflow(user_va, length, &end)) return Errno::Overflow;
    const unsigned prot = prot_of(flags);
    auto pages = std::make_shared<Pages>(owner_, user_va, length, flags & kWriteable, mode_);
    return a->iopt.map(pages, user_va % kPageSize, length, prot, flags & kFixedIova, iova);
}

Errno Context::ioas_unmap(uint32_t ioas_id, uint64_t iova, uint64_t length, uint64_t& out_length) {
    out_length = 0;
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    if (iova == 0 && length == ~uint64_t(0)) return a->iopt.unmap_all(out_length);
    return a->iopt.unmap(iova, length, out_length);
}

// The source areas are shared, not copied: the destination maps the same pinned pages.
Errno Context::ioas_copy(uint32_t dst_ioas_id, uint32_t src_ioas_id, uint32_t flags,
                         uint64_t src_iova, uint64_t length, uint64_t& dst_iova) {
    if (flags & ~(kFixedIova | kWriteable | kReadable)) return Errno::OpNotSupp;
    if (!(flags & (kWriteable | kReadable))) return Errno::Inval;
    Ioas* src = find_ioas(src_ioas_id);
    Ioas* dst = find_ioas(dst_ioas_id);
    if (!src || !dst) return Errno::NoEnt;
    std::vector<Area> areas;
    if (const Errno e = src->iopt.covering(src_iova, length, areas); e != Errno::Ok) return e;
    if ((flags & kWriteable) && std::any_of(areas.begin(), areas.end(), [](const Area& a) {
            return !a.pages->writable();
        }))
        return Errno::Perm;
    const unsigned prot = prot_of(flags);
    if (areas.size() != 1) return Errno::Inval;  // one area at a time, for now
    return dst->iopt.map(areas[0].pages, areas[0].offset, length, prot, flags & kFixedIova, dst_iova);
}

Errno Context::ioas_iova_ranges(uint32_t ioas_id, uint32_t& num_iovas, std::vector<IovaRange>& out,
                                uint64_t& out_iova_alignment) {
    Ioas* a = find_ioas(ioas_id);
    if (!a) return Errno::NoEnt;
    const std::vector<IovaRange> ranges = a->iopt.usable_ranges();
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

// RLIMIT_MODE is the context's and changes only while it holds no objects (EBUSY);
// HUGE_PAGES belongs to an IOAS.
Errno Context::option(uint32_t option_id, uint32_t op, uint32_t object_id, uint64_t& val64) {
    if (op != kOptionSet && op != kOptionGet) return Errno::OpNotSupp;
    switch (option_id) {
        case kOptionRlimitMode:
            if (object_id != 0) return Errno::Inval;
            if (op == kOptionGet) {
                val64 = uint64_t(mode_);
                return Errno::Ok;
            }
            if (val64 > 1) return Errno::Inval;
            if (!ioas_.empty() || !devices_.empty()) return Errno::Busy;
            mode_ = RlimitMode(val64);
            return Errno::Ok;
        case kOptionHugePages: {
            Ioas* a = find_ioas(object_id);
            if (!a) return Errno::NoEnt;
            if (op == kOptionGet) {
                val64 = a->huge_pages;
                return Errno::Ok;
            }
            if (val64 > 1) return Errno::Inval;
            a->huge_pages = val64;
            return Errno::Ok;
        }
        default: return Errno::OpNotSupp;
    }
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

Errno Context::bind(Device& dev, uint32_t& out_dev_id) {
    out_dev_id = next_id_++;
    devices_.emplace(out_dev_id, BoundDevice{&dev, 0, nullptr});
    return Errno::Ok;
}

Errno Context::attach(uint32_t dev_id, uint32_t ioas_id) {
    auto d = devices_.find(dev_id);
    Ioas* a = find_ioas(ioas_id);
    if (d == devices_.end() || !a) return Errno::NoEnt;
    if (d->second.ioas) return Errno::Busy;  // replace is not modelled yet
    BoundDevice& bd = d->second;
    for (const IovaRange& r : bd.dev->reserved) {
        if (const Errno e = a->iopt.reserve(r, &bd); e != Errno::Ok) {
            a->iopt.unreserve(&bd);
            return e;
        }
    }
    bd.domain = bd.dev->make_domain();
    if (!bd.domain) {
        a->iopt.unreserve(&bd);
        return Errno::NoMem;
    }
    if (const Errno e = a->iopt.attach(*bd.domain); e != Errno::Ok) {
        a->iopt.unreserve(&bd);
        bd.domain.reset();
        return e;
    }
    bd.ioas = ioas_id;
    ++a->users;
    return Errno::Ok;
}

Errno Context::detach(uint32_t dev_id) {
    auto d = devices_.find(dev_id);
    if (d == devices_.end()) return Errno::NoEnt;
    BoundDevice& bd = d->second;
    Ioas* a = find_ioas(bd.ioas);
    if (!a) return Errno::Inval;
    a->iopt.detach(*bd.domain);
    a->iopt.unreserve(&bd);
    bd.domain.reset();
    bd.ioas = 0;
    --a->users;
    return Errno::Ok;
}

}  // namespace iommufd
