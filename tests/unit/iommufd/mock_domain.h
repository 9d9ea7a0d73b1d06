// A domain and a device driver for mapping-engine tests: the domain records every page
// it is given (and, when asked, each leaf's size); the driver says where it attached.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "models/iommufd/domain.h"

namespace iommufd {

using PageMap = std::map<uint64_t, std::pair<uint64_t, unsigned>>;  // iova -> (pa, prot)

struct MockDomain : Domain {
    PageMap* pages = nullptr;
    uint64_t* count = nullptr;
    std::map<uint64_t, uint64_t>* leaves = nullptr;  // iova -> leaf size, when kept
    uint64_t sizes = 4096;
    bool can_snoop = false, snoops = false, used = false;
    uint64_t page_sizes() const override { return sizes; }
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override {
        if (!(size & sizes) || (iova | pa) % size) FAIL("mapped with page size " << size);
        for (uint64_t off = 0; off < size; off += 4096) {
            if (pages) (*pages)[iova + off] = {pa + off, prot};
            ++*count;
        }
        if (leaves) (*leaves)[iova] = size;
        used = true;
        return Errno::Ok;
    }
    void unmap(uint64_t iova, uint64_t size) override {
        for (uint64_t a = iova; a < iova + size; a += 4096) {
            if (pages) REQUIRE(pages->erase(a) == 1);
            --*count;
        }
        if (leaves)
            for (auto it = leaves->lower_bound(iova); it != leaves->end() && it->first < iova + size;)
                it = leaves->erase(it);
    }
    bool enforce_cache_coherency() override {
        if (can_snoop && !used) snoops = true;
        return snoops;
    }
};

// A device's driver: domains that record into `pages`, and where it is attached.
struct MockOps : DeviceOps {
    PageMap* pages;
    uint64_t* count;
    uint64_t sizes = 4096;
    bool enforce = false;               // can enforce cache coherency
    bool domains_can_snoop = false;     // its domains can be made to (enforce implies it)
    std::map<uint64_t, uint64_t>* leaves = nullptr;
    Domain* attached = nullptr;
    int attaches = 0;
    MockOps(PageMap* p, uint64_t* c) : pages(p), count(c) {}
    Errno alloc_domain(uint32_t flags, std::unique_ptr<Domain>& out) override {
        if (flags) return Errno::OpNotSupp;
        auto d = std::make_unique<MockDomain>();
        d->pages = pages;
        d->count = count;
        d->sizes = sizes;
        d->leaves = leaves;
        d->can_snoop = enforce || domains_can_snoop;
        out = std::move(d);
        return Errno::Ok;
    }
    Errno attach(Domain& d) override {
        attached = &d;
        ++attaches;
        return Errno::Ok;
    }
    void detach() override { attached = nullptr; }
    bool can_enforce_cache_coherency() const override { return enforce; }
    HwInfo hw_info() const override { return {1, {{"cap_reg", 0x1234}, {"ecap_reg", 0x5678}}, 0}; }
};

}  // namespace iommufd
