// IOMMU_SIM_HOT_PATH marks an entry point of the per-transaction path that atomic mode
// runs millions of times: each hop's b_transport, the device's issue loop, the
// architectures' lookup and walk steps. GCC and Clang then inline every call in its
// body ([[gnu::flatten]]), across files too where iommu-sim is linked with LTO
// (CMakeLists.txt), so that a hop runs as one function rather than as some dozens of
// small calls that each save and restore registers (README "Performance").
#pragma once

#define IOMMU_SIM_HOT_PATH [[gnu::flatten]]

// IOMMU_SIM_COLD_PATH marks a function that a hot path calls but rarely runs (a
// timeline's records, ATS, page requests, fed requests' completions): flatten leaves it
// a call, so the common case's loop keeps its registers and its host cache lines.
#define IOMMU_SIM_COLD_PATH [[gnu::noinline, gnu::cold]]
