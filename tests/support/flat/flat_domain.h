// One FLAT domain (flat_spec.h section 3): a domain ID and its one-level page table,
// as iommufd maps into it. Private to the driver.
#pragma once

#include <cstdint>

#include "models/iommufd/domain.h"
#include "tests/support/flat/flat_driver.h"

namespace flat_driver {

class Domain : public iommufd::Domain {
public:
    Domain(Driver& d, uint16_t did, uint64_t table, uint64_t entries)
        : d_(d), did_(did), table_(table), entries_(entries) {}

    uint64_t page_sizes() const override { return 4096; }
    iommufd::Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    void unmap(uint64_t iova, uint64_t size) override;
    void unmap_deferred(uint64_t iova, uint64_t size) override;
    void flush_all() override;
    bool enforce_cache_coherency() override;

    uint16_t did() const { return did_; }
    uint64_t table() const { return table_; }

    // Strict unmap invalidates page by page up to this many pages, else the domain.
    static constexpr uint64_t kPageInvalidations = 16;

private:
    // Clears the present entries of [iova, iova + size) within the table.
    void clear(uint64_t iova, uint64_t size);

    Driver& d_;
    uint16_t did_;
    uint64_t table_, entries_;
    bool snoop_ = false;
    bool has_mappings_ = false;
};

}  // namespace flat_driver
