// Test helper: the request most tests translate, an untranslated read or write of one
// IOVA by one requester, without PASID.
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"

namespace testutil {

inline iommu::Request dma(uint16_t sid, uint64_t iova, bool write) {
    iommu::Request r;
    r.sid = sid;
    r.iova = iova;
    r.read = !write;
    r.write = write;
    return r;
}

}  // namespace testutil
